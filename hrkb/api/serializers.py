"""Serializer building blocks: how every resource declares what its records show.

The serializers of the apps' ``api/serializers.py`` are declarations. Their
fields say what a record shows, and drf-spectacular reads them for the
OpenAPI schema; :mod:`hrkb.api.loading` reads the same fields to load and
build each response as rows, in one query per relation whatever the page
size. So a field here carries what the loader needs (which relation, which
rows are readable), and nothing builds a response from model instances.

Declaring a resource:

- a public type's list serializer subclasses :class:`CuratedSerializer` and
  lists in ``Meta.fields`` the record's own fields; every curated record
  starts with ``url``, ``type`` and ``slug`` and ends with ``created`` and
  ``modified``, which are added around them;
- its detail serializer subclasses the list one and lists
  ``[*Parent.Meta.fields, <what only a detail shows>]``;
- ``Meta.summary_name`` names the column a summary of the type shows as its
  ``name`` (the brief representation every other record links it by);
- a child row (a membership, an author, a citation) is a nested serializer
  with ``many=True``, whose ``Meta.required_summaries`` name the related
  records that must be readable for the row to be shown, and
  ``Meta.optional_summaries`` those that may be absent.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hrkb.models import Confidence, Rank
from hrkb.public_types import NAMES

# A date at the precision a source gives (YYYY, YYYY-MM or YYYY-MM-DD), from year 0001: months 01-12, days 01-31.
PARTIAL_DATE_PATTERN = (
    r"^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
)
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# Examples are real corpus values, so the docs show what partners will see.
SUMMARY_SCHEMA = {
    "type": "object",
    "description": "A related record: its type, slug, name and API URL.",
    "required": ["type", "slug", "name", "url"],
    "properties": {
        "type": {"type": "string", "enum": list(NAMES), "example": "person"},
        "slug": {"type": "string", "example": "michael-kirby"},
        "name": {"type": "string", "example": "Michael Kirby"},
        "url": {
            "type": "string",
            "format": "uri",
            "example": "https://hrkb.example.org/api/v1/people/michael-kirby/",
        },
    },
}
SUMMARY_NAME_LENGTH = 120


class _ReadOnly:
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)


@extend_schema_field({**SUMMARY_SCHEMA, "nullable": True})
class SummaryField(_ReadOnly, serializers.Field):
    """A related record (a foreign key) as ``{type, slug, name, url}``, or null if the client may not read it.

    ``sources`` names several foreign keys of which one is set (a mention names
    an actor, a report or an event): the summary is of whichever is.
    """

    def __init__(self, *, sources: tuple[str, ...] = (), **kwargs):
        self.sources = sources
        super().__init__(**kwargs)


@extend_schema_field({"type": "array", "items": SUMMARY_SCHEMA})
class SummaryListField(_ReadOnly, serializers.Field):
    """Related records (many-to-many, or the records pointing here) as summaries; unreadable ones left out."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ValueListField(_ReadOnly, serializers.Field):
    """One column of the rows pointing at the record, as a list of strings (an actor's aliases as names)."""

    def __init__(self, *, column: str, **kwargs):
        self.column = column
        super().__init__(**kwargs)


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": PARTIAL_DATE_PATTERN,
        "description": "A date at the precision the source gives: YYYY, YYYY-MM or YYYY-MM-DD.",
        "example": "2014-02-17",
    }
)
class PartialDateField(_ReadOnly, serializers.Field):
    """A :class:`~hrkb.dates.PartialDate` as its ISO form at its precision ("2014", "2014-02")."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LinesField(_ReadOnly, serializers.Field):
    """A text field holding one item per line (e.g. other titles), as a list of strings."""


@extend_schema_field(
    {
        "type": "string",
        "description": "A web address, or empty when none is known.",
        "anyOf": [{"format": "uri", "minLength": 1}, {"maxLength": 0}],
        "example": "",
    }
)
class OptionalURLField(serializers.CharField):
    """A URL that may be empty (a report not online): a plain URLField's schema would promise a URI."""


class CitationSerializer(serializers.Serializer):
    """The passage of a source that supports a fact; the same shape for every citation table."""

    source = SummaryField(help_text=_("The report the passage is quoted from."))
    passage = serializers.CharField(read_only=True)
    start = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Character offset of the passage in the source; null when the source's text is not stored."),
    )
    end = serializers.IntegerField(read_only=True, allow_null=True)
    confidence = serializers.ChoiceField(Confidence.choices, read_only=True)
    claim = serializers.CharField(read_only=True, help_text=_("The fact the passage supports, e.g. start, role."))
    value = serializers.CharField(read_only=True, help_text=_("What the source says, where it differs."))
    rank = serializers.ChoiceField(Rank.choices, read_only=True)
    rank_reason = serializers.CharField(read_only=True)

    class Meta:
        required_summaries = ["source"]


class CuratedSerializer(serializers.ModelSerializer):
    """A curated record: ``url``, ``type``, ``slug``, then ``Meta.fields``, then ``created`` and ``modified``."""

    HEAD = ("url", "type", "slug")
    TAIL = ("created", "modified")

    url = serializers.SerializerMethodField(help_text=_("This record's API URL."))
    type = serializers.SerializerMethodField(help_text=_("The record's type."))

    # Both are built by hrkb.api.loading from the slug and the type; the methods give the schema its types.
    def get_url(self, record) -> str:
        raise TypeError("API responses are built by hrkb.api.loading, not from instances")

    def get_type(self, record) -> str:
        raise TypeError("API responses are built by hrkb.api.loading, not from instances")

    def get_field_names(self, declared_fields, info):
        return [*self.HEAD, *super().get_field_names(declared_fields, info), *self.TAIL]
