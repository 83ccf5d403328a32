"""Writes that touch several records of the events app: linking mentions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, models, transaction

from actors.models import Actor, Alias
from reports.models import Report

from .choices import MentionOrigin
from .linking import MIN_PREFIX_WORDS, Matcher, Name, Target
from .models import Event, Mention

BATCH_SIZE = 500

# A long report title can match a span longer than a mention's text column holds.
_MAX_TEXT = Mention._meta.get_field("text").max_length


@dataclass
class LinkResult:
    """What :func:`mentions_link` did: linked mentions added, removed and left as they were."""

    reports: int = 0
    added: int = 0
    removed: int = 0
    kept: int = 0
    ambiguous: list[str] = field(default_factory=list)

    @property
    def linked(self) -> int:
        """Linked mentions the reports now carry."""
        return self.added + self.kept


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def known_names() -> Iterator[Name]:
    """Every name linking looks for: actors' names and aliases, report and event titles and their aliases."""
    for pk, name in Actor.objects.values_list("pk", "name").iterator():
        yield Name(name, Target("actor", pk))
    for pk, name in Alias.objects.values_list("actor_id", "name").iterator():
        yield Name(name, Target("actor", pk))
    for pk, title, aliases in Report.objects.values_list("pk", "title", "aliases").iterator():
        target = Target("report", pk)
        yield Name(title, target)
        prefix, colon, _ = title.partition(":")
        if colon and len(prefix.split()) >= MIN_PREFIX_WORDS:
            yield Name(prefix, target, derived=True)
        for alias in _lines(aliases):
            yield Name(alias, target)
    for pk, title, aliases in Event.objects.values_list("pk", "title", "aliases").iterator():
        target = Target("event", pk)
        for name in (title, *_lines(aliases)):
            yield Name(name, target)


def matcher_build() -> Matcher:
    """A matcher for every name in the database; build it once per run."""
    return Matcher.build(known_names())


def mentions_link(
    *,
    reports: models.QuerySet[Report] | Iterable[int] | None = None,
    matcher: Matcher | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> LinkResult:
    """Record a linked mention wherever a report's text names a known actor, report or event.

    ``reports`` is a queryset or an iterable of report ids (default: every
    report). Each report's linked mentions become exactly what the matcher
    finds now: new spans are added, stale ones removed, the rest left alone,
    so linking twice writes nothing. Curated mentions are never touched, and a
    found span that overlaps one is not linked (the curator's reading wins).
    A report's own titles are not linked in its own text. ``progress`` is
    called with the number of reports done after each batch.
    """
    matcher = matcher or matcher_build()
    result = LinkResult(ambiguous=matcher.ambiguous)
    if reports is None:
        reports = Report.objects.all()
    if isinstance(reports, models.QuerySet):
        reports = reports.order_by("pk").values_list("pk", flat=True).iterator()
    with transaction.atomic():
        batch: list[int] = []
        for pk in reports:
            batch.append(pk)
            if len(batch) == batch_size:
                _link_batch(batch, matcher, result)
                batch = []
                if progress:
                    progress(result.reports)
        if batch:
            _link_batch(batch, matcher, result)
            if progress:
                progress(result.reports)
    return result


def _link_batch(report_ids: list[int], matcher: Matcher, result: LinkResult) -> None:
    linked: dict[int, dict[tuple, int]] = {pk: {} for pk in report_ids}
    curated: dict[int, list[tuple[int, int]]] = {pk: [] for pk in report_ids}
    for pk, report_id, start, end, text, actor, mentioned_report, event, origin in Mention.objects.filter(
        report_id__in=report_ids
    ).values_list("pk", "report_id", "start", "end", "text", "actor_id", "mentioned_report_id", "event_id", "origin"):
        if origin == MentionOrigin.LINKED:
            linked[report_id][(start, end, text, actor, mentioned_report, event)] = pk
        else:
            curated[report_id].append((start, end))

    stale: list[int] = []
    new: list[tuple] = []
    for report_id, text in Report.objects.filter(pk__in=report_ids).values_list("pk", "text"):
        stored = linked[report_id]
        spans = curated[report_id]
        for match in matcher.find(text, exclude=Target("report", report_id)):
            if len(match.text) > _MAX_TEXT or any(match.start < end and start < match.end for start, end in spans):
                continue
            kind, target = match.target
            key = (
                match.start,
                match.end,
                match.text,
                target if kind == "actor" else None,
                target if kind == "report" else None,
                target if kind == "event" else None,
            )
            if stored.pop(key, None) is not None:
                result.kept += 1
                continue
            new.append((report_id, *key, MentionOrigin.LINKED.value))
        stale.extend(stored.values())
        result.reports += 1

    if stale:
        Mention.objects.filter(pk__in=stale).delete()
        result.removed += len(stale)
    if new:
        _insert_mentions(new)
        result.added += len(new)


_INSERT_COLUMNS = ("report_id", "start", "end", "text", "actor_id", "mentioned_report_id", "event_id", "origin")


def _insert_mentions(rows: list[tuple]) -> None:
    """Insert mention rows (values in ``_INSERT_COLUMNS`` order) in one round of writes.

    Linking writes tens of mentions per report; building a model instance for
    each and letting bulk_create prepare every field costs more than scanning
    the text, so the rows go to the database as plain tuples: through COPY on
    PostgreSQL (several times faster than any INSERT), ``executemany``
    elsewhere. Nothing is lost: Mention has no save() logic, no history and no
    signals, and the database enforces its constraints.
    """
    quote = connection.ops.quote_name
    table = quote(Mention._meta.db_table)
    columns = ", ".join(quote(column) for column in _INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
