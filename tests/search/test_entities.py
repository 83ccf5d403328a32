"""Entity-aware search: a record is found by the names of what it mentions, who wrote it, who took part."""

import pytest

from actors.models import Alias
from hrkb.search import search_all, search_queryset
from reports.models import Report
from tests import factories


@pytest.fixture
def kim_reports(db):
    kim = factories.person("Kim Il-sung", aliases=["김일성", "Kim Il Sung"])
    mentioning = factories.report("The founder's legacy", text="The Great Leader built the camps.")
    factories.mention(mentioning, "Great Leader", actor=kim)
    other = factories.report("Unrelated", text="The Great Leader is not linked here.")
    return {"kim": kim, "mentioning": mentioning, "other": other}


def _listed(client, query):
    return [row["slug"] for row in client.get("/api/v1/reports/", {"search": query}).json()["results"]]


def _found(client, query):
    hits = client.get("/api/v1/search/", {"q": query, "type": "report"}).json()["results"]
    return [hit["slug"] for hit in hits]


@pytest.mark.parametrize("name", ["김일성", "Kim Il Sung", "Kim Il-sung"])
def test_a_name_or_alias_finds_the_reports_that_mention_the_actor(client, kim_reports, name):
    assert _found(client, name) == [kim_reports["mentioning"].slug]
    assert _listed(client, name) == [kim_reports["mentioning"].slug]


def test_names_follow_their_actor_and_its_mentions(client, kim_reports):
    kim, mentioning = kim_reports["kim"], kim_reports["mentioning"]
    Alias.objects.create(actor=kim, name="Suryong")
    assert _listed(client, "Suryong") == [mentioning.slug]
    kim.name = "Kim Song-ju"
    kim.save()
    assert _listed(client, '"Kim Song-ju"') == [mentioning.slug]
    Alias.objects.filter(actor=kim, name="김일성").delete()
    assert _listed(client, "김일성") == []
    # A restricted actor lends no name to the reports that mention it.
    kim.restricted = True
    kim.save()
    assert _listed(client, "Suryong") == []
    kim.restricted = False
    kim.save()
    mentioning.mentions.all().delete()
    assert _listed(client, "Suryong") == []


def test_reports_are_found_by_their_authors_and_events_by_participants(client, db):
    author = factories.person("Marzuki Darusman", aliases=["Darusman"])
    report = factories.report("Findings", text="Detailed findings.", authors=[author])
    event = factories.event("Hearing", participants=[author])
    assert {(hit.type, hit.slug) for hit in search_all("Darusman", types=["report", "event"])} == {
        ("report", report.slug),
        ("event", event.slug),
    }
    assert list(search_queryset(Report.objects.readable(), "Darusman", restricted=False)) == [report]


def test_a_name_weighs_less_than_the_title(client, db):
    kim = factories.person("Kim Il-sung")
    titled = factories.report("Kim Il-sung's rule", text="History.")
    mentioning = factories.report("Another report", text="He ruled, Kim Il-sung.")
    factories.mention(mentioning, "Kim Il-sung", actor=kim)
    assert _listed(client, '"Kim Il-sung"')[0] == titled.slug


def test_a_report_found_by_a_name_shows_the_name_in_its_snippet(client, kim_reports):
    """Its text says "the Great Leader": the snippet shows the names it is found by, the one searched marked."""
    [hit] = client.get("/api/v1/search/", {"q": "김일성", "type": "report"}).json()["results"]
    assert "<mark>김일성</mark>" in hit["snippet"]
    assert "Kim Il-sung" in hit["snippet"]
