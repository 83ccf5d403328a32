"""Streamed exports: the whole readable knowledge base as NDJSON, one resource as CSV.

Records are read in keyset batches of :data:`BATCH_SIZE` (each batch with its
own prefetches) and written as they are serialized, so memory stays flat
however large the knowledge base grows, and no database cursor stays open
between batches.
"""

from __future__ import annotations

import csv
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from hrkb.public_types import PUBLIC_TYPES

from .sync import WATERMARK_HEADER, watermark

BATCH_SIZE = 500


def serialized_batches(view, queryset, *, batch_size: int | None = None):
    """Yield the records of ``queryset`` as the view shows them, in primary-key order, a batch at a time."""
    batch_size = batch_size or BATCH_SIZE
    plan = view.plan
    queryset = queryset.order_by("pk")
    last = None
    while True:
        batch = plan.fetch(queryset if last is None else queryset.filter(pk__gt=last), limit=batch_size)
        if not batch:
            return
        yield view.represent(batch)
        last = batch[-1][plan.id_at]


def viewset_for(viewset_class, request, action: str):
    """A viewset instance ready to build querysets and serializers for ``request``."""
    view = viewset_class(request=request, format_kwarg=None, kwargs={}, args=(), action=action)
    view.headers = {}
    return view


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """A CSV cell: related records by slug (joined with |), other structures as JSON."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return value.get("slug") or json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, list):
        if all(isinstance(item, dict) and "slug" in item for item in value):
            return "|".join(item["slug"] for item in value)
        if all(isinstance(item, str) for item in value):
            return "|".join(value)
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return str(value)


def csv_response(view, queryset, filename: str) -> StreamingHttpResponse:
    """``queryset`` (already filtered for the client) as a streamed CSV file, with a header row."""
    writer = csv.writer(_Echo())

    def rows():
        # The header comes from the declaration, so an empty list still has one.
        header = view.plan.keys
        yield writer.writerow(header)
        for batch in serialized_batches(view, queryset):
            for item in batch:
                yield writer.writerow([_cell(item.get(column)) for column in header])

    since = watermark()  # before the first row is read: whatever changes after it is in the feed
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response[WATERMARK_HEADER] = since
    return response


class NDJSONExportView(APIView):
    """The whole readable knowledge base, one JSON record per line, streamed.

    Each line is a record as its detail endpoint shows it to the same client,
    with its ``type``. Types come in the registry's order, referenced records
    first (topics and actors before the reports and events that refer to them).
    """

    @extend_schema(
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description="One JSON object per line, each with a `type`."
            )
        },
    )
    def get(self, request):
        views = [viewset_for(public_type.viewset, request, "retrieve") for public_type in PUBLIC_TYPES]
        since = watermark()  # before the first record is read: whatever changes after it is in the feed

        def lines():
            for view in views:
                for batch in serialized_batches(view, view.get_queryset()):
                    for item in batch:
                        yield json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"

        response = StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="hrkb.ndjson"'
        response[WATERMARK_HEADER] = since
        return response
