from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from hrkb.api.exceptions import unknown_path

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("hrkb.api.urls", "api"), namespace="api")),
    # Whatever else is asked under /api/ is a JSON 404, with DEBUG on too.
    re_path(r"^api/(?P<path>.*)$", unknown_path),
]

# JSON errors for API clients, Django's pages for everyone else.
handler404 = "hrkb.api.exceptions.not_found"
handler500 = "hrkb.api.exceptions.server_error"
