"""/api/v1/: every public type's resource, the search, the changes feed, the export, the schema and its docs.

Included by hrkb/urls.py under the "api" namespace. The resources' routes are
made from :data:`hrkb.public_types.PUBLIC_TYPES` (``<path>/``, ``<path>/<slug>/``
and ``<path>/export.csv``, named after the type), so a type added there is
served here, exported and fed without another line.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from hrkb.public_types import PUBLIC_TYPES

from .export import NDJSONExportView
from .formats import AnnotationsView, PopoloView
from .index import IndexView
from .sync import ChangesView

router = SimpleRouter()
for public_type in PUBLIC_TYPES:
    router.register(public_type.path, public_type.viewset, basename=public_type.name)

urlpatterns = [
    path("", IndexView.as_view(), name="index"),
    *(
        path(
            f"{public_type.path}/export.csv",
            public_type.viewset.as_view({"get": "export_csv"}, basename=public_type.name),
            name=f"{public_type.name}-export",
        )
        for public_type in PUBLIC_TYPES
    ),
    *router.urls,
    path("", include("hrkb.search.urls")),
    path("changes/", ChangesView.as_view(), name="changes"),
    path("export.ndjson", NDJSONExportView.as_view(), name="export"),
    path("popolo.json", PopoloView.as_view(), name="popolo"),
    path("annotations/", AnnotationsView.as_view(), name="annotations"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
