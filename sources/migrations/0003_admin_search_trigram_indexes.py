"""Trigram indexes for the admin's search fields on PostgreSQL (hrkb.admin.SubquerySearchMixin).

``UPPER(column) LIKE '%word%'`` can read a pg_trgm GIN index on
``UPPER(column::text)``; without one every admin search scans its table. The
list is the admin's ``search_fields`` on tables that grow with the corpus, as
of this migration. SQLite has no such index: nothing is done there.
"""

from django.db import migrations

COLUMNS = [
    ("actors.Actor", "name"),
    ("actors.Actor", "slug"),
    ("actors.Actor", "wikidata_id"),
    ("actors.Alias", "name"),
    ("actors.Membership", "role"),
    ("events.Event", "title"),
    ("events.Event", "aliases"),
    ("events.Event", "slug"),
    ("events.Event", "place"),
    ("events.Participant", "role_title"),
    ("reports.Authorship", "byline"),
    ("reports.Quote", "text"),
    ("reports.Quote", "slug"),
    ("reports.Quote", "occasion"),
    ("reports.Report", "title"),
    ("reports.Report", "subtitle"),
    ("reports.Report", "aliases"),
    ("reports.Report", "slug"),
    ("reports.Report", "un_symbol"),
    ("sources.Mention", "text"),
    *(
        (f"sources.{model}", column)
        for model in ("ReportCitation", "MembershipCitation", "QuoteCitation", "EventCitation", "ParticipantCitation")
        for column in ("passage", "claim", "value")
    ),
]


def _indexes(apps):
    for label, column in COLUMNS:
        table = apps.get_model(label)._meta.db_table
        yield table, column, f"{table}_{column}_trgm"[:63]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in _indexes(apps):
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in _indexes(apps):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0002_citation_review_index"),
        ("actors", "0002_search"),
        ("events", "0003_citations_and_mentions_move_to_sources"),
        ("reports", "0003_citations_move_to_sources"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
