from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "HRKB — human-rights knowledge base"
admin.site.site_title = "HRKB admin"
admin.site.index_title = "Curate reports, actors and events"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
