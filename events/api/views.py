"""/api/v1/events/."""

from django.db.models import Prefetch

from hrkb.access import readable_q
from hrkb.api.views import CuratedViewSet, with_summaries
from reports.api.views import readable_citations

from ..filtersets import EventFilterSet
from ..models import Event, Participant
from .serializers import EventDetailSerializer, EventSerializer


class EventViewSet(CuratedViewSet):
    """Events, with who took part, related reports and the citations behind each fact."""

    model = Event
    serializer_class = EventSerializer
    detail_serializer_class = EventDetailSerializer
    filterset_class = EventFilterSet
    ordering_fields = ("slug", "start", "modified")
    summary_relations = ("topics", "related_reports")

    def get_queryset(self):
        restricted = self.cleared
        queryset = super().get_queryset()
        if self.full_records:
            participants = with_summaries(
                Participant.objects.filter(readable_q("actor__", restricted=restricted)), "actor"
            ).prefetch_related(
                Prefetch(
                    "citations",
                    readable_citations(Participant._meta.get_field("citations").related_model, restricted=restricted),
                )
            )
            queryset = queryset.prefetch_related(
                Prefetch("participants", participants),
                Prefetch(
                    "citations",
                    readable_citations(Event._meta.get_field("citations").related_model, restricted=restricted),
                ),
            )
        return queryset
