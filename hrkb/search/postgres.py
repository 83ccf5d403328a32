"""PostgreSQL search: stored tsvectors with GIN indexes, ts_rank_cd, ts_headline, pg_trgm names."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .documents import SearchType, fuzzy_table
from .query import ParsedQuery
from .schema import CONFIG

# Matches beyond this many (newest first) are not ranked: ranking reads each match's whole
# vector, and a word half of a large corpus contains would cost hundreds of milliseconds.
CANDIDATES = 1000

TSQUERY = f"websearch_to_tsquery('{CONFIG}', %(query)s)"
NAMES = "lower(unaccent(%(names)s))"
_NAMED = re.compile(r"%\((\w+)\)s")
HEADLINE_OPTIONS = 'StartSel=\x02, StopSel=\x03, MaxFragments=2, MaxWords=24, MinWords=10, FragmentDelimiter=" … "'
# ts_headline parses the whole document it is given: bound the work for very long texts.
HEADLINE_TEXT_LIMIT = 100_000


def _params(parsed: ParsedQuery) -> dict:
    return {"query": parsed.to_websearch(), "names": parsed.names_text}


def _match_and_rank(table: str, fuzzy: bool) -> tuple[str, str]:
    vector = f'"{table}"."search_vector"'
    match = f"{vector} @@ {TSQUERY}"
    rank = f"ts_rank_cd({vector}, {TSQUERY}, 32)"
    if fuzzy:
        names = f'"{table}"."search_names"'
        match = f"({match} OR {NAMES} <%% {names})"
        rank = f"greatest({rank}, word_similarity({NAMES}, {names}))"
    return match, rank


def filter_queryset(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    table = queryset.model._meta.concrete_model._meta.db_table
    match, rank = _match_and_rank(table, fuzzy_table(queryset.model))
    # RawSQL takes positional parameters: expand the named ones in order.
    match_sql, match_params = _positional(match, _params(parsed))
    rank_sql, rank_params = _positional(rank, _params(parsed))
    return queryset.filter(RawSQL(match_sql, match_params, output_field=BooleanField())).annotate(
        search_rank=RawSQL(rank_sql, rank_params, output_field=FloatField())
    )


def _positional(sql: str, params: dict) -> tuple[str, list]:
    """Rewrite ``%(name)s`` placeholders as ``%s`` with their values in order, as RawSQL needs."""
    values = []

    def replace(match: re.Match) -> str:
        values.append(params[match.group(1)])
        return "%s"

    return _NAMED.sub(replace, sql), values


def readable_sql(search_type: SearchType, *, restricted: bool, alias: str = "t") -> str:
    """The access rule in SQL, applied before ranking so nothing unreadable is ranked or counted."""
    conditions = [f"{alias}.status = 'published'"]
    if not restricted:
        conditions.append(f"NOT {alias}.restricted")
    if search_type.kind:
        conditions.append(f"{alias}.kind = '{search_type.kind}'")
    if search_type.name == "quote":
        # A quote names its speaker: an unreadable speaker makes the quote unreadable.
        speaker = "s.status = 'published'" + ("" if restricted else " AND NOT s.restricted")
        conditions.append(f"EXISTS (SELECT 1 FROM actors_actor s WHERE s.id = {alias}.speaker_id AND {speaker})")
    return " AND ".join(conditions)


def ranked(search_type: SearchType, parsed: ParsedQuery, *, restricted: bool, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` readable matches of one type as (id, score), best first."""
    table = search_type.table
    match, rank = _match_and_rank("t", search_type.fuzzy)
    names = ", t.search_names" if search_type.fuzzy else ""
    sql = f"""
        WITH candidates AS MATERIALIZED (
            SELECT t.id, t.search_vector{names} FROM {table} t
            WHERE {match} AND {readable_sql(search_type, restricted=restricted)}
            ORDER BY t.id DESC LIMIT {CANDIDATES}
        )
        SELECT t.id, {rank} AS score FROM candidates t ORDER BY score DESC, t.id DESC LIMIT %(limit)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {**_params(parsed), "limit": limit})
        return [(row_id, float(score)) for row_id, score in cursor.fetchall()]


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
        SELECT t.id, ts_headline('{CONFIG}', {document}, {TSQUERY}, %(options)s)
        FROM {search_type.table} t WHERE t.id = ANY(%(ids)s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {**_params(parsed), "options": HEADLINE_OPTIONS, "ids": list(ids)})
        return dict(cursor.fetchall())
