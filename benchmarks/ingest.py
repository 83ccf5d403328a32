"""Benchmark of ``manage.py ingest_sources``: generated articles against many aliases (a script, not a test).

    DATABASE_URL=postgres://root@127.0.0.1:5432/hrkb_me .venv/bin/python benchmarks/ingest.py
    .venv/bin/python benchmarks/ingest.py --articles 10000 --aliases 10000   # a temporary SQLite file

It builds the schema in a throwaway database (a temporary SQLite file, or, when
DATABASE_URL names a PostgreSQL server, a new database ``<name>_bench`` on it
that is dropped afterwards), creates one actor per alias (each with its name
and one alias, so the matcher holds twice as many names), writes the articles
as source files of 100 articles each, and runs what the command runs: ingest,
build the matcher, link every file. It prints articles per second, the
resident memory after every 1,000 articles of each phase (flat means
streaming works), and the peak. ``--tracemalloc`` adds Python's own peak at a
large cost in speed, so rates from such a run are not comparable.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ARTICLES_PER_FILE = 100
# Romanised Korean syllables: names made of them look like the corpus's and never collide with filler words.
SYLLABLES = (
    "an bae bin cho chul dae dong eun gil gwang ha hee ho hwa hyun il jae jin jong ju jung kang ki kwon "
    "kyung man min myung nam ok pil sang seo seok soo sun sung tae won yeon yong young yu"
)


def rss_mib() -> float:
    """Resident memory now (Linux), in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def actor_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` distinct (name, alias) pairs shaped like romanised Korean names."""
    syllables = SYLLABLES.split()
    names: set[tuple[str, ...]] = set()
    while len(names) < count:
        names.add(tuple(rng.sample(syllables, 3)))
    return [(f"{a.title()} {b.title()}-{c}", f"{b.title()}{c} {a.upper()}") for a, b, c in sorted(names)]


def write_sources(directory: Path, articles: int, words: int, names: list[str], rng: random.Random) -> list[Path]:
    vocabulary = ["".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    paths = []
    for first in range(0, articles, ARTICLES_PER_FILE):
        path = directory / f"articles-{first:06d}.md"
        with path.open("w", encoding="utf-8") as out:
            for number in range(first, min(first + ARTICLES_PER_FILE, articles)):
                body = rng.choices(vocabulary, k=words)
                # About one word in a hundred is a known name, some in another case or with punctuation.
                for position in rng.sample(range(words), words // 100):
                    name = rng.choice(names)
                    body[position] = name.upper() if position % 3 == 0 else f"“{name}’s”"
                paragraphs = [" ".join(body[start : start + 80]) + "." for start in range(0, words, 80)]
                out.write(
                    f"---\ntitle: Generated article {number}\ndate: 2020-01-{number % 28 + 1:02d}\n"
                    f"publisher: bench-publisher\nurl: https://example.org/{number}\n---\n"
                    f"Generated article {number}\n\n" + "\n\n".join(paragraphs) + "\n\n"
                )
        paths.append(path)
    return paths


class Sampler:
    """Records resident memory every 1,000 items of a phase."""

    def __init__(self, label: str):
        self.label = label
        self.samples: dict[int, float] = {}
        self.started = time.perf_counter()

    def __call__(self, done: int) -> None:
        if done // 1000 > max(self.samples, default=0) // 1000:
            self.samples[done] = rss_mib()
            rate = done / (time.perf_counter() - self.started)
            traced = ""
            if tracemalloc.is_tracing():
                traced = f", Python heap {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MiB"
            rss = f"RSS {self.samples[done]:.0f} MiB"
            print(f"  {self.label}: {done} articles, {rate:.0f}/s, {rss}{traced}", flush=True)


def throwaway_database(url: str | None) -> tuple[str, callable]:
    """A database URL to use, and a function that removes the database afterwards."""
    if not url or url.startswith("sqlite"):
        handle, path = tempfile.mkstemp(prefix="hrkb-bench-", suffix=".sqlite3")
        os.close(handle)
        return f"sqlite:///{path}", lambda: os.unlink(path)
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'hrkb'}_bench"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def print_server_profile(connection) -> None:
    """What this transaction cost the server: time in each PL function (the triggers) and rows written per table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT funcname, calls, round(total_time::numeric / 1000, 2), round(self_time::numeric / 1000, 2) "
            "FROM pg_stat_xact_user_functions ORDER BY self_time DESC LIMIT 25"
        )
        print("server: function, calls, total s, self s")
        for row in cursor.fetchall():
            print("  ", *row)
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname"
        )
        print("server: table, inserted, updated (HOT), deleted")
        for relname, inserted, updated, hot, deleted in cursor.fetchall():
            print(f"   {relname}: {inserted}, {updated} ({hot}), {deleted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--aliases", type=int, default=10_000, help="Actors to create, each with a name and an alias.")
    parser.add_argument("--words", type=int, default=1_000, help="Words per article.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="Also report Python's peak allocation (slow).")
    parser.add_argument(
        "--without-search",
        action="store_true",
        help="Disable the full-text search triggers on reports, to see what they cost.",
    )
    parser.add_argument(
        "--without-rum",
        action="store_true",
        help="PostgreSQL: drop the reports' RUM index for the run (documents still kept), to see what it costs.",
    )
    parser.add_argument(
        "--keep-index",
        action="store_true",
        help="PostgreSQL: never rebuild the search index after the load (keep it row by row, as a small load does).",
    )
    parser.add_argument("--profile", action="store_true", help="Print where the time goes (cProfile; slow).")
    parser.add_argument("--profile-sort", default="tottime", help="cProfile sort key, e.g. cumtime.")
    parser.add_argument(
        "--server-profile",
        action="store_true",
        help="PostgreSQL: print the time the server spent in each trigger function and the rows each table wrote.",
    )
    options = parser.parse_args()

    url, drop = throwaway_database(os.environ.get("DATABASE_URL"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrkb.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from actors.models import Alias, Organisation, Person
    from hrkb.search import bulk
    from hrkb.search.bulk import deferred_search
    from reports.models import Report
    from sources.models import Mention
    from sources.services import matcher_build, mentions_link_files, source_ingest

    # With DEBUG on, Django keeps every query in memory.
    settings.DEBUG = False
    try:
        call_command("migrate", verbosity=0)
        if options.without_search:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("ALTER TABLE reports_report DISABLE TRIGGER USER")
                else:
                    cursor.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", ["reports_report"]
                    )
                    for (trigger,) in cursor.fetchall():
                        cursor.execute(f'DROP TRIGGER "{trigger}"')
        if options.without_rum and connection.vendor == "postgresql":
            from hrkb.search.schema import rum_index

            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {rum_index('reports_report')}")
        if options.keep_index:
            bulk.REBUILD_SHARE = float("inf")
        rng = random.Random(options.seed)
        pairs = actor_names(options.aliases, rng)
        Organisation.objects.create(slug="bench-publisher", name="Bench Publisher", organisation_kind="ngo")
        people = Person.objects.bulk_create(
            Person(slug=f"person-{number}", name=name, kind="person") for number, (name, _) in enumerate(pairs)
        )
        Alias.objects.bulk_create(
            Alias(actor=person, name=alias) for person, (_, alias) in zip(people, pairs, strict=True)
        )
        with tempfile.TemporaryDirectory(prefix="hrkb-bench-") as directory:
            names = [name for pair in pairs for name in pair]
            paths = write_sources(Path(directory), options.articles, options.words, names, rng)
            size = sum(path.stat().st_size for path in paths) / 2**20
            print(
                f"{connection.vendor}: {options.articles} articles of {options.words} words ({size:.0f} MiB in "
                f"{len(paths)} files), {len(pairs)} actors with {2 * len(pairs)} names; RSS {rss_mib():.0f} MiB"
            )
            if options.tracemalloc:
                tracemalloc.start()
            profile = cProfile.Profile() if options.profile else None
            if profile:
                profile.enable()
            started, cpu_started = time.perf_counter(), time.process_time()
            server_profile = options.server_profile and connection.vendor == "postgresql"
            # As the command does: one transaction, the search index deferred to its end when the load is large.
            with transaction.atomic():
                if server_profile:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL track_functions = 'pl'")
                with deferred_search(Report._meta.db_table) as search_index:
                    ingest = source_ingest(paths=paths, progress=Sampler("ingest"), search_index=search_index)
                    ingested = time.perf_counter()
                    matcher = matcher_build()
                    built = time.perf_counter()
                    mentions_link_files(
                        [file.report_ids for file in ingest.files], matcher=matcher, progress=Sampler("link")
                    )
                    linked_at = time.perf_counter()
                if server_profile:  # the rebuild included; the statistics are the transaction's
                    print_server_profile(connection)
            finished, cpu = time.perf_counter(), time.process_time() - cpu_started
            if profile:
                profile.disable()
                pstats.Stats(profile).sort_stats(options.profile_sort).print_stats(30)
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if options.tracemalloc else None
        total = finished - started
        print(
            f"ingest {ingested - started:.1f} s ({ingest.created} created), matcher {built - ingested:.1f} s "
            f"({matcher.names} names), linking {linked_at - built:.1f} s ({Mention.objects.count()} mentions), "
            + (f"documents filled {search_index.fill_seconds:.1f} s, " if search_index.fill_seconds is not None else "")
            + (
                f"search index rebuilt {search_index.rebuild_seconds:.1f} s"
                if search_index.rebuild_seconds is not None
                else "search index kept row by row"
            )
        )
        print(
            f"total {total:.1f} s: {options.articles / total:.0f} articles/s; this process used {cpu:.1f} s of CPU "
            f"({options.articles / cpu:.0f} articles per CPU second); load average {os.getloadavg()[0]:.1f}"
        )
        print(f"peak RSS {peak_rss_mib():.0f} MiB" + (f", tracemalloc peak {traced:.0f} MiB" if traced else ""))
    finally:
        connection.close()
        drop()


if __name__ == "__main__":
    main()
