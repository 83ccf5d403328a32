"""The publish rule: what a published record must have a source for. Written once, here.

A *fact* — a membership, an actor's part in an event, a quote, a report's date
or authorship, an event's date — cannot be published without a citation,
unless the curator marks it unsourced and says why (``unsourced_reason``). A
*description* (an actor's or an event's description, a report's summary) is
either cited or marked as the curator's own summary (``own_summary``).

The rule is a table (:data:`RULES`): for each model, what it must have a
source for, when that applies, which citation claims count, and which mark
waives it. Every form the callers need is derived from it, as SQL
conditions, so one record and a whole table are judged by the same
expression: :func:`unmet` says what one record lacks (the admin, imports,
fixture loading), :func:`unmet_q` finds every published record that breaks
the rule (:func:`unmet_in_table_q` the same in a whole table, for the claims
review), :func:`check_publishable` refuses one with a message naming what to
cite. Drafts are never judged: the rule is about what
is published.

Citations live downstream (``sources``), so the rule reaches them through the
reverse relation every citation table names ``citations``; a participant is
published with its event, so an event is judged with its participants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from .models import Status

FACT = "fact"
DESCRIPTION = "description"


@dataclass(frozen=True)
class Requirement:
    """One thing a published record must have a source for."""

    label: str  # what the curator reads: "its date"
    kind: str  # FACT (waived by unsourced_reason) or DESCRIPTION (waived by own_summary)
    # When a record states it (has a date, has authors), as a condition on the model; always if None.
    applies: Callable[[type[models.Model]], Q | Exists] | None
    claims: tuple[str, ...] = ()  # the citation claims that source it; () for any citation

    @property
    def waiver(self) -> str:
        return "unsourced_reason" if self.kind == FACT else "own_summary"

    def hint(self) -> str:
        cite = f"cite it (claim {' or '.join(repr(c) for c in self.claims)})" if self.claims else "cite it"
        mark = (
            "or say why it is published unsourced"
            if self.kind == FACT
            else "or mark the description as your own summary"
        )
        return f"{self.label}: {cite}, {mark}"


def _exists(model: type[models.Model], relation: str, condition: Q | None = None) -> Exists:
    """EXISTS over the rows of ``model``'s reverse ``relation`` pointing at the outer record."""
    field = model._meta.get_field(relation)
    rows = field.related_model._base_manager.filter(**{field.field.name: OuterRef("pk")})
    return Exists(rows.filter(condition) if condition is not None else rows)


def _present(field: str) -> Q:
    return ~Q(**{field: ""})


def _has(field: str) -> Callable[[type[models.Model]], Q]:
    return lambda model: ~Q(**{field: ""})


def _dated(field: str) -> Callable[[type[models.Model]], Q]:
    return lambda model: Q(**{f"{field}__isnull": False})


def _has_rows(relation: str) -> Callable[[type[models.Model]], Exists]:
    return lambda model: _exists(model, relation)


# For each model (by label), what its published records must have sources for.
# Participants have no status of their own: they are judged with their event (CHILDREN).
RULES: dict[str, tuple[Requirement, ...]] = {
    "actors.actor": (Requirement("its description", DESCRIPTION, _has("description"), ("description",)),),
    "actors.membership": (Requirement("the membership", FACT, None),),
    "reports.report": (
        Requirement("its date", FACT, _dated("published"), ("published",)),
        Requirement("its authorship", FACT, _has_rows("authorships"), ("author",)),
        # A summary states what the report says: its findings and content count as its sources.
        Requirement("its summary", DESCRIPTION, _has("summary"), ("summary", "content", "finding")),
    ),
    "reports.quote": (Requirement("the quote", FACT, None),),
    "events.event": (
        Requirement("its date", FACT, _dated("start"), ("start",)),
        Requirement("its description", DESCRIPTION, _has("description"), ("description",)),
    ),
    "events.participant": (Requirement("the part in the event", FACT, None),),
}
CHILDREN: dict[str, str] = {"events.event": "participants"}


def _label(model: type[models.Model]) -> str:
    return model._meta.concrete_model._meta.label_lower


def requirements(model: type[models.Model]) -> tuple[Requirement, ...]:
    return RULES.get(_label(model), ())


def governed(model: type[models.Model]) -> bool:
    """Whether the publish rule says anything about ``model``'s records."""
    return _label(model) in RULES


def _missing_q(model: type[models.Model], requirement: Requirement) -> Q:
    """Records of ``model`` that state what ``requirement`` is about, with neither a source nor a waiver."""
    cited = _exists(model, "citations", Q(claim__in=requirement.claims) if requirement.claims else None)
    waived = _present(requirement.waiver) if requirement.kind == FACT else Q(**{requirement.waiver: True})
    applies = Q(requirement.applies(model)) if requirement.applies else Q()
    return applies & ~Q(cited) & ~waived


def unmet_q(model: type[models.Model]) -> Q:
    """Published records of ``model`` (or, for a participant, of its event) that break the rule."""
    condition = Q(pk__in=[])
    for requirement in requirements(model):
        condition |= _missing_q(model, requirement)
    child = CHILDREN.get(_label(model))
    if child:
        child_model = model._meta.get_field(child).related_model
        child_condition = Q(pk__in=[])
        for requirement in requirements(child_model):
            child_condition |= _missing_q(child_model, requirement)
        condition |= _exists(model, child, child_condition)
    return _published_q(model) & condition


def unmet_in_table_q(model: type[models.Model]) -> Q:
    """:func:`unmet_q` for a whole table (the claims review): the same records, found at a table's scale.

    Under :func:`unmet_q`'s OR no index or join can answer a NOT EXISTS, so
    every row's citations are probed once per requirement. Here each
    requirement is its own subquery, which the database runs once, as an
    anti-join, and every row is then looked up in its result. For one record
    or a few (the admin, loaddata), :func:`unmet_q` is the cheaper form.
    """
    base = model._base_manager
    condition = Q(pk__in=[])
    for requirement in requirements(model):
        condition |= Q(pk__in=base.filter(_missing_q(model, requirement)).values("pk"))
    child = CHILDREN.get(_label(model))
    if child:
        relation = model._meta.get_field(child)
        child_model = relation.related_model
        for requirement in requirements(child_model):
            missing = child_model._base_manager.filter(_missing_q(child_model, requirement))
            condition |= Q(pk__in=missing.values(relation.field.attname))
    return _published_q(model) & condition


def _published_q(model: type[models.Model]) -> Q:
    return Q(status=Status.PUBLISHED) if hasattr(model, "status") else Q(event__status=Status.PUBLISHED)


def waive_unsourced(queryset: models.QuerySet, *, reason: str) -> int:
    """Mark what the rule finds unsourced among ``queryset``'s records (drafts too) as unsourced, for ``reason``.

    For bulk writers whose data has no source for some facts by nature (the
    benchmarks' synthetic corpus): one UPDATE per requirement, facts getting
    ``reason`` and descriptions the own-summary mark. Returns the rows marked.
    """
    model = queryset.model
    marked = 0
    for requirement in requirements(model):
        value = reason if requirement.kind == FACT else True
        marked += queryset.filter(_missing_q(model, requirement)).update(**{requirement.waiver: value})
    return marked


def marked_unsourced_q(model: type[models.Model]) -> Q:
    """Published records of ``model`` that carry an unsourced mark: what the claims review lists for a second look."""
    if not hasattr(model, "unsourced_reason"):
        return Q(pk__in=[])
    return _published_q(model) & _present("unsourced_reason")


def unmet(record: models.Model, *, as_published: bool = False) -> list[str]:
    """What ``record`` lacks to be published, one line each ([] when it complies or is a draft).

    ``as_published`` judges it as if it were published (before publishing it). The record must be saved:
    its citations are read from the database.
    """
    model = type(record)
    if not governed(model) or record.pk is None:
        return []
    base = model._base_manager.filter(pk=record.pk)
    if not as_published:
        if hasattr(record, "status"):
            if record.status != Status.PUBLISHED:
                return []
        elif not base.filter(_published_q(model)).exists():  # a participant: published with its event
            return []
    lines = [r.hint() for r in requirements(model) if base.filter(_missing_q(model, r)).exists()]
    child = CHILDREN.get(_label(model))
    if child:
        for row in getattr(record, child).all():
            lines += [f"{row}: {line}" for line in unmet(row, as_published=True)]
    return lines


def check_publishable(record: models.Model, *, as_published: bool = False) -> None:
    """Raise a ValidationError on ``status`` naming what ``record`` lacks to be published."""
    lines = unmet(record, as_published=as_published)
    if lines:
        raise ValidationError(
            {"status": [f"{record} cannot be published without a source for " + "; ".join(lines) + "."]},
            code="unsourced",
        )
