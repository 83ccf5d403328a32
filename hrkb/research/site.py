"""The admin site: Django's, plus the research views and a researcher's home page.

It lives in its own module rather than in ``hrkb/admin.py`` because Django
builds the default site lazily, from ``HRKBAdminConfig.default_site``, the first
time anything registers a model: had the class lived in a module that
registers models itself, importing it would register on a second site that is
then thrown away.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

# Join tables and anchored rows: each is reached from the record it belongs to
# (a person's aliases, a report's authors, a fact's citations, a text's mentions),
# so the index and the sidebar list only the records researchers look for.
REACHED_FROM_THEIR_RECORDS = frozenset(
    {
        "actors.alias",
        "reports.authorship",
        "events.participant",
        "sources.mention",
        "sources.actorcitation",
        "sources.reportcitation",
        "sources.membershipcitation",
        "sources.quotecitation",
        "sources.eventcitation",
        "sources.participantcitation",
    }
)


class HRKBAdminSite(admin.AdminSite):
    site_header = "HRKB — human-rights knowledge base"
    site_title = "HRKB admin"
    index_title = "Research"
    index_template = "research/home.html"

    def get_urls(self):
        from . import views

        research = [
            ("research/search/", views.SearchView, "research_search"),
            ("research/timeline/", views.TimelineView, "research_timeline"),
            ("research/network/", views.NetworkView, "research_network"),
            ("research/claims/", views.ClaimsView, "research_claims"),
            ("research/claims/rank/", views.RankView, "research_rank"),
            ("research/person/<slug:slug>/", views.PersonDossierView, "research_person"),
            ("research/organisation/<slug:slug>/", views.OrganisationDossierView, "research_organisation"),
            ("research/report/<slug:slug>/", views.ReportDossierView, "research_report"),
            ("research/event/<slug:slug>/", views.EventDossierView, "research_event"),
            ("research/report/<slug:slug>/text/", views.SourceView, "research_text"),
            ("research/report/<slug:slug>/cite/", views.CiteView, "research_cite"),
            ("research/report/<slug:slug>/mention/", views.MentionView, "research_mention"),
            ("research/comentions/<slug:first>/<slug:second>/", views.ComentionsView, "research_comentions"),
        ]
        urls = [path(route, self.admin_view(view.as_view(site=self)), name=name) for route, view, name in research]
        return [*urls, *super().get_urls()]

    def index(self, request, extra_context=None):
        from .home import home_context

        return super().index(request, {**home_context(request), **(extra_context or {})})

    def _build_app_dict(self, request, label=None):
        app_dict = super()._build_app_dict(request, label)
        if app_dict is None:  # an app label with nothing this user may see
            return None
        for app in [app_dict] if label else app_dict.values():
            app["models"] = [
                model
                for model in app["models"]
                if f"{app['app_label']}.{model['object_name'].lower()}" not in REACHED_FROM_THEIR_RECORDS
            ]
        if label:
            return app_dict
        return {key: app for key, app in app_dict.items() if app["models"]}
