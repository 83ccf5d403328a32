"""A large ingest builds the reports' search index once, at its end (PostgreSQL with RUM): search answers as if the
index had been kept row by row, and a failed ingest leaves the index and the data as they were."""

import random

import pytest
from django.db import connection, transaction

from hrkb.search import bulk, postgres, search_queryset
from hrkb.search.schema import rum_index
from reports.models import Report
from sources.services import source_ingest
from tests import factories

from .helpers import ingest, row_counts

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the RUM index is PostgreSQL's")

# A word of a title, a word of a body, a name only the mentions give (an alias the texts never use), a phrase.
QUERIES = ["denial", "documented", "김일성", "Benedict Rogers", '"true peace"', "korea -denial"]


def _index_definition():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(to_regclass(%s))", [rum_index("reports_report")])
        return cursor.fetchone()[0]


def _searches():
    """Each query's reports, best first, with their scores; read through the RUM index, then without it."""
    found = {}
    for read_through_index in (True, False):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL enable_seqscan = {'off' if read_through_index else 'on'}")
            cursor.execute(f"SET LOCAL enable_indexscan = {'on' if read_through_index else 'off'}")
            for query in QUERIES:
                hits = search_queryset(Report.objects.all(), query)
                found[read_through_index, query] = [(report.slug, report.search_rank) for report in hits]
    return found


@pytest.fixture
def rum(db):
    if _index_definition() is None:
        pytest.skip("RUM is not installed here")


def _ingest_with(monkeypatch, source, share):
    """Ingest ``source`` with the rebuild rule's share set to ``share``; the command's output and what search says."""
    monkeypatch.setattr(bulk, "REBUILD_SHARE", share)
    definition = _index_definition()
    output = ingest(source)
    assert _index_definition() == definition
    return output, _searches()


def test_a_report_ingested_by_the_bulk_path_is_found_and_ranked_as_by_the_row_by_row_path(monkeypatch, source, rum):
    with transaction.atomic():
        bulk_output, bulk_found = _ingest_with(monkeypatch, source, share=0)
        transaction.set_rollback(True)
    row_output, row_found = _ingest_with(monkeypatch, source, share=float("inf"))

    assert "Search index of reports rebuilt after the load" in bulk_output
    assert "rebuilt" not in row_output
    assert bulk_found == row_found
    # Found, ranked, and by the names of what it mentions (no text holds "김일성": the alias comes from the mention).
    talks = "human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea"
    denial = "north-korea-and-human-rights-a-state-of-denial"
    assert {slug for slug, _score in bulk_found[True, "김일성"]} == {talks, denial}
    assert [slug for slug, _score in bulk_found[True, "denial"]] == [denial]
    assert [slug for slug, _score in bulk_found[True, "documented"]] == [talks]
    scores = [score for _slug, score in bulk_found[True, "김일성"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_a_failed_bulk_ingest_leaves_the_index_and_the_data_as_they_were(monkeypatch, write, csw, rum):
    monkeypatch.setattr(bulk, "REBUILD_SHARE", 0)
    definition = _index_definition()
    counts = row_counts()
    path = write("one.md", "---\ntitle: One\npublisher: csw\n---\nText.\n")

    assert postgres.has_rum("reports_report")
    with transaction.atomic():
        with pytest.raises(RuntimeError), bulk.deferred_search("reports_report") as index:
            source_ingest(paths=[path], search_index=index)
            assert index.dropped and _index_definition() is None
            # Search meanwhile knows the index is gone (it would otherwise plan reads of RUM's order).
            assert not postgres.has_rum("reports_report")
            raise RuntimeError("linking failed")
        # Back at once, in the caller's transaction, whatever the caller does with the error.
        assert _index_definition() == definition
        assert postgres.has_rum("reports_report")
        assert row_counts() == counts
        # And documents are computed at each write again.
        report = factories.report("Written after", text="Afterwards.")
        assert _vector(report) is not None


def _vector(report):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector FROM reports_report WHERE id = %s", [report.pk])
        return cursor.fetchone()[0]


def test_documents_wait_for_the_end_of_the_load(csw, rum):
    with transaction.atomic():
        with bulk.deferred_search("reports_report"):
            report = factories.report("During the load", text="Deferred words.")
            assert _vector(report) is None
        assert "'defer'" in _vector(report)


def test_a_small_ingest_into_a_large_table_keeps_the_index():
    assert bulk.worth_rebuilding(600, 10_000)
    assert not bulk.worth_rebuilding(100, 10_000)
    assert not bulk.worth_rebuilding(0, 0)
    assert bulk.worth_rebuilding(1, 0)


@pytest.mark.parametrize("table", ["reports_report", "events_event"])
def test_documents_filled_at_the_end_of_a_load_are_those_the_trigger_computes(table, csw):
    """hrkb.search.schema.fill_deferred parses a document's own parts in a query of their own (on every core)
    and adds the names of what it mentions: the same document, word for word and position for position."""
    kim = factories.person("Kim Il-sung", aliases=["김일성"])
    with transaction.atomic():
        with bulk.deferred_search(table):
            if table == "reports_report":
                record = factories.report("Famine report", summary="Hunger.", text="Kim Il-sung spoke of famine.")
                factories.mention(record, "Kim Il-sung", actor=kim)
            else:
                record = factories.event("Famine summit", description="Hunger talks.", participants=[kim])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT search_vector::text FROM {table} WHERE id = %s", [record.pk])
            filled = cursor.fetchone()[0]
            cursor.execute(f"UPDATE {table} SET search_vector = NULL WHERE id = %s", [record.pk])
            cursor.execute(f"SELECT search_vector::text FROM {table} WHERE id = %s", [record.pk])
            assert filled == cursor.fetchone()[0]
    assert "'famin'" in filled and "'김일성'" in filled


def _fillfactor():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'reports_report'::regclass")
        return cursor.fetchone()[0]


def _updates():
    """Reports updated so far in this transaction, and how many of them in place (HOT)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'reports_report'")
        return cursor.fetchone()


@pytest.mark.parametrize("own", [None, 90])
def test_a_rebuilding_load_gives_its_rows_their_documents_in_place(monkeypatch, write, csw, rum, own):
    """The load's rows leave room on their pages, so their documents are written as HOT updates (no new entry in
    each of the table's other indexes); the table's own fill factor is back afterwards, or the default."""
    monkeypatch.setattr(bulk, "REBUILD_SHARE", 0)
    if own:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE reports_report SET (fillfactor = {own})")
    before = _fillfactor()
    # Texts of many distinct words, as articles are: stored out of line, like their documents.
    words = random.Random(1).choices([f"w{a}{b}" for a in "bcdfghjklmnp" for b in range(100)], k=24_000)
    articles = "".join(
        f"---\ntitle: Article {number}\npublisher: csw\n---\n{' '.join(words[number * 600 : number * 600 + 600])}\n\n"
        for number in range(40)
    )
    path = write("many.md", articles)
    with transaction.atomic():
        updated_before, hot_before = _updates()
        with bulk.deferred_search("reports_report") as index:
            source_ingest(paths=[path], search_index=index)
            assert _fillfactor() == [f"fillfactor={bulk.LOAD_FILLFACTOR}"]
        updated, hot = _updates()
    # Each new report is updated once, to give it its document, and in place (with full pages: 23 of 40).
    assert updated - updated_before == 40
    assert hot - hot_before >= 36
    assert _fillfactor() == before
    assert Report.objects.filter(title__startswith="Article ").count() == 40
