"""Small builders for test records: real rows in the real database, sensible defaults.

Records start as drafts in the application (``CuratedModel.status``); the
builders make them published unless a test says otherwise, since most tests
read records as a partner would. The publish rule (``hrkb.sourcing``) is the
admin's, the importer's and the fixture loader's, not the ORM's, so these
published records need no citations.
"""

import itertools

from django.utils.text import slugify

from actors.choices import OrganisationKind
from actors.models import Alias, Membership, Organisation, Person
from events.models import Event, Participant
from reports.models import Authorship, Quote, Report, Topic
from sources.models import Mention

_counter = itertools.count(1)


def _slug(text: str) -> str:
    return f"{slugify(text)[:80]}-{next(_counter)}"


def person(name: str = "Test Person", *, aliases=(), **fields) -> Person:
    fields.setdefault("status", "published")
    record = Person.objects.create(name=name, slug=fields.pop("slug", None) or _slug(name), **fields)
    for alias in aliases:
        Alias.objects.create(actor=record, name=alias)
    return record


def organisation(name: str = "Test Organisation", *, aliases=(), **fields) -> Organisation:
    fields.setdefault("organisation_kind", OrganisationKind.NGO)
    fields.setdefault("status", "published")
    record = Organisation.objects.create(name=name, slug=fields.pop("slug", None) or _slug(name), **fields)
    for alias in aliases:
        Alias.objects.create(actor=record, name=alias)
    return record


def membership(person_: Person = None, organisation_: Organisation = None, role: str = "Member", **fields):
    person_ = person_ or person()
    organisation_ = organisation_ or organisation()
    slug = fields.pop("slug", None) or _slug(f"{person_.slug}-{role}")
    fields.setdefault("status", "published")
    return Membership.objects.create(person=person_, organisation=organisation_, role=role, slug=slug, **fields)


def topic(name: str = "Test topic", **fields) -> Topic:
    fields.setdefault("status", "published")
    return Topic.objects.create(name=name, slug=fields.pop("slug", None) or _slug(name), **fields)


def report(title: str = "Test report", *, publishers=(), authors=(), topics=(), **fields) -> Report:
    fields.setdefault("kind", "report")
    fields.setdefault("status", "published")
    record = Report.objects.create(title=title, slug=fields.pop("slug", None) or _slug(title), **fields)
    record.publishers.set(publishers)
    record.topics.set(topics)
    for position, author in enumerate(authors, 1):
        Authorship.objects.create(report=record, person=author, position=position)
    return record


def event(title: str = "Test event", *, participants=(), related_reports=(), **fields) -> Event:
    fields.setdefault("kind", "summit")
    fields.setdefault("status", "published")
    record = Event.objects.create(title=title, slug=fields.pop("slug", None) or _slug(title), **fields)
    for actor in participants:
        Participant.objects.create(event=record, actor=actor)
    record.related_reports.set(related_reports)
    return record


def quote(speaker: Person = None, text: str = "Words worth quoting.", **fields) -> Quote:
    speaker = speaker or person()
    fields.setdefault("status", "published")
    return Quote.objects.create(speaker=speaker, text=text, slug=fields.pop("slug", None) or _slug(text), **fields)


def mention(report_: Report, words: str, **target) -> Mention:
    start = report_.text.index(words)
    return Mention.objects.create(report=report_, start=start, end=start + len(words), text=words, **target)
