"""The timeline: events and reports in date order, each drawn at the precision its source gave.

:func:`timeline` answers one filtered view: a page of items in date order
(earliest day first, the more precise first on ties, undated ones apart), the
count of every year in the whole filtered set (empty years included, so gaps
show), and for the page's items the dates other sources claim. Reports and
events are read by two queries each, merged in Python; the year counts are
grouped in the database, so a view costs the same at any corpus size. The SVG
drawing is in :func:`chart_svg` and :func:`strip_svg`.
"""

from __future__ import annotations

import datetime
import heapq
import operator
import re
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from actors.choices import ActorKind
from actors.models import Actor, Membership, Organisation
from events.choices import EventKind
from events.models import Event, Participant
from hrkb.dates import DatePrecision, PartialDate
from hrkb.models import Rank
from hrkb.scale import any_of
from reports.choices import ReportKind
from reports.models import Authorship, Report, Topic
from sources.models import EventCitation, Mention, ReportCitation

from .records import event_dossier_url, report_dossier_url

PAGE = 100
PRECISION_ORDER = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}
# Aleph's zoom guard: beyond this many years a day is narrower than a pixel; years are the unit.
DAYS_LIMIT_YEARS = 20


# --- Filters ---------------------------------------------------------------------------------------------------------


@dataclass
class Filters:
    """A timeline's filters, read from the query string (slugs, kinds, partial dates)."""

    actor: Actor | None = None
    organisation: Organisation | None = None
    topic: Topic | None = None
    report: Report | None = None
    event: Event | None = None
    country: str = ""
    kind: str = ""  # "event:summit", "report:article"
    types: tuple[str, ...] = ("event", "report")
    start: PartialDate | None = None
    end: PartialDate | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def dated_only(self) -> bool:
        return bool(self.start or self.end)

    def query(self, **changes) -> str:
        """This view's query string with ``changes`` (None drops a key): for links that keep the other filters."""
        values = {
            "actor": self.actor.slug if self.actor else None,
            "organisation": self.organisation.slug if self.organisation else None,
            "topic": self.topic.slug if self.topic else None,
            "report": self.report.slug if self.report else None,
            "event": self.event.slug if self.event else None,
            "country": self.country or None,
            "kind": self.kind or None,
            "type": self.types[0] if len(self.types) == 1 else None,
            "from": str(self.start) if self.start else None,
            "to": str(self.end) if self.end else None,
        }
        values.update(changes)
        from django.utils.http import urlencode

        return urlencode({key: value for key, value in values.items() if value})

    @property
    def any(self) -> bool:
        return bool(self.query())


def _by_slug(model, value: str, name: str, errors: dict):
    """The record with this slug; for actors, also the one going by this name or alias."""
    if not value:
        return None
    record = model.objects.filter(slug=value).first()
    if record is None and issubclass(model, Actor):
        named = model.objects.filter(Q(name__iexact=value) | Q(aliases__name__iexact=value)).distinct()[:2]
        record = named[0] if len(named) == 1 else None
    if record is None:
        errors[name] = f"No {model._meta.verbose_name} has the slug (or the one name) {value!r}."
    return record


def _date(value: str, name: str, errors: dict) -> PartialDate | None:
    if not value:
        return None
    try:
        return PartialDate.parse(value)
    except ValueError:
        errors[name] = "Give a date as YYYY, YYYY-MM or YYYY-MM-DD."
        return None


def filters_from(params) -> Filters:
    errors: dict[str, str] = {}
    kind = params.get("kind", "")
    valid_kinds = {f"event:{k}" for k in EventKind.values} | {f"report:{k}" for k in ReportKind.values}
    if kind and kind not in valid_kinds:
        errors["kind"] = f"Unknown kind {kind!r}."
        kind = ""
    types = ("event", "report")
    if params.get("type") in types:
        types = (params["type"],)
    return Filters(
        actor=_by_slug(Actor, params.get("actor", ""), "actor", errors),
        organisation=_by_slug(Organisation, params.get("organisation", ""), "organisation", errors),
        topic=_by_slug(Topic, params.get("topic", ""), "topic", errors),
        report=_by_slug(Report.objects.defer("text").model, params.get("report", ""), "report", errors),
        event=_by_slug(Event, params.get("event", ""), "event", errors),
        country=params.get("country", "").upper()[:2],
        kind=kind,
        types=types,
        start=_date(params.get("from", ""), "from", errors),
        end=_date(params.get("to", ""), "to", errors),
        errors=errors,
    )


def _actor_ids(filters: Filters) -> list | None:
    """The actors whose events and reports the view shows: one actor, or an organisation with its people."""
    if filters.actor:
        return [filters.actor.pk]
    return None


def _organisation_scope(filters: Filters):
    org = filters.organisation
    organisations = Actor.objects.filter(Q(pk=org.pk) | Q(parent_id=org.pk)).values("pk")
    members = Membership.objects.filter(organisation_id__in=organisations).values("person_id")
    return organisations, members


def events(filters: Filters):
    queryset = Event.objects.all()
    if filters.kind:
        family, _, kind = filters.kind.partition(":")
        queryset = queryset.filter(kind=kind) if family == "event" else queryset.none()
    # Subqueries as ``pk IN (…)``, never OR-ed correlated EXISTS: each is computed once and hashed,
    # where an OR of EXISTS is re-run for every row of the table.
    if filters.actor:
        queryset = queryset.filter(pk__in=Participant.objects.filter(actor=filters.actor).values("event_id"))
    if filters.organisation:
        organisations, members = _organisation_scope(filters)
        involved = any_of(
            Participant.objects.filter(actor_id__in=organisations).values("event_id"),
            Participant.objects.filter(actor_id__in=members).values("event_id"),
        )
        queryset = queryset.filter(pk__in=involved)
    if filters.topic:
        queryset = queryset.filter(pk__in=Event.topics.through.objects.filter(topic=filters.topic).values("event_id"))
    if filters.country:
        queryset = queryset.filter(country=filters.country)
    if filters.report:
        related = Event.related_reports.through.objects.filter(report=filters.report).values("event_id")
        named = Mention.objects.filter(report=filters.report, event__isnull=False).values("event_id")
        queryset = queryset.filter(pk__in=any_of(related, named))
    if filters.event:
        queryset = queryset.filter(pk=filters.event.pk)
    if filters.start:
        queryset = queryset.filter(start__gte=filters.start.earliest)
    if filters.end:
        queryset = queryset.filter(start__lte=filters.end.latest)
    return queryset


#: Above this many reports in a view, its page is found by walking the reports in date order (see :func:`reports`).
WALK_ABOVE = 2_000


def reports(filters: Filters, *, walk: bool = False):
    """The reports a timeline shows.

    An actor's or an organisation's reports are those named by any of several
    id subqueries (authored, published, naming it). Combined as one union
    (the default), the database reads exactly those reports: right for
    counting them, and for a page of a few hundred. For thousands (a person
    named in 20,000 reports), ``walk`` tests each subquery's hashed ids while
    reading reports in date order from the (published, precision) index, and
    stops at the page's last row instead of sorting all of them.
    """
    queryset = Report.objects.all()
    if filters.kind:
        family, _, kind = filters.kind.partition(":")
        queryset = queryset.filter(kind=kind) if family == "report" else queryset.none()
    if filters.actor or filters.organisation:
        # People write reports; organisations write bylines and publish (None: that side is not asked for).
        if filters.actor:
            actors = [filters.actor.pk]
            is_person = filters.actor.kind == ActorKind.PERSON
            people, organisations = (actors, None) if is_person else (None, actors)
        else:
            organisations, people = _organisation_scope(filters)
            actors = None
        scope = []
        if people is not None:
            scope.append(Authorship.objects.filter(person_id__in=people).values("report_id"))
        if organisations is not None:
            scope.append(Authorship.objects.filter(organisation_id__in=organisations).values("report_id"))
            scope.append(
                Report.publishers.through.objects.filter(organisation_id__in=organisations).values("report_id")
            )
        if actors:
            # An actor's own timeline also shows where they are named; an organisation's, what it and its people did.
            scope.append(Mention.objects.filter(actor_id__in=actors).values("report_id"))
        if walk:
            queryset = queryset.filter(reduce(operator.or_, (Q(pk__in=part) for part in scope)))
        else:
            queryset = queryset.filter(pk__in=any_of(*scope))
    if filters.topic:
        queryset = queryset.filter(pk__in=Report.topics.through.objects.filter(topic=filters.topic).values("report_id"))
    if filters.country:
        # Reports have no country of their own: those about an event there.
        about = Event.related_reports.through.objects.filter(event__country=filters.country)
        queryset = queryset.filter(pk__in=about.values("report_id"))
    if filters.report:
        report = filters.report
        itself = Report.objects.filter(pk=report.pk).values("pk")
        cites = Report.references.through.objects.filter(from_report=report).values("to_report_id")
        cited_by = Report.references.through.objects.filter(to_report=report).values("from_report_id")
        queryset = queryset.filter(pk__in=any_of(itself, cites, cited_by))
    if filters.event:
        related = Event.related_reports.through.objects.filter(event=filters.event).values("report_id")
        named = Mention.objects.filter(event=filters.event).values("report_id")
        queryset = queryset.filter(pk__in=any_of(related, named))
    if filters.start:
        queryset = queryset.filter(published__gte=filters.start.earliest)
    if filters.end:
        queryset = queryset.filter(published__lte=filters.end.latest)
    return queryset


# --- Items -----------------------------------------------------------------------------------------------------------


@dataclass
class Item:
    type: str  # "event" or "report"
    pk: int
    slug: str
    title: str
    kind: str
    start: PartialDate | None
    end: PartialDate | None
    status: str
    restricted: bool
    place: str = ""
    others: list[PartialDate] = field(default_factory=list)  # what other sources claim

    @property
    def url(self) -> str:
        return event_dossier_url(self.slug) if self.type == "event" else report_dossier_url(self.slug)

    @property
    def kind_label(self) -> str:
        choices = EventKind if self.type == "event" else ReportKind
        try:
            return choices(self.kind).label
        except ValueError:
            return self.kind

    @property
    def earliest(self) -> datetime.date | None:
        return self.start.earliest if self.start else None

    @property
    def latest(self) -> datetime.date | None:
        last = self.end or self.start
        return last.latest if last else None

    @property
    def precision(self) -> str:
        return self.start.precision if self.start else ""

    @property
    def when(self) -> str:
        if not self.start:
            return "undated"
        if self.end and self.end != self.start:
            return f"{self.start.display()} – {self.end.display()}"
        return self.start.display()

    def sort_key(self):
        # Earliest day first; on a tie the more precise first (Aleph #1846: single and start dates merge).
        return (self.earliest or datetime.date.max, PRECISION_ORDER.get(self.precision, 3), self.title, self.pk)


def _ordered(queryset, date: str):
    # Finest precision first on a tie: "day" < "month" < "year" is also their alphabetical order, so the
    # precision column sorts as it is, and an index on (date, precision) hands rows over in this order.
    return queryset.order_by(F(date).asc(nulls_last=True), f"{date}_precision", "title", "pk")


def _event_items(queryset, limit: int) -> list[Item]:
    rows = _ordered(queryset, "start").values_list(
        "pk",
        "slug",
        "title",
        "kind",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "status",
        "restricted",
        "place",
    )[:limit]
    return [
        Item(
            "event",
            pk,
            slug,
            title,
            kind,
            PartialDate.from_date(start, start_precision) if start else None,
            PartialDate.from_date(end, end_precision) if end else None,
            status,
            restricted,
            place,
        )
        for pk, slug, title, kind, start, start_precision, end, end_precision, status, restricted, place in rows
    ]


def _report_items(queryset, limit: int) -> list[Item]:
    rows = _ordered(queryset, "published").values_list(
        "pk", "slug", "title", "kind", "published", "published_precision", "status", "restricted"
    )[:limit]
    return [
        Item(
            "report",
            pk,
            slug,
            title,
            kind,
            PartialDate.from_date(day, precision) if day else None,
            None,
            status,
            restricted,
        )
        for pk, slug, title, kind, day, precision, status, restricted in rows
    ]


_WRITTEN_DAY = re.compile(r"^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$")
_WRITTEN_MONTH = re.compile(r"^([A-Z][a-z]+) (\d{4})$")
_MONTH_NUMBERS = {str(name): number for number, name in MONTHS.items()}


def claimed_date(value: str) -> PartialDate | None:
    """A citation's value read as a date, when it is nothing but one ("2014", "February 2014", "22 February 2014").

    Values that say more ("over two years before this 2016 article") are not dates to draw.
    """
    value = value.strip()
    try:
        return PartialDate.parse(value)
    except ValueError:
        pass
    for pattern, groups in ((_WRITTEN_DAY, ("day", "month", "year")), (_WRITTEN_MONTH, ("month", "year"))):
        match = pattern.match(value)
        if match:
            parts = dict(zip(groups, match.groups(), strict=True))
            month = _MONTH_NUMBERS.get(parts["month"])
            if month is None:
                return None
            try:
                return PartialDate(int(parts["year"]), month, int(parts["day"]) if "day" in parts else None)
            except ValueError:
                return None
    return None


def _other_claims(items: list[Item]) -> None:
    """Fill each item's ``others``: dates other (not deprecated) citations claim, where they differ from the stored."""
    for model, item_type, claim in ((EventCitation, "event", "start"), (ReportCitation, "report", "published")):
        by_pk = {item.pk: item for item in items if item.type == item_type}
        if not by_pk:
            continue
        rows = model.objects.filter(subject_id__in=list(by_pk), claim=claim).exclude(value="")
        for subject_id, value in rows.exclude(rank=Rank.DEPRECATED).values_list("subject_id", "value"):
            item = by_pk[subject_id]
            date = claimed_date(value)
            if date and date != item.start and date not in item.others:
                item.others.append(date)


@dataclass
class Timeline:
    filters: Filters
    items: list[Item]
    page: int
    total: int
    undated: int
    years: dict[int, int]  # every year from the first to the last, counts of dated items

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE))

    @property
    def dated(self) -> list[Item]:
        return [item for item in self.items if item.start]

    @property
    def undated_items(self) -> list[Item]:
        return [item for item in self.items if not item.start]

    @property
    def by_year(self) -> list[tuple[int, list[Item]]]:
        groups: dict[int, list[Item]] = {}
        for item in self.dated:
            groups.setdefault(item.start.year, []).append(item)
        return list(groups.items())


def _year_counts(queryset, date: str) -> dict[int | None, int]:
    rows = queryset.annotate(year=ExtractYear(date)).values("year").annotate(n=Count("*")).order_by()
    return {row["year"]: row["n"] for row in rows}


def timeline(filters: Filters, page: int = 1) -> Timeline:
    querysets = []
    if "event" in filters.types:
        querysets.append(("event", events(filters), "start", _event_items))
    if "report" in filters.types:
        querysets.append(("report", reports(filters), "published", _report_items))
    counts: dict[int | None, int] = {}
    per_type = {}
    for item_type, queryset, date, _items in querysets:
        rows = _year_counts(queryset, date)
        per_type[item_type] = sum(rows.values())
        for year, n in rows.items():
            counts[year] = counts.get(year, 0) + n
    undated = counts.pop(None, 0)
    total = sum(counts.values()) + undated
    pages = max(1, -(-total // PAGE))
    page = min(max(1, page), pages)
    if per_type.get("report", 0) > WALK_ABOVE:
        querysets = [
            (item_type, reports(filters, walk=True) if item_type == "report" else queryset, date, items)
            for item_type, queryset, date, items in querysets
        ]
    # Each source ordered the same way, merged: the first page*PAGE of each is enough for page `page`.
    fetched = [items(queryset, page * PAGE) for _type, queryset, _date, items in querysets]
    merged = list(heapq.merge(*fetched, key=Item.sort_key))
    shown = merged[(page - 1) * PAGE : page * PAGE]
    _other_claims(shown)
    years = {}
    if counts:
        for year in range(min(counts), max(counts) + 1):
            years[year] = counts.get(year, 0)
    return Timeline(filters, shown, page, total, undated, years)


# --- Drawing ---------------------------------------------------------------------------------------------------------

CHART_WIDTH = 1100
LABEL_WIDTH = 330
ROW = 20
AXIS = 28


def _scale(first: datetime.date, last: datetime.date, width: int):
    span = max(1, (last - first).days)

    def x(day: datetime.date) -> float:
        return round(LABEL_WIDTH + (day - first).days / span * width, 1)

    return x


def _bounds(items: list[Item]) -> tuple[datetime.date, datetime.date]:
    first = min(item.earliest for item in items)
    last = max(max([item.latest, *(other.latest for other in item.others)]) for item in items)
    first = min([first, *(other.earliest for item in items for other in item.others)])
    return datetime.date(first.year, 1, 1), datetime.date(last.year, 12, 31)


def _ticks(first: datetime.date, last: datetime.date) -> tuple[list[datetime.date], str]:
    years = last.year - first.year + 1
    if years <= 2:
        ticks = []
        day = first
        while day <= last:
            ticks.append(day)
            day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return ticks, "month"
    step = next(step for step in (1, 2, 5, 10, 20, 50, 100) if years / step <= 24)
    return [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1) if year % step == 0], "year"


def chart_svg(items: list[Item]) -> SafeString:
    """The dated items as an SVG chart: one row each, spanning what its precision covers.

    A year is a hatched bar across the year, a month a solid bar across the
    month, a day a tick (a range of days a bar between its ends); dates other
    sources claim are drawn as faint ghosts on the same row.
    """
    items = [item for item in items if item.start]
    if not items:
        return mark_safe("")
    first, last = _bounds(items)
    width = CHART_WIDTH - LABEL_WIDTH - 20
    x = _scale(first, last, width)
    height = AXIS + ROW * len(items) + 8
    ticks, unit = _ticks(first, last)
    parts = [
        f'<svg class="timeline-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}" role="img" aria-label="Timeline chart">',
        '<defs><pattern id="tl-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>',
    ]
    for tick in ticks:
        tx = x(tick)
        label = f"{MONTHS[tick.month][:3]} {tick.year}" if unit == "month" else str(tick.year)
        parts.append(
            format_html(
                '<line class="tick" x1="{}" y1="{}" x2="{}" y2="{}"/><text class="tick-label" x="{}" y="16">{}</text>',
                tx,
                AXIS - 6,
                tx,
                height,
                tx + 2,
                label,
            )
        )
    for row, item in enumerate(items):
        y = AXIS + row * ROW
        title = item.title if len(item.title) <= 48 else f"{item.title[:47]}…"
        classes = f"item item-{item.type} precision-{item.precision}"
        if item.status == "draft":
            classes += " is-draft"
        if item.restricted:
            classes += " is-restricted"
        parts.append(
            format_html(
                '<g class="{}"><a href="{}"><text class="item-label" x="{}" y="{}">{}</text></a>',
                classes,
                item.url,
                LABEL_WIDTH - 8,
                y + 14,
                title,
            )
        )
        for other in item.others:
            parts.append(
                format_html(
                    '<rect class="ghost" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                    x(other.earliest),
                    y + 4,
                    max(3, x(other.latest + datetime.timedelta(days=1)) - x(other.earliest)),
                    ROW - 8,
                    f"Another source: {other.display()}",
                )
            )
        start, end = x(item.earliest), x(item.latest + datetime.timedelta(days=1))
        tooltip = f"{item.title} — {item.when} ({item.kind_label})"
        if item.precision == DatePrecision.DAY and not item.end:
            parts.append(
                format_html(
                    '<path class="mark day" d="M{} {} l5 6 l-5 6 l-5 -6 z"><title>{}</title></path>',
                    start,
                    y + 4,
                    tooltip,
                )
            )
        else:
            fill = ' fill="url(#tl-hatch)"' if item.precision == DatePrecision.YEAR else ""
            parts.append(
                format_html(
                    '<rect class="mark {}" x="{}" y="{}" width="{}" height="{}"{}><title>{}</title></rect>',
                    item.precision,
                    start,
                    y + 3,
                    max(4, end - start),
                    ROW - 6,
                    mark_safe(fill),
                    tooltip,
                )
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))


def strip_svg(years: dict[int, int], *, link: str, highlight: set[int] = frozenset(), width: int = 720) -> SafeString:
    """A small bar per year (empty years kept), each a link to that year in the full timeline."""
    if not years:
        return mark_safe("")
    height, top = 64, 6
    peak = max(years.values()) or 1
    # A bar per year, never wider than 40 px: a single year is a bar, not a block across the page.
    step = min(width / len(years), 40)
    parts = [
        f'<svg class="timeline-strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 16}" '
        f'width="{width}" height="{height + 16}" role="img" aria-label="Items per year">'
    ]
    label_every = max(1, round(len(years) / 12))
    for index, (year, count) in enumerate(years.items()):
        bar = (height - top) * count / peak
        bx = round(index * step, 1)
        classes = "bar highlight" if year in highlight else "bar"
        parts.append(
            format_html(
                '<a href="{}"><rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect></a>',
                f"{link}&from={year}&to={year}" if "?" in link else f"{link}?from={year}&to={year}",
                classes,
                bx,
                round(height - bar, 1),
                max(1.0, round(step - 1, 1)),
                round(max(bar, 0.5 if count else 0), 1),
                year,
                f"{count} item{'s' if count != 1 else ''}",
            )
        )
        if index % label_every == 0:
            parts.append(format_html('<text class="tick-label" x="{}" y="{}">{}</text>', bx, height + 13, year))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def timeline_url(**filters) -> str:
    from django.utils.http import urlencode

    query = urlencode({key: value for key, value in filters.items() if value})
    url = reverse("admin:research_timeline")
    return f"{url}?{query}" if query else url


def own_years(filters: Filters) -> dict[int, int]:
    """Counts per year of what a dossier's own timeline shows (for its strip)."""
    counts: dict[int | None, int] = {}
    for queryset, date in ((events(filters), "start"), (reports(filters), "published")):
        for year, n in _year_counts(queryset, date).items():
            counts[year] = counts.get(year, 0) + n
    counts.pop(None, None)
    if not counts:
        return {}
    return {year: counts.get(year, 0) for year in range(min(counts), max(counts) + 1)}
