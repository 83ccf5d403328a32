"""The parameters and the answer of /api/v1/search/."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils import html

from hrkb.api.params import whole_number

from . import facets
from .documents import search_types
from .query import MAX_QUERY_LENGTH, MAX_TERMS, SearchQueryError, clean

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
# Relevance beyond the first few hundred hits is noise; a cap keeps every page cheap.
MAX_HITS = 200


class WholeNumberField(serializers.IntegerField):
    """A whole number written in ASCII digits (see :func:`hrkb.api.params.whole_number`)."""

    def get_value(self, dictionary):
        # DRF reads an empty optional value as absent; an empty number is a bad one here, as in the
        # lists' page_size (400 naming it), which is what the schema's integer type says.
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str) and whole_number(data) is None:
            self.fail("invalid")
        return super().to_internal_value(data)


class SearchParamsSerializer(serializers.Serializer):
    """The query string of /search/: ``q``, ``type``, ``page``, ``page_size``."""

    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        help_text=format_lazy(
            _('Words, "quoted phrases", OR between alternatives, -word to exclude; at most {terms} distinct terms.'),
            terms=MAX_TERMS,
        ),
    )
    # Empty values (as forms send them) are answered as absent, and the schema says so (no minLength).
    type = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Only these types, comma-separated: %(types)s.") % {"types": ", ".join(search_types())},
    )
    facets = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=format_lazy(
            _(
                "Also count the readable matches (all of them, not only this page's) by these facets, "
                "comma-separated: {facets}. Each facet's counts apply every filter but its own."
            ),
            facets=", ".join(facets.FACETS),
        ),
    )
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Only records of these kinds (a report's, an event's or an organisation's), comma-separated; "
            "types without a kind are left out."
        ),
    )
    year = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Only records of these years, comma-separated (a report's publication, an event's start, "
            "a quote's date; a partial date counts in its year); undated types are left out."
        ),
    )
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Only events in these countries, ISO 3166-1 alpha-2 codes, comma-separated."),
    )
    topic = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Only reports and events on these topics, by slug, comma-separated."),
    )
    page = WholeNumberField(required=False, default=1, min_value=1)
    page_size = WholeNumberField(required=False, default=PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE)

    def validate_q(self, value: str) -> str:
        try:
            return clean(value)
        except SearchQueryError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate_type(self, value: str) -> list[str]:
        types = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in types if name not in search_types()]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown type %(unknown)s; choose from %(types)s.")
                % {"unknown": ", ".join(unknown), "types": ", ".join(search_types())}
            )
        return types

    def validate_facets(self, value: str) -> list[str]:
        try:
            return facets.parse_names(value)
        except facets.FacetError as error:
            raise serializers.ValidationError(str(error)) from error

    def _filter(self, name: str, value: str) -> list:
        try:
            return facets.parse_filter(name, value)
        except facets.FacetError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate_kind(self, value: str) -> list[str]:
        return self._filter("kind", value)

    def validate_year(self, value: str) -> list[int]:
        return self._filter("year", value)

    def validate_country(self, value: str) -> list[str]:
        return self._filter("country", value)

    def validate_topic(self, value: str) -> list[str]:
        return self._filter("topic", value)

    def validate(self, attrs):
        if (attrs["page"] - 1) * attrs["page_size"] >= MAX_HITS:
            raise serializers.ValidationError(
                {"page": [_("Search returns at most the first %(max)s hits.") % {"max": MAX_HITS}]}
            )
        return attrs


class HitSerializer(serializers.Serializer):
    """One hit: what it is, where it lives, and why it matched (``snippet``, HTML with <mark>)."""

    type = serializers.ChoiceField(choices=list(search_types()))
    slug = serializers.SlugField()
    title = serializers.CharField(help_text=_("The report's or event's title, the actor's name, the quote's text."))
    highlighted_title = serializers.CharField(
        help_text=_(
            "The title, HTML-escaped, the query's matches in it wrapped in <mark> (none where it matched elsewhere)."
        )
    )
    summary = serializers.CharField(allow_blank=True)
    url = serializers.SerializerMethodField(help_text=_("The record's API URL, if it has one."))
    snippet = serializers.CharField(
        allow_blank=True, help_text=_("A passage around the match, HTML-escaped, matches wrapped in <mark>.")
    )
    score = serializers.FloatField(help_text=_("Relevance, 0–1, comparable within one response only."))

    def get_url(self, hit) -> str | None:
        request = self.context.get("request")
        if hit.url and request is not None:
            return request.build_absolute_uri(hit.url)
        return hit.url


class BucketSerializer(serializers.Serializer):
    """One value of a facet and how many readable matches hold it."""

    value = serializers.CharField(
        help_text=_("What the facet's filter takes: a type, a kind, a year (YYYY), a country code, a topic's slug.")
    )
    label = serializers.CharField(help_text=_("How the value reads (a topic's name, a kind's label)."))
    count = serializers.IntegerField(min_value=1, help_text=_("Exact, over every readable match."))


def _buckets(text):
    return BucketSerializer(many=True, required=False, help_text=text)


class FacetsSerializer(serializers.Serializer):
    """The facets asked for, each a list of buckets (exact counts); a facet not asked for is absent."""

    type = _buckets(_("Matches by type, most first; its counts ignore the `type` parameter."))
    kind = _buckets(
        format_lazy(_("Reports, events and organisations by kind, most first (at most {max})."), max=facets.MAX_BUCKETS)
    )
    year = _buckets(
        format_lazy(
            _("Reports, events and quotes by year, oldest first (the most recent {max} years)."),
            max=facets.MAX_YEARS,
        )
    )
    country = _buckets(format_lazy(_("Events by country, most first (at most {max})."), max=facets.MAX_BUCKETS))
    topic = _buckets(format_lazy(_("Reports and events by topic, most first (at most {max})."), max=facets.MAX_BUCKETS))


class SearchResponseSerializer(serializers.Serializer):
    """A page of hits, best first, and (when asked for with ``facets``) the counts of every readable match."""

    query = serializers.CharField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HitSerializer(many=True)
    facets = FacetsSerializer(required=False)
