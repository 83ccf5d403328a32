"""Facets of /api/v1/search/ at 100,000 synthetic reports, on PostgreSQL (a script, not a test).

    .venv/bin/python benchmarks/facets.py --repeat 10           # hrkb_bench_100k on the local server
    .venv/bin/python benchmarks/facets.py --explain             # also EXPLAIN ANALYZE the facets of the commonest word

It only reads: the database must already hold the synthetic data (see
``benchmarks/search.py`` and ``generate_synthetic.py``); it never migrates.
For a word in most reports, a phrase, a word in a few hundred and a rare name
it prints how many reports match, then p50/p95/max of GET /api/v1/search/ (an
anonymous client, through Django's test client) without facets, with all five
(``facets=type,kind,year,country,topic``), with all five and a filter
(``year=``), and of the facets alone (``hrkb.search.facets.facet_counts``, in
process), each query run ``--repeat`` times after one warm-up run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.search import DEFAULT_DATABASE, percentiles, setup  # noqa: E402

ALL = "type,kind,year,country,topic"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    setup(args.database)

    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from actors.models import Person
    from hrkb.search.facets import FACETS, _facet_sql, _matches, facet_counts
    from hrkb.search.query import parse
    from reports.models import Report

    reports = Report.objects.count()
    if reports < 1000:
        sys.exit(f"{args.database} holds {reports} reports: generate the synthetic data first (this only reads).")
    # A person's name few reports hold: the rarest of the first hundred readable people with a two-word name.
    names = list(Person.objects.readable().filter(name__regex=r"^\w+ \w{5,}$").order_by("id")[:100])

    def reports_matching(q: str) -> int:
        buckets = facet_counts(parse(q), ["type"], restricted=False)["type"]
        return next((bucket.count for bucket in buckets if bucket.value == "report"), 0)

    found = {f'"{person.name}"': reports_matching(f'"{person.name}"') for person in names}
    rare = min((q for q, count in found.items() if count), key=found.get)
    queries = {"famine (a word in most reports)": "famine", "a phrase": '"north korea"', "a rare name": rare}
    client = Client()
    print(f"{reports:,} reports; PostgreSQL {connection.pg_version}; {args.repeat} runs of each query\n")
    print("| query | reports matching | all matches | path | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|")

    def timed(run) -> list[float]:
        run()
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    def get(params):
        def run():
            response = client.get("/api/v1/search/", params)
            assert response.status_code == 200, response.content[:300]

        return run

    with override_settings(DEBUG=False):
        for label, q in queries.items():
            counts = facet_counts(parse(q), ["type"], restricted=False)["type"]
            by_type = {bucket.value: bucket.count for bucket in counts}
            year = facet_counts(parse(q), ["year"], restricted=False)["year"]
            busiest = max(year, key=lambda bucket: bucket.count).value if year else "2014"
            paths = [
                ("GET /search/", get({"q": q})),
                ("GET /search/&facets=all five", get({"q": q, "facets": ALL})),
                (f"GET /search/&facets=all five&year={busiest}", get({"q": q, "facets": ALL, "year": busiest})),
                ("facet_counts, all five (in process)", lambda q=q: facet_counts(parse(q), FACETS, restricted=False)),
                ("facet_counts, type only", lambda q=q: facet_counts(parse(q), ["type"], restricted=False)),
            ]
            for path, run in paths:
                p50, p95, worst = percentiles(timed(run))
                print(
                    f"| {label}: `{q}` | {by_type.get('report', 0):,} | {sum(by_type.values()):,} | {path} "
                    f"| {p50:.0f} | {p95:.0f} | {worst:.0f} |",
                    flush=True,
                )
    if args.explain:
        parsed = parse("famine")
        from hrkb.search.documents import search_types

        wanted = list(search_types().values())
        sql, params, used = _facet_sql("kind", wanted, {}, False)
        ctes, cte_params = [], []
        for search_type in used:
            cte, values = _matches(search_type, parsed, False)
            ctes.append(cte)
            cte_params += values
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) WITH {', '.join(ctes)} {sql}", [*cte_params, *params])
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
