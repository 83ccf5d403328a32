# Full-text search documents for reports and quotes (see hrkb/search/schema.py): a tsvector on
# PostgreSQL, FTS5 tables on SQLite, kept current by database triggers. Not part of the model state.
from django.db import migrations

from hrkb.search import schema

TABLES = ("reports_report", "reports_quote")


def install(apps, schema_editor):
    schema.install(schema_editor, *TABLES)


def uninstall(apps, schema_editor):
    schema.uninstall(schema_editor, *TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0002_search"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
