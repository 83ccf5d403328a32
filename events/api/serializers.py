"""Events as the API shows them."""

from django.utils.translation import gettext_lazy as _

from hrkb.api.serializers import (
    ChildSerializer,
    CitationSerializer,
    LinesField,
    PartialDateField,
    SummaryField,
    SummaryListField,
)
from reports.api.serializers import TypedSerializer

from ..models import Event, Participant


class ParticipantSerializer(ChildSerializer):
    """An actor's part in an event, with the passages that support it."""

    actor = SummaryField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(ChildSerializer.Meta):
        model = Participant
        fields = ["actor", "role", "role_title", "rank", "rank_reason", "citations"]
        required_summaries = ["actor"]


class EventSerializer(TypedSerializer):
    """A summit, a report's publication, a resolution, a statement, a visit, a founding, as listed."""

    start = PartialDateField(help_text=_("When it started (or happened), at the precision known."))
    end = PartialDateField(help_text=_("When it ended, for events that lasted."))
    topics = SummaryListField()

    class Meta:
        model = Event
        fields = [
            "url",
            "type",
            "slug",
            "title",
            "kind",
            "start",
            "end",
            "place",
            "country",
            "description",
            "topics",
            "created",
            "modified",
        ]


class EventDetailSerializer(EventSerializer):
    """An event in full: who took part, the related reports, and the passages behind its facts."""

    aliases = LinesField(help_text=_("Other names it goes by."))
    participants = ParticipantSerializer(many=True, read_only=True)
    related_reports = SummaryListField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [
            *EventSerializer.Meta.fields[:-2],
            "aliases",
            "participants",
            "related_reports",
            "citations",
            "created",
            "modified",
        ]
