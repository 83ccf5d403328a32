"""Events as the API shows them (declarations read by hrkb.api.loading)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hrkb.api.serializers import (
    CitationSerializer,
    CuratedSerializer,
    LinesField,
    PartialDateField,
    SummaryField,
    SummaryListField,
)

from ..models import Event, Participant


class ParticipantSerializer(serializers.ModelSerializer):
    """An actor's part in an event, with the passages that support it."""

    actor = SummaryField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Participant
        fields = ["actor", "role", "role_title", "rank", "rank_reason", "citations"]
        required_summaries = ["actor"]


class EventSerializer(CuratedSerializer):
    """A summit, a report's publication, a resolution, a statement, a visit, a founding, as listed."""

    start = PartialDateField(help_text=_("When it started (or happened), at the precision known."))
    end = PartialDateField(help_text=_("When it ended, for events that lasted."))
    topics = SummaryListField()

    class Meta:
        model = Event
        summary_name = "title"
        fields = ["title", "kind", "start", "end", "place", "country", "description", "topics"]


class EventDetailSerializer(EventSerializer):
    """An event in full: who took part, the related reports, and the passages behind its facts."""

    aliases = LinesField(help_text=_("Other names it goes by."))
    participants = ParticipantSerializer(many=True, read_only=True)
    related_reports = SummaryListField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "aliases", "participants", "related_reports", "citations"]
