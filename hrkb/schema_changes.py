"""Schema changes to searchable tables on SQLite, which must step around the search triggers.

SQLite adds a column with a default, or alters one, by building a new table
and renaming it into place; the search triggers (:mod:`hrkb.search.schema`)
name those tables, so SQLite refuses the rename while they exist. Migrations
that change a searchable table wrap their operations in
:func:`around_search_tables`: on SQLite the search documents of those tables
are dropped before and installed (and re-filled) after; elsewhere nothing
happens.
"""

from django.db import migrations


def _on_sqlite(action, tables):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            action(schema_editor, *tables)

    return run


def around_search_tables(tables: tuple[str, ...], operations: list) -> list:
    from hrkb.search import schema

    drop, install = _on_sqlite(schema.uninstall, tables), _on_sqlite(schema.install, tables)
    return [migrations.RunPython(drop, install), *operations, migrations.RunPython(install, drop)]
