"""Filters of the reports, topics and quotes lists."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from actors.models import Actor, Organisation, Person
from hrkb.api.filters import CuratedFilterSet, PartialDateFilter, RecordFilter

from .choices import ReportKind, TopicKind
from .models import Authorship, Report, Topic


class ReportFilterSet(CuratedFilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, help_text=_("Kind of publication."))
    publisher = RecordFilter(Organisation, field_name="publishers", help_text=_("Slug of a publishing organisation."))
    author = RecordFilter(
        Actor,
        method="filter_author",
        help_text=_("Slug of an author: a person, or the organisation behind an organisational byline."),
    )
    topic = RecordFilter(Topic, field_name="topics", help_text=_("Slug of a topic."))
    mentions = RecordFilter(
        Actor, method="filter_mentions", help_text=_("Slug of a person or organisation the report's text names.")
    )
    published_after = PartialDateFilter(
        field_name="published",
        lookup_expr="gte",
        help_text=_("Published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD; compared on the earliest day)."),
    )
    published_before = PartialDateFilter(
        field_name="published",
        lookup_expr="lt",
        help_text=_("Published before this date (YYYY, YYYY-MM or YYYY-MM-DD; compared on the earliest day)."),
    )

    def filter_author(self, queryset, name, value):
        authorships = Authorship.objects.filter(Q(person=value) | Q(organisation=value), report=OuterRef("pk"))
        return queryset.filter(Exists(authorships))

    def filter_mentions(self, queryset, name, value):
        # Mentions live in events, which depends on reports: reach them by the relation, not an import.
        mention_model = Report._meta.get_field("mentions").related_model
        return queryset.filter(Exists(mention_model.objects.filter(report=OuterRef("pk"), actor=value)))


class TopicFilterSet(CuratedFilterSet):
    kind = django_filters.ChoiceFilter(choices=TopicKind.choices, help_text=_("Kind of topic."))
    parent = RecordFilter(Topic, help_text=_("Slug of the broader topic."))


class QuoteFilterSet(CuratedFilterSet):
    speaker = RecordFilter(Person, help_text=_("Slug of the person quoted."))
    source = RecordFilter(Report, help_text=_("Slug of the report the quote appears in."))
    said_after = PartialDateFilter(
        field_name="said", lookup_expr="gte", help_text=_("Said on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).")
    )
    said_before = PartialDateFilter(
        field_name="said", lookup_expr="lt", help_text=_("Said before this date (YYYY, YYYY-MM or YYYY-MM-DD).")
    )
