"""Admin for reports, their authors, topics and quotes."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hrkb.admin import (
    CuratedAdmin,
    EstimatedCountMixin,
    SpreadsheetAdminMixin,
    SubquerySearchMixin,
    admin_link,
    admin_links,
    partial_date,
)
from hrkb.admin_lists import IndexedValuesFilter, NamedRelatedFilter

from .models import Authorship, Quote, Report, Topic
from .resources import AuthorshipResource, QuoteResource, ReportResource, TopicResource
from .services import report_merge, report_merge_plan


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    fields = ["position", "person", "organisation", "byline"]
    autocomplete_fields = ["person", "organisation"]
    extra = 0


@admin.register(Topic)
class TopicAdmin(CuratedAdmin):
    resource_classes = [TopicResource]
    list_display = ["name", "kind", "udhr_article", "parent", "status"]
    list_filter = ["kind", *CuratedAdmin.list_filter]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        ("kind", "udhr_article"),
        "parent",
        "description",
        ("status", "restricted"),
        ("created", "modified"),
    ]


@admin.register(Report)
class ReportAdmin(CuratedAdmin):
    merge_services = (report_merge_plan, report_merge)
    resource_classes = [ReportResource]
    importable = True  # metadata: texts come in through ingest_sources
    list_display = [
        "title",
        "kind",
        "published_display",
        "publisher_names",
        "author_names",
        "language",
        "status",
        "restricted",
    ]
    list_filter = [
        "kind",
        *CuratedAdmin.list_filter,
        ("language", IndexedValuesFilter),
        ("publishers", NamedRelatedFilter),
        # Every topic (a vocabulary of dozens): cheaper than finding the used ones among every report's.
        ("topics", admin.RelatedFieldListFilter),
        "published",
    ]
    search_fields = [
        "title",
        "subtitle",
        "aliases",
        "slug",
        "un_symbol",
        "authorships__byline",
        "authorships__person__name",
        "authorships__person__aliases__name",
        "publishers__name",
    ]
    date_hierarchy = "published"
    autocomplete_fields = ["publishers", "topics", "references"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "aliases", "slug", "kind", ("published", "language")]}),
        (_("Where it comes from"), {"fields": ["publishers", "url", "un_symbol"]}),
        (_("What it is about"), {"fields": ["summary", "own_summary", "topics", "references"]}),
        (_("Full text"), {"fields": ["text"], "classes": ["collapse"]}),
        (
            _("Publication in the knowledge base"),
            {"fields": [("status", "restricted"), "unsourced_reason", ("created", "modified")]},
        ),
    ]
    inlines = [AuthorshipInline]

    def get_queryset(self, request):
        authorships = Authorship.objects.select_related("person").order_by("position")
        return (
            super()
            .get_queryset(request)
            .prefetch_related("publishers", Prefetch("authorships", authorships))
            # The full text can run to megabytes; no list column needs it.
            .defer("text")
        )

    @admin.display(description=_("published"), ordering="published")
    def published_display(self, report):
        return partial_date(report.published)

    @admin.display(description=_("publishers"))
    def publisher_names(self, report):
        return admin_links(report.publishers.all())

    @admin.display(description=_("authors"))
    def author_names(self, report):
        return admin_links(authorship.person or authorship.byline for authorship in report.authorships.all())


@admin.register(Authorship)
class AuthorshipAdmin(SpreadsheetAdminMixin, SubquerySearchMixin, EstimatedCountMixin, SimpleHistoryAdmin):
    resource_classes = [AuthorshipResource]
    importable = True
    list_display = ["report", "position", "person_link", "organisation_link", "byline"]
    list_select_related = ["report", "person", "organisation"]
    search_fields = ["report__title", "person__name", "person__aliases__name", "byline", "organisation__name"]
    autocomplete_fields = ["report", "person", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("report__text")

    @admin.display(description=_("person"), ordering="person__name")
    def person_link(self, authorship):
        return admin_link(authorship.person)

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_link(self, authorship):
        return admin_link(authorship.organisation)


@admin.register(Quote)
class QuoteAdmin(CuratedAdmin):
    resource_classes = [QuoteResource]
    list_display = ["short_text", "speaker_link", "said_display", "occasion", "source_link", "status"]
    list_filter = [*CuratedAdmin.list_filter, ("language", IndexedValuesFilter), "said"]
    list_select_related = ["speaker", "source"]
    search_fields = ["text", "slug", "occasion", "speaker__name", "speaker__aliases__name", "source__title"]
    autocomplete_fields = ["speaker", "source"]
    date_hierarchy = "said"
    fields = [
        "speaker",
        "text",
        ("said", "language"),
        "occasion",
        "source",
        "slug",
        ("status", "restricted"),
        "unsourced_reason",
        ("created", "modified"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("source__text")

    @admin.display(description=_("quote"))
    def short_text(self, quote):
        return quote.text if len(quote.text) <= 80 else f"{quote.text[:79]}…"

    @admin.display(description=_("speaker"), ordering="speaker__name")
    def speaker_link(self, quote):
        return admin_link(quote.speaker)

    @admin.display(description=_("said"), ordering="said")
    def said_display(self, quote):
        return partial_date(quote.said)

    @admin.display(description=_("source"), ordering="source__title")
    def source_link(self, quote):
        return admin_link(quote.source)
