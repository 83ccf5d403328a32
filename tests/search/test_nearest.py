"""hrkb.search.postgres.nearest: the first rows by (distance, newest first) from fetches ordered by distance alone."""

from operator import itemgetter

import pytest

from hrkb.search import postgres
from hrkb.search.postgres import nearest


@pytest.fixture(autouse=True)
def _small_reads(monkeypatch):
    monkeypatch.setattr(postgres, "TIED_BATCH", 4)


def _nearest(rows, wanted):
    """rows as RUM gives them (by distance, ties in any order); also returns each LIMIT asked."""
    asked = []

    def fetch(limit):
        asked.append(limit)
        return rows[:limit]

    return [row[0] for row in nearest(fetch, wanted, itemgetter(1), itemgetter(0))], asked


def test_one_read_when_the_row_after_the_last_wanted_is_farther():
    rows = [(id_, distance) for id_, distance in zip(range(1, 11), range(10), strict=True)]
    assert _nearest(rows, 2) == ([1, 2], [3])
    assert _nearest(rows, 6) == ([1, 2, 3, 4, 5, 6], [7])


def test_rows_tied_with_the_last_wanted_are_read_and_the_newest_kept():
    # Ids 5, 2, 9, 7 and 8 tie at distance 1; RUM returns them in any order, the page keeps the newest.
    rows = [(4, 0.0), (5, 1.0), (2, 1.0), (9, 1.0), (7, 1.0), (8, 1.0), (1, 2.0), (3, 2.0)]
    found, asked = _nearest(rows, 2)
    assert found == [4, 9]
    assert asked == [3, 24]


def test_a_tie_longer_than_a_read_is_read_on():
    rows = [(1, 0.0)] + [(id_, 1.0) for id_ in range(2, 40)] + [(40, 2.0)]
    found, asked = _nearest(rows, 2)
    assert found == [1, 39]
    assert asked == [3, 24, 192]


def test_fewer_rows_than_wanted():
    assert _nearest([(1, 0.5), (2, 0.7)], 5) == ([1, 2], [6])


def test_a_first_read_may_ask_for_more_rows_at_once():
    # The tie is settled by the first read: no second pass over every match.
    rows = [(4, 0.0), (5, 1.0), (2, 1.0), (9, 1.0), (7, 1.0), (8, 1.0), (1, 2.0), (3, 2.0)]
    asked = []

    def fetch(limit):
        asked.append(limit)
        return rows[:limit]

    assert [row[0] for row in nearest(fetch, 2, itemgetter(1), itemgetter(0), first=7)] == [4, 9]
    assert asked == [7]


def test_a_deep_first_read_is_ten_rows_per_row_wanted_up_to_what_the_caller_allows():
    rows = [(id_, float(id_)) for id_ in range(1, 500)]
    for wanted, first, depth in [(2, 1000, 20), (20, 1000, 200), (100, 1000, 1000), (20, 50, 50), (20, None, 21)]:
        asked = []

        def fetch(limit, asked=asked):
            asked.append(limit)
            return rows[:limit]

        nearest(fetch, wanted, itemgetter(1), itemgetter(0), first=first)
        assert asked == [depth], (wanted, first)
