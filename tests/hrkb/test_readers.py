"""hrkb.readers.read_soon: reads started at once on connections of their own, each result taken where wanted."""

import threading

import pytest
from django.db import connection, transaction

from hrkb.readers import READER_NAME, read_soon
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
