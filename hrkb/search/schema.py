"""The database side of search: stored documents, kept current by triggers.

Every searchable table gets a search document maintained by the database
itself, so that ``save()``, raw fixture loading (``loaddata`` skips
``save()``), bulk inserts from ingest and edits of an actor's aliases (another
table) all keep it current without any Python code on the write path.

PostgreSQL: a ``search_vector`` tsvector column (weights A/B/C) filled by a
``BEFORE INSERT OR UPDATE`` plpgsql trigger, with a GIN index; actors also get a
``search_names`` column (name and aliases, unaccented, lower-cased) with a
pg_trgm GIN index for misspelt names. The text search configuration
``hrkb_search`` is English stemming behind the ``unaccent`` dictionary.

SQLite: an FTS5 table per searchable table (``<table>_search``, rowid = the
record's id, tokenizer ``porter unicode61 remove_diacritics 2``) kept in step by
``AFTER`` triggers; actors also get ``actors_actor_trigram`` (FTS5 trigram
tokenizer, SQLite 3.34+) for misspelt names.

The columns are not model fields: nothing outside :mod:`hrkb.search` reads
them, so the models and ``makemigrations`` stay unaware of them. The
migrations call :func:`install` / :func:`uninstall`; :func:`rebuild` re-creates
triggers and re-fills every document (needed on SQLite after a migration that
remakes one of these tables, which drops its triggers).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

CONFIG = "hrkb_search"

# SQLite gained the trigram tokenizer in 3.34.
SQLITE_HAS_TRIGRAM = sqlite3.sqlite_version_info >= (3, 34, 0)


@dataclass(frozen=True)
class Column:
    """One weighted part of a document: its FTS5 column name, tsvector weight and SQL expression.

    ``expression`` is a template over ``{row}`` (the row alias: ``NEW`` in a
    PostgreSQL trigger, ``t`` on SQLite) and ``{agg}`` (string_agg / group_concat).
    """

    name: str
    weight: str
    expression: str


def _text(*fields: str) -> str:
    return " || ' ' || ".join(f"coalesce({{row}}.{field}, '')" for field in fields)


ALIAS_NAMES = "coalesce((SELECT {agg}(alias.name, ' ') FROM actors_alias alias WHERE alias.actor_id = {row}.id), '')"
SPEAKER_NAME = "coalesce((SELECT speaker.name FROM actors_actor speaker WHERE speaker.id = {row}.speaker_id), '')"

# table -> the weighted parts of its document, most important first.
DOCUMENTS: dict[str, tuple[Column, ...]] = {
    "actors_actor": (
        Column("names", "A", _text("name") + " || ' ' || " + ALIAS_NAMES),
        Column("description", "B", _text("description")),
    ),
    "reports_report": (
        Column("head", "A", _text("title", "subtitle", "aliases", "un_symbol")),
        Column("summary", "B", _text("summary")),
        # The body weighs least (D): a word in the title or summary says what the report is about.
        Column("body", "D", _text("text")),
    ),
    "reports_quote": (
        Column("quote", "A", _text("text")),
        Column("context", "B", _text("occasion") + " || ' ' || " + SPEAKER_NAME),
    ),
    "events_event": (
        Column("head", "A", _text("title", "aliases")),
        Column("description", "B", _text("description", "place")),
    ),
}

# The source columns whose change makes a document stale.
SOURCE_FIELDS = {
    "actors_actor": ("name", "description"),
    "reports_report": ("title", "subtitle", "aliases", "un_symbol", "summary", "text"),
    "reports_quote": ("text", "occasion", "speaker_id"),
    "events_event": ("title", "aliases", "description", "place"),
}


def _execute(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


# --- PostgreSQL ---------------------------------------------------------------------------------


def rum_index(table: str) -> str:
    return f"{table}_search_rum_idx"


def _pg_setup() -> list[str]:
    # Both extensions are trusted since PostgreSQL 13: a database owner may create them.
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        # RUM (Debian's postgresql-15-rum) returns the best matches in rank order; it is not a trusted
        # extension, so only a superuser creates it. Where it is missing or not ours to create, search
        # ranks every match instead (see hrkb.search.postgres).
        """DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') THEN
                BEGIN
                  CREATE EXTENSION IF NOT EXISTS rum;
                EXCEPTION WHEN insufficient_privilege THEN
                  RAISE NOTICE 'rum is available but not ours to create: search ranks every match';
                END;
              END IF;
            END $$""",
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
                CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english);
                ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
              END IF;
            END $$""",
    ]


def _pg_vector(table: str, row: str) -> str:
    parts = [
        f"setweight(to_tsvector('{CONFIG}', {column.expression.format(row=row, agg='string_agg')}), '{column.weight}')"
        for column in DOCUMENTS[table]
    ]
    return "\n      || ".join(parts)


def _pg_install(table: str) -> list[str]:
    unchanged = " AND ".join(f"NEW.{field} IS NOT DISTINCT FROM OLD.{field}" for field in SOURCE_FIELDS[table])
    names = ""
    if table == "actors_actor":
        all_names = DOCUMENTS[table][0].expression.format(row="NEW", agg="string_agg")
        names = f"NEW.search_names := lower(unaccent({all_names}));"
    statements = [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector",
        # A NULL vector means "stale": writers elsewhere (the alias trigger) set it to NULL to refresh it.
        f"""CREATE OR REPLACE FUNCTION {table}_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'UPDATE' AND NEW.search_vector IS NOT NULL AND {unchanged} THEN
                RETURN NEW;
              END IF;
              NEW.search_vector := {_pg_vector(table, "NEW")};
              {names}
              RETURN NEW;
            END $$""",
        f"DROP TRIGGER IF EXISTS {table}_search_document ON {table}",
        f"""CREATE TRIGGER {table}_search_document BEFORE INSERT OR UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_search_document()""",
    ]
    if table == "actors_actor":
        statements[1:1] = ["ALTER TABLE actors_actor ADD COLUMN IF NOT EXISTS search_names text"]
        statements += [
            "CREATE INDEX IF NOT EXISTS actors_actor_search_names_idx ON actors_actor "
            "USING gin (search_names gin_trgm_ops)",
            # An actor's document includes its aliases, which live in another table.
            """CREATE OR REPLACE FUNCTION actors_alias_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 IF TG_OP IN ('UPDATE', 'DELETE') THEN
                   UPDATE actors_actor SET search_vector = NULL WHERE id = OLD.actor_id;
                 END IF;
                 IF TG_OP IN ('UPDATE', 'INSERT') THEN
                   UPDATE actors_actor SET search_vector = NULL WHERE id = NEW.actor_id;
                 END IF;
                 RETURN NULL;
               END $$""",
            "DROP TRIGGER IF EXISTS actors_alias_search_document ON actors_alias",
            """CREATE TRIGGER actors_alias_search_document AFTER INSERT OR UPDATE OR DELETE ON actors_alias
               FOR EACH ROW EXECUTE FUNCTION actors_alias_search_document()""",
        ]
    if table == "reports_quote":
        # A quote's document includes its speaker's name, which lives in another table.
        statements += [
            """CREATE OR REPLACE FUNCTION reports_quote_speaker_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 UPDATE reports_quote SET search_vector = NULL WHERE speaker_id = NEW.id;
                 RETURN NULL;
               END $$""",
            "DROP TRIGGER IF EXISTS reports_quote_speaker_search_document ON actors_actor",
            """CREATE TRIGGER reports_quote_speaker_search_document AFTER UPDATE OF name ON actors_actor
               FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
               EXECUTE FUNCTION reports_quote_speaker_search_document()""",
        ]
    statements.append(f"UPDATE {table} SET search_vector = NULL")
    # After the refill, so the index is built once rather than updated row by row. RUM answers `@@`
    # as GIN does and also orders by `<=>`: with it, the GIN index would only cost writes.
    statements.append(
        f"""DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'rum') THEN
                CREATE INDEX IF NOT EXISTS {rum_index(table)} ON {table} USING rum (search_vector rum_tsvector_ops);
                DROP INDEX IF EXISTS {table}_search_vector_idx;
              ELSE
                CREATE INDEX IF NOT EXISTS {table}_search_vector_idx ON {table} USING gin (search_vector);
              END IF;
            END $$"""
    )
    return statements


def _pg_uninstall(table: str) -> list[str]:
    statements = []
    if table == "actors_actor":
        statements += [
            f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
            "DROP TRIGGER IF EXISTS actors_alias_search_document ON actors_alias",
            "DROP FUNCTION IF EXISTS actors_alias_search_document()",
            "ALTER TABLE actors_actor DROP COLUMN IF EXISTS search_names",
        ]
    if table == "reports_quote":
        statements += [
            "DROP TRIGGER IF EXISTS reports_quote_speaker_search_document ON actors_actor",
            "DROP FUNCTION IF EXISTS reports_quote_speaker_search_document()",
        ]
    return [
        *statements,
        f"DROP TRIGGER IF EXISTS {table}_search_document ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_search_document()",
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector",
    ]


# --- SQLite -------------------------------------------------------------------------------------

TOKENIZER = "porter unicode61 remove_diacritics 2"


# bm25 weighs a word by how many documents hold it. So that no score a client sees moves because of a
# record it cannot read (a restricted report's words, a draft's), each audience ranks over an FTS5 table
# of the rows it may read: `<table>_public` (anonymous clients), `<table>_cleared` (clients cleared for
# restricted records); `<table>_search` holds every row, for curators (the admin sees drafts too).
AUDIENCES = {"public": False, "cleared": True}


def audience_table(table: str, restricted: bool | None) -> str:
    """The FTS5 table a client of this clearance ranks over (``None``: a curator, every row)."""
    if restricted is None:
        return f"{table}_search"
    return f"{table}_{'cleared' if restricted else 'public'}"


def _sqlite_readable(table: str, restricted: bool) -> str:
    """The access rule on the row ``t`` of ``table`` as literal SQL (trigger bodies take no parameters).

    Built from the registry's rule for the table (what a quote's readability depends on included),
    with the kind of the row left out: people and organisations share a table and one rule.
    """
    from hrkb.public_types import searchable

    public_type = next(public_type for public_type in searchable() if public_type.model._meta.db_table == table)
    sql, params = public_type.readable_sql("t", restricted=restricted, of_kind=False)
    return sql.replace("%s", "{}").format(*(_sqlite_literal(value) for value in params))


def _sqlite_literal(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _sqlite_refresh(
    table: str, fts: str, row_id: str, columns: tuple[Column, ...], condition: str = "1", *, where: str = ""
) -> list[str]:
    names = ", ".join(column.name for column in columns)
    values = ", ".join(column.expression.format(row="t", agg="group_concat") for column in columns)
    rows = where or f"t.id = {row_id}"
    deleted = f"rowid IN (SELECT t.id FROM {table} t WHERE {where})" if where else f"rowid = {row_id}"
    return [
        f"DELETE FROM {fts} WHERE {deleted};",
        f"INSERT INTO {fts}(rowid, {names}) SELECT t.id, {values} FROM {table} t WHERE {rows} AND {condition};",
    ]


def _sqlite_indexes(table: str) -> list[tuple[str, tuple[Column, ...], str]]:
    """The FTS5 tables that index ``table``, each with the condition on the rows it holds.

    Its document for every row, for each audience, and for actors the trigram names.
    """
    indexes = [(f"{table}_search", DOCUMENTS[table], "1")]
    for restricted in AUDIENCES.values():
        indexes.append((audience_table(table, restricted), DOCUMENTS[table], _sqlite_readable(table, restricted)))
    if table == "actors_actor" and SQLITE_HAS_TRIGRAM:
        indexes.append(("actors_actor_trigram", DOCUMENTS[table][:1], "1"))
    return indexes


def _sqlite_triggers(table: str) -> list[str]:
    from hrkb.access import COLUMNS

    statements = []
    for fts, columns, condition in _sqlite_indexes(table):
        on_insert = " ".join(_sqlite_refresh(table, fts, "NEW.id", columns, condition))
        on_update = " ".join(
            _sqlite_refresh(table, fts, "OLD.id", columns, condition)
            + _sqlite_refresh(table, fts, "NEW.id", columns, condition)
        )
        # An audience's table also follows the columns of the access rule (a report published, restricted).
        watched = ", ".join(SOURCE_FIELDS[table] + (COLUMNS if condition != "1" else ()))
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {on_insert} END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {watched} ON {table} BEGIN {on_update} END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} "
            f"BEGIN DELETE FROM {fts} WHERE rowid = OLD.id; END",
        ]
        if table == "actors_actor":
            # An actor's document includes its aliases, which live in another table.
            new_actor = " ".join(_sqlite_refresh(table, fts, "NEW.actor_id", columns, condition))
            old_actor = " ".join(_sqlite_refresh(table, fts, "OLD.actor_id", columns, condition))
            statements += [
                f"CREATE TRIGGER IF NOT EXISTS {fts}_alias_insert AFTER INSERT ON actors_alias BEGIN {new_actor} END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_alias_update AFTER UPDATE ON actors_alias "
                f"BEGIN {old_actor} {new_actor} END",
                f"CREATE TRIGGER IF NOT EXISTS {fts}_alias_delete AFTER DELETE ON actors_alias BEGIN {old_actor} END",
            ]
        if table == "reports_quote":
            # A quote's document includes its speaker's name, and its readability the speaker's.
            body = " ".join(_sqlite_refresh(table, fts, "", columns, condition, where="t.speaker_id = NEW.id"))
            speaker = ("name",) + (COLUMNS if condition != "1" else ())
            changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in speaker)
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {fts}_speaker_update AFTER UPDATE OF {', '.join(speaker)} "
                f"ON actors_actor WHEN {changed} BEGIN {body} END"
            )
    return statements


def _sqlite_fill(table: str) -> list[str]:
    statements = []
    for fts, columns, condition in _sqlite_indexes(table):
        names = ", ".join(column.name for column in columns)
        values = ", ".join(column.expression.format(row="t", agg="group_concat") for column in columns)
        statements += [
            f"DELETE FROM {fts}",
            f"INSERT INTO {fts}(rowid, {names}) SELECT t.id, {values} FROM {table} t WHERE {condition}",
        ]
    return statements


def _sqlite_install(table: str) -> list[str]:
    statements = []
    for fts, columns, _condition in _sqlite_indexes(table):
        tokenizer = "trigram" if fts.endswith("_trigram") else TOKENIZER
        statements.append(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
            f"{', '.join(column.name for column in columns)}, tokenize = '{tokenizer}')"
        )
    return statements + _sqlite_triggers(table) + _sqlite_fill(table)


def _sqlite_trigger_names(table: str) -> list[str]:
    names = []
    for fts, _columns, _condition in _sqlite_indexes(table):
        names += [f"{fts}_insert", f"{fts}_update", f"{fts}_delete"]
        if table == "actors_actor":
            names += [f"{fts}_alias_insert", f"{fts}_alias_update", f"{fts}_alias_delete"]
        if table == "reports_quote":
            names.append(f"{fts}_speaker_update")
    return names


def _sqlite_uninstall(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_trigger_names(table)] + [
        f"DROP TABLE IF EXISTS {fts}" for fts, _columns, _condition in _sqlite_indexes(table)
    ]


# --- Entry points for migrations and maintenance ------------------------------------------------


def install(schema_editor, *tables: str) -> None:
    """Create the search documents of ``tables``, their triggers and indexes, and fill them."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _execute(schema_editor, _pg_setup())
        for table in tables:
            _execute(schema_editor, _pg_install(table))
    elif vendor == "sqlite":
        for table in tables:
            _execute(schema_editor, _sqlite_install(table))


def uninstall(schema_editor, *tables: str) -> None:
    """Drop what :func:`install` created for ``tables`` (the extensions stay: others may use them)."""
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            _execute(schema_editor, _pg_uninstall(table))
        elif vendor == "sqlite":
            _execute(schema_editor, _sqlite_uninstall(table))


def rebuild(connection=None) -> None:
    """Re-create every trigger and re-fill every search document (idempotent)."""
    from django.db import connection as default_connection

    connection = connection or default_connection
    with connection.schema_editor() as schema_editor:
        reinstall(schema_editor)


def reinstall(schema_editor) -> None:
    """Install the current documents over older ones: triggers re-created, every document re-filled."""
    if schema_editor.connection.vendor == "sqlite":
        for table in DOCUMENTS:
            _execute(schema_editor, [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_trigger_names(table)])
    install(schema_editor, *DOCUMENTS)


def migration_operation(*tables: str):
    """The migration operation that installs the search documents of ``tables`` (and removes them on reverse)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        install(schema_editor, *tables)

    def backward(apps, schema_editor):
        uninstall(schema_editor, *tables)

    return migrations.RunPython(forward, backward, elidable=False)
