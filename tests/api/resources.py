"""What the contract tests need to know about each public type's resource.

Every type in :data:`hrkb.public_types.PUBLIC_TYPES` needs its entry here
(``tests/api/test_registry.py`` fails otherwise); it then gets every contract,
access and leak test.
"""

from dataclasses import dataclass, field

from hrkb.public_types import PUBLIC_TYPES, PublicType
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
