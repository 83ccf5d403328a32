"""The search routes as the lead mounts them, plus a list endpoint using the search filter."""

from django.urls import include, path
from rest_framework import generics, serializers

from hrkb.search.filters import RankedSearchFilter
from reports.models import Report, Topic


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["slug", "title"]


class ReportList(generics.ListAPIView):
    """A list endpoint shaped like the API's: readable records, the search filter, an ordering fallback."""

    queryset = Report.objects.readable().order_by("title")
    serializer_class = ReportSerializer
    filter_backends = [RankedSearchFilter]
    pagination_class = None


class TopicList(generics.ListAPIView):
    queryset = Topic.objects.readable()
    serializer_class = type(
        "TopicSerializer",
        (serializers.ModelSerializer,),
        {"Meta": type("Meta", (), {"model": Topic, "fields": ["slug", "name"]})},
    )
    filter_backends = [RankedSearchFilter]
    search_fields = ["name"]
    pagination_class = None


urlpatterns = [
    path("api/v1/", include("hrkb.search.urls")),
    path("api/v1/reports/", ReportList.as_view()),
    path("api/v1/topics/", TopicList.as_view()),
]
