"""One search over every type, for the admin: the engine of /api/v1/search/, with drafts and restricted records.

Ranking is :func:`hrkb.search.search_queryset` (the engine behind
/api/v1/search/ and every list's ``search``) on each type's whole table:
researchers see drafts and restricted records, which the partner search never
shows, so this does not go through :func:`hrkb.search.search_all` (whose
access rule is the partners'). Snippets come from the same backend as the
API's, and so do facets and their filters (:mod:`hrkb.search.facets`, with
the curator's audience: every record, and the status and restricted facets
partners do not get), shown on every tab, each count a link that narrows every
type's hits by that value (Uwazi's rule: a facet's counts ignore its own
filter).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.http import urlencode

from actors.models import Organisation, Person
from events.models import Event
from hrkb.public_types import BY_NAME
from hrkb.readers import read_ahead
from hrkb.search import SearchQueryError, search_queryset
from hrkb.search import facets as facet_filters
from hrkb.search.documents import clipped, highlighted, search_types, shown
from hrkb.search.engine import ranked_ids
from hrkb.search.postgres import first_read
from hrkb.search.query import clean, parse
from reports.models import Quote, Report

from .records import badges, dossier_url

#: Hits shown per type when every type is listed, and on one type's own tab.
PER_TYPE = 5
PER_PAGE = 20
#: Counts stop here: past it the exact number is not worth its cost ("1,000+").
COUNT_LIMIT = 1000

TYPES = {
    "person": (Person, "People"),
    "organisation": (Organisation, "Organisations"),
    "report": (Report, "Reports"),
    "event": (Event, "Events"),
    "quote": (Quote, "Quotes"),
}


def _backend():
    # The same snippets as /api/v1/search/ (hrkb.search.engine picks its backend the same way).
    if connection.vendor == "postgresql":
        from hrkb.search import postgres

        return postgres
    from hrkb.search import sqlite

    return sqlite


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)


@dataclass
class Hit:
    # The title and the snippet are HTML: escaped, the query's matches marked.
    type: str
    record: object
    title: str
    url: str
    snippet: str
    matched_alias: str = ""

    @property
    def badges(self):
        return badges(self.record)


@dataclass
class Group:
    type: str
    label: str
    count: int
    capped: bool
    hits: list[Hit]
    url: str


@dataclass
class Results:
    q: str
    type: str
    groups: list[Group]
    facets: list[Facet]
    error: str = ""
    page: int = 1
    selected: dict = field(default_factory=dict)
    all_url: str = ""
    #: Filters left out because their value is not one the engine takes (typed into the address by hand).
    warning: str = ""

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


#: The facets of the admin's search, in the order shown: the engine's (see :mod:`hrkb.search.facets`) over every
#: record, drafts and restricted ones included, which researchers also narrow by.
FACETS = [
    ("kind", "Kind"),
    ("year", "Year"),
    ("country", "Country"),
    ("topic", "Topic"),
    ("status", "Status"),
    ("restricted", "Restricted"),
]


def _selected(raw: dict) -> tuple[dict, str]:
    """The filters as the engine takes them (one value each, as the links give), and what was wrong with any."""
    selected, errors = {}, []
    for name, _label in FACETS:
        value = (raw or {}).get(name) or ""
        if not value:
            continue
        try:
            parsed = facet_filters.parse_filter(name, value)
        except facet_filters.FacetError as error:
            errors.append(f"{name}: {error}")
            continue
        if len(parsed) == 1:
            selected[name] = value
    return selected, " ".join(errors)


def _narrowed(queryset, type_name: str, selected: dict):
    """The queryset narrowed by the engine's filters (the SQL /api/v1/search/ narrows with); None: no match."""
    search_type = search_types()[type_name]
    filters = {name: facet_filters.parse_filter(name, value) for name, value in selected.items()}
    condition = facet_filters.filter_sql(search_type, filters, search_type.table, restricted=None)
    if condition is None:
        return None
    return queryset.filter(RawSQL(*condition, output_field=BooleanField()))


def facets(parsed, type_name: str, selected: dict, url) -> list[Facet]:
    """The engine's counts of every match (of the type, or of all types) by each facet, each ignoring its own
    filter; a facet with no value among the matches is not shown."""
    names = [name for name, _label in FACETS]
    if type_name:
        names = [name for name in names if facet_filters.counted(search_types()[type_name], name)]
    filters = {name: facet_filters.parse_filter(name, value) for name, value in selected.items()}
    counts = facet_filters.facet_counts(
        parsed, names, types=[type_name] if type_name else None, restricted=None, filters=filters
    )
    labels = dict(FACETS)
    result = []
    for name in names:
        options = []
        for bucket in counts[name]:
            is_selected = selected.get(name) == bucket.value
            link = url(**{name: None if is_selected else bucket.value, "page": None})
            options.append(Option(bucket.value, bucket.label, bucket.count, is_selected, link))
        if options:
            result.append(Facet(name, labels[name], options))
    return result


def _hits(type_name: str, queryset, parsed, limit: int, offset: int = 0, *, narrowed: bool = False) -> list[Hit]:
    model = TYPES[type_name][0]
    # A curator reads every record: unless a facet narrows them, every match passes, and one read settles ties.
    ranked = ranked_ids(queryset, offset, limit, first=first_read(narrowed=narrowed))
    if not ranked:
        return []
    records = model.objects.defer(*(["text"] if model is Report else [])).prefetch_related(
        *(["aliases"] if type_name in ("person", "organisation") else [])
    )
    if model is Quote:
        records = records.select_related("speaker")
    records = records.in_bulk(ranked)
    search_type = search_types()[BY_NAME[type_name].name]
    snippets = _backend().snippets(search_type, parsed, ranked)
    hits = []
    for pk in ranked:
        record = records.get(pk)
        if record is None:
            continue
        marked = shown(
            snippets.get(pk),
            str(getattr(record, search_type.title_field)),
            getattr(record, search_type.summary_field) or "",
        )
        title = marked.title
        if model is Quote:
            title = f"{record.speaker}: “{clipped(title, 120)}{'…' if len(record.text) > 120 else ''}”"
        alias = ""
        if type_name in ("person", "organisation"):
            alias = _matched_alias(record, parsed)
        hits.append(Hit(type_name, record, highlighted(title), dossier_url(record), highlighted(marked.passage), alias))
    return hits


def _matched_alias(record, parsed) -> str:
    """The alias a search found the actor by, when its display name alone would not have matched."""
    needles = [term.text.casefold() for group in parsed.groups for term in group]
    name = record.name.casefold()
    if not needles or all(needle in name for needle in needles):
        return ""
    for alias in record.aliases.all():
        folded = alias.name.casefold()
        if all(needle in folded for needle in needles):
            return alias.name
    return ""


def search(q: str, *, type_name: str = "", selected: dict | None = None, page: int = 1, base_url: str = "") -> Results:
    if type_name not in TYPES:
        type_name = ""
    selected, error = _selected(selected or {})

    def url(**changes):
        params = {"q": q, "type": type_name or None, **selected}
        params.update(changes)
        return f"{base_url}?{urlencode({k: v for k, v in params.items() if v})}"

    results = Results(q, type_name, [], [], page=page, selected=selected, all_url=url(type=None, page=None))
    try:
        query = clean(q)
    except SearchQueryError as error:
        results.error = str(error)
        return results
    if not query:
        return results
    results.warning = error
    parsed = parse(query)

    def groups() -> list[Group]:
        found = []
        for name, (model, label) in TYPES.items():
            matches = _narrowed(search_queryset(model.objects.all(), parsed), name, selected)
            count = 0 if matches is None else matches.order_by()[: COUNT_LIMIT + 1].count()
            group = Group(name, label, min(count, COUNT_LIMIT), count > COUNT_LIMIT, [], url(type=name, page=None))
            found.append(group)
            if count and (not type_name or name == type_name):
                limit, offset = (PER_PAGE, (page - 1) * PER_PAGE) if type_name else (PER_TYPE, 0)
                group.hits = _hits(name, matches, parsed, limit, offset, narrowed=bool(selected))
        return found

    # The facets count every match (160 ms for a word in 92 % of 100,000 reports), the hits rank them: the two
    # are read at once, each on a connection of its own (in turn inside a transaction).
    results.groups, results.facets = read_ahead([groups, functools.partial(facets, parsed, type_name, selected, url)])
    return results
