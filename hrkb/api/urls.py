"""/api/v1/: every resource, the search, the changes feed, the export, the schema and its docs.

Included by hrkb/urls.py under the "api" namespace. Adding a resource means
adding its viewset to :data:`RESOURCES` (and its routes to its app's api/urls.py);
the export, the changes feed and the contract tests then cover it too.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from actors.api.views import OrganisationViewSet, PersonViewSet
from actors.models import Actor
from events.api.views import EventViewSet
from events.models import Event
from reports.api.views import QuoteViewSet, ReportViewSet, TopicViewSet
from reports.models import Quote, Report, Topic

from .export import NDJSONExportView
from .sync import ChangesView, Tracked

# Referenced records first, so an importer can resolve every summary as it reads.
RESOURCES = [TopicViewSet, OrganisationViewSet, PersonViewSet, ReportViewSet, EventViewSet, QuoteViewSet]
TRACKED = [
    Tracked(Topic, (TopicViewSet,), "topic"),
    Tracked(Actor, (PersonViewSet, OrganisationViewSet)),
    Tracked(Report, (ReportViewSet,), "report"),
    Tracked(Event, (EventViewSet,), "event"),
    Tracked(Quote, (QuoteViewSet,), "quote", requires=(("speaker_id", Actor),)),
]

urlpatterns = [
    path("", include("actors.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("events.api.urls")),
    path("", include("hrkb.search.urls")),
    path("changes/", ChangesView.as_view(tracked=TRACKED), name="changes"),
    path("export.ndjson", NDJSONExportView.as_view(resources=RESOURCES), name="export"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
