"""Routes of /api/v1/reports/, /api/v1/topics/ and /api/v1/quotes/ (under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import QuoteViewSet, ReportViewSet, TopicViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("topics", TopicViewSet, basename="topic")
router.register("quotes", QuoteViewSet, basename="quote")

urlpatterns = [
    path("reports/export.csv", ReportViewSet.as_view({"get": "export_csv"}), name="report-export"),
    path("topics/export.csv", TopicViewSet.as_view({"get": "export_csv"}), name="topic-export"),
    path("quotes/export.csv", QuoteViewSet.as_view({"get": "export_csv"}), name="quote-export"),
    *router.urls,
]
