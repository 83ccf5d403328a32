"""/api/v1/reports/, /api/v1/topics/ and /api/v1/quotes/."""

from hrkb.api.views import CuratedViewSet

from ..filtersets import QuoteFilterSet, ReportFilterSet, TopicFilterSet
from ..models import Quote, Report, Topic
from .serializers import (
    QuoteDetailSerializer,
    QuoteSerializer,
    ReportDetailSerializer,
    ReportSerializer,
    TopicDetailSerializer,
    TopicSerializer,
)


class ReportViewSet(CuratedViewSet):
    """Reports: any publication, with its authors, publishers, topics, mentions and citations."""

    model = Report
    serializer_class = ReportSerializer
    detail_serializer_class = ReportDetailSerializer
    filterset_class = ReportFilterSet
    ordering_fields = ("slug", "published", "modified")


class TopicViewSet(CuratedViewSet):
    """Topics: the controlled vocabulary that tags reports and events."""

    model = Topic
    serializer_class = TopicSerializer
    detail_serializer_class = TopicDetailSerializer
    filterset_class = TopicFilterSet
    ordering_fields = ("slug", "name", "udhr_article", "modified")
    # Topics have no search document: the list's `search` matches these fields.
    search_fields = ("name", "description")


class QuoteViewSet(CuratedViewSet):
    """Quotes: statements attributed to a person, with when they were said and the source."""

    model = Quote
    serializer_class = QuoteSerializer
    detail_serializer_class = QuoteDetailSerializer
    filterset_class = QuoteFilterSet
