"""Writes that touch several records of the reports app."""

from __future__ import annotations

from django.db import transaction

from hrkb.merging import MergePlan, merge_apply, merge_plan, other_names_keeper

from .models import Report


def report_merge_plan(*, survivor: Report, duplicate: Report) -> MergePlan:
    """What merging ``duplicate`` into ``survivor`` would do (nothing written).

    Citations of the duplicate's text and mentions in it are found again in
    the survivor's text (or follow the text, when the survivor has none); one
    whose passage is not there stops the merge.
    """
    return merge_plan(survivor, duplicate, text_field="text")


@transaction.atomic
def report_merge(*, survivor: Report, duplicate: Report, user=None) -> Report:
    """Fold ``duplicate`` into ``survivor`` and delete it; its title becomes one of the survivor's other titles."""
    plan = report_merge_plan(survivor=survivor, duplicate=duplicate)
    return merge_apply(plan, user=user, keep_name=other_names_keeper("title"))
