"""A synthetic knowledge base of any size, for benchmarks.

:func:`synthetic_generate` writes people, organisations, memberships, events
and reports that look like the real corpus from a database's point of view:
texts of 300–1,000 words that name actors, events and other reports (with a
:class:`~events.models.Mention` at the exact offsets), citations whose passages
are real slices of their source's text, partial dates of every precision, and
a small share of drafts and restricted records so access filtering has work to
do. Everything is derived from one seed, so two runs with the same options
write the same rows.

Rows are written with ``bulk_create`` in batches and the reports are built one
batch at a time, so memory stays flat however many reports are asked for.
A sentence that quotes a person becomes a :class:`~reports.models.Quote`,
cited at its offsets in the report.
``bulk_create`` skips ``save()``: timestamps are set explicitly, citations are
built at their true offsets rather than located, and no history rows are
written (synthetic records have no edits to remember).
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, reset_queries, transaction
from django.utils.text import slugify

from actors.choices import ActorKind, AliasKind, OrganisationKind
from actors.models import Actor, Alias, Membership
from events.choices import EventKind, ParticipantRole
from events.models import Event, Participant
from hrkb import changelog
from hrkb.dates import PartialDate
from hrkb.models import Confidence, CuratedModel, Status
from hrkb.search.bulk import deferred_search
from hrkb.sourcing import waive_unsourced
from reports.choices import ReportKind, TopicKind
from reports.models import Authorship, Quote, Report, Topic
from sources.choices import MentionOrigin
from sources.models import (
    EventCitation,
    MembershipCitation,
    Mention,
    ParticipantCitation,
    QuoteCitation,
    ReportCitation,
)

SLUG_PREFIX = "syn-"

# Fixed, not now(): the same seed must give the same rows on any day.
_EPOCH_END = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
_CREATED_SPAN_DAYS = 10 * 365

# --- Vocabulary ----------------------------------------------------------------------------------------------------

# Korean family names and given-name syllables, romanised (Revised Romanisation, as most sources write
# them) with their Hangul, so names carry native-script aliases the way the real corpus does.
_KOREAN_FAMILY = [
    ("Kim", "김"), ("Lee", "이"), ("Park", "박"), ("Choi", "최"), ("Jung", "정"), ("Kang", "강"),
    ("Cho", "조"), ("Yoon", "윤"), ("Jang", "장"), ("Lim", "임"), ("Han", "한"), ("Shin", "신"),
    ("Seo", "서"), ("Kwon", "권"), ("Hwang", "황"), ("Ahn", "안"), ("Song", "송"), ("Ryu", "류"),
]  # fmt: skip
_KOREAN_GIVEN = [
    ("min", "민"), ("jun", "준"), ("seo", "서"), ("ji", "지"), ("hyun", "현"), ("young", "영"),
    ("sung", "성"), ("chul", "철"), ("eun", "은"), ("hee", "희"), ("soo", "수"), ("jin", "진"),
    ("ho", "호"), ("kyung", "경"), ("woo", "우"), ("dong", "동"), ("il", "일"), ("hye", "혜"),
    ("yeon", "연"), ("sang", "상"), ("tae", "태"), ("hoon", "훈"), ("na", "나"), ("ok", "옥"),
]  # fmt: skip
_GIVEN = [
    "Anna", "Benedict", "Caroline", "David", "Elena", "Farid", "Grace", "Hiroshi", "Ines", "James",
    "Katarina", "Luis", "Marzuki", "Nadia", "Oliver", "Priya", "Rafael", "Sonja", "Thomas", "Ursula",
    "Victor", "Wen", "Yusuf", "Zainab", "Michael", "Sarah", "Tomás", "Amira", "Pieter", "Leila",
    "Daniel", "Mariam", "Stefan", "Aiko", "Kofi", "Helen", "Ivan", "Juliette", "Mehmet", "Rosa",
]  # fmt: skip
_FAMILY = [
    "Rogers", "Kirby", "Darusman", "Biserko", "Quintana", "Salama", "Okonkwo", "Lindqvist", "Moreau",
    "Tanaka", "Novak", "Haddad", "Fernández", "Kowalski", "Mensah", "Andersen", "Van der Berg", "Rossi",
    "Petrov", "Nakamura", "Osei", "Bergström", "Dubois", "Costa", "Schmidt", "Nguyen", "Abubakar",
    "Ivanova", "O'Connor", "Hussain", "Silva", "Müller", "Yilmaz", "Kaplan", "Achebe", "Larsen",
]  # fmt: skip
# Extra syllables make invented surnames, so large corpora do not repeat a few dozen names endlessly.
_SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "dan", "ri", "ska", "bel", "mon", "ta", "ver", "lin"]

_PLACES = [
    ("Geneva", "CH"), ("Seoul", "KR"), ("Pyongyang", "KP"), ("Singapore", "SG"), ("London", "GB"),
    ("New York", "US"), ("Washington", "US"), ("Brussels", "BE"), ("Tokyo", "JP"), ("Beijing", "CN"),
    ("Bangkok", "TH"), ("Jakarta", "ID"), ("Ulaanbaatar", "MN"), ("Hanoi", "VN"), ("Strasbourg", "FR"),
    ("The Hague", "NL"), ("Berlin", "DE"), ("Ottawa", "CA"), ("Canberra", "AU"), ("Kuala Lumpur", "MY"),
    ("Dhaka", "BD"), ("Nairobi", "KE"), ("Oslo", "NO"), ("Manila", "PH"), ("Vienna", "AT"),
]  # fmt: skip
_COUNTRIES = [
    "North Korea", "South Korea", "China", "Myanmar", "Eritrea", "Burundi", "Belarus", "Cambodia",
    "Laos", "Vietnam", "Iran", "Sri Lanka", "Nicaragua", "Venezuela", "Sudan", "Pakistan",
]  # fmt: skip
_CAUSES = [
    "Freedom of Religion or Belief", "Arbitrary Detention", "Enforced Disappearances", "Forced Labour",
    "Freedom of Expression", "the Right to Food", "Torture", "Human Trafficking", "Refugees",
    "Political Prison Camps", "Press Freedom", "Minority Rights", "Transitional Justice",
    "Freedom of Movement", "the Rights of the Child", "Women's Rights", "Accountability",
]  # fmt: skip
_ROLES = [
    "Chair", "Member", "Director", "Special Rapporteur", "East Asia Team Leader", "Advocacy Director",
    "Researcher", "Senior Analyst", "Founder", "Board Member", "Commissioner", "Ambassador", "Minister",
    "Spokesperson", "Legal Adviser", "Desk Officer", "Programme Manager", "President", "Secretary-General",
]  # fmt: skip
_REGIONS = ["North Korea", "East Asia", "South Asia", "Middle East", "Africa", "Latin America", "Europe"]
_NOUNS = [
    "authorities", "government", "detainees", "families", "witnesses", "testimony", "prison", "camp",
    "border", "refugees", "believers", "church", "evidence", "violations", "abuses", "investigation",
    "commission", "resolution", "report", "accountability", "justice", "security", "officials", "regime",
    "citizens", "workers", "children", "women", "survivors", "defectors", "interviews", "surveillance",
    "punishment", "sanctions", "dialogue", "community", "tribunal", "court", "law", "policy", "campaign",
    "crimes", "persecution", "torture", "executions", "food", "famine", "markets", "movies", "broadcasts",
]  # fmt: skip
_ADJECTIVES = [
    "systematic", "widespread", "grave", "arbitrary", "international", "independent", "credible",
    "urgent", "severe", "political", "religious", "unlawful", "continued", "documented", "detailed",
    "repeated", "public", "secret", "forced", "brutal", "fundamental", "basic", "collective", "new",
]  # fmt: skip
_VERBS = [
    "documented", "reported", "denied", "condemned", "described", "recorded", "investigated", "ignored",
    "confirmed", "raised", "urged", "welcomed", "detailed", "exposed", "restricted", "monitored",
    "detained", "released", "interviewed", "challenged", "supported", "rejected", "recommended",
]  # fmt: skip

# Filler sentences; each {slot} takes a random word of its kind.
_FILLER = [
    "The {a} {n} {v} by the {n2} remain a matter of {a2} concern.",
    "In {p}, {n} and {n2} {v} {a} {n3} over several years.",
    "Many {n} {v} that the {a} {n2} had continued despite {a2} {n3}.",
    "The {n} {v} the {a} nature of the {n2} and called for {a2} {n3}.",
    "According to {a} {n}, the {n2} {v} {a2} {n3} in the region.",
    "Testimony from {n} {v} how {a} {n2} affected {n3}.",
    "The {a} {n} in {p} was {v} in {a2} detail.",
    "Observers {v} {a} {n} against {n2} and their {n3}.",
    "There is {a} evidence that {n} {v} the {n2}.",
    "Such {n} cannot be {v} without {a} {n2} and {a2} {n3}.",
    "It {v} the need for {a} {n} to protect {n2}.",
    "Reports of {a} {n} were {v} by {n2} in {p}.",
]
# Sentences that name an actor: (before, after) around the name.
_NAMING = [
    ("According to ", ", the {a} {n} {v} {a2} {n2}."),
    ("", " {v} the {a} {n} of {n2} in {p}."),
    ("In a statement, ", " {v} {a} {n} and urged {a2} {n2}."),
    ("The {n} {v} by ", " included {a} {n2}."),
    ("", " has long {v} {a} {n} against {n2}."),
    ("Speaking in {p}, ", " {v} the {a} {n}."),
]  # fmt: skip

# How a quote is introduced, and the occasion recorded with it.
_OCCASIONS = [
    ("", ""),
    (" at a press conference", "a press conference in {p}"),
    (" in testimony", "testimony to a hearing on {n}"),
    (" in an interview", "an interview about {a} {n}"),
]
_REPORT_KINDS = [
    (ReportKind.REPORT, 30), (ReportKind.ARTICLE, 35), (ReportKind.UN_DOCUMENT, 8), (ReportKind.RESOLUTION, 4),
    (ReportKind.OPEN_LETTER, 5), (ReportKind.STATEMENT, 10), (ReportKind.SPEECH, 4), (ReportKind.BOOK, 2),
    (ReportKind.OTHER, 2),
]  # fmt: skip
_THEMES = [
    "Freedom of religion or belief", "Arbitrary detention", "Forced labour", "Freedom of expression",
    "Right to food", "Torture", "Refugees and asylum", "Accountability", "Women's rights", "Children's rights",
    "Freedom of movement", "Enforced disappearance",
]  # fmt: skip


@dataclass(frozen=True)
class SyntheticOptions:
    """How much to generate; the defaults scale with the number of reports."""

    reports: int
    people: int | None = None
    organisations: int | None = None
    events: int | None = None
    seed: int = 1
    draft_ratio: float = 0.02
    restricted_ratio: float = 0.02
    batch_size: int = 1000

    def __post_init__(self):
        # Frozen, so fill the proportional defaults through object.__setattr__.
        defaults = {
            "people": max(20, self.reports // 5),
            "organisations": max(10, self.reports // 50),
            "events": max(10, self.reports // 10),
        }
        for name, default in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, default)
        if self.reports < 1 or min(self.people, self.organisations, self.events) < 2:
            raise ValueError("need at least 1 report and 2 each of people, organisations and events")
        if not (0 <= self.draft_ratio <= 1 and 0 <= self.restricted_ratio <= 1):
            raise ValueError("ratios are between 0 and 1")
        if self.batch_size < 1:
            raise ValueError("the batch size is at least 1")


@dataclass(slots=True)
class _ActorRef:
    id: int
    name: str
    hangul: str = ""


@dataclass(slots=True)
class _MembershipRef:
    id: int
    person: _ActorRef
    organisation: _ActorRef
    role: str
    start: PartialDate


@dataclass(slots=True)
class _EventRef:
    id: int
    title: str
    place: str
    start: PartialDate
    participants: list  # (participant id, _ActorRef, role label)


@dataclass(slots=True)
class _Span:
    """A stretch of a report's text that names something; ``target`` is a ref or a pending Report."""

    start: int
    end: int
    text: str
    field: str
    target: object


def synthetic_exists() -> bool:
    """Whether synthetic records are already stored (their slugs all start with ``syn-``)."""
    return (
        Report.objects.filter(slug__startswith=SLUG_PREFIX).exists()
        or Actor.objects.filter(slug__startswith=SLUG_PREFIX).exists()
    )


def synthetic_generate(*, options: SyntheticOptions, log: Callable[[str], None] = lambda message: None) -> dict:
    """Write a synthetic knowledge base in one transaction and return the number of rows of each kind.

    Refuses (ValueError) when synthetic records are already stored: a second
    run would only collide on slugs, and a benchmark database should hold one
    corpus of one known size.
    """
    if synthetic_exists():
        raise ValueError(
            f"synthetic records ({SLUG_PREFIX}*) are already stored; use a fresh database for another corpus"
        )
    with transaction.atomic():
        return _Generator(options, log).run()


class _Generator:
    """One run: holds the seeded random source and the small references later stages need."""

    def __init__(self, options: SyntheticOptions, log: Callable[[str], None]):
        self.options = options
        self.log = log
        self.random = random.Random(options.seed)
        self.counts: collections.Counter = collections.Counter()
        self.curated: list = []
        self.started = time.monotonic()

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _write(self, model: type[models.Model], objects: list) -> list:
        if objects:
            model.objects.bulk_create(objects, batch_size=self.options.batch_size)
            self.counts[model._meta.label] += len(objects)
            if issubclass(model, CuratedModel):
                self.curated += objects
        return objects

    @contextlib.contextmanager
    def _deferred_search(self, model: type[models.Model], new_rows: int):
        with deferred_search(model._meta.db_table) as search:
            search.expect(new_rows)
            yield
        if search.fill_seconds is not None:
            rebuilt = "" if search.rebuild_seconds is None else f", index rebuilt in {search.rebuild_seconds:.1f} s"
            self.log(f"{model._meta.db_table}: documents computed in {search.fill_seconds:.1f} s{rebuilt}")

    def _curated(self) -> dict:
        """Status, restriction and timestamps for one curated record."""
        draw = self.random.random
        created = _EPOCH_END - datetime.timedelta(seconds=int(draw() * _CREATED_SPAN_DAYS * 86400))
        # Most records are edited a little after creation, some much later: modified_since has a real spread.
        modified = created + (_EPOCH_END - created) * (draw() ** 3)
        return {
            "status": Status.DRAFT if draw() < self.options.draft_ratio else Status.PUBLISHED,
            "restricted": draw() < self.options.restricted_ratio,
            "created": created,
            "modified": modified,
        }

    def _partial_date(self, first_year: int, last_year: int, weights=(15, 25, 60)) -> PartialDate:
        """A date known to the year, the month or the day, in the proportions sources give them."""
        year = self.random.randint(first_year, last_year)
        precision = self.random.choices(("year", "month", "day"), weights=weights)[0]
        if precision == "year":
            return PartialDate(year)
        month = self.random.randint(1, 12)
        if precision == "month":
            return PartialDate(year, month)
        return PartialDate(year, month, self.random.randint(1, 28))

    def _slots(self) -> dict:
        choice = self.random.choice
        return {
            "n": choice(_NOUNS),
            "n2": choice(_NOUNS),
            "n3": choice(_NOUNS),
            "a": choice(_ADJECTIVES),
            "a2": choice(_ADJECTIVES),
            "v": choice(_VERBS),
            "p": choice(_PLACES)[0],
        }

    def _filler(self) -> str:
        sentence = self.random.choice(_FILLER).format(**self._slots())
        return sentence[0].upper() + sentence[1:]

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.log(f"{stage}: {done:,}/{total:,} ({done * 100 // total}%) after {time.monotonic() - self.started:.1f} s")
        # With DEBUG on, Django keeps every query's SQL; report texts would make that huge.
        reset_queries()

    # --- stages ----------------------------------------------------------------------------------------------------

    def run(self) -> dict:
        self._topics()
        # Each table's search documents are computed once, at the end, and its RUM index is dropped while the
        # generator writes and built again after (hrkb.search.bulk). Row by row, every mention written re-indexed
        # its report, and every later update (marks, restored times) re-indexed every report in full again:
        # a 100,000-report corpus took hours on PostgreSQL.
        options = self.options
        with (
            self._deferred_search(Actor, options.people + options.organisations),
            self._deferred_search(Event, options.events),
            self._deferred_search(Quote, options.reports),  # about one a report
            # Innermost, so that while the generator writes, the reports' documents are the ones left for the end.
            self._deferred_search(Report, options.reports),
        ):
            self._organisations()
            self._people()
            self._memberships()
            self._events()
            self._reports()
            self._mark_unsourced()
            # Rows written after their records moved the records' modified (hrkb/changelog.py): the drawn times back.
            changelog.restore_modified(self.curated)
        self.log(f"done after {time.monotonic() - self.started:.1f} s")
        return dict(sorted(self.counts.items()))

    def _mark_unsourced(self) -> None:
        """Meet the publish rule (hrkb.sourcing) as curated data must: what no generated passage supports is
        marked unsourced (descriptions: the generator's own summary), so every fact is cited or marked."""
        reason = "Synthetic benchmark data: no source states it."
        for model in (Actor, Membership, Report, Quote, Event, Participant):
            key = "event__slug__startswith" if model is Participant else "slug__startswith"
            marked = waive_unsourced(model._base_manager.filter(**{key: SLUG_PREFIX}), reason=reason)
            self.log(f"{model._meta.verbose_name_plural}: {marked} marked unsourced")

    def _topics(self) -> None:
        """Reuse the UDHR topics when the fixtures are loaded; otherwise add themes."""
        ids = list(
            Topic.objects.filter(kind=TopicKind.UDHR_ARTICLE).order_by("udhr_article").values_list("id", flat=True)
        )
        if not ids:
            taken = set(Topic.objects.filter(name__in=_THEMES).values_list("name", flat=True))
            themes = [
                Topic(slug=f"{SLUG_PREFIX}topic-{slugify(name)}", name=name, kind=TopicKind.THEME, **self._curated())
                for name in _THEMES
                if name not in taken
            ]
            self._write(Topic, themes)
            ids = list(Topic.objects.filter(kind=TopicKind.THEME).values_list("id", flat=True))
        self.topic_ids = ids
        # A few topics carry most reports, as in any real catalogue.
        self.topic_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(ids))))

    def _organisation_name(self, kind: str) -> str:
        choice = self.random.choice
        cause, country, place = choice(_CAUSES), choice(_COUNTRIES), choice(_PLACES)[0]
        patterns = {
            OrganisationKind.NGO: [
                f"{country} Human Rights Watch",
                f"Committee for {cause}",
                f"{place} Justice Network",
            ],
            OrganisationKind.COALITION: [
                f"International Coalition on {cause}",
                f"Alliance against {cause} in {country}",
            ],
            OrganisationKind.UN_BODY: [f"UN Commission of Inquiry on {country}", f"Special Rapporteur on {cause}"],
            OrganisationKind.INTERGOVERNMENTAL: [f"{place} Regional Forum", f"Intergovernmental Panel on {cause}"],
            OrganisationKind.COURT: [f"Supreme Court of {country}", f"{place} Tribunal"],
            OrganisationKind.PARLIAMENT: [f"National Assembly of {country}", f"{place} Parliament"],
            OrganisationKind.PARLIAMENTARY_GROUP: [f"All-Party Group on {country}"],
            OrganisationKind.GOVERNMENT: [f"Ministry of Foreign Affairs of {country}", f"Government of {country}"],
            OrganisationKind.PARTY: [f"{place} Democratic Party", f"People's Party of {country}"],
            OrganisationKind.MEDIA: [f"{place} Daily", f"{country} Today", f"Radio Free {country}"],
            OrganisationKind.RELIGIOUS: [f"{place} Council of Churches", f"Buddhist Association of {country}"],
            OrganisationKind.ACADEMIC: [f"University of {place}", f"{place} Institute for {cause}"],
        }
        return choice(patterns.get(kind, [f"{place} Centre for {cause}"]))

    def _actor(self, index: int, code: str, name: str, kind: str, **fields) -> Actor:
        return Actor(slug=f"{SLUG_PREFIX}{slugify(name)[:80]}-{code}{index}", name=name, kind=kind, **fields)

    def _organisations(self) -> None:
        """Root organisations first, then children whose parent is one of them (OHCHR and its Seoul office)."""
        total = self.options.organisations
        roots = max(1, total * 3 // 4)
        kinds = [kind for kind in OrganisationKind.values if kind != OrganisationKind.STATE]
        self.organisations: list[_ActorRef] = []
        aliases = []
        for first, last, with_parent in ((0, roots, False), (roots, total, True)):
            batch = []
            for index in range(first, last):
                kind = self.random.choice(kinds)
                name = self._organisation_name(kind)
                parent = self.random.choice(self.organisations[:roots]) if with_parent else None
                if parent:
                    name = f"{parent.name}, {self.random.choice(_PLACES)[0]} Office"
                batch.append(
                    self._actor(
                        index,
                        "o",
                        name,
                        ActorKind.ORGANISATION,
                        organisation_kind=kind,
                        parent_id=parent.id if parent else None,
                        description=f"A synthetic {OrganisationKind(kind).label} on {self.random.choice(_CAUSES)}.",
                        wikidata_id=f"Q{90_000_000 + index}" if self.random.random() < 0.3 else "",
                        **self._curated(),
                    )
                )
            for actor in self._write(Actor, batch):
                self.organisations.append(_ActorRef(actor.pk, actor.name))
                initials = "".join(word[0] for word in actor.name.replace(",", "").split() if word[0].isupper())
                if len(initials) > 1 and self.random.random() < 0.5:
                    aliases.append(Alias(actor_id=actor.pk, name=initials, kind=AliasKind.ABBREVIATION, language="en"))
        self._write(Alias, aliases)
        self._progress("organisations", total, total)

    def _person_name(self) -> tuple[str, str, list[tuple[str, str, str]]]:
        """A display name, its Hangul (Korean names only) and its aliases as (name, kind, language)."""
        choice, draw = self.random.choice, self.random.random
        if draw() < 0.4:
            family, family_hangul = choice(_KOREAN_FAMILY)
            (first, first_hangul), (second, second_hangul) = choice(_KOREAN_GIVEN), choice(_KOREAN_GIVEN)
            name = f"{family} {first.capitalize()}-{second}"
            hangul = family_hangul + first_hangul + second_hangul
            aliases = [
                (hangul, AliasKind.NATIVE, "ko"),
                (f"{family} {first.capitalize()} {second.capitalize()}", AliasKind.ROMANISATION, "ko-Latn"),
            ]
            return name, hangul, aliases
        family = choice(_FAMILY) if draw() < 0.6 else "".join(choice(_SYLLABLES) for _ in range(3)).capitalize()
        name = f"{choice(_GIVEN)} {family}"
        aliases = [(f"Dr {name}", AliasKind.TITLE, "en")] if draw() < 0.1 else []
        return name, "", aliases

    def _people(self) -> None:
        total, size = self.options.people, self.options.batch_size
        self.people: list[_ActorRef] = []
        for first in range(0, total, size):
            batch, pending = [], []
            for index in range(first, min(first + size, total)):
                name, hangul, aliases = self._person_name()
                description = f"A synthetic person who works on {self.random.choice(_CAUSES)}."
                batch.append(
                    self._actor(index, "p", name, ActorKind.PERSON, description=description, **self._curated())
                )
                pending.append((hangul, aliases))
            alias_rows = []
            for actor, (hangul, aliases) in zip(self._write(Actor, batch), pending, strict=True):
                self.people.append(_ActorRef(actor.pk, actor.name, hangul))
                alias_rows += [Alias(actor_id=actor.pk, name=n, kind=k, language=lang) for n, k, lang in aliases]
            self._write(Alias, alias_rows)
            self._progress("people", len(self.people), total)
        self.actors = self.people + self.organisations
        # Fame is skewed: a few actors are named in many reports, most in a handful.
        self.actor_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(self.actors))))

    def _memberships(self) -> None:
        total, size = self.options.people * 3 // 2, self.options.batch_size
        self.memberships: list[_MembershipRef] = []
        for first in range(0, total, size):
            batch, refs = [], []
            for index in range(first, min(first + size, total)):
                person, organisation = self.random.choice(self.people), self.random.choice(self.organisations)
                role = self.random.choice(_ROLES)
                start = self._partial_date(1990, 2024, weights=(40, 35, 25))
                end = None
                if self.random.random() < 0.5:
                    end = self._partial_date(start.year + 1, start.year + 8, weights=(40, 35, 25))
                batch.append(
                    Membership(
                        slug=f"{SLUG_PREFIX}membership-{index}",
                        person_id=person.id,
                        organisation_id=organisation.id,
                        role=role,
                        start=start,
                        end=end,
                        **self._curated(),
                    )
                )
                refs.append((person, organisation, role, start))
            for membership, ref in zip(self._write(Membership, batch), refs, strict=True):
                self.memberships.append(_MembershipRef(membership.pk, *ref))
            self._progress("memberships", len(self.memberships), total)

    def _events(self) -> None:
        total, size = self.options.events, self.options.batch_size
        choice = self.random.choice
        self.events: list[_EventRef] = []
        kinds = EventKind.values
        for first in range(0, total, size):
            batch, pending = [], []
            for index in range(first, min(first + size, total)):
                kind = choice(kinds)
                place, country = choice(_PLACES)
                title = f"{EventKind(kind).label.capitalize()} on {choice(_CAUSES)} in {place}"
                start = self._partial_date(1995, 2025, weights=(10, 30, 60))
                end = None
                if start.day and self.random.random() < 0.3:
                    end = PartialDate.from_date(start.earliest + datetime.timedelta(days=self.random.randint(1, 4)))
                batch.append(
                    Event(
                        slug=f"{SLUG_PREFIX}{slugify(title)[:80]}-e{index}",
                        title=title,
                        kind=kind,
                        start=start,
                        end=end,
                        place=place,
                        country=country,
                        description=" ".join(self._filler() for _ in range(2)),
                        **self._curated(),
                    )
                )
                actors = self.random.sample(self.actors, self.random.randint(1, min(5, len(self.actors))))
                roles = [choice(ParticipantRole.values) for _ in actors]
                topics = self.random.sample(self.topic_ids, self.random.randint(0, min(2, len(self.topic_ids))))
                pending.append((actors, roles, topics))
            participants, topic_rows, refs = [], [], []
            for event, (actors, roles, topics) in zip(self._write(Event, batch), pending, strict=True):
                rows = [
                    Participant(event_id=event.pk, actor_id=a.id, role=r) for a, r in zip(actors, roles, strict=True)
                ]
                participants += rows
                refs.append((event, rows, actors))
                topic_rows += [Event.topics.through(event_id=event.pk, topic_id=topic) for topic in topics]
            self._write(Participant, participants)
            self._write(Event.topics.through, topic_rows)
            for event, rows, actors in refs:
                people = [
                    (row.pk, actor, ParticipantRole(row.role).label) for row, actor in zip(rows, actors, strict=True)
                ]
                self.events.append(_EventRef(event.pk, event.title, event.place, event.start, people))
            self._progress("events", len(self.events), total)

    # --- reports ---------------------------------------------------------------------------------------------------

    def _reports(self) -> None:
        total, size = self.options.reports, self.options.batch_size
        # Recent reports other reports may cite by title: (title, Report), its pk known once written.
        self.citable: collections.deque = collections.deque(maxlen=200)
        for first in range(0, total, size):
            drafts = [self._report(index) for index in range(first, min(first + size, total))]
            self._write(Report, [draft[0] for draft in drafts])
            self._report_children(drafts)
            self._progress("reports", min(first + size, total), total)

    def _report(self, index: int) -> tuple:
        """One unsaved report and what hangs off it, with every span at its offset in the text."""
        choice, randint, draw = self.random.choice, self.random.randint, self.random.random
        kind = self.random.choices([k for k, _ in _REPORT_KINDS], weights=[w for _, w in _REPORT_KINDS])[0]
        cause, country = choice(_CAUSES), choice(_COUNTRIES)
        title = choice(
            [
                f"{country}: {cause} and the {choice(_ADJECTIVES)} {choice(_NOUNS)}",
                f"{cause} in {country}",
                f"A {choice(_ADJECTIVES).capitalize()} Record: {cause} in {country}",
                f"{country}: Voices of {choice(_NOUNS).capitalize()}",
            ]
        )
        title = f"{title} ({index + 1})"  # Numbered, as reports in a series are, so titles are unique.
        published = self._partial_date(1998, 2025, weights=(10, 20, 70))
        publishers = self.random.sample(self.organisations, 1 if draw() < 0.8 else 2)

        parts: list[str] = []
        spans: list[_Span] = []
        citations: list[tuple] = []  # (model, subject id, start, end, claim)
        events: set[int] = set()
        references: list[Report] = []
        quotes: list[tuple] = []  # (speaker id, start, end, occasion)
        position = words = 0

        def add(text: str) -> int:
            nonlocal position, words
            parts.append(text)
            words += text.count(" ")
            start, position = position, position + len(text)
            return start

        def name(actor: _ActorRef) -> None:
            spans.append(_Span(add(actor.name), position, actor.name, "actor_id", actor.id))
            if actor.hangul and draw() < 0.5:
                add(" (")
                spans.append(_Span(add(actor.hangul), position, actor.hangul, "actor_id", actor.id))
                add(")")

        publisher = publishers[0]
        sentence_start = add(f"This {ReportKind(kind).label} was published by ")
        name(publisher)
        add(f" {'on' if published.day else 'in'} {published.display()}.")
        citations.append((ReportCitation, None, sentence_start, position, "published"))

        target_words = randint(300, 1000)
        while words < target_words:
            add("\n\n")
            for sentence in range(randint(4, 8)):
                if sentence:
                    add(" ")
                roll = draw()
                before = position
                if roll < 0.79:
                    add(self._filler())
                elif roll < 0.91:
                    prefix, suffix = choice(_NAMING)
                    slots = self._slots()
                    add(prefix.format(**slots))
                    name(self.actors[self.random.choices(range(len(self.actors)), cum_weights=self.actor_weights)[0]])
                    add(suffix.format(**slots))
                elif roll < 0.94:
                    membership = choice(self.memberships)
                    name(membership.person)
                    add(f" served as {membership.role} of ")
                    name(membership.organisation)
                    add(f" from {membership.start.display()}.")
                    citations.append((MembershipCitation, membership.id, before, position, "role"))
                elif roll < 0.97:
                    event = choice(self.events)
                    spans.append(_Span(add(event.title), position, event.title, "event_id", event.id))
                    day = "on" if event.start.day else "in"
                    add(f" took place in {event.place} {day} {event.start.display()}.")
                    citations.append((EventCitation, event.id, before, position, "start"))
                    events.add(event.id)
                    participant_id, actor, role = choice(event.participants)
                    add(" ")
                    before = position
                    name(actor)
                    add(f" took part as {role.lower()}.")
                    citations.append((ParticipantCitation, participant_id, before, position, "role"))
                elif roll < 0.985:
                    speaker, (introduction, occasion) = choice(self.people), choice(_OCCASIONS)
                    name(speaker)
                    add(f" said{introduction}: \u201c")
                    quotes.append((speaker.id, add(self._filler()), position, occasion.format(**self._slots())))
                    add("\u201d")
                elif self.citable:
                    cited_title, cited = choice(self.citable)
                    add("As documented in ")
                    spans.append(_Span(add(cited_title), position, cited_title, "mentioned_report_id", cited))
                    add(f", the {choice(_ADJECTIVES)} {choice(_NOUNS)} continued.")
                    if cited not in references:
                        references.append(cited)
                else:
                    add(self._filler())
        text = "".join(parts)

        un_symbol = f"A/HRC/{10 + index % 50}/{index + 1}" if kind == ReportKind.UN_DOCUMENT else ""
        report = Report(
            slug=f"{SLUG_PREFIX}{slugify(title)[:80]}-r{index}",
            title=title,
            subtitle=f"{choice(_ADJECTIVES).capitalize()} {choice(_NOUNS)} in {country}" if draw() < 0.3 else "",
            aliases=f"{cause} Report {index + 1}" if draw() < 0.1 else "",
            kind=kind,
            published=published,
            language="en",
            summary=" ".join(self._filler() for _ in range(2)),
            url=f"https://reports.example.org/{SLUG_PREFIX}{index}",
            un_symbol=un_symbol,
            text=text,
            **self._curated(),
        )
        self.citable.append((title, report))
        authors = []
        for _ in range(randint(1, 3)):
            if draw() < 0.8:
                authors.append({"person_id": choice(self.people).id})
            else:
                organisation = choice(self.organisations)
                byline = f"{organisation.name}'s {choice(_REGIONS)} Desk Officer"
                authors.append({"organisation_id": organisation.id, "byline": byline[:300]})
        topics = set(self.random.choices(self.topic_ids, cum_weights=self.topic_weights, k=randint(1, 3)))
        return report, publishers, authors, topics, spans, citations, events, references, quotes

    def _report_children(self, drafts: list[tuple]) -> None:
        rows: dict[type[models.Model], list] = collections.defaultdict(list)
        quoted: list[tuple] = []  # (unsaved Quote, its source's id, start, end)
        for report, publishers, authors, topics, spans, citations, events, references, quotes in drafts:
            text, report_id = report.text, report.pk
            for number, (speaker_id, start, end, occasion) in enumerate(quotes, 1):
                quote = Quote(
                    slug=f"{report.slug}-q{number}",
                    speaker_id=speaker_id,
                    text=text[start:end],
                    said=self._partial_date(report.published.year - 1, report.published.year),
                    occasion=occasion,
                    source_id=report_id,
                    language="en",
                    **self._curated(),
                )
                quoted.append((quote, report_id, start, end))
            rows[Report.publishers.through] += [
                Report.publishers.through(report_id=report_id, organisation_id=o.id) for o in publishers
            ]
            rows[Report.topics.through] += [Report.topics.through(report_id=report_id, topic_id=t) for t in topics]
            rows[Report.references.through] += [
                Report.references.through(from_report_id=report_id, to_report_id=cited.pk) for cited in references
            ]
            rows[Event.related_reports.through] += [
                Event.related_reports.through(event_id=event_id, report_id=report_id) for event_id in events
            ]
            rows[Authorship] += [
                Authorship(report_id=report_id, position=position, **author)
                for position, author in enumerate(authors, 1)
            ]
            for span in spans:
                target = span.target.pk if span.field == "mentioned_report_id" else span.target
                rows[Mention] += [
                    Mention(
                        report_id=report_id,
                        start=span.start,
                        end=span.end,
                        text=span.text,
                        origin=MentionOrigin.LINKED,
                        **{span.field: target},
                    )
                ]
            for model, subject_id, start, end, claim in citations:
                rows[model].append(
                    model(
                        subject_id=report_id if subject_id is None else subject_id,
                        source_id=report_id,
                        passage=text[start:end],
                        start=start,
                        end=end,
                        claim=claim,
                        confidence=Confidence.HIGH,
                    )
                )
        for model, objects in rows.items():
            self._write(model, objects)
        # Quote citations need the quotes' ids: the quotes go in first.
        self._write(Quote, [quote for quote, *_ in quoted])
        self._write(
            QuoteCitation,
            [
                QuoteCitation(
                    subject_id=quote.pk, source_id=source_id, passage=quote.text, start=start, end=end, claim="text"
                )
                for quote, source_id, start, end in quoted
            ],
        )
