from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("hrkb.api.urls", "api"), namespace="api")),
]

# JSON errors for API clients, Django's pages for everyone else.
handler404 = "hrkb.api.exceptions.not_found"
handler500 = "hrkb.api.exceptions.server_error"
