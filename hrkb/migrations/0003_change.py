# The change log the partners' feed reads, and the triggers that write it (see hrkb/changelog.py).
from django.db import migrations, models

from hrkb import changelog


class Migration(migrations.Migration):
    dependencies = [
        ("hrkb", "0002_partnerkey"),
        ("actors", "0002_search"),
        ("reports", "0003_citations_move_to_sources"),
        ("events", "0003_citations_and_mentions_move_to_sources"),
        ("sources", "0003_admin_search_trigram_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Change",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tx", models.BigIntegerField(default=0)),
                ("changed", models.DateTimeField()),
                ("type", models.CharField(max_length=20)),
                ("record", models.BigIntegerField(help_text="The record's primary key in its table.")),
                ("slug", models.CharField(max_length=200)),
                ("public", models.BooleanField()),
                ("cleared", models.BooleanField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["tx", "id"], name="change_position"),
                    models.Index(fields=["changed"], name="change_changed"),
                ],
            },
        ),
        changelog.migration_operation(),
    ]
