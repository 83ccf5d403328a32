"""Very common words: PostgreSQL ranks a bounded set of the newest matches, by either plan.

The plan (GIN bitmap, or a walk over the newest rows) depends on the word's
estimated frequency; these tests force each one with small bounds and check
the answer is right either way. SQLite ranks every match (the embedded
database holds small corpora), so there the bounds do not apply.
"""

import pytest
from django.db import connection

from hrkb.search import postgres, search_all, search_queryset
from reports.models import Report
from tests import factories

CANDIDATES = 5


@pytest.fixture
def famine_reports(db):
    drafts = [factories.report(f"Famine draft {n}", text="famine", status="draft") for n in range(3)]
    published = [
        factories.report(f"Report {n}", text="famine " * (n % 3 + 1) + ("camp prison" if n % 2 else ""))
        for n in range(10)
    ]
    phrase = [factories.report(f"Camps {n}", text="the prison camp and famine") for n in range(2)]
    return {"drafts": drafts, "published": published + phrase, "phrase": phrase}


def _expected(count: int) -> int:
    return min(count, CANDIDATES) if connection.vendor == "postgresql" else count


@pytest.mark.parametrize(
    ("walk_from", "walk_rows"),
    [(0, 1000), (0, 2), (10**9, 1000)],
    ids=["walk", "walk-too-short-falls-back-to-bitmap", "bitmap"],
)
def test_every_plan_finds_the_newest_readable_matches_best_first(famine_reports, monkeypatch, walk_from, walk_rows):
    monkeypatch.setattr(postgres, "CANDIDATES", CANDIDATES)
    monkeypatch.setattr(postgres, "WALK_FROM", walk_from)
    monkeypatch.setattr(postgres, "WALK_SHARE", 0)
    monkeypatch.setattr(postgres, "WALK_ROWS", walk_rows)
    published = {report.slug for report in famine_reports["published"]}

    hits = search_all("famine", types=["report"], limit=50)
    assert len(hits) == _expected(len(published))
    assert {hit.slug for hit in hits} <= published
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)

    listed = list(search_queryset(Report.objects.readable(), "famine"))
    assert len(listed) == _expected(len(published))
    assert {report.slug for report in listed} <= published
    assert [report.search_rank for report in listed] == sorted((r.search_rank for r in listed), reverse=True)

    phrase = {report.slug for report in famine_reports["phrase"]}
    assert {hit.slug for hit in search_all('"prison camp"', types=["report"], limit=50)} == phrase
    assert {report.slug for report in search_queryset(Report.objects.readable(), '"prison camp"')} == phrase
    without_camp = {report.slug for report in famine_reports["published"] if "camp" not in report.text}
    excluded = {hit.slug for hit in search_all("famine -camp", types=["report"], limit=50)}
    assert excluded and excluded <= without_camp


def test_planner_settings_do_not_outlive_a_search(famine_reports):
    # The test runs inside a transaction, as a caller's atomic block would.
    search_all("famine")
    list(search_queryset(Report.objects.readable(), "famine"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
            assert cursor.fetchone() == ("on", "on")


def test_a_rank_read_back_compares_equal_to_the_rank_computed_again(db):
    # Keyset pagination sends the last rank back as a cursor: it must select the same row again.
    for number in range(4):
        factories.report(f"Camp {number}", summary="camp " * (number + 1), text="camp")
    ranked = search_queryset(Report.objects.readable(), "camp")
    for report in ranked:
        assert ranked.filter(search_rank=report.search_rank).filter(pk=report.pk).exists()
        assert not ranked.filter(search_rank__gt=report.search_rank).filter(pk=report.pk).exists()
