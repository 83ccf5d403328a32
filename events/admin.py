"""Admin for events, their participants, citations, and the mentions found in stored texts."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actors.admin import actor_link
from hrkb.admin import CitationAdmin, CitationInline, CuratedAdmin, admin_link, partial_date
from reports.admin import ReportAdmin
from reports.models import Report

from .models import Event, EventCitation, Mention, Participant, ParticipantCitation


class EventCitationInline(CitationInline):
    model = EventCitation


class ParticipantCitationInline(CitationInline):
    model = ParticipantCitation


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["actor", "role", "role_title", "rank"]
    autocomplete_fields = ["actor"]
    # The participant's own page holds the citations for its part in the event.
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


def mention_target(mention: Mention):
    if mention.actor_id:
        return actor_link(mention.actor)
    return admin_link(mention.mentioned_report or mention.event)


class MentionInline(admin.TabularInline):
    """The spans of a report's text that name a record; linking writes them, curators review."""

    model = Mention
    fk_name = "report"
    fields = ["start", "end", "text", "target", "origin"]
    readonly_fields = ["start", "end", "text", "target", "origin"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "mentioned_report", "event")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("names"))
    def target(self, mention):
        return mention_target(mention)


class RelatedEventInline(admin.TabularInline):
    """The events a report is related to, edited from the report's side too."""

    model = Event.related_reports.through
    fields = ["event"]
    autocomplete_fields = ["event"]
    extra = 0
    verbose_name = _("related event")
    verbose_name_plural = _("related events")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")


@admin.register(Event)
class EventAdmin(CuratedAdmin):
    list_display = ["title", "kind", "start_display", "end_display", "place", "country", "status"]
    list_filter = ["kind", "country", *CuratedAdmin.list_filter, "start"]
    search_fields = [
        "title",
        "aliases",
        "slug",
        "place",
        "participants__actor__name",
        "participants__actor__aliases__name",
    ]
    date_hierarchy = "start"
    autocomplete_fields = ["related_reports", "topics"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "aliases",
        "slug",
        "kind",
        ("start", "end"),
        ("place", "country"),
        "description",
        "related_reports",
        "topics",
        ("status", "restricted"),
        ("created", "modified"),
    ]
    inlines = [ParticipantInline, EventCitationInline]

    @admin.display(description=_("start"), ordering="start")
    def start_display(self, event):
        return partial_date(event.start)

    @admin.display(description=_("end"), ordering="end")
    def end_display(self, event):
        return partial_date(event.end)


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["actor_link", "role", "role_title", "event_link", "event_start", "rank"]
    list_filter = ["role", "rank", "event__kind", "actor__kind"]
    list_select_related = ["actor", "event"]
    search_fields = ["actor__name", "actor__aliases__name", "role_title", "event__title", "event__aliases"]
    autocomplete_fields = ["event", "actor"]
    inlines = [ParticipantCitationInline]

    @admin.display(description=_("actor"), ordering="actor__name")
    def actor_link(self, participant):
        return actor_link(participant.actor)

    @admin.display(description=_("event"), ordering="event__title")
    def event_link(self, participant):
        return admin_link(participant.event)

    @admin.display(description=_("when"), ordering="event__start")
    def event_start(self, participant):
        return partial_date(participant.event.start)


class MentionTargetFilter(admin.SimpleListFilter):
    title = _("names a")
    parameter_name = "target"
    lookups_by_value = {"actor": "actor__isnull", "report": "mentioned_report__isnull", "event": "event__isnull"}

    def lookups(self, request, model_admin):
        return [("actor", _("person or organisation")), ("report", _("report")), ("event", _("event"))]

    def queryset(self, request, queryset):
        lookup = self.lookups_by_value.get(self.value())
        return queryset.filter(**{lookup: False}) if lookup else queryset


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    """Mentions carry no history of their own: linking rewrites them from the texts."""

    list_display = ["text", "target", "report_link", "start", "end", "origin"]
    list_filter = [MentionTargetFilter, "origin", "actor__kind"]
    list_select_related = ["report", "actor", "mentioned_report", "event"]
    search_fields = ["text", "report__title", "actor__name", "mentioned_report__title", "event__title"]
    autocomplete_fields = ["report", "actor", "mentioned_report", "event"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("report__text", "mentioned_report__text")

    @admin.display(description=_("names"))
    def target(self, mention):
        return mention_target(mention)

    @admin.display(description=_("in report"), ordering="report__title")
    def report_link(self, mention):
        return admin_link(mention.report)


@admin.register(EventCitation)
class EventCitationAdmin(CitationAdmin):
    pass


@admin.register(ParticipantCitation)
class ParticipantCitationAdmin(CitationAdmin):
    pass


# Reports cannot know about events and mentions (they live here, downstream),
# so the report admin gains those inlines here.
admin.site.unregister(Report)


@admin.register(Report)
class ReportWithMentionsAdmin(ReportAdmin):
    inlines = [*ReportAdmin.inlines, RelatedEventInline, MentionInline]
