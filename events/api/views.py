"""/api/v1/events/."""

from hrkb.api.views import CuratedViewSet

from ..filtersets import EventFilterSet
from ..models import Event
from .serializers import EventDetailSerializer, EventSerializer


class EventViewSet(CuratedViewSet):
    """Events, with who took part, related reports and the citations behind each fact."""

    model = Event
    serializer_class = EventSerializer
    detail_serializer_class = EventDetailSerializer
    filterset_class = EventFilterSet
    ordering_fields = ("slug", "start", "modified")
