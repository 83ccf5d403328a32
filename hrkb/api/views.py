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
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from hrkb.access import readable_q
from hrkb.models import SlugRedirect
from hrkb.search.filters import RankedSearchFilter

from .access import is_cleared
from .export import csv_response
from .filters import FilterBackend
from .jsonld import JSONLDRenderer
from .serializers import SummaryRow, summary_fields

SLUG_PATTERN = r"[-a-zA-Z0-9_]+"


def _under(relation: str, order: str) -> str:
    """An ordering of the related model, as an ordering across ``relation``: "-published" → "-report__published"."""
    return f"-{relation}__{order[1:]}" if order.startswith("-") else f"{relation}__{order}"


def with_summaries(queryset, *relations):
    """``select_related(*relations)``, reading only the columns their summaries show.

    A citation's source is a report whose full text may run to megabytes;
    a summary needs its slug and title.
    """
    model = queryset.model
    fields = [field.name for field in model._meta.concrete_fields]
    for relation in relations:
        fields += summary_fields(model._meta.get_field(relation).related_model, f"{relation}__")
    return queryset.select_related(*relations).only(*fields)


class CuratedViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only resource of curated records, addressed by slug.

    Subclasses name the ``model``, the serializers (``serializer_class`` for
    lists, ``detail_serializer_class`` for one record), the ``filterset_class``
    and the ``ordering_fields``, and extend :meth:`get_queryset` with the
    select_related/prefetch_related their serializers need, building any
    prefetch from :meth:`readable` so nested records obey the access rules.

    Only records the client may read are ever fetched: drafts for nobody,
    restricted ones for partner keys cleared for them. An old slug answers
    301 to the record's current URL. Responses carry ``Last-Modified`` (and
    an ETag, from ``ConditionalGetMiddleware``) so clients can revalidate.
    """

    model = None
    detail_serializer_class = None
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    # Indexed columns only, so that every page costs the same however deep (see pagination).
    ordering_fields = ("slug", "modified")
    ordering = "slug"
    summary_relations: tuple[str, ...] = ()  # forward many-to-many relations shown as summaries
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

    def readable(self, model):
        """The records of ``model`` this client may read; use it for every nested queryset."""
        return model._default_manager.readable(restricted=self.cleared)

    def load_summaries(self, records) -> None:
        """Load the to-many relations named in ``summary_relations`` as summary rows, one query each.

        For a page of records with several related records each, this costs a
        fraction of prefetch_related, which builds a model instance per row.
        """
        ids = [record.pk for record in records]
        shown = self.get_serializer_class()._declared_fields
        for name in [name for name in self.summary_relations if name in shown] if ids else ():
            field = self.model._meta.get_field(name)
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            related = field.related_model
            # Proxies name their type (person, organisation); the concrete actor table needs its kind column.
            public_type = None if related._meta.model_name == "actor" else related._meta.model_name
            columns = summary_fields(related, f"{target}__")
            rows = (
                field.remote_field.through.objects.filter(readable_q(f"{target}__", restricted=self.cleared))
                .filter(**{f"{source}__in": ids})
                .order_by(*(_under(target, order) for order in related._meta.ordering), f"{target}__pk")
                .values_list(f"{source}_id", *columns)
            )
            loaded = {record.pk: [] for record in records}
            for owner, slug, status, restricted, title, *kind in rows:
                loaded[owner].append(SummaryRow(public_type or kind[0], slug, status, restricted, title))
            for record in records:
                record.__dict__.setdefault("_summaries", {})[name] = loaded[record.pk]

    def summaries(self, model, *extra):
        """The readable records of ``model``, loaded only as far as their summaries need.

        A reverse foreign-key prefetch needs that key too: name it in ``extra``.
        """
        return self.readable(model).only(*summary_fields(model), *extra)

    def get_queryset(self):
        return self.readable(self.model)

    def get_serializer_class(self):
        if self.full_records and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "cleared": self.cleared}

    def initial(self, request, *args, **kwargs):
        # PostgreSQL cannot take a NUL in a string parameter: refuse it as bad input, not a crash.
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise ValidationError({name.replace("\x00", ""): [_("Parameters cannot contain NUL characters.")]})
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # What a client sees depends on its key.
        patch_vary_headers(response, ["Authorization"])
        return response

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.load_summaries(page)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if page:
            response["Last-Modified"] = http_date(max(record.modified for record in page).timestamp())
        return response

    def retrieve(self, request, *args, **kwargs):
        try:
            record = self.get_object()
        except Http404:
            redirect = self.redirect_old_slug(request, kwargs[self.lookup_field])
            if redirect is None:
                raise
            return redirect
        self.load_summaries([record])
        response = Response(self.get_serializer(record).data)
        response["Last-Modified"] = http_date(record.modified.timestamp())
        return response

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
        return csv_response(self, queryset, f"hrkb-{self.basename}.csv")
