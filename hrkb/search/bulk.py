"""Bulk loads on PostgreSQL: each search document computed and indexed once, and a large load's index rebuilt.

Why. RUM updates its index row by row (it has no pending list like GIN's), and
every new version of a report's row is indexed in full, whichever column
changed: ``modified`` is indexed, so no update of a report is HOT. Ingest
wrote a new report four to six times (the row, then the change log moving its
``modified`` as publishers, authorships and mentions are written, and its
document naming what it mentions), and each write used to index its whole
document again: about 100 ms a report. (The change log no longer touches the
reports a load created: :func:`hrkb.changelog.created_by_load`.)

What :func:`deferred_search` does, inside the load's transaction:

1. While the load writes, the table's document trigger leaves documents NULL
   (stale; :func:`hrkb.search.schema.defer`), which RUM indexes as a null
   item, not as hundreds of words. At the end one statement computes every
   stale document (:func:`hrkb.search.schema.fill_deferred`): each report is
   parsed and indexed once, after its mentions and authors are in.
2. When the new rows are a large share of the table, PostgreSQL's advice for
   bulk loads applies as well: the RUM index is dropped before writing and
   built again at the end (about 0.4 ms a report), after the documents are
   filled. With it gone, giving a row its document changes no indexed column,
   so the load's rows are written with half of each page left free
   (:data:`LOAD_FILLFACTOR`) and each gets its document in place (a HOT
   update) rather than as a new version that every other index of the table
   (24 on reports) must point at too.

Both happen before the transaction commits, so search answers exactly as before
the moment the load is visible, and a failed load rolls them back with the rest.
The price of the rebuild: ``DROP INDEX`` holds an ACCESS EXCLUSIVE lock on the
table until the transaction ends, so every reader of the table (searches,
lists, the admin) waits for the load and the rebuild.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.transaction import TransactionManagementError

from . import schema
from .postgres import forget_rum

# Rebuild when the rows a load adds are at least this share of the rows stored. With documents deferred, a new
# report costs one RUM insertion (about 20 ms for 1,000 words on the benchmark's host) against about 0.4 ms a
# stored report to build the index (2,000 reports: 0.8 s), so the rebuild costs less from about 2 % of the
# table on. Twice that, because the rebuild locks readers out for the whole load and the row-by-row path does not.
REBUILD_SHARE = 0.05
# The fill factor of the pages a rebuilding load writes: room for each new row's second version, with its document,
# on its own page. 2,000 reports' documents filled: 1.30-1.64 s with full pages (0 of 2,000 updates HOT), 1.16-1.19 s
# so (1,876 HOT); the heap after the load is the same size either way (full pages move each second version to a new
# page). The table's own fill factor is back when the load ends, for the writes after it.
LOAD_FILLFACTOR = 50


def worth_rebuilding(new_rows: int, stored_rows: int) -> bool:
    """Whether building the index again after adding ``new_rows`` to ``stored_rows`` costs less than keeping it."""
    return new_rows > 0 and new_rows >= REBUILD_SHARE * stored_rows


class DeferredSearch:
    """One table's search upkeep during a load: documents deferred, and the RUM index dropped if worth it."""

    def __init__(self, table: str, using: str):
        self.table = table
        self.connection = connections[using]
        self.active = self.connection.vendor == "postgresql"
        #: The dropped index's definition (``CREATE INDEX …``), to create it again; None while it stands.
        self.definition: str | None = None
        #: The table's storage options before the load set its fill factor (``fillfactor=…``, or None: the default).
        self.fillfactor: str | None = None
        #: Seconds the end of the load took: documents filled, index rebuilt (None: not rebuilt).
        self.fill_seconds: float | None = None
        self.rebuild_seconds: float | None = None

    @property
    def dropped(self) -> bool:
        return self.definition is not None

    def expect(self, new_rows: int) -> bool:
        """Told how many rows the load adds: drop the index if rebuilding it will cost less. Returns whether dropped."""
        if self.dropped or not self.active or new_rows <= 0:
            return self.dropped
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_indexdef(to_regclass(%s))", [schema.rum_index(self.table)])
            definition = cursor.fetchone()[0]
            if definition is None:  # no RUM here (GIN's pending list already defers its work)
                return False
            cursor.execute(f"SELECT count(*) FROM {quote(self.table)}")
            if not worth_rebuilding(new_rows, cursor.fetchone()[0]):
                return False
            cursor.execute(f"DROP INDEX {quote(schema.rum_index(self.table))}")
            cursor.execute(
                "SELECT option FROM pg_class, unnest(reloptions) AS option "
                "WHERE oid = to_regclass(%s) AND option LIKE 'fillfactor=%%'",
                [quote(self.table)],
            )
            self.fillfactor = next(iter(cursor.fetchone() or ()), None)
            with _keys_checked(cursor):
                cursor.execute(f"ALTER TABLE {quote(self.table)} SET (fillfactor = {LOAD_FILLFACTOR})")
        self.definition = definition
        forget_rum(self.connection, self.table)
        return True

    def _start(self) -> None:
        if self.active:
            schema.defer(self.connection, self.table)

    def _finish(self) -> None:
        if not self.active:
            return
        started = time.perf_counter()
        if self.dropped:
            # A large load leaves the planner's statistics behind, and the document trigger's queries are planned
            # from them: from an empty database, a hash of the whole mentions table per report (hours at 100,000
            # reports). ANALYZE inside the transaction sees the load's own rows; PostgreSQL's bulk-load advice.
            # The project's tables only: shared catalogs analysed here would stay locked against every other
            # database's ANALYZE until the load commits.
            tables = self.connection.introspection.django_table_names(only_existing=True, include_views=False)
            with self.connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(map(self.connection.ops.quote_name, sorted(tables))))
        # Before the rebuild, so the index is built from the finished documents.
        schema.fill_deferred(self.connection, self.table)
        filled = time.perf_counter()
        self.fill_seconds = filled - started
        if self.dropped:
            table = self.connection.ops.quote_name(self.table)
            with self.connection.cursor() as cursor, _keys_checked(cursor):
                cursor.execute(self.definition)
                if self.fillfactor:
                    cursor.execute(f"ALTER TABLE {table} SET ({self.fillfactor})")
                else:
                    cursor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
            self.rebuild_seconds = time.perf_counter() - filled
            self.definition = None
            forget_rum(self.connection, self.table)


@contextmanager
def _keys_checked(cursor) -> Iterator[None]:
    """Run DDL on a table the transaction wrote: PostgreSQL refuses to build an index on, or alter, a table with
    queued trigger events, and Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED). Check
    the rows written so far now (a bad one fails the load here rather than at commit), then defer again as Django
    declares them."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def deferred_search(table: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[DeferredSearch]:
    """Run a bulk load of ``table`` with its search documents deferred to the end of the block (see above).

    Tell the object yielded how many rows the load adds (:meth:`DeferredSearch.expect`) before writing,
    so that it may drop the RUM index. Must run inside the load's transaction; the block is also a
    savepoint, so a load that fails brings the index and the trigger's usual work back whatever the
    caller does with the error. Does nothing on SQLite (FTS5 tables are kept by their triggers).
    """
    if not connections[using].in_atomic_block:
        raise TransactionManagementError("deferred_search() runs inside the load's transaction (transaction.atomic).")
    search = DeferredSearch(table, using)
    try:
        with transaction.atomic(using=using):
            search._start()
            yield search
            search._finish()
    finally:
        # A failed load's savepoint brings a dropped index back: search looks again.
        forget_rum(search.connection, table)
