"""``manage.py backup FILE``: everything HRKB stores, to a file ``manage.py restore`` loads back."""

from django.core.management.base import BaseCommand

from hrkb.backup import backup_write


class Command(BaseCommand):
    help = (
        "Write every record, its history, old slugs, partner keys, users and the admin log to FILE "
        "(JSON; gzip-compressed if FILE ends in .gz). Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")

    def handle(self, *args, path, verbosity, **options):
        rows = backup_write(path)
        if verbosity:
            self.stdout.write(f"{path}: {rows} rows")
