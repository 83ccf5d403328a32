"""hrkb.search.postgres.threshold_top: the best rows by a weighed sum of scores, from each score's order read best
first."""

import random

import pytest

from hrkb.search import postgres
from hrkb.search.postgres import threshold_top


@pytest.fixture(autouse=True)
def _shallow_reads(monkeypatch):
    monkeypatch.setattr(postgres, "PART_DEPTH", 4)
    monkeypatch.setattr(postgres, "PART_DEPTH_PER_ROW", 2)
    monkeypatch.setattr(postgres, "PART_DEPTH_MOST", 256)
    # The orders here are lists in memory: read in turn, with no connection to tune (hrkb.readers has its own tests).
    monkeypatch.setattr(postgres, "read_ahead", lambda reads, **options: (read() for read in reads))
    monkeypatch.setattr(postgres, "_in_sort_memory", lambda read, *args: read(*args))


def _rank(raw: float) -> float:
    return raw / (1 + raw)


def _distance(score: float) -> float:
    return 1 / score  # as RUM's distance


def _top(pair_scores: dict[int, list[float]], wanted: int, weights: list[float] | None = None, *, whole=False):
    """threshold_top over rows {id: [score in each order]}; also the depths asked and the ids scored."""
    lists = len(next(iter(pair_scores.values())))
    weights = weights or [1.0] * lists
    # Each order holds the rows that have its part (RUM reads them by the part's own condition).
    orders = [
        sorted(
            ((row_id, _distance(scores[index])) for row_id, scores in pair_scores.items() if scores[index]),
            key=lambda row: row[1],
        )
        for index in range(lists)
    ]
    if whole:  # the alternatives together: every row, by the sum of its scores unweighed
        orders.append(sorted(((row_id, 1 / sum(scores)) for row_id, scores in pair_scores.items()), key=lambda r: r[1]))
    asked, scored = [], []

    def fetch(index, depth):
        asked.append(depth)
        return orders[index][:depth]

    def scores(ids):
        scored.append(set(ids))
        return {row_id: _rank(_weighed(pair_scores[row_id], weights)) for row_id in ids}

    return threshold_top(fetch, scores, weights, wanted, whole=whole), asked, scored


def _weighed(scores: list[float], weights: list[float]) -> float:
    return sum(weight * score for weight, score in zip(weights, scores, strict=True))


def _exhaustive(pair_scores, wanted, weights: list[float] | None = None):
    weights = weights or [1.0] * len(next(iter(pair_scores.values())))
    ranked = sorted(
        ((row_id, _rank(_weighed(scores, weights))) for row_id, scores in pair_scores.items()),
        key=lambda row: (-row[1], -row[0]),
    )
    return ranked[:wanted]


@pytest.mark.parametrize("seed", range(40))
def test_the_best_rows_are_those_of_ranking_every_row(seed):
    generator = random.Random(seed)
    lists = generator.choice([2, 3, 5])
    rows = {row_id: [generator.uniform(0.01, 1.0) for _ in range(lists)] for row_id in range(1, 400)}
    wanted = generator.choice([1, 5, 20])
    top, _asked, _scored = _top(rows, wanted)
    assert top == _exhaustive(rows, wanted)


@pytest.mark.parametrize("seed", range(40))
def test_weighed_alternatives_give_the_rows_of_ranking_every_row(seed):
    """Alternatives ("famine OR kwalliso"): each row holds some of them (a score of 0 in the others, at an
    infinite distance in their orders), each order weighed by its word's rarity."""
    generator = random.Random(seed)
    lists = generator.choice([2, 3, 5])
    weights = [generator.choice([0.05, 0.4, 1.0, 4.6, 9.0]) for _ in range(lists)]
    rows = {
        row_id: [generator.uniform(0.01, 1.0) if generator.random() < 0.5 else 0.0 for _ in range(lists)]
        for row_id in range(1, 400)
    }
    rows = {row_id: scores for row_id, scores in rows.items() if any(scores)}
    wanted = generator.choice([1, 5, 20])
    top, _asked, _scored = _top(rows, wanted, weights)
    assert top == _exhaustive(rows, wanted, weights)


@pytest.mark.parametrize("seed", range(40))
def test_alternatives_read_together_too_give_the_rows_of_ranking_every_row(seed):
    """The whole order (the alternatives together, by the sum of their scores) bounds a row it has not reached by
    the heaviest weight times its last sum."""
    generator = random.Random(seed)
    lists = generator.choice([2, 3])
    weights = [generator.choice([0.05, 0.4, 1.0, 1.1, 4.6]) for _ in range(lists)]
    rows = {
        row_id: [generator.choice([0.0, 0.1, 0.1, 0.25, generator.uniform(0.01, 1.0)]) for _ in range(lists)]
        for row_id in range(1, 400)
    }
    rows = {row_id: scores for row_id, scores in rows.items() if any(scores)}
    wanted = generator.choice([1, 5, 20])
    top, _asked, _scored = _top(rows, wanted, weights, whole=True)
    assert top == _exhaustive(rows, wanted, weights)


def test_alike_weights_settle_from_the_whole_order_at_once():
    """Two alternatives of about the same rarity, in tied tiers: each one's order alone does not settle the page
    within its first read, the whole order does."""
    rows = {
        row_id: [0.2, 0.2] if row_id <= 30 else ([0.2, 0.0] if row_id % 2 else [0.0, 0.2]) for row_id in range(1, 300)
    }
    alone, asked_alone, _scored = _top(rows, 20, [1.0, 1.1])
    together, asked_together, _scored = _top(rows, 20, [1.0, 1.1], whole=True)
    assert alone == together == _exhaustive(rows, 20, [1.0, 1.1])
    assert max(asked_together) < max(asked_alone)


def test_the_whole_order_bounds_an_unread_row_by_the_heaviest_weight():
    """Ten rows lead the whole order (sum 0.3, weighed 0.38); the one after them (sum 0.29) has all of it in the
    heavier part (weighed 0.406): the page is settled only once it is read."""
    rows = {row_id: [0.1, 0.2] for row_id in range(1, 11)} | {50: [0.0, 0.29]}
    top, _asked, _scored = _top(rows, 1, [1.0, 1.4], whole=True)
    assert top == _exhaustive(rows, 1, [1.0, 1.4]) and top[0][0] == 50


def test_rows_read_from_the_whole_order_alone_are_scored_only_if_they_may_be_among_the_best():
    """Read from the whole order alone, a row scores at least the lightest weight times its sum: the three best
    (sums 1.0, 0.9, 0.8, at least 0.8 weighed) settle the page, and the rows read after them (sum 0.1, at most
    0.11 weighed) are not asked for their scores."""
    rows = {1: [0.5, 0.5], 2: [0.4, 0.5], 3: [0.3, 0.5]} | {row_id: [0.05, 0.05] for row_id in range(4, 50)}
    top, asked, scored = _top(rows, 3, [1.0, 1.1], whole=True)
    assert top == _exhaustive(rows, 3, [1.0, 1.1])
    assert asked == [6] and scored == [{1, 2, 3}]


def test_a_rare_alternative_read_once_weighs_more_than_a_common_one_repeated():
    """The common word's order gives its best rows first, but a weight of a twentieth puts the row holding the rare
    word once before them."""
    rows = {row_id: [0.9, 0.0] for row_id in range(1, 200)} | {500: [0.0, 0.1]}
    top, asked, _scored = _top(rows, 1, [0.05, 4.6])
    assert top == _exhaustive(rows, 1, [0.05, 4.6])
    assert top[0][0] == 500
    assert max(asked) < 200, "the rare word's order ended after its one row: the bound fell below the page's"


def test_rows_best_in_no_single_order_are_found():
    # Row 1 is never first in either order, but best by the sum; the rows first in one order are poor in the other.
    rows = {1: [0.6, 0.6], 2: [0.9, 0.05], 3: [0.05, 0.9]} | {row_id: [0.1, 0.1] for row_id in range(4, 60)}
    top, asked, _scored = _top(rows, 1)
    assert top == [(1, _rank(1.2))]
    assert asked == [4, 4], "three rows deep, the best row read scores above what any unread row could"


def test_reads_deeper_until_no_unread_row_can_come_first():
    # Every order begins with rows strong in it alone: the best sum lies deeper than the first read.
    rows = {row_id: [1.0, 0.01] for row_id in range(1, 6)} | {row_id: [0.01, 1.0] for row_id in range(6, 11)}
    rows |= {11: [0.5, 0.9]} | {row_id: [0.02, 0.02] for row_id in range(12, 200)}
    top, asked, _scored = _top(rows, 1)
    assert top == [(11, _rank(1.4))]
    assert asked == [4, 4, 16, 16]


def test_orders_shorter_than_asked_have_given_every_row():
    rows = {1: [0.2, 0.3], 2: [0.3, 0.1], 3: [0.1, 0.1]}
    top, asked, scored = _top(rows, 5)
    assert top == _exhaustive(rows, 5)
    assert asked == [10, 10] and scored == [{1, 2, 3}]


def test_rows_read_that_cannot_be_among_the_best_are_not_scored_on_the_row():
    # Both orders begin with rows 1-3; row 4 is fourth in the first only: its most (0.5 + 0.2, the second
    # order's last score) is below the third best's least (0.8 + 0.8), so only rows 1-3 are asked for their scores.
    rows = {1: [1.0, 1.0], 2: [0.9, 0.9], 3: [0.8, 0.8], 4: [0.5, 0.01], 5: [0.01, 0.2]}
    rows |= {row_id: [0.005, 0.005] for row_id in range(6, 50)}
    top, asked, scored = _top(rows, 3)
    assert top == _exhaustive(rows, 3)
    assert asked == [6, 6] and scored == [{1, 2, 3}]


def test_a_tie_with_rows_unread_is_not_settled_by_the_orders():
    # Every row scores the same: any unread row could be newer, so every row is read, or the caller ranks them all.
    rows = {row_id: [0.5, 0.5] for row_id in range(1, 100)}
    top, _asked, _scored = _top(rows, 3)
    assert top == [(99, _rank(1.0)), (98, _rank(1.0)), (97, _rank(1.0))]
    rows = {row_id: [0.5, 0.5] for row_id in range(1, 1000)}
    top, asked, _scored = _top(rows, 3)
    assert top is None, "past PART_DEPTH_MOST the caller ranks every match"
    assert max(asked) == 256
