"""The access rule: which curated records a client may read. Written once, here.

A record is readable when it is published and — unless the client is cleared
for restricted records (a partner key may be) — not restricted. Drafts are
readable by nobody outside the admin. The rule is data (:data:`RULE`), and
every form a reader needs is derived from it: a ``Q`` for querysets
(:func:`readable_q`), a check of values already loaded (:func:`is_readable`,
:func:`allows`) and SQL for hand-written queries (:func:`readable_sql`), so no
reader spells out a status or a flag of its own.

What a public type's readability also depends on (a quote on its speaker's)
is declared in :mod:`hrkb.public_types`; the forms there build on these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from django.db import models

from .models import Status


@dataclass(frozen=True)
class Condition:
    """One column a readable record must hold a value in; ``waived`` when the client is cleared."""

    column: str
    value: object
    waived_for_cleared: bool = False


RULE = (
    # The plain value, not the enum member: database drivers adapt enums in ways of their own.
    Condition("status", Status.PUBLISHED.value),
    Condition("restricted", False, waived_for_cleared=True),
)
#: The columns a row must carry for :func:`allows` to judge it, in this order.
COLUMNS = tuple(condition.column for condition in RULE)


def _conditions(restricted: bool) -> list[Condition]:
    return [condition for condition in RULE if not (restricted and condition.waived_for_cleared)]


def readable_q(prefix: str = "", *, restricted: bool) -> models.Q:
    """The rule as a Q on the record at ``prefix`` (``""`` for the queryset's own model, ``"source__"``...)."""
    return models.Q(**{f"{prefix}{condition.column}": condition.value for condition in _conditions(restricted)})


def allows(values, *, restricted: bool) -> bool:
    """The rule on a record's :data:`COLUMNS` values, read as a row (e.g. from ``values_list``)."""
    return all(
        value == condition.value or (restricted and condition.waived_for_cleared)
        for condition, value in zip(RULE, values, strict=True)
    )


def row_check(positions: Sequence[int], *, restricted: bool) -> Callable[[Sequence], bool]:
    """The rule as a test of rows that carry :data:`COLUMNS` at ``positions`` (repeated for every record to judge).

    Made once per plan: the API runs it on every related record it builds, so
    it is one ``itemgetter`` and one tuple comparison rather than a loop per row.
    """
    pairs = required(positions, restricted=restricted)
    picked, expected = [at for at, _value in pairs], [value for _at, value in pairs]
    if not picked:
        return lambda row: True
    get, wanted = itemgetter(*picked), tuple(expected)
    if len(picked) == 1:
        wanted = wanted[0]
    return lambda row: get(row) == wanted


def required(items: Sequence, *, restricted: bool) -> list[tuple]:
    """(item, value) for each value the rule requires, ``items`` standing for :data:`COLUMNS` in groups
    (positions in a row, or columns of several related records)."""
    if len(items) % len(COLUMNS):
        raise ValueError(f"items come in groups of {len(COLUMNS)} ({', '.join(COLUMNS)})")
    return [
        (item, condition.value)
        for start in range(0, len(items), len(COLUMNS))
        for condition, item in zip(RULE, items[start : start + len(COLUMNS)], strict=True)
        if not (restricted and condition.waived_for_cleared)
    ]


def is_readable(record, *, restricted: bool) -> bool:
    """The rule on a loaded record (a second line of defence behind the querysets)."""
    return allows([getattr(record, column) for column in COLUMNS], restricted=restricted)


def readable_sql(alias: str, *, restricted: bool) -> tuple[str, list]:
    """The rule as an SQL condition on the row ``alias``, and its parameters (never literals)."""
    conditions = _conditions(restricted)
    sql = " AND ".join(f'{alias}."{condition.column}" = %s' for condition in conditions)
    return f"({sql})", [condition.value for condition in conditions]


def readable_sql_inline(alias: str, *, restricted: bool, quote) -> str:
    """The rule as SQL with its values written in by ``quote`` (a schema editor's ``quote_value``).

    For trigger bodies (the change log's), which are stored DDL and take no parameters.
    """
    conditions = _conditions(restricted)
    sql = " AND ".join(f'{alias}."{condition.column}" = {quote(condition.value)}' for condition in conditions)
    return f"({sql})"
