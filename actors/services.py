"""Writes that touch several records of the actors app (and those that point at actors)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from hrkb.merging import MergePlan, merge_apply, merge_plan

from .choices import AliasKind
from .models import Actor, Alias


def actor_merge_plan(*, survivor: Actor, duplicate: Actor) -> MergePlan:
    """What merging ``duplicate`` into ``survivor`` would move, fold and fill, and what stops it (nothing written)."""
    if survivor.kind != duplicate.kind:
        raise ValidationError(
            f"Cannot merge {duplicate.get_kind_display()} {duplicate.slug!r} into "
            f"{survivor.get_kind_display()} {survivor.slug!r}: both must be of the same kind."
        )
    return merge_plan(survivor, duplicate)


@transaction.atomic
def actor_merge(*, survivor: Actor, duplicate: Actor, user=None) -> Actor:
    """Fold ``duplicate`` into ``survivor`` and delete it (see :mod:`hrkb.merging`).

    Every record that pointed at the duplicate (memberships, authorships,
    participations, mentions, quotes, publishers, child organisations, aliases,
    citations) now points at the survivor, identical ones folded into the
    survivor's own; the duplicate's name becomes an alias; its slug redirects
    to the survivor so no partner's link breaks; history records the merge and
    ``user``.
    """
    plan = actor_merge_plan(survivor=survivor, duplicate=duplicate)
    return merge_apply(plan, user=user, keep_name=_keep_name)


def _keep_name(survivor: Actor, duplicate: Actor) -> None:
    if duplicate.name != survivor.name and not survivor.aliases.filter(name=duplicate.name).exists():
        Alias.objects.create(actor=survivor, name=duplicate.name, kind=AliasKind.SPELLING)
