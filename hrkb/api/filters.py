"""FilterSet building blocks: every list filters by ``modified_since``; related records by slug."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override

from hrkb.dates import PartialDateFormField

from .access import is_cleared
from .serializers import PARTIAL_DATE_PATTERN, SLUG_PATTERN


class TypedFilterMixin:
    """Gives a filter an explicit schema type, keeping its own description.

    drf-spectacular drops a filter's help text when its type comes from
    ``@extend_schema_field`` on the class, so the type is set on each filter instead.
    """

    schema: dict = {"type": "string"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = self.extra.get("help_text")
        set_override(self, "field", {**self.schema, **({"description": str(help_text)} if help_text else {})})


class TimeField(forms.DateTimeField):
    """An ISO 8601 time (or a date) that a database can store: its UTC equivalent must fall in years 1–9999.

    ``9999-12-31T23:59:59-14:00`` is a valid ISO time, but one past the last
    instant Python (and so the database adapter) can represent in UTC.
    """

    default_error_messages = {
        "invalid": _("Give an ISO 8601 time such as 2026-01-31T12:00:00Z, or a date."),
        "range": _("Give a time between the years 1 and 9999 in UTC."),
    }

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            try:
                result.astimezone(datetime.UTC)
            except OverflowError:
                raise ValidationError(self.error_messages["range"], code="range") from None
        return result


class TimeFilter(TypedFilterMixin, django_filters.DateTimeFilter):
    field_class = TimeField
    # Empty is allowed: an empty filter filters nothing. A date alone is a time too (its midnight, UTC).
    schema = {
        "type": "string",
        "anyOf": [{"format": "date-time"}, {"format": "date"}, {"maxLength": 0}],
        "example": "2026-01-31T12:00:00Z",
    }


class PartialDateFilter(TypedFilterMixin, django_filters.Filter):
    """A date as YYYY, YYYY-MM or YYYY-MM-DD, compared on the earliest day it covers."""

    field_class = PartialDateFormField
    # Empty is allowed: an empty filter filters nothing.
    schema = {"type": "string", "pattern": f"^({PARTIAL_DATE_PATTERN[1:-1]})?$", "example": "2014-02"}


class RecordFilter(TypedFilterMixin, django_filters.ModelChoiceFilter):
    """A related record given by its slug.

    Only records the client may read are valid choices: a slug that does not
    exist and one the client is not cleared for get the same 400, so a filter
    cannot be used to probe for hidden records.
    """

    # Empty is allowed: an empty filter filters nothing.
    schema = {"type": "string", "pattern": SLUG_PATTERN.replace("+", "*"), "example": "csw"}

    def __init__(self, model, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs["queryset"] = lambda request: model._default_manager.readable(restricted=is_cleared(request))
        super().__init__(**kwargs)


class CuratedFilterSet(django_filters.FilterSet):
    """The filters every curated resource has."""

    modified_since = TimeFilter(
        field_name="modified",
        lookup_expr="gte",
        help_text=_(
            "Only records changed at or after this time (ISO 8601, e.g. 2026-01-31T12:00:00Z, or a date). "
            "For incremental sync; see also /api/v1/changes/ for deletions."
        ),
    )


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filterset's parameters.

    Most list requests filter nothing, yet the backend would build and validate
    the filterset's form for each (about 8 % of a list request). With no
    parameter of the filterset present every filter gets an empty value and
    leaves the queryset as it is, so skipping gives the same records.
    Parameters are matched by prefix, so multi-widget filters (``name_min``) count.
    """

    def filter_queryset(self, request, queryset, view):
        if not self.requested(request, queryset, view):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def requested(self, request, queryset, view) -> bool:
        """Whether the request names a parameter of the view's filterset."""
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return False
        names = tuple(filterset_class.base_filters)
        return any(key.startswith(names) for key in request.query_params)
