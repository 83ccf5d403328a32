# Exact ranking (issue 9): the body is weighted D below the summary's B, and reports and events are
# also found by the names of what they mention, their authors and participants (weight C); on PostgreSQL the search
# vectors get a RUM index where the extension can be created; on SQLite each audience (anonymous,
# cleared) gets FTS5 tables of the rows it may read, so bm25's statistics never count a hidden row
# (see hrkb/search/schema.py). Re-installing rewrites the triggers and refills every document.
from django.db import migrations

from hrkb.search import schema


def forward(apps, schema_editor):
    schema.reinstall(schema_editor, naming=True)


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0004_merge_list_indexes_and_publish_rule"),
        ("events", "0004_publish_rule_and_many_to_many_history"),
        ("reports", "0005_merge_list_indexes_and_publish_rule"),
        # A report's document names what its mentions point at and who wrote it; an event's, who took part.
        ("sources", "0006_actorcitation_claim_index"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
