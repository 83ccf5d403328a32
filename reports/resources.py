"""Spreadsheets of reports (their metadata: texts come in through ingest_sources), topics, authors and quotes."""

from hrkb.resources import HRKBResource

from .models import Authorship, Quote, Report, Topic

_CURATED = ("status", "restricted")


class ReportResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Report
        fields = (
            "slug",
            "title",
            "subtitle",
            "aliases",
            "kind",
            "published",
            "language",
            "publishers",
            "url",
            "un_symbol",
            "summary",
            "own_summary",
            "topics",
            "references",
            "unsourced_reason",
            *_CURATED,
        )
        import_id_fields = ("slug",)


class TopicResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Topic
        fields = ("slug", "name", "kind", "udhr_article", "parent", "description", *_CURATED)
        import_id_fields = ("slug",)


class AuthorshipResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Authorship
        fields = ("report", "position", "person", "organisation", "byline")
        import_id_fields = ("report", "position")


class QuoteResource(HRKBResource):
    class Meta(HRKBResource.Meta):
        model = Quote
        fields = ("slug", "speaker", "text", "said", "occasion", "source", "language", "unsourced_reason", *_CURATED)
        import_id_fields = ("slug",)
