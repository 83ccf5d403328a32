"""The parameters and the answer of /api/v1/search/."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hrkb.api.params import whole_number

from .documents import search_types
from .query import MAX_QUERY_LENGTH, MAX_TERMS, SearchQueryError, clean

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
# Relevance beyond the first few hundred hits is noise; a cap keeps every page cheap.
MAX_HITS = 200


class WholeNumberField(serializers.IntegerField):
    """A whole number written in ASCII digits (see :func:`hrkb.api.params.whole_number`)."""

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
    type = serializers.CharField(
        required=False,
        help_text=_("Only these types, comma-separated: %(types)s.") % {"types": ", ".join(search_types())},
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


class SearchResponseSerializer(serializers.Serializer):
    """A page of hits, best first."""

    query = serializers.CharField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HitSerializer(many=True)
