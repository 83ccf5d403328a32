"""Serializer building blocks shared by every resource."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hrkb.models import Confidence, Rank

from .access import is_cleared, is_readable

SUMMARY_SCHEMA = {
    "type": "object",
    "description": "A related record: its type, slug, name and API URL.",
    "required": ["type", "slug", "name", "url"],
    "properties": {
        "type": {"type": "string", "enum": ["report", "person", "organisation", "event", "topic", "quote"]},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
    },
}
SUMMARY_NAME_LENGTH = 120


def record_type(record) -> str:
    """The public type of a record: report, person, organisation, event, topic or quote."""
    name = record._meta.concrete_model._meta.model_name
    return record.kind if name == "actor" else name


def record_name(record) -> str:
    for attribute in ("name", "title", "text"):
        value = getattr(record, attribute, None)
        if value is not None:
            return value if len(value) <= SUMMARY_NAME_LENGTH else value[: SUMMARY_NAME_LENGTH - 1] + "…"
    return record.slug


def record_url(record, context) -> str:
    url = record.get_absolute_url()
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def cleared(context) -> bool:
    """The client's clearance, worked out once per response and kept in the serializer context."""
    if "cleared" not in context:
        context["cleared"] = is_cleared(context.get("request"))
    return context["cleared"]


@extend_schema_field({**SUMMARY_SCHEMA, "nullable": True})
class SummaryField(serializers.Field):
    """A related record as ``{type, slug, name, url}``, or null if the client may not read it.

    The querysets already leave out what a client may not read; checking the
    loaded record again here means a forgotten filter shows null, not a secret.
    """

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, record):
        if record is None or not is_readable(record, restricted=cleared(self.context)):
            return None
        return {
            "type": record_type(record),
            "slug": record.slug,
            "name": record_name(record),
            "url": record_url(record, self.context),
        }

    def get_attribute(self, instance):
        # A null foreign key is a null summary, not a serializer error.
        try:
            return super().get_attribute(instance)
        except (AttributeError, KeyError):
            return None


@extend_schema_field({"type": "array", "items": SUMMARY_SCHEMA})
class SummaryListField(serializers.Field):
    """Related records (a to-many relation, prefetched) as summaries, leaving out unreadable ones."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, records):
        summary = SummaryField()
        summary.bind("", self.parent)
        return [item for item in (summary.to_representation(record) for record in records.all()) if item]


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
        "description": "A date at the precision the source gives: YYYY, YYYY-MM or YYYY-MM-DD.",
    }
)
class PartialDateField(serializers.Field):
    """A :class:`~hrkb.dates.PartialDate` as its ISO form at its precision ("2014", "2014-02")."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(value) if value else None


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LinesField(serializers.Field):
    """A text field holding one item per line (e.g. other titles) as a list of strings."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [line.strip() for line in value.splitlines() if line.strip()]


class ReadableChildListSerializer(serializers.ListSerializer):
    """Leaves out child rows (citations, authorships, ...) that point at a record the client may not read.

    The child serializer names the summaries that must be readable in
    ``Meta.required_summaries``; optional ones may be null.
    """

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        required = getattr(self.child.Meta, "required_summaries", ())
        optional = getattr(self.child.Meta, "optional_summaries", ())
        restricted = cleared(self.context)
        readable = [
            item
            for item in items
            if all(is_readable(_follow(item, name), restricted=restricted) for name in required)
            and all(
                _follow(item, name) is None or is_readable(_follow(item, name), restricted=restricted)
                for name in optional
            )
        ]
        return [self.child.to_representation(item) for item in readable]


def _follow(item, name):
    return getattr(item, name)


class ChildSerializer(serializers.ModelSerializer):
    """A row that belongs to a record (alias, authorship, citation, participant, mention)."""

    class Meta:
        list_serializer_class = ReadableChildListSerializer


class CitationSerializer(serializers.Serializer):
    """The passage of a source that supports a fact; the same shape for every citation table."""

    source = SummaryField(help_text=_("The report the passage is quoted from."))
    passage = serializers.CharField(read_only=True)
    start = serializers.IntegerField(read_only=True, help_text=_("Character offset of the passage in the source."))
    end = serializers.IntegerField(read_only=True)
    confidence = serializers.ChoiceField(Confidence.choices, read_only=True)
    claim = serializers.CharField(read_only=True, help_text=_("The fact the passage supports, e.g. start, role."))
    value = serializers.CharField(read_only=True, help_text=_("What the source says, where it differs."))
    rank = serializers.ChoiceField(Rank.choices, read_only=True)
    rank_reason = serializers.CharField(read_only=True)

    class Meta:
        list_serializer_class = ReadableChildListSerializer
        required_summaries = ["source"]


class CuratedSerializer(serializers.ModelSerializer):
    """A curated record: its API ``url`` and ``slug`` first, ``created`` and ``modified`` last."""

    url = serializers.SerializerMethodField(help_text=_("This record's API URL."))

    def get_url(self, record) -> str:
        return record_url(record, self.context)
