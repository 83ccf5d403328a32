"""``manage.py import_records SHEET FILE``: the admin's spreadsheet import, for maintainers."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from import_export.formats.base_formats import CSV, XLSX

from hrkb.resources import describe_result, sheet_resource

FORMATS = {".csv": CSV, ".xlsx": XLSX}


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX sheet of records (the admin's import, without a browser). Every row is checked and "
        "shown (new, changed with its diff, unchanged, or errors naming the column); with --dry-run nothing is "
        "stored, otherwise the file is imported in one transaction, and only if no row has an error. Importing "
        "the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "sheet",
            help="What the file holds: people, organisations, aliases, memberships, "
            "reports, topics, authorships, quotes, events, participants, citations-<fact>.",
        )
        parser.add_argument("path", help="A .csv (UTF-8) or .xlsx file, with a header row of column names.")
        parser.add_argument("--dry-run", action="store_true", help="Check and show every row; store nothing.")
        parser.add_argument("--user", help="The username history records the import under.")

    def handle(self, *args, sheet, path, dry_run, user, verbosity, **options):
        try:
            resource = sheet_resource(sheet)()
        except LookupError as error:
            raise CommandError(str(error)) from None
        path = Path(path)
        format_class = FORMATS.get(path.suffix.lower())
        if format_class is None:
            raise CommandError(f"{path}: expected a .csv or .xlsx file")
        file_format = format_class()
        try:
            data = path.read_bytes() if file_format.is_binary() else path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot read the file: {error}") from None
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"--user: no user is called {user!r}")
        try:
            dataset = file_format.create_dataset(data)
        except Exception as error:  # tablib's readers raise whatever their parsers raise
            raise CommandError(f"{path}: cannot read it as {path.suffix}: {error}") from None
        result = resource.import_data(
            dataset, dry_run=True, user=importer, file_name=path.name, retain_instance_in_row_result=True
        )
        for line in describe_result(resource, result):
            if verbosity > 1 or ": unchanged" not in line:
                self.stdout.write(f"{path}: {line}")
        totals = result.totals
        summary = (
            f"{totals['new']} new, {totals['update']} changed, {totals['skip']} unchanged, "
            f"{totals['invalid'] + totals['error']} with errors"
        )
        if result.has_errors() or result.has_validation_errors():
            raise CommandError(f"{path}: {summary}; nothing was imported.")
        if dry_run:
            self.stdout.write(f"{path}: {summary} (dry run: nothing was stored).")
            return
        result = resource.import_data(dataset, dry_run=False, user=importer, file_name=path.name)
        if result.has_errors() or result.has_validation_errors():  # the data changed between the two passes
            raise CommandError(f"{path}: the import failed; nothing was imported.")
        self.stdout.write(f"{path}: {summary}; imported.")
