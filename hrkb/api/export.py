"""Streamed exports: the whole readable knowledge base as NDJSON, one resource as CSV.

Records are read in batches of at most :data:`BATCH_SIZE`, ranges of the
primary key (each batch with its relations loaded in one query each, by the
same plans as lists and details, a dense batch by a range of owners: see
:func:`hrkb.api.loading.owned_by`), by :data:`hrkb.readers.READERS` threads ahead of the
response (:func:`read_ahead`), and written as they are serialized, a batch per
chunk, so memory stays flat however large the knowledge base grows, and no
database cursor stays open between batches. Every line is whole: a chunk is
complete lines.

There is no export-only way of building a record: an NDJSON line is written by
the resources' encoder (:func:`hrkb.api.renderers.dumps`), so it is byte for
byte the body the record's detail endpoint answers the same client, and a CSV
row is the list item's values by the rules of :func:`_cell`
(``tests/api/test_export_fidelity.py`` checks both on the corpus, anonymous and
cleared). BENCHMARKS.md gives the throughput and where its time goes.

Each export answers with the change log's watermark (``HRKB-Sync-Since``),
taken before its first record is read: following /api/v1/changes/ from it
loses nothing the export missed. The first batch is read before the response
starts, so a failure there is an ordinary (JSON) error; the exports are served
by threaded gunicorn workers (``gunicorn.conf.py``), whose heartbeat does not
wait for a long response, so no worker timeout cuts one.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from hrkb.public_types import PUBLIC_TYPES
from hrkb.readers import read_ahead

from .renderers import dumps_unescaped, escape_separators
from .sync import WATERMARK_HEADER, watermark

BATCH_SIZE = 1000


def batch_readers(view, queryset, *, batch_size: int | None = None) -> Iterator[Callable[[], list[dict]]]:
    """Functions reading the records of ``queryset`` as the view shows them, a batch each, in primary-key order.

    A batch is a range of the table's primary key holding ``batch_size`` rows
    of the table (readable or not, so at most that many records), cut from the
    key's index before the first is read: batches are independent of each
    other, and several can be read at once (:func:`read_ahead`). The last range
    is open, so a record added during the download is read as a keyset walk
    would read it.
    """
    batch_size = batch_size or BATCH_SIZE
    queryset = queryset.order_by("pk")
    after = None
    for up_to in [*_cuts(queryset, batch_size), None]:
        yield functools.partial(_read, view, queryset, after, up_to)
        after = up_to


def _cuts(queryset, batch_size: int) -> list:
    """Every ``batch_size``-th primary key of ``queryset``'s table (all of its rows: its index answers alone)."""
    keys = queryset.model._meta.concrete_model._base_manager.using(queryset.db).order_by("pk")
    return list(itertools.islice(keys.values_list("pk", flat=True).iterator(10_000), batch_size - 1, None, batch_size))


def _read(view, queryset, after, up_to) -> list[dict]:
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    if up_to is not None:
        queryset = queryset.filter(pk__lte=up_to)
    return view.represent(view.plan.fetch(queryset, context=view.loading_context))


def _tune_for_export(connection) -> None:
    """Plan a reader's queries for what an export does: many mid-sized queries on cached rows, two at a time.

    PostgreSQL's defaults cost each batch's mentions query dearly at 100,000
    reports: JIT compilation (70 ms a query, more than the query), parallel
    workers (the readers already keep both cores busy), and a sequential scan of
    the whole actors table, which the default random_page_cost (4, for spinning
    disks) prefers to 8,000 lookups by key in cached pages. The settings hold
    for the reader's own connection, closed when the export ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off; SET max_parallel_workers_per_gather = 0; SET random_page_cost = 1.1")


def viewset_for(viewset_class, request, action: str):
    """A viewset instance ready to build querysets and serializers for ``request``."""
    view = viewset_class(request=request, format_kwarg=None, kwargs={}, args=(), action=action)
    view.headers = {}
    return view


# OWASP's CSV injection advice: a cell a spreadsheet would read as a formula starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# What json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False) writes, without making an encoder per cell.
_json = DjangoJSONEncoder(ensure_ascii=False).encode


def _cell(value) -> str:
    """A CSV cell: related records by slug (joined with |), other structures as JSON; never a formula."""
    # Most cells are strings: no test of the other kinds for them.
    text = value if value.__class__ is str else _text(value)
    # A leading apostrophe makes spreadsheets show the text as it is instead of evaluating it.
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return value.get("slug") or _json(value)
    if isinstance(value, list):
        if all(isinstance(item, dict) and "slug" in item for item in value):
            return "|".join(item["slug"] for item in value)
        if all(isinstance(item, str) for item in value):
            return "|".join(value)
        return _json(value)
    return str(value)


def streamed(chunks, content_type: str, filename: str) -> StreamingHttpResponse:
    """A streamed download of ``chunks``, with the change log's watermark taken before the first is read."""
    since = watermark()
    chunks = iter(chunks)
    # The first chunk before the response starts: an error there is a JSON error, not a cut body.
    first = next(chunks, "")
    response = StreamingHttpResponse(_then(first, chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response[WATERMARK_HEADER] = since
    return response


def _then(first, rest):
    """``first``, then the chunks of the generator ``rest``, which closing this closes (a client that hung up:
    a read-ahead thread stops with it)."""
    yield first
    yield from rest


def csv_response(view, queryset, filename: str) -> StreamingHttpResponse:
    """``queryset`` (already filtered for the client) as a streamed CSV file, with a header row."""
    # The header comes from the declaration, so an empty list still has one.
    header = view.plan.keys

    def chunks():
        readers = (functools.partial(_csv_rows, header, read) for read in batch_readers(view, queryset))
        batches = read_ahead(readers, tune=_tune_for_export)
        # With the first batch, which is read before the response starts (see streamed).
        yield _csv_text([header]) + next(batches, "")
        yield from batches

    return streamed(chunks(), "text/csv; charset=utf-8", filename)


def _csv_rows(header: list[str], read) -> str:
    return _csv_text([_cell(item.get(column)) for column in header] for item in read())


def _csv_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _ndjson_lines(read) -> bytes:
    # Each line is the record's detail body, byte for byte (the resources' encoder).
    return escape_separators(b"".join([dumps_unescaped(item, newline=True) for item in read()]))


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
        for view in views:
            # Lines are bytes: child rows may come as JSON written by the database (hrkb.api.loading.RowsAsJSON).
            view.loading_context.in_sql = True

        querysets = [(view, view.get_queryset()) for view in views]
        batches = (
            functools.partial(_ndjson_lines, read)
            for view, queryset in querysets
            for read in batch_readers(view, queryset)
        )
        # Without the empty chunks of empty batches (types with no records, ranges of unreadable ones).
        chunks = (lines for lines in read_ahead(batches, tune=_tune_for_export) if lines)
        return streamed(chunks, "application/x-ndjson; charset=utf-8", "hrkb.ndjson")
