"""``manage.py ingest_sources PATH...``: load source texts as reports and link the mentions in them."""

import argparse
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hrkb.search.bulk import deferred_search
from reports.models import Report
from sources.reader import SourceError
from sources.services import matcher_build, mentions_link_files, source_ingest

FORMAT = """\
Each file (.txt or .md, UTF-8) holds one or more articles, each under a header:

  ---
  title: <the article's title>                 required
  slug: <slug>                                 optional; default: the title, slugified
  kind: article                                optional; a report kind; default article
  date: <YYYY, YYYY-MM or YYYY-MM-DD>          optional
  publisher: <slug, name or alias of an organisation>   required; repeat for several
  author: <slug, name or alias of a person>    optional; repeat for several, in byline order
  byline: <an organisational byline as printed, e.g. CSW's North Korea Desk Officer>
  url: <URL>                                   optional
  language: <BCP 47 tag>                       optional; default en
  summary: <one paragraph>                     optional
  ---
  <the article's text, verbatim, title line included>

A '---' line opens a header when it starts the file or the next line reads
'key: value'; any other '---' (a Markdown rule) is text. The text runs to the
next header or the end of the file, without its leading and trailing blank lines.

Reports are matched by slug: new ones are created, changed ones updated, and
unchanged ones left alone, so running the command twice changes nothing. A
header key left out keeps an existing report's stored value. Then every
ingested report's text is scanned for the names and aliases of known actors,
reports and events (see manage.py link_mentions), and its linked mentions are
brought up to date. Everything is checked before anything is written, and the
run is one transaction: any error (reported as path:line: problem) leaves the
database unchanged."""


class Progress:
    """Prints a line such as "3000 articles ingested, 812/s" every ``every`` items, for long runs."""

    def __init__(self, stream, label: str, every: int = 1000):
        self.stream = stream
        self.label = label
        self.every = every
        self.started = time.perf_counter()
        self.next = every

    def __call__(self, done: int) -> None:
        if done >= self.next:
            rate = done / max(time.perf_counter() - self.started, 1e-9)
            self.stream.write(f"{done} {self.label}, {rate:.0f}/s")
            self.next = (done // self.every + 1) * self.every


class Command(BaseCommand):
    help = "Create or update reports from source files and link the mentions in their texts.\n\n" + FORMAT

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Source files (.txt or .md).")

    def handle(self, *args, paths, verbosity, **options):
        quiet = verbosity == 0
        try:
            # Reports and their links are one load: each search document is computed once, at its end (and a
            # large load rebuilds the search index then rather than update it row by row).
            with transaction.atomic(), deferred_search(Report._meta.db_table) as search_index:
                ingesting = None if quiet else Progress(self.stderr, "articles ingested")
                ingest = source_ingest(paths=paths, progress=ingesting, search_index=search_index)
                matcher = matcher_build()
                links = mentions_link_files(
                    [file.report_ids for file in ingest.files],
                    matcher=matcher,
                    progress=None if quiet else Progress(self.stderr, "articles linked"),
                )
                for file, link in zip(ingest.files, links, strict=True):
                    if not quiet:
                        self.stdout.write(
                            f"{file.path}: {file.articles} articles: {file.created} created, {file.updated} updated, "
                            f"{file.unchanged} unchanged; {link.linked} mentions linked "
                            f"({link.added} added, {link.removed} removed)"
                        )
        except SourceError as error:
            raise CommandError(str(error)) from None
        if not quiet:
            self.stdout.write(
                f"Total: {ingest.articles} articles: {ingest.created} created, {ingest.updated} updated, "
                f"{ingest.unchanged} unchanged."
            )
            if search_index.rebuild_seconds is not None:
                self.stdout.write(
                    f"Search index of reports rebuilt after the load ({search_index.rebuild_seconds:.1f} s)."
                )
            if matcher.ambiguous and verbosity > 1:
                self.stdout.write(
                    f"Names not linked because several records share them: {', '.join(matcher.ambiguous)}"
                )
