"""The project's routes plus the floor views, for the API benchmark only (never mounted in production)."""

from django.urls import include, path

from benchmarks import floor

urlpatterns = [
    path("floor/", include((floor.urlpatterns, "floor"))),
    path("", include("hrkb.urls")),
]
