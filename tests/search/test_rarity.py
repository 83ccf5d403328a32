"""A rare word weighs more than a common one (BM25's IDF), wherever the engine ranks: /search/, a list's
``search``, the admin's search box; on both databases, counted among the records the client may read."""

import pytest
from django.contrib import admin
from django.db import connection

from hrkb.search import postgres
from reports.models import Report
from tests import factories
from tests.search.test_admin import ReportAdmin, _changelist

COMMON = 40


@pytest.fixture
def famine_reports(db):
    """Forty reports that say "famine" in the title, the summary and over and over in the text, and one that says
    "kwalliso" once, in its text: by how often and where a word occurs, any famine report beats it."""
    common = [
        factories.report(
            f"Famine report {number}",
            summary="The famine, the famine years.",
            text="Famine. " * (5 + number % 7),
        )
        for number in range(COMMON)
    ]
    rare = factories.report("Weekly update", summary="Detention.", text="Former prisoners of a kwalliso spoke.")
    return common, rare


def test_a_rare_alternative_comes_before_a_common_one_repeated(famine_reports, client, rf, curator):
    common, rare = famine_reports
    hits = client.get("/api/v1/search/", {"q": "famine OR kwalliso", "type": "report"}).json()["results"]
    assert hits[0]["slug"] == rare.slug
    assert len(hits) == 20
    rows = client.get("/api/v1/reports/", {"search": "famine OR kwalliso", "page_size": 5}).json()["results"]
    assert rows[0]["slug"] == rare.slug
    changelist, _request = _changelist(rf, curator, ReportAdmin(Report, admin.site), q="famine OR kwalliso")
    assert changelist.result_list[0] == rare
    assert {hit["slug"] for hit in hits[1:]} <= {report.slug for report in common}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL scores neighbouring pairs; FTS5 each word")
def test_of_three_words_the_pairs_with_the_rare_one_weigh_more(db, client):
    """ "famine prison kwalliso" sums "famine prison" and "prison kwalliso": the second pair, of a rarer word,
    weighs more, so a report that has it close beats one that has the common pair close."""
    far = " ".join(["report"] * 30)
    for number in range(COMMON):
        factories.report(f"Famine {number}", text="famine prison")
    # Alike but for which pair is close: unweighed they would tie, and the newer report come first.
    rare_close = factories.report("Rare close", text=f"famine {far} prison kwalliso")
    common_close = factories.report("Common close", text=f"famine prison {far} kwalliso")
    hits = client.get("/api/v1/search/", {"q": "famine prison kwalliso", "type": "report"}).json()["results"]
    assert [hit["slug"] for hit in hits] == [rare_close.slug, common_close.slug]


@pytest.mark.parametrize("hidden", [{"status": "draft"}, {"restricted": True}], ids=["draft", "restricted"])
def test_a_word_is_as_rare_as_the_client_reads_it(famine_reports, client, hidden):
    """Hidden reports that say "kwalliso" make it common for a curator, not for an anonymous client: the weights
    are counted among the records the client may read, so no hidden record moves a score it sees."""

    def scores():
        hits = client.get("/api/v1/search/", {"q": "famine OR kwalliso", "type": "report"}).json()["results"]
        return [(hit["slug"], hit["score"]) for hit in hits]

    before = scores()
    for number in range(3 * COMMON):
        factories.report(f"Hidden {number}", text="kwalliso", **hidden)
    assert scores() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's weights; SQLite's bm25 has its own")
def test_the_counts_are_kept_until_the_corpus_changes(famine_reports, monkeypatch):
    """The counts behind the weights are kept until the change log grows: a report added counts in the next search."""
    from hrkb.search.query import parse

    parsed = parse("famine OR kwalliso")
    counted = []
    count = postgres._counted.__wrapped__
    monkeypatch.setattr(
        postgres, "_counted", postgres.functools.lru_cache(lambda *key: counted.append(key) or count(*key))
    )

    def weights():
        return postgres._weights("reports_report", postgres._parts(parsed), postgres._params(parsed), False)

    first = weights()
    assert len(counted) == 3, "the readable reports, then each word"
    assert weights() == first and len(counted) == 3, "kept"
    for number in range(COMMON):
        factories.report(f"Kwalliso {number}", text="kwalliso")
    second = weights()
    assert len(counted) == 6
    assert second[0] > first[0] and second[1] < first[1], "famine rarer among more reports, kwalliso less rare"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's orders are PostgreSQL's")
def test_alternatives_as_rare_as_each_other_are_read_together_and_give_the_exhaustive_page(db, client, monkeypatch):
    """Alike weights: the alternatives' own order together (the sum of their scores) bounds the page, which is the
    one ranking every match gives, in /search/ and in a list's pages."""
    from tests.search.test_exact_ranking import _exhaustive, _same_page

    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    for number in range(60):
        factories.report(
            f"Report {number}",
            summary="Hunger." if number % 3 == 0 else "Labour camps.",
            # Both words in every report, so as rare as each other; how often and where varies.
            text=" ".join(["hunger"] * (1 + number % 4) + ["labour"] * (1 + number % 5) + ["report"] * 10),
        )
    used = []
    threshold_top = postgres.threshold_top

    def traced(fetch, scores, weights, wanted, **options):
        used.append(options.get("whole") and max(weights) <= postgres.ALIKE * min(weights))
        return threshold_top(fetch, scores, weights, wanted, **options)

    monkeypatch.setattr(postgres, "threshold_top", traced)
    expected = _exhaustive("hunger OR labour")
    hits = client.get("/api/v1/search/", {"q": "hunger OR labour", "type": "report", "page_size": 10}).json()
    by_slug = dict(Report.objects.values_list("slug", "pk"))
    _same_page([(hit["score"], by_slug[hit["slug"]]) for hit in hits["results"]], expected[:10])
    assert used == [True]
    seen, url = [], "/api/v1/reports/?search=hunger OR labour&page_size=7"
    while url:
        page = client.get(url).json()
        seen += [by_slug[row["slug"]] for row in page["results"]]
        url = page["next"]
    assert seen == [row_id for _score, row_id in expected]
