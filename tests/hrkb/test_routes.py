"""url_for(): the same address as reverse(), without walking the resolver for each record."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from hrkb.routes import url_for


@pytest.mark.parametrize(
    "name,arg",
    [
        ("admin:research_person", "michael-kirby"),
        ("admin:research_report", "report_of_2014"),
        ("admin:actors_membership_change", 12),
        ("admin:research_text", "a-b-c"),
    ],
)
def test_url_for_is_reverse(name, arg):
    assert url_for(name, arg) == reverse(name, args=[arg])


def test_url_for_follows_the_script_prefix():
    try:
        set_script_prefix("/hrkb/")
        assert url_for("admin:research_person", "kirby") == "/hrkb/admin/research/person/kirby/"
    finally:
        clear_script_prefix()
    assert url_for("admin:research_person", "kirby") == "/admin/research/person/kirby/"


def test_url_for_leaves_quoting_to_reverse():
    # A primary key of a path converter may hold characters a URL quotes: reverse() handles those itself.
    assert url_for("admin:actors_membership_change", "a b") == reverse("admin:actors_membership_change", args=["a b"])
