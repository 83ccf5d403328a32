"""Merging a duplicate record into the one that survives: one mechanism for actors, reports and events.

What points at the duplicate is found through Django's model graph, so an app
that points at actors, reports or events needs no hook here:

- a row pointing at the duplicate (a membership, an alias, a citation, a
  mention, a participation…) is *moved* to the survivor, unless the survivor
  already has the same row — same identity: the model's ``merge_identity``, or
  else its unique constraint — when it is *folded* into that one: the same
  mechanism merges the two rows (their own citations move, their identical
  citations fold), and differences between them are reported as conflicts
  in which the survivor's row wins;
- a row whose offsets point into the duplicate's text (a citation of it as a
  source, a mention in it) declares so with ``anchor = (foreign key, words
  field)``; unless the survivor ends up with the same text, its passage is
  found again in the survivor's (:mod:`hrkb.anchoring`), and a passage that
  is not there blocks the merge;
- many-to-many links (publishers, topics, references) are carried over
  without doubling, from either side;
- the survivor keeps its own values and takes the duplicate's where its own
  are blank; the duplicate's name is kept as another name of the survivor;
- history: every moved row, the survivor and the duplicate's deletion are
  recorded with the merging user and a reason, and history rows that pointed
  at the duplicate point at the survivor, so every moved record's history
  still opens; the duplicate's slug redirects to the survivor (a deleted
  duplicate plus a :class:`~hrkb.models.SlugRedirect` is how the partners'
  changes feed reports a merge).

:func:`merge_plan` says all that before anything is written — the admin's
preview — and :func:`merge_apply` does it in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.models import HistoricalChanges

from . import sourcing
from .anchoring import TextChange, find_near
from .history import reason_text
from .models import SlugRedirect

# Values a merge never copies from the duplicate.
_OWN = {"id", "slug", "status", "restricted", "created", "modified"}


@dataclass
class RowChange:
    """What happens to one row that points at the duplicate."""

    relation: str  # the rows' name, e.g. "memberships"
    row: models.Model
    via: str  # the foreign key that pointed at the duplicate
    into: models.Model | None = None  # the survivor's identical row it is folded into
    span: tuple[int, int] | None = None  # new offsets, for a row anchored in the duplicate's text
    conflicts: list[str] = field(default_factory=list)
    children: list[RowChange] = field(default_factory=list)  # a folded row's own rows

    @property
    def folded(self) -> bool:
        return self.into is not None


@dataclass
class LinkChange:
    """Many-to-many links of the duplicate, carried over to the survivor."""

    relation: str
    records: list[models.Model]
    already: list[models.Model]  # linked to the survivor too: kept once


@dataclass
class MergePlan:
    survivor: models.Model
    duplicate: models.Model
    rows: list[RowChange] = field(default_factory=list)
    links: list[LinkChange] = field(default_factory=list)
    filled: dict[str, object] = field(default_factory=dict)  # the survivor's blank fields, from the duplicate
    differing: list[tuple[str, object, object]] = field(default_factory=list)  # (field, survivor's, duplicate's)
    problems: list[str] = field(default_factory=list)  # what stops the merge

    def __post_init__(self):
        # Kept: the duplicate's slug is gone from the instance once it is deleted.
        self.duplicate_slug = self.duplicate.slug

    @property
    def moved(self) -> list[RowChange]:
        return [change for change in self.rows if not change.folded]

    @property
    def folded(self) -> list[RowChange]:
        return [change for change in self.rows if change.folded]

    def by_relation(self) -> list[tuple[str, list[RowChange]]]:
        groups: dict[str, list[RowChange]] = {}
        for change in self.rows:
            groups.setdefault(change.relation, []).append(change)
        return list(groups.items())


def _is_history(model) -> bool:
    return issubclass(model, HistoricalChanges)


def _concrete(model):
    return model._meta.concrete_model


def _identity(model) -> tuple[str, ...]:
    """The fields that make two rows of ``model`` the same fact."""
    declared = getattr(model, "merge_identity", None)
    if declared:
        return tuple(declared)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None and constraint.fields:
            return tuple(constraint.fields)
    return ()


def _pointing_fields(model):
    """Foreign keys of other (non-history) models that point at ``model``'s table, hidden ones included."""
    concrete = _concrete(model)
    for relation in concrete._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many or relation.one_to_one) or not relation.auto_created:
            continue
        if _is_history(relation.related_model) or relation.related_model._meta.auto_created:
            continue  # history is repointed apart; many-to-many tables are links (see _many_to_many)
        yield relation.related_model, relation.field


def _many_to_many(model):
    """Each many-to-many link of ``model``'s records, once: (through model, column pointing at the record,
    column pointing at the other side, the field, whether the field is the record's own)."""
    concrete = _concrete(model)
    for m2m in concrete._meta.many_to_many:
        if m2m.remote_field.through._meta.auto_created:
            yield m2m.remote_field.through, m2m.m2m_field_name(), m2m.m2m_reverse_field_name(), m2m, True
    for relation in concrete._meta.get_fields(include_hidden=True):
        if relation.many_to_many and relation.auto_created:
            m2m = relation.field
            if m2m.remote_field.through._meta.auto_created:
                yield m2m.remote_field.through, m2m.m2m_reverse_field_name(), m2m.m2m_field_name(), m2m, False


def _differences(keep, drop, skip) -> list[str]:
    notes = []
    for field_ in keep._meta.concrete_fields:
        if field_.name in _OWN or field_.name in skip or field_.primary_key:
            continue
        ours, theirs = field_.value_from_object(keep), field_.value_from_object(drop)
        if ours != theirs and theirs not in ("", None):
            notes.append(f"{field_.verbose_name}: {_shown(theirs)} (kept: {_shown(ours)})")
    return notes


def _shown(value) -> str:
    text = "—" if value in ("", None) else str(value)
    return text if len(text) <= 60 else f"{text[:59]}…"


def merge_plan(survivor, duplicate, *, text_field: str | None = None) -> MergePlan:
    """What merging ``duplicate`` into ``survivor`` would do, and what would stop it; nothing is written."""
    if type(survivor)._meta.concrete_model is not type(duplicate)._meta.concrete_model:
        raise ValidationError("Only records of the same kind can be merged.")
    if survivor.pk == duplicate.pk:
        raise ValidationError(f"{survivor} cannot be merged into itself.")
    plan = MergePlan(survivor, duplicate)
    for field_ in survivor._meta.concrete_fields:
        if field_.name in _OWN or field_.primary_key or not field_.editable:
            continue
        ours, theirs = field_.value_from_object(survivor), field_.value_from_object(duplicate)
        if ours in ("", None) and theirs not in ("", None):
            plan.filled[field_.name] = theirs
        elif ours != theirs and theirs not in ("", None, False):
            plan.differing.append((field_.verbose_name, ours, theirs))
    if getattr(duplicate, "own_summary", False) and {"description", "summary"} & set(plan.filled):
        # The description comes with what it is: the duplicate's own summary stays marked as one.
        plan.filled["own_summary"] = True
    change = None
    if text_field:
        old = getattr(duplicate, text_field)
        new = plan.filled.get(text_field, getattr(survivor, text_field))
        change = TextChange(old, new) if old != new else None
    plan.rows = _row_changes(survivor, duplicate, change, plan.problems)
    plan.links = _link_changes(survivor, duplicate)
    return plan


def _row_changes(survivor, duplicate, change: TextChange | None, problems: list[str]) -> list[RowChange]:
    changes = []
    for model, fk in _pointing_fields(type(duplicate)):
        for row in model._base_manager.filter(**{fk.name: duplicate.pk}).order_by("pk"):
            changes.append(_row_change(model, fk, row, survivor, change, problems))
    return changes


def _row_change(model, fk, row, survivor, change, problems) -> RowChange:
    relation = str(model._meta.verbose_name_plural)
    result = RowChange(relation, row, fk.name)
    anchor = getattr(model, "anchor", None)
    values = {fk.name: survivor}
    anchored = anchor and anchor[0] == fk.name and change is not None
    if anchored and (row.start is not None or change.new):
        words = getattr(row, anchor[1])
        # A row without offsets pointed at a text not stored; now there is one, the passage must be in it.
        span = (
            change.reanchor(row.start, row.end, words)
            if row.start is not None
            else find_near(change.new, words, near=0)
        )
        if span is None:
            problems.append(
                f"{relation}: \u201c{_shown(words)}\u201d ({row}) is not in the text of {survivor}: "
                "fix or delete it first, or keep the other record"
            )
            return result
        result.span = (span.start, span.end)
        values |= {"start": span.start, "end": span.end}
    identity = _identity(model)
    if fk.name in identity or not identity:
        lookup = {name: values.get(name, getattr(row, name)) for name in identity}
        twin = model._base_manager.filter(**lookup).exclude(pk=row.pk).first() if identity else None
        if twin is not None:
            result.into = twin
            result.conflicts = _differences(twin, row, skip={fk.name, *identity})
            result.children = _row_changes(twin, row, None, problems)
    return result


def _link_changes(survivor, duplicate) -> list[LinkChange]:
    links = []
    for through, ours, theirs, m2m, forward in _many_to_many(type(duplicate)):
        other = m2m.related_model if forward else m2m.model
        their_ids = list(through.objects.filter(**{f"{ours}_id": duplicate.pk}).values_list(f"{theirs}_id", flat=True))
        if not their_ids:
            continue
        kept = set(through.objects.filter(**{f"{ours}_id": survivor.pk}).values_list(f"{theirs}_id", flat=True))
        records = list(other._base_manager.filter(pk__in=their_ids).order_by("pk"))
        name = m2m.name if forward else str(m2m.model._meta.verbose_name_plural)
        links.append(LinkChange(name, records, [r for r in records if r.pk in kept]))
    return links


def other_names_keeper(name_field: str, lines_field: str = "aliases"):
    """A ``keep_name`` for records whose other names are lines of a text field (reports' and events' aliases)."""

    def keep(survivor, duplicate) -> None:
        lines = [line.strip() for line in getattr(survivor, lines_field).splitlines() if line.strip()]
        theirs = [getattr(duplicate, name_field), *getattr(duplicate, lines_field).splitlines()]
        for name in (line.strip() for line in theirs):
            if name and name != getattr(survivor, name_field) and name not in lines:
                lines.append(name)
        setattr(survivor, lines_field, "\n".join(lines))

    return keep


def _mark(record, user, reason: str) -> None:
    record._history_user = user
    record._change_reason = reason_text(reason)


@transaction.atomic
def merge_apply(
    plan: MergePlan,
    *,
    user=None,
    keep_name: Callable[[models.Model, models.Model], None] | None = None,
) -> models.Model:
    """Carry out ``plan`` (see :func:`merge_plan`) in one transaction; return the survivor.

    ``keep_name(survivor, duplicate)`` records the duplicate's name as another
    name of the survivor (an alias, a line of other titles).
    """
    if plan.problems:
        raise ValidationError(plan.problems)
    survivor, duplicate = plan.survivor, plan.duplicate
    reason = f"Merged {duplicate} ({duplicate.slug}) into {survivor} ({survivor.slug})"
    unsourced_before = set(sourcing.unmet(survivor))
    # Blank fields are filled first (a text the moved citations point into), unique ones once the duplicate is gone.
    unique = {name for name in plan.filled if _unique(type(survivor), name)}
    early = {name: value for name, value in plan.filled.items() if name not in unique}
    if early:
        type(survivor)._base_manager.filter(pk=survivor.pk).update(**early)
        for name, value in early.items():
            setattr(survivor, name, value)
    for change in plan.rows:
        _apply_row(change, survivor, user, reason)
    _apply_links(plan, user, reason)
    _repoint_history(type(duplicate), duplicate.pk, survivor.pk)
    old_slug = duplicate.slug
    _mark(duplicate, user, reason)
    duplicate.delete()
    for name in unique:
        setattr(survivor, name, plan.filled[name])
    if keep_name:
        keep_name(survivor, duplicate)
    SlugRedirect.objects.record(survivor, old_slug)
    _mark(survivor, user, reason)
    survivor.save()  # bumps `modified`, so syncing partners see the change; records the merge in history
    # What the duplicate brought must not leave the survivor published without its sources.
    unsourced = [line for line in sourcing.unmet(survivor) if line not in unsourced_before]
    if unsourced:
        raise ValidationError(
            f"Merging would leave {survivor} published without a source for " + "; ".join(unsourced) + "."
        )
    return survivor


def _unique(model, name: str) -> bool:
    if model._meta.get_field(name).unique:
        return True
    return any(
        isinstance(constraint, models.UniqueConstraint) and name in constraint.fields
        for constraint in model._meta.constraints
    )


def _apply_row(change: RowChange, survivor, user, reason: str) -> None:
    row = change.row
    if change.folded:
        twin = change.into
        for child in change.children:
            _apply_row(child, twin, user, reason)
        _repoint_history(type(row), row.pk, twin.pk)
        slug = getattr(row, "slug", None)
        _mark(row, user, f"Folded into {getattr(twin, 'slug', None) or twin.pk} by a merge: the same fact")
        row.delete()
        if slug:
            SlugRedirect.objects.record(twin, slug)
        return
    # Read again: the same row may point at the duplicate twice (a report's citation of its own text).
    row = type(row)._base_manager.get(pk=row.pk)
    setattr(row, change.via, survivor)
    if change.span:
        row.start, row.end = change.span
    _make_room(row)
    _mark(row, user, reason)
    row.save()


def _make_room(row) -> None:
    """A moved row that would take a place already taken in an ordered list (a byline position) goes last."""
    for constraint in row._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition is not None:
            continue
        ordering = [name for name in constraint.fields if name == "position"]
        if not ordering:
            continue
        others = {name: getattr(row, name) for name in constraint.fields if name != "position"}
        taken = type(row)._base_manager.filter(**others).exclude(pk=row.pk)
        if taken.filter(position=row.position).exists():
            row.position = (taken.aggregate(top=models.Max("position"))["top"] or 0) + 1


def _apply_links(plan: MergePlan, user, reason: str) -> None:
    survivor, duplicate = plan.survivor, plan.duplicate
    for through, ours, theirs, m2m, forward in _many_to_many(type(duplicate)):
        rows = through.objects.filter(**{f"{ours}_id": duplicate.pk})
        other_ids = list(rows.values_list(f"{theirs}_id", flat=True))
        if not other_ids:
            continue
        if _concrete(m2m.related_model) is _concrete(m2m.model):
            # A link between the two (a report citing its own duplicate) would become a self-link: dropped.
            other_ids = [pk for pk in other_ids if pk not in (duplicate.pk, survivor.pk)]
        kept = set(through.objects.filter(**{f"{ours}_id": survivor.pk}).values_list(f"{theirs}_id", flat=True))
        rows.delete()
        through.objects.bulk_create(
            through(**{f"{ours}_id": survivor.pk, f"{theirs}_id": pk}) for pk in other_ids if pk not in kept
        )
        if not forward:
            # The records on the other side changed (a report's publishers): each gets one history entry.
            owner_model = m2m.model
            for owner in owner_model._base_manager.filter(pk__in=other_ids):
                _mark(owner, user, reason)
                owner.save()


def _repoint_history(model, old_pk, new_pk) -> None:
    """History rows that pointed at a merged-away record point at the record it became."""
    from django.apps import apps

    concrete = _concrete(model)
    for history_model in apps.get_models():
        if not _is_history(history_model):
            continue
        for field_ in history_model._meta.concrete_fields:
            if field_.many_to_one and field_.related_model and _concrete(field_.related_model) is concrete:
                if field_.name == "history":
                    continue
                history_model._base_manager.filter(**{field_.attname: old_pk}).update(**{field_.attname: new_pk})
