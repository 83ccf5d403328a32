"""``manage.py export_records SHEET FILE``: every record of a sheet as CSV or XLSX, with slugs and URLs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from import_export.formats.base_formats import CSV, XLSX

from hrkb.resources import sheet_resource

FORMATS = {".csv": CSV, ".xlsx": XLSX}


class Command(BaseCommand):
    help = "Export every record of a sheet (people, reports, citations-membership…) as .csv or .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("sheet")
        parser.add_argument("path", help="The file to write: .csv or .xlsx.")

    def handle(self, *args, sheet, path, **options):
        try:
            resource = sheet_resource(sheet)()
        except LookupError as error:
            raise CommandError(str(error)) from None
        path = Path(path)
        file_format = FORMATS.get(path.suffix.lower())
        if file_format is None:
            raise CommandError(f"{path}: expected a .csv or .xlsx file")
        dataset = resource.export()
        data = file_format().export_data(dataset)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        self.stdout.write(f"{path}: {len(dataset)} rows of {sheet}")
