"""Streamed exports: the whole readable knowledge base as NDJSON, one resource as CSV.

Records are read in keyset batches of :data:`BATCH_SIZE` (each batch with its
relations loaded in one query each, by the same plans as lists and details,
a dense batch by a range of owners: see :func:`hrkb.api.loading.owned_by`)
and written as they are serialized, a batch per chunk, so memory stays flat
however large the knowledge base grows, and no database cursor stays open
between batches. Every line is whole: a chunk is complete lines.

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
import io
import queue
import threading

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import StreamingHttpResponse
from django.urls import get_script_prefix, set_script_prefix
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from hrkb.public_types import PUBLIC_TYPES

from .renderers import dumps_unescaped, escape_separators
from .sync import WATERMARK_HEADER, watermark

BATCH_SIZE = 1000


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


_DONE = object()


def read_ahead(batches, using: str = DEFAULT_DB_ALIAS):
    """The items of the iterator ``batches``, each read by a second thread while the one before is written.

    Reading a batch is mostly the database's work (its queries, and on PostgreSQL
    the child rows' JSON), writing it is Python's (encoding, the socket): the two
    overlap on two cores. The thread has a connection of its own, so it runs only
    outside a transaction (a test's, or ``ATOMIC_REQUESTS``), whose rows another
    connection would not see: there the batches are read in turn. The thread
    closes its connection when the batches end, fail or are abandoned (a client
    that hangs up); a failure is raised here, where the next batch was wanted.
    """
    if connections[using].in_atomic_block:
        yield from batches
        return
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    prefix = get_script_prefix()  # thread-local: records' URLs are built with the request's

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read():
        set_script_prefix(prefix)
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
            hand_over(_DONE)
        except BaseException as error:  # handed to the writing thread, raised there
            hand_over(error)
        finally:
            connections.close_all()

    reader = threading.Thread(target=read, name="hrkb-export-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


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

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        # The header comes from the declaration, so an empty list still has one; it goes with the first batch.
        header = view.plan.keys
        writer.writerow(header)
        for batch in read_ahead(serialized_batches(view, queryset)):
            writer.writerows([_cell(item.get(column)) for column in header] for item in batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    return streamed(chunks(), "text/csv; charset=utf-8", filename)


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

        def batches():
            for view in views:
                yield from serialized_batches(view, view.get_queryset())

        def chunks():
            for batch in read_ahead(batches()):
                # Each line is the record's detail body, byte for byte (the resources' encoder).
                yield escape_separators(b"".join([dumps_unescaped(item) + b"\n" for item in batch]))

        return streamed(chunks(), "application/x-ndjson; charset=utf-8", "hrkb.ndjson")
