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
from contextvars import ContextVar
from dataclasses import dataclass

CONFIG = "hrkb_search"

# Whether documents name other records (set by install()). Their triggers then read other tables, which
# SQLite refuses to rebuild under them: only from the migration that adds the part (reports 0006) on,
# when every table it reads exists; earlier migrations install documents without it.
_NAMING: ContextVar[bool] = ContextVar("search_documents_name_records", default=False)
NAMING_MIGRATION = ("reports", "0006_search_exact_ranking")

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
    #: Whether the part names other records (reads other tables): empty until the migration that adds it.
    names_records: bool = False

    def sql(self, row: str, agg: str, *, between: str = "' '") -> str:
        """The part's SQL on the row ``row``; ``between`` joins the names of what it names (a snippet's ", ")."""
        if self.names_records and not _NAMING.get():
            return "''"
        return self.expression.format(row=row, agg=agg, readable_named=_readable_inline("named"), between=between)


def named_by(table: str, row: str, *, between: str) -> list[str]:
    """PostgreSQL SQL of the names ``table``'s document takes from other records (who wrote a report, what it
    mentions), on the row ``row``, joined by ``between``: for a migrated database, where those tables exist."""
    token = _NAMING.set(True)
    try:
        return [column.sql(row, "string_agg", between=between) for column in DOCUMENTS[table] if column.names_records]
    finally:
        _NAMING.reset(token)


def _text(*fields: str) -> str:
    return " || ' ' || ".join(f"coalesce({{row}}.{field}, '')" for field in fields)


# Names are joined in a fixed order (a sorted subquery, which both databases aggregate in order): word positions
# move scores (proximity), so a document must not depend on the plan that read its names.
ALIAS_NAMES = (
    "coalesce((SELECT {agg}(alias.name, ' ') FROM "
    "(SELECT a.name FROM actors_alias a WHERE a.actor_id = {row}.id ORDER BY a.name) alias), '')"
)
SPEAKER_NAME = "coalesce((SELECT speaker.name FROM actors_actor speaker WHERE speaker.id = {row}.speaker_id), '')"


def _readable_inline(alias: str) -> str:
    """The access rule for anonymous clients on ``alias``, as literal SQL both databases read (TRUE/FALSE)."""
    from hrkb.access import readable_sql_inline

    def quote(value) -> str:
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        return "'" + str(value).replace("'", "''") + "'"

    return readable_sql_inline(alias, restricted=False, quote=quote)


def _actor_names(actor_ids: str) -> str:
    """Names and aliases of the publicly readable actors whose ids ``actor_ids`` (a subquery) gives."""
    readable = "{readable_named}"
    return (
        f"SELECT named.name AS name FROM actors_actor named WHERE named.id IN ({actor_ids}) AND {readable} "
        f"UNION SELECT alias.name FROM actors_alias alias JOIN actors_actor named ON named.id = alias.actor_id "
        f"WHERE named.id IN ({actor_ids}) AND {readable}"
    )


def _names(*parts: str) -> str:
    # UNION: each name once, however often the report mentions it (a name is what the report is about,
    # not a word to repeat), sorted (see ALIAS_NAMES).
    union = " UNION ".join(parts)
    names = f"SELECT {{agg}}(found.name, {{between}}) FROM (SELECT u.name FROM ({union}) u ORDER BY u.name) found"
    return f"coalesce(({names}), '')"


def _records_named(table: str, column: str) -> str:
    readable = "{readable_named}"
    return (
        f"SELECT named.title || ' ' || coalesce(named.aliases, '') AS name FROM {table} named "
        f"WHERE named.id IN (SELECT m.{column} FROM sources_mention m WHERE m.report_id = {{row}}.id) AND {readable}"
    )


# Who and what a report names (its mentions' actors, reports and events) and who wrote it; who took part
# in an event. Weighted C: below the record's own title and summary, above its body. Only publicly
# readable records lend their names, so no client finds a report by a name it may not read.
REPORT_ENTITIES = _names(
    _actor_names("SELECT m.actor_id FROM sources_mention m WHERE m.report_id = {row}.id"),
    _records_named("reports_report", "mentioned_report_id"),
    _records_named("events_event", "event_id"),
    _actor_names(
        "SELECT au.person_id FROM reports_authorship au WHERE au.report_id = {row}.id "
        "UNION SELECT au.organisation_id FROM reports_authorship au WHERE au.report_id = {row}.id"
    ),
    "SELECT au.byline FROM reports_authorship au WHERE au.report_id = {row}.id AND au.byline <> ''",
)
EVENT_ENTITIES = _names(_actor_names("SELECT p.actor_id FROM events_participant p WHERE p.event_id = {row}.id"))

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
        Column("entities", "C", REPORT_ENTITIES, names_records=True),
    ),
    "reports_quote": (
        Column("quote", "A", _text("text")),
        Column("context", "B", _text("occasion") + " || ' ' || " + SPEAKER_NAME),
    ),
    "events_event": (
        Column("head", "A", _text("title", "aliases")),
        Column("description", "B", _text("description", "place")),
        Column("entities", "C", EVENT_ENTITIES, names_records=True),
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


def _pg_vector(table: str, row: str, columns: tuple[Column, ...] | None = None) -> str:
    parts = [
        f"setweight(to_tsvector('{CONFIG}', {column.sql(row, 'string_agg')}), '{column.weight}')"
        for column in DOCUMENTS[table]
        if columns is None or column in columns
    ]
    return "\n      || ".join(parts)


# While a transaction sets this to a table's name, that table's documents are left NULL (stale) instead of computed
# at each write, and filled once by fill_deferred(): a report written four to six times by ingest is then parsed
# and indexed once. See hrkb.search.bulk.
DEFERRED_SETTING = "hrkb.search_deferred"


def _pg_document_function(table: str) -> str:
    unchanged = " AND ".join(f"NEW.{field} IS NOT DISTINCT FROM OLD.{field}" for field in SOURCE_FIELDS[table])
    names = ""
    if table == "actors_actor":
        all_names = DOCUMENTS[table][0].sql("NEW", "string_agg")
        names = f"NEW.search_names := lower(unaccent({all_names}));"
    entities = [column for column in DOCUMENTS[table] if column.names_records]
    partial = ""
    if entities:
        # Only what the record names changed (a mention linked, an author's alias added): keep the rest of the
        # vector (ts_filter by weight) rather than parse the whole text again, which ingest would pay per report.
        own = "{" + ",".join(column.weight.lower() for column in DOCUMENTS[table] if not column.names_records) + "}"
        named = " || ".join(
            f"setweight(to_tsvector('{CONFIG}', {column.sql('NEW', 'string_agg')}), '{column.weight}')"
            for column in entities
        )
        partial = f"""IF TG_OP = 'UPDATE' AND OLD.search_vector IS NOT NULL AND {unchanged} THEN
                NEW.search_vector := ts_filter(OLD.search_vector, '{own}') || {named};
                RETURN NEW;
              END IF;"""
    # A NULL vector means "stale": writers elsewhere (the alias trigger) set it to NULL to refresh it.
    return f"""CREATE OR REPLACE FUNCTION {table}_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'UPDATE' AND NEW.search_vector IS NOT NULL AND {unchanged} THEN
                RETURN NEW;
              END IF;
              IF current_setting('{DEFERRED_SETTING}', true) = TG_TABLE_NAME THEN
                NEW.search_vector := NULL;
                RETURN NEW;
              END IF;
              {partial}
              NEW.search_vector := {_pg_vector(table, "NEW")};
              {names}
              RETURN NEW;
            END $$"""


def defer(connection, table: str) -> None:
    """Leave ``table``'s documents stale (NULL) at every write until the transaction ends or :func:`fill_deferred`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [DEFERRED_SETTING, table])


# Settings that let PostgreSQL compute a bulk load's documents on every core (see fill_deferred): the planner would
# not start workers for a table whose rows are small (the texts are stored apart, TOASTed).
PARALLEL_FILL = {"min_parallel_table_scan_size": "0", "parallel_setup_cost": "0", "parallel_tuple_cost": "0"}


def fill_deferred(connection, table: str) -> None:
    """End :func:`defer`: compute every stale document of ``table``, each once.

    An UPDATE runs on one core, and parsing texts is most of a load's database work (2,000
    reports of 1,000 words: 1.7 s). The parts of a document read from its own row are parsed
    by a query PostgreSQL may run on every core, into a temporary table; the parts that name
    other records (subqueries, which keep a query on one core) are added as the documents are
    written, in the order the trigger joins them, and the trigger keeps a document it is given
    with unchanged sources. An actor's trigger also keeps its names for fuzzy search, so actors
    are left to it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, '', true)", [DEFERRED_SETTING])
        own = tuple(column for column in DOCUMENTS[table] if not column.names_records)
        if table != "actors_actor" and own == DOCUMENTS[table][: len(own)]:
            token = _NAMING.set(names_records(connection))
            try:
                named = _pg_vector(table, "t", DOCUMENTS[table][len(own) :])
            finally:
                _NAMING.reset(token)
            cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in PARALLEL_FILL))
            before = dict(zip(PARALLEL_FILL, cursor.fetchone(), strict=True))
            _set_locally(cursor, PARALLEL_FILL)
            cursor.execute(
                f"CREATE TEMPORARY TABLE hrkb_filled ON COMMIT DROP AS "
                f"SELECT t.id, {_pg_vector(table, 't', own)} AS own FROM {table} t WHERE t.search_vector IS NULL"
            )
            _set_locally(cursor, before)
            cursor.execute(
                f"UPDATE {table} t SET search_vector = f.own{' || ' + named if named else ''} "
                f"FROM hrkb_filled f WHERE t.id = f.id"
            )
            cursor.execute("DROP TABLE hrkb_filled")
        # What is left the trigger computes (NULL marks it stale); `search_vector` is no model field, so the change
        # log's triggers (UPDATE OF the model's columns) do not see this.
        cursor.execute(f"UPDATE {table} SET search_vector = NULL WHERE search_vector IS NULL")


def _set_locally(cursor, settings: dict[str, str]) -> None:
    """Set ``settings`` until the transaction ends (or they are set again)."""
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _name in settings), list(sum(settings.items(), ()))
    )


def _pg_install(table: str) -> list[str]:
    statements = [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector",
        _pg_document_function(table),
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
    # Computed here rather than marked stale: the trigger would keep an old vector's own part.
    refill = f"search_vector = {_pg_vector(table, table)}"
    if table == "actors_actor":
        refill += f", search_names = lower(unaccent({DOCUMENTS[table][0].sql(table, 'string_agg')}))"
    statements.append(f"UPDATE {table} SET {refill}")
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


# What a report's or an event's document names lives in other tables: a change there makes it stale.
# (table written, document's table, the column of the written table holding the document's id)
LINKS = (
    ("sources_mention", "reports_report", "report_id"),
    ("reports_authorship", "reports_report", "report_id"),
    ("events_participant", "events_event", "event_id"),
)
# The documents naming an actor, a report or an event, as (document's table, subquery of their ids on :id).
NAMING = {
    "actors_actor": (
        (
            "reports_report",
            "SELECT report_id FROM sources_mention WHERE actor_id = {id} UNION SELECT report_id FROM "
            "reports_authorship WHERE person_id = {id} OR organisation_id = {id}",
        ),
        ("events_event", "SELECT event_id FROM events_participant WHERE actor_id = {id}"),
    ),
    "reports_report": (("reports_report", "SELECT report_id FROM sources_mention WHERE mentioned_report_id = {id}"),),
    "events_event": (("reports_report", "SELECT report_id FROM sources_mention WHERE event_id = {id}"),),
}
# The columns of a named record that its namers' documents show or depend on (its readability).
NAMED_FIELDS = {"actors_actor": ("name",), "reports_report": ("title", "aliases"), "events_event": ("title", "aliases")}


def names_records(connection) -> bool:
    """Whether the database's documents name other records (the migration adding that part has run)."""
    if "django_migrations" not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM django_migrations WHERE app = %s AND name = %s", list(NAMING_MIGRATION))
        return cursor.fetchone() is not None


def _pg_dependants() -> list[str]:
    """Statement-level triggers on the link tables (one refresh per document, however many rows a statement
    writes: ingest links a report's mentions in one statement), row-level ones on the named records."""
    from hrkb.access import COLUMNS

    statements = []
    for source, target, key in LINKS:
        function = f"{source}_search_stale"
        # A NULL document is already stale (only while a load defers documents: otherwise the document trigger
        # computes it in the same statement), and writing it again would only add a row version to index.
        stale = f"{target}.search_vector IS NOT NULL"
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 IF TG_OP IN ('INSERT', 'UPDATE') THEN
                   UPDATE {target} SET search_vector = NULL
                   WHERE id IN (SELECT DISTINCT {key} FROM new_rows) AND {stale};
                 END IF;
                 IF TG_OP IN ('UPDATE', 'DELETE') THEN
                   UPDATE {target} SET search_vector = NULL
                   WHERE id IN (SELECT DISTINCT {key} FROM old_rows) AND {stale};
                 END IF;
                 RETURN NULL;
               END $$"""
        )
        # A trigger with transition tables takes one event.
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            name = f"{function}_{event.lower()}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {source}",
                f"CREATE TRIGGER {name} AFTER {event} ON {source} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            ]
    for named, namers in NAMING.items():
        updates = " ".join(
            f"UPDATE {target} SET search_vector = NULL WHERE id IN ({ids.format(id='named_id')});"
            for target, ids in namers
        )
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {named}_namers_stale(named_id bigint) RETURNS void LANGUAGE plpgsql AS $$
               BEGIN {updates} END $$"""
        )
        watched = NAMED_FIELDS[named] + COLUMNS
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in watched)
        statements += [
            f"""CREATE OR REPLACE FUNCTION {named}_namers_search_stale() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN PERFORM {named}_namers_stale(NEW.id); RETURN NULL; END $$""",
            f"DROP TRIGGER IF EXISTS {named}_namers_search_stale ON {named}",
            f"""CREATE TRIGGER {named}_namers_search_stale AFTER UPDATE OF {", ".join(watched)} ON {named}
               FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {named}_namers_search_stale()""",
        ]
    # An actor's aliases are names its namers' documents hold.
    statements += [
        """CREATE OR REPLACE FUNCTION actors_alias_namers_search_stale() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM actors_actor_namers_stale(OLD.actor_id); END IF;
             IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM actors_actor_namers_stale(NEW.actor_id); END IF;
             RETURN NULL;
           END $$""",
        "DROP TRIGGER IF EXISTS actors_alias_namers_search_stale ON actors_alias",
        """CREATE TRIGGER actors_alias_namers_search_stale AFTER INSERT OR UPDATE OR DELETE ON actors_alias
           FOR EACH ROW EXECUTE FUNCTION actors_alias_namers_search_stale()""",
    ]
    return statements


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
    values = ", ".join(column.sql("t", "group_concat") for column in columns)
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


def _sqlite_dependants() -> list[tuple[str, str]]:
    """Triggers (name, SQL) refreshing the documents that name a record when its links or names change."""
    from hrkb.access import COLUMNS

    triggers = []

    def refresh(target: str, ids: str) -> str:
        body = []
        for fts, columns, condition in _sqlite_indexes(target):
            if fts.endswith("_trigram"):
                continue
            body += _sqlite_refresh(target, fts, "", columns, condition, where=f"t.id IN ({ids})")
        return " ".join(body)

    for source, target, key in LINKS:
        triggers += [
            (f"{source}_search_insert", f"AFTER INSERT ON {source} BEGIN {refresh(target, f'NEW.{key}')} END"),
            (
                f"{source}_search_update",
                f"AFTER UPDATE ON {source} BEGIN {refresh(target, f'OLD.{key}, NEW.{key}')} END",
            ),
            (f"{source}_search_delete", f"AFTER DELETE ON {source} BEGIN {refresh(target, f'OLD.{key}')} END"),
        ]
    for named, namers in NAMING.items():
        watched = NAMED_FIELDS[named] + COLUMNS
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in watched)
        body = " ".join(refresh(target, ids.format(id="NEW.id")) for target, ids in namers)
        on = f"AFTER UPDATE OF {', '.join(watched)} ON {named} WHEN {changed}"
        triggers.append((f"{named}_namers_search", f"{on} BEGIN {body} END"))
    old = " ".join(refresh(target, ids.format(id="OLD.actor_id")) for target, ids in NAMING["actors_actor"])
    new = " ".join(refresh(target, ids.format(id="NEW.actor_id")) for target, ids in NAMING["actors_actor"])
    triggers += [
        ("actors_alias_namers_search_insert", f"AFTER INSERT ON actors_alias BEGIN {new} END"),
        ("actors_alias_namers_search_update", f"AFTER UPDATE ON actors_alias BEGIN {old} {new} END"),
        ("actors_alias_namers_search_delete", f"AFTER DELETE ON actors_alias BEGIN {old} END"),
    ]
    return triggers


def _sqlite_fill(table: str) -> list[str]:
    statements = []
    for fts, columns, condition in _sqlite_indexes(table):
        names = ", ".join(column.name for column in columns)
        values = ", ".join(column.sql("t", "group_concat") for column in columns)
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


def install(schema_editor, *tables: str, naming: bool | None = None) -> None:
    """Create the search documents of ``tables``, their triggers and indexes, and fill them.

    ``naming``: whether documents name other records (default: whether the migration adding that has run).
    """
    connection = schema_editor.connection
    naming = names_records(connection) if naming is None else naming
    token = _NAMING.set(naming)
    try:
        if connection.vendor == "postgresql":
            _execute(schema_editor, _pg_setup())
            for table in tables:
                _execute(schema_editor, _pg_install(table))
            if naming:
                _execute(schema_editor, _pg_dependants())
        elif connection.vendor == "sqlite":
            for table in tables:
                _execute(schema_editor, _sqlite_install(table))
            _execute(schema_editor, [f"DROP TRIGGER IF EXISTS {name}" for name, _sql in _sqlite_dependants()])
            if naming and {f"{table}_search" for table in DOCUMENTS} <= set(connection.introspection.table_names()):
                _execute(schema_editor, [f"CREATE TRIGGER {name} {sql}" for name, sql in _sqlite_dependants()])
    finally:
        _NAMING.reset(token)


def uninstall(schema_editor, *tables: str) -> None:
    """Drop what :func:`install` created for ``tables`` (the extensions stay: others may use them)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # They write the documents being dropped; install() makes them again.
        _execute(schema_editor, [f"DROP TRIGGER IF EXISTS {name}" for name, _sql in _sqlite_dependants()])
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


def reinstall(schema_editor, *, naming: bool | None = None) -> None:
    """Install the current documents over older ones: triggers re-created, every document re-filled.

    On SQLite the FTS5 tables are made again too (their columns may have changed).
    """
    if schema_editor.connection.vendor == "sqlite":
        uninstall(schema_editor, *DOCUMENTS)
    install(schema_editor, *DOCUMENTS, naming=naming)


def replace_functions(schema_editor) -> None:
    """Rewrite the document triggers' functions from the current code, without re-filling any document.

    For a migration that changes only how the triggers decide (not what a document holds): re-filling
    100,000 reports takes minutes, replacing a function none.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    naming = names_records(schema_editor.connection)
    token = _NAMING.set(naming)
    try:
        _execute(schema_editor, [_pg_document_function(table) for table in DOCUMENTS])
        if naming:
            _execute(schema_editor, _pg_dependants())
    finally:
        _NAMING.reset(token)


def migration_operation(*tables: str):
    """The migration operation that installs the search documents of ``tables`` (and removes them on reverse)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        install(schema_editor, *tables)

    def backward(apps, schema_editor):
        uninstall(schema_editor, *tables)

    return migrations.RunPython(forward, backward, elidable=False)
