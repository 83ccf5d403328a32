"""Merging duplicate events: participants fold, related reports and citations follow."""

import pytest

from events.models import Event, Participant
from events.services import event_merge, event_merge_plan
from hrkb.models import SlugRedirect
from sources.models import ParticipantCitation
from tests import factories

pytestmark = pytest.mark.django_db


def test_identical_participants_fold_with_their_citations_and_related_reports_are_joined(curator):
    trump, kim = factories.person("Donald Trump"), factories.person("Kim Jong-un")
    article = factories.report("Article", text="Donald Trump met Kim Jong-un in Singapore.")
    letter = factories.report("Letter")
    survivor = factories.event(
        "Singapore summit", slug="singapore-summit", participants=[trump], related_reports=[article]
    )
    duplicate = factories.event(
        "Trump-Kim summit", slug="trump-kim-summit", participants=[trump, kim], related_reports=[article, letter]
    )
    Participant.objects.update(unsourced_reason="Test data.")
    twin = Participant.objects.get(event=duplicate, actor=trump)
    ParticipantCitation.objects.create(subject=twin, source=article, passage="Donald Trump met")

    plan = event_merge_plan(survivor=survivor, duplicate=duplicate)
    assert [change.row.actor for change in plan.folded] == [trump]
    assert [change.row.actor for change in plan.moved if change.relation == "participants"] == [kim]

    event_merge(survivor=survivor, duplicate=duplicate, user=curator)

    assert sorted(survivor.participants.values_list("actor__name", flat=True)) == ["Donald Trump", "Kim Jong-un"]
    kept = survivor.participants.get(actor=trump)
    assert list(kept.citations.values_list("passage", flat=True)) == ["Donald Trump met"]
    assert set(survivor.related_reports.all()) == {article, letter}
    assert "Trump-Kim summit" in Event.objects.get(pk=survivor.pk).aliases.splitlines()
    assert SlugRedirect.objects.resolve(Event, "trump-kim-summit") == "singapore-summit"
