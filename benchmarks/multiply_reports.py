"""A benchmark database ten times larger, made in SQL from a generated one (a script, not a test).

    .venv/bin/python benchmarks/multiply_reports.py                 # hrkb_bench_100k -> hrkb_bench_1m
    .venv/bin/python benchmarks/multiply_reports.py --source hrkb_bench_10k --target hrkb_bench_100kx --copies 9

``benchmarks/generate_synthetic.py`` writes through the application (about 28 minutes for 100,000
reports here): a million would take hours. This copies the source database (``CREATE DATABASE ...
TEMPLATE``) and adds ``--copies`` new reports for each synthetic one, each made of three others' parts —
the head (title, subtitle, aliases) of one, the summary and the names it mentions of a second, the body
of a third — so that no two documents are the same and word frequencies stay the generator's. Their
search vectors are composed from the parts' vectors by weight (``ts_filter``), in the order the document
trigger writes them (A, B, D, C). What this leaves out: the copies have no mentions, authorships, topics
or citations (search ranks reports by their own vectors, so search is what this database is for); the
change log and history triggers do not run (``session_replication_role = replica``). The reports' RUM and
trigram indexes are dropped before and built after, as a bulk load should. About 6 minutes and 13 GB for
1,000,000 reports on this machine.
"""

from __future__ import annotations

import argparse
import time

import psycopg
from psycopg import sql

SERVER = "postgresql://root@127.0.0.1:5432/"
INDEXES = {
    "reports_report_search_rum_idx": "USING rum (search_vector)",
    "reports_report_title_trgm": "USING gin (upper((title)::text) gin_trgm_ops)",
    "reports_report_subtitle_trgm": "USING gin (upper((subtitle)::text) gin_trgm_ops)",
    "reports_report_aliases_trgm": "USING gin (upper(aliases) gin_trgm_ops)",
    "reports_report_slug_trgm": "USING gin (upper((slug)::text) gin_trgm_ops)",
    "reports_report_un_symbol_trgm": "USING gin (upper((un_symbol)::text) gin_trgm_ops)",
}
COPY = """
    INSERT INTO reports_report (slug, status, restricted, created, modified, title, subtitle, aliases, kind,
      published, language, summary, url, un_symbol, text, published_precision, search_vector, own_summary,
      unsourced_reason)
    SELECT a.slug || '-x' || %(copy)s, a.status, a.restricted, a.created, a.modified, a.title, a.subtitle,
      a.aliases, a.kind, a.published, a.language, b.summary, a.url, '', t.text, a.published_precision,
      ts_filter(a.search_vector, '{a}') || ts_filter(b.search_vector, '{b}') || ts_filter(t.search_vector, '{d}')
        || ts_filter(b.search_vector, '{c}'),
      a.own_summary, a.unsourced_reason
    FROM multiply_source sa
    JOIN reports_report a ON a.id = sa.id
    JOIN multiply_source sb ON sb.rn = (sa.rn + 7919 * %(copy)s) %% %(count)s
    JOIN reports_report b ON b.id = sb.id
    JOIN multiply_source st ON st.rn = (sa.rn + 104729 * %(copy)s + 13) %% %(count)s
    JOIN reports_report t ON t.id = st.id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="hrkb_bench_100k", help="A database filled by generate_synthetic.py.")
    parser.add_argument("--target", default="hrkb_bench_1m", help="Dropped and made again.")
    parser.add_argument("--copies", type=int, default=9, help="New reports for each synthetic one.")
    args = parser.parse_args()
    started = time.monotonic()
    with psycopg.connect(SERVER + "postgres", autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.target)))
        server.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(args.target), sql.Identifier(args.source))
        )
    with psycopg.connect(SERVER + args.target, autocommit=True) as database:
        database.execute("SET session_replication_role = replica")
        database.execute("SET maintenance_work_mem = '2GB'")
        database.execute("SET synchronous_commit = off")
        for name in INDEXES:
            database.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))
        database.execute(
            "CREATE TEMPORARY TABLE multiply_source AS SELECT id, (row_number() OVER (ORDER BY id)) - 1 AS rn"
            " FROM reports_report WHERE slug LIKE 'syn-%'"
        )
        database.execute("CREATE UNIQUE INDEX ON multiply_source (rn)")
        database.execute("ANALYZE multiply_source")
        count = database.execute("SELECT count(*) FROM multiply_source").fetchone()[0]
        for copy in range(1, args.copies + 1):
            with database.transaction():
                database.execute(COPY, {"copy": copy, "count": count})
            print(f"copy {copy} of {args.copies}: {count:,} reports, {time.monotonic() - started:.0f} s", flush=True)
        for name, definition in INDEXES.items():
            database.execute(
                sql.SQL("CREATE INDEX {} ON reports_report ").format(sql.Identifier(name)) + sql.SQL(definition)
            )
        database.execute("VACUUM ANALYZE reports_report")
        total = database.execute("SELECT count(*) FROM reports_report").fetchone()[0]
        size = database.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"{args.target}: {total:,} reports, {size}, {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
