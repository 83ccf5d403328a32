"""Admin for events and their participants."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actors.admin import actor_link
from hrkb.admin import (
    AttachedInlinesMixin,
    CuratedAdmin,
    PublishRuleAdminMixin,
    SpreadsheetAdminMixin,
    SubquerySearchMixin,
    admin_link,
    attach_inline,
    partial_date,
)
from reports.models import Report

from .models import Event, Participant
from .resources import EventResource, ParticipantResource
from .services import event_merge, event_merge_plan


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["actor", "role", "role_title", "rank", "unsourced_reason"]
    autocomplete_fields = ["actor"]
    # The participant's own page holds the citations for its part in the event.
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class RelatedEventFormSet(BaseInlineFormSet):
    """Saves each row through ``Event.related_reports``, so the event's history records the link (a row of the
    table saved directly would send no many-to-many signal)."""

    def save_new(self, form, commit=True):
        row = form.save(commit=False)
        row.event.related_reports.add(row.report)
        return type(row).objects.get(event=row.event, report=row.report)

    def save_existing(self, form, obj, commit=True):
        before = type(obj).objects.select_related("event").get(pk=obj.pk)
        row = form.save(commit=False)
        if before.event_id != row.event_id:
            before.event.related_reports.remove(before.report_id)
            row.event.related_reports.add(row.report)
        return row

    def delete_existing(self, obj, commit=True):
        obj.event.related_reports.remove(obj.report_id)


class RelatedEventInline(admin.TabularInline):
    """The events a report is related to, edited from the report's side too."""

    model = Event.related_reports.through
    formset = RelatedEventFormSet
    fields = ["event"]
    autocomplete_fields = ["event"]
    extra = 0
    verbose_name = _("related event")
    verbose_name_plural = _("related events")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")


@admin.register(Event)
class EventAdmin(CuratedAdmin):
    merge_services = (event_merge_plan, event_merge)
    resource_classes = [EventResource]
    importable = True
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
        "own_summary",
        "related_reports",
        "topics",
        ("status", "restricted"),
        "unsourced_reason",
        ("created", "modified"),
    ]
    inlines = [ParticipantInline]

    @admin.display(description=_("start"), ordering="start")
    def start_display(self, event):
        return partial_date(event.start)

    @admin.display(description=_("end"), ordering="end")
    def end_display(self, event):
        return partial_date(event.end)


@admin.register(Participant)
class ParticipantAdmin(
    SpreadsheetAdminMixin, PublishRuleAdminMixin, AttachedInlinesMixin, SubquerySearchMixin, SimpleHistoryAdmin
):
    """An actor's part in an event; its citations are edited here, and a published event's parts stay sourced."""

    list_display = ["actor_link", "role", "role_title", "event_link", "event_start", "rank"]
    list_filter = ["role", "rank", "event__kind", "actor__kind"]
    list_select_related = ["actor", "event"]
    search_fields = ["actor__name", "actor__aliases__name", "role_title", "event__title", "event__aliases"]
    autocomplete_fields = ["event", "actor"]

    resource_classes = [ParticipantResource]
    importable = True

    def publish_rule_records(self, participant):
        return [participant.event]

    @admin.display(description=_("actor"), ordering="actor__name")
    def actor_link(self, participant):
        return actor_link(participant.actor)

    @admin.display(description=_("event"), ordering="event__title")
    def event_link(self, participant):
        return admin_link(participant.event)

    @admin.display(description=_("when"), ordering="event__start")
    def event_start(self, participant):
        return partial_date(participant.event.start)


# A report's related events, edited from the report's page too.
attach_inline(Report, RelatedEventInline)
