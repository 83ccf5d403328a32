"""Merging duplicate actors keeps every relation and every link."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actors.models import Actor, Alias, Membership, Person
from actors.services import actor_merge, actor_merge_plan
from events.models import Participant
from hrkb.models import SlugRedirect
from sources.models import MembershipCitation
from tests import factories


@pytest.mark.django_db
def test_merge_moves_relations_keeps_names_and_redirects_the_old_slug():
    csw = factories.organisation("CSW")
    survivor = factories.person("Kim Jong-un", aliases=["Kim Jong Un"], slug="kim-jong-un")
    duplicate = factories.person("Kim Jong Eun", aliases=["Kim Jong Un", "김정은"], slug="kim-jong-eun")
    factories.membership(duplicate, csw, role="Subject of advocacy")
    summit = factories.event("Singapore summit", participants=[survivor, duplicate])
    report = factories.report("Letter", authors=[duplicate], text="A letter to Kim Jong Eun.")
    factories.mention(report, "Kim Jong Eun", actor=duplicate)
    quote = factories.quote(duplicate)

    actor_merge(survivor=survivor, duplicate=duplicate)

    assert not Actor.objects.filter(slug="kim-jong-eun").exists()
    assert set(survivor.aliases.values_list("name", flat=True)) == {"Kim Jong Un", "김정은", "Kim Jong Eun"}
    assert survivor.memberships.get().organisation == csw
    assert Participant.objects.filter(event=summit).get().actor_id == survivor.pk
    assert report.authorships.get().person_id == survivor.pk
    assert report.mentions.get().actor_id == survivor.pk
    quote.refresh_from_db()
    assert quote.speaker_id == survivor.pk
    assert SlugRedirect.objects.resolve(Person, "kim-jong-eun") == "kim-jong-un"
    assert Alias.objects.filter(name="Kim Jong Un").count() == 1


@pytest.mark.django_db
def test_merge_moves_publishers_and_child_organisations():
    survivor = factories.organisation("OHCHR", slug="ohchr")
    duplicate = factories.organisation("Office of the High Commissioner for Human Rights", slug="un-ohchr")
    seoul = factories.organisation("OHCHR Seoul", parent=duplicate)
    both = factories.report("Both published", publishers=[survivor, duplicate])
    one = factories.report("One published", publishers=[duplicate])

    actor_merge(survivor=survivor, duplicate=duplicate)

    seoul.refresh_from_db()
    assert seoul.parent_id == survivor.pk
    assert list(both.publishers.all()) == [survivor]
    assert list(one.publishers.all()) == [survivor]


@pytest.mark.django_db
def test_a_person_cannot_be_merged_into_an_organisation():
    with pytest.raises(ValidationError, match="same kind"):
        actor_merge(survivor=factories.organisation("CSW"), duplicate=factories.person("CSW"))


@pytest.mark.django_db
def test_identical_memberships_are_folded_into_one_with_their_citations(curator):
    coi = factories.organisation("Commission of Inquiry")
    text = "Michael Kirby chaired the commission. Justice Kirby was its chair from 2013."
    source = factories.report("Article", text=text)
    survivor = factories.person("Michael Kirby", slug="michael-kirby")
    duplicate = factories.person("Justice Michael Kirby", slug="justice-kirby")
    kept = factories.membership(survivor, coi, role="Chair", start="2013", slug="kirby-chair")
    folded = factories.membership(duplicate, coi, role="Chair", start="2013", slug="justice-kirby-chair", note="Other")
    other = factories.membership(duplicate, coi, role="Witness", slug="justice-kirby-witness")
    MembershipCitation.objects.create(subject=kept, source=source, passage="Michael Kirby chaired the commission.")
    # The same passage on both: one citation stays; a passage only the duplicate's role had moves across.
    MembershipCitation.objects.create(subject=folded, source=source, passage="Michael Kirby chaired the commission.")
    MembershipCitation.objects.create(subject=folded, source=source, passage="Justice Kirby was its chair from 2013.")

    plan = actor_merge_plan(survivor=survivor, duplicate=duplicate)
    [fold] = plan.folded
    assert fold.row == folded and fold.into == kept
    assert any("Other" in conflict for conflict in fold.conflicts)
    assert [change.row for change in plan.moved if change.relation == "memberships"] == [other]

    actor_merge(survivor=survivor, duplicate=duplicate, user=curator)

    assert list(Membership.objects.filter(person=survivor).order_by("role").values_list("slug", flat=True)) == [
        "kirby-chair",
        "justice-kirby-witness",
    ]
    assert sorted(kept.citations.values_list("passage", flat=True)) == [
        "Justice Kirby was its chair from 2013.",
        "Michael Kirby chaired the commission.",
    ]
    # The folded membership's slug leads to the one it became.
    assert SlugRedirect.objects.resolve(Membership, "justice-kirby-chair") == "kirby-chair"


@pytest.mark.django_db
def test_the_merge_is_in_history_with_its_user_and_moved_records_history_pages_open(curator, curator_client):
    coi = factories.organisation("Commission of Inquiry")
    survivor = factories.person("Kim Jong-un", slug="kim-jong-un")
    duplicate = factories.person("Kim Jong Eun", slug="kim-jong-eun")
    membership = factories.membership(duplicate, coi, role="Leader")
    membership.note = "An edit before the merge."
    membership.save()
    duplicate_id = duplicate.pk

    actor_merge(survivor=survivor, duplicate=duplicate, user=curator)

    latest = Actor.history.filter(id=survivor.pk).first()
    assert latest.history_user == curator and "Kim Jong Eun (kim-jong-eun)" in latest.history_change_reason
    removed = Actor.history.get(id=duplicate_id, history_type="-")
    assert removed.history_user == curator
    moved = membership.history.first()
    assert moved.history_user == curator and moved.person_id == survivor.pk
    # Every version of the moved membership names a person who exists, so its history page opens.
    assert set(membership.history.values_list("person_id", flat=True)) == {survivor.pk}
    response = curator_client.get(reverse("admin:actors_membership_history", args=[membership.pk]))
    assert response.status_code == 200
    assert "Kim Jong-un" in response.content.decode()
    history = curator_client.get(reverse("admin:actors_person_history", args=[survivor.pk]))
    assert history.status_code == 200 and "Merged Kim Jong Eun" in history.content.decode()


@pytest.mark.django_db
def test_a_merge_that_would_publish_an_unsourced_description_is_refused():
    survivor = factories.person("Marzuki Darusman")
    duplicate = factories.person("M. Darusman", description="Said something.", status="draft")
    duplicate_id = duplicate.pk
    with pytest.raises(ValidationError, match="description"):
        actor_merge(survivor=survivor, duplicate=duplicate)
    assert Actor.objects.filter(pk=duplicate_id).exists()
