"""The change log: database triggers record every write that changes what a partner reads.

Why triggers. The changes feed must see every write, whatever made it: the
admin, the ORM, ``loaddata`` (which saves raw, skipping ``save()`` and the
signals django-simple-history listens to), ``bulk_create``/``update()``,
ingest, merges, spreadsheet imports and raw SQL. Only the database sees all
of them, so the database records them: an ``AFTER`` row trigger on each table
writes :class:`hrkb.models.Change` rows in the same transaction as the write,
which therefore cannot commit without its log entry. No Python code runs on
the write path, so no new write path can forget it.

What is logged is derived, not listed:

* every public type's table (:data:`hrkb.public_types.PUBLIC_TYPES`) logs its
  own inserts, updates and deletes, with the record's readability before and
  after (a rename also logs the old slug, so the feed can report it gone);
* every table whose rows show in a record's JSON — read off the list and
  detail serializers' loading plans (:mod:`hrkb.api.loading`): child rows
  (memberships, aliases, authorships, participants, citations, mentions),
  many-to-many tables, and the columns of related records that show as
  summaries (a publisher's name, a topic's status) — moves that record's
  ``modified`` when it changes, and that update is logged like any other. So
  a restricted membership changes its person's ``modified``, ETag and feed
  entry, and a new type or field is covered by declaring it (except under
  records a bulk load says it created in the same transaction:
  :func:`created_by_load`);
* what a type's readability depends on (a quote's speaker) logs the dependent
  records when it changes, with their readability before and after.

The triggers are (re)installed from the current code after every ``migrate``
(:func:`install`, called from the app's ``post_migrate`` handler and by the
migration that creates the log), so a table rebuilt by a later migration — on
SQLite, altering a table drops its triggers — or a type added to the registry
is covered again at once; ``tests/api/test_changelog.py`` checks the installed
triggers against the derived ones. Only the table owner's schema operations
escape them: ``TRUNCATE``, disabling triggers (``pg_restore --disable-triggers``,
``session_replication_role = replica``) or dropping them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from django.db import connection as default_connection
from django.db import connections, models, transaction

from . import access

PREFIX = "hrkb_chg_"
LOG_TABLE = "hrkb_change"


@dataclass(frozen=True)
class Step:
    """One foreign key on the way from a record's table to a table it shows rows of.

    ``down``: ``model.column`` points at the previous table (a membership's person);
    otherwise the previous table's ``column`` points at ``model`` (a quote's speaker).
    """

    model: type[models.Model]
    column: str
    down: bool


@dataclass(frozen=True)
class Dependency:
    """Rows of ``steps[-1].model`` that show in the records of ``root``; ``columns`` None: every column."""

    root: type[models.Model]
    steps: tuple[Step, ...]
    columns: tuple[str, ...] | None

    @property
    def table(self) -> type[models.Model]:
        return self.steps[-1].model


def restore_modified(records, *, using: str = "default") -> None:
    """Give ``records`` (curated records just written) back the ``modified`` they were written with.

    Writing a record's rows after it (its memberships, citations, mentions)
    moves its ``modified``, as any change to them does. A loader that writes a
    record and then its rows in one go (``loaddata``, the synthetic generator)
    calls this at the end, so a record keeps the time it was given.
    """
    by_model: dict = {}
    for record in records:
        model = type(record)._meta.concrete_model
        by_model.setdefault(model, []).append(model(pk=record.pk, modified=record.modified))
    for model, stamps in by_model.items():
        model._base_manager.using(using).bulk_update(stamps, ["modified"], batch_size=1000)


def _q(name: str) -> str:
    """A quoted identifier (both databases take double quotes; some columns, like ``end``, are reserved words)."""
    return f'"{name}"'


def _table(model) -> str:
    return _q(model._meta.db_table)


def _pk(model) -> str:
    return _q(model._meta.pk.column)


def _columns(model) -> tuple[str, ...]:
    return tuple(field.column for field in model._meta.concrete_fields)


# --- What shows in a record: read off the serializers' loading plans -------------------------------------------------


def _summary_dependencies(root, steps, model, paths) -> list[Dependency]:
    """The related records whose columns ``paths`` (e.g. ``speaker__name``) of ``model`` rows show."""
    by_chain: dict[tuple[Step, ...], set[str]] = {}
    for path in paths:
        *relations, column = path.split("__")
        if not relations:
            continue
        chain, current = list(steps), model
        for relation in relations:
            field = current._meta.get_field(relation)
            current = field.related_model._meta.concrete_model
            chain.append(Step(current, field.column, down=False))
        by_chain.setdefault(tuple(chain), set()).add(current._meta.get_field(column).column)
    return [Dependency(root, chain, tuple(sorted(columns))) for chain, columns in by_chain.items()]


def _plan_dependencies(root, steps, plan) -> list[Dependency]:
    from .api.loading import ChildRows, ChildValues, ManySummaries

    found = _summary_dependencies(root, steps, plan.model._meta.concrete_model, plan.columns)
    for relation in plan.relations:
        if isinstance(relation, ManySummaries):
            table = relation.table._meta.concrete_model
            owner = Step(table, relation.table._meta.get_field(relation.owner_column).column, down=True)
            if relation.prefix:  # a many-to-many table: its rows, and the summaries they point at
                found.append(Dependency(root, (*steps, owner), None))
                found += _summary_dependencies(root, (*steps, owner), table, relation.summary.columns)
            else:  # records pointing here (children): their link and their summary columns
                own = [path for path in relation.summary.columns if "__" not in path]
                columns = {owner.column} | {table._meta.get_field(path).column for path in own}
                found.append(Dependency(root, (*steps, owner), tuple(sorted(columns))))
                found += _summary_dependencies(root, (*steps, owner), table, relation.summary.columns)
        elif isinstance(relation, ChildRows | ChildValues):
            child = relation.model._meta.concrete_model
            owner = Step(child, relation.owner_column, down=True)
            found.append(Dependency(root, (*steps, owner), None))
            if isinstance(relation, ChildRows):
                found += _plan_dependencies(root, (*steps, owner), relation.plan)
    return found


@cache
def dependencies() -> tuple[Dependency, ...]:
    """Every (table, columns) whose change changes a public record's JSON, and the way back to that record."""
    from .api.loading import plan_for
    from .public_types import PUBLIC_TYPES

    found: dict[Dependency, None] = {}
    for public_type in PUBLIC_TYPES:
        viewset = public_type.viewset
        root = public_type.model._meta.concrete_model
        for serializer in (viewset.serializer_class, viewset.detail_serializer_class):
            if serializer is not None:
                found.update(dict.fromkeys(_plan_dependencies(root, (), plan_for(serializer, viewset.model))))
    return tuple(found)


def logged_tables() -> dict[type[models.Model], list]:
    """Each public type's table and the public types stored in it (people and organisations share one)."""
    from .public_types import PUBLIC_TYPES

    tables: dict[type[models.Model], list] = {}
    for public_type in PUBLIC_TYPES:
        tables.setdefault(public_type.model._meta.concrete_model, []).append(public_type)
    return tables


# --- SQL -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    event: str  # INSERT, UPDATE or DELETE
    statements: tuple[str, ...]
    when: str = ""
    of: tuple[str, ...] = ()  # UPDATE OF these columns
    #: PostgreSQL: fire once per statement, its rows in this transition table (e.g. "NEW TABLE AS hrkb_rows").
    rows: str = ""


def sqlite_time(moment: str) -> str:
    """SQLite SQL for the time ``moment`` (an SQLite time value) as Django stores times there, to the millisecond.

    Django writes 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, and no fraction at all
    when it is zero; SQLite compares times as text, so a trigger's time must be
    spelt the same way or a row would sort after a cursor made from itself.
    """
    return (
        f"(CASE WHEN substr(strftime('%f', {moment}), 4) = '000' THEN strftime('%Y-%m-%d %H:%M:%S', {moment}) "
        f"ELSE strftime('%Y-%m-%d %H:%M:%f', {moment}) || '000' END)"
    )


class Dialect:
    """What differs between PostgreSQL and SQLite in the triggers' SQL."""

    def __init__(self, schema_editor):
        self.vendor = schema_editor.connection.vendor
        self.quote = schema_editor.quote_value
        if self.vendor == "postgresql":
            self.now = "date_trunc('milliseconds', clock_timestamp())"
            # A record touched once by a statement (a bulk insert of its mentions) is not touched again by it.
            self.touched_before = "statement_timestamp()"
            self.tx = "pg_current_xact_id()::text::bigint"
            self.distinct = "IS DISTINCT FROM"
        else:
            self.now = sqlite_time("'now'")
            self.touched_before = self.now
            self.tx = "0"
            self.distinct = "IS NOT"

    def changed(self, columns) -> str:
        return " OR ".join(f"OLD.{_q(column)} {self.distinct} NEW.{_q(column)}" for column in columns)


def _readable(public_type, row: str, dialect: Dialect, *, restricted: bool, required_row: dict | None = None) -> str:
    """SQL: whether the record in ``row`` is readable, what it depends on included.

    ``required_row`` maps a required relation to a row alias holding its record
    (in the trigger of that record's table); otherwise it is looked up.
    """
    conditions = [access.readable_sql_inline(row, restricted=restricted, quote=dialect.quote)]
    for relation in public_type.requires:
        field = public_type.model._meta.get_field(relation)
        if required_row and relation in required_row:
            conditions.append(required_row[relation])
            continue
        target = field.related_model._meta.concrete_model
        alias = f"required_{relation}"
        rule = access.readable_sql_inline(alias, restricted=restricted, quote=dialect.quote)
        conditions.append(
            f"EXISTS (SELECT 1 FROM {_table(target)} {alias} "
            f"WHERE {alias}.{_pk(target)} = {row}.{_q(field.column)} AND {rule})"
        )
    return "(" + " AND ".join(conditions) + ")"


def _type_of(types, row: str, dialect: Dialect) -> str:
    # People and organisations share a table: a row's kind is its type.
    return f'{row}."kind"' if len(types) > 1 else dialect.quote(types[0].name)


def _log(types, row: str, dialect: Dialect, public: str, cleared: str, *, source: str = "", where: str = "") -> str:
    table = f" FROM {source}" if source else ""
    condition = f" WHERE {where}" if where else ""
    return (
        f'INSERT INTO {_q(LOG_TABLE)} ("tx", "changed", "type", "record", "slug", "public", "cleared") '
        f'SELECT {dialect.tx}, {dialect.now}, {_type_of(types, row, dialect)}, {row}."id", {row}."slug", '
        f"{public}, {cleared}{table}{condition}"
    )


def _own_triggers(model, types, dialect: Dialect) -> list[Trigger]:
    """A public type's table logs its own writes."""
    table = model._meta.db_table
    # Readability is the same rule for every type sharing a table (they differ only by kind).
    public_type = types[0]

    def readable(row, restricted):
        return _readable(public_type, row, dialect, restricted=restricted)

    def logged(name, event, row):
        """A trigger logging each row an INSERT or DELETE wrote."""
        if dialect.vendor != "postgresql":
            return Trigger(_name(table, "own", name), table, event, (_log(types, row, dialect, *both(row)),))
        # Once per statement on PostgreSQL: ingest inserts reports by the hundred, and a trigger call per row
        # (each its own INSERT into the log) cost 40 µs a report.
        statement = _log(types, "hrkb_rows", dialect, *both("hrkb_rows"), source="hrkb_rows")
        return Trigger(_name(table, "own", name), table, event, (statement,), rows=f"{row} TABLE AS hrkb_rows")

    def both(row):
        return readable(row, False), readable(row, True)

    same_key = 'OLD."slug" = NEW."slug"' + (' AND OLD."kind" = NEW."kind"' if len(types) > 1 else "")
    columns = _columns(model)
    return [
        logged("insert", "INSERT", "NEW"),
        Trigger(
            _name(table, "own", "update"),
            table,
            "UPDATE",
            (
                # Readable before (under the same slug) or after: either way the client must hear of it.
                _log(
                    types,
                    "NEW",
                    dialect,
                    f"({readable('NEW', False)} OR ({same_key} AND {readable('OLD', False)}))",
                    f"({readable('NEW', True)} OR ({same_key} AND {readable('OLD', True)}))",
                ),
                # A new slug (or kind): the old one is gone.
                _log(types, "OLD", dialect, readable("OLD", False), readable("OLD", True), where=f"NOT ({same_key})"),
            ),
            when=dialect.changed(columns),
            of=columns,
        ),
        logged("delete", "DELETE", "OLD"),
    ]


def _requirement_triggers(types_by_table, dialect: Dialect) -> list[Trigger]:
    """A record whose readability depends on another (a quote on its speaker) is logged when that one's changes."""
    triggers = []
    for model, types in types_by_table.items():
        for public_type in types:
            for relation in public_type.requires:
                field = model._meta.get_field(relation)
                target = field.related_model._meta.concrete_model
                columns = tuple(target._meta.get_field(column).column for column in access.COLUMNS)

                def either(restricted, relation=relation, public_type=public_type):
                    before = access.readable_sql_inline("OLD", restricted=restricted, quote=dialect.quote)
                    after = access.readable_sql_inline("NEW", restricted=restricted, quote=dialect.quote)
                    required = {relation: f"({before} OR {after})"}
                    return _readable(public_type, "dependent", dialect, restricted=restricted, required_row=required)

                where = f"dependent.{_q(field.column)} = NEW.{_pk(target)}"
                if len(types) > 1:
                    where += f' AND dependent."kind" = {dialect.quote(public_type.kind)}'
                statement = _log(
                    [public_type],
                    "dependent",
                    dialect,
                    either(False),
                    either(True),
                    source=f"{_table(model)} dependent",
                    where=where,
                )
                triggers.append(
                    Trigger(
                        _name(target._meta.db_table, f"requires-{public_type.name}-{relation}", "update"),
                        target._meta.db_table,
                        "UPDATE",
                        (statement,),
                        when=dialect.changed(columns),
                        of=columns,
                    )
                )
    return triggers


def _roots(dependency: Dependency, row: str, *, rows: bool = False) -> str:
    """SQL selecting the ids of the records that show the row ``row`` of ``dependency.table``
    (``rows``: of every row of the transition table ``row``)."""
    aliases = [f"t{index}" for index in range(len(dependency.steps))]
    tables = [dependency.root, *(step.model for step in dependency.steps[:-1])]
    sql = f"SELECT t0.{_pk(dependency.root)} FROM {_table(dependency.root)} t0"
    for index, step in enumerate(dependency.steps[:-1], start=1):
        previous, alias = aliases[index - 1], aliases[index]
        if step.down:
            on = f"{alias}.{_q(step.column)} = {previous}.{_pk(tables[index - 1])}"
        else:
            on = f"{previous}.{_q(step.column)} = {alias}.{_pk(step.model)}"
        sql += f" JOIN {_table(step.model)} {alias} ON {on}"
    last, previous = dependency.steps[-1], aliases[-1]
    if last.down:
        on = f"{previous}.{_pk(tables[-1])} = {row}.{_q(last.column)}"
    else:
        on = f"{previous}.{_q(last.column)} = {row}.{_pk(last.model)}"
    return f"{sql} JOIN {row} ON {on}" if rows else f"{sql} WHERE {on}"


def _touch(dependency: Dependency, row: str, dialect: Dialect, *, rows: bool = False) -> str:
    root = dependency.root
    sql = (
        f'UPDATE {_table(root)} SET "modified" = {dialect.now} '
        f'WHERE {_pk(root)} IN ({_roots(dependency, row, rows=rows)}) AND "modified" < {dialect.touched_before}'
    )
    if rows:  # PostgreSQL's statement triggers: not the records a bulk load created (see created_by_load)
        created = f"coalesce(nullif(current_setting({dialect.quote(_created_setting(root))}, true), ''), '{{}}')"
        sql += f" AND NOT ({_pk(root)} <@ (SELECT {created}::int8multirange))"
    return sql


def _created_setting(model) -> str:
    return f"hrkb.created_{model._meta.db_table}"


def created_by_load(model, ids, *, using: str = "default") -> None:
    """Tell the change log that a bulk load has just inserted ``model``'s records ``ids`` in this transaction:
    rows written under them until it ends (a report's publishers, authors, mentions) do not move their
    ``modified`` (PostgreSQL; SQLite's row triggers touch them as usual).

    Each touch writes a new version of the record's row, indexed whole and logged: ingest wrote each new
    report twice more, once for its publishers and once for its mentions (2,000 articles: 0.3 s of 4.6).
    The insert is logged already, and a reader of the feed sees a transaction's entries only once it
    commits (:func:`hrkb.api.sync.horizon`), so it reads the record with its rows. Only a reader inside the same
    transaction could have read the insert's entry before the rows were written; hence the load says which
    records are its own, and the trigger does not infer it from the log (a test's single transaction does
    read in between). Kept as ranges of keys in a setting local to the transaction.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not ids:
        return
    ranges = []
    for key in sorted(ids):
        if ranges and ranges[-1][1] == key:
            ranges[-1][1] = key + 1
        else:
            ranges.append([key, key + 1])
    name = _created_setting(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, (coalesce(nullif(current_setting(%s, true), ''), '{}')::int8multirange"
            " + %s::int8multirange)::text, true)",
            [name, name, "{" + ",".join(f"[{low},{high})" for low, high in ranges) + "}"],
        )


def _dependency_triggers(dependency: Dependency, dialect: Dialect) -> list[Trigger]:
    """The rows of a dependency's table move the ``modified`` of the records they show in."""
    table = dependency.table._meta.db_table
    key = "/".join(
        [
            dependency.root._meta.db_table,
            *(f"{step.model._meta.db_table}.{step.column}.{int(step.down)}" for step in dependency.steps),
            ",".join(dependency.columns or ("*",)),
        ]
    )
    columns = dependency.columns or _columns(dependency.table)
    update = Trigger(
        _name(table, key, "update"),
        table,
        "UPDATE",
        (_touch(dependency, "OLD", dialect), _touch(dependency, "NEW", dialect)),
        when=dialect.changed(columns),
        of=columns,
    )
    if not dependency.steps[-1].down:
        # A related record shown as a summary: only its changes matter (rows pointing at it are the other triggers).
        return [update]
    touches = {}
    for event, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
        name = _name(table, key, event.lower())
        if dialect.vendor == "postgresql":
            # Once per statement, not per row: ingest links a report's mentions by the thousand in one COPY, and a
            # touch per row cost 15 µs each (0.3 s of 20,000 mentions) to find the report touched already.
            touch = _touch(dependency, "hrkb_rows", dialect, rows=True)
            touches[event] = Trigger(name, table, event, (touch,), rows=f"{row} TABLE AS hrkb_rows")
        else:
            touches[event] = Trigger(name, table, event, (_touch(dependency, row, dialect),))
    return [touches["INSERT"], update, touches["DELETE"]]


def _name(table: str, key: str, event: str) -> str:
    # PostgreSQL cuts names at 63 bytes: a digest of what the trigger is for keeps them unique.
    digest = hashlib.sha1(f"{table}/{key}".encode()).hexdigest()[:10]
    return f"{PREFIX}{table[:30]}_{digest}_{event[:3]}"


def triggers(schema_editor) -> list[Trigger]:
    """Every trigger the change log needs, derived from the registry and the serializers."""
    dialect = Dialect(schema_editor)
    tables = logged_tables()
    found = []
    for model, types in tables.items():
        found += _own_triggers(model, types, dialect)
    found += _requirement_triggers(tables, dialect)
    for dependency in dependencies():
        found += _dependency_triggers(dependency, dialect)
    return found


def _create(trigger: Trigger, vendor: str) -> list[str]:
    event = f"UPDATE OF {', '.join(_q(column) for column in trigger.of)}" if trigger.of else trigger.event
    if vendor == "postgresql":
        body = ";\n  ".join(trigger.statements)
        when = f" WHEN ({trigger.when})" if trigger.when else ""
        level = f"REFERENCING {trigger.rows} FOR EACH STATEMENT" if trigger.rows else f"FOR EACH ROW{when}"
        return [
            f"CREATE OR REPLACE FUNCTION {trigger.name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  {body};\n  RETURN NULL;\nEND $$",
            f"CREATE TRIGGER {trigger.name} AFTER {event} ON {_q(trigger.table)} {level} "
            f"EXECUTE FUNCTION {trigger.name}()",
        ]
    when = f" WHEN {trigger.when}" if trigger.when else ""
    body = "; ".join(trigger.statements)
    return [f"CREATE TRIGGER {trigger.name} AFTER {event} ON {_q(trigger.table)} FOR EACH ROW{when} BEGIN {body}; END"]


def installed(connection=None) -> dict[str, str]:
    """The change log's triggers in the database: {name: table}."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                [PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"]
            )
        return dict(cursor.fetchall())


def install(connection=None) -> int:
    """Make the database's change-log triggers exactly the derived ones; returns how many there are.

    Idempotent and cheap, so it runs after every ``migrate``.
    """
    connection = connection or default_connection
    if connection.vendor not in ("postgresql", "sqlite") or LOG_TABLE not in connection.introspection.table_names():
        return 0
    # Triggers need none of what entering a schema editor does (on SQLite it refuses to inside a transaction).
    with transaction.atomic(using=connection.alias):
        return install_with(connection.schema_editor(atomic=False))


def install_with(schema_editor) -> int:
    connection = schema_editor.connection
    wanted = triggers(schema_editor)
    statements = []
    for name, table in installed(connection).items():
        statements += _drop(name, table, connection.vendor)
    for trigger in wanted:
        statements += _create(trigger, connection.vendor)
    for statement in statements:
        schema_editor.execute(statement, params=None)
    return len(wanted)


def _drop(name: str, table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return [f"DROP TRIGGER IF EXISTS {name}"]


def seed_with(schema_editor) -> None:
    """Log every record as it stands, once, when the log is created: the feed's starting point."""
    dialect = Dialect(schema_editor)
    for model, types in logged_tables().items():
        public_type = types[0]
        statement = _log(
            types,
            "seeded",
            dialect,
            _readable(public_type, "seeded", dialect, restricted=False),
            _readable(public_type, "seeded", dialect, restricted=True),
            source=f"{_table(model)} seeded",
        )
        schema_editor.execute(statement, params=None)


def migration_operation():
    """The migration step that installs the triggers and seeds the log (undone by dropping the triggers)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        install_with(schema_editor)
        seed_with(schema_editor)

    def backward(apps, schema_editor):
        for name, table in installed(schema_editor.connection).items():
            for statement in _drop(name, table, schema_editor.connection.vendor):
                schema_editor.execute(statement, params=None)

    return migrations.RunPython(forward, backward, elidable=False)
