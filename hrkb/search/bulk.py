"""Bulk loads on PostgreSQL: a table's RUM index dropped for the load and built again before it commits.

RUM updates its index row by row (it has no pending list like GIN's), and every
new version of a report's row is indexed in full, whichever column changed:
``modified`` is indexed, so no update of a report is HOT. Ingest writes each
new report four to six times (the row, then the change log moving its
``modified`` as publishers, authorships and mentions are written, and its
document naming what it mentions), so a new report costs about 100 ms of RUM
upkeep against about 4 ms to index it in a build (figures in BENCHMARKS.md).
When the new rows are a large enough share of the table, PostgreSQL's advice
for bulk loads applies: drop the index, load, create it again — all in the
load's transaction, so a failed load rolls the drop back with everything else.

The price: ``DROP INDEX`` holds an ACCESS EXCLUSIVE lock on the table until
the transaction ends, so every reader of the table (searches, lists, the admin)
waits for the load and the rebuild. The search documents themselves are kept
by the triggers as always; only the index is rebuilt, from the same vectors,
so search answers exactly as before once the load commits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.transaction import TransactionManagementError

from .schema import rum_index

# Rebuild when the rows a load adds are at least this share of the rows stored. Building costs about 4 ms a
# report (2,000 reports of 1,000 words: 7-9 s with the host loaded) and keeping the index row by row about
# 100 ms a new report (four RUM insertions of ~25 ms), so the rebuild costs less from about 1/25 of the table
# on; half as much again leaves room for reports written fewer times (no authorships, mentions unchanged).
REBUILD_SHARE = 0.06


def worth_rebuilding(new_rows: int, stored_rows: int) -> bool:
    """Whether building the index again after adding ``new_rows`` to ``stored_rows`` costs less than keeping it."""
    return new_rows > 0 and new_rows >= REBUILD_SHARE * stored_rows


class DeferredIndex:
    """The RUM index of one table, dropped by :meth:`expect` when a load is large enough to rebuild it after."""

    def __init__(self, table: str, using: str):
        self.table = table
        self.connection = connections[using]
        #: The dropped index's definition (``CREATE INDEX …``), to create it again; None while it stands.
        self.definition: str | None = None
        #: Seconds the rebuild took, once done.
        self.rebuild_seconds: float | None = None

    @property
    def dropped(self) -> bool:
        return self.definition is not None

    def expect(self, new_rows: int) -> bool:
        """Told how many rows the load adds: drop the index if rebuilding it will cost less. Returns whether dropped."""
        if self.dropped or self.connection.vendor != "postgresql" or new_rows <= 0:
            return self.dropped
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_indexdef(to_regclass(%s))", [rum_index(self.table)])
            definition = cursor.fetchone()[0]
            if definition is None:  # no RUM here (GIN's pending list already defers its work)
                return False
            cursor.execute(f"SELECT count(*) FROM {self.connection.ops.quote_name(self.table)}")
            if not worth_rebuilding(new_rows, cursor.fetchone()[0]):
                return False
            cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(rum_index(self.table))}")
        self.definition = definition
        _forget_rum(self.connection, self.table)
        return True

    def _rebuild(self) -> None:
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.execute(self.definition)
        self.rebuild_seconds = time.perf_counter() - started
        self.definition = None
        _forget_rum(self.connection, self.table)


def _forget_rum(connection, table: str) -> None:
    # hrkb.search.postgres remembers per connection whether the index exists; look again next time.
    connection.__dict__.get("_hrkb_rum", {}).pop((connection.settings_dict["NAME"], table), None)


@contextmanager
def deferred_index(table: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[DeferredIndex]:
    """Run a bulk load of ``table`` that may drop its RUM index (see :meth:`DeferredIndex.expect`).

    The index, if dropped, is built again when the block ends, before the
    transaction commits. Must run inside a transaction (the load's): the block
    is also a savepoint, so a load that fails brings the index back whatever
    the caller does with the error. Does nothing on SQLite or without RUM.
    """
    if not connections[using].in_atomic_block:
        raise TransactionManagementError("deferred_index() runs inside the load's transaction (transaction.atomic).")
    index = DeferredIndex(table, using)
    with transaction.atomic(using=using):
        yield index
        if index.dropped:
            index._rebuild()
