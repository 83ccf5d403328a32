"""Serializer building blocks shared by every resource."""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from hrkb.access import is_readable
from hrkb.models import Confidence, Rank
from hrkb.public_types import NAMES

from .access import is_cleared

SUMMARY_SCHEMA = {
    "type": "object",
    "description": "A related record: its type, slug, name and API URL.",
    "required": ["type", "slug", "name", "url"],
    "properties": {
        "type": {"type": "string", "enum": list(NAMES)},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
    },
}
SUMMARY_NAME_LENGTH = 120


class SummaryRow:
    """Just what a summary shows of a related record, read as a tuple rather than a model instance."""

    __slots__ = ("name", "public_type", "restricted", "slug", "status")

    def __init__(self, public_type, slug, status, restricted, name):
        self.public_type, self.slug, self.status, self.restricted, self.name = (
            public_type,
            slug,
            status,
            restricted,
            name,
        )


def record_type(record) -> str:
    """The public type of a record: report, person, organisation, event, topic or quote."""
    if isinstance(record, SummaryRow):
        return record.public_type
    name = record._meta.concrete_model._meta.model_name
    return record.kind if name == "actor" else name


NAME_FIELDS = ("name", "title", "text")


def summary_fields(model, prefix: str = "") -> list[str]:
    """The columns a summary of ``model`` reads: for ``.only()`` on querysets of related records."""
    names = {field.name for field in model._meta.concrete_fields}
    fields = ["slug", "status", "restricted", next(name for name in NAME_FIELDS if name in names)]
    if model._meta.concrete_model._meta.model_name == "actor":
        fields.append("kind")
    return [prefix + name for name in fields]


def record_name(record) -> str:
    for attribute in NAME_FIELDS:
        value = getattr(record, attribute, None)
        if value is not None:
            return value if len(value) <= SUMMARY_NAME_LENGTH else value[: SUMMARY_NAME_LENGTH - 1] + "…"
    return record.slug


@functools.lru_cache(maxsize=32)
def _detail_path(record_type_: str, script_prefix: str) -> tuple[str, str]:
    path = reverse(f"api:{record_type_}-detail", kwargs={"slug": "slug-placeholder"})
    head, tail = path.split("slug-placeholder")
    return head, tail


def record_url(record, context) -> str:
    """The record's absolute API URL.

    Built from a cached template rather than reverse() per record: a page of
    a hundred reports holds several hundred summaries.
    """
    # The templates with the base URL in front, per type, kept in the (per-response) context: the
    # script prefix is a thread-local lookup, too slow to repeat for every summary on a page.
    templates = context.get("url_templates")
    if templates is None:
        request = context.get("request")
        context["base_url"] = request.build_absolute_uri("/")[:-1] if request is not None else ""
        templates = context["url_templates"] = {}
    type_ = record_type(record)
    template = templates.get(type_)
    if template is None:
        head, tail = _detail_path(type_, get_script_prefix())
        template = templates[type_] = (context["base_url"] + head, tail)
    return f"{template[0]}{record.slug}{template[1]}"


def cleared(context) -> bool:
    """The client's clearance, worked out once per response and kept in the serializer context."""
    if "cleared" not in context:
        context["cleared"] = is_cleared(context.get("request"))
    return context["cleared"]


def summary(record, context) -> dict | None:
    """``{type, slug, name, url}`` of a related record, or None if the client may not read it."""
    if record is None or not is_readable(record, restricted=cleared(context)):
        return None
    return {
        "type": record_type(record),
        "slug": record.slug,
        "name": record_name(record),
        "url": record_url(record, context),
    }


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
        return summary(record, self.context)

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

    def get_attribute(self, instance):
        # Summaries the viewset loaded as rows (see CuratedViewSet.load_summaries), else the relation.
        loaded = getattr(instance, "_summaries", {}).get(self.source)
        return loaded if loaded is not None else super().get_attribute(instance).all()

    def to_representation(self, records):
        context = self.context
        return [item for item in (summary(record, context) for record in records) if item]


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

    def to_representation(self, citation):
        # Built directly: a detail page can hold dozens of citations, and these are plain columns.
        # None stays None, as DRF leaves it; the choice and text columns are already strings.
        return {
            "source": summary(citation.source, self.context),
            "passage": _text(citation.passage),
            "start": citation.start,
            "end": citation.end,
            "confidence": _text(citation.confidence),
            "claim": _text(citation.claim),
            "value": _text(citation.value),
            "rank": _text(citation.rank),
            "rank_reason": _text(citation.rank_reason),
        }


def _text(value):
    """A column as DRF's CharField or ChoiceField shows it: a plain string, or None."""
    return None if value is None else str(value)


class CuratedSerializer(serializers.ModelSerializer):
    """A curated record: its API ``url`` and ``slug`` first, ``created`` and ``modified`` last."""

    url = serializers.SerializerMethodField(help_text=_("This record's API URL."))

    def get_url(self, record) -> str:
        return record_url(record, self.context)

    def to_representation(self, instance):
        """DRF's ``Serializer.to_representation``, with plain attributes read directly.

        A list page runs this for every record; DRF re-walks the field dict and
        goes through ``get_attribute`` for each field. Here the readable fields
        are listed once per serializer, and a field whose source is one plain
        attribute (a model column) is read with ``getattr``. Anything else, and
        any attribute that is callable or missing, takes DRF's own path.
        """
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self.__dict__["_plan"] = [
                (field.field_name, field, _plain_attribute(field)) for field in self._readable_fields
            ]
        data = {}
        for name, field, attribute_name in plan:
            attribute = getattr(instance, attribute_name, _MISSING) if attribute_name else _MISSING
            if attribute is _MISSING or callable(attribute):
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(attribute, PKOnlyObject):
                    attribute = attribute if attribute.pk is not None else None
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data


_MISSING = object()


def _plain_attribute(field) -> str | None:
    """The attribute a field reads, if it reads one attribute the plain way (else None)."""
    if type(field).get_attribute is not serializers.Field.get_attribute or len(field.source_attrs) != 1:
        return None
    return field.source_attrs[0]
