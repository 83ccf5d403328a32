"""History for writes that django-simple-history does not see: bulk loads, and a record "as of" a date.

django-simple-history records every ``save()`` and ``delete()`` and, for the
many-to-many fields a model names in ``HistoricalRecords(m2m_fields=…)``,
every change made through the relation. Fixture loading saves raw (no
signals) and imports may write in bulk, so records that arrive that way would
have no first version, and their first edit would show no diff.
:func:`history_bulk_record` gives each such record its entry ("created", or
"changed" when it had a history), many-to-many values included. :func:`version_as_of` reads the version that stood at a
moment, for the admin and the API's ``?as_of=``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connections, models, router
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from simple_history.models import HistoricalRecords

from .models import now

# django-simple-history keeps a change's reason in a column of 100 characters.
REASON_LENGTH = 100


def reason_text(text: str) -> str:
    """A change reason that fits its column (PostgreSQL refuses a longer one; SQLite would keep it whole)."""
    return text if len(text) <= REASON_LENGTH else f"{text[: REASON_LENGTH - 1]}…"


def has_history(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def history_manager(model: type[models.Model]):
    return getattr(model, model._meta.simple_history_manager_attribute)


def history_bulk_record(
    model: type[models.Model], pks: Iterable, *, user=None, reason: str = "", when: datetime.datetime | None = None
) -> int:
    """Record the records of ``model`` among ``pks`` as they are stored now, after a write history did not see.

    A record with no history gets its "created" entry; one with history gets a
    "changed" entry (its diff against the last one shows what the load
    changed). Each entry carries a snapshot of the tracked many-to-many fields,
    so the first edit after a load or an import shows its diff like any other.
    Returns how many entries were written.

    The database copies each row into its entry (one ``INSERT … SELECT`` for each kind): an entry is the
    row's tracked columns as stored, which django-simple-history's ``bulk_history_create`` would load into
    instances and send back, long texts included (ingest's 2,000 reports: 465 ms that way, 79 ms this way).
    """
    if not has_history(model):
        return 0
    history_model = history_manager(model).model
    pks = set(pks)
    known = set(history_model.objects.filter(id__in=pks).values_list("id", flat=True).distinct())
    when = when or now()
    written = 0
    for history_type, chosen in (("+", pks - known), ("~", pks & known)):
        if not chosen:
            continue
        entries = _copy_rows(model, history_model, sorted(chosen), history_type, user, reason_text(reason), when)
        for field in getattr(history_model, "_history_m2m_fields", ()):
            _snapshot_m2m(model, history_model, field, entries)
        written += len(entries)
    return written


# Keys per INSERT … SELECT: SQLite allows 999 parameters in a statement on older builds.
COPY_BATCH = 900


def _copy_rows(model, history_model, pks: list, history_type: str, user, reason: str, when) -> dict:
    """Write an entry of ``history_type`` for each of ``model``'s records ``pks`` from its stored row;
    returns {record's key: its entry's key}."""
    connection = connections[router.db_for_write(history_model)]
    quote = connection.ops.quote_name
    stated = {
        "history_date": when,
        "history_type": history_type,
        "history_change_reason": reason,
        "history_user": getattr(user, "pk", user),
    }
    targets, sources, params = [], [], []
    for field in history_model._meta.concrete_fields:
        if field.primary_key:  # the entry's own key, from its sequence
            continue
        targets.append(quote(field.column))
        if field.name in stated:
            sources.append("%s")
            params.append(field.get_db_prep_save(stated[field.name], connection))
        else:  # a tracked field, stored under the same column
            sources.append(quote(model._meta.get_field(field.name).column))
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    # The record's key as the entry keeps it, and the entry's own.
    keys = (quote(history_model._meta.get_field(model._meta.pk.name).column), quote(history_model._meta.pk.column))
    entries = {}
    with connection.cursor() as cursor:
        for start in range(0, len(pks), COPY_BATCH):
            batch = pks[start : start + COPY_BATCH]
            placeholders = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(targets)}) "
                f"SELECT {', '.join(sources)} FROM {table} WHERE {key} IN ({placeholders}) ORDER BY {key} "
                f"RETURNING {', '.join(keys)}",
                [*params, *batch],
            )
            entries.update(cursor.fetchall())
    return entries


def _snapshot_m2m(model, history_model, field, entries: dict) -> None:
    """Copy the through rows of ``field`` for each record into the history's many-to-many table (``entries``:
    {record's key: its entry's key}), in the database as :func:`_copy_rows` copies the records."""
    m2m_history_model = HistoricalRecords.m2m_models[field]
    connection = connections[router.db_for_write(m2m_history_model)]
    quote = connection.ops.quote_name
    through = field.remote_field.through
    # The through row's own columns, its id included, as django-simple-history copies them.
    columns = [quote(f.column) for f in through._meta.concrete_fields]
    entry = quote(history_model._meta.pk.column)
    record = quote(history_model._meta.get_field(model._meta.pk.name).column)
    keys = sorted(entries.values())
    with connection.cursor() as cursor:
        for start in range(0, len(keys), COPY_BATCH):
            batch = keys[start : start + COPY_BATCH]
            cursor.execute(
                f"INSERT INTO {quote(m2m_history_model._meta.db_table)} "
                f"({quote(m2m_history_model._meta.get_field('history').column)}, {', '.join(columns)}) "
                f"SELECT h.{entry}, {', '.join(f't.{column}' for column in columns)} "
                f"FROM {quote(through._meta.db_table)} t "
                f"JOIN {quote(history_model._meta.db_table)} h ON h.{record} = t.{quote(field.m2m_column_name())} "
                f"WHERE h.{entry} IN ({', '.join(['%s'] * len(batch))})",
                batch,
            )


def parse_moment(value: str) -> datetime.datetime | None:
    """A date (``2024-05-01``: the end of that day) or a date and time, as an aware datetime; None if unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        # A date first: parse_datetime reads "2024-05-01" too, as its midnight, not the end of the day.
        day = parse_date(value)
        moment = datetime.datetime.combine(day, datetime.time.max) if day else parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def version_as_of(record: models.Model, moment: datetime.datetime):
    """The historical row of ``record`` that stood at ``moment``, or None (not yet created, or deleted then)."""
    manager = history_manager(type(record))
    version = (
        manager.model.objects.filter(id=record.pk, history_date__lte=moment)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if version is None or version.history_type == "-":
        return None
    return version
