"""Admin for citations and mentions, shown on the pages of the records they belong to.

Each citation table is edited inline on the page of the fact it supports, and
a report's mentions are listed on the report's page; the apps that own those
pages know nothing of this one (it depends on them), so the inlines are
attached with :func:`hrkb.admin.attach_inline`. Each table also has a list of
its own, to search every passage.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actors.admin import actor_link
from actors.models import Membership, Organisation, Person
from events.models import Event, Participant
from hrkb.admin import (
    FORMFIELD_OVERRIDES,
    EstimatedCountMixin,
    SpreadsheetAdminMixin,
    SubquerySearchMixin,
    admin_link,
    attach_inline,
)
from hrkb.admin_lists import IndexedValuesFilter
from hrkb.research.passages import context, context_subquery, in_context
from hrkb.research.records import citation_kinds, mention_anchor, text_url
from reports.models import Quote, Report

from .models import (
    ActorCitation,
    EventCitation,
    MembershipCitation,
    Mention,
    ParticipantCitation,
    QuoteCitation,
    ReportCitation,
)
from .resources import MentionResource, citation_resources


class CitationInline(admin.StackedInline):
    """The passages that support a fact, edited on the fact's own page.

    Every citation table points at its fact through ``subject``; the source is a
    report picked by autocomplete (by title, alias or UN symbol).
    """

    fk_name = "subject"
    extra = 0
    autocomplete_fields = ["source"]
    fields = [("source", "confidence"), "passage", ("start", "end"), ("claim", "value"), ("rank", "rank_reason")]
    formfield_overrides = {
        **FORMFIELD_OVERRIDES,
        models.TextField: {
            **FORMFIELD_OVERRIDES[models.TextField],
            "widget": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        },
    }
    classes = ["collapse"]

    def get_queryset(self, request):
        # A source's full text can run to megabytes; the form needs only its title.
        return super().get_queryset(request).select_related("source").defer("source__text")


class CitationAdmin(SpreadsheetAdminMixin, SubquerySearchMixin, EstimatedCountMixin, SimpleHistoryAdmin):
    """A citation table on its own: every passage, searchable by words and source; imported by slug and passage."""

    importable = True

    def get_resource_classes(self, request):
        return [citation_resources()[self.model._meta.get_field("subject").related_model._meta.model_name]]

    list_display = ["short_passage", "subject_link", "source_link", "claim", "confidence", "rank"]
    list_filter = ["confidence", "rank", ("claim", IndexedValuesFilter)]
    search_fields = ["passage", "claim", "value", "source__title", "source__un_symbol"]
    autocomplete_fields = ["subject", "source"]
    fields = ["subject", *CitationInline.fields]
    formfield_overrides = FORMFIELD_OVERRIDES
    # Millions of rows at scale: one estimated count, not two exact ones.
    show_full_result_count = False

    def get_list_select_related(self, request):
        # What the fact's name reads (a membership's person and organisation), so a page is one query.
        kind = citation_kinds()[self.model._meta.get_field("subject").related_model._meta.model_name]
        return ["source", *kind.subject_related]

    def get_queryset(self, request):
        kind = citation_kinds()[self.model._meta.get_field("subject").related_model._meta.model_name]
        return super().get_queryset(request).defer("source__text", *kind.subject_deferred)

    @admin.display(description=_("passage"))
    def short_passage(self, citation):
        return citation.passage if len(citation.passage) <= 80 else f"{citation.passage[:79]}…"

    @admin.display(description=_("fact"), ordering="subject")
    def subject_link(self, citation):
        return admin_link(citation.subject)

    @admin.display(description=_("source"), ordering="source__title")
    def source_link(self, citation):
        return admin_link(citation.source)


def citation_inline(citation_model, **attributes) -> type[CitationInline]:
    """The inline of one citation table, for the page of the fact it supports."""
    return type(f"{citation_model.__name__}Inline", (CitationInline,), {"model": citation_model, **attributes})


attach_inline(Report, citation_inline(ReportCitation, verbose_name_plural=_("citations for facts about this report")))
for actor_model in (Person, Organisation):
    attach_inline(actor_model, citation_inline(ActorCitation, verbose_name_plural=_("citations for its description")))
attach_inline(Membership, citation_inline(MembershipCitation))
attach_inline(Quote, citation_inline(QuoteCitation))
attach_inline(Event, citation_inline(EventCitation))
attach_inline(Participant, citation_inline(ParticipantCitation))


@admin.register(ReportCitation)
class ReportCitationAdmin(CitationAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).defer("subject__text")


admin.site.register(
    [ActorCitation, MembershipCitation, QuoteCitation, EventCitation, ParticipantCitation], CitationAdmin
)


def mention_target(mention: Mention):
    if mention.actor_id:
        return actor_link(mention.actor)
    return admin_link(mention.mentioned_report or mention.event)


MENTION_CONTEXT = 48


@admin.display(description=_("passage"))
def mention_passage(mention):
    """The mention in its sentence, linked to the source viewer at that spot (offsets are for machines)."""
    passage = in_context(mention.before, mention.text, mention.after, width=MENTION_CONTEXT)
    url = text_url(mention.report.slug, mention_anchor(mention.pk))
    return format_html('<a href="{}" class="open-passage">{}</a>', url, passage)


class MentionInline(admin.TabularInline):
    """The spans of a report's text that name a record; linking writes them, curators review."""

    model = Mention
    fk_name = "report"
    fields = ["passage", "target", "origin"]
    readonly_fields = ["passage", "target", "origin"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("actor", "mentioned_report", "event", "report")
            .defer("report__text", "mentioned_report__text")
            .annotate(**context("report__text", width=MENTION_CONTEXT))
        )

    passage = staticmethod(mention_passage)

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("names"))
    def target(self, mention):
        return mention_target(mention)


attach_inline(Report, MentionInline)


class MentionTargetFilter(admin.SimpleListFilter):
    title = _("what it names")
    parameter_name = "target"
    lookups_by_value = {"actor": "actor__isnull", "report": "mentioned_report__isnull", "event": "event__isnull"}

    def lookups(self, request, model_admin):
        return [("actor", _("person or organisation")), ("report", _("report")), ("event", _("event"))]

    def queryset(self, request, queryset):
        lookup = self.lookups_by_value.get(self.value())
        return queryset.filter(**{lookup: False}) if lookup else queryset

    def get_facet_counts(self, pk_attname, filtered_qs):
        # Each choice counted by a test of the row. Django's own counts "pk IN (the list, filtered by the choice)",
        # which runs the list's search once more for each choice.
        return {
            f"{index}__c": Count(pk_attname, filter=Q(**{self.lookups_by_value[value]: False}))
            for index, (value, _title) in enumerate(self.lookup_choices)
        }


@admin.register(Mention)
class MentionAdmin(SpreadsheetAdminMixin, SubquerySearchMixin, EstimatedCountMixin, admin.ModelAdmin):
    """Mentions carry no history of their own: linking rewrites them from the texts."""

    resource_classes = [MentionResource]

    list_display = ["text", "target", "report_link", "passage", "origin"]
    list_filter = [MentionTargetFilter, "origin", "actor__kind"]
    list_select_related = ["report", "actor", "mentioned_report", "event"]
    search_fields = ["text", "report__title", "actor__name", "mentioned_report__title", "event__title"]
    autocomplete_fields = ["report", "actor", "mentioned_report", "event"]
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("report__text", "mentioned_report__text")
            .annotate(**context_subquery(width=MENTION_CONTEXT))
        )

    @admin.display(description=_("names"))
    def target(self, mention):
        return mention_target(mention)

    # Not sortable: a mention's offset orders it within its report (the list's own order), not among others.
    passage = staticmethod(mention_passage)

    @admin.display(description=_("in report"), ordering="report__title")
    def report_link(self, mention):
        return admin_link(mention.report)
