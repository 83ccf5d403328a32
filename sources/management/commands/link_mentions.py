"""``manage.py link_mentions [--report SLUG ...]``: re-run mention linking, e.g. after adding aliases."""

from django.core.management.base import BaseCommand, CommandError

from reports.models import Report
from sources.management.commands.ingest_sources import Progress
from sources.services import mentions_link


class Command(BaseCommand):
    help = (
        "Find where reports' texts name known actors, reports and events (by name or alias, whole words, "
        "ignoring case and punctuation; the longest name wins) and bring their linked mentions up to date. "
        "Curated mentions are never changed. Run it after adding aliases."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--report", action="append", dest="slugs", metavar="SLUG", help="Only this report (repeatable)."
        )

    def handle(self, *args, slugs, verbosity, **options):
        reports = Report.objects.all()
        if slugs:
            reports = reports.filter(slug__in=slugs)
            missing = sorted(set(slugs) - set(reports.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"No report with slug {', '.join(missing)}.")
        result = mentions_link(reports=reports, progress=Progress(self.stderr, "reports linked") if verbosity else None)
        if verbosity:
            self.stdout.write(
                f"{result.reports} reports: {result.linked} mentions linked "
                f"({result.added} added, {result.removed} removed)."
            )
            if result.ambiguous and verbosity > 1:
                self.stdout.write(f"Names not linked because several records share them: {', '.join(result.ambiguous)}")
