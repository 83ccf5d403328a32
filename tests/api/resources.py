"""What the contract tests need to know about each public type's resource.

Every type in :data:`hrkb.public_types.PUBLIC_TYPES` needs its entry here
(``tests/api/test_registry.py`` fails otherwise); it then gets every contract,
access and leak test.
"""

from dataclasses import dataclass, field

from actors.models import Alias
from events.models import Participant
from hrkb.public_types import PUBLIC_TYPES, PublicType
from reports.models import Authorship
from sources.models import EventCitation, MembershipCitation, ParticipantCitation, QuoteCitation, ReportCitation
from tests import factories


@dataclass(frozen=True)
class Resource:
    path: str
    public: str  # attribute of the world holding its public record
    # (parameter, value, whether the public record is in the results)
    filters: list = field(default_factory=list)
    # (parameter, invalid value)
    invalid: list = field(default_factory=list)
    ordering: tuple = ("slug", "modified")

    @property
    def public_type(self) -> PublicType:
        return next(public_type for public_type in PUBLIC_TYPES if public_type.path == self.path)

    def build_more(self, world, count=3):
        """More public records with relations, so per-row queries would show in query counts."""
        return [BUILDERS[self.path](world, number) for number in range(count)]

    def grow(self, world, count=3) -> list[str]:
        """Give the world's public record ``count`` more rows of every relation its detail shows.

        Returns the detail's keys that must now list more items, so a test can
        check that the growth really reached the response.
        """
        return GROWERS[self.path](world, getattr(world, self.public), count)


def _report(w, n):
    return factories.report(f"More report {n}", publishers=[w.org], authors=[w.person], topics=[w.topic])


def _person(w, n):
    record = factories.person(f"More person {n}", aliases=[f"Other name {n}"])
    factories.membership(record, w.org, role="Member")
    return record


def _organisation(w, n):
    return factories.organisation(f"More org {n}", parent=w.org, aliases=[f"MO{n}"])


def _event(w, n):
    return factories.event(f"More event {n}", participants=[w.person], related_reports=[w.report])


def _topic(w, n):
    return factories.topic(f"More topic {n}", parent=w.topic)


def _quote(w, n):
    return factories.quote(w.person, f"More words {n}.", source=w.report)


def _passage_citation(citation_model, subject, source, number):
    """A citation of a new passage: each source's text gets a sentence of its own to cite."""
    passage = f"Passage number {number} of {source.slug}."
    source.text += f" {passage}"
    source.save()
    return citation_model.objects.create(subject=subject, source=source, passage=passage)


def _grow_report(w, report, count):
    for number in range(count):
        report.publishers.add(factories.organisation(f"Publisher {number}"))
        report.topics.add(factories.topic(f"Grown topic {number}"))
        report.references.add(factories.report(f"Referenced report {number}"))
        factories.event(f"Grown event {number}", related_reports=[report])
        Authorship.objects.create(report=report, person=factories.person(f"Author {number}"), position=10 + number)
        _passage_citation(ReportCitation, report, report, number)
        words = f"Passage number {number} of {report.slug}."
        factories.mention(report, words, actor=factories.person(f"Mentioned {number}"))
    return ["publishers", "topics", "references", "events", "authors", "citations", "mentions"]


def _grow_person(w, person, count):
    for number in range(count):
        Alias.objects.create(actor=person, name=f"Grown alias {number}")
        membership = factories.membership(person, factories.organisation(f"Employer {number}"), role="Adviser")
        _passage_citation(MembershipCitation, membership, w.report, number)
    return ["aliases", "memberships"]


def _grow_organisation(w, organisation, count):
    for number in range(count):
        Alias.objects.create(actor=organisation, name=f"Grown alias {number}")
        factories.organisation(f"Grown child {number}", parent=organisation)
        membership = factories.membership(factories.person(f"Member {number}"), organisation, role="Member")
        _passage_citation(MembershipCitation, membership, w.report, number)
    return ["aliases", "children", "members"]


def _grow_event(w, event, count):
    for number in range(count):
        participant = Participant.objects.create(event=event, actor=factories.person(f"Delegate {number}"))
        _passage_citation(ParticipantCitation, participant, w.report, number)
        _passage_citation(EventCitation, event, w.report, 100 + number)
        event.related_reports.add(factories.report(f"Related report {number}"))
        event.topics.add(factories.topic(f"Event topic {number}"))
    return ["participants", "citations", "related_reports", "topics"]


def _grow_topic(w, topic, count):
    for number in range(count):
        factories.topic(f"Narrower topic {number}", parent=topic)
    return ["children"]


def _grow_quote(w, quote, count):
    for number in range(count):
        _passage_citation(QuoteCitation, quote, w.report, number)
    return ["citations"]


GROWERS = {
    "reports": _grow_report,
    "people": _grow_person,
    "organisations": _grow_organisation,
    "events": _grow_event,
    "topics": _grow_topic,
    "quotes": _grow_quote,
}

BUILDERS = {
    "reports": _report,
    "people": _person,
    "organisations": _organisation,
    "events": _event,
    "topics": _topic,
    "quotes": _quote,
}

MODIFIED = [("modified_since", "2000-01-01", True), ("modified_since", "2999-01-01T00:00:00Z", False)]
BAD_MODIFIED = [("modified_since", "yesterday"), ("modified_since", "2024-13-45")]

RESOURCES = [
    Resource(
        "reports",
        "report",
        filters=[
            ("kind", "report", True),
            ("kind", "resolution", False),
            ("publisher", "org-public", True),
            ("author", "alice-public", True),
            ("topic", "topic-public", True),
            ("mentions", "alice-public", True),
            ("published_after", "2014", True),
            ("published_after", "2014-03", False),
            ("published_before", "2014-03", True),
            ("published_before", "2014-02", False),
            ("search", "public", True),
            *MODIFIED,
        ],
        invalid=[
            ("kind", "zzz"),
            ("publisher", "no-such-org"),
            ("author", "no-such-person"),
            ("topic", "Not a slug!"),
            ("mentions", "nobody"),
            ("published_after", "2014-13"),
            ("published_before", "February"),
            *BAD_MODIFIED,
        ],
        ordering=("slug", "published", "modified"),
    ),
    Resource(
        "people",
        "person",
        filters=[
            ("organisation", "org-public", True),
            ("organisation", "child-org", False),
            ("role", "chair", True),
            ("role", "treasurer", False),
            ("search", "alice", True),
            *MODIFIED,
        ],
        invalid=[("organisation", "no-such-org"), ("role", "x" * 201), *BAD_MODIFIED],
    ),
    Resource(
        "organisations",
        "org",
        filters=[("kind", "ngo", True), ("kind", "court", False), ("search", "org", True), *MODIFIED],
        invalid=[("kind", "zzz"), ("parent", "no-such-org"), *BAD_MODIFIED],
    ),
    Resource(
        "events",
        "event",
        filters=[
            ("kind", "summit", True),
            ("kind", "visit", False),
            ("actor", "alice-public", True),
            ("report", "public-report", True),
            ("date_after", "2018-06", True),
            ("date_after", "2019", False),
            ("date_before", "2018-06-13", True),
            ("date_before", "2018", False),
            ("country", "sg", True),
            ("country", "KP", False),
            *MODIFIED,
        ],
        invalid=[
            ("kind", "zzz"),
            ("actor", "nobody"),
            ("report", "no-such-report"),
            ("date_after", "2018-02-30"),
            ("date_before", "soon"),
            ("country", "Singapore"),
            *BAD_MODIFIED,
        ],
        ordering=("slug", "start", "modified"),
    ),
    Resource(
        "topics",
        "topic",
        filters=[("kind", "theme", True), ("kind", "udhr_article", False), ("search", "topic", True), *MODIFIED],
        invalid=[("kind", "zzz"), ("parent", "no-such-topic"), *BAD_MODIFIED],
        ordering=("slug", "name", "udhr_article", "modified"),
    ),
    Resource(
        "quotes",
        "quote",
        filters=[
            ("speaker", "alice-public", True),
            ("source", "public-report", True),
            ("said_after", "1975", True),
            ("said_before", "1975", False),
            *MODIFIED,
        ],
        invalid=[("speaker", "nobody"), ("source", "nothing"), ("said_after", "1975-00"), *BAD_MODIFIED],
    ),
]
RESOURCE_IDS = [resource.path for resource in RESOURCES]
