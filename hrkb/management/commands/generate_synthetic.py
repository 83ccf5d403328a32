from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hrkb.synthetic import SyntheticOptions, synthetic_generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic knowledge base of any size for benchmarks (slugs start with syn-). "
        "Deterministic for a given --seed; refuses to run twice on one database, and with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
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

    def handle(self, *args, **options):
        # Synthetic rows in a production database would be published to partners: make that deliberate.
        if not settings.DEBUG and not options["force"]:
            raise CommandError("generate_synthetic is for benchmarks and DEBUG is off; pass --force if you mean it.")
        try:
            synthetic_options = SyntheticOptions(
                reports=options["reports"],
                people=options["people"],
                organisations=options["organisations"],
                events=options["events"],
                seed=options["seed"],
                draft_ratio=options["draft_ratio"],
                restricted_ratio=options["restricted_ratio"],
                batch_size=options["batch_size"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        log = self.stdout.write if options["verbosity"] >= 1 else (lambda message: None)
        try:
            counts = synthetic_generate(options=synthetic_options, log=log)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] >= 1:
            for label, count in counts.items():
                self.stdout.write(f"{label}: {count:,}")
