"""Reports, topics and quotes as the API shows them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hrkb.api.serializers import (
    ChildSerializer,
    CitationSerializer,
    CuratedSerializer,
    LinesField,
    PartialDateField,
    ReadableChildListSerializer,
    SummaryField,
    SummaryListField,
    record_type,
    summary,
)

from ..models import Authorship, Quote, Report, Topic


class TypedSerializer(CuratedSerializer):
    type = serializers.SerializerMethodField(help_text=_("The record's type."))

    def get_type(self, record) -> str:
        return record_type(record)


class AuthorshipSerializer(ChildSerializer):
    """One author in the byline: a person, or an organisational byline."""

    person = SummaryField()
    organisation = SummaryField(help_text=_("The organisation behind an organisational byline."))

    class Meta(ChildSerializer.Meta):
        model = Authorship
        fields = ["position", "person", "organisation", "byline"]
        optional_summaries = ["person", "organisation"]

    def to_representation(self, authorship):
        # Built directly: a page of reports holds a hundred or more bylines, and DRF's per-field
        # machinery (copied fields, get_attribute, to_representation for each) costs more than the row.
        context = self.context
        return {
            "position": authorship.position,
            "person": summary(authorship.person, context),
            "organisation": summary(authorship.organisation, context),
            "byline": authorship.byline,
        }


class MentionSerializer(serializers.Serializer):
    """A span of a report's text that names a person, organisation, report or event."""

    start = serializers.IntegerField(read_only=True, help_text=_("Character offset in the report's text."))
    end = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    target = SummaryField(help_text=_("The record the span names."))

    class Meta:
        list_serializer_class = ReadableChildListSerializer
        required_summaries = ["target"]


class ReportSerializer(TypedSerializer):
    """A report, article, UN document, resolution or open letter, as listed."""

    published = PartialDateField(help_text=_("When it was published, at the precision known."))
    web_url = serializers.URLField(source="url", read_only=True, help_text=_("Where the publication is online."))
    publishers = SummaryListField()
    authors = AuthorshipSerializer(many=True, read_only=True, source="readable_authorships")
    topics = SummaryListField()

    class Meta:
        model = Report
        fields = [
            "url",
            "type",
            "slug",
            "title",
            "subtitle",
            "kind",
            "published",
            "language",
            "summary",
            "un_symbol",
            "web_url",
            "publishers",
            "authors",
            "topics",
            "created",
            "modified",
        ]


class ReportDetailSerializer(ReportSerializer):
    """A report in full: its text, what it names, what it cites, and the passages behind its facts."""

    aliases = LinesField(help_text=_("Other titles it goes by."))
    references = SummaryListField(help_text=_("Reports this one cites or discusses."))
    events = SummaryListField(help_text=_("Events this report relates to."))
    mentions = MentionSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [
            *ReportSerializer.Meta.fields[:-2],
            "aliases",
            "text",
            "references",
            "events",
            "mentions",
            "citations",
            "created",
            "modified",
        ]


class TopicSerializer(TypedSerializer):
    """A term of the controlled vocabulary (including the 30 articles of the UDHR)."""

    parent = SummaryField(help_text=_("The broader topic."))

    class Meta:
        model = Topic
        fields = ["url", "type", "slug", "name", "kind", "udhr_article", "description", "parent", "created", "modified"]


class TopicDetailSerializer(TopicSerializer):
    children = SummaryListField(help_text=_("Narrower topics."))

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields[:-2], "children", "created", "modified"]


class QuoteSerializer(TypedSerializer):
    """A statement attributed to a person."""

    # The viewset loads both as summary rows (QuoteViewSet.load_summaries).
    speaker = SummaryField(source="speaker_row")
    said = PartialDateField(help_text=_("When it was said, at the precision known."))
    source = SummaryField(source="source_row", help_text=_("The report in which the quote appears."))

    class Meta:
        model = Quote
        fields = [
            "url",
            "type",
            "slug",
            "text",
            "speaker",
            "said",
            "occasion",
            "language",
            "source",
            "created",
            "modified",
        ]


class QuoteDetailSerializer(QuoteSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields[:-2], "citations", "created", "modified"]
