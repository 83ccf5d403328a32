"""The admin's search box, backed by the search engine."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.main import ORDER_VAR

from .documents import is_searchable
from .engine import search_queryset
from .query import SearchQueryError, clean


class RankedSearchAdminMixin:
    """Search the admin's change list (and its autocomplete) with the API's search engine.

    Put it before ``admin.ModelAdmin`` in the bases. Results come best match
    first unless the curator sorts by a column. ``search_fields`` must still be
    set (the admin shows the search box only then) and is what models without
    a search document fall back to.
    """

    def get_search_results(self, request, queryset, search_term):
        if not is_searchable(queryset.model):
            return super().get_search_results(request, queryset, search_term)
        try:
            query = clean(search_term)
        except SearchQueryError as error:
            messages.warning(request, str(error))
            return queryset.none(), False
        if not query:
            return queryset, False
        ordering = list(queryset.query.order_by)
        results = search_queryset(queryset, query)
        if request.GET.get(ORDER_VAR) and ordering:
            results = results.order_by(*ordering)
        return results, False
