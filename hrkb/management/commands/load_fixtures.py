from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load every fixture in fixtures/ (sorted by name) in one transaction; safe to run again."

    def handle(self, *args, **options):
        fixture_dir = Path(settings.FIXTURE_DIRS[0])
        labels = sorted(str(path) for path in fixture_dir.glob("*.json"))
        if not labels:
            raise CommandError(f"No fixtures found in {fixture_dir}.")
        call_command("loaddata", *labels, verbosity=options["verbosity"])
