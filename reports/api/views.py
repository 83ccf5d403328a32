"""/api/v1/reports/, /api/v1/topics/ and /api/v1/quotes/."""

from django.db.models import Prefetch, Q

from hrkb.api.access import readable_q
from hrkb.api.views import CuratedViewSet, with_summaries

from ..filtersets import QuoteFilterSet, ReportFilterSet, TopicFilterSet
from ..models import Authorship, Quote, QuoteCitation, Report, ReportCitation, Topic
from .serializers import (
    QuoteDetailSerializer,
    QuoteSerializer,
    ReportDetailSerializer,
    ReportSerializer,
    TopicDetailSerializer,
    TopicSerializer,
)


def readable_citations(citation_model, *, restricted: bool):
    """Citations whose source report the client may read."""
    return with_summaries(citation_model.objects.filter(readable_q("source__", restricted=restricted)), "source")


class ReportViewSet(CuratedViewSet):
    """Reports: any publication, with its authors, publishers, topics, mentions and citations."""

    model = Report
    serializer_class = ReportSerializer
    detail_serializer_class = ReportDetailSerializer
    filterset_class = ReportFilterSet
    ordering_fields = ("slug", "published", "modified")
    summary_relations = ("publishers", "topics", "references")

    def get_queryset(self):
        restricted = self.cleared
        authorships = Authorship.objects.filter(
            Q(person__isnull=True) | readable_q("person__", restricted=restricted),
            Q(organisation__isnull=True) | readable_q("organisation__", restricted=restricted),
        )
        queryset = (
            super()
            .get_queryset()
            .prefetch_related(
                # to_attr: a plain list per report, not a queryset built and filtered per report.
                Prefetch(
                    "authorships",
                    with_summaries(authorships, "person", "organisation"),
                    to_attr="readable_authorships",
                )
            )
        )
        if not self.full_records:
            queryset = queryset.defer("text")
        else:
            # Events and mentions live in the events app (which depends on reports): reached by relation.
            event_model = Report._meta.get_field("events").related_model
            mention_model = Report._meta.get_field("mentions").related_model
            mentions = mention_model.objects.filter(
                readable_q("actor__", restricted=restricted)
                | readable_q("mentioned_report__", restricted=restricted)
                | readable_q("event__", restricted=restricted)
            )
            queryset = queryset.prefetch_related(
                Prefetch("events", self.summaries(event_model)),
                Prefetch("mentions", with_summaries(mentions, "actor", "mentioned_report", "event")),
                Prefetch("citations", readable_citations(ReportCitation, restricted=restricted)),
            )
        return queryset


class TopicViewSet(CuratedViewSet):
    """Topics: the controlled vocabulary that tags reports and events."""

    model = Topic
    serializer_class = TopicSerializer
    detail_serializer_class = TopicDetailSerializer
    filterset_class = TopicFilterSet
    ordering_fields = ("slug", "name", "udhr_article", "modified")
    search_fields = ("name", "description")

    def get_queryset(self):
        queryset = with_summaries(super().get_queryset(), "parent")
        if self.full_records:
            queryset = queryset.prefetch_related(Prefetch("children", self.summaries(Topic, "parent")))
        return queryset


class QuoteViewSet(CuratedViewSet):
    """Quotes: statements attributed to a person, with when they were said and the source."""

    model = Quote
    serializer_class = QuoteSerializer
    detail_serializer_class = QuoteDetailSerializer
    filterset_class = QuoteFilterSet

    def get_queryset(self):
        # A quote is only as readable as the person who said it.
        queryset = with_summaries(
            super().get_queryset().filter(readable_q("speaker__", restricted=self.cleared)), "speaker", "source"
        )
        if self.full_records:
            queryset = queryset.prefetch_related(
                Prefetch("citations", readable_citations(QuoteCitation, restricted=self.cleared))
            )
        return queryset
