"""A bound on each query a web request runs: what the database would work at for minutes is cancelled.

Every admin list, search and API filter is built to answer in well under a second, but a
combination nobody measured can still make the database work for minutes (the mentions searched
for "north korea" with their filters' counts ran for more than ten before it was found and fixed).
Such a query holds a connection and a core meanwhile. Each query of a request may run
``settings.QUERY_TIMEOUT`` seconds (0: no bound); past that it is cancelled and the request
answers 503 with what to do, as JSON for the API and as an admin page for the admin.

PostgreSQL cancels the query itself (``statement_timeout``, set for the request on each connection
it uses, the read-ahead threads' included); SQLite is interrupted by a progress handler. Management
commands (ingest, migrate, generated corpora) run no request and keep no bound.
"""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack, contextmanager, suppress

import psycopg
from django.conf import settings
from django.contrib import admin
from django.db import OperationalError, connections
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from psycopg.pq import TransactionStatus

_current = threading.local()
# SQLite calls the progress handler every this many virtual machine instructions.
_SQLITE_STEPS = 10_000


def current() -> float | None:
    """The bound on each query of the request this thread serves, in seconds; None outside one."""
    return getattr(_current, "seconds", None)


@contextmanager
def bounded(seconds: float | None):
    """Run the block with each query on this thread's connections bounded to ``seconds`` (None or 0: unbounded)."""
    if not seconds:
        yield
        return
    previous, _current.seconds = current(), seconds
    bound = _Bound(seconds)
    try:
        with ExitStack() as stack:
            for connection in connections.all(initialized_only=False):
                if connection.vendor in ("postgresql", "sqlite"):
                    stack.enter_context(connection.execute_wrapper(bound))
            yield
    finally:
        _current.seconds = previous
        bound.lift()


class _Bound:
    """An execute wrapper: PostgreSQL's ``statement_timeout`` set before the first query of the block on each
    connection and reset after the block (a streamed export reads on after its request's view has returned);
    SQLite's progress handler around each query."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.set_on: list = []  # PostgreSQL connections (psycopg's) whose statement_timeout is set

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        raw = connection.connection
        if connection.vendor == "postgresql":
            if not any(raw is done for done in self.set_on):
                raw.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(self.seconds * 1000)}ms"])
                self.set_on.append(raw)
            return execute(sql, params, many, context)
        deadline = time.monotonic() + self.seconds
        raw.set_progress_handler(lambda: time.monotonic() > deadline, _SQLITE_STEPS)
        try:
            return execute(sql, params, many, context)
        finally:
            raw.set_progress_handler(None, 0)

    def lift(self) -> None:
        for raw in self.set_on:
            # A transaction the block left failed is rolled back by its owner, which undoes the SET with it.
            with suppress(psycopg.Error):
                if not raw.closed and raw.info.transaction_status != TransactionStatus.INERROR:
                    raw.execute("RESET statement_timeout")


def is_timeout(error: BaseException) -> bool:
    """Whether ``error`` is a query cancelled by :func:`bounded`."""
    if not isinstance(error, OperationalError):
        return False
    return isinstance(error.__cause__, psycopg.errors.QueryCanceled) or str(error) == "interrupted"


class QueryTimeoutMiddleware:
    """Bounds each query of a request (:func:`bounded`) and answers 503 for one that was cancelled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with bounded(settings.QUERY_TIMEOUT):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_timeout(exception):
            return None
        message = _(
            "The database took longer than %(seconds)s seconds to answer this request and stopped. "
            "Narrow it: fewer or rarer words, a filter, an earlier page."
        ) % {"seconds": f"{settings.QUERY_TIMEOUT:g}"}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503)
        context = {**admin.site.each_context(request), "title": _("Too slow to answer"), "message": message}
        return TemplateResponse(request, "admin/hrkb/timeout.html", {**context, "again": request.path}, status=503)
