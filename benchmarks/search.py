"""Search benchmark on PostgreSQL at 100,000 synthetic reports (a script, not a test).

    .venv/bin/python benchmarks/search.py                       # hrkb_bench_100k on the local server
    DATABASE_URL=postgres://root@127.0.0.1:5432/hrkb_search_100k .venv/bin/python benchmarks/search.py
    .venv/bin/python benchmarks/search.py --explain             # also EXPLAIN ANALYZE the costliest query

It reuses the benchmark database of benchmarks/api.py (filled by
``benchmarks/generate_synthetic.py``); an empty database is migrated and filled
with ``--reports`` synthetic reports first. Settings are production's (DEBUG
off, persistent connections). For each query class — a word, a quoted phrase,
OR, an exclusion, very common words (in more than half the reports), a misspelt
person's name — it prints:

- recall@10 of reports against an exhaustive ranking: every readable match
  scored with the engine's own rank function (``hrkb.search.postgres.rank_sql``)
  and sorted, in SQL that no index can order; a hit tied in score with the
  10th counts as found. It must be 1.0 (exact top-k);
- p50/p95/max latency of ``hrkb.search.search_all`` (a page of 20 ranked hits
  with snippets, as an anonymous client) in process, of GET /api/v1/search/
  through Django's test client, and of the ``search`` parameter of
  /api/v1/reports/ (first page of 50);
- the slowest of a set of crafted worst-case queries (16 common words joined by
  OR, a long phrase of common words, common words with exclusions).

Target (issue 9): p95 under 100 ms for every class, under 200 ms for words in
more than half the reports. Each query is held to its own target: 200 ms where
it matches more than half the readable reports (the synthetic vocabulary is
small, so most single words do), else 100 ms; a class's verdict gives the p95 of
each group.
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

TARGET_COMMON_MS = 200

WORDS = ["tribunal", "Pyongyang", "surveillance", "defectors", "Biserko", "Quintana", "sanctions"]
# Words in 14-29 % of the synthetic reports, held to the 100 ms target (the ones above are in most reports).
WORDS += ["Eritrea", "Belarus", "trafficking", "Darusman", "religion"]
PHRASES = ['"prison camp"', '"forced labour"', '"arbitrary detention"', '"special rapporteur"', '"the right to food"']
ORS = ["tribunal OR sanctions", "defectors OR refugees", "Biserko OR Quintana", "surveillance OR censorship"]
EXCLUSIONS = ["sanctions -China", "defectors -camp", "tribunal -Geneva", "surveillance -phones"]
# Three words a match must hold together, ranked exhaustively (RUM's index order is not their rank order).
THREE_WORDS = [
    "famine torture refugees",
    "political prison camp",
    "human rights violations",
    "forced labour camps",
    "arbitrary detention torture",
]
# Words most synthetic reports contain: the "North Korea", and nouns of the generator's small vocabulary.
COMMON = ["North Korea", "violations", "human rights", "famine", "Geneva"]
COMMON_WORDS = "north korea human rights violations famine geneva report camp prison food detention people state law"
CRAFTED = {
    "16 common words joined by OR": " OR ".join(COMMON_WORDS.split()[:16]),
    "16 common words, all required": " ".join(COMMON_WORDS.split()[:16]),
    "a phrase of 8 common words": '"' + " ".join(COMMON_WORDS.split()[:8]) + '"',
    "common word minus common words": "korea -famine -geneva -camp -prison -food -rights",
    "common OR common, paged deep (page 10 of 20)": "korea OR rights",
}


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
    rng = random.Random(5)
    return [misspelt(name, rng) for name in person_names(r"^\w+ \w{5,}$", count, rng)]


def hyphenated_names(count: int) -> list[str]:
    """Correctly spelt names with a hyphen ("Kang Sang-na"): phraseto_tsquery makes each a phrase."""

    return person_names(r"^\w+ \w+-\w+$", count, random.Random(7))


def person_names(pattern: str, count: int, rng: random.Random) -> list[str]:
    """``count`` readable people's names matching ``pattern``, drawn from the first 2,000 by id."""
    from actors.models import Person

    names = list(
        Person.objects.readable().filter(name__regex=pattern).order_by("id").values_list("name", flat=True)[:2000]
    )
    return rng.sample(names, min(count, len(names)))


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def measure(run, queries: list[str], repeat: int) -> tuple[list[float], list[int], dict[str, list[float]]]:
    """Every run's milliseconds and hits, and the milliseconds by query."""
    for query in queries:  # warm caches and connection
        run(query)
    timings, counts, by_query = [], [], {query: [] for query in queries}
    for _ in range(repeat):
        for query in queries:
            start = time.perf_counter()
            found = run(query)
            timings.append((time.perf_counter() - start) * 1000)
            by_query[query].append(timings[-1])
            counts.append(found)
    return timings, counts, by_query


def against_targets(by_query: dict[str, list[float]], target_of: dict[str, int]) -> str:
    """Whether each group of a class's queries sharing a target has its p95 under it, e.g. "yes (100 ms: 2 · …)"."""
    verdicts, met = [], True
    for target in sorted({target_of[query] for query in by_query}):
        timings = [ms for query, runs in by_query.items() if target_of[query] == target for ms in runs]
        _p50, p95, _worst = percentiles(timings)
        met &= p95 < target
        queries = sum(1 for query in by_query if target_of[query] == target)
        verdicts.append(f"{target} ms: {queries} quer{'y' if queries == 1 else 'ies'}, p95 {p95:.0f}")
    return f"{'yes' if met else 'NO'} ({'; '.join(verdicts)})"


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
    from reports.models import Report

    if connection.vendor != "postgresql":
        sys.exit("The search benchmark runs on PostgreSQL (DATABASE_URL=postgres://…).")
    reports = ensure_data(args.reports)
    # Served as production's process serves them (hrkb.wsgi): every view imported, and what start-up made moved
    # out of the garbage collector's reach (gc.freeze), so that its full collections do not walk it each time.
    import hrkb.wsgi  # noqa: F401

    print(f"Database {connection.settings_dict['NAME']}: {reports:,} reports.")
    from hrkb.search import postgres

    print(f"RUM index on reports: {postgres.has_rum('reports_report')}")
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
        "OR": ORS,
        "exclusion": EXCLUSIONS,
        "very common (> half)": COMMON,
        "fuzzy name": fuzzy_queries(20),
        "hyphenated name": hyphenated_names(10),
        "three words": THREE_WORDS,
    }
    print("\n| query class | queries | recall@10, /search/ | recall@10, reports list | matches (median) |")
    print("|---|---|---|---|---|")
    readable = Report.objects.readable().count()
    target_of = {}
    for name, queries in classes.items():
        found = [recall(query) for query in queries]
        # The bars: 100 ms, and 200 ms for words found in more than half the reports.
        target_of.update(
            {
                query: TARGET_COMMON_MS if matches > readable / 2 else TARGET_MS
                for query, (*_r, matches) in zip(queries, found, strict=True)
            }
        )
        print(
            f"| {name} | {len(queries)} | {statistics.mean(r[0] for r in found):.3f} "
            f"| {statistics.mean(r[1] for r in found):.3f} | {statistics.median(r[2] for r in found):,.0f} |",
            flush=True,
        )
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

    def view(query: str, page: int = 1) -> int:
        response = client.get("/api/v1/search/", {"q": query, "page": page})
        assert response.status_code == 200, response.content[:300]
        return len(response.json()["results"])

    def reports_list(query: str) -> int:
        response = client.get("/api/v1/reports/", {"search": query})
        assert response.status_code == 200, response.content[:300]
        return len(response.json()["results"])

    runners = [("search_all (in process)", engine), ("GET /api/v1/search/", view)]
    if list_search:
        runners.append(("GET /api/v1/reports/?search=", reports_list))
    print(
        "\n| path | query class | queries × runs | p50 ms | p95 ms | max ms | hits/page "
        "| p95 under target (queries by their target) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with override_settings(ROOT_URLCONF=urlconf) if urlconf else _nothing():
        for label, run in runners:
            for name, queries in classes.items():
                timings, counts, by_query = measure(run, queries, args.repeat)
                p50, p95, worst = percentiles(timings)
                print(
                    f"| {label} | {name} | {len(queries)} × {args.repeat} | {p50:.1f} | {p95:.1f} | {worst:.1f} "
                    f"| {statistics.mean(counts):.1f} | {against_targets(by_query, target_of)} |",
                    flush=True,
                )
        print("\n| crafted query | path | p50 ms | max ms |")
        print("|---|---|---|---|")
        slowest = (0.0, "")
        for label, query in CRAFTED.items():
            page = 10 if "paged deep" in label else 1
            for path_label, run in [
                ("/search/", lambda q, page=page: view(q, page=page)),
                ("reports list", reports_list),
            ]:
                timings, _counts, _by_query = measure(run, [query], 3)
                p50, _p95, worst = percentiles(timings)
                slowest = max(slowest, (worst, f"{label} ({path_label}): {query!r}"))
                print(f"| {label}: `{query}` | {path_label} | {p50:.1f} | {worst:.1f} |", flush=True)
        print(f"\nSlowest crafted query: {slowest[1]}, {slowest[0]:.0f} ms")
    if args.explain:
        for query in ["North Korea", WORDS[0], '"prison camp"']:
            explain("report", query)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def recall(query: str) -> tuple[float, float, int]:
    """Recall@10 of /search/'s and the reports list's first reports against every match ranked, and the matches."""
    from django.db import connection

    from hrkb.search import postgres, search_all, search_queryset
    from hrkb.search.documents import search_types
    from hrkb.search.query import parse
    from reports.models import Report

    search_type, parsed = search_types()["report"], parse(query)
    ranking = postgres.rank_sql(search_type.table, "t", parsed, fuzzy=False, restricted=False)
    sql, params = postgres._positional(
        f"SELECT t.id, {ranking.score} AS score FROM reports_report t WHERE {ranking.match}", postgres._params(parsed)
    )
    readable, readable_params = search_type.readable_sql("t", restricted=False)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} AND {readable} ORDER BY score DESC, t.id DESC", [*params, *readable_params])
        ranked = cursor.fetchall()
    if not ranked:
        return 1.0, 1.0, 0
    best = {row_id for row_id, _score in ranked[:10]}
    tenth = ranked[min(9, len(ranked) - 1)][1]
    tied = {row_id for row_id, row_score in ranked if abs(row_score - tenth) < 1e-9}
    wanted = min(10, len(ranked))

    def share(ids: list[int]) -> float:
        return sum(1 for row_id in ids[:wanted] if row_id in best or row_id in tied) / wanted

    hits = search_all(query, types=["report"], limit=10)
    slugs = [hit.slug for hit in hits]
    by_slug = dict(Report._base_manager.filter(slug__in=slugs).values_list("slug", "pk"))
    listed = list(search_queryset(Report.objects.readable(), query, restricted=False).values_list("pk", flat=True)[:10])
    return share([by_slug[slug] for slug in slugs]), share(listed), len(ranked)


def explain(search_type_name: str, query: str) -> None:
    """Print the plan of :func:`hrkb.search.postgres.ranked` for ``query``, with its timings."""
    from django.db import connection

    from hrkb.search import postgres
    from hrkb.search.documents import search_types
    from hrkb.search.query import parse

    sql, params = postgres.ranked_sql(search_types()[search_type_name], parse(query), restricted=False, limit=20)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\nPlan of {search_type_name} for {query!r}:\n{plan}")


if __name__ == "__main__":
    main()
