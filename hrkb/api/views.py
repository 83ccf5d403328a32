"""The base viewset every resource uses."""

from __future__ import annotations

from functools import cached_property

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from hrkb.models import SlugRedirect
from hrkb.public_types import BY_NAME
from hrkb.search.filters import RankedSearchFilter

from . import as_of
from .access import is_cleared
from .export import csv_response
from .filters import FilterBackend
from .jsonld import JSONLDRenderer
from .loading import Context, Plan, plan_for
from .renderers import JSONRenderer

SLUG_PATTERN = r"[-a-zA-Z0-9_]+"


class CuratedViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only resource of curated records, addressed by slug.

    Subclasses name the ``model``, the serializers (``serializer_class`` for
    lists, ``detail_serializer_class`` for one record), the ``filterset_class``
    and the ``ordering_fields``; nothing else. What to load is declared by the
    serializers' fields and loaded by :mod:`hrkb.api.loading` as rows, one query
    per relation per page, every related query under the access rule.

    Only records the client may read are ever fetched: drafts for nobody,
    restricted ones for partner keys cleared for them, and what a type's
    readability depends on (a quote's speaker). An old slug answers 301 to the
    record's current URL. Responses carry ``Last-Modified`` (and an ETag, from
    ``ConditionalGetMiddleware``) so clients can revalidate.
    """

    model = None
    detail_serializer_class = None
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    # Indexed columns only, so that every page costs the same however deep (see pagination).
    ordering_fields = ("slug", "modified")
    ordering = "slug"
    renderer_classes = [JSONRenderer, JSONLDRenderer]
    # REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS, with django-filter's skipping requests that filter nothing.
    filter_backends = [FilterBackend, RankedSearchFilter]

    @cached_property
    def cleared(self) -> bool:
        return is_cleared(self.request)

    @property
    def full_records(self) -> bool:
        """Whether the records will be shown in full (one record, or the NDJSON export).

        Not DRF's ``detail``, which routers set per route and ``as_view`` resets on the class.
        """
        return self.action == "retrieve"

    def get_queryset(self):
        return self.model._default_manager.readable(restricted=self.cleared)

    def get_serializer_class(self):
        if self.full_records and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    @property
    def plan(self) -> Plan:
        return plan_for(self.get_serializer_class(), self.model)

    @cached_property
    def loading_context(self) -> Context:
        return Context(self.request, cleared=self.cleared)

    def represent(self, rows: list[tuple]) -> list[dict]:
        return self.plan.represent(rows, self.loading_context)

    def initial(self, request, *args, **kwargs):
        # PostgreSQL cannot take a NUL in a string parameter: refuse it as bad input, not a crash.
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise ValidationError({name.replace("\x00", ""): [_("Parameters cannot contain NUL characters.")]})
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(getattr(response, "accepted_renderer", None), JSONLDRenderer):
            # Errors are plain JSON whatever format was asked for: they are not linked data.
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        # What a client sees depends on its key.
        patch_vary_headers(response, ["Authorization"])
        return response

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        response = self.get_paginated_response(self.represent(rows))
        self._last_modified(response, rows)
        return response

    # Known query parameters of a detail besides the list's: `as_of` (hrkb.api.as_of).
    detail_parameters = (as_of.PARAMETER,)

    @extend_schema(parameters=[as_of.AS_OF])
    def retrieve(self, request, *args, **kwargs):
        slug = kwargs[self.lookup_field]
        rows = self.plan.fetch(self.filter_queryset(self.get_queryset()).filter(slug=slug))
        if not rows:
            redirect = self.redirect_old_slug(request, slug)
            if redirect is None:
                raise Http404
            return redirect
        if as_of.PARAMETER in request.query_params:
            moment = as_of.moment_from(request.query_params[as_of.PARAMETER])
            record = self.model._default_manager.get(pk=rows[0][self.plan.id_at])
            rows, version = as_of.as_of_rows(self, record, moment)
            data = as_of.with_links_as_of(self.represent(rows)[0], version, self.loading_context, cleared=self.cleared)
            return Response(data)
        response = Response(self.represent(rows)[0])
        self._last_modified(response, rows)
        return response

    def _last_modified(self, response, rows) -> None:
        if rows:
            at = self.plan.index("modified")
            response["Last-Modified"] = http_date(max(row[at] for row in rows).timestamp())

    def redirect_old_slug(self, request, slug: str):
        """301 to the current URL of a renamed or merged record, if the client may read it."""
        new_slug = SlugRedirect.objects.resolve(self.model, slug)
        if new_slug is None or not self.get_queryset().filter(slug=new_slug).exists():
            return None
        url = reverse(f"api:{self.basename}-detail", kwargs={self.lookup_field: new_slug})
        query = request.META.get("QUERY_STRING")
        return HttpResponsePermanentRedirect(request.build_absolute_uri(url) + (f"?{query}" if query else ""))

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="A header row, then one row per record.")
        },
        description="Every record of the list (with the same filters and search), as a streamed CSV file. "
        "Related records appear as their slugs joined with `|`.",
    )
    def export_csv(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        return csv_response(self, queryset, f"hrkb-{BY_NAME[self.basename].path}.csv")
