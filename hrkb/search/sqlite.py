"""SQLite search, the embedded default: FTS5 tables, bm25 ranking, snippet(), trigram names.

Same results shape as PostgreSQL, with documented differences: FTS5's porter
stemmer instead of PostgreSQL's English one (and no stop words), bm25 scores
instead of ts_rank_cd, and misspelt names found by a trigram pre-selection
(FTS5 trigram tokenizer, SQLite 3.34+) re-scored in Python with
:func:`difflib.SequenceMatcher`, instead of pg_trgm.
"""

from __future__ import annotations

import difflib
import unicodedata

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .documents import SearchType, fuzzy_table
from .query import ParsedQuery
from .schema import DOCUMENTS, SQLITE_HAS_TRIGRAM

# Column weights for bm25, in the order of the FTS5 table's columns (A, B, C as on PostgreSQL).
WEIGHTS = {"A": 10.0, "B": 4.0, "C": 1.0}
# How many trigram pre-selected names are re-scored, and the similarity a misspelling needs.
FUZZY_CANDIDATES = 200
FUZZY_THRESHOLD = 0.75
SNIPPET_TOKENS = 24


def _bm25(table: str) -> str:
    weights = ", ".join(str(WEIGHTS[column.weight]) for column in DOCUMENTS[table])
    return f"bm25({table}_search, {weights})"


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


def filter_queryset(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    table = queryset.model._meta.concrete_model._meta.db_table
    fts = f"{table}_search"
    expression = parsed.to_fts5()
    match = f'"{table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)'
    rank = f'(SELECT {_score(_bm25(table))} FROM {fts} WHERE {fts} MATCH %s AND {fts}.rowid = "{table}"."id")'
    match_params, rank_params = [expression], [expression]
    similar = fuzzy_names(parsed) if fuzzy_table(queryset.model) else {}
    if similar:
        ids = ", ".join(str(int(row_id)) for row_id in similar)
        cases = " ".join(f"WHEN {int(row_id)} THEN {float(score)!r}" for row_id, score in similar.items())
        match = f'({match} OR "{table}"."id" IN ({ids}))'
        rank = f'max(coalesce({rank}, 0.0), CASE "{table}"."id" {cases} ELSE 0.0 END)'
    return queryset.filter(RawSQL(match, match_params, output_field=BooleanField())).annotate(
        search_rank=RawSQL(rank, rank_params, output_field=FloatField())
    )


def ranked(search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` readable matches of one type as (id, score), best first."""
    table = search_type.table
    fts = f"{table}_search"
    readable, readable_params = search_type.readable_sql("t", restricted=restricted)
    sql = f"""
        SELECT t.id, {_score(_bm25(table))} AS score FROM {fts} JOIN {table} t ON t.id = {fts}.rowid
        WHERE {fts} MATCH %s AND {readable}
        ORDER BY score DESC, t.id DESC LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [parsed.to_fts5(), *readable_params, limit])
        scores = {row_id: float(score) for row_id, score in cursor.fetchall()}
    if search_type.fuzzy:
        for row_id, similarity in fuzzy_names(parsed, f"AND {readable}", readable_params).items():
            scores[row_id] = max(scores.get(row_id, 0.0), similarity)
    return sorted(scores.items(), key=lambda pair: (-pair[1], -pair[0]))[:limit]


def snippets(search_type: SearchType, parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
    """Highlighted passages for the given rows (rows found only by a fuzzy name get none)."""
    if not ids:
        return {}
    fts = f"{search_type.table}_search"
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT rowid, snippet({fts}, -1, char(2), char(3), '…', {SNIPPET_TOKENS}) FROM {fts}
        WHERE {fts} MATCH %s AND rowid IN ({placeholders})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [parsed.to_fts5(), *ids])
        return dict(cursor.fetchall())
