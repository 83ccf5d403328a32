"""A small world for the API tests: one public, one draft and one restricted record of every type.

Every slug, name and text of a draft record carries the marker ``zzdraft``;
every one of a restricted record carries ``zzrestricted``. Public records
point at hidden ones in every way the model allows (publishers, authors,
topics, mentions, citations, participants, memberships, parents, speakers),
so a test can check a whole response body for a marker instead of guessing
where a leak would show.
"""

from types import SimpleNamespace

import pytest

from actors.models import Membership
from events.models import Participant
from sources.models import EventCitation, MembershipCitation, ParticipantCitation, QuoteCitation, ReportCitation
from tests import factories

DRAFT = "zzdraft"
RESTRICTED = "zzrestricted"
PUBLIC_TEXT = "Alice Public met Bob Hidden and Carol Draft; the Public Inquiry reported."


def _variants(build, name, **fields):
    """A public record, a draft one and a restricted one, built by ``build``."""
    return (
        build(f"{name} public", slug=f"{name.lower()}-public", **fields),
        build(f"{name} {DRAFT}", slug=f"{name.lower()}-{DRAFT}", status="draft", **fields),
        build(f"{name} {RESTRICTED}", slug=f"{name.lower()}-{RESTRICTED}", restricted=True, **fields),
    )


@pytest.fixture(autouse=True)
def generous_throttles(settings):
    """Rates no test reaches by accident; the throttle tests set their own."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "partner": "100000/minute"},
    }


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.org, w.org_draft, w.org_restricted = _variants(factories.organisation, "Org")
    w.child_org = factories.organisation("Child org", slug="child-org", parent=w.org)
    w.child_of_hidden = factories.organisation("Child of hidden", slug="child-of-hidden", parent=w.org_restricted)
    w.person = factories.person("Alice Public", slug="alice-public", aliases=["Alice P."])
    w.person_restricted = factories.person(
        "Bob Hidden", slug=f"bob-{RESTRICTED}", restricted=True, aliases=[f"Bob {RESTRICTED}"]
    )
    w.person_draft = factories.person("Carol Draft", slug=f"carol-{DRAFT}", status="draft")
    w.topic, w.topic_draft, w.topic_restricted = _variants(factories.topic, "Topic")
    w.source_draft = factories.report(
        f"Source {DRAFT}", slug=f"source-{DRAFT}", status="draft", text=f"The {DRAFT} passage says so."
    )
    w.source_restricted = factories.report(
        f"Source {RESTRICTED}", slug=f"source-{RESTRICTED}", restricted=True, text=f"The {RESTRICTED} passage says so."
    )
    w.report = factories.report(
        "Public report",
        slug="public-report",
        text=PUBLIC_TEXT,
        published="2014-02",
        publishers=[w.org, w.org_draft, w.org_restricted],
        authors=[w.person, w.person_restricted, w.person_draft],
        topics=[w.topic, w.topic_draft, w.topic_restricted],
    )
    w.report.references.set([w.source_draft, w.source_restricted])
    w.report_draft = factories.report(f"Report {DRAFT}", slug=f"report-{DRAFT}", status="draft", publishers=[w.org])
    w.report_restricted = factories.report(
        f"Report {RESTRICTED}", slug=f"report-{RESTRICTED}", restricted=True, publishers=[w.org], published="2015"
    )
    for words, target in (
        ("Alice Public", {"actor": w.person}),
        ("Bob Hidden", {"actor": w.person_restricted}),
        ("Carol Draft", {"actor": w.person_draft}),
        ("Public Inquiry", {"mentioned_report": w.source_restricted}),
    ):
        factories.mention(w.report, words, **target)
    for source in (w.report, w.source_draft, w.source_restricted):
        passage = PUBLIC_TEXT[:16] if source == w.report else source.text[:18]
        ReportCitation.objects.create(subject=w.report, source=source, passage=passage)

    w.membership = factories.membership(w.person, w.org, role="Chair")
    w.membership_hidden_org = factories.membership(w.person, w.org_restricted, role=f"Agent {RESTRICTED}")
    w.membership_draft = factories.membership(
        w.person, w.org, role=f"Informant {DRAFT}", slug=f"membership-{DRAFT}", status="draft"
    )
    w.membership_draft_org = factories.membership(w.person, w.org_draft, role=f"Member {DRAFT}")
    w.membership_restricted_person = factories.membership(w.person_restricted, w.org, role=f"Witness {RESTRICTED}")
    for source in (w.report, w.source_draft, w.source_restricted):
        passage = PUBLIC_TEXT[:16] if source == w.report else source.text[:18]
        MembershipCitation.objects.create(subject=w.membership, source=source, passage=passage)

    w.event, w.event_draft, w.event_restricted = _variants(factories.event, "Event", start="2018-06-12", country="SG")
    for actor in (w.person, w.person_restricted, w.person_draft):
        Participant.objects.create(event=w.event, actor=actor, role="participant")
    participant = Participant.objects.get(event=w.event, actor=w.person)
    w.event.related_reports.set([w.report, w.report_draft, w.report_restricted])
    w.event.topics.set([w.topic, w.topic_draft, w.topic_restricted])
    for source in (w.report, w.source_draft, w.source_restricted):
        passage = PUBLIC_TEXT[:16] if source == w.report else source.text[:18]
        EventCitation.objects.create(subject=w.event, source=source, passage=passage)
        ParticipantCitation.objects.create(subject=participant, source=source, passage=passage)

    w.quote = factories.quote(w.person, "Public words.", slug="quote-public", said="1975", source=w.report)
    w.quote_hidden_speaker = factories.quote(w.person_restricted, f"Words {RESTRICTED}.", slug=f"quote-{RESTRICTED}")
    w.quote_draft = factories.quote(w.person, f"Words {DRAFT}.", slug=f"quote-{DRAFT}", status="draft")
    w.quote_restricted_source = factories.quote(
        w.person, "Sourced words.", slug="quote-sourced", source=w.source_restricted
    )
    for source in (w.report, w.source_draft, w.source_restricted):
        passage = PUBLIC_TEXT[:16] if source == w.report else source.text[:18]
        QuoteCitation.objects.create(subject=w.quote, source=source, passage=passage)
    assert Membership.objects.count() == 5
    return w
