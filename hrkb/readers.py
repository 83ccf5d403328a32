"""Reads on connections of their own, run in threads while the caller goes on: :func:`read_ahead` and
:func:`read_soon`.

The exports read their next batches while one is written (:mod:`hrkb.api.export`); search reads each
part's order at once (:func:`hrkb.search.postgres.threshold_top`); an admin list's "Show counts" are
read while its rows are (:func:`hrkb.admin_lists.share_facet_counts`). Threads help here
because each read is mostly the database's work, done by a server process of its own.

Where connections persist (``CONN_MAX_AGE``, production's settings), a reader's connection is kept when
its thread ends and lent to the next reader: a new one costs a connection (4-7 ms) and a new server
process's first statements (5-8 ms more: the text search configuration and the RUM index loaded), on
every "Show counts" page and every search that reads its parts at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import get_script_prefix, set_script_prefix
from psycopg.pq import TransactionStatus

from . import timeouts

# Threads reading at once: the database's work on one read overlaps Python's on another, or another
# read's (two cores here; more threads only queue for the interpreter's lock).
READERS = 2
READER_NAME = "hrkb-read-ahead"
# Idle readers' connections kept for the next readers: two readers at a time, for a request or two at once.
IDLE_KEPT = 4

_idle: dict[str, list] = {}  # each alias's idle connections (Django's wrappers), guarded by _idle_lock
_idle_lock = threading.Lock()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def read_ahead(
    tasks: Iterable[Callable],
    using: str = DEFAULT_DB_ALIAS,
    readers: int | None = None,
    *,
    tune: Callable | None = None,
    name: str = READER_NAME,
):
    """The results of ``tasks`` in their order, each task run by one of ``readers`` threads ahead of the caller.

    An export's batch is half the database's work (its queries, and on
    PostgreSQL the child rows' JSON) and half Python's: with two readers one
    batch's queries run while another is built and the caller writes a third;
    a search reads its parts' orders at once (each mostly the database's work,
    on a core of its own). At most ``readers + 1`` results
    wait, so memory stays flat. ``tune(connection)`` prepares each thread's
    connection for its reads; ``name`` names the threads. Each thread has a
    connection of its own, so tasks run in threads only outside a transaction
    (a test's, or ``ATOMIC_REQUESTS``), whose rows another connection would not
    see: there they run in turn. The threads close their connections when the
    tasks end, fail or are abandoned (a client that hangs up); a failure is
    raised here, where its result was wanted.
    """
    if connections[using].in_atomic_block:
        for task in tasks:
            yield task()
        return
    tasks = iter(tasks)
    state = threading.Condition()
    done: dict[int, object] = {}
    # Guarded by ``state``: tasks handed out, the next result wanted, how many there are (once known), stop.
    taken, wanted, total, stop = 0, 0, None, False
    readers = readers or READERS

    def read():
        nonlocal taken, total
        if tune is not None:
            tune(connections[using])
        while True:
            with state:
                while not stop and total is None and taken - wanted > readers:
                    state.wait()
                if stop or total is not None:
                    return
                index = taken
                try:
                    task = next(tasks)  # under the lock: one thread at a time advances the iterator
                except StopIteration:
                    total = index
                    state.notify_all()
                    return
                except BaseException as error:
                    done[index], total = _Failed(error), index + 1
                    state.notify_all()
                    return
                taken += 1
            try:
                result = task()
            except BaseException as error:  # handed to the caller, raised there
                result = _Failed(error)
            with state:
                done[index] = result
                state.notify_all()

    threads = [
        threading.Thread(target=_reader(read, using, lend=tune is None), name=name, daemon=True) for _ in range(readers)
    ]
    for thread in threads:
        thread.start()
    try:
        while True:
            with state:
                while wanted not in done and (total is None or wanted < total):
                    state.wait()
                if wanted not in done:
                    return
                result = done.pop(wanted)
                wanted += 1
                state.notify_all()
            if isinstance(result, _Failed):
                raise result.error
            yield result
    finally:
        with state:
            stop = True
            state.notify_all()
        for thread in threads:
            thread.join()


def read_soon(
    tasks: Iterable[Callable], using: str = DEFAULT_DB_ALIAS, readers: int | None = None, *, name: str = READER_NAME
) -> Callable[[int], object]:
    """Start ``tasks`` now, on up to ``readers`` threads, and return ``result(index)``: task ``index``'s result,
    waited for (its failure raised) where the caller wants it, in any order.

    For a few reads whose results are wanted later, when the caller does not know in which order: a change
    list's filters' counts, which its template draws after its rows, read meanwhile. Every task runs, and the
    threads end (closing their connections) when the tasks do, whether or not their results are asked for;
    every result is kept until ``result`` is dropped. As in :func:`read_ahead`, inside a transaction the
    tasks run in the caller's thread, each when its result is first asked for.
    """
    tasks = list(tasks)
    if connections[using].in_atomic_block:
        return cache(lambda index: tasks[index]())
    state = threading.Condition()
    done: dict[int, object] = {}
    waiting = iter(range(len(tasks)))  # guarded by ``state``

    def read():
        while True:
            with state:
                index = next(waiting, None)
            if index is None:
                return
            try:
                found = tasks[index]()
            except BaseException as error:  # handed to the caller, raised there
                found = _Failed(error)
            with state:
                done[index] = found
                state.notify_all()

    for _ in range(min(readers or READERS, len(tasks))):
        threading.Thread(target=_reader(read, using), name=name, daemon=True).start()

    def result(index: int):
        with state:
            while index not in done:
                state.wait()
            found = done[index]
        if isinstance(found, _Failed):
            raise found.error
        return found

    return result


def _reader(read: Callable[[], None], using: str, *, lend: bool = True) -> Callable[[], None]:
    """A reader thread's work: ``read`` with the calling request's script prefix (records' URLs are built with it)
    and bound on each query, both thread-local, on an idle reader's connection to ``using`` where one is kept;
    the thread's connections kept for the next readers after (``lend``, :func:`_give_back`) or closed."""
    prefix = get_script_prefix()
    seconds = timeouts.current()

    def run():
        set_script_prefix(prefix)
        if lend:  # a connection to be tuned and closed would only empty the pool
            _borrow(using)
        try:
            with timeouts.bounded(seconds):
                read()
        finally:
            for connection in connections.all(initialized_only=True):
                if not (lend and connection.alias == using and _give_back(connection)):
                    connection.close()

    return run


def _borrow(using: str) -> None:
    """Make an idle reader's connection to ``using`` this thread's, if one is kept."""
    with _idle_lock:
        idle = _idle.get(using)
        connection = idle.pop() if idle else None
    if connection is not None:
        # Past its age, or broken: closed here, and opened again (health-checked) at its first query.
        connection.close_if_unusable_or_obsolete()
        connections[using] = connection


def _give_back(connection) -> bool:
    """Keep ``connection`` for the next readers, if it persists (``CONN_MAX_AGE``: Django closes one past its age)
    and is idle as a new one would be; whether kept.

    Idle means outside any transaction, in autocommit and with no error left: the settings a read changes
    (``hrkb.scale.setting``, :mod:`hrkb.timeouts`) it sets back itself; a tuned connection is not lent.
    """
    connection.close_if_unusable_or_obsolete()
    raw = connection.connection
    if (
        raw is None
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.get_autocommit()
        or raw.info.transaction_status != TransactionStatus.IDLE
    ):
        return False
    with _idle_lock:
        idle = _idle.setdefault(connection.alias, [])
        if len(idle) >= IDLE_KEPT:
            return False
        # Used by one thread at a time, but not the one that opened it: Django checks which thread uses a connection.
        if not connection.allow_thread_sharing:
            connection.inc_thread_sharing()
        idle.append(connection)
    return True


def close_idle() -> None:
    """Close the idle readers' connections (a test run, before it drops its database)."""
    with _idle_lock:
        idle = [connection for kept in _idle.values() for connection in kept]
        _idle.clear()
    for connection in idle:
        connection.close()
