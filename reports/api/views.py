"""/api/v1/reports/, /api/v1/topics/ and /api/v1/quotes/."""

from django.db.models import F, Prefetch, Q

from actors.models import Actor, Person
from hrkb.access import readable_q
from hrkb.api.serializers import SummaryRow, summary_fields
from hrkb.api.views import CuratedViewSet, with_summaries

from ..filtersets import QuoteFilterSet, ReportFilterSet, TopicFilterSet
from ..models import Authorship, Quote, Report, Topic
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


class BylineRow:
    """One author of a report as the byline shows it, read as a tuple rather than three model instances."""

    __slots__ = ("byline", "organisation", "person", "position")

    def __init__(self, position, byline, person, organisation):
        self.position, self.byline, self.person, self.organisation = position, byline, person, organisation


def _actor_row(slug, status, restricted, name, kind):
    return None if slug is None else SummaryRow(kind, slug, status, restricted, name)


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
        queryset = super().get_queryset()
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
                Prefetch(
                    "citations",
                    readable_citations(Report._meta.get_field("citations").related_model, restricted=restricted),
                ),
            )
        return queryset

    def load_summaries(self, records) -> None:
        """Also load each report's readable bylines as rows, into ``readable_authorships``, in one query.

        A prefetch would build an authorship and up to two actors per byline, a
        hundred or more model instances per page, to show four values of each.
        """
        super().load_summaries(records)
        restricted = self.cleared
        columns = len(summary_fields(Actor))
        rows = (
            Authorship.objects.filter(
                Q(person__isnull=True) | readable_q("person__", restricted=restricted),
                Q(organisation__isnull=True) | readable_q("organisation__", restricted=restricted),
                report__in=[record.pk for record in records],
            )
            .order_by("position", "pk")
            .values_list(
                "report_id",
                "position",
                "byline",
                *summary_fields(Actor, "person__"),
                *summary_fields(Actor, "organisation__"),
            )
        )
        loaded = {record.pk: [] for record in records}
        for report, position, byline, *actors in rows if records else ():
            person, organisation = _actor_row(*actors[:columns]), _actor_row(*actors[columns:])
            loaded[report].append(BylineRow(position, byline, person, organisation))
        for record in records:
            record.readable_authorships = loaded[record.pk]


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

    # Speaker and source as summary columns of the page query itself, read into SummaryRows: no
    # Actor and Report instance per quote (select_related would build both for four values each).
    summarized = {"speaker": Person, "source": Report}

    def get_queryset(self):
        # A quote is only as readable as the person who said it.
        queryset = (
            super()
            .get_queryset()
            .filter(readable_q("speaker__", restricted=self.cleared))
            .annotate(
                **{
                    f"{relation}_summary_{column}": F(f"{relation}__{column}")
                    for relation, model in self.summarized.items()
                    for column in summary_fields(model)
                }
            )
        )
        if self.full_records:
            queryset = queryset.prefetch_related(
                Prefetch(
                    "citations",
                    readable_citations(Quote._meta.get_field("citations").related_model, restricted=self.cleared),
                )
            )
        return queryset

    def load_summaries(self, records) -> None:
        """Also turn the annotated speaker and source columns into ``speaker_row`` and ``source_row``."""
        super().load_summaries(records)
        for relation, model in self.summarized.items():
            public_type = None if model._meta.concrete_model._meta.model_name == "actor" else "report"
            names = [f"{relation}_summary_{column}" for column in summary_fields(model)]
            for record in records:
                slug, status, restricted, name, *kind = (getattr(record, column) for column in names)
                row = None if slug is None else SummaryRow(public_type or kind[0], slug, status, restricted, name)
                record.__dict__[f"{relation}_row"] = row
