"""Search benchmark on PostgreSQL at 100,000 synthetic reports (a script, not a test).

    .venv/bin/python benchmarks/search.py                       # hrkb_bench_100k on the local server
    DATABASE_URL=postgres://root@127.0.0.1:5432/hrkb_bench_10k .venv/bin/python benchmarks/search.py
    .venv/bin/python benchmarks/search.py --explain             # also EXPLAIN ANALYZE the costliest query

It reuses the benchmark database of benchmarks/api.py (filled by
``benchmarks/generate_synthetic.py``); an empty database is migrated and filled
with ``--reports`` synthetic reports first. Settings are production's (DEBUG
off, persistent connections). For four query classes — a word, a quoted
phrase, a misspelt person's name, and very common words ("North Korea" and
words of the generator's small vocabulary that most reports contain) — it
prints p50/p95/max latency of ``hrkb.search.search_all``
(a page of 20 ranked hits with snippets, as an anonymous client) in process,
and of GET /api/v1/search/ through Django's test client, and of the
``search`` parameter of /api/v1/reports/ when that route exists.

Target (issue 5 item 6): p95 under 100 ms for every query class.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://root@127.0.0.1:5432/hrkb_bench_100k"
TARGET_MS = 100

WORDS = ["famine", "tribunal", "Pyongyang", "Geneva", "surveillance", "defectors", "Biserko", "Quintana", "sanctions"]
PHRASES = ['"prison camp"', '"forced labour"', '"arbitrary detention"', '"special rapporteur"', '"the right to food"']
# Words most synthetic reports contain: the "North Korea", and nouns of the generator's small vocabulary.
COMMON = ["North Korea", "violations", "human rights"]


def setup(database_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="hrkb.settings",
        DEBUG="off",
        SECRET_KEY="benchmark-only-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="off",
        # One client sends every request: the anonymous rate limit would answer 429.
        API_THROTTLE_ANON="1000000/minute",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_data(reports: int) -> int:
    from django.core.management import call_command

    from benchmarks import generate_synthetic
    from reports.models import Report

    call_command("migrate", verbosity=0)
    count = Report.objects.count()
    if not count:
        print(f"Empty database: generating {reports:,} synthetic reports (takes a while)…", flush=True)
        generate_synthetic.main(["--reports", str(reports), "--force", "--quiet"])
        count = Report.objects.count()
    return count


def misspelt(name: str, rng: random.Random) -> str:
    """The name with one letter of its longest word doubled, dropped or swapped with its neighbour."""
    words = name.split()
    index = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    edit = rng.choice(["double", "drop", "swap"])
    if edit == "double":
        word = word[:at] + word[at] + word[at:]
    elif edit == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    words[index] = word
    return " ".join(words)


def fuzzy_queries(count: int) -> list[str]:
    from actors.models import Person

    rng = random.Random(5)
    names = list(
        Person.objects.readable()
        .filter(name__regex=r"^\w+ \w{5,}$")
        .order_by("id")
        .values_list("name", flat=True)[:2000]
    )
    return [misspelt(name, rng) for name in rng.sample(names, min(count, len(names)))]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def measure(run, queries: list[str], repeat: int) -> tuple[list[float], list[int]]:
    for query in queries:  # warm caches and connection
        run(query)
    timings, counts = [], []
    for _ in range(repeat):
        for query in queries:
            start = time.perf_counter()
            found = run(query)
            timings.append((time.perf_counter() - start) * 1000)
            counts.append(found)
    return timings, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000, help="Reports to generate into an empty database.")
    parser.add_argument("--repeat", type=int, default=10, help="Runs of every query of a class.")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the common-word candidate query.")
    args = parser.parse_args()
    setup(os.environ.get("DATABASE_URL", DEFAULT_DATABASE))

    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import Resolver404, include, path, resolve

    from hrkb.search import search_all

    if connection.vendor != "postgresql":
        sys.exit("The search benchmark runs on PostgreSQL (DATABASE_URL=postgres://…).")
    reports = ensure_data(args.reports)
    print(f"Database {connection.settings_dict['NAME']}: {reports:,} reports.")
    with connection.cursor() as cursor:
        for query in COMMON:
            cursor.execute(
                "SELECT count(*) FROM reports_report WHERE search_vector @@ websearch_to_tsquery('hrkb_search', %s)",
                [query],
            )
            print(f"  {query!r} is in {cursor.fetchone()[0]:,} reports")

    classes = {
        "word": WORDS,
        "phrase": PHRASES,
        "fuzzy name": fuzzy_queries(20),
        "very common": COMMON,
    }
    print(f"Fuzzy names, e.g.: {', '.join(classes['fuzzy name'][:5])}")

    client = Client()
    try:
        resolve("/api/v1/search/")
        urlconf = None
    except Resolver404:
        # Not mounted yet: measure the same view on a route of its own.
        urlconf = ModuleType("search_benchmark_urls")
        urlconf.urlpatterns = [path("api/v1/", include("hrkb.search.urls"))]
    try:
        resolve("/api/v1/reports/")
        list_search = True
    except Resolver404:
        list_search = False

    def engine(query: str) -> int:
        return len(search_all(query, limit=20))

    def view(query: str) -> int:
        response = client.get("/api/v1/search/", {"q": query})
        assert response.status_code == 200, response.content[:300]
        return len(response.json()["results"])

    def reports_list(query: str) -> int:
        response = client.get("/api/v1/reports/", {"search": query})
        assert response.status_code == 200, response.content[:300]
        return len(response.json()["results"])

    runners = [("search_all (in process)", engine), ("GET /api/v1/search/", view)]
    if list_search:
        runners.append(("GET /api/v1/reports/?search=", reports_list))
    print(f"\n| path | query class | queries × runs | p50 ms | p95 ms | max ms | hits/page | p95 < {TARGET_MS} ms |")
    print("|---|---|---|---|---|---|---|---|")
    with override_settings(ROOT_URLCONF=urlconf) if urlconf else _nothing():
        for label, run in runners:
            for name, queries in classes.items():
                timings, counts = measure(run, queries, args.repeat)
                p50, p95, worst = percentiles(timings)
                print(
                    f"| {label} | {name} | {len(queries)} × {args.repeat} | {p50:.1f} | {p95:.1f} | {worst:.1f} "
                    f"| {statistics.mean(counts):.1f} | {'yes' if p95 < TARGET_MS else 'NO'} |",
                    flush=True,
                )
    if args.explain:
        for query in ["North Korea", WORDS[0], classes["fuzzy name"][0]]:
            explain("report", query)
        explain("person", classes["fuzzy name"][0])


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def explain(search_type_name: str, query: str) -> None:
    """Print the plans :func:`hrkb.search.postgres.ranked` would run for ``query``, with their timings."""
    from django.db import connection, transaction

    from hrkb.search import postgres
    from hrkb.search.documents import search_types
    from hrkb.search.query import parse

    search_type, parsed = search_types()[search_type_name], parse(query)
    with connection.cursor() as cursor:
        estimate = postgres._estimated_matches(search_type.table, parsed, cursor)
        walk_first = postgres._walk_first(search_type.table, parsed, cursor)
    for walk in (False, True):
        sql, params = postgres.ranked_sql(search_type, parsed, restricted=False, limit=20, walk=walk)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(postgres.PLAN_WITH_WALK if walk else postgres.PLAN_WITH_BITMAPS)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        chosen = walk_first == walk
        print(
            f"\n{'walk' if walk else 'bitmap'} plan of {search_type_name} for {query!r} "
            f"(estimated {estimate:,.0f} rows with every word; {'chosen first' if chosen else 'not chosen first'}):"
            f"\n{plan}"
        )


if __name__ == "__main__":
    main()
