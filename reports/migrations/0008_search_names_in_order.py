# The names a search document holds (an actor's aliases; what a report mentions, who wrote it, who took part in
# an event) are joined in sorted order, not in the order a query plan happened to read them: proximity scores
# depend on word positions, so the same record scored differently when written by ingest's bulk path and by an
# edit (issue 9). Re-installing rewrites the triggers and refills every document.
from django.db import migrations

from hrkb.search import schema


def forward(apps, schema_editor):
    schema.reinstall(schema_editor, naming=True)


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_search_deferred_documents")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
