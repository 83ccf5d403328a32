"""One search over every type, for the admin: the engine of /api/v1/search/, with drafts and restricted records.

Ranking is :func:`hrkb.search.search_queryset` (the engine behind
/api/v1/search/ and every list's ``search``) on each type's whole table:
researchers see drafts and restricted records, which the partner search never
shows, so this does not go through :func:`hrkb.search.search_all` (whose
access rule is the partners'). Snippets come from the same backend as the
API's. Facets are computed here as a plain structure (:class:`Facet`), per
type, with Uwazi's rule that a facet's counts ignore its own filter; when the
engine offers facets of its own, only :func:`facets` changes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import ExtractYear
from django.utils.http import urlencode

from actors.models import Organisation, Person
from events.models import Event
from hrkb.public_types import BY_NAME
from hrkb.search import SearchQueryError, search_queryset
from hrkb.search.documents import search_types
from hrkb.search.query import clean, parse
from reports.models import Quote, Report, Topic

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

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


# Facets: a field of the type's table, how its values read.
FACETS = {
    "person": [("status", "Status"), ("restricted", "Restricted")],
    "organisation": [("organisation_kind", "Kind"), ("status", "Status"), ("restricted", "Restricted")],
    "report": [
        ("kind", "Kind"),
        ("year", "Year"),
        ("topic", "Topic"),
        ("status", "Status"),
        ("restricted", "Restricted"),
    ],
    "event": [
        ("kind", "Kind"),
        ("year", "Year"),
        ("country", "Country"),
        ("topic", "Topic"),
        ("status", "Status"),
        ("restricted", "Restricted"),
    ],
    "quote": [("year", "Year"), ("status", "Status")],
}
DATE_FIELD = {"report": "published", "event": "start", "quote": "said"}


def _filtered(queryset, type_name: str, selected: dict, skip: str | None = None):
    for name, value in selected.items():
        if name == skip or not value:
            continue
        if name == "year":
            if value == "none":
                queryset = queryset.filter(**{f"{DATE_FIELD[type_name]}__isnull": True})
            else:
                queryset = queryset.filter(**{f"{DATE_FIELD[type_name]}__year": int(value)})
        elif name == "topic":
            queryset = queryset.filter(topics__slug=value)
        elif name == "restricted":
            queryset = queryset.filter(restricted=value == "yes")
        else:
            queryset = queryset.filter(**{name: value})
    return queryset


def _labels(type_name: str, name: str) -> dict:
    model = TYPES[type_name][0]
    if name in ("year", "country", "topic"):
        return {}
    if name == "restricted":
        return {"yes": "restricted", "no": "not restricted"}
    field_ = model._meta.get_field(name)
    return {str(key): str(label) for key, label in field_.flatchoices}


def facets(base, type_name: str, selected: dict, url) -> list[Facet]:
    """Counts of the matches by each facet of the type, each ignoring its own filter; empty options never shown."""
    result = []
    for name, label in FACETS[type_name]:
        queryset = _filtered(base, type_name, selected, skip=name).order_by()
        if name == "year":
            rows = queryset.annotate(value=ExtractYear(DATE_FIELD[type_name])).values("value")
        elif name == "topic":
            rows = queryset.values(value=F("topics__slug"))
        else:
            rows = queryset.values(value=F(name))
        counted = rows.annotate(n=Count("pk", distinct=name == "topic")).order_by("-n")[:30]
        labels = _labels(type_name, name)
        topic_names = {}
        if name == "topic":
            topic_names = dict(Topic.objects.values_list("slug", "name"))
        options = []
        for row in counted:
            value = row["value"]
            if name == "topic" and value is None:
                continue
            key = "none" if value is None else ("yes" if value is True else "no" if value is False else str(value))
            text = "no date" if name == "year" and value is None else topic_names.get(key, labels.get(key, key))
            is_selected = selected.get(name) == key
            options.append(Option(key, text, row["n"], is_selected, url(**{name: None if is_selected else key})))
        if name == "year":
            options.sort(key=lambda option: (option.value == "none", option.value), reverse=False)
        if options:
            result.append(Facet(name, label, options))
    return result


def _hits(type_name: str, queryset, parsed, limit: int, offset: int = 0) -> list[Hit]:
    model = TYPES[type_name][0]
    ranked = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
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
        title = str(getattr(record, search_type.title_field))
        if model is Quote:
            title = f"{record.speaker}: “{title[:120]}”"
        snippet = snippets.get(pk) or getattr(record, search_type.summary_field) or ""
        escaped = html.escape(snippet, quote=False).replace("\x02", "<mark>").replace("\x03", "</mark>")
        alias = ""
        if type_name in ("person", "organisation"):
            alias = _matched_alias(record, parsed)
        hits.append(Hit(type_name, record, title, dossier_url(record), escaped, alias))
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
    selected = {key: value for key, value in (selected or {}).items() if value}
    if type_name not in TYPES:
        type_name = ""

    def url(**changes):
        params = {"q": q, "type": type_name or None, **selected}
        params.update(changes)
        return f"{base_url}?{urlencode({k: v for k, v in params.items() if v})}"

    results = Results(q, type_name, [], [], page=page, selected=selected)
    try:
        query = clean(q)
    except SearchQueryError as error:
        results.error = str(error)
        return results
    if not query:
        return results
    parsed = parse(query)
    for name, (model, label) in TYPES.items():
        if type_name and name != type_name:
            # Only the counts of the other types, for their tabs.
            matches = search_queryset(model.objects.all(), parsed)
            count = matches.order_by()[: COUNT_LIMIT + 1].count()
            results.groups.append(Group(name, label, min(count, COUNT_LIMIT), count > COUNT_LIMIT, [], url(type=name)))
            continue
        base = model.objects.all()
        matches = search_queryset(base, parsed)
        if name == type_name:
            matches = _filtered(matches, name, selected)
        count = matches.order_by()[: COUNT_LIMIT + 1].count()
        limit, offset = (PER_PAGE, (page - 1) * PER_PAGE) if type_name else (PER_TYPE, 0)
        hits = _hits(name, matches, parsed, limit, offset) if count else []
        results.groups.append(
            Group(name, label, min(count, COUNT_LIMIT), count > COUNT_LIMIT, hits, url(type=name, page=None))
        )
        if name == type_name:
            results.facets = facets(search_queryset(base, parsed), name, selected, url)
    return results
