# The database cache's table (CACHES in the settings): the API's rate limits count there when no
# REDIS_URL is set, shared by every worker process. Made here so that `migrate` is all a database needs.
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("hrkb", "0003_change"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False),
    ]
