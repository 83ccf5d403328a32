# Search documents for actors: a tsvector and trigram names on PostgreSQL, FTS5 tables on SQLite,
# kept current by database triggers (see hrkb/search/schema.py). Not part of the model state.
from django.db import migrations

from hrkb.search import schema


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0001_initial"),
    ]

    operations = [
        schema.migration_operation("actors_actor"),
    ]
