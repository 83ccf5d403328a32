"""hrkb.readers.read_soon: reads started at once on connections of their own, each result taken where wanted."""

import threading

import pytest
from django.db import connection, transaction

from hrkb import timeouts
from hrkb.readers import READER_NAME, read_ahead, read_soon
from hrkb.scale import setting
from tests.threads import readers_left


def _one_more(number):
    def read():
        from django.db import connection as reader_connection  # the thread's own

        with reader_connection.cursor() as cursor:
            cursor.execute("SELECT %s + 1", [number])
            return cursor.fetchone()[0], threading.current_thread().name

    return read


def _refused():
    raise ValueError("refused")


@pytest.mark.django_db(transaction=True)
def test_read_soon_starts_every_read_at_once_and_hands_each_result_where_it_is_wanted():
    started = threading.Event()

    def first():
        started.set()
        return _one_more(1)()

    result = read_soon([first, _refused, _one_more(2)])
    assert started.wait(10), "started before any result was asked for"
    assert result(2) == (3, READER_NAME) and result(0) == (2, READER_NAME)  # in any order
    with pytest.raises(ValueError, match="refused"):  # a failure raised where its result is wanted
        result(1)
    assert not readers_left()


@pytest.mark.django_db
def test_inside_a_transaction_read_soon_reads_in_the_callers_thread_when_asked():
    assert connection.in_atomic_block
    asked = []

    def read():
        asked.append(threading.current_thread().name)
        return _one_more(41)()[0]

    result = read_soon([read, _refused])
    assert asked == [], "nothing read before it is asked for"
    assert result(0) == 42 and result(0) == 42 and asked == ["MainThread"]  # read once
    with transaction.atomic(), pytest.raises(ValueError, match="refused"):
        result(1)


def _backend():
    """The reader's server process and the settings a read may change, as its connection has them now."""
    from django.db import connection as reader_connection  # the thread's own

    with reader_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_setting('work_mem'), current_setting('statement_timeout')")
        return cursor.fetchone()


def _read(task):
    """``task``'s result, read on a reader, once the reader has ended (and given its connection back)."""
    result = read_soon([task])(0)
    assert not readers_left()
    return result


@pytest.fixture
def persistent(monkeypatch):
    """Connections that persist, as production's settings make them (the readers' threads build their connections
    from the same settings); the readers' idle connections are closed after each test (``tests/conftest.py``)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="readers' connections lent there only")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_readers_connection_is_lent_to_the_next_reader_as_a_new_one_would_be(persistent):
    fresh = _read(_backend)

    def changes_its_settings():
        from django.db import connection as reader_connection

        with reader_connection.cursor() as cursor, setting(cursor, "work_mem", "64MB"):
            return _backend()

    with timeouts.bounded(5):  # a request's bound on each query, the reader's too
        pid, work_mem, bound = _read(changes_its_settings)
    assert (pid, work_mem, bound) == (fresh[0], "64MB", "5s"), "the same server process, its settings changed"
    assert _read(_backend) == fresh, "lent again with the settings a new connection has"
    assert not readers_left()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_readers_connection_left_in_a_transaction_or_tuned_is_closed_not_lent(persistent):
    def leaves_a_transaction_open():
        from django.db import connection as reader_connection

        with reader_connection.cursor() as cursor:
            cursor.execute("BEGIN; SET LOCAL work_mem = '64MB'")
        return _backend()[0]

    left_open = _read(leaves_a_transaction_open)
    assert _read(_backend)[0] != left_open
    lent = _read(_backend)[0]
    [(tuned, *_settings)] = read_ahead([_backend], tune=lambda connection: None)
    assert _read(_backend)[0] != tuned
    assert tuned != lent and _read(_backend)[0] == lent, "a tuned reader neither takes an idle connection nor lends"
    with pytest.raises(ValueError, match="refused"):
        _read(_refused)
    assert not readers_left()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_without_persistent_connections_each_reader_opens_its_own(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    assert _read(_backend)[0] != _read(_backend)[0]
