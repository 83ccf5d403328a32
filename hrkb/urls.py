from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "HRKB — human-rights knowledge base"
admin.site.site_title = "HRKB admin"
admin.site.index_title = "Curate reports, actors and events"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("hrkb.api.urls", "api"), namespace="api")),
]

# JSON errors for API clients, Django's pages for everyone else.
handler404 = "hrkb.api.exceptions.not_found"
handler500 = "hrkb.api.exceptions.server_error"
