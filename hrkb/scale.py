"""Query shapes that stay fast on tables of hundreds of thousands of rows, with the same answers.

- :func:`any_of`: rows named by any of several id subqueries, as one semi-join.
- :func:`among`: a column's value is one of a list or a subquery's ids, looked up by its index;
  :func:`by_key`, rows already chosen read again by their keys alone.
- :func:`distinct_values` and :func:`distinct_periods`: the distinct values (or
  years, months) of an indexed column, read by skipping through its index —
  one probe per value found, not one row read per row stored. The admin's
  list filters and date hierarchies use them (``hrkb.admin``).
- :func:`estimated_rows`, :func:`planned_rows` and :func:`is_dense`: the
  planner's own figures, to choose between plans that suit few rows and many;
  :func:`whole_count`, a whole large table counted by the first.
- :func:`setting`, :func:`serial`, :func:`through_trigrams` and :func:`hashed`: a planner's setting for a
  block of statements, where its cost model misjudges them.
"""

from __future__ import annotations

import datetime
import json
from contextlib import ExitStack, contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction


class Estimate(int):
    """A number of rows read from the database's statistics, not counted: it shows itself as one ("≈ 1971276").

    Wherever a template prints it (a list's paginator, "Select all … mentions",
    the home page) the reader sees it is approximate; arithmetic and
    comparisons treat it as the number it is.
    """

    approximate = True

    def __str__(self):
        return f"≈ {int(self)}"


class AtLeast(int):
    """A count that stopped at a cap: there are at least this many rows, and it shows itself so ("10000+").

    Counting every row a filter or a search matches among millions (the
    mentions of reports with "famine" in the title) costs more than showing
    the page; past the cap the reader learns "more than this many" and
    narrows, as with any search engine. Pages up to the cap stay reachable.
    """

    approximate = True

    def __str__(self):
        return f"{int(self)}+"


@contextmanager
def serial(using: str = DEFAULT_DB_ALIAS):
    """Run the queries inside without parallel workers (PostgreSQL; a no-op elsewhere).

    For an anti-join of two tables each read in id order from an index (the
    facts without a citation), PostgreSQL may pick a parallel hash join: three
    processes and a hash table for what one merge of the two index scans
    answers with a third of the CPU (75 ms against 230 ms at load 6 for
    100,000 reports). On a machine whose cores are busy, that CPU is the time.
    """
    with _settings(using, max_parallel_workers_per_gather="0"):
        yield


@contextmanager
def setting(cursor, name: str, value: str):
    """PostgreSQL's ``name`` set to ``value`` for the statements inside, then to what it was: an outer block's
    setting (a search's facets read through the index, counting its matches inside) holds again, not the
    session's. The values set here are kept per connection, so no statement reads the old one; an error
    rolls the setting back with the caller's savepoint (``SET LOCAL`` would outlive a released savepoint,
    to the end of a request's or a test's transaction)."""
    held = cursor.db.__dict__.setdefault("_hrkb_settings", {}).setdefault(name, [])  # this thread's connection
    cursor.execute(f"SET {name} = '{value}'")
    held.append(value)
    try:
        yield
    finally:
        held.pop()
    cursor.execute(f"SET {name} = '{held[-1]}'" if held else f"RESET {name}")


@contextmanager
def through_trigrams(using: str = DEFAULT_DB_ALIAS):
    """Run the queries inside with a column's ``LIKE '%word%'`` read from its trigram index (PostgreSQL; a
    no-op elsewhere).

    The planner prices ``upper()`` and ``LIKE`` at an operator each, so for a column that leads a B-tree
    index with the key (a list sorted by it reads it so) it prefers to read that whole index and test
    every row: at 100,000 reports, 56-88 ms for the titles holding "north", against 13-18 ms for the
    6,311 matches in the title's trigram index. Scans of whole tables and of whole indexes are switched
    off for these statements (the search words' columns are all trigram-indexed, ``*/migrations``);
    inside a savepoint, so that an error rolls the settings back.
    """
    with _settings(using, enable_seqscan="off", enable_indexonlyscan="off"):
        yield


@contextmanager
def hashed(using: str = DEFAULT_DB_ALIAS):
    """Run the queries inside with their joins hashed or merged, never nested loops (PostgreSQL; a no-op elsewhere).

    For a page of a few thousand matches sorted by a related record's column, the planner walks that column's
    index and probes each record's rows, testing every one (the 19,874 mentions of "famine" sorted by their
    reports' titles: 216 ms at 100,000 reports, the first 12,500 reports' 247,000 mentions tested). Collected
    first by their indexes, then hashed against the records and sorted: 48 ms.
    """
    with _settings(using, enable_nestloop="off"):
        yield


@contextmanager
def _settings(using: str, **settings: str):
    """The statements inside with PostgreSQL's ``settings`` (:func:`setting`), in a savepoint, so that an error
    rolls them back; a no-op elsewhere."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using), connection.cursor() as cursor, ExitStack() as stack:
        for name, value in settings.items():
            stack.enter_context(setting(cursor, name, value))
        yield


def any_of(*subqueries):
    """The rows any of ``subqueries`` (each one column of ids) names, as one ``UNION ALL`` for a ``pk__in``.

    ``pk IN (a) OR pk IN (b)`` makes PostgreSQL read every row of the table and
    test each against both; one ``pk IN (a UNION ALL b)`` is a semi-join that
    reads only the rows named (an actor named in 20,000 of 100,000 reports: a
    fifth of the work).
    """
    parts = [subquery.order_by() for subquery in subqueries]
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def among(column: str, ids) -> models.Q:
    """``column`` is one of ``ids`` (a list of integer keys, or a one-column subquery); on PostgreSQL as ``= ANY(…)``.

    PostgreSQL plans an ``IN (subquery)`` as a join and sizes it from statistics
    that can miss badly (a mention's other report is mostly null: 19,923
    mentions expected of the 986 reports titled "famine" at 100,000 reports, 869
    found), then reads a whole index or table to join it (0.58 s for the
    mentions list searched for "famine"); an array is computed first and its
    members looked up by the column's index. A list goes as one array
    parameter, not one placeholder per id (thousands of them cost Django and
    the driver more than the query).
    """
    using = ids.db if isinstance(ids, models.QuerySet) else DEFAULT_DB_ALIAS
    if connections[using].vendor != "postgresql":
        return models.Q(**{f"{column}__in": ids})
    from django.contrib.postgres.expressions import ArraySubquery

    if isinstance(ids, models.QuerySet):
        array = ArraySubquery(ids)
    else:
        # The array's text, written at once (cast to the column's type by _AnyOf): the driver would write a list
        # item by item in Python, a regular expression each, 20-25 ms for 25,000 keys in each statement sending
        # them; an ArrayField would also prepare each id.
        array = models.Value("{" + ",".join(map(str, map(int, ids))) + "}", output_field=models.TextField())
    return models.Q(_AnyOf(models.F(column), array))


def by_key(queryset, ids, *annotations: str):
    """The rows ``ids`` of ``queryset``'s model read by key alone, in ``queryset``'s order, with those of its
    ``annotations`` named (others are left out): rows its conditions already chose, read again.

    Under the conditions again, PostgreSQL may test a few keys the costly way: a search's match, which
    the planner expects in few rows, read as every match from the search index to intersect with the
    keys (the reports list's page of "defectors -camp" at 100,000 reports: 25-41 ms reading 5,578 matches
    for 51 rows). Unlike ``hrkb.admin_lists.unconditioned``, no join a condition made is kept, so a
    list filtered through a many-to-many relation reads each row once.
    """
    known = queryset.query.annotations
    kept = {name: known[name] for name in annotations if name in known}
    rows = queryset.model._base_manager.filter(among("pk", ids)).annotate(**kept)
    return rows.order_by(*queryset.query.order_by)


def read_keys(queryset) -> list:
    """The values of ``queryset``, one column of integer keys, as a list: read whole from the cursor, where
    Django's iterator converts them in chunks (38 ms for the 25,152 reports matching "north korea"; 4 ms so)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


class _AnyOf(models.Func):
    """``value = ANY(array)``; a list's array (its text) cast to the column's type.

    The driver types a list of small integers ``int4[]``; ``bigint = ANY(int4[])`` is not hashed (its
    two sides hash by different functions), so each row tested scans the whole array: 232 ms to test
    7,815 mentions against the 6,311 and 12,585 reports titled "north" and "korea", 30 ms hashed.
    """

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        column, array = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        array_sql, array_params = compiler.compile(array)
        if isinstance(array, models.Value):
            array_sql = f"{array_sql}::{column.output_field.db_type(connection)}[]"
        return f"{column_sql} = ANY({array_sql})", [*column_params, *array_params]


# --- The planner's figures ----------------------------------------------------------------------------------------


def estimated_rows(model, using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The planner's estimate of a table's rows on PostgreSQL (None elsewhere, or before its first ANALYZE)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cursor.fetchone()
    return row[0] if row and row[0] > 0 else None


#: Tables of at least this many rows are counted whole from the planner's estimate (:func:`whole_count`).
EXACT_BELOW = 100_000


def whole_count(queryset) -> int:
    """The rows of ``queryset``, a whole table: the planner's estimate (an :class:`Estimate`) for one of
    :data:`EXACT_BELOW` rows or more on PostgreSQL, else counted. A queryset with conditions is counted.

    Counting every row of a large table (``COUNT(*)``: 5-7 ms for 100,000 reports, seconds for millions of
    mentions) costs more than the page that shows the number, and "≈ 100015" tells the reader as much.
    """
    if not queryset.query.where:
        estimate = estimated_rows(queryset.model, queryset.db)
        if estimate is not None and estimate >= EXACT_BELOW:
            return Estimate(estimate)
    return queryset.count()


def planned_rows(sql: str, params, using: str = DEFAULT_DB_ALIAS) -> float:
    """The rows PostgreSQL's planner expects ``sql`` to return (``EXPLAIN``: planned, not run)."""
    with connections[using].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


#: Past this share of their table, a filter's rows are dense: a plan that stops at the first rows it meets (an
#: index probe, rows tested in turn) finds them at once; below it, collecting the rows first is the cheaper plan.
DENSE = 0.1


def planned_count(queryset) -> float | None:
    """The rows the planner expects ``queryset`` to hold (None: not PostgreSQL)."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    return planned_rows(*queryset.query.sql_with_params(), using=queryset.db)


def planned_share(queryset) -> float | None:
    """The share of its table's rows the planner expects ``queryset`` to hold (None: not PostgreSQL, or unanalysed)."""
    stored = estimated_rows(queryset.model, queryset.db)
    if not stored:
        return None
    return planned_count(queryset.order_by().values("pk")) / stored


def is_dense(queryset) -> bool:
    """Whether the planner expects ``queryset`` to hold more than :data:`DENSE` of its table (False if unknown)."""
    share = planned_share(queryset)
    return share is not None and share > DENSE


# --- Distinct values by skipping through an index --------------------------------------------------------------------

_PERIODS = {"year": "1 year", "month": "1 month"}


def _skip_scan(queryset, field: str, step: str, limit: int | None = None) -> list | None:
    """The distinct non-null values of ``field`` in ``queryset``, one index probe each; None if not PostgreSQL.

    A recursive query asks for the least value, then for the least value past
    ``step`` (the last one, or the start of the next year or month), until none
    is left: PostgreSQL answers each from the column's B-tree index, so twenty
    years among 100,000 reports cost twenty probes, where ``DISTINCT`` reads
    every row. ``queryset``'s own filters apply to every probe.
    """
    query = queryset.query
    if connections[queryset.db].vendor != "postgresql" or not leads_an_index(queryset.model, field):
        return None
    if query.is_sliced or query.distinct or query.group_by is not None or query.combinator:
        return None
    base, params = queryset.order_by().values_list(field).query.sql_with_params()
    probe = f"SELECT min(b.value) FROM ({base}) AS b(value)"
    sql = (
        f"WITH RECURSIVE seen(value) AS (({probe}) UNION ALL "
        f"SELECT ({probe} WHERE b.value {step}) FROM seen WHERE seen.value IS NOT NULL) "
        "SELECT value FROM seen WHERE value IS NOT NULL"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*params, *params])
        return [row[0] for row in cursor.fetchall()]


def leads_an_index(model, field: str) -> bool:
    """Whether a B-tree index of ``model`` (as declared) starts with ``field``, without a condition.

    Skipping through a column that no index orders would read the table once per value: worse than DISTINCT.
    """
    model = model._meta.concrete_model
    model_field = model._meta.get_field(field)
    if model_field.primary_key or model_field.unique or model_field.db_index:
        return True
    declared = [
        *model._meta.indexes,
        *(c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint) and c.fields),
    ]
    return any(
        not getattr(index, "condition", None)
        and not getattr(index, "opclasses", None)
        and type(index) in (models.Index, models.UniqueConstraint)
        and index.fields
        and index.fields[0].lstrip("-") == field
        for index in declared
    )


def distinct_values(queryset, field: str, *, limit: int | None = None) -> list:
    """``queryset``'s distinct values of ``field`` (a column of its own table) in order, None last if any.

    With ``limit``, only the first ``limit`` values (the skipping stops there).
    """
    found = _skip_scan(queryset, field, "> seen.value", limit)
    if found is None:
        values = queryset.order_by(field).values_list(field, flat=True).distinct()
        return list(values if limit is None else values[:limit])
    nullable = queryset.model._meta.get_field(field).null
    if nullable and (limit is None or len(found) < limit) and queryset.filter(**{f"{field}__isnull": True}).exists():
        found.append(None)
    return found


def distinct_periods(queryset, field: str, kind: str) -> list[datetime.date]:
    """``queryset.dates(field, kind)`` for a date column: the first day of each year, month or day with a row."""
    if kind in _PERIODS:
        step = f">= (date_trunc('{kind}', seen.value) + interval '{_PERIODS[kind]}')::date"
    else:
        step = "> seen.value"
    found = _skip_scan(queryset, field, step)
    if found is None:
        return list(queryset.dates(field, kind))
    if kind == "year":
        return [datetime.date(day.year, 1, 1) for day in found]
    if kind == "month":
        return [datetime.date(day.year, day.month, 1) for day in found]
    return found
