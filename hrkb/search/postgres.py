"""PostgreSQL search: stored tsvectors with GIN indexes, ts_rank_cd, ts_headline, pg_trgm names."""

from __future__ import annotations

import json
import re

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .documents import SearchType, fuzzy_table
from .query import ParsedQuery
from .schema import CONFIG

# Matches beyond this many (newest first) are not ranked; see ranked_sql().
CANDIDATES = 500
# Words estimated in at least WALK_FROM rows and WALK_SHARE of the table are first looked for among
# the newest WALK_ROWS rows. The walk needs CANDIDATES matches there (a share of 10%): asking twice
# that keeps a misestimated word from paying for the walk and then for the bitmap plan too.
WALK_FROM = 10_000
WALK_SHARE = 0.2
WALK_ROWS = 5000

NAMES = "lower(unaccent(%(names)s))"
# The planner deems `@@` on a row cheap though it reads the row's whole vector; these settings
# (for one transaction) hold it to the plan each strategy is written for.
PLAN_WITH_BITMAPS = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"
PLAN_WITH_WALK = "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off"
# Inside a caller's transaction, releasing our savepoint keeps SET LOCAL: put the defaults back.
PLAN_DEFAULTS = (
    "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT; SET LOCAL enable_bitmapscan TO DEFAULT"
)
_NAMED = re.compile(r"%\((\w+)\)s")
HEADLINE_OPTIONS = 'StartSel=\x02, StopSel=\x03, MaxFragments=2, MaxWords=24, MinWords=10, FragmentDelimiter=" … "'
# ts_headline parses the whole document it is given: bound the work for very long texts.
HEADLINE_TEXT_LIMIT = 100_000


def _tsquery(parsed: ParsedQuery, *, exact: bool = True) -> tuple[str, dict]:
    """The query as a tsquery expression built with tsquery operators, and its parameters.

    Built rather than left to ``websearch_to_tsquery``, whose ``a OR b -c``
    means ``a | (b & !c)``: here, as on SQLite, it means ``(a | b) & !c``. Each
    term goes through ``phraseto_tsquery`` (the text search configuration
    normalises it; a phrase's words must be adjacent). ``exact=False`` gives
    the looser query the GIN index answers without reading rows: every word
    of every wanted term, no positions, no exclusions.
    """
    function = "phraseto_tsquery" if exact else "plainto_tsquery"
    prefix = "q" if exact else "w"
    params, groups = {}, []
    for group_index, group in enumerate(parsed.groups):
        alternatives = []
        for term_index, term in enumerate(group):
            key = f"{prefix}_{group_index}_{term_index}"
            params[key] = term.text
            alternatives.append(f"{function}('{CONFIG}', %({key})s)")
        groups.append("(" + " || ".join(alternatives) + ")")
    if exact:
        for index, term in enumerate(parsed.excluded):
            params[f"x_{index}"] = term.text
            groups.append(f"(!! phraseto_tsquery('{CONFIG}', %(x_{index})s))")
    return "(" + " && ".join(groups) + ")", params


def _params(parsed: ParsedQuery) -> dict:
    return {**_tsquery(parsed)[1], "names": parsed.names_text}


def _match_and_rank(table: str, fuzzy: bool, parsed: ParsedQuery) -> tuple[str, str]:
    vector = f'"{table}"."search_vector"'
    tsquery = _tsquery(parsed)[0]
    match = f"{vector} @@ {tsquery}"
    rank = f"ts_rank_cd({vector}, {tsquery}, 32)"
    if fuzzy:
        names = f'"{table}"."search_names"'
        match = f"({match} OR {NAMES} <%% {names})"
        rank = f"greatest({rank}, word_similarity({NAMES}, {names}))"
    # Both functions return real (float4): as double precision, the rank a client gets back in a
    # keyset cursor compares equal to the rank the database computes again for the next page.
    return match, f"({rank})::double precision"


def filter_queryset(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """The queryset narrowed to its best matches, annotated with ``search_rank``.

    Like :func:`ranked`, it ranks at most ``CANDIDATES`` rows: the newest
    matches of the caller's own queryset (its access rules and filters
    included), found with the plan that suits the word's frequency. A list or
    an admin search for a very common word therefore holds its best
    ``CANDIDATES`` recent matches, not every match.
    """
    model = queryset.model
    table = model._meta.concrete_model._meta.db_table
    fuzzy = fuzzy_table(model)
    match, rank = _match_and_rank(table, fuzzy, parsed)
    # RawSQL takes positional parameters: expand the named ones in order.
    match_sql, match_params = _positional(match, _params(parsed))
    rank_sql, rank_params = _positional(rank, _params(parsed))
    matching = queryset.filter(RawSQL(match_sql, match_params, output_field=BooleanField()))
    newest = matching.order_by("-pk").values_list("pk", flat=True)
    with transaction.atomic(), connection.cursor() as cursor:
        ids = None
        if not fuzzy and _walk_first(table, parsed, cursor):
            threshold = model._base_manager.order_by("-pk").values_list("pk", flat=True)[WALK_ROWS : WALK_ROWS + 1]
            cursor.execute(PLAN_WITH_WALK)
            ids = _fetch_ids(cursor, newest.filter(pk__gte=threshold[0] if threshold else 0)[:CANDIDATES])
            if len(ids) < CANDIDATES:
                ids = None
        if ids is None:
            cursor.execute(PLAN_WITH_BITMAPS)
            if _needs_positions(parsed):
                # Phrases and exclusions read each row's vector: check them on the newest rows having every word.
                loose, loose_params = _tsquery(parsed, exact=False)
                loose_sql, loose_params = _positional(f'"{table}"."search_vector" @@ ({loose})', loose_params)
                having_words = queryset.filter(RawSQL(loose_sql, loose_params, output_field=BooleanField()))
                ids = _fetch_ids(cursor, having_words.order_by("-pk").values_list("pk", flat=True)[: CANDIDATES * 4])
                newest = model._base_manager.filter(pk__in=ids)
                newest = newest.filter(RawSQL(match_sql, match_params, output_field=BooleanField()))
                newest = newest.order_by("-pk").values_list("pk", flat=True)
            ids = _fetch_ids(cursor, newest[:CANDIDATES])
        cursor.execute(PLAN_DEFAULTS)
    return queryset.filter(pk__in=ids).annotate(search_rank=RawSQL(rank_sql, rank_params, output_field=FloatField()))


def _fetch_ids(cursor, queryset: QuerySet) -> list:
    """Run a ``values_list("pk", flat=True)`` queryset on ``cursor`` (whose session settings apply)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. pk__in an empty list
        return []
    cursor.execute(sql, params)
    return [row[0] for row in cursor.fetchall()]


def _positional(sql: str, params: dict) -> tuple[str, list]:
    """Rewrite ``%(name)s`` placeholders as ``%s`` with their values in order, as RawSQL needs."""
    values = []

    def replace(match: re.Match) -> str:
        values.append(params[match.group(1)])
        return "%s"

    return _NAMED.sub(replace, sql), values


def _readable(search_type: SearchType, restricted: bool) -> tuple[str, dict]:
    """The access rule for ``search_type``'s rows ``t``, with named parameters, applied before ranking
    so nothing unreadable is ranked or counted.

    IS TRUE keeps the b-tree indexes on the rule's columns from standing in for the GIN or primary key index.
    """
    sql, values = search_type.readable_sql("t", restricted=restricted)
    params = {f"readable_{index}": value for index, value in enumerate(values)}
    names = iter(params)
    return f"({re.sub('%s', lambda _match: f'%({next(names)})s', sql)}) IS TRUE", params


def _needs_positions(parsed: ParsedQuery) -> bool:
    """Whether the GIN index alone cannot answer the query (phrases, exclusions): rows must be rechecked."""
    return bool(parsed.excluded) or any(len(term.words) > 1 for group in parsed.groups for term in group)


def ranked_sql(
    search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int, walk: bool
) -> tuple[str, dict]:
    """The SQL of :func:`ranked` and its parameters (also for EXPLAIN in the benchmark).

    Either plan ranks at most ``CANDIDATES`` rows, because ranking reads each
    row's whole vector (ranking the 90,000 matches of a very common word would
    cost about a second at 100,000 reports):

    - the *bitmap* plan, for words of a few thousand matches at most: the GIN
      index lists the readable rows having every word (no vector is read; the
      caller disables plain index and sequential scans, since the planner
      deems ``@@`` on a row cheap though it reads the whole vector), phrases and
      exclusions are checked on the newest of those, the newest
      ``CANDIDATES`` are ranked;
    - the *walk* plan, for very common words: the newest ``WALK_ROWS``
      readable rows are read newest first and the first ``CANDIDATES`` matches
      are ranked. ``found`` tells the caller when too few matched and the
      bitmap plan must answer instead.
    """
    loose, params = _tsquery(parsed, exact=False)
    exact = _needs_positions(parsed)
    _match, rank = _match_and_rank("t", search_type.fuzzy, parsed)
    tsquery = _tsquery(parsed)[0]
    names = ", t.search_names" if search_type.fuzzy else ""
    fuzzy = f" OR {NAMES} <%% t.search_names" if search_type.fuzzy else ""
    # IS TRUE keeps the b-tree indexes on these columns from standing in for the GIN or primary key index.
    readable, readable_params = _readable(search_type, restricted)
    if walk:
        matches = f"""
            SELECT t.id, t.search_vector{names} FROM {search_type.table} t
            WHERE t.id >= coalesce(
                (SELECT newest.id FROM {search_type.table} newest ORDER BY newest.id DESC OFFSET {WALK_ROWS} LIMIT 1), 0
            ) AND {readable} AND (t.search_vector @@ {tsquery}{fuzzy})
            ORDER BY t.id DESC LIMIT {CANDIDATES}
        """
    else:
        matches = f"""
            SELECT t.id, t.search_vector{names} FROM {search_type.table} t
            WHERE (t.search_vector @@ ({loose}){fuzzy}) AND {readable}
            ORDER BY t.id DESC LIMIT {CANDIDATES * 4 if exact else CANDIDATES}
        """
        if exact:
            matches = f"""
                SELECT t.* FROM ({matches}) t WHERE t.search_vector @@ {tsquery}{fuzzy}
                ORDER BY t.id DESC LIMIT {CANDIDATES}
            """
    sql = f"""
        WITH candidates AS MATERIALIZED ({matches})
        SELECT t.id, {rank} AS score, (SELECT count(*) FROM candidates) AS found
        FROM candidates t ORDER BY score DESC, t.id DESC LIMIT %(limit)s
    """
    return sql, {**params, **_params(parsed), **readable_params, "limit": limit}


def _estimated_matches(table: str, parsed: ParsedQuery, cursor) -> float:
    """The planner's estimate of the rows having every word (from the column's statistics)."""
    loose, params = _tsquery(parsed, exact=False)
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} t WHERE t.search_vector @@ ({loose})", params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]["Plan Rows"]


def _walk_first(table: str, parsed: ParsedQuery, cursor) -> bool:
    """Whether the words look common enough for the walk plan to find ``CANDIDATES`` matches."""
    estimate = _estimated_matches(table, parsed, cursor)
    if estimate < WALK_FROM:
        return False
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    return estimate >= WALK_SHARE * cursor.fetchone()[0]


def ranked(search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` readable matches of one type as (id, score), best first."""
    with transaction.atomic(), connection.cursor() as cursor:
        rows = None
        if not search_type.fuzzy and _walk_first(search_type.table, parsed, cursor):
            sql, params = ranked_sql(search_type, parsed, restricted=restricted, limit=limit, walk=True)
            cursor.execute(PLAN_WITH_WALK)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if not rows or rows[0][2] < CANDIDATES:
                rows = None
        if rows is None:
            sql, params = ranked_sql(search_type, parsed, restricted=restricted, limit=limit, walk=False)
            cursor.execute(PLAN_WITH_BITMAPS)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        cursor.execute(PLAN_DEFAULTS)
    return [(row_id, float(score)) for row_id, score, _found in rows]


def snippets(search_type: SearchType, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
    """Highlighted passages for the given rows only (ts_headline is the costly part)."""
    if not ids:
        return {}
    parts = [
        f"left(t.{name}, {HEADLINE_TEXT_LIMIT})" if name == "text" else f"t.{name}"
        for name in search_type.snippet_fields
    ]
    if search_type.fuzzy:
        parts.insert(0, "(SELECT string_agg(a.name, ', ' ORDER BY a.name) FROM actors_alias a WHERE a.actor_id = t.id)")
    document = f"concat_ws(' … ', {', '.join(parts)})"
    sql = f"""
        SELECT t.id, ts_headline('{CONFIG}', {document}, {_tsquery(parsed)[0]}, %(options)s)
        FROM {search_type.table} t WHERE t.id = ANY(%(ids)s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {**_params(parsed), "options": HEADLINE_OPTIONS, "ids": list(ids)})
        return dict(cursor.fetchall())
