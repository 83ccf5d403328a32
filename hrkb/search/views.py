"""/api/v1/search/: ranked hits across reports, people, organisations, events and quotes."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from hrkb.api.access import is_cleared

from .engine import search_all
from .facets import FILTERS, facet_counts
from .query import parse
from .serializers import MAX_HITS, HitSerializer, SearchParamsSerializer, SearchResponseSerializer


class SearchView(GenericAPIView):
    """Search everything at once; hits are ranked across types, each with a highlighted snippet."""

    serializer_class = HitSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[SearchParamsSerializer],
        operation_id="search",
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='Bad parameters: an object naming each one, e.g. {"q": ["This field may not be blank."]}.',
            ),
        },
        description=(
            "Ranked full-text search across reports, people, organisations, events and quotes. "
            'Syntax: words (all required), "quoted phrases", OR between alternatives, -word to exclude. '
            "Names are also matched approximately (misspellings, other romanisations). "
            f"Paginated with `page` and `page_size`; at most the first {MAX_HITS} hits. "
            "With `facets` (e.g. `facets=type,kind,year,country,topic`) the answer also counts every readable "
            "match (not only the page's) by each facet, exactly; `kind`, `year`, `country` and `topic` narrow "
            "the hits and the counts as a bucket's `value` (each facet's counts apply every filter but its own). "
            "An empty or over-long `q`, an unknown `type`, facet or filter value, or a page beyond the cap "
            "answer 400 naming the parameter."
        ),
    )
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page, size = params.validated_data["page"], params.validated_data["page_size"]
        offset = (page - 1) * size
        limit = min(size, MAX_HITS - offset)
        data = params.validated_data
        filters = {name: data[name] for name in FILTERS if data.get(name)}
        # One more than the page tells whether there is a next page, without counting.
        hits = search_all(
            data["q"],
            types=data.get("type"),
            restricted=is_cleared(request),
            limit=limit + 1,
            offset=offset,
            filters=filters,
        )
        url = request.build_absolute_uri()
        has_next = len(hits) > limit and offset + limit < MAX_HITS
        previous = None
        if page > 1:
            previous = replace_query_param(url, "page", page - 1) if page > 2 else remove_query_param(url, "page")
        body = {
            "query": data["q"],
            "next": replace_query_param(url, "page", page + 1) if has_next else None,
            "previous": previous,
            "results": self.get_serializer(hits[:limit], many=True).data,
        }
        if data.get("facets"):
            parsed, cleared = parse(data["q"]), is_cleared(request)
            counts = facet_counts(parsed, data["facets"], types=data.get("type"), restricted=cleared, filters=filters)
            body["facets"] = {name: [asdict(bucket) for bucket in buckets] for name, buckets in counts.items()}
        return Response(body)
