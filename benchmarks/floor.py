"""The floor: plain Django views that serve the same pages as the API, as cheaply as Django can.

Each view answers an anonymous client with the same records, in the same
order, with the same fields and related summaries as the API resource it
stands beside, but built from ``.values_list()`` rows into dicts and returned
with ``JsonResponse``: no serializers, no model instances, no DRF. Lists page
by the same keyset (the API's default ordering, ``slug``, and the same opaque
``cursor``), so a deep page costs the floor what a first page does.

Mounted only by ``benchmarks/urls.py``; nothing in production routes here.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.http import Http404, JsonResponse
from django.urls import path

from actors.models import Actor, Alias, Membership
from events.models import Event, Participant
from hrkb import access
from hrkb.api.pagination import KeysetPagination, seal, unseal
from hrkb.api.serializers import SUMMARY_NAME_LENGTH
from reports.models import Authorship, Quote, Report
from sources.models import (
    EventCitation,
    MembershipCitation,
    Mention,
    ParticipantCitation,
    QuoteCitation,
    ReportCitation,
)

PAGE_SIZE = KeysetPagination.page_size
PLURALS = {"report": "reports", "person": "people", "organisation": "organisations", "event": "events"}
PLURALS.update(topic="topics", quote="quotes")
PRECISION_LENGTH = {"year": 4, "month": 7, "day": 10}
CITATION_FIELDS = ("source__slug", "source__title", "passage", "start", "end", "confidence", "claim", "value")
CITATION_FIELDS += ("rank", "rank_reason")


def readable(prefix: str = "") -> Q:
    """What an anonymous client may read: the one access rule, as the API applies it."""
    return access.readable_q(prefix, restricted=False)


def partial_date(day, precision) -> str | None:
    return day.isoformat()[: PRECISION_LENGTH[precision]] if day else None


class Page:
    """One response: the API root once, then cheap string joins for every URL."""

    def __init__(self, request):
        self.root = request.build_absolute_uri("/api/v1/")

    def url(self, kind: str, slug: str) -> str:
        return f"{self.root}{PLURALS[kind]}/{slug}/"

    def summary(self, kind: str, slug: str | None, name: str | None):
        if slug is None:
            return None
        if len(name) > SUMMARY_NAME_LENGTH:
            name = name[: SUMMARY_NAME_LENGTH - 1] + "…"
        return {"type": kind, "slug": slug, "name": name, "url": self.url(kind, slug)}


def keyset_page(request, queryset, fields: tuple[str, ...]) -> tuple[list[tuple], str | None]:
    """The rows after the request's cursor, in slug order, and the next link."""
    cursor = request.GET.get("cursor")
    if cursor:
        position = unseal(cursor)
        queryset = queryset.filter(slug__gt=position["v"][0])
    rows = list(queryset.order_by("slug").values_list(*fields)[: PAGE_SIZE + 1])
    if len(rows) <= PAGE_SIZE:
        return rows, None
    rows = rows[:PAGE_SIZE]
    next_cursor = seal({"o": "slug", "v": [rows[-1][1]]})
    return rows, request.build_absolute_uri(f"{request.path}?cursor={next_cursor}")


def grouped(rows) -> defaultdict:
    """(owner id, *rest) rows as {owner id: [rest, ...]}, keeping their order."""
    groups = defaultdict(list)
    for owner, *rest in rows:
        groups[owner].append(rest)
    return groups


def detail_row(queryset, slug: str, fields: tuple[str, ...]) -> tuple:
    row = queryset.filter(slug=slug).values_list(*fields).first()
    if row is None:
        raise Http404
    return row


# --- reports -------------------------------------------------------------------------------------------------------

REPORT_FIELDS = ("id", "slug", "title", "subtitle", "kind", "published", "published_precision", "language", "summary")
REPORT_FIELDS += ("un_symbol", "url", "created", "modified")


def report_related(page: Page, ids: list[int]) -> tuple[dict, dict, dict]:
    """Publishers, authors and topics of these reports, as the list shows them."""
    publishers = grouped(
        Report.publishers.through.objects.filter(readable("organisation__"), report_id__in=ids)
        .order_by("organisation__name")
        .values_list("report_id", "organisation__slug", "organisation__name")
    )
    authors = grouped(
        Authorship.objects.filter(
            Q(person__isnull=True) | readable("person__"),
            Q(organisation__isnull=True) | readable("organisation__"),
            report_id__in=ids,
        )
        .order_by("report_id", "position")
        .values_list(
            "report_id",
            "position",
            "person__slug",
            "person__name",
            "organisation__slug",
            "organisation__name",
            "byline",
        )
    )
    topics = grouped(
        Report.topics.through.objects.filter(readable("topic__"), report_id__in=ids)
        .order_by("topic__kind", "topic__udhr_article", "topic__name")
        .values_list("report_id", "topic__slug", "topic__name")
    )
    return (
        {key: [page.summary("organisation", *row) for row in rows] for key, rows in publishers.items()},
        {
            key: [
                {
                    "position": position,
                    "person": page.summary("person", person_slug, person_name),
                    "organisation": page.summary("organisation", organisation_slug, organisation_name),
                    "byline": byline,
                }
                for position, person_slug, person_name, organisation_slug, organisation_name, byline in rows
            ]
            for key, rows in authors.items()
        },
        {key: [page.summary("topic", *row) for row in rows] for key, rows in topics.items()},
    )


def report_dict(page: Page, row: tuple, publishers: dict, authors: dict, topics: dict) -> dict:
    pk, slug, title, subtitle, kind, published, precision, language, summary, un_symbol, url, created, modified = row
    return {
        "url": page.url("report", slug),
        "type": "report",
        "slug": slug,
        "title": title,
        "subtitle": subtitle,
        "kind": kind,
        "published": partial_date(published, precision),
        "language": language,
        "summary": summary,
        "un_symbol": un_symbol,
        "web_url": url,
        "publishers": publishers.get(pk, []),
        "authors": authors.get(pk, []),
        "topics": topics.get(pk, []),
        "created": created,
        "modified": modified,
    }


def report_list(request):
    page = Page(request)
    rows, next_link = keyset_page(request, Report.objects.filter(readable()), REPORT_FIELDS)
    related = report_related(page, [row[0] for row in rows])
    return JsonResponse({"next": next_link, "results": [report_dict(page, row, *related) for row in rows]})


def report_detail(request, slug):
    page = Page(request)
    row = detail_row(Report.objects.filter(readable()), slug, (*REPORT_FIELDS, "aliases", "text"))
    pk = row[0]
    record = report_dict(page, row[:-2], *report_related(page, [pk]))
    references = (
        Report.references.through.objects.filter(readable("to_report__"), from_report_id=pk)
        .order_by("-to_report__published", "to_report__title")
        .values_list("to_report__slug", "to_report__title")
    )
    events = (
        Event.related_reports.through.objects.filter(readable("event__"), report_id=pk)
        .order_by("-event__start", "event__title")
        .values_list("event__slug", "event__title")
    )
    mentions = (
        Mention.objects.filter(readable("actor__") | readable("mentioned_report__") | readable("event__"), report_id=pk)
        .order_by("start")
        .values_list(
            "start", "end", "text", "actor__kind", "actor__slug", "actor__name", "mentioned_report__slug",
            "mentioned_report__title", "event__slug", "event__title",
        )
    )  # fmt: skip
    citations = ReportCitation.objects.filter(readable("source__"), subject_id=pk).values_list(*CITATION_FIELDS)
    record.update(
        aliases=[line.strip() for line in row[-2].splitlines() if line.strip()],
        text=row[-1],
        references=[page.summary("report", *reference) for reference in references],
        events=[page.summary("event", *event) for event in events],
        mentions=[
            {
                "start": start,
                "end": end,
                "text": text,
                "target": page.summary(actor_kind, actor_slug, actor_name)
                or page.summary("report", report_slug, report_title)
                or page.summary("event", event_slug, event_title),
            }
            for (
                start,
                end,
                text,
                actor_kind,
                actor_slug,
                actor_name,
                report_slug,
                report_title,
                event_slug,
                event_title,
            ) in mentions
        ],
        citations=citation_dicts(page, citations),
    )
    record["created"], record["modified"] = record.pop("created"), record.pop("modified")
    return JsonResponse(record)


def citation_dicts(page: Page, rows) -> list[dict]:
    return [
        {
            "source": page.summary("report", source_slug, source_title),
            "passage": passage,
            "start": start,
            "end": end,
            "confidence": confidence,
            "claim": claim,
            "value": value,
            "rank": rank,
            "rank_reason": rank_reason,
        }
        for source_slug, source_title, passage, start, end, confidence, claim, value, rank, rank_reason in rows
    ]


# --- people and organisations --------------------------------------------------------------------------------------

ACTOR_FIELDS = ("id", "slug", "name", "description", "wikidata_id", "created", "modified")
# The parent's status comes along so an unreadable parent shows as null, as the API's summary does.
ORGANISATION_FIELDS = (*ACTOR_FIELDS, "organisation_kind", "parent__slug", "parent__name")
ORGANISATION_FIELDS += ("parent__status", "parent__restricted")


def alias_names(ids: list[int]) -> dict:
    rows = Alias.objects.filter(actor_id__in=ids).order_by("name").values_list("actor_id", "name")
    return {key: [name for (name,) in names] for key, names in grouped(rows).items()}


def alias_details(pk: int) -> list[dict]:
    rows = Alias.objects.filter(actor_id=pk).order_by("name").values_list("name", "kind", "language")
    return [{"name": name, "kind": kind, "language": language} for name, kind, language in rows]


def actor_dict(page: Page, kind: str, row: tuple, aliases) -> dict:
    pk, slug, name, description, wikidata_id, created, modified, *organisation = row
    record = {"url": page.url(kind, slug), "type": kind, "slug": slug, "name": name}
    if organisation:
        organisation_kind, parent_slug, parent_name = organisation
        record.update(kind=organisation_kind, parent=page.summary("organisation", parent_slug, parent_name))
    record.update(
        aliases=aliases.get(pk, []) if isinstance(aliases, dict) else aliases,
        description=description,
        wikidata_id=wikidata_id,
        created=created,
        modified=modified,
    )
    return record


def memberships(page: Page, **where) -> list[dict]:
    """Readable memberships with their readable citations, as a person's or organisation's detail shows them."""
    rows = list(
        Membership.objects.filter(readable(), readable("person__"), readable("organisation__"), **where)
        .order_by("organisation__name", "start", "person__name")
        .values_list(
            "id", "slug", "person__slug", "person__name", "organisation__slug", "organisation__name", "role", "start",
            "start_precision", "end", "end_precision", "note", "rank", "rank_reason",
        )
    )  # fmt: skip
    citations = grouped(
        MembershipCitation.objects.filter(readable("source__"), subject_id__in=[row[0] for row in rows]).values_list(
            "subject_id", *CITATION_FIELDS
        )
    )
    return [
        {
            "slug": slug,
            "person": page.summary("person", person_slug, person_name),
            "organisation": page.summary("organisation", organisation_slug, organisation_name),
            "role": role,
            "start": partial_date(start, start_precision),
            "end": partial_date(end, end_precision),
            "note": note,
            "rank": rank,
            "rank_reason": rank_reason,
            "citations": citation_dicts(page, citations.get(pk, [])),
        }
        for pk, slug, person_slug, person_name, organisation_slug, organisation_name, role, start, start_precision, end,
        end_precision, note, rank, rank_reason in rows
    ]  # fmt: skip


def person_list(request):
    page = Page(request)
    rows, next_link = keyset_page(request, Actor.objects.filter(readable(), kind="person"), ACTOR_FIELDS)
    aliases = alias_names([row[0] for row in rows])
    return JsonResponse({"next": next_link, "results": [actor_dict(page, "person", row, aliases) for row in rows]})


def person_detail(request, slug):
    page = Page(request)
    row = detail_row(Actor.objects.filter(readable(), kind="person"), slug, ACTOR_FIELDS)
    record = actor_dict(page, "person", row, alias_details(row[0]))
    record["memberships"] = memberships(page, person_id=row[0])
    record["created"], record["modified"] = record.pop("created"), record.pop("modified")
    return JsonResponse(record)


def parent_if_readable(row: tuple) -> tuple:
    *fields, parent_status, parent_restricted = row
    if not access.allows((parent_status, parent_restricted), restricted=False):
        fields[-2:] = [None, None]
    return tuple(fields)


def organisation_list(request):
    page = Page(request)
    rows, next_link = keyset_page(request, Actor.objects.filter(readable(), kind="organisation"), ORGANISATION_FIELDS)
    aliases = alias_names([row[0] for row in rows])
    results = [actor_dict(page, "organisation", parent_if_readable(row), aliases) for row in rows]
    return JsonResponse({"next": next_link, "results": results})


def organisation_detail(request, slug):
    page = Page(request)
    row = detail_row(Actor.objects.filter(readable(), kind="organisation"), slug, ORGANISATION_FIELDS)
    row = parent_if_readable(row)
    record = actor_dict(page, "organisation", row, alias_details(row[0]))
    children = Actor.objects.filter(readable(), parent_id=row[0]).order_by("name").values_list("slug", "name")
    record["children"] = [page.summary("organisation", *child) for child in children]
    record["members"] = memberships(page, organisation_id=row[0])
    record["created"], record["modified"] = record.pop("created"), record.pop("modified")
    return JsonResponse(record)


# --- events --------------------------------------------------------------------------------------------------------

EVENT_FIELDS = ("id", "slug", "title", "kind", "start", "start_precision", "end", "end_precision", "place", "country")
EVENT_FIELDS += ("description", "created", "modified")


def event_topics(page: Page, ids: list[int]) -> dict:
    rows = grouped(
        Event.topics.through.objects.filter(readable("topic__"), event_id__in=ids)
        .order_by("topic__kind", "topic__udhr_article", "topic__name")
        .values_list("event_id", "topic__slug", "topic__name")
    )
    return {key: [page.summary("topic", *row) for row in topics] for key, topics in rows.items()}


def event_dict(page: Page, row: tuple, topics: dict) -> dict:
    pk, slug, title, kind, start, start_precision, end, end_precision, place, country, description, *times = row
    return {
        "url": page.url("event", slug),
        "type": "event",
        "slug": slug,
        "title": title,
        "kind": kind,
        "start": partial_date(start, start_precision),
        "end": partial_date(end, end_precision),
        "place": place,
        "country": country,
        "description": description,
        "topics": topics.get(pk, []),
        "created": times[0],
        "modified": times[1],
    }


def event_list(request):
    page = Page(request)
    rows, next_link = keyset_page(request, Event.objects.filter(readable()), EVENT_FIELDS)
    topics = event_topics(page, [row[0] for row in rows])
    return JsonResponse({"next": next_link, "results": [event_dict(page, row, topics) for row in rows]})


def event_detail(request, slug):
    page = Page(request)
    row = detail_row(Event.objects.filter(readable()), slug, (*EVENT_FIELDS, "aliases"))
    pk = row[0]
    record = event_dict(page, row[:-1], event_topics(page, [pk]))
    participants = list(
        Participant.objects.filter(readable("actor__"), event_id=pk).values_list(
            "id", "actor__kind", "actor__slug", "actor__name", "role", "role_title", "rank", "rank_reason"
        )
    )
    participant_citations = grouped(
        ParticipantCitation.objects.filter(
            readable("source__"), subject_id__in=[participant[0] for participant in participants]
        ).values_list("subject_id", *CITATION_FIELDS)
    )
    related_reports = (
        Event.related_reports.through.objects.filter(readable("report__"), event_id=pk)
        .order_by("-report__published", "report__title")
        .values_list("report__slug", "report__title")
    )
    citations = EventCitation.objects.filter(readable("source__"), subject_id=pk).values_list(*CITATION_FIELDS)
    record.update(
        aliases=[line.strip() for line in row[-1].splitlines() if line.strip()],
        participants=[
            {
                "actor": page.summary(kind, actor_slug, actor_name),
                "role": role,
                "role_title": role_title,
                "rank": rank,
                "rank_reason": rank_reason,
                "citations": citation_dicts(page, participant_citations.get(participant, [])),
            }
            for participant, kind, actor_slug, actor_name, role, role_title, rank, rank_reason in participants
        ],
        related_reports=[page.summary("report", *report) for report in related_reports],
        citations=citation_dicts(page, citations),
    )
    record["created"], record["modified"] = record.pop("created"), record.pop("modified")
    return JsonResponse(record)


# --- quotes --------------------------------------------------------------------------------------------------------

QUOTE_FIELDS = ("id", "slug", "text", "speaker__slug", "speaker__name", "said", "said_precision", "occasion")
QUOTE_FIELDS += ("language", "source__slug", "source__title", "source__status", "source__restricted", "created")
QUOTE_FIELDS += ("modified",)


def quotes():
    # A quote is only as readable as the person who said it.
    return Quote.objects.filter(readable(), readable("speaker__"))


def quote_dict(page: Page, row: tuple) -> dict:
    (_, slug, text, speaker_slug, speaker_name, said, precision, occasion, language, source_slug, source_title,
     source_status, source_restricted, created, modified) = row  # fmt: skip
    source_readable = access.allows((source_status, source_restricted), restricted=False)
    return {
        "url": page.url("quote", slug),
        "type": "quote",
        "slug": slug,
        "text": text,
        "speaker": page.summary("person", speaker_slug, speaker_name),
        "said": partial_date(said, precision),
        "occasion": occasion,
        "language": language,
        "source": page.summary("report", source_slug, source_title) if source_readable else None,
        "created": created,
        "modified": modified,
    }


def quote_list(request):
    page = Page(request)
    rows, next_link = keyset_page(request, quotes(), QUOTE_FIELDS)
    return JsonResponse({"next": next_link, "results": [quote_dict(page, row) for row in rows]})


def quote_detail(request, slug):
    page = Page(request)
    row = detail_row(quotes(), slug, QUOTE_FIELDS)
    record = quote_dict(page, row)
    citations = QuoteCitation.objects.filter(readable("source__"), subject_id=row[0]).values_list(*CITATION_FIELDS)
    record["citations"] = citation_dicts(page, citations)
    record["created"], record["modified"] = record.pop("created"), record.pop("modified")
    return JsonResponse(record)


urlpatterns = [
    path("reports/", report_list, name="report-list"),
    path("reports/<slug:slug>/", report_detail, name="report-detail"),
    path("people/", person_list, name="person-list"),
    path("people/<slug:slug>/", person_detail, name="person-detail"),
    path("organisations/", organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/", organisation_detail, name="organisation-detail"),
    path("events/", event_list, name="event-list"),
    path("events/<slug:slug>/", event_detail, name="event-detail"),
    path("quotes/", quote_list, name="quote-list"),
    path("quotes/<slug:slug>/", quote_detail, name="quote-detail"),
]
