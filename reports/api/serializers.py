"""Reports, topics and quotes as the API shows them (declarations read by hrkb.api.loading)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hrkb.api.serializers import (
    CitationSerializer,
    CuratedSerializer,
    LinesField,
    OptionalURLField,
    PartialDateField,
    SummaryField,
    SummaryListField,
)

from ..models import Authorship, Quote, Report, Topic


class AuthorshipSerializer(serializers.ModelSerializer):
    """One author in the byline: a person, or an organisational byline."""

    # Declared rather than derived from the model: the integer range a database gives a small
    # integer column differs between SQLite and PostgreSQL, and the schema must not.
    position = serializers.IntegerField(read_only=True, min_value=1, help_text=_("Order in the byline, from 1."))
    person = SummaryField()
    organisation = SummaryField(help_text=_("The organisation behind an organisational byline."))

    class Meta:
        model = Authorship
        fields = ["position", "person", "organisation", "byline"]
        optional_summaries = ["person", "organisation"]


class MentionSerializer(serializers.Serializer):
    """A span of a report's text that names a person, organisation, report or event."""

    start = serializers.IntegerField(read_only=True, help_text=_("Character offset in the report's text."))
    end = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    target = SummaryField(sources=("actor", "mentioned_report", "event"), help_text=_("The record the span names."))

    class Meta:
        required_summaries = ["target"]


class ReportSerializer(CuratedSerializer):
    """A report, article, UN document, resolution or open letter, as listed."""

    published = PartialDateField(help_text=_("When it was published, at the precision known."))
    web_url = OptionalURLField(source="url", read_only=True, help_text=_("Where the publication is online."))
    publishers = SummaryListField()
    authors = AuthorshipSerializer(many=True, read_only=True, source="authorships")
    topics = SummaryListField()

    class Meta:
        model = Report
        summary_name = "title"
        fields = [
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
        ]


class ReportDetailSerializer(ReportSerializer):
    """A report in full: its text, what it names, what it cites, and the passages behind its facts."""

    aliases = LinesField(help_text=_("Other titles it goes by."))
    references = SummaryListField(help_text=_("Reports this one cites or discusses."))
    events = SummaryListField(help_text=_("Events this report relates to."))
    mentions = MentionSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "aliases", "text", "references", "events", "mentions", "citations"]


class TopicSerializer(CuratedSerializer):
    """A term of the controlled vocabulary (including the 30 articles of the UDHR)."""

    parent = SummaryField(help_text=_("The broader topic."))

    class Meta:
        model = Topic
        summary_name = "name"
        fields = ["name", "kind", "udhr_article", "description", "parent"]


class TopicDetailSerializer(TopicSerializer):
    children = SummaryListField(help_text=_("Narrower topics."))

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "children"]


class QuoteSerializer(CuratedSerializer):
    """A statement attributed to a person."""

    speaker = SummaryField()
    said = PartialDateField(help_text=_("When it was said, at the precision known."))
    source = SummaryField(help_text=_("The report in which the quote appears."))

    class Meta:
        model = Quote
        summary_name = "text"
        fields = ["text", "speaker", "said", "occasion", "language", "source"]


class QuoteDetailSerializer(QuoteSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "citations"]
