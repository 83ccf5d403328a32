"""``manage.py restore FILE``: load a backup into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from hrkb.backup import backup_restore, stored_rows


class Command(BaseCommand):
    help = (
        "Load a file written by `manage.py backup` into an empty database (run `manage.py migrate` first). "
        "Refuses a database that already holds records or users; the load is one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")

    def handle(self, *args, path, verbosity, **options):
        if stored_rows():
            raise CommandError(
                "The database is not empty: restore into a new database (createdb, then manage.py migrate)."
            )
        backup_restore(path, verbosity=verbosity)
