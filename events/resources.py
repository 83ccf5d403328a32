"""Spreadsheets of events and of who took part in them (see :mod:`hrkb.resources`)."""

from hrkb.resources import HRKBResource

from .models import Event, Participant


class EventResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Event
        fields = (
            "slug",
            "title",
            "aliases",
            "kind",
            "start",
            "end",
            "place",
            "country",
            "description",
            "own_summary",
            "related_reports",
            "topics",
            "unsourced_reason",
            "status",
            "restricted",
        )
        import_id_fields = ("slug",)


class ParticipantResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Participant
        fields = ("event", "actor", "role", "role_title", "rank", "rank_reason", "unsourced_reason")
        import_id_fields = ("event", "actor", "role")
