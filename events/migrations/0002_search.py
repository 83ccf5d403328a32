# Full-text search documents for events (see hrkb/search/schema.py): a tsvector on
# PostgreSQL, FTS5 tables on SQLite, kept current by database triggers. Not part of the model state.
from django.db import migrations

from hrkb.search import schema

TABLES = ("events_event",)


def install(apps, schema_editor):
    schema.install(schema_editor, *TABLES)


def uninstall(apps, schema_editor):
    schema.uninstall(schema_editor, *TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_search"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
