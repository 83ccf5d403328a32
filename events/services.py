"""Writes that touch several records of the events app."""

from __future__ import annotations

from django.db import transaction

from hrkb.merging import MergePlan, merge_apply, merge_plan, other_names_keeper

from .models import Event


def event_merge_plan(*, survivor: Event, duplicate: Event) -> MergePlan:
    """What merging ``duplicate`` into ``survivor`` would do (nothing written)."""
    return merge_plan(survivor, duplicate)


@transaction.atomic
def event_merge(*, survivor: Event, duplicate: Event, user=None) -> Event:
    """Fold ``duplicate`` into ``survivor`` and delete it; its title becomes one of the survivor's other names."""
    plan = event_merge_plan(survivor=survivor, duplicate=duplicate)
    return merge_apply(plan, user=user, keep_name=other_names_keeper("title"))
