# Ingest, faster on PostgreSQL (issue 9):
# - a bulk load may leave the reports' search documents stale while it writes and compute each once at its end
#   (hrkb.search.bulk): the document triggers learn to defer while the transaction says so, and the link tables'
#   triggers leave a document already stale alone. What a document holds does not change, so nothing is re-filled;
# - a report's text (and its history's copy) and its search vector are compressed with lz4 where the server has
#   it: pglz took about 0.3 ms a 1,000-word report for the text and the vector, lz4 a third of that, and reads
#   decompress faster too. Only values written from now on are affected; the values themselves do not change.
from django.db import migrations

from hrkb.search import schema

LZ4_COLUMNS = [("reports_report", "text"), ("reports_report", "search_vector"), ("reports_historicalreport", "text")]


def forward(apps, schema_editor):
    schema.replace_functions(schema_editor)
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    if row and row[0]:
        for table, column in LZ4_COLUMNS:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_search_exact_ranking")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
