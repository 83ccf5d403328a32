"""Curating in the admin: the publish rule holds, duplicates are shown and merged with a preview."""

import pytest
from django.urls import reverse

from actors.models import Actor, Membership, Person
from hrkb.models import SlugRedirect, Status
from reports.models import Report
from sources.models import MembershipCitation, ReportCitation
from tests import factories

pytestmark = pytest.mark.django_db

TEXT = "Michael Kirby chaired the Commission of Inquiry in 2013."


def membership_form(person, organisation, **fields):
    data = {"person": person.pk, "organisation": organisation.pk, "role": "Chair", "start": "2013", "end": ""}
    data |= {"rank": "normal", "status": "published", "slug": "", "note": "", "rank_reason": ""}
    data |= {"unsourced_reason": ""}
    data |= {
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    return data | fields


def test_a_fact_cannot_be_published_in_the_admin_without_a_source_and_nothing_is_saved(curator_client):
    kirby, coi = factories.person("Michael Kirby"), factories.organisation("COI")
    response = curator_client.post(reverse("admin:actors_membership_add"), membership_form(kirby, coi))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["status"]
    assert "cannot be published without a source for the membership" in errors[0]
    # The form comes back as typed, and the rolled-back save left nothing behind.
    assert response.context["adminform"].form["role"].value() == "Chair"
    assert not Membership.objects.exists()


def test_a_fact_is_published_with_a_citation_added_inline_or_an_unsourced_reason(curator_client):
    kirby, coi = factories.person("Michael Kirby"), factories.organisation("COI")
    source = factories.report("Article", text=TEXT)
    cited = membership_form(kirby, coi) | {
        "citations-TOTAL_FORMS": "1",
        "citations-0-source": source.pk,
        "citations-0-confidence": "high",
        "citations-0-passage": "Michael Kirby chaired the Commission of Inquiry",
        "citations-0-start": "",
        "citations-0-end": "",
        "citations-0-claim": "role",
        "citations-0-value": "",
        "citations-0-rank": "normal",
        "citations-0-rank_reason": "",
    }
    assert curator_client.post(reverse("admin:actors_membership_add"), cited).status_code == 302
    assert MembershipCitation.objects.get().subject.status == Status.PUBLISHED
    marked = membership_form(kirby, coi, role="Member", unsourced_reason="His appointment letter, not stored.")
    assert curator_client.post(reverse("admin:actors_membership_add"), marked).status_code == 302
    assert Membership.objects.get(role="Member").status == Status.PUBLISHED


def test_the_publish_action_publishes_only_what_is_sourced_and_names_the_rest(curator_client):
    kirby, coi = factories.person("Michael Kirby"), factories.organisation("COI")
    source = factories.report("Article", text=TEXT)
    sourced = factories.membership(kirby, coi, role="Chair", status="draft")
    MembershipCitation.objects.create(subject=sourced, source=source, passage="chaired the Commission")
    unsourced = factories.membership(kirby, coi, role="Member", status="draft")
    response = curator_client.post(
        reverse("admin:actors_membership_changelist"),
        {"action": "publish", "_selected_action": [sourced.pk, unsourced.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "stays a draft" in page and "1 record(s) published." in page
    sourced.refresh_from_db(), unsourced.refresh_from_db()
    assert (sourced.status, unsourced.status) == (Status.PUBLISHED, Status.DRAFT)


def test_the_admin_lists_published_facts_marked_unsourced(curator_client):
    kirby, coi = factories.person("Michael Kirby"), factories.organisation("COI")
    factories.membership(kirby, coi, role="Member", unsourced_reason="Only in the commission's own report.")
    response = curator_client.get(reverse("admin:research_claims"), {"queue": "marked-unsourced"})
    page = response.content.decode()
    assert "Published, marked unsourced" in page
    assert "Only in the commission&#x27;s own report." in page


def test_merging_in_the_admin_choose_preview_confirm(curator, curator_client):
    coi = factories.organisation("COI")
    source = factories.report("Article", text=TEXT)
    survivor = factories.person("Michael Kirby", slug="michael-kirby")
    duplicate = factories.person("Michael D. Kirby", slug="michael-d-kirby")
    factories.membership(survivor, coi, role="Chair", start="2013", unsourced_reason="Test.")
    twin = factories.membership(duplicate, coi, role="Chair", start="2013", note="From a second source.")
    MembershipCitation.objects.create(subject=twin, source=source, passage="chaired the Commission")
    url = reverse("admin:actors_person_merge")

    action = curator_client.post(
        reverse("admin:actors_person_changelist"),
        {"action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk]},
    )
    assert action.status_code == 302 and action["Location"].startswith(url)
    choose = curator_client.get(action["Location"])
    assert choose.context["stage"] == "choose" and "Michael D. Kirby" in choose.content.decode()
    preview = curator_client.get(url, {"ids": f"{survivor.pk},{duplicate.pk}", "survivor": survivor.pk})
    page = preview.content.decode()
    assert preview.context["stage"] == "preview"
    assert "folded into" in page and "From a second source." in page and "chaired the Commission" in page
    assert Person.objects.filter(pk=duplicate.pk).exists()  # nothing written by the preview

    done = curator_client.post(url, {"ids": f"{survivor.pk},{duplicate.pk}", "survivor": survivor.pk, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("admin:actors_person_change", args=[survivor.pk])
    assert not Actor.objects.filter(slug="michael-d-kirby").exists()
    assert survivor.memberships.get().citations.get().passage == "chaired the Commission"
    assert SlugRedirect.objects.resolve(Person, "michael-d-kirby") == "michael-kirby"
    assert survivor.history.first().history_user == curator


def test_a_merge_the_preview_shows_as_impossible_cannot_be_confirmed(curator_client):
    survivor = factories.report("Survivor", text="Another text.")
    duplicate = factories.report("Duplicate", text=TEXT)
    ReportCitation.objects.create(subject=factories.report("Cited"), source=duplicate, passage="in 2013")
    url = reverse("admin:reports_report_merge")
    data = {"ids": f"{survivor.pk},{duplicate.pk}", "survivor": survivor.pk}
    preview = curator_client.get(url, data)
    assert "What stops the merge" in preview.content.decode()
    assert 'name="confirm" class="default" value="Merge" disabled' in preview.content.decode()
    curator_client.post(url, data | {"confirm": "1"})
    assert Report.objects.filter(pk=duplicate.pk).exists()


def test_adding_a_person_shows_likely_duplicates(curator_client):
    kim = factories.person("Kim Jong-un", aliases=["김정은"])
    factories.person("Marzuki Darusman")
    similar = curator_client.get(reverse("admin:actors_person_similar"), {"name": "Kim Jong Un"}).json()
    assert [c["slug"] for c in similar["candidates"]] == [kim.slug]
    by_alias = curator_client.get(reverse("admin:actors_person_similar"), {"name": "K.", "alias": "김정은"}).json()
    assert by_alias["candidates"][0]["reason"] == "alias"
    fuzzy = curator_client.get(reverse("admin:actors_person_similar"), {"name": "Darusmann"}).json()
    assert [c["name"] for c in fuzzy["candidates"]] == ["Marzuki Darusman"]
    add_page = curator_client.get(reverse("admin:actors_person_add")).content.decode()
    assert 'id="likely-duplicates"' in add_page and "likely_duplicates.js" in add_page


def test_saving_a_likely_duplicate_warns_with_a_link_to_merge(curator_client):
    kim = factories.person("Kim Jong-un")
    data = {"name": "KIM JONG UN", "slug": "kim-jong-un-2", "description": "", "wikidata_id": "", "status": "draft"}
    for prefix in ("aliases", "memberships", "citations"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = curator_client.post(reverse("admin:actors_person_add"), data, follow=True)
    page = response.content.decode()
    added = Person.objects.get(slug="kim-jong-un-2")
    assert "may be a duplicate of" in page
    assert f"{reverse('admin:actors_person_merge')}?ids={kim.pk},{added.pk}" in page


def test_the_likely_duplicates_page_lists_namesakes_with_merge_links(curator_client):
    first = factories.person("Kim Jong-un")
    second = factories.person("Kim Jong Un")
    third = factories.person("Kim Jong Eun", aliases=["KIM JONG-UN"])
    factories.person("Kim Il-sung")
    page = curator_client.get(reverse("admin:actors_person_duplicates"))
    [group] = page.context["groups"]
    assert {actor.pk for actor, _url, _aliases in group["actors"]} == {first.pk, second.pk, third.pk}
    assert len(group["pairs"]) == 3
    assert reverse("admin:actors_person_merge") in page.content.decode()
