"""The queries behind the dossiers: a person, an organisation, a report or an event, whole on one page.

Each ``*_dossier`` function returns a plain dictionary for the template. The
number of queries is fixed whatever the record's size: relations are
prefetched, long sections (an actor named in thousands of reports) are counted
in one query and shown a page at a time, and passages are cut out of their
source texts in the database (:func:`hrkb.research.passages.context`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Length
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html

from actors.choices import ActorKind
from actors.models import Actor, Alias, Membership, Organisation, Person
from events.models import Event, Participant
from hrkb.models import Confidence, Rank, SlugRedirect
from hrkb.routes import url_for
from hrkb.scale import any_of
from reports.models import Authorship, Quote, Report
from sources.models import Mention

from .passages import CONTEXT, MENTION_CONTEXT, context, in_context
from .records import badges, citation_anchor, citation_kinds, mention_anchor, text_url

#: Rows a long section shows at a time; the rest is a page away.
PAGE = 50
#: Reports shown per page in "mentioned in", and passages shown per report.
MENTION_REPORTS = 20
MENTION_PASSAGES = 3
#: History entries shown at the foot of a dossier.
HISTORY = 10
#: Other citations of one claim listed under its best one; the rest are on the fact's own page.
OTHERS_SHOWN = 10

RANK_ORDER = {Rank.PREFERRED: 0, Rank.NORMAL: 1, Rank.DEPRECATED: 2}
CONFIDENCE_ORDER = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2, "": 3}
SOURCE_FIELDS = ("source__slug", "source__title", "source__status", "source__restricted", "source__kind")


class Moved(Exception):
    """The slug is an old one (renamed or merged), or names a record of the other actor kind."""

    def __init__(self, url: str):
        self.url = url


# --- Citations and claims --------------------------------------------------------------------------------------------


def citations(kind: str):
    """A citation table's rows with their source's summary and the passage's context, never the whole text."""
    model = citation_kinds()[kind].model
    return (
        model.objects.select_related("source")
        .only(
            "id",
            "subject_id",
            "source",
            "passage",
            "start",
            "end",
            "confidence",
            "claim",
            "value",
            "rank",
            "rank_reason",
            *SOURCE_FIELDS,
        )
        .annotate(**context("source__text"), source_length=Length("source__text"))
        .order_by("source__title", "start")
    )


@dataclass
class Cited:
    """One citation as a dossier shows it: passage in context, a link into the source viewer."""

    kind: str
    citation: object

    @property
    def anchor(self) -> str:
        return citation_anchor(self.kind, self.citation.pk)

    @property
    def html(self):
        c = self.citation
        return in_context(c.before, c.passage, c.after, width=CONTEXT)

    @property
    def text_stored(self) -> bool:
        return bool(getattr(self.citation, "source_length", 0))

    @property
    def text_url(self) -> str:
        return text_url(self.citation.source.slug, self.anchor)

    @property
    def change_url(self) -> str:
        return url_for(f"admin:{citation_kinds()[self.kind].admin_name}_change", self.citation.pk)

    @property
    def confidence(self) -> str:
        # Missing confidence counts as low (WhoWasInCommand's rule).
        return self.citation.confidence or Confidence.LOW

    def sort_key(self):
        c = self.citation
        return (RANK_ORDER.get(c.rank, 1), CONFIDENCE_ORDER.get(c.confidence, 3), c.source.title, c.start or 0)

    @property
    def item(self):
        """The citation as a list item: confidence marker, rank, the value it gives, passage, source, edit link.

        Built here rather than by a template include: a dossier shows hundreds of them.
        """
        c, source, confidence = self.citation, self.citation.source, self.confidence
        if self.text_stored:
            where = format_html('<a href="{}" class="open-passage">{}</a>', self.text_url, source.title)
        else:
            where = format_html('{} <span class="badge badge-muted">text not stored</span>', source.title)
        return format_html(
            '<li class="cited rank-{} confidence-{}" id="{}"><span class="marker confidence-{}" title="{} confidence">'
            "{}</span>{}{} "
            '<q class="passage-in-context">{}</q> <span class="cited-source">— {}{} · '
            '<a href="{}" class="quiet">edit</a></span>{}</li>',
            c.rank,
            confidence,
            self.anchor,
            confidence,
            confidence,
            confidence[:1].upper(),
            format_html(' <span class="rank rank-{}">{}</span>', c.rank, c.rank) if c.rank != Rank.NORMAL else "",
            format_html(' <span class="claim-value">says “{}”</span>', c.value) if c.value else "",
            self.html,
            where,
            badges(source, status=source.status, restricted=source.restricted),
            self.change_url,
            format_html('<div class="rank-reason">Reason: {}</div>', c.rank_reason) if c.rank_reason else "",
        )


@dataclass
class ClaimGroup:
    """The citations of one fact that speak to the same claim (its date, its role…), best first."""

    claim: str
    cited: list[Cited]
    kind: str = ""

    @property
    def best(self) -> Cited:
        return self.cited[0]

    @property
    def others(self) -> list[Cited]:
        return self.cited[1:]

    @property
    def others_shown(self) -> list[Cited]:
        """The other claims a dossier lists (every one counts; a fact's own page lists them all)."""
        return self.others[:OTHERS_SHOWN]

    @property
    def others_unshown(self) -> int:
        return max(0, len(self.others) - OTHERS_SHOWN)

    @property
    def values(self) -> list[str]:
        return sorted({c.citation.value for c in self.cited})

    @property
    def competing(self) -> bool:
        """Sources giving different values for one of the fact's fields (a blank value agrees with the stored one)."""
        return len(self.values) > 1 and (not self.kind or self.claim in citation_kinds()[self.kind].value_claims)

    @property
    def has_preferred(self) -> bool:
        return any(c.citation.rank == Rank.PREFERRED for c in self.cited)


def group_claims(kind: str, rows) -> list[ClaimGroup]:
    groups: dict[str, list[Cited]] = defaultdict(list)
    for row in rows:
        groups[row.claim].append(Cited(kind, row))
    result = [ClaimGroup(claim, sorted(cited, key=Cited.sort_key), kind) for claim, cited in groups.items()]
    # Competing claims first: they are what a reader must not miss.
    return sorted(result, key=lambda group: (not group.competing, group.claim))


@dataclass
class Fact:
    """A fact of the record (a role, a part in an event, a date) with its claims."""

    record: object
    kind: str
    claims: list[ClaimGroup] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.record.pk}"

    @property
    def unsourced(self) -> bool:
        return not self.claims

    @property
    def citation_count(self) -> int:
        return sum(len(group.cited) for group in self.claims)

    @property
    def confidence(self) -> str:
        """The best confidence any of its preferred-or-normal citations gives; none when unsourced."""
        ranked = [c for group in self.claims for c in group.cited if c.citation.rank != Rank.DEPRECATED]
        if not ranked:
            return "none"
        return min((c.confidence for c in ranked), key=lambda value: CONFIDENCE_ORDER.get(value, 3))

    @property
    def competing(self) -> bool:
        return any(group.competing for group in self.claims)


def facts(kind: str, records) -> list[Fact]:
    """Facts for ``records`` whose citations were prefetched ``to_attr="cited"``."""
    return [Fact(record, kind, group_claims(kind, record.cited)) for record in records]


def cited_prefetch(kind: str) -> Prefetch:
    return Prefetch("citations", citations(kind), to_attr="cited")


# --- Pages of a long section -----------------------------------------------------------------------------------------


@dataclass
class Section:
    """A page of one of a dossier's sections, with the total it is a page of."""

    name: str
    total: int
    rows: list
    page: int = 1
    size: int = PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.size)


def page_number(request, name: str) -> int:
    try:
        return max(1, int(request.GET.get(f"{name}_page", 1)))
    except ValueError:
        return 1


def section(request, name: str, queryset, *, size: int = PAGE, count=None) -> Section:
    page = page_number(request, name)
    total = queryset.count() if count is None else count
    page = min(page, max(1, -(-total // size)))
    rows = list(queryset[(page - 1) * size : page * size]) if total else []
    return Section(name, total, rows, page, size)


# --- Mentions --------------------------------------------------------------------------------------------------------


@dataclass
class MentionedIn:
    """A report that names the record, with the first passages that do."""

    report: Report
    count: int
    passages: list

    @property
    def more(self) -> int:
        return self.count - len(self.passages)


def mentions_section(request, mentions, name: str = "mentions") -> tuple[dict, Section]:
    """Where ``mentions`` (of one record) are: counts, then a page of reports, latest added first, with passages."""
    # COUNT(*), not COUNT(id): both totals then read only the (actor, report) index, never the table's
    # rows (33,000 mentions of the busiest person: 5 ms instead of 250).
    totals = mentions.aggregate(passages=Count("*"), sources=Count("report", distinct=True))
    # Most recently added reports first: that order is the (actor, report) index's, so a page of an
    # actor named in 20,000 reports reads twenty groups, not all of them.
    per_report = mentions.values("report").annotate(count=Count("*")).order_by("-report")
    page = section(request, name, per_report, size=MENTION_REPORTS, count=totals["sources"])
    ids = [row["report"] for row in page.rows]
    reports = _report_rows(Report.objects.all()).in_bulk(ids)
    passages = defaultdict(list)
    rows = (
        mentions.filter(report_id__in=ids)
        .only("id", "report_id", "start", "end", "text", "origin")
        .annotate(**context("report__text", width=MENTION_CONTEXT))
        .order_by("report_id", "start")
    )
    for mention in rows:
        if len(passages[mention.report_id]) < MENTION_PASSAGES:
            mention.html = in_context(mention.before, mention.text, mention.after, width=MENTION_CONTEXT)
            mention.text_url = text_url(reports[mention.report_id].slug, mention_anchor(mention.pk))
            passages[mention.report_id].append(mention)
    page.rows = [MentionedIn(reports[row["report"]], row["count"], passages[row["report"]]) for row in page.rows]
    return totals, page


# --- History ---------------------------------------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    date: object
    user: object
    type: str  # "+", "~", "-"
    changes: list = field(default_factory=list)
    reason: str = ""
    compared: bool = True  # False when no earlier version was recorded to compare with

    @property
    def label(self) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}.get(self.type, self.type)


def _shown(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 140 else f"{text[:139]}…"


def _linked(field_, rows) -> str:
    """Many-to-many values as history keeps them (through rows) shown as the names of the linked records."""
    target = field_.m2m_reverse_field_name()
    ids = [row[target] for row in rows or ()]
    names = sorted(str(record) for record in field_.related_model._base_manager.filter(pk__in=ids))
    return _shown(", ".join(names))


def history(record, *, limit: int = HISTORY) -> list[HistoryEntry]:
    """The latest changes of ``record``, each with who made it and every field's old and new value."""
    model = record._meta.concrete_model
    rows = list(
        model.history.filter(id=record.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for newer, older in zip(rows, [*rows[1:], None], strict=False):
        if len(entries) == limit:
            break
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older, excluded_fields=["modified", "created"])
            fields = {f.name: f for f in model._meta.get_fields()}
            for change in delta.changes:
                field_ = fields.get(change.field)
                label = getattr(field_, "verbose_name", change.field)
                if getattr(field_, "many_to_many", False):
                    changes.append((label, _linked(field_, change.old), _linked(field_, change.new)))
                else:
                    changes.append((label, _shown(change.old), _shown(change.new)))
        entries.append(
            HistoryEntry(
                newer.history_date,
                newer.history_user,
                newer.history_type,
                changes,
                newer.history_change_reason or "",
                compared=older is not None or newer.history_type != "~",
            )
        )
    return entries


def history_url(record) -> str:
    opts = record._meta
    model_name = opts.model_name
    return reverse(f"admin:{opts.app_label}_{model_name}_history", args=[record.pk])


def change_url(record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


# --- Looking records up ----------------------------------------------------------------------------------------------


def _get(model, queryset, slug: str, url_name: str):
    record = queryset.filter(slug=slug).first()
    if record is not None:
        return record
    new_slug = SlugRedirect.objects.resolve(model, slug)
    if new_slug:
        raise Moved(reverse(url_name, args=[new_slug]))
    raise Http404(f"No {model._meta.verbose_name} has the slug {slug!r}.")


def _actor(slug: str, kind: str):
    model = Person if kind == ActorKind.PERSON else Organisation
    url_name = "admin:research_person" if kind == ActorKind.PERSON else "admin:research_organisation"
    aliases = Prefetch("aliases", Alias.objects.order_by("kind", "name"))
    found = Actor.objects.filter(slug=slug).only("kind").first()
    if found is not None and found.kind != kind:
        other = "admin:research_organisation" if kind == ActorKind.PERSON else "admin:research_person"
        raise Moved(reverse(other, args=[slug]))
    return _get(model, model.objects.select_related("parent").prefetch_related(aliases), slug, url_name)


def duplicates(actor) -> list[Actor]:
    """Other actors of the same kind that go by one of this actor's names: candidates for a merge."""
    names = {actor.name.casefold(), *(alias.name.casefold() for alias in actor.aliases.all())}
    named, aliased = Q(), Q()
    for name in names:
        named |= Q(name__iexact=name)
        aliased |= Q(name__iexact=name)
    # One IN over a union: each side reads its name index; an OR across the alias join reads every actor.
    same_name = any_of(Actor.objects.filter(named).values("pk"), Alias.objects.filter(aliased).values("actor_id"))
    return list(
        Actor.objects.filter(pk__in=same_name, kind=actor.kind)
        .exclude(pk=actor.pk)
        .only("slug", "name", "kind", "status", "restricted")
        .order_by("name")[:20]
    )


# --- The four dossiers -----------------------------------------------------------------------------------------------


def _events_section(request, participations):
    queryset = (
        participations.select_related("event")
        .only(
            "id",
            "role",
            "role_title",
            "rank",
            "rank_reason",
            "event__slug",
            "event__title",
            "event__kind",
            "event__start",
            "event__start_precision",
            "event__end",
            "event__end_precision",
            "event__status",
            "event__restricted",
            "actor_id",
            "event_id",
        )
        .prefetch_related(cited_prefetch("participant"))
        .order_by(F("event__start").asc(nulls_last=True), "event__title", "id")
    )
    page = section(request, "events", queryset)
    page.rows = facts("participant", page.rows)
    return page


def _quotes_section(request, person):
    queryset = (
        Quote.objects.filter(speaker=person)
        .select_related("source")
        .only(
            "id",
            "slug",
            "text",
            "said",
            "said_precision",
            "occasion",
            "status",
            "restricted",
            "speaker_id",
            "source__slug",
            "source__title",
            "source__status",
            "source__restricted",
        )
        .prefetch_related(cited_prefetch("quote"))
        .order_by(F("said").asc(nulls_last=True), "id")
    )
    page = section(request, "quotes", queryset)
    page.rows = facts("quote", page.rows)
    return page


def _report_rows(queryset):
    return queryset.only("slug", "title", "kind", "published", "published_precision", "status", "restricted")


def person_dossier(request, slug: str) -> dict:
    person = _actor(slug, ActorKind.PERSON)
    memberships = list(
        Membership.objects.filter(person=person)
        .select_related("organisation")
        .prefetch_related(cited_prefetch("membership"))
        .order_by(F("start").asc(nulls_last=True), "organisation__name", "id")
    )
    authored = section(
        request,
        "authored",
        _report_rows(Report.objects.filter(authorships__person=person)).order_by(
            F("published").desc(nulls_last=True), "title"
        ),
    )
    totals, mentioned = mentions_section(request, Mention.objects.filter(actor=person))
    return {
        "record": person,
        "kind": "person",
        "roles": facts("membership", memberships),
        "events": _events_section(request, Participant.objects.filter(actor=person)),
        "authored": authored,
        "quotes": _quotes_section(request, person),
        "mention_totals": totals,
        "mentioned": mentioned,
        "history": history(person),
        "duplicates": duplicates(person),
    }


def organisation_dossier(request, slug: str) -> dict:
    organisation = _actor(slug, ActorKind.ORGANISATION)
    members = Membership.objects.filter(organisation=organisation).select_related("person")
    members = members.prefetch_related(cited_prefetch("membership")).order_by(
        F("start").asc(nulls_last=True), "person__name", "id"
    )
    members_page = section(request, "members", members)
    members_page.rows = facts("membership", members_page.rows)
    children = section(
        request,
        "children",
        Organisation.objects.filter(parent=organisation).only("slug", "name", "kind", "status", "restricted"),
    )
    published = section(
        request,
        "published",
        _report_rows(Report.objects.filter(publishers=organisation)).order_by(
            F("published").desc(nulls_last=True), "title"
        ),
    )
    bylines = section(
        request,
        "bylines",
        Authorship.objects.filter(organisation=organisation)
        .select_related("report")
        .only("byline", "report__slug", "report__title", "report__published", "report__published_precision")
        .order_by(F("report__published").desc(nulls_last=True), "report__title"),
    )
    totals, mentioned = mentions_section(request, Mention.objects.filter(actor=organisation))
    return {
        "record": organisation,
        "kind": "organisation",
        "members": members_page,
        "children": children,
        "events": _events_section(request, Participant.objects.filter(actor=organisation)),
        "published": published,
        "bylines": bylines,
        "mention_totals": totals,
        "mentioned": mentioned,
        "history": history(organisation),
        "duplicates": duplicates(organisation),
    }


def report_dossier(request, slug: str) -> dict:
    queryset = (
        Report.objects.defer("text")
        .annotate(text_length=Length("text"))
        .prefetch_related(
            Prefetch("publishers", Organisation.objects.only("slug", "name", "kind", "status", "restricted")),
            Prefetch("authorships", Authorship.objects.select_related("person", "organisation").order_by("position")),
            "topics",
            Prefetch("events", Event.objects.only("slug", "title", "start", "start_precision", "status", "restricted")),
            cited_prefetch("report"),
        )
    )
    report = _get(Report, queryset, slug, "admin:research_report")
    references = section(request, "references", _report_rows(report.references.all()).order_by("title"))
    referenced_by = section(request, "referenced_by", _report_rows(report.referenced_by.all()).order_by("title"))
    quotes = list(
        Quote.objects.filter(source=report)
        .select_related("speaker")
        .only(
            "slug",
            "text",
            "said",
            "said_precision",
            "status",
            "restricted",
            "source_id",
            "speaker__slug",
            "speaker__name",
            "speaker__kind",
            "speaker__status",
            "speaker__restricted",
        )
        .order_by("id")[:PAGE]
    )
    # What the text names: each record once, with how often.
    named = list(
        Mention.objects.filter(report=report)
        .values(
            "actor__slug",
            "actor__name",
            "actor__kind",
            "mentioned_report__slug",
            "mentioned_report__title",
            "event__slug",
            "event__title",
        )
        .annotate(count=Count("id"))
        .order_by("-count", "actor__name", "mentioned_report__title", "event__title")[:200]
    )
    # What this text is cited for: the facts its passages support, in the order of the text.
    supports = []
    for kind, citation_kind in citation_kinds().items():
        rows = (
            citation_kind.model.objects.filter(source=report)
            .select_related(*citation_kind.subject_related)
            .defer(*citation_kind.subject_deferred)
            .order_by("start")[:PAGE]
        )
        for row in rows:
            row.source = report  # what it cites is this report: no query per row
            row.before = row.after = ""
            supports.append(Cited(kind, row))
    supports.sort(key=lambda cited: (cited.citation.start or 0, cited.kind))
    totals, mentioned = mentions_section(request, Mention.objects.filter(mentioned_report=report))
    return {
        "record": report,
        "kind": "report",
        "facts": group_claims("report", report.cited),
        "references": references,
        "referenced_by": referenced_by,
        "quotes": quotes,
        "named": named,
        "supports": supports,
        "mention_totals": totals,
        "mentioned": mentioned,
        "history": history(report),
    }


def event_dossier(request, slug: str) -> dict:
    queryset = Event.objects.prefetch_related(
        Prefetch(
            "related_reports",
            _report_rows(Report.objects.all()).order_by(F("published").asc(nulls_last=True), "title"),
        ),
        "topics",
        cited_prefetch("event"),
    )
    event = _get(Event, queryset, slug, "admin:research_event")
    participants = (
        Participant.objects.filter(event=event)
        .select_related("actor")
        .only(
            "id",
            "role",
            "role_title",
            "rank",
            "rank_reason",
            "event_id",
            "actor__slug",
            "actor__name",
            "actor__kind",
            "actor__status",
            "actor__restricted",
        )
        .prefetch_related(cited_prefetch("participant"))
        .order_by("role", "actor__name")
    )
    participants_page = section(request, "participants", participants)
    participants_page.rows = facts("participant", participants_page.rows)
    totals, mentioned = mentions_section(request, Mention.objects.filter(event=event))
    return {
        "record": event,
        "kind": "event",
        "facts": group_claims("event", event.cited),
        "participants": participants_page,
        "mention_totals": totals,
        "mentioned": mentioned,
        "history": history(event),
    }
