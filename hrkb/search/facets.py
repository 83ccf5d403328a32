"""Facets: how many of a query's matches a client may read, by type, kind, year, country and topic.

A facet counts every readable match of the query, not only the hits of a
page: the access rule is applied in the database before anything is counted,
so a record the client may not read (a draft, a restricted record for a client
not cleared for it, a record whose topic is hidden) changes no count. Which
field each type is counted by is declared with its search document
(``SearchDocument.facets`` in :data:`hrkb.public_types.PUBLIC_TYPES`): a type
without a facet's field is not counted in that facet, and a filter on that
facet leaves the type out.

Filters narrow by facet values (``kind=report``, ``year=2014``...; several
values of one facet are alternatives). Each facet's counts apply every filter
but its own, so its other values still say what choosing them instead would
give (the rule of Uwazi, Solr's "multi-select" facets), and a bucket's count is
the number of matches its link finds.

Cost: one statement for all the facets asked for. The matches of each type are
read once (the search index, then the facet columns of the matching rows,
materialised), and each facet is one grouped query over them; no row reaches
Python. So the cost grows with the number of matches, not with the table:
measured in ``BENCHMARKS.md`` at 100,000 reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hrkb import access
from hrkb.models import Status

from .documents import SearchType, search_types
from .query import ParsedQuery

#: The facets partners may ask /api/v1/search/ for.
FACETS = ("type", "kind", "year", "country", "topic")
#: The facets of the admin's search only: partners never read drafts, and read restricted records only when cleared.
CURATOR_FACETS = ("status", "restricted")
#: The facets a filter can narrow by (``type`` narrows through its own parameter).
FILTERS = ("kind", "year", "country", "topic", "status", "restricted")
#: Buckets per facet: the values with the most matches (years: the most recent, in date order).
MAX_BUCKETS = 20
MAX_YEARS = 100
#: Values per filter: each is one more alternative to test on every match.
MAX_VALUES = 20

_YEAR = re.compile(r"^[0-9]{4}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_YES_NO = {"yes": True, "no": False}


class FacetError(ValueError):
    """A facet or a filter value the engine does not know; ``name`` is the parameter to blame."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Bucket:
    """One value of a facet and how many readable matches hold it."""

    value: str
    label: str
    count: int


def fields(search_type: SearchType) -> dict[str, str]:
    """The facets ``search_type`` is counted in (besides ``type``), each with its model field."""
    return {**search_type.facet_fields, "status": "status", "restricted": "restricted"}


def counted(search_type: SearchType, facet: str) -> bool:
    return facet == "type" or facet in fields(search_type)


def kinds() -> dict[str, str]:
    """Every value of ``kind`` of a searchable type, with its label (the first type's, in the registry's order)."""
    choices = {}
    for search_type in search_types().values():
        field = search_type.facet_fields.get("kind")
        if field:
            for value, label in search_type.model._meta.get_field(field).flatchoices:
                choices.setdefault(str(value), str(label))
    return choices


def parse_names(raw: str, *, curator: bool = False) -> list[str]:
    """The facets asked for, comma-separated; raises :class:`FacetError` naming ``facets`` for unknown ones."""
    offered = FACETS + (CURATOR_FACETS if curator else ())
    names = list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in offered]
    if unknown:
        raise FacetError(
            "facets",
            _("Unknown facet %(unknown)s; choose from %(facets)s.")
            % {"unknown": ", ".join(unknown), "facets": ", ".join(offered)},
        )
    return names


def parse_filter(name: str, raw: str) -> list:
    """The values of one filter (comma-separated alternatives); raises :class:`FacetError` naming it.

    A topic is only checked for its form: whether a slug names a topic the client may not read is
    not for the answer to tell (such a filter finds nothing, as an unknown slug does).
    """
    values = list(dict.fromkeys(value.strip() for value in raw.split(",") if value.strip()))
    if len(values) > MAX_VALUES:
        raise FacetError(name, _("At most %(max)s values, comma-separated.") % {"max": MAX_VALUES})
    if name == "kind":
        unknown = [value for value in values if value not in kinds()]
        if unknown:
            raise FacetError(
                name,
                _("Unknown kind %(unknown)s; choose from %(kinds)s.")
                % {"unknown": ", ".join(unknown), "kinds": ", ".join(kinds())},
            )
    elif name == "year":
        if not all(_YEAR.match(value) for value in values):
            raise FacetError(name, _("Enter years as YYYY, comma-separated."))
        values = [int(value) for value in values]
    elif name == "country":
        if not all(_COUNTRY.match(value) for value in values):
            raise FacetError(name, _("Give ISO 3166-1 alpha-2 country codes such as KP or SG, comma-separated."))
    elif name == "topic":
        if not all(_SLUG.match(value) for value in values):
            raise FacetError(name, _("Give topics by slug, comma-separated."))
    elif name == "status":
        unknown = [value for value in values if value not in Status.values]
        if unknown:
            raise FacetError(name, _("Choose from %(values)s.") % {"values": ", ".join(Status.values)})
    elif name == "restricted":
        if not all(value in _YES_NO for value in values):
            raise FacetError(name, _("Choose yes or no."))
        values = [_YES_NO[value] for value in values]
    else:
        raise FacetError(name, _("Not a facet."))
    return values


def _backend():
    from .engine import _backend

    return _backend()


def _rows(search_type: SearchType, alias: str, restricted: bool | None) -> tuple[str, list]:
    """The rows of the type a client of this clearance may read (``None``: a curator, every row of the type)."""
    if restricted is None:
        kind = search_type.public_type.kind
        return (f'{alias}."kind" = %s', [kind]) if kind else ("1 = 1", [])
    return search_type.readable_sql(alias, restricted=restricted)


def _topics(search_type: SearchType) -> tuple[str, str, str, str]:
    """The many-to-many behind the type's topic facet: (through table, its record column, its topic column, topics)."""
    field = search_type.model._meta.get_field(search_type.facet_fields["topic"])
    through = field.remote_field.through._meta.db_table
    return through, field.m2m_column_name(), field.m2m_reverse_name(), field.related_model._meta.db_table


def _topic_readable(alias: str, restricted: bool | None) -> tuple[str, list]:
    return ("1 = 1", []) if restricted is None else access.readable_sql(alias, restricted=restricted)


def _readable_topics(search_type: SearchType, restricted: bool | None) -> tuple[str, str, str, list]:
    """The type's topic link table ``rt``, its record column, the join of its readable topics ``tp``, parameters."""
    through, record, topic, topics = _topics(search_type)
    readable, params = _topic_readable("tp", restricted)
    return f'"{through}" rt', f'rt."{record}"', f'JOIN "{topics}" tp ON tp."id" = rt."{topic}" AND {readable}', params


def _column(search_type: SearchType, facet: str) -> str:
    return search_type.model._meta.get_field(fields(search_type)[facet]).column


def filter_sql(
    search_type: SearchType, filters: Mapping[str, list], alias: str, *, restricted: bool | None, skip: str = ""
) -> tuple[str, list] | None:
    """The filters (but ``skip``) as an SQL condition on the row ``alias`` of the type, or None when the type
    has no field for one of them (it has no match then)."""
    conditions, params = [], []
    for name, values in filters.items():
        if name == skip or not values:
            continue
        if name not in fields(search_type):
            return None
        placeholders = ", ".join(["%s"] * len(values))
        if name == "topic":
            links, record, topics, topics_params = _readable_topics(search_type, restricted)
            conditions.append(
                f"EXISTS (SELECT 1 FROM {links} {topics} "
                f'WHERE {record} = {alias}."id" AND tp."slug" IN ({placeholders}))'
            )
            params += [*topics_params, *values]
        elif name == "year":
            # A range on the stored earliest day: an index on the date serves it, and a partial date's
            # year is that day's year.
            column = f'{alias}."{_column(search_type, name)}"'
            conditions.append("(" + " OR ".join(f"({column} >= %s AND {column} <= %s)" for _ in values) + ")")
            for year in values:
                params += [f"{year:04d}-01-01", f"{year:04d}-12-31"]
        else:
            conditions.append(f'{alias}."{_column(search_type, name)}" IN ({placeholders})')
            params += values
    return " AND ".join(conditions) or "1 = 1", params


def _matches(search_type: SearchType, parsed: ParsedQuery, restricted: bool | None) -> tuple[str, list]:
    """The readable matches of one type with their facet columns, for a ``WITH`` clause."""
    match, match_params = _backend().match_sql(search_type, parsed, "t", restricted)
    rows, rows_params = _rows(search_type, "t", restricted)
    columns = ['t."id"'] + [f't."{_column(search_type, name)}"' for name in fields(search_type) if name != "topic"]
    select = f"SELECT {', '.join(columns)} FROM {search_type.table} t WHERE {match} AND {rows}"
    sql = f"m_{search_type.name} AS MATERIALIZED ({select})"
    return sql, [*match_params, *rows_params]


def _facet_sql(
    facet: str, wanted: list[SearchType], filters: Mapping[str, list], restricted: bool | None
) -> tuple[str, list, list[SearchType]] | None:
    """One facet's buckets over the ``m_<type>`` matches, the parameters, and the types it reads."""
    parts, params, used = [], [], []
    for search_type in wanted:
        condition = filter_sql(search_type, filters, "m", restricted=restricted, skip=facet)
        if condition is None or not counted(search_type, facet):
            continue
        where, where_params = condition
        used.append(search_type)
        source = f"m_{search_type.name} m"
        if facet == "type":
            parts.append(
                "SELECT CAST(%s AS text) AS value, CAST(NULL AS text) AS label, count(*) AS n "
                f"FROM {source} WHERE {where}"
            )
            params += [search_type.name, *where_params]
        elif facet == "topic":
            # Links counted by topic id, then named: grouping 172,000 links of "famine" at 100,000 reports by
            # integer rather than by slug and name costs 60 ms rather than 95.
            through, record, topic, topics = _topics(search_type)
            readable, topics_params = _topic_readable("tp", restricted)
            parts.append(
                f'SELECT tp."slug" AS value, tp."name" AS label, c.n FROM (SELECT rt."{topic}" AS topic, '
                f'count(*) AS n FROM {source} JOIN "{through}" rt ON rt."{record}" = m."id" WHERE {where} '
                f'GROUP BY rt."{topic}") c JOIN "{topics}" tp ON tp."id" = c.topic AND {readable}'
            )
            params += [*where_params, *topics_params]
        else:
            column = f'm."{_column(search_type, facet)}"'
            value = _backend().YEAR.format(column=column) if facet == "year" else column
            present = f"{column} IS NOT NULL"
            if facet in ("kind", "country", "status"):  # text columns, blank when unknown
                present += f" AND {column} <> ''"
            parts.append(
                f"SELECT {value} AS value, CAST(NULL AS text) AS label, count(*) AS n FROM {source} "
                f"WHERE {present} AND {where} GROUP BY {value}"
            )
            params += where_params
    if not parts:
        return None
    order, limit = ("u.value DESC", MAX_YEARS) if facet == "year" else ("sum(u.n) DESC, u.value", MAX_BUCKETS)
    sql = (
        f"SELECT * FROM (SELECT CAST(%s AS text) AS facet, CAST(u.value AS text) AS value, max(u.label) AS label, "
        f"sum(u.n) AS n FROM ({' UNION ALL '.join(parts)}) u "
        # A type's count without a group is a row even when it is 0.
        f"GROUP BY u.value HAVING sum(u.n) > 0 ORDER BY {order} LIMIT {limit}) f_{facet}"
    )
    return sql, [facet, *params], used


def facet_counts(
    parsed: ParsedQuery,
    names: Iterable[str],
    *,
    types: list[str] | None = None,
    restricted: bool | None,
    filters: Mapping[str, list] | None = None,
) -> dict[str, list[Bucket]]:
    """Each facet of ``names``: its buckets, most matches first (years: in date order), at most
    :data:`MAX_BUCKETS` (years: :data:`MAX_YEARS`).

    ``types`` narrows as ``type`` does (but not the ``type`` facet's own counts); ``restricted`` is the
    client's clearance, ``None`` for a curator (drafts and restricted records counted too).
    """
    names = list(names)
    filters = {name: values for name, values in (filters or {}).items() if values}
    result: dict[str, list[Bucket]] = {name: [] for name in names}
    if not names or not parsed:
        return result
    available = search_types()
    chosen = [available[name] for name in (types or available)]
    statements, params, needed = [], [], {}
    for facet in names:
        wanted = list(available.values()) if facet == "type" else chosen
        built = _facet_sql(facet, wanted, filters, restricted)
        if built is not None:
            statements.append(built[0])
            params += built[1]
            needed.update({search_type.name: search_type for search_type in built[2]})
    if not statements:
        return result
    ctes, cte_params = [], []
    for search_type in available.values():  # in the registry's order, whatever order the facets came in
        if search_type.name in needed:
            sql, sql_params = _matches(search_type, parsed, restricted)
            ctes.append(sql)
            cte_params += sql_params
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(statements)
    rows = _backend().facet_rows(sql, [*cte_params, *params])
    for facet, value, label, count in rows:
        value, label = _label(facet, value, label)
        result[facet].append(Bucket(value, label, int(count)))
    for facet in result:
        if facet == "year":
            result[facet].reverse()
    return result


def _label(facet: str, value: str, label: str | None) -> tuple[str, str]:
    if facet == "type":
        return value, str(search_types()[value].model._meta.verbose_name)
    if facet == "kind":
        return value, kinds().get(value, value)
    if facet == "status":
        return value, str(Status(value).label)
    if facet == "restricted":
        value = "yes" if value in ("true", "1") else "no"
        return value, _("restricted") if value == "yes" else _("not restricted")
    return value, label or value
