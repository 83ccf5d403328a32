"""PostgreSQL search: stored tsvectors, ranked exactly; RUM reads the best matches in order.

Every match is a candidate: the first page holds the best-ranked readable
matches among all of them, whatever their age. Two rank functions, one per
installation, each used for every query of that installation:

- with the RUM extension (``postgresql-15-rum``; the migration creates it and a
  RUM index on each search vector where it can), the score is RUM's
  ``rum_ts_score``, weights A 1.0, B 0.4, C 0.2, D 0.1, so a title match
  outweighs a summary match outweighs a body match. For one word it is
  ``ts_rank``'s formula (each occurrence by its part's weight, the n-th best
  counting 1/n² as much); for several it is cover density, ``ts_rank_cd``'s idea:
  each shortest span holding all the words scores by its parts' weights, less
  for every other word inside it, and repeats of a span of the same words count
  1/n² as much. The list ``search`` orders by the distance ``search_vector <=>
  query`` (its inverse), which the RUM index returns in order: ``LIMIT k``
  reads about ``k`` rows rather than ranking every match;
- a phrase must appear as written to match, and is scored as its words
  together (cover density rewards them close together): RUM's index order is
  not the rank order of a phrase
  operator (at 100,000 reports, 6 of the 10 best phrase matches in index order
  were the exhaustive ranking's), and it is the order of its words together;
- a query whose matches must hold three or more words together ("famine
  torture refugees", "lim hye hee", or a word PostgreSQL's parser splits:
  "Sang-na" makes ``sang-na``, ``sang`` and ``na``) is ranked exhaustively:
  the index's order is not the rank order for them (see ``_in_index_order``);
- without it (a managed PostgreSQL that does not offer RUM), ``ts_rank`` with
  the same weights ranks every match: still exact, slower for very common
  words (about 0.8 s for a word in 90 % of 100,000 reports).

Scores are mapped onto 0..1 as ``rank / (rank + 1)``. Actors are also found by
misspelt names (pg_trgm); their score is the better of the two, and since no
index orders by that, every matching actor is ranked (the table is small).
"""

from __future__ import annotations

import functools
import json
import re
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .documents import SearchType, fuzzy_table
from .query import ParsedQuery
from .schema import CONFIG, rum_index

NAMES = "lower(unaccent(%(names)s))"
_NAMED = re.compile(r"%\((\w+)\)s")
HEADLINE_OPTIONS = 'StartSel=\x02, StopSel=\x03, MaxFragments=2, MaxWords=24, MinWords=10, FragmentDelimiter=" … "'
# ts_headline parses the whole document it is given: bound the work for very long texts.
HEADLINE_TEXT_LIMIT = 100_000
#: The annotation a list's ``search`` orders by where RUM can give the order (see hrkb.api.pagination).
DISTANCE = "search_distance"


def _tsquery(parsed: ParsedQuery, *, scoring: bool = False) -> tuple[str, dict]:
    """The query as a tsquery expression built with tsquery operators, and its parameters.

    Built rather than left to ``websearch_to_tsquery``, whose ``a OR b -c``
    means ``a | (b & !c)``: here, as on SQLite, it means ``(a | b) & !c``. Each
    term goes through ``phraseto_tsquery`` (the text search configuration
    normalises it; a phrase's words must be adjacent, ``<->``). ``scoring``: the
    query a match is scored by, each wanted term's words joined by ``&``
    (``plainto_tsquery``), which RUM's index returns in rank order where it
    does not for ``<->`` (see the module's docstring); the same parameters.
    """
    wanted = "plainto_tsquery" if scoring else "phraseto_tsquery"
    params, groups = {}, []
    for group_index, group in enumerate(parsed.groups):
        alternatives = []
        for term_index, term in enumerate(group):
            key = f"q_{group_index}_{term_index}"
            params[key] = term.text
            alternatives.append(f"{wanted}('{CONFIG}', %({key})s)")
        groups.append("(" + " || ".join(alternatives) + ")")
    for index, term in enumerate(parsed.excluded):
        params[f"x_{index}"] = term.text
        groups.append(f"(!! phraseto_tsquery('{CONFIG}', %(x_{index})s))")
    return "(" + " && ".join(groups) + ")", params


def _params(parsed: ParsedQuery) -> dict:
    return {**_tsquery(parsed)[1], "names": parsed.names_text}


def has_rum(table: str) -> bool:
    """Whether ``table``'s search vector has its RUM index (looked up once per connection)."""
    cache = connection.__dict__.setdefault("_hrkb_rum", {})
    key = (connection.settings_dict["NAME"], table)
    if key not in cache:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [rum_index(table)])
            cache[key] = cursor.fetchone() is not None
    return cache[key]


def rank_sql(table: str, alias: str, parsed: ParsedQuery, *, fuzzy: bool) -> tuple[str, str, str | None]:
    """The match condition, the 0..1 score and (with RUM, not fuzzy) the distance, on the row ``alias``.

    Named parameters: :func:`_params`. The score is the engine's rank function;
    tests and the benchmark rank every match with it to check the engine's pages.
    """
    vector = f'"{alias}"."search_vector"'
    match = f"{vector} @@ {_tsquery(parsed)[0]}"
    scoring = _tsquery(parsed, scoring=True)[0]
    rum = has_rum(table)
    raw = f"rum_ts_score({vector}, {scoring})" if rum else f"ts_rank({vector}, {scoring})"
    # Both functions return real (float4): as double precision, the rank a client gets back in a
    # keyset cursor compares equal to the rank the database computes again for the next page.
    score = f"(({raw})::double precision / (1 + ({raw})::double precision))"
    # Exactly `vector <=> query` (no cast) or the planner does not see the RUM index's ordering operator. It is
    # real (float4); a cursor's value comes back as double precision, compared exactly (float48 operators).
    # The index tests the phrase and orders by its words, where its order is the rank order (_in_index_order).
    in_order = rum and not fuzzy and _in_index_order(parsed)
    distance = f"{vector} <=> {scoring}" if in_order else None
    if fuzzy:
        names = f'"{alias}"."search_names"'
        match = f"({match} OR {NAMES} <%% {names})"
        score = f"greatest({score}, word_similarity({NAMES}, {names}))"
    return match, score, distance


#: The most words a match must hold together for RUM's index order to be the rank order.
IN_ORDER_WORDS = 2


def _in_index_order(parsed: ParsedQuery) -> bool:
    """Whether RUM's index returns the matches of ``parsed`` in the rank function's order.

    The index computes a match's distance from the positions it stores, and
    where three or more words must all be there it does not always agree with
    ``rum_ts_score`` on the row: at 100,000 reports "famine torture refugees"
    came with 456 inversions in its first 2,000 rows and a wrong first page,
    "lim hye hee" with 212, "Lim Hoon-il" (four lexemes: the parser splits
    "hoon-il" and keeps the whole) with a wrong first page. For one or two
    words, and alternatives of them, the index's distances were the function's
    and in order (0 inversions in 2,000 rows for each of 20 queries: words,
    names, phrases of two words, OR, exclusions). So: at most
    :data:`IN_ORDER_WORDS` words a match must hold together, counted from the
    widest alternative of each group as PostgreSQL's parser makes them.
    """
    # Words of letters and digits make at most one lexeme each: most queries need not ask the parser.
    return _together(parsed, _words_at_most) <= IN_ORDER_WORDS or _together(parsed, _lexemes) <= IN_ORDER_WORDS


def _together(parsed: ParsedQuery, count) -> int:
    """The words a match must hold together: the widest alternative of each group, by ``count``."""
    return sum(max(count(term) for term in group) for group in parsed.groups)


def _words_at_most(term) -> int:
    return sum(1 if word.isalnum() else IN_ORDER_WORDS + 1 for word in term.words)


def _lexemes(term) -> int:
    """The words PostgreSQL's parser makes of ``term``, as its query must hold them together: stop words
    dropped ("the right to food": 2), a word with a separator as the whole and its parts ("Sang-na": 3)."""
    return _operands(term.text)


@functools.lru_cache(maxsize=4096)
def _operands(text: str) -> int:
    # plainto_tsquery joins n lexemes with n - 1 operators. The parser is the database's, but the same in every
    # database of this schema (the migration's configuration), so a count is kept for the process.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (numnode(plainto_tsquery('{CONFIG}', %s)) + 1) / 2", [text])
        return cursor.fetchone()[0]


def match_sql(search_type: SearchType, parsed: ParsedQuery, alias: str, restricted: bool | None) -> tuple[str, list]:
    """Whether the row ``alias`` of ``search_type``'s table matches, with positional parameters (for facets).

    The access rule is the caller's to add; ``restricted`` makes no difference here (see :func:`filter_queryset`).
    """
    match, _score, _distance = rank_sql(search_type.table, alias, parsed, fuzzy=search_type.fuzzy)
    return _positional(match, _params(parsed))


#: The year of a date column, as an integer (for the year facet).
YEAR = "CAST(EXTRACT(YEAR FROM {column}) AS integer)"


def facet_rows(sql: str, params: list) -> list[tuple]:
    """Run the facets' statement with the matches read through the search index, never a table scan.

    For a word in most rows the planner prefers a sequential scan that evaluates ``@@`` on every row,
    reading (detoasting) every search vector: 1.2 s at 100,000 reports, against 85 ms for the RUM
    (or GIN) index's bitmap of the same matches, whose rows need no recheck. Its cost model does not
    price the detoasting, so the scan is switched off for this one statement; inside a savepoint, so
    that an error rolls the setting back with it.
    """
    with sort_memory() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute("RESET enable_seqscan")
    return rows


def filter_queryset(queryset: QuerySet, parsed: ParsedQuery, restricted: bool | None = None) -> QuerySet:
    """The queryset narrowed to every match, annotated with ``search_rank`` (and ``search_distance`` with RUM).

    ``restricted`` (the client's clearance) makes no difference here: PostgreSQL's rank functions
    read only the row's own document, so no other record moves a score.

    Every match is ranked; with RUM the caller orders by ``search_distance``
    (ascending), which the index returns in order, so a page costs about its
    own rows and the rows before it.
    """
    model = queryset.model
    table = model._meta.concrete_model._meta.db_table
    match, score, distance = rank_sql(table, table, parsed, fuzzy=fuzzy_table(model))
    params = _params(parsed)
    match_sql, match_params = _positional(match, params)
    score_sql, score_params = _positional(score, params)
    queryset = queryset.filter(RawSQL(match_sql, match_params, output_field=BooleanField()))
    annotations = {"search_rank": RawSQL(score_sql, score_params, output_field=FloatField())}
    if distance is not None:
        distance_sql, distance_params = _positional(distance, params)
        annotations[DISTANCE] = RawSQL(distance_sql, distance_params, output_field=FloatField())
    return queryset.annotate(**annotations)


def rank_expression(model, parsed: ParsedQuery, *, most: bool) -> tuple[RawSQL, RawSQL]:
    """The match condition and the score of the current row of ``model``'s table, for the admin.

    The condition is an id subquery, as SQLite's is: a row test is answered by no index, so PostgreSQL
    would read every search vector of the table (0.8 s at 100,000 reports for a word found in none);
    unless the word is in most rows (``most``, as :func:`match_ids` found), when testing rows in turn
    is the cheaper plan.
    """
    table, subquery, params = _match_subquery(model, parsed)
    match, score, _distance = rank_sql(table, table, parsed, fuzzy=fuzzy_table(model))
    if not most:
        match = f'"{table}"."id" IN ({subquery})'
    return (
        RawSQL(*_positional(match, params), output_field=BooleanField()),
        RawSQL(*_positional(score, params), output_field=FloatField()),
    )


#: Past this share of a table, the admin tests each row rather than collecting the matches first.
MOST = 0.1


def _match_subquery(model, parsed: ParsedQuery) -> tuple[str, str, dict]:
    """``model``'s table, the ids of its matches as a subquery of their own, and its named parameters."""
    table = model._meta.concrete_model._meta.db_table
    inner, _score, _distance = rank_sql(table, "search_match", parsed, fuzzy=fuzzy_table(model))
    return table, f'SELECT "search_match"."id" FROM {table} "search_match" WHERE {inner}', _params(parsed)


def match_ids(model, parsed: ParsedQuery) -> RawSQL | None:
    """The ids of ``model``'s matches as a subquery of their own, or None for a word expected in most rows.

    The admin unions it with its ``search_fields`` matches into one ``IN`` (joined from the matches'
    side); for a word in most rows, testing rows in turn is the cheaper plan (:func:`_matches_most`).
    """
    table, subquery, params = _match_subquery(model, parsed)
    if _matches_most(table, subquery, params):
        return None
    return RawSQL(*_positional(subquery, params))


def _matches_most(table: str, subquery: str, params: dict) -> bool:
    """Whether the planner expects ``subquery`` to match more than :data:`MOST` of ``table``.

    A word in most rows and a rare one need opposite plans, and under the admin's OR PostgreSQL
    cannot choose between them itself: for a word in 92 % of 100,000 reports, collecting 92,000 ids
    first costs a second where testing rows in turn finds the first 10,001 in 0.1 s; for a rare
    word, testing rows reads every search vector (0.8 s) where the index gives the matches at once.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
        if not row or row[0] <= 0:
            return False
        sql, values = _positional(subquery, params)
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, values)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"] > MOST * row[0]


def _positional(sql: str, params: dict) -> tuple[str, list]:
    """Rewrite ``%(name)s`` placeholders as ``%s`` with their values in order, as RawSQL needs."""
    values = []

    def replace(match: re.Match) -> str:
        values.append(params[match.group(1)])
        return "%s"

    return _NAMED.sub(replace, sql), values


def _readable(search_type: SearchType, restricted: bool) -> tuple[str, dict]:
    """The access rule for ``search_type``'s rows ``t``, with named parameters, applied before ranking
    so nothing unreadable is ranked or counted."""
    return _named("readable", *search_type.readable_sql("t", restricted=restricted))


NO_FILTER = ("TRUE", [])


def _named(prefix: str, sql: str, values: list) -> tuple[str, dict]:
    """Positional ``%s`` placeholders renamed ``%(prefix_N)s``, with their parameters."""
    params = {f"{prefix}_{index}": value for index, value in enumerate(values)}
    names = iter(params)
    return re.sub("%s", lambda _match: f"%({next(names)})s", sql), params


def ranked_sql(
    search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int, where: tuple[str, list] = NO_FILTER
) -> tuple[str, dict]:
    """The SQL of :func:`ranked` and its parameters (also for EXPLAIN in the benchmark).

    With RUM the rows come nearest first by distance alone: a second sort key would make PostgreSQL
    rank every match rather than read the index in order. They also carry the distance, for
    :func:`ranked` to settle ties. ``where``: a further condition on ``t`` (facet filters), positional.
    """
    match, score, distance = rank_sql(search_type.table, "t", parsed, fuzzy=search_type.fuzzy)
    readable, readable_params = _readable(search_type, restricted)
    filtered, filtered_params = _named("where", *where)
    if distance:
        order, extra = distance, f", {distance} AS distance"
    else:
        order, extra = "score DESC, t.id DESC", ""
    sql = f"""
        SELECT t.id, {score} AS score{extra} FROM {search_type.table} t
        WHERE {match} AND {readable} AND {filtered}
        ORDER BY {order} LIMIT %(limit)s
    """
    return sql, {**_params(parsed), **readable_params, **filtered_params, "limit": limit}


#: Rows read at least once the last row wanted is tied with the next (see :func:`nearest`).
TIED_BATCH = 1000


def first_read(*, narrowed: bool) -> int | None:
    """The first read's size for :func:`nearest`: :data:`TIED_BATCH` unless a filter may pass few matches."""
    return None if narrowed else TIED_BATCH


def nearest(fetch, wanted: int, distance_of, id_of, *, first: int | None = None) -> list:
    """The first ``wanted`` rows by (distance, id descending), from ``fetch(n)``: the nearest ``n`` by distance alone.

    RUM's index orders by distance alone (a second sort key would make PostgreSQL rank every
    match), so rows tied in distance come in any order: read on until every row tied with the
    last one wanted is in, then sort those few by the full order. Exact. One row past the ones
    wanted tells whether the last is tied; if it is, the next read is :data:`TIED_BATCH` rows at
    least: the index computes the distance of every match whatever the LIMIT (60 ms for "famine"
    at 100,000 reports, for 21 rows as for 1,000; 150 ms for a name in 33,000 of them), and
    templated texts tie by hundreds. The first read stays small: with a filter (a facet, the
    access rule) each row read is a heap row checked, and a filter may pass few of them; a caller
    that knows its filter passes most rows may ask for ``first`` rows at once (more rows cost little
    beside the second pass over every match a tie would take: at 100,000 reports, 129 ms for 21
    rows of "tribunal OR sanctions", 138 ms for 1,000).
    """
    batch = max(wanted + 1, first or 0)
    while True:
        rows = fetch(batch)
        if len(rows) < batch or distance_of(rows[-1]) > distance_of(rows[wanted - 1]):
            break
        batch = max(batch * 8, TIED_BATCH)
    rows.sort(key=lambda row: (distance_of(row), -id_of(row)))
    return rows[:wanted]


#: Memory for RUM's sort of every match's distance (``with sort_memory(): nearest(...)``): at 4 MB
#: (PostgreSQL's default) the 92,000 distances of "famine" at 100,000 reports spill to disk (83-95 ms);
#: with this, 51-53 ms.
SORT_MEMORY = "64MB"


@contextmanager
def sort_memory():
    """Statements that may sort in :data:`SORT_MEMORY`, then the session's setting again.

    Inside a savepoint: an error rolls the setting back with it (``SET LOCAL`` would outlive a
    released savepoint, to the end of a request's or a test's transaction).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{SORT_MEMORY}'")
        yield cursor
        cursor.execute("RESET work_mem")


def ranked(
    search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int, where: tuple[str, list] = NO_FILTER
) -> list[tuple[int, float]]:
    """The best ``limit`` readable matches of one type as (id, score), best first (ties: newest first)."""

    def fetch(batch):
        sql, params = ranked_sql(search_type, parsed, restricted=restricted, limit=batch, where=where)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    if rank_sql(search_type.table, "t", parsed, fuzzy=search_type.fuzzy)[2] is None:
        rows = fetch(limit)
    else:  # with RUM: (id, score, distance), nearest first
        # Without a facet filter (each carries its values as parameters) the access rule passes most matches.
        with sort_memory():
            first = first_read(narrowed=bool(where[1]))
            rows = nearest(fetch, limit, lambda row: row[2], lambda row: row[0], first=first)
    return [(row[0], float(row[1])) for row in rows]


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
