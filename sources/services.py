"""Writes that touch many records at once: ingesting source texts as reports, and linking mentions in them.

:func:`source_ingest` creates or updates a report for every article of the
source files (see :mod:`sources.reader` for their format); :func:`mentions_link`
records a mention wherever a stored text names a known actor, report or event
(see :mod:`sources.linking` for the matching). ``manage.py ingest_sources``
runs both.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils.text import slugify

from actors.models import Actor, Alias, Organisation, Person
from events.models import Event
from hrkb import changelog
from hrkb.anchoring import TextChange, find_near
from hrkb.bulk import copy_rows, create_copied
from hrkb.history import history_bulk_record, reason_text
from hrkb.models import SlugRedirect
from hrkb.search.bulk import DeferredSearch
from reports.choices import ReportKind
from reports.models import Authorship, Report

from .choices import MentionOrigin
from .linking import MIN_PREFIX_WORDS, Matcher, Name, Target
from .models import Mention, citation_models
from .reader import SourceArticle, SourceError, Value, read_articles

BATCH_SIZE = 500
# The check pass's articles are kept for the writing when their texts add up to at most this many characters;
# a larger load is read again file by file, so memory stays bounded (2,000 articles of 1,000 words: 13 million
# characters, read, prepared and built again in 0.12 s).
KEEP_CHECKED = 64_000_000

# What a new report gets when its header leaves the key out. An existing report
# keeps its stored value instead, so curators' edits to fields a header omits survive.
_CREATE_DEFAULTS = {"kind": ReportKind.ARTICLE, "language": "en"}
_HEADER_FIELDS = {"kind": "kind", "url": "url", "language": "language", "summary": "summary"}

# (position, person id, organisation id, byline), in position order.
AuthorshipRow = tuple[int, int | None, int | None, str]


@dataclass
class FileResult:
    """What ingesting one source file did."""

    path: Path
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    report_ids: list[int] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class IngestResult:
    """What :func:`source_ingest` did, file by file."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(file.created for file in self.files)

    @property
    def updated(self) -> int:
        return sum(file.updated for file in self.files)

    @property
    def unchanged(self) -> int:
        return sum(file.unchanged for file in self.files)

    @property
    def articles(self) -> int:
        return sum(file.articles for file in self.files)


class UnanchoredError(SourceError):
    """Changed texts that some citations or curated mentions quote no longer: the run is refused, naming each."""

    def __init__(self, problems: list[SourceError]):
        first = problems[0]
        super().__init__(first.path, first.line, first.message)
        self.problems = problems
        self.args = (
            "\n".join(str(problem) for problem in problems)
            + "\nNothing was stored. Delete those citations or mentions (or put their words back in the file), "
            "then ingest again; cite the new text in the source viewer afterwards.",
        )

    def __str__(self):
        return self.args[0]


@dataclass(slots=True)
class _Prepared:
    """An article turned into report field values and resolved actor ids."""

    article: SourceArticle
    fields: dict[str, object]
    publisher_ids: list[int]
    # None when the header names no author or byline: the stored authorships are then left alone.
    authorships: list[AuthorshipRow] | None
    #: The new report the check built from ``fields`` and validated, to insert if no report has the slug.
    report: Report | None = None

    @property
    def slug(self) -> str:
        return self.fields["slug"]


class _ActorResolver:
    """Finds the one actor of a kind that a header value names by slug, name or alias (case-insensitively)."""

    def __init__(self, model: type[Actor], role: str):
        self.model = model
        self.role = role
        self._cache: dict[str, int | str] = {}

    def __call__(self, article: SourceArticle, value: Value) -> int:
        found = self._cache.get(value.text)
        if found is None:
            found = self._cache[value.text] = self._lookup(value.text)
        if isinstance(found, str):
            raise article.error(found, value)
        return found

    def _lookup(self, text: str) -> int | str:
        noun = self.model._meta.verbose_name
        by_slug = self.model.objects.filter(slug=text).values_list("pk", flat=True).first()
        if by_slug is not None:
            return by_slug
        matches = list(
            self.model.objects.filter(models.Q(name__iexact=text) | models.Q(aliases__name__iexact=text))
            .values_list("slug", flat=True)
            .distinct()
            .order_by("slug")
        )
        if not matches:
            return f"unknown {self.role} {text!r}: no {noun} has this slug, name or alias"
        if len(matches) > 1:
            return f"ambiguous {self.role} {text!r}: it names {', '.join(matches)}; give the slug instead"
        return self.model.objects.get(slug=matches[0]).pk


class _Preparer:
    """Turns articles into report values, checking everything that can be checked before writing."""

    def __init__(self):
        self.publishers = _ActorResolver(Organisation, "publisher")
        self.authors = _ActorResolver(Person, "author")

    def __call__(self, article: SourceArticle) -> _Prepared:
        source = article.slug or article.title
        slug = article.slug.text if article.slug else slugify(article.title.text)[:200].strip("-")
        if not slug:
            raise article.error("cannot make a slug from the title; add a 'slug:' line", source)
        fields = {"slug": slug, "title": article.title.text, "text": article.text}
        if article.published:
            fields["published"] = article.published
        for key, name in _HEADER_FIELDS.items():
            value = getattr(article, key)
            if value is not None:
                fields[name] = value.text
        publisher_ids = [self.publishers(article, value) for value in article.publishers]
        authorships = None
        if article.authors or article.byline:
            authorships = [
                (position, self.authors(article, value), None, "") for position, value in enumerate(article.authors, 1)
            ]
            if article.byline:
                authorships.append((len(authorships) + 1, None, publisher_ids[0], article.byline.text))
        return _Prepared(article, fields, publisher_ids, authorships)

    def check(self, prepared: _Prepared) -> None:
        """Validate the values as a form would, pointing at the header line of the first bad one."""
        article = prepared.article
        report = prepared.report = Report(**{**_CREATE_DEFAULTS, **prepared.fields})
        lines = {"slug": article.slug or article.title, "published": article.date, "title": article.title}
        lines |= {name: getattr(article, key) for key, name in _HEADER_FIELDS.items()}
        try:
            report.clean_fields()
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise article.error(f"{name}: {' '.join(messages)}", lines.get(name)) from None


def source_ingest(
    *,
    paths: Iterable[Path | str],
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    search_index: DeferredSearch | None = None,
) -> IngestResult:
    """Create or update a report for every article in the source files, by slug.

    All files are read and checked first, so a bad file stops the run before
    anything is written; writing then goes through the articles in batches,
    kept from the check (up to :data:`KEEP_CHECKED` characters of text) or
    read from the files again, so memory does not grow with the number of
    articles. An article that matches its stored report exactly is not saved
    again. The whole run is one transaction: a
    :class:`~sources.reader.SourceError` leaves the database as it was.
    ``progress`` is called with the number of articles written so far after
    each batch. ``search_index`` (from
    :func:`hrkb.search.bulk.deferred_search` around the ingest and its linking)
    is told how many new reports the files hold before anything is written, so
    that a large load may rebuild the search index rather than update it.
    """
    paths = [Path(path) for path in paths]
    preparer = _Preparer()
    with transaction.atomic():
        seen: dict[str, str] = {}
        kept: list[list[_Prepared]] | None = []
        characters = 0
        for path in paths:
            if kept is not None:
                kept.append([])
            for article in read_articles(path):
                prepared = preparer(article)
                preparer.check(prepared)
                if prepared.slug in seen:
                    raise article.error(f"slug {prepared.slug!r} is already used at {seen[prepared.slug]}")
                seen[prepared.slug] = f"{article.path}:{article.line}"
                characters += len(article.text)
                if kept is not None and characters <= KEEP_CHECKED:
                    kept[-1].append(prepared)
                else:
                    kept = None
        if search_index is not None:
            search_index.expect(_count_new(list(seen)))
        del seen
        result = IngestResult()
        written = 0
        unanchored: list[SourceError] = []
        for index, path in enumerate(paths):
            file_result = FileResult(path)
            result.files.append(file_result)
            items = kept[index] if kept is not None else map(preparer, read_articles(path))
            for batch in _batched(items, batch_size):
                _write_batch(batch, file_result, unanchored)
                written += len(batch)
                if progress:
                    progress(written)
        if unanchored:
            raise UnanchoredError(unanchored)
    return result


def _count_new(slugs: list[str]) -> int:
    """How many of ``slugs`` no report has (a renamed report's old slug counts as new: this is an estimate)."""
    stored = 0
    for start in range(0, len(slugs), 10_000):
        stored += Report.objects.filter(slug__in=slugs[start : start + 10_000]).count()
    return len(slugs) - stored


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _stored_reports(slugs: list[str]) -> dict[str, Report]:
    """The stored report for each slug, following the redirects curators' renames left behind."""
    stored = {report.slug: report for report in Report.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in stored]
    if missing:
        content_type = ContentType.objects.get_for_model(Report)
        renamed = dict(
            SlugRedirect.objects.filter(content_type=content_type, old_slug__in=missing).values_list(
                "old_slug", "new_slug"
            )
        )
        current = {report.slug: report for report in Report.objects.filter(slug__in=renamed.values())}
        stored |= {old: current[new] for old, new in renamed.items() if new in current}
    return stored


def _write_batch(batch: list[_Prepared], result: FileResult, unanchored: list[SourceError]) -> None:
    stored = _stored_reports([item.slug for item in batch])
    stored_ids = [report.pk for report in stored.values()]
    stored_publishers: dict[int, set[int]] = defaultdict(set)
    through = Report.publishers.through
    for report_id, organisation_id in through.objects.filter(report_id__in=stored_ids).values_list(
        "report_id", "organisation_id"
    ):
        stored_publishers[report_id].add(organisation_id)
    stored_authorships: dict[int, list[AuthorshipRow]] = defaultdict(list)
    for report_id, *row in (
        Authorship.objects.filter(report_id__in=stored_ids)
        .order_by("report_id", "position")
        .values_list("report_id", "position", "person_id", "organisation_id", "byline")
    ):
        stored_authorships[report_id].append(tuple(row))

    new: list[tuple[Report, _Prepared]] = []
    for item in batch:
        report = stored.get(item.slug)
        if report is None:
            new.append((item.report or Report(**{**_CREATE_DEFAULTS, **item.fields}), item))
            continue
        # A curator's rename stands: the source's slug now only finds the report.
        item.fields["slug"] = report.slug
        changed_fields = [name for name, value in item.fields.items() if getattr(report, name) != value]
        publishers_changed = set(item.publisher_ids) != stored_publishers[report.pk]
        authorships_changed = item.authorships is not None and item.authorships != stored_authorships[report.pk]
        if changed_fields or publishers_changed or authorships_changed:
            old_text = report.text
            for name in changed_fields:
                setattr(report, name, item.fields[name])
            report.save()
            if "text" in changed_fields:
                unanchored += anchors_carry(report=report, old_text=old_text, article=item.article)
            if publishers_changed:
                report.publishers.set(item.publisher_ids)
            if authorships_changed:
                report.authorships.all().delete()
                _create_authorships([(report, item)], result.path)
            result.updated += 1
        else:
            result.unchanged += 1
        result.report_ids.append(report.pk)

    if new:
        create_copied(Report, [report for report, _ in new])
        changelog.created_by_load(Report, [report.pk for report, _ in new])
        copy_rows(
            connection,
            through._meta.db_table,
            [through._meta.get_field("report").column, through._meta.get_field("organisation").column],
            (
                (report.pk, organisation_id)
                for report, item in new
                for organisation_id in dict.fromkeys(item.publisher_ids)
            ),
        )
        _create_authorships(new, result.path)
        # Each new report's first history entry, its publishers included, copied from the rows just written.
        history_bulk_record(Report, [report.pk for report, _ in new], reason=_ingested_from(result.path))
        result.created += len(new)
        result.report_ids.extend(report.pk for report, _ in new)


def anchors_carry(*, report: Report, old_text: str, article: SourceArticle) -> list[SourceError]:
    """Carry every citation of ``report``'s text and every curated mention in it over to its new text.

    Each passage is followed through the edit, or else found where it still
    occurs nearest its old spot (see :mod:`hrkb.anchoring`); moved citations
    are saved (so history records the move, and :meth:`Citation.locate`
    checks the words once more). What cannot be found is returned, one problem
    per citation or mention, located at the line of the file nearest its old
    spot, and left as it was: the caller refuses the run, so no offsets ever
    point at other text. Linked mentions are deleted rather than carried: linking (which
    ``ingest_sources`` runs next) finds them again in the new text.
    """
    change = TextChange(old_text, report.text)
    problems: list[SourceError] = []

    def lost(row, kind: str, words: str, start: int | None) -> None:
        where = f" (characters {start}–{start + len(words)} of the old text)" if start is not None else ""
        url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
        problems.append(
            SourceError(
                article.path,
                article.line_at(change.mapped(start or 0)),
                f"{kind} {row.pk} quotes \u201c{words}\u201d{where}, which the new text of {report.slug!r} "
                f"no longer contains ({url})",
            )
        )

    for model in citation_models():
        label = f"citation of {model._meta.get_field('subject').related_model._meta.verbose_name}"
        for citation in model.objects.filter(source=report).select_related("subject").order_by("pk"):
            if citation.start is None:  # the text was not stored before: the passage must be in it now
                span = find_near(report.text, citation.passage, near=0)
            else:
                span = change.reanchor(citation.start, citation.end, citation.passage)
            if span is None:
                lost(citation, f"the {label} \u201c{citation.subject}\u201d:", citation.passage, citation.start)
            elif (span.start, span.end) != (citation.start, citation.end):
                citation.start, citation.end = span.start, span.end
                citation._change_reason = reason_text(f"Re-anchored after {article.path.name} changed the text")
                citation.save()
    # Linked mentions of the old text point at other words now: they go, and linking finds them again.
    Mention.objects.filter(report=report, origin=MentionOrigin.LINKED).delete()
    moved = []
    for mention in Mention.objects.filter(report=report, origin=MentionOrigin.CURATED).order_by("pk"):
        span = change.reanchor(mention.start, mention.end, mention.text)
        if span is None:
            lost(mention, "the curated mention", mention.text, mention.start)
        elif (span.start, span.end) != (mention.start, mention.end):
            mention.start, mention.end = span.start, span.end
            moved.append(mention)
    Mention.objects.bulk_update(moved, ["start", "end"])  # mentions keep no history
    return problems


def _ingested_from(path: Path) -> str:
    return f"Ingested from {path.name}"


def _create_authorships(items: list[tuple[Report, _Prepared]], path: Path) -> None:
    authorships = [
        Authorship(report=report, position=position, person_id=person, organisation_id=organisation, byline=byline)
        for report, item in items
        for position, person, organisation, byline in item.authorships or ()
    ]
    if authorships:
        create_copied(Authorship, authorships)
        history_bulk_record(Authorship, [authorship.pk for authorship in authorships], reason=_ingested_from(path))


# --- Linking mentions ---------------------------------------------------------------------------

# A long report title can match a span longer than a mention's text column holds.
_MAX_TEXT = Mention._meta.get_field("text").max_length


@dataclass
class LinkResult:
    """What :func:`mentions_link` did: linked mentions added, removed and left as they were."""

    reports: int = 0
    added: int = 0
    removed: int = 0
    kept: int = 0
    ambiguous: list[str] = field(default_factory=list)

    @property
    def linked(self) -> int:
        """Linked mentions the reports now carry."""
        return self.added + self.kept

    def add(self, other: LinkResult) -> None:
        """Count what ``other`` did too."""
        self.reports += other.reports
        self.added += other.added
        self.removed += other.removed
        self.kept += other.kept


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def known_names() -> Iterator[Name]:
    """Every name linking looks for: actors' names and aliases, report and event titles and their aliases."""
    for pk, name in Actor.objects.values_list("pk", "name").iterator():
        yield Name(name, Target("actor", pk))
    for pk, name in Alias.objects.values_list("actor_id", "name").iterator():
        yield Name(name, Target("actor", pk))
    for pk, title, aliases in Report.objects.values_list("pk", "title", "aliases").iterator():
        target = Target("report", pk)
        yield Name(title, target)
        prefix, colon, _ = title.partition(":")
        if colon and len(prefix.split()) >= MIN_PREFIX_WORDS:
            yield Name(prefix, target, derived=True)
        for alias in _lines(aliases):
            yield Name(alias, target)
    for pk, title, aliases in Event.objects.values_list("pk", "title", "aliases").iterator():
        target = Target("event", pk)
        for name in (title, *_lines(aliases)):
            yield Name(name, target)


def matcher_build() -> Matcher:
    """A matcher for every name in the database; build it once per run."""
    return Matcher.build(known_names())


def mentions_link(
    *,
    reports: models.QuerySet[Report] | Iterable[int] | None = None,
    matcher: Matcher | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> LinkResult:
    """Record a linked mention wherever a report's text names a known actor, report or event.

    ``reports`` is a queryset or an iterable of report ids (default: every
    report). Each report's linked mentions become exactly what the matcher
    finds now: new spans are added, stale ones removed, the rest left alone,
    so linking twice writes nothing. Curated mentions are never touched, and a
    found span that overlaps one is not linked (the curator's reading wins).
    A report's own titles are not linked in its own text. ``progress`` is
    called with the number of reports done after each batch.
    """
    if reports is None:
        reports = Report.objects.all()
    if isinstance(reports, models.QuerySet):
        reports = reports.order_by("pk").values_list("pk", flat=True).iterator()
    [result] = mentions_link_files([reports], matcher=matcher, progress=progress, batch_size=batch_size)
    return result


def mentions_link_files(
    files: list[Iterable[int]],
    *,
    matcher: Matcher | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[LinkResult]:
    """:func:`mentions_link` for each file's reports (their ids), one result per file, in one run: a batch's
    names are found while the batch before is written, across files (see :func:`_link_batches`)."""
    matcher = matcher or matcher_build()
    results = [LinkResult(ambiguous=matcher.ambiguous) for _file in files]
    batches = ((index, batch) for index, ids in enumerate(files) for batch in _batched(ids, batch_size))
    reports = 0
    with transaction.atomic():
        for index, done in _link_batches(batches, matcher):
            results[index].add(done)
            reports += done.reports
            if progress:
                progress(reports)
    return results


def _link_batches(batches: Iterable[tuple[int, list[int]]], matcher: Matcher) -> Iterator[tuple[int, LinkResult]]:
    """Link each (file, report ids) batch, yielding its file's index and what it did, in the caller's transaction.

    A batch's names are found in its texts (Python's work, on a thread) while the batch before it is
    written (the database's, its triggers included): one after the other, 2,000 articles took 1.0 s.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hrkb-link") as finder:
        found = None  # (file's index, what its batch names), waiting to be written
        for index, batch in batches:
            finding = finder.submit(_find_in_batch, _read_batch(batch), matcher)
            if found is not None:
                yield found[0], _write_found(found[1])
            found = index, finding.result()
        if found is not None:
            yield found[0], _write_found(found[1])


def _read_batch(report_ids) -> tuple[dict, dict, list]:
    """A batch's stored mentions (linked ones by what they link, curated ones' spans) and texts."""
    linked: dict[int, dict[tuple, int]] = {pk: {} for pk in report_ids}
    curated: dict[int, list[tuple[int, int]]] = {pk: [] for pk in report_ids}
    for pk, report_id, start, end, text, actor, mentioned_report, event, origin in Mention.objects.filter(
        report_id__in=report_ids
    ).values_list("pk", "report_id", "start", "end", "text", "actor_id", "mentioned_report_id", "event_id", "origin"):
        if origin == MentionOrigin.LINKED:
            linked[report_id][(start, end, text, actor, mentioned_report, event)] = pk
        else:
            curated[report_id].append((start, end))
    return linked, curated, list(Report.objects.filter(pk__in=report_ids).values_list("pk", "text"))


@dataclass
class _Found:
    """What a batch's texts name: mentions not stored yet (rows to insert), stored ones they no longer name
    (keys to delete), and how many stored ones they name still."""

    new: list[tuple] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    kept: int = 0
    reports: int = 0


def _find_in_batch(read: tuple[dict, dict, list], matcher: Matcher) -> _Found:
    """No database work and no shared state: it runs beside the writing of the batch before."""
    linked, curated, texts = read
    found = _Found()
    for report_id, text in texts:
        stored = linked[report_id]
        spans = curated[report_id]
        for match in matcher.find(text, exclude=Target("report", report_id)):
            if len(match.text) > _MAX_TEXT or any(match.start < end and start < match.end for start, end in spans):
                continue
            kind, target = match.target
            key = (
                match.start,
                match.end,
                match.text,
                target if kind == "actor" else None,
                target if kind == "report" else None,
                target if kind == "event" else None,
            )
            if stored.pop(key, None) is not None:
                found.kept += 1
                continue
            found.new.append((report_id, *key, MentionOrigin.LINKED.value))
        found.stale.extend(stored.values())
        found.reports += 1
    return found


def _write_found(found: _Found) -> LinkResult:
    if found.stale:
        Mention.objects.filter(pk__in=found.stale).delete()
    if found.new:
        _insert_mentions(found.new)
    return LinkResult(reports=found.reports, added=len(found.new), removed=len(found.stale), kept=found.kept)


_INSERT_COLUMNS = ("report_id", "start", "end", "text", "actor_id", "mentioned_report_id", "event_id", "origin")


def _insert_mentions(rows: list[tuple]) -> None:
    """Insert mention rows (values in ``_INSERT_COLUMNS`` order) in one round of writes.

    Linking writes tens of mentions per report; building a model instance for
    each and letting bulk_create prepare every field costs more than scanning
    the text, so the rows go to the database as plain tuples (through COPY on
    PostgreSQL, :func:`hrkb.bulk.copy_rows`). Nothing is lost: Mention has no
    save() logic, no history and no signals, and the database enforces its
    constraints.
    """
    copy_rows(connection, Mention._meta.db_table, _INSERT_COLUMNS, rows)
