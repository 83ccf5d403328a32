"""The source viewer and select-to-cite: the text with its marks, and passages cited by their offsets."""

import re

import pytest

from actors.models import Membership, Person
from reports.models import Report
from sources.models import MembershipCitation, Mention
from tests import factories

from .helpers import SUMMIT_ARTICLE, url

pytestmark = pytest.mark.django_db


def _text_of(page: str) -> str:
    import html

    body = re.search(r'<article class="source-text"[^>]*>(.*?)</article>', page, re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_viewer_shows_the_stored_text_with_every_mention_and_citation(staff_client, linked_corpus):
    report = Report.objects.get(slug=SUMMIT_ARTICLE)
    page = staff_client.get(url("research_text", report.slug)).content.decode()
    assert _text_of(page) == report.text
    for mention in Mention.objects.filter(report=report):
        assert f'id="m-{mention.pk}"' in page
    citation = MembershipCitation.objects.filter(source=report)[0]
    assert f'id="c-membership-{citation.pk}"' in page
    assert "mention-person" in page and "citation-membership" in page
    assert 'id="source-marks"' in page  # the marks handed to the script as JSON, not code


def test_citing_a_selected_passage_stores_it_at_its_code_point_offsets(curator_client):
    text = "Witness 🙂 says: Busy Kirby chaired the inquiry in 2013."
    report = factories.report("A testimony", text=text)
    membership = factories.membership(factories.person("Busy Kirby"), factories.organisation("Inquiry"), role="Chair")
    start = text.index("chaired the inquiry")
    end = start + len("chaired the inquiry in 2013")
    form = curator_client.get(url("research_cite", report.slug), {"start": start, "end": end})
    assert form.status_code == 200 and "chaired the inquiry in 2013" in form.content.decode()
    data = {"start": start, "end": end, "passage": text[start:end], "kind": "membership"}
    data |= {"subject_membership": membership.pk, "confidence": "medium", "claim": "role", "rank": "normal"}
    response = curator_client.post(url("research_cite", report.slug), data)
    citation = MembershipCitation.objects.get(subject=membership)
    assert response.status_code == 302
    assert response["Location"] == f"{url('research_text', report.slug)}#c-membership-{citation.pk}"
    assert (citation.start, citation.end, citation.passage) == (start, end, "chaired the inquiry in 2013")
    assert text[citation.start : citation.end] == citation.passage


def test_a_passage_that_is_not_at_its_offsets_is_refused(curator_client):
    report = factories.report("A testimony", text="Kirby chaired the inquiry.")
    membership = factories.membership(role="Chair")
    data = {"start": 0, "end": 5, "passage": "Rogers", "kind": "membership", "subject_membership": membership.pk}
    data |= {"confidence": "high", "rank": "normal"}
    response = curator_client.post(url("research_cite", report.slug), data)
    assert response.status_code == 200
    assert "is not the passage you selected" in response.content.decode()
    assert not MembershipCitation.objects.exists()


def test_preferring_a_claim_from_the_viewer_needs_a_reason(curator_client):
    report = factories.report("A testimony", text="Kirby chaired the inquiry.")
    membership = factories.membership(role="Chair")
    data = {"start": 0, "end": 5, "passage": "Kirby", "kind": "membership", "subject_membership": membership.pk}
    data |= {"confidence": "high", "rank": "preferred", "rank_reason": ""}
    assert curator_client.post(url("research_cite", report.slug), data).status_code == 200
    assert not MembershipCitation.objects.exists()


def test_marking_a_selection_as_a_mention(curator_client):
    text = "Yesterday 김일성 was named."
    report = factories.report("A text", text=text)
    kim = factories.person("Kim Il-sung", aliases=["김일성"])
    start = text.index("김일성")
    data = {"start": start, "end": start + 3, "passage": "김일성", "target": "actor", "actor": kim.pk}
    response = curator_client.post(url("research_mention", report.slug), data)
    mention = Mention.objects.get(report=report)
    assert response["Location"].endswith(f"#m-{mention.pk}")
    assert (mention.start, mention.end, mention.text, mention.actor) == (start, start + 3, "김일성", kim)
    again = curator_client.post(url("research_mention", report.slug), data)
    assert again.status_code == 200 and "already a mention" in again.content.decode()


def test_staff_without_permission_cannot_cite(staff_client):
    report = factories.report("A text", text="Some words.")
    assert staff_client.get(url("research_cite", report.slug), {"start": 0, "end": 4}).status_code == 403
    assert staff_client.get(url("research_mention", report.slug), {"start": 0, "end": 4}).status_code == 403


def test_cite_form_can_be_opened_for_a_chosen_fact(curator_client):
    report = factories.report("A text", text="Some words.")
    membership = factories.membership(Person.objects.create(name="P", slug="p"), role="Chair")
    response = curator_client.get(
        url("research_cite", report.slug), {"start": 0, "end": 4, "kind": "membership", "subject": membership.pk}
    )
    assert response.context["form"]["subject_membership"].value() == str(membership.pk)
    assert Membership.objects.count() == 1
