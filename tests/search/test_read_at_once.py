"""On PostgreSQL search reads each type's best matches, and each neighbouring pair's order, at once, each on a
connection of its own (hrkb.readers.read_ahead): the same hits as reading them in turn.

Committed data: a reader's connection sees only committed rows (inside a transaction, a test's, the reads run
in turn, by the caller).
"""

import threading

import pytest
from django.db import connection, transaction

from hrkb.readers import READER_NAME
from hrkb.search import postgres, search_all
from reports.models import Report
from tests import factories
from tests.search.test_exact_ranking import three_word_reports

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="reads at once on PostgreSQL only")


@pytest.fixture
def committed(transactional_db, monkeypatch):
    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    monkeypatch.setattr(postgres, "PAIR_DEPTH", 10)
    three_word_reports()
    factories.person("Famine Torture", aliases=["Refugees"])
    factories.event("Famine, torture and refugees", description="Famine torture refugees.")
    tuned = []
    tune = postgres.tune_reader
    monkeypatch.setattr(postgres, "tune_reader", lambda reader: tuned.append(reader.vendor) or tune(reader))
    return tuned


@pytest.mark.parametrize("query", ["famine torture refugees", "famine", '"famine torture"'])
def test_reading_at_once_finds_what_reading_in_turn_finds(committed, client, query):
    at_once = search_all(query, limit=30)
    listed = client.get("/api/v1/reports/", {"search": query, "page_size": 30}).json()["results"]
    assert committed, "the reads ran on readers' connections"
    with transaction.atomic():
        committed.clear()
        assert search_all(query, limit=30) == at_once
        assert client.get("/api/v1/reports/", {"search": query, "page_size": 30}).json()["results"] == listed
        assert not committed, "inside a transaction the reads run in turn"
    assert {hit.type for hit in at_once} >= {"report", "event"} and len(listed) == 30
    assert not [thread for thread in threading.enumerate() if thread.name == READER_NAME]
