"""Merging duplicate actors keeps every relation and every link."""

import pytest
from django.core.exceptions import ValidationError

from actors.models import Actor, Alias, Person
from actors.services import actor_merge
from events.models import Participant
from hrkb.models import SlugRedirect
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
