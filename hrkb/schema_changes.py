"""Schema changes to searchable tables on SQLite, which must step around the search triggers.

SQLite adds a column with a default, or alters one, by building a new table
and renaming it into place; the search triggers (:mod:`hrkb.search.schema`)
name those tables, so SQLite refuses the rename while they exist. Migrations
that change a searchable table wrap their operations in
:func:`around_search_tables`: on SQLite the search documents of those tables
are dropped before and installed (and re-filled) after; elsewhere nothing
happens. Once documents name other records (reports 0006), every search
document steps aside, whichever table changes: list the tables anyway.
"""

from django.db import migrations


def _on_sqlite(action, tables):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            from hrkb.search import schema

            # Once reports' and events' documents name other records, their triggers read the other
            # searchable tables and the link tables: every document steps aside.
            names = schema.names_records(schema_editor.connection)
            action(schema_editor, *(schema.DOCUMENTS if names else tables))

    return run


def around_search_tables(tables: tuple[str, ...], operations: list) -> list:
    from hrkb.search import schema

    drop, install = _on_sqlite(schema.uninstall, tables), _on_sqlite(schema.install, tables)
    return [migrations.RunPython(drop, install), *operations, migrations.RunPython(install, drop)]
