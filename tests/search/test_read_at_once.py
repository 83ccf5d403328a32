"""On PostgreSQL a search of three words reads its neighbouring pairs' orders at once, each on a connection of
its own (hrkb.readers.read_ahead): the same hits as reading them in turn.

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
from tests.threads import readers_left, threads_calling

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="reads at once on PostgreSQL only")


@pytest.fixture
def committed(transactional_db, monkeypatch):
    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    monkeypatch.setattr(postgres, "PART_DEPTH", 10)
    monkeypatch.setattr(postgres, "PART_DEPTH_PER_ROW", 2)
    three_word_reports()
    factories.person("Famine Torture", aliases=["Refugees"])
    factories.event("Famine, torture and refugees", description="Famine torture refugees.")
    return threads_calling(monkeypatch, postgres, "ranked_sql")  # the threads each report read ran in


@pytest.mark.parametrize("query", ["famine torture refugees", "refugees torture famine"])
def test_reading_at_once_finds_what_reading_in_turn_finds(committed, client, query):
    at_once = search_all(query, limit=30)
    listed = client.get("/api/v1/reports/", {"search": query, "page_size": 30}).json()["results"]
    assert READER_NAME in committed, "the pairs' orders were read in readers' threads, on their connections"
    with transaction.atomic():
        committed.clear()
        assert search_all(query, limit=30) == at_once
        assert client.get("/api/v1/reports/", {"search": query, "page_size": 30}).json()["results"] == listed
        assert set(committed) == {"MainThread"}, "inside a transaction the reads run in turn"
    assert {hit.type for hit in at_once} >= {"report", "event"} and len(listed) == 30
    assert not [thread for thread in threading.enumerate() if thread.name == READER_NAME]


def test_the_admins_one_search_counts_while_it_ranks(committed, monkeypatch):
    """The admin's one search reads its facets and its hits at once (hrkb.research.search): the same page."""
    from hrkb.research import search

    counted_in = threads_calling(monkeypatch, search, "facets")

    def page(results):
        groups = [(g.type, g.count, [hit.record.pk for hit in g.hits]) for g in results.groups]
        facets = [(f.name, [(o.value, o.count) for o in f.options]) for f in results.facets]
        return groups, facets

    at_once = page(search.search("famine torture refugees", base_url="/admin/research/search/"))
    with transaction.atomic():
        assert page(search.search("famine torture refugees", base_url="/admin/research/search/")) == at_once
    assert counted_in == [READER_NAME, "MainThread"], "at once outside a transaction, in turn inside one"
    groups, facets = at_once
    assert {name: count for name, count, _hits in groups}["report"] == 286  # a curator also finds the draft
    assert facets and not [thread for thread in threading.enumerate() if thread.name == READER_NAME]


@pytest.mark.parametrize("query", ["famine", '"famine torture"'])
def test_the_other_types_are_ranked_beside_the_reports_on_a_readers_connection(committed, monkeypatch, query):
    ranked_in = {}
    rank = postgres.ranked

    def traced(search_type, *args, **kwargs):
        ranked_in[search_type.name] = threading.current_thread().name
        return rank(search_type, *args, **kwargs)

    monkeypatch.setattr(postgres, "ranked", traced)
    with connection.cursor() as cursor:  # the planner's counts, by which the reports' table is the largest
        cursor.execute("ANALYZE")
    at_once = search_all(query, limit=30)
    assert ranked_in.pop("report") == "MainThread"
    assert set(ranked_in.values()) == {READER_NAME} and "event" in ranked_in
    with transaction.atomic():
        assert search_all(query, limit=30) == at_once
        assert set(ranked_in.values()) == {"MainThread"}, "inside a transaction in turn"
    assert {hit.type for hit in at_once} >= {"report", "event"}
    assert not readers_left()


def test_a_three_word_search_ranks_the_types_in_turn_while_the_reports_pairs_are_read_at_once(committed, monkeypatch):
    ranked_in = threads_calling(monkeypatch, postgres, "ranked")
    search_all("famine torture refugees", limit=30)
    assert set(ranked_in) == {"MainThread"} and READER_NAME in committed


def test_a_pages_passages_are_found_in_shares_at_once(committed, monkeypatch):
    """ts_headline parses each text whole: a page's passages are found in shares, one here and one on a reader's
    connection, each row once; the same passages as one statement finds inside a transaction."""
    found_in = threads_calling(monkeypatch, postgres, "_passages")
    at_once = search_all("famine", limit=30)
    # The reports' page in two shares; the event's and the person's passages each in one statement here.
    assert sorted(found_in) == ["MainThread"] * 3 + [READER_NAME]
    with transaction.atomic():
        found_in.clear()
        assert search_all("famine", limit=30) == at_once
        assert found_in == ["MainThread"] * 4, "inside a transaction in turn"
    assert {hit.type for hit in at_once} >= {"report", "event", "person"}
    reports = [hit for hit in at_once if hit.type == "report"]
    assert len(reports) == 28 and all("<mark>famine</mark>" in hit.snippet.lower() for hit in reports)
    assert not readers_left()
