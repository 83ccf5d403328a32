"""Routes of /api/v1/events/ (under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import EventViewSet

router = SimpleRouter()
router.register("events", EventViewSet, basename="event")

urlpatterns = [
    path("events/export.csv", EventViewSet.as_view({"get": "export_csv"}), name="event-export"),
    *router.urls,
]
