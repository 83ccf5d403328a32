"""The access rule's derived forms agree with each other."""

import itertools

import pytest

from hrkb import access

STATUSES = ("published", "draft")
FLAGS = (False, True)


@pytest.mark.parametrize("restricted", [False, True], ids=["anonymous", "cleared"])
def test_row_check_agrees_with_allows_for_every_record_state(restricted):
    check = access.row_check([1, 2], restricted=restricted)
    for status, flag in itertools.product(STATUSES, FLAGS):
        assert check(("slug", status, flag)) == access.allows((status, flag), restricted=restricted), (status, flag)


@pytest.mark.parametrize("restricted", [False, True], ids=["anonymous", "cleared"])
def test_row_check_of_a_record_and_what_it_depends_on_needs_both_readable(restricted):
    # A quote's summary: the quote's own columns at 0-1, its speaker's at 3-4.
    check = access.row_check([0, 1, 3, 4], restricted=restricted)
    states = list(itertools.product(STATUSES, FLAGS))
    for own, speaker in itertools.product(states, states):
        expected = access.allows(own, restricted=restricted) and access.allows(speaker, restricted=restricted)
        assert check((*own, "name", *speaker)) == expected, (own, speaker)


def test_row_check_refuses_positions_that_do_not_cover_the_rule():
    with pytest.raises(ValueError, match="groups of 2"):
        access.row_check([1], restricted=False)
