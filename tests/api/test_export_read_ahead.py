"""The exports read batches in reader threads while earlier ones are written (hrkb.readers.read_ahead).

Committed data (each thread has a connection of its own and sees only
committed rows), batches of a few records so that a download has many.
"""

import threading

import pytest
from django.db import transaction

from hrkb import readers
from hrkb.api import export
from tests import factories

READER = readers.READER_NAME


@pytest.fixture
def committed(transactional_db, monkeypatch):
    monkeypatch.setattr(export, "BATCH_SIZE", 3)
    people = [factories.person(f"Person {number}") for number in range(7)]
    for number in range(11):
        report = factories.report(f"Report {number}", text=f"Person {number % 7} spoke.", authors=people[:2])
        factories.mention(report, f"Person {number % 7}", actor=people[number % 7])
    factories.report("Hidden report", restricted=True)


def _readers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == READER]


@pytest.mark.parametrize("url", ["/api/v1/export.ndjson", "/api/v1/reports/export.csv"])
def test_read_ahead_writes_what_reading_in_turn_writes(committed, client, url):
    read_ahead = b"".join(client.get(url).streaming_content)
    with transaction.atomic():  # inside a transaction the batches are read in turn, by this thread
        in_turn = b"".join(client.get(url).streaming_content)
    assert read_ahead == in_turn
    assert read_ahead.count(b"\n") >= 11 and b"Hidden report" not in read_ahead
    assert not _readers()


def test_an_abandoned_download_stops_its_reader(committed, client):
    response = client.get("/api/v1/export.ndjson")
    chunks = iter(response.streaming_content)
    assert next(chunks)
    assert _readers(), "the next batch is being read"
    response.close()  # what the server does when the client hangs up
    assert not _readers()


def test_a_failure_while_reading_is_raised_where_the_batch_was_wanted(committed):
    def fail():
        raise RuntimeError("the database went away")

    read = readers.read_ahead([lambda: [1], fail, lambda: [3]])
    assert next(read) == [1]
    with pytest.raises(RuntimeError, match="went away"):
        next(read)
    assert not _readers()


def test_a_failure_while_cutting_batches_is_raised_too(committed):
    def tasks():
        yield lambda: [1]
        raise RuntimeError("no primary keys")

    read = readers.read_ahead(tasks())
    assert next(read) == [1]
    with pytest.raises(RuntimeError, match="no primary keys"):
        next(read)
    assert not _readers()


def test_results_come_in_the_tasks_order_whichever_finishes_first(committed):
    first_may_finish = threading.Event()

    def slow():
        assert first_may_finish.wait(timeout=10)
        return "first"

    def fast(number):
        def task():
            if number == 2:
                first_may_finish.set()  # a later task finished while the first was still being read
            return number

        return task

    assert list(readers.read_ahead([slow, *map(fast, range(1, 6))], readers=2)) == ["first", 1, 2, 3, 4, 5]
    assert not _readers()
