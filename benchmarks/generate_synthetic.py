"""Fill a database with a synthetic knowledge base of any size, for benchmarks (a script, not a command).

    .venv/bin/python benchmarks/generate_synthetic.py --reports 10000
    DATABASE_URL=postgres://root@127.0.0.1:5432/hrkb_bench .venv/bin/python benchmarks/generate_synthetic.py \\
        --reports 100000 --force

Slugs start with ``syn-``; the same ``--seed`` writes the same rows (see
``benchmarks/synthetic.py``). It refuses to run twice on one database, and with
DEBUG off unless ``--force``: synthetic rows in a production database would be
published to partners.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, required=True, help="Number of reports.")
    parser.add_argument("--people", type=int, help="Number of people (default: reports / 5, at least 20).")
    parser.add_argument(
        "--organisations", type=int, help="Number of organisations (default: reports / 50, at least 10)."
    )
    parser.add_argument("--events", type=int, help="Number of events (default: reports / 10, at least 10).")
    parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed writes the same rows.")
    parser.add_argument("--draft-ratio", type=float, default=0.02, help="Share of records left as drafts.")
    parser.add_argument("--restricted-ratio", type=float, default=0.02, help="Share of records restricted.")
    parser.add_argument("--batch-size", type=int, default=1000, help="Rows per INSERT and reports per batch.")
    parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (a benchmark database).")
    parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")
    return parser


def main(argv: list[str] | None = None) -> dict:
    """Parse ``argv``, generate, and return the counts; exits with a message on bad options or DEBUG off."""
    arguments = parser().parse_args(argv)
    if "django" not in sys.modules or not _configured():
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrkb.settings")
        import django

        django.setup()
    from django.conf import settings

    from benchmarks.synthetic import SyntheticOptions, synthetic_generate

    if not settings.DEBUG and not arguments.force:
        sys.exit("generate_synthetic is for benchmarks and DEBUG is off; pass --force if you mean it.")
    log = (lambda message: None) if arguments.quiet else print
    try:
        options = SyntheticOptions(
            reports=arguments.reports,
            people=arguments.people,
            organisations=arguments.organisations,
            events=arguments.events,
            seed=arguments.seed,
            draft_ratio=arguments.draft_ratio,
            restricted_ratio=arguments.restricted_ratio,
            batch_size=arguments.batch_size,
        )
        counts = synthetic_generate(options=options, log=log)
    except ValueError as error:
        sys.exit(str(error))
    for label, count in counts.items():
        log(f"{label}: {count:,}")
    return counts


def _configured() -> bool:
    from django.apps import apps

    return apps.ready


if __name__ == "__main__":
    main()
