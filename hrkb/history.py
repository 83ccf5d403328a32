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

from django.db import models
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
    """
    if not has_history(model):
        return 0
    manager = history_manager(model)
    history_model = manager.model
    pks = set(pks)
    known = set(history_model.objects.filter(id__in=pks).values_list("id", flat=True).distinct())
    when = when or now()
    written = 0
    for update, chosen in ((False, pks - known), (True, pks & known)):
        records = list(model._base_manager.filter(pk__in=chosen).order_by("pk"))
        if not records:
            continue
        rows = manager.bulk_history_create(
            records, update=update, default_user=user, default_change_reason=reason_text(reason), default_date=when
        )
        if not rows or rows[0].pk is None:  # a backend that does not return ids from bulk inserts
            rows = list(history_model.objects.filter(id__in=[r.pk for r in records], history_date=when))
        for field in getattr(history_model, "_history_m2m_fields", ()):
            _snapshot_m2m(model, field, rows)
        written += len(rows)
    return written


def _snapshot_m2m(model, field, history_rows) -> None:
    """Copy the through rows of ``field`` for each record into the history's many-to-many table."""
    m2m_history_model = HistoricalRecords.m2m_models[field]
    through = field.remote_field.through
    owner = field.m2m_field_name()
    # The through row's own columns, its id included, as django-simple-history copies them.
    columns = [f.attname for f in through._meta.fields]
    by_record = {row.id: row for row in history_rows}
    copies = [
        m2m_history_model(history=by_record[values[f"{owner}_id"]], **values)
        for values in through.objects.filter(**{f"{owner}_id__in": list(by_record)}).values(*columns)
    ]
    m2m_history_model.objects.bulk_create(copies)


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
