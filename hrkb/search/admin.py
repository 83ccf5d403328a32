"""The admin's search box, backed by the search engine."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db.models import Case, FloatField, Q, Value, When

from .documents import is_searchable
from .engine import search_queryset
from .query import SearchQueryError, clean

# The engine's best matches the change list shows, ranked; search_fields' finds follow them.
ADMIN_RANKED = 500


class RankedSearchAdminMixin:
    """Search the admin's change list (and its autocomplete) with the API's search engine.

    Put it before ``admin.ModelAdmin`` in the bases. The change list shows the
    engine's matches best first (web-search syntax, misspelt names, aliases),
    then whatever Django's own ``search_fields`` matching finds besides, so
    searches through relations the search documents do not hold (a report by
    its author's name) keep working. Sorting by a column wins over relevance.
    ``search_fields`` must be set (the admin shows the search box only then);
    models without a search document use it alone.
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
        scores = dict(search_queryset(queryset, query).values_list("pk", "search_rank")[:ADMIN_RANKED])
        found, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Subqueries on primary keys: each record once, whatever relations search_fields crossed.
        results = queryset.filter(Q(pk__in=list(scores)) | Q(pk__in=found.values("pk")))
        ranks = [When(pk=pk, then=Value(score)) for pk, score in scores.items()]
        results = results.annotate(
            search_rank=Case(*ranks, default=Value(0.0), output_field=FloatField()) if ranks else Value(0.0)
        )
        if request.GET.get(ORDER_VAR) and ordering:
            return results.order_by(*ordering), False
        return results.order_by("-search_rank", "-pk"), False
