"""Filters of the events list."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from actors.models import Actor
from hrkb.api.filters import CuratedFilterSet, PartialDateFilter, RecordFilter
from reports.models import Report

from .choices import EventKind
from .models import Participant


class CountryField(forms.RegexField):
    default_error_messages = {"invalid": _("Give an ISO 3166-1 alpha-2 country code such as KP or SG.")}

    def __init__(self, **kwargs):
        super().__init__(r"^[A-Za-z]{2}$", **kwargs)

    def to_python(self, value):
        return super().to_python(value).upper()


class CountryFilter(django_filters.CharFilter):
    field_class = CountryField


class EventFilterSet(CuratedFilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, help_text=_("Kind of event."))
    actor = RecordFilter(Actor, method="filter_actor", help_text=_("Slug of a person or organisation that took part."))
    report = RecordFilter(Report, field_name="related_reports", help_text=_("Slug of a related report."))
    date_after = PartialDateFilter(
        field_name="start",
        lookup_expr="gte",
        help_text=_("Starting on or after this date (YYYY, YYYY-MM or YYYY-MM-DD; compared on the earliest day)."),
    )
    date_before = PartialDateFilter(
        field_name="start",
        lookup_expr="lt",
        help_text=_("Starting before this date (YYYY, YYYY-MM or YYYY-MM-DD; compared on the earliest day)."),
    )
    country = CountryFilter(help_text=_("ISO 3166-1 alpha-2 code of the country, e.g. SG."))

    def filter_actor(self, queryset, name, value):
        return queryset.filter(Exists(Participant.objects.filter(event=OuterRef("pk"), actor=value)))
