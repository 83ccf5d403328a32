"""Admin change lists that hold at hundreds of thousands of rows: their sidebar filters and date hierarchy.

Django builds a list's sidebar from whole tables: every distinct value of a
column (``SELECT DISTINCT``), every related record that has a row
(``RelatedOnlyFieldListFilter`` joins the list's table to find them), every
year of the date hierarchy (``DISTINCT DATE_TRUNC``). On 100,000 reports each
costs a scan, and a filter listing 2,000 organisations is as slow to render
as it is to read. These do the same job by reading indexes
(:mod:`hrkb.scale`) and list what can be read at a glance, saying so when
there is more:

- :class:`IndexedValuesFilter` for a column's values (a language, a claim);
- :class:`NamedRelatedFilter` for a related record (a publisher, an
  organisation): the first ones by name, and a box to filter by part of a name;
- the date hierarchy (``templates/admin/change_list.html`` and the
  ``admin_lists`` template tags), whose years are read from the date's index;
- "Show counts": :func:`share_facet_counts` counts the choices of every filter
  the request leaves unset in one query.

Admins opt in per filter in ``list_filter``; the date hierarchy applies to every list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial

from django.contrib import admin
from django.contrib.admin.filters import FacetsMixin
from django.contrib.admin.utils import get_last_value_from_parameters, reverse_field_path
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .scale import distinct_values


@dataclass
class ListReading:
    """What the steps building one request's change list learnt for the steps after them (the search for the
    count and the pages): Django passes them the request, not each other's findings."""

    #: The list's ordering, known before its search (``hrkb.admin.KeyedChangeList``).
    ordering: list | None = None
    #: ``hrkb.admin.SubquerySearchMixin``: the list's words are tests of each row, its pages read in this walk.
    walk: object | None = None
    #: ``hrkb.admin.SubquerySearchMixin``: the search computes every match before it orders any.
    matches_first: bool = False
    #: ``hrkb.search.admin.RankedSearchAdminMixin``: the keys' SQL of the list counted past the cap already.
    counted_past_cap: str | None = None
    #: ``hrkb.admin.KeyedChangeList``: the list is being read for its filters' counts ("Show counts"), which
    #: read every match: not walked.
    counting: bool = False


def list_reading(request) -> ListReading:
    """The :class:`ListReading` of ``request``'s change list."""
    try:
        return request._hrkb_list_reading
    except AttributeError:
        request._hrkb_list_reading = ListReading()
        return request._hrkb_list_reading


def share_facet_counts(changelist) -> None:
    """Under "Show counts", count the choices of every filter the request leaves unset in one query.

    Django counts each filter's choices over the list as the other filters leave it
    (``FacetsMixin.get_facet_queryset``): a query per filter, each running the list's search
    again. For every filter the request does not set, that list is the list itself, so their
    counts are one aggregate over it, read once when the first of them is drawn. A filter the
    request sets still counts over the list without it, and one that counts through a to-many
    relation in a query of its own, as Django does.
    """
    if not changelist.add_facets:
        return
    given = set(changelist.filter_params)
    unset = [
        spec
        for spec in changelist.filter_specs
        if isinstance(spec, FacetsMixin) and not given.intersection(spec.expected_parameters())
    ]
    if len(unset) < 2:
        return

    @cache
    def shared() -> dict:
        listed = changelist.get_queryset(unset[0].request, exclude_parameters=unset[0].expected_parameters())
        asked = {spec: spec.get_facet_counts(changelist.pk_attname, listed) for spec in unset}
        # A count through a to-many relation (a report's publishers) joins it, repeating the list's rows for
        # every other count of the query: such a filter keeps a query of its own, as Django gives it.
        together = [
            spec
            for spec in unset
            if not any(_through_many(listed.model, count.filter) for count in asked[spec].values())
        ]
        if len(together) < 2:
            return {}
        found = listed.aggregate(
            **{f"f{index}_{key}": count for index, spec in enumerate(together) for key, count in asked[spec].items()}
        )
        return {
            spec: {
                key.removeprefix(f"f{index}_"): value for key, value in found.items() if key.startswith(f"f{index}_")
            }
            for index, spec in enumerate(together)
        }

    def counts(spec, changelist):
        return shared()[spec] if spec in shared() else FacetsMixin.get_facet_queryset(spec, changelist)

    for spec in unset:
        spec.get_facet_queryset = partial(counts, spec)


def _through_many(model, condition) -> bool:
    """Whether ``condition`` (a Q, or None) follows a to-many relation from ``model`` (a join that repeats rows)."""
    if condition is None:
        return False
    for child in condition.children:
        if isinstance(child, Q):
            if _through_many(model, child):
                return True
            continue
        opts = model._meta
        for name in child[0].split(LOOKUP_SEP):
            try:
                field = opts.get_field(name)
            except FieldDoesNotExist:  # a lookup ("isnull") or "pk"
                break
            if field.many_to_many or field.one_to_many:
                return True
            if not field.is_relation:
                break
            opts = field.related_model._meta
    return False


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's "every value of this column" filter, the values read by skipping through the column's index."""

    template = "admin/hrkb_filter.html"
    #: Values listed at most; a column with more is a free-text one, better searched than picked from.
    shown = 100

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        parent_model, _path = reverse_field_path(model, field_path)
        if parent_model == model:
            values = distinct_values(model_admin.get_queryset(request), field.name, limit=self.shown + 1)
        else:
            values = list(self.lookup_choices[: self.shown + 1])
        self.more = len(values) > self.shown
        self.lookup_choices = values[: self.shown]

    def choices(self, changelist):
        yield from super().choices(changelist)
        if self.more:
            yield {"note": _("Only the first %(shown)s values are listed.") % {"shown": self.shown}}


class NamedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """Filter by a related record that has rows in this list: the first few by name, then a box for any name.

    Which related records have rows is asked record by record along the name
    index (``EXISTS``), stopping after :attr:`shown`, instead of joining the
    whole list's table to the relation; the record chosen stays listed; the
    box filters by part of the name. Its parameter (``<path>_name``) names no
    field, so the admin's check of lookups lets it through to this filter,
    which applies it as ``<path>__name__icontains``.
    """

    template = "admin/hrkb_filter.html"
    shown = 20
    name_field = "name"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg_name = f"{field_path}_{self.name_field}"
        self.lookup_val_name = get_last_value_from_parameters(params, self.lookup_kwarg_name)
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self):
        return [*super().expected_parameters(), self.lookup_kwarg_name]

    def queryset(self, request, queryset):
        part = self.used_parameters.pop(self.lookup_kwarg_name, None)
        queryset = super().queryset(request, queryset)
        if isinstance(part, list):
            part = part[-1]
        if part:
            queryset = queryset.filter(**{f"{self.field_path}__{self.name_field}__icontains": part})
        return queryset

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        has_rows = model_admin.get_queryset(request).order_by().filter(**{self.field_path: OuterRef("pk")})
        candidates = related._default_manager.complex_filter(field.get_limit_choices_to()).filter(Exists(has_rows))
        ordering = self.field_admin_ordering(field, request, model_admin) or related._meta.ordering or ["pk"]
        first = list(candidates.order_by(*ordering)[: self.shown + 1])
        self.more = len(first) > self.shown
        first = first[: self.shown]
        chosen = [value for value in (self.lookup_val or []) if value not in {str(record.pk) for record in first}]
        if chosen:
            first += list(candidates.filter(pk__in=chosen).order_by(*ordering))
        labels = [str(record) for record in first]
        # Two records of one name (a duplicate not merged yet, or two bodies so named) are told apart by slug.
        repeated = {label for label in labels if labels.count(label) > 1}
        return [
            (record.pk, f"{label} ({record.slug})" if label in repeated and hasattr(record, "slug") else label)
            for record, label in zip(first, labels, strict=True)
        ]

    def choices(self, changelist):
        for number, choice in enumerate(super().choices(changelist)):
            if number == 0:  # "All": not while a part of a name filters the list
                choice["selected"] = choice["selected"] and not self.lookup_val_name
                choice["query_string"] = changelist.get_query_string(
                    remove=[self.lookup_kwarg, self.lookup_kwarg_isnull, self.lookup_kwarg_name]
                )
            yield choice
        if self.more or self.lookup_val_name:
            others = changelist.get_query_string(remove=[*self.expected_parameters(), PAGE_VAR])
            if self.more:
                yield {
                    "note": ngettext(
                        "The first %(shown)s by name are listed; type part of another's name:",
                        "The first %(shown)s by name are listed; type part of another's name:",
                        self.shown,
                    )
                    % {"shown": self.shown}
                }
            yield {
                "search": self.lookup_kwarg_name,
                "value": self.lookup_val_name or "",
                "hidden": [(key, value) for key, values in QueryDict(others[1:]).lists() for value in values],
                "label": _("Part of a name (%(title)s)") % {"title": self.title},
            }
