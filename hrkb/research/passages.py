"""Passages of the stored texts: in context for dossiers, cut into segments for the source viewer.

Offsets everywhere are in code points (Python's ``str`` indices), as the
citations and mentions store them. Context is cut in the database (``SUBSTR``
counts characters on both PostgreSQL and SQLite), so a dossier never loads a
whole source text to show thirty-two characters of it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.db.models import F, IntegerField, Value
from django.db.models.functions import Greatest, Least, Substr
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

#: Characters of context each side of a citation, as Hypothesis keeps (and the stored prefix/suffix).
CONTEXT = 32
#: Characters each side of a mention: a name alone says little, its sentence says what the text says of it.
MENTION_CONTEXT = 90


def context(text_field: str, *, width: int = CONTEXT) -> dict:
    """Annotations ``before`` and ``after``: up to ``width`` characters of ``text_field`` around start–end."""
    start, end = F("start"), F("end")
    return {
        "before": Substr(
            text_field,
            Greatest(start - (width - 1), Value(1), output_field=IntegerField()),
            Least(start, Value(width), output_field=IntegerField()),
        ),
        "after": Substr(text_field, end + 1, Value(width)),
    }


def context_subquery(*, width: int = CONTEXT, report: str = "report_id") -> dict:
    """Like :func:`context`, read by a subquery on the report: a list's count then joins no report text."""
    from django.db.models import OuterRef, Subquery

    from reports.models import Report

    start, end = OuterRef("start"), OuterRef("end")
    texts = Report.objects.filter(pk=OuterRef(report)).order_by()
    before = Substr(
        "text",
        Greatest(start - (width - 1), Value(1), output_field=IntegerField()),
        Least(start, Value(width), output_field=IntegerField()),
    )
    return {
        "before": Subquery(texts.annotate(value=before).values("value")[:1]),
        "after": Subquery(texts.annotate(value=Substr("text", end + 1, Value(width))).values("value")[:1]),
    }


def in_context(before: str, passage: str, after: str, *, width: int = CONTEXT) -> SafeString:
    """The passage highlighted between its context, with an ellipsis where the context was cut."""
    before = before or ""
    after = after or ""
    lead = "…" if len(before) >= width else ""
    tail = "…" if len(after) >= width else ""
    return format_html(
        '<span class="context">{}{}</span><mark class="passage">{}</mark><span class="context">{}{}</span>',
        lead,
        before,
        passage,
        after,
        tail,
    )


@dataclass
class Mark:
    """Something anchored at start–end of a text: a mention of a record, or a citation of a fact."""

    anchor: str  # its id in the page: m-12, c-membership-3
    layer: str  # "mention" or "citation"
    kind: str  # mention: person/organisation/report/event; citation: the fact's kind
    start: int
    end: int
    label: str
    url: str | None = None  # the record's dossier, or the fact's place in one
    change_url: str | None = None
    detail: str = ""  # rank and confidence of a citation; origin of a mention
    classes: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "anchor": self.anchor,
            "layer": self.layer,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "url": self.url,
            "change_url": self.change_url,
            "detail": self.detail,
        }


@dataclass
class Segment:
    start: int
    end: int
    marks: list[Mark] = field(default_factory=list)


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Cut ``text`` at every start and end of a mark; each segment lists the marks that cover it.

    Marks outside the text (offsets past its end) are clipped; empty ones are dropped.
    """
    length = len(text)
    marks = [mark for mark in marks if 0 <= mark.start < mark.end <= length]
    cuts = sorted({0, length, *(mark.start for mark in marks), *(mark.end for mark in marks)})
    by_start = sorted(marks, key=lambda mark: (mark.start, -mark.end))
    active: list[Mark] = []
    pending = 0
    result = []
    for start, end in itertools.pairwise(cuts):
        while pending < len(by_start) and by_start[pending].start <= start:
            active.append(by_start[pending])
            pending += 1
        active = [mark for mark in active if mark.end > start]
        result.append(Segment(start, end, list(active)))
    return result


def render(text: str, marks: list[Mark]) -> SafeString:
    """The text as HTML: each segment a span carrying its start offset, stacked classes and marks.

    No whitespace or other text is added between spans: the element's text
    content is exactly the stored text, which is what lets the browser turn a
    selection back into offsets.
    """
    starts: dict[int, list[str]] = {}
    for mark in marks:
        starts.setdefault(mark.start, []).append(mark.anchor)
    html = []
    for segment in segments(text, marks):
        for anchor in starts.pop(segment.start, []):
            html.append(f'<span class="anchor" id="{escape(anchor)}"></span>')
        piece = escape(text[segment.start : segment.end])
        if not segment.marks:
            html.append(f'<span data-start="{segment.start}">{piece}</span>')
            continue
        classes = {"marked"}
        for mark in segment.marks:
            classes.update((mark.layer, f"{mark.layer}-{mark.kind}", *mark.classes))
        if len({mark.layer for mark in segment.marks}) > 1 or len(segment.marks) > 1:
            classes.add("overlap")
        depth = min(len(segment.marks), 4)
        html.append(
            f'<span data-start="{segment.start}" class="{" ".join(sorted(classes))} depth-{depth}" '
            f'data-marks="{escape(" ".join(mark.anchor for mark in segment.marks))}">{piece}</span>'
        )
    return mark_safe("".join(html))
