# Search documents for events: a tsvector on PostgreSQL, an FTS5 table on SQLite,
# kept current by database triggers (see hrkb/search/schema.py). Not part of the model state.
from django.db import migrations

from hrkb.search import schema


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_search"),
        ("events", "0001_initial"),
    ]

    operations = [
        schema.migration_operation("events_event"),
    ]
