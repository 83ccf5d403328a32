"""The search engine: one entry point for list filters and the admin, one for /search/."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from operator import itemgetter

from django.db import connection
from django.db.models import QuerySet
from django.urls import NoReverseMatch

from hrkb.readers import read_soon

from . import facets, postgres, sqlite
from .documents import Marked, SearchType, highlighted, is_searchable, search_types, shown
from .query import ParsedQuery, clean, parse

SUMMARY_LENGTH = 300


@dataclass(frozen=True)
class Hit:
    """One search result, ready to serialise: nothing in it is unreadable for the client."""

    type: str
    slug: str
    title: str
    #: The title as HTML, the query's matches in it marked.
    highlighted_title: str
    summary: str
    url: str | None
    snippet: str
    score: float


def _backend():
    if connection.vendor == "postgresql":
        return postgres
    if connection.vendor == "sqlite":
        return sqlite
    raise NotImplementedError(f"Search supports PostgreSQL and SQLite, not {connection.vendor}.")


def _parsed(q: str | ParsedQuery) -> ParsedQuery:
    return q if isinstance(q, ParsedQuery) else parse(clean(q))


def search_queryset(queryset: QuerySet, q: str | ParsedQuery, *, restricted: bool | None = None) -> QuerySet:
    """Narrow ``queryset`` to the records matching ``q``, best first, annotated with ``search_rank``.

    ``q`` in web-search syntax (see :mod:`hrkb.search.query`); an empty query
    leaves the queryset as it is. Raises :class:`~hrkb.search.query.SearchQueryError`
    for a query too long to search, and ``TypeError`` for a model without a
    search document (see :func:`is_searchable`). The caller's queryset keeps
    its access rules: this only narrows and orders it. ``restricted`` is the
    clearance of the client the queryset was narrowed for (``None``: a curator,
    who reads everything); on SQLite it chooses the statistics bm25 ranks with,
    so that no record the client cannot read moves a score.
    """
    if not is_searchable(queryset.model):
        raise TypeError(f"{queryset.model.__name__} has no search document.")
    parsed = _parsed(q)
    if not parsed:
        if parsed.excluded or (isinstance(q, str) and q.strip()):
            # Only exclusions, or no searchable word at all: nothing is "found".
            return queryset.none()
        return queryset
    results = _backend().filter_queryset(queryset, parsed, restricted)
    if postgres.DISTANCE in results.query.annotations:
        # RUM returns the rows nearest first: the same order as the score's, read from the index.
        return results.order_by(postgres.DISTANCE, "-pk")
    return results.order_by("-search_rank", "-pk")


def in_rum_order(results: QuerySet) -> bool:
    """Whether ``results`` (from :func:`search_queryset`) are in the RUM index's order (nearest first)."""
    order = results.query.order_by
    return bool(order) and order[0] == postgres.DISTANCE


def ranked_ids(results: QuerySet, offset: int, limit: int, *, first: int | None = None) -> list:
    """The primary keys of rows ``offset`` to ``offset + limit`` of ``results`` (from :func:`search_queryset`).

    In RUM's order they are read from the index by distance alone (:func:`postgres.nearest`): sliced as
    Django slices, the second key (newest first) would make PostgreSQL rank every match before the
    first row (0.9 s for a word in 88 % of 100,000 reports). ``first``: rows to read at once, where
    the caller knows its filters pass most matches (see :func:`postgres.nearest`). Three words or more
    and two or three alternatives are read from their parts' orders where RUM gives them
    (:func:`postgres.top_by_parts`).
    """
    if postgres.part_names(results) and tuple(results.query.order_by[:1]) == ("-search_rank",):
        top = postgres.top_by_parts(results, offset + limit)
        if top is not None:
            return top[offset:]
    if not in_rum_order(results):
        return list(results.values_list("pk", flat=True)[offset : offset + limit])
    ordered = results.order_by(postgres.DISTANCE).values_list("pk", postgres.DISTANCE)
    with postgres.sort_memory():
        rows = postgres.nearest(
            lambda batch: list(ordered[:batch]), offset + limit, itemgetter(1), itemgetter(0), first=first
        )
    return [pk for pk, _distance in rows[offset:]]


def search_expressions(model, q: str | ParsedQuery):
    """The match condition and the score (0..1) of the current row of ``model``, for the admin.

    Unlike :func:`search_queryset` this does not narrow anything: the admin
    combines the match with its own ``search_fields`` matching. The match tests
    the row's own document: alone in a query's conditions, the search index
    answers it; beside others, it tests rows already found (a page's rows).
    """
    return _backend().rank_expression(model, _parsed(q))


def match_ids(model, q: str | ParsedQuery):
    """The ids of ``model``'s matches as a subquery (for ``pk__in``), or None when ``q`` is expected in most
    rows, where testing each row is cheaper than collecting the matches (PostgreSQL's estimate)."""
    return _backend().match_ids(model, _parsed(q))


def through_index():
    """A block whose statements read a search's matches through the search index, never by a scan that tests
    every row's document (PostgreSQL: :func:`postgres.through_index`; FTS5 has no such scan)."""
    return _backend().through_index()


def count_at_most(matches: QuerySet, limit: int) -> int:
    """How many rows a searched queryset holds, counted to ``limit`` at most, its matches read through the
    search index (a word in most rows would make the planner test every row it scans)."""
    keys = matches.order_by().values("pk")[:limit]
    with through_index():
        return keys.count()


def search_all(
    q: str | ParsedQuery,
    *,
    types: list[str] | None = None,
    restricted: bool = False,
    limit: int = 20,
    offset: int = 0,
    filters: dict[str, list] | None = None,
) -> list[Hit]:
    """Ranked hits across ``types`` (default: all), readable by a client of the given clearance.

    Drafts never appear; restricted records only when ``restricted`` is true.
    The access rule is applied in the database before ranking, so an
    unreadable record cannot surface as a hit, a snippet or in a count.
    Scores are on a 0–1 scale on both databases but are not comparable
    between them. ``filters`` narrow by facet values (see :mod:`hrkb.search.facets`):
    a type without a filtered facet has no hits.
    """
    parsed = _parsed(q)
    if not parsed:
        return []
    backend = _backend()
    available = search_types()
    wanted = [available[name] for name in (types or available)]
    reads = []
    for search_type in wanted:
        where = facets.filter_sql(search_type, filters or {}, "t", restricted=restricted)
        if where is not None:
            rank = partial(
                backend.ranked, search_type, parsed, restricted=restricted, limit=offset + limit, where=where
            )
            reads.append((search_type, rank))
    scored = []
    for search_type, ranked in _ranked_each(backend, parsed, reads):
        for row_id, score in ranked:
            scored.append((score, search_type.name, row_id))
    scored.sort(key=lambda item: (-item[0], item[1], -item[2]))
    page = scored[offset : offset + limit]
    return _hits(backend, parsed, page)


def _ranked_each(backend, parsed: ParsedQuery, reads: list) -> list:
    """Each of ``reads`` (a type, and how to rank it) as the type and its ranked rows: one type ranked here and the
    others meanwhile on a reader's connection where the backend names one (:func:`postgres.ranked_apart`)."""
    apart = backend.ranked_apart(parsed, [search_type for search_type, _rank in reads])
    if apart is None:
        return [(search_type, rank()) for search_type, rank in reads]
    others = [(search_type, rank) for search_type, rank in reads if search_type is not apart]
    result = read_soon([rank for _search_type, rank in others], readers=1)
    here = next(rank for search_type, rank in reads if search_type is apart)()
    return [(apart, here), *((search_type, result(index)) for index, (search_type, _rank) in enumerate(others))]


def _hits(backend, parsed: ParsedQuery, page: list[tuple[float, str, int]]) -> list[Hit]:
    by_type: dict[str, list[int]] = {}
    for _score, name, row_id in page:
        by_type.setdefault(name, []).append(row_id)
    records, marked = {}, {}
    for name, ids in by_type.items():
        search_type = search_types()[name]
        # The ids were chosen under the access rule; the base manager only fetches them. A hit shows its title and
        # summary: the text its passage is cut from (a report's whole text) stays in the database.
        shown = (search_type.title_field, search_type.summary_field)
        unread = [field for field in search_type.snippet_fields if field not in shown]
        for record in search_type.model._base_manager.filter(pk__in=ids).defer(*unread):
            records[name, record.pk] = record
        for row_id, found in backend.snippets(search_type, parsed, ids).items():
            marked[name, row_id] = found
    hits = []
    for score, name, row_id in page:
        record = records.get((name, row_id))
        if record is None:  # deleted between ranking and fetching
            continue
        hits.append(_hit(search_types()[name], record, marked.get((name, row_id)), score))
    return hits


def _hit(search_type: SearchType, record, found: Marked | None, score: float) -> Hit:
    title = str(getattr(record, search_type.title_field))
    summary = getattr(record, search_type.summary_field) or ""
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1].rstrip() + "…"
    marked = shown(found, title, summary)
    return Hit(
        type=search_type.name,
        slug=record.slug,
        title=title,
        highlighted_title=highlighted(marked.title),
        summary=summary,
        url=_url(record),
        snippet=highlighted(marked.passage),
        score=round(score, 6),
    )


def _url(record) -> str | None:
    try:
        return record.get_absolute_url()
    except NoReverseMatch:  # the resource has no API route (yet)
        return None
