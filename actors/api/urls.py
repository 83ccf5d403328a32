"""Routes of /api/v1/people/ and /api/v1/organisations/ (included under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import OrganisationViewSet, PersonViewSet

router = SimpleRouter()
router.register("people", PersonViewSet, basename="person")
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("people/export.csv", PersonViewSet.as_view({"get": "export_csv"}), name="person-export"),
    path("organisations/export.csv", OrganisationViewSet.as_view({"get": "export_csv"}), name="organisation-export"),
    *router.urls,
]
