"""The ``search`` parameter of every list endpoint, backed by the search engine."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from hrkb.api.access import is_cleared

from .documents import is_searchable
from .engine import search_queryset
from .query import MAX_TERMS, SearchQueryError, clean


class RankedSearchFilter(filters.SearchFilter):
    """Full-text search, best match first, for models with a search document.

    The same engine answers /api/v1/search/ and the admin's search box, so a
    partner finds through a list endpoint what a curator finds in the admin.
    Models without a search document fall back to DRF's ``search_fields``
    matching. An explicit ``ordering`` parameter wins over relevance.
    """

    search_description = format_lazy(
        _(
            'Full-text search, best match first: words, "quoted phrases", OR between alternatives, -word to exclude; '
            "at most {terms} distinct words or phrases."
        ),
        terms=MAX_TERMS,
    )

    def filter_queryset(self, request, queryset, view):
        if not is_searchable(queryset.model):
            return super().filter_queryset(request, queryset, view)
        try:
            query = clean(request.query_params.get(self.search_param, ""))
        except SearchQueryError as error:
            raise ValidationError({self.search_param: [str(error)]}) from error
        if not query:
            return queryset
        ordering = list(queryset.query.order_by)
        results = search_queryset(queryset, query, restricted=is_cleared(request))
        if request.query_params.get(api_settings.ORDERING_PARAM) and ordering:
            results = results.order_by(*ordering)
        return results
