"""SQLite search, the embedded default: FTS5 tables, bm25 ranking, snippet(), trigram names.

Same results shape as PostgreSQL, with documented differences: FTS5's porter
stemmer instead of PostgreSQL's English one (and no stop words), bm25 scores
instead of ts_rank_cd, and misspelt names found by a trigram pre-selection
(FTS5 trigram tokenizer, SQLite 3.34+) re-scored in Python with
:func:`difflib.SequenceMatcher`, instead of pg_trgm.
"""

from __future__ import annotations

import contextlib
import difflib
import unicodedata

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .documents import START, Marked, SearchType, clipped, fuzzy_table
from .query import ParsedQuery
from .schema import DOCUMENTS, SQLITE_HAS_TRIGRAM, audience_table

# Column weights for bm25, in the order of the FTS5 table's columns (A > B > C > D as on PostgreSQL).
WEIGHTS = {"A": 10.0, "B": 4.0, "C": 2.0, "D": 1.0}
# How many trigram pre-selected names are re-scored, and the similarity a misspelling needs.
FUZZY_CANDIDATES = 200
FUZZY_THRESHOLD = 0.75
SNIPPET_TOKENS = 24


def _bm25(table: str, fts: str) -> str:
    weights = ", ".join(str(WEIGHTS[column.weight]) for column in DOCUMENTS[table])
    return f"bm25({fts}, {weights})"


def _score(bm25_sql: str) -> str:
    # bm25 is negative, better when lower; map it onto 0..1 like ts_rank_cd's normalisation 32.
    return f"(-({bm25_sql}) / (1.0 - ({bm25_sql})))"


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(char if char.isalnum() else " " for char in letters).split())


def _name_similarity(query: str, names: str) -> float:
    """The best match of the query against any run of as many words in the names (like word_similarity)."""
    query_words = query.split()
    words = names.split()
    size = len(query_words)
    best = 0.0
    for start in range(max(1, len(words) - size + 1)):
        window = " ".join(words[start : start + size])
        best = max(best, difflib.SequenceMatcher(None, query, window).ratio())
    return best


def fuzzy_names(parsed: ParsedQuery, extra_where: str = "", params=()) -> dict[int, float]:
    """Actors whose name or alias resembles the query: {actor id: similarity}."""
    query = _normalise(parsed.names_text)
    trigrams = {word[i : i + 3] for word in query.split() for i in range(len(word) - 2)}
    if not SQLITE_HAS_TRIGRAM or not trigrams:
        return {}
    expression = " OR ".join(f'"{trigram}"' for trigram in sorted(trigrams))
    sql = f"""
        SELECT g.rowid, g.names FROM actors_actor_trigram g JOIN actors_actor t ON t.id = g.rowid
        WHERE actors_actor_trigram MATCH %s {extra_where}
        ORDER BY g.rank LIMIT {FUZZY_CANDIDATES}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *params])
        rows = cursor.fetchall()
    similar = {}
    for row_id, names in rows:
        similarity = _name_similarity(query, _normalise(names))
        if similarity >= FUZZY_THRESHOLD:
            similar[row_id] = similarity
    return similar


def _row_score(table: str, fts: str) -> str:
    """The score of the row ``"{table}"``, from every match ranked once (one parameter: the MATCH expression).

    The matches are scored in one pass and materialised; each row then looks
    its score up. A correlated ``MATCH ... AND rowid = id`` per row would make
    FTS5 recompute bm25's statistics (a scan of every term's document list)
    for every row: 35 s for a query of many common words at 5,000 reports.
    """
    scores = f"SELECT rowid, {_score(_bm25(table, fts))} FROM {fts} WHERE {fts} MATCH %s"
    return f'(WITH s(rid, score) AS MATERIALIZED ({scores}) SELECT s.score FROM s WHERE s.rid = "{table}"."id")'


def rank_sql(
    queryset: QuerySet, parsed: ParsedQuery, restricted: bool | None = None
) -> tuple[tuple[str, list], tuple[str, list]]:
    """The match condition and the 0..1 score of the current row of the queryset's table, with parameters.

    ``restricted``: the clearance of the client, whose FTS5 table (the rows it may read) gives bm25 its
    statistics; ``None`` for a curator (every row).
    """
    table = queryset.model._meta.concrete_model._meta.db_table
    fts = audience_table(table, restricted)
    expression = parsed.to_fts5()
    match = f'"{table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)'
    rank = _row_score(table, fts)
    match_params, rank_params = [expression], [expression]
    similar = fuzzy_names(parsed) if fuzzy_table(queryset.model) else {}
    if similar:
        ids = ", ".join(str(int(row_id)) for row_id in similar)
        cases = " ".join(f"WHEN {int(row_id)} THEN {float(score)!r}" for row_id, score in similar.items())
        match = f'({match} OR "{table}"."id" IN ({ids}))'
        rank = f'max(coalesce({rank}, 0.0), CASE "{table}"."id" {cases} ELSE 0.0 END)'
    return (match, match_params), (rank, rank_params)


def match_sql(search_type: SearchType, parsed: ParsedQuery, alias: str, restricted: bool | None) -> tuple[str, list]:
    """Whether the row ``alias`` of ``search_type``'s table matches, with positional parameters (for facets).

    The same matches as :func:`ranked`: the audience's FTS5 table, and misspelt names pre-selected
    among the rows the client may read only (a hidden actor never takes a readable one's place).
    """
    fts = audience_table(search_type.table, restricted)
    sql, params = f'{alias}."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)', [parsed.to_fts5()]
    if search_type.fuzzy:
        if restricted is None:
            readable, readable_params = 't."kind" = %s', [search_type.public_type.kind]
        else:
            readable, readable_params = search_type.readable_sql("t", restricted=restricted)
        similar = fuzzy_names(parsed, f"AND {readable}", readable_params)
        if similar:
            sql = f'({sql} OR {alias}."id" IN ({", ".join(str(int(row_id)) for row_id in similar)}))'
    return sql, params


#: The year of a date column (stored as ISO text), as an integer (for the year facet).
YEAR = "CAST(substr({column}, 1, 4) AS integer)"


def facet_rows(sql: str, params: list) -> list[tuple]:
    """Run the facets' statement (FTS5 gives the matches by rowid: no plan to steer)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


#: FTS5 gives the matches by rowid: there is no table scan to avoid (see postgres.through_index).
through_index = contextlib.nullcontext


def filter_queryset(queryset: QuerySet, parsed: ParsedQuery, restricted: bool | None = None) -> QuerySet:
    """The queryset narrowed to every match, annotated with ``search_rank`` (every match is ranked)."""
    (match, match_params), (rank, rank_params) = rank_sql(queryset, parsed, restricted)
    return queryset.filter(RawSQL(match, match_params, output_field=BooleanField())).annotate(
        search_rank=RawSQL(rank, rank_params, output_field=FloatField())
    )


def rank_expression(model, parsed: ParsedQuery) -> tuple[RawSQL, RawSQL]:
    """The match condition and the score of the current row of ``model``'s table, for the admin (FTS5's match is
    an index subquery)."""
    (match, match_params), (rank, rank_params) = rank_sql(model._base_manager.all(), parsed)
    return (
        RawSQL(match, match_params, output_field=BooleanField()),
        RawSQL(rank, rank_params, output_field=FloatField()),
    )


def match_ids(model, parsed: ParsedQuery) -> RawSQL:
    """The ids of ``model``'s matches as a subquery of their own (FTS5's, never a scan of the table)."""
    table = model._meta.concrete_model._meta.db_table
    (match, params), _rank = rank_sql(model._base_manager.all(), parsed)
    return RawSQL(f'SELECT "{table}"."id" FROM "{table}" WHERE {match}', params)


def ranked(
    search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int, where: tuple[str, list] = ("1", [])
) -> list[tuple[int, float]]:
    """The best ``limit`` readable matches of one type as (id, score), best first.

    ``where``: a further condition on ``t`` (facet filters), positional.
    """
    filtered, filtered_params = where
    table = search_type.table
    fts = audience_table(table, restricted)
    readable, readable_params = search_type.readable_sql("t", restricted=restricted)
    sql = f"""
        SELECT t.id, {_score(_bm25(table, fts))} AS score FROM {fts} JOIN {table} t ON t.id = {fts}.rowid
        WHERE {fts} MATCH %s AND {readable} AND {filtered}
        ORDER BY score DESC, t.id DESC LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [parsed.to_fts5(), *readable_params, *filtered_params, limit])
        scores = {row_id: float(score) for row_id, score in cursor.fetchall()}
    if search_type.fuzzy:
        # The pre-selection among readable rows only (a hidden actor never takes a readable one's place);
        # the filters then apply to what it found.
        similar = fuzzy_names(parsed, f"AND {readable}", readable_params)
        if similar and filtered_params:
            similar = _kept(search_type, similar, where)
        for row_id, similarity in similar.items():
            scores[row_id] = max(scores.get(row_id, 0.0), similarity)
    return sorted(scores.items(), key=lambda pair: (-pair[1], -pair[0]))[:limit]


def _kept(search_type: SearchType, similar: dict[int, float], where: tuple[str, list]) -> dict[int, float]:
    placeholders = ", ".join(["%s"] * len(similar))
    sql = f"SELECT t.id FROM {search_type.table} t WHERE t.id IN ({placeholders}) AND {where[0]}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*similar, *where[1]])
        return {row_id: similar[row_id] for (row_id,) in cursor.fetchall()}


def snippets(search_type: SearchType, parsed: ParsedQuery, ids: list[int]) -> dict[int, Marked]:
    """Each given row's title, its matches marked, and a highlighted passage (rows found only by a fuzzy name get
    none)."""
    if not ids:
        return {}
    fts = f"{search_type.table}_search"
    # Every type's first column begins with its title (hrkb.search.schema.DOCUMENTS: a report's title, then its
    # subtitle and aliases): the title is that column's highlight cut to the title's length. The passage is cut, as
    # on PostgreSQL, from the columns beside the title: all but a report's or an event's first (shown as the
    # title), an actor's names included (the aliases it is found by), a quote's (the quote) too.
    first = 0 if search_type.title_field in search_type.snippet_fields or search_type.fuzzy else 1
    passages = ", ".join(
        f"snippet({fts}, {column}, char(2), char(3), '…', {SNIPPET_TOKENS})"
        for column in range(first, len(DOCUMENTS[search_type.table]))
    )
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT {fts}.rowid, length(t.{search_type.title_field}), highlight({fts}, 0, char(2), char(3)), {passages}
        FROM {fts} JOIN {search_type.table} t ON t.id = {fts}.rowid
        WHERE {fts} MATCH %s AND {fts}.rowid IN ({placeholders})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [parsed.to_fts5(), *ids])
        # The column with the most matches; none matching (the title did), the first column's opening words.
        return {
            row_id: Marked(clipped(head, length), max(passages, key=lambda passage: passage.count(START)))
            for row_id, length, head, *passages in cursor.fetchall()
        }


def ranked_apart(parsed: ParsedQuery, search_types: list[SearchType]) -> None:
    """No type is ranked apart from the others: FTS5's rankings are ranked in turn."""
    return None
