"""Backups that restore: everything HRKB stores, written so it loads back into an empty database unchanged.

What is written: every row of the project's apps — records, their history
(many-to-many history included), old slugs, partner keys — and users,
groups and the admin's log, and the partners' change log (restored as it
was, not as the restore's own writes would log it). Rows keep their primary keys: a restore goes
into an empty database, so nothing needs renaming, and history rows that
name a record deleted or merged away long ago (their foreign keys are not
constraints) load as they are, where a natural-key dump must look each one
up and fails ("Actor matching query does not exist"). Content types and
permissions, which ``migrate`` creates with ids of its own in every
database, are named by their natural keys. Search documents are not
written: the database's triggers build them again as the rows go in.

:func:`backup_write` writes JSON (gzip-compressed when the name ends in
``.gz``); :func:`backup_restore` loads it with Django's own loader, without
validation (these are rows as they were, not curated input) and without
writing history (the backup holds it).
"""

from __future__ import annotations

import datetime
import gzip
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.commands import loaddata
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import models, transaction

from . import changelog
from .models import Change, CuratedModel

PROJECT_APPS = ("hrkb", "actors", "reports", "events", "sources")
ALSO = ("auth.group", "auth.user", "admin.logentry")
# Rows migrate creates with ids of their own: referred to by natural key.
BY_NATURAL_KEY = (ContentType, Permission)


class _ExactTimes(DjangoJSONEncoder):
    """Times to the microsecond. Django's encoder cuts them to the millisecond: a restored backup's times had
    moved, and one cut to ".000" came back without a fraction, spelt otherwise in the next backup."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return f"{text[:-6]}Z" if text.endswith("+00:00") else text
        return super().default(o)


class BackupSerializer(JSONSerializer):
    """Django's JSON, primary keys kept, with natural keys only for content types and permissions."""

    def _natural(self, field) -> bool:
        return field.remote_field.model in BY_NATURAL_KEY

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = self._natural(field)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = self._natural(field)
        super().handle_m2m_field(obj, field)


def backup_models() -> list[type[models.Model]]:
    """What a backup holds, in a stable order: every model of the project's apps, then users and the admin log."""
    # By name: the order apps register models in can change between runs (history's many-to-many tables).
    chosen = [
        model
        for label in PROJECT_APPS
        for model in sorted(apps.get_app_config(label).get_models(), key=lambda model: model._meta.label_lower)
    ]
    chosen += [apps.get_model(label) for label in ALSO]
    # The change log last: a restore loads it once every record is in (see _RawLoader).
    chosen.sort(key=lambda model: model is Change)
    return [model for model in chosen if not model._meta.proxy]


def _rows() -> Iterator[models.Model]:
    for model in backup_models():
        yield from model._base_manager.order_by("pk").iterator(chunk_size=2000)


def backup_write(path: Path | str) -> int:
    """Write everything to ``path``; return how many rows."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    counted = 0

    def counting():
        nonlocal counted
        for row in _rows():
            counted += 1
            yield row

    with transaction.atomic(), opener(path, "wt", encoding="utf-8") as stream:  # one consistent snapshot
        BackupSerializer().serialize(
            counting(), stream=stream, indent=1, use_natural_primary_keys=False, cls=_ExactTimes
        )
    return counted


def stored_rows() -> int:
    """Rows already in the tables a restore fills (users included): a restore needs none.

    The change log does not count: emptying a database logs its deletions there.
    """
    return sum(model._base_manager.count() for model in backup_models() if model is not Change)


class _RawLoader(loaddata.Command):
    """Django's loaddata (not HRKB's strict one), recording no history while it sets many-to-many values.

    The database's change-log triggers see the rows go in as new writes: they log
    them and move records' ``modified`` as their rows arrive. Neither belongs to the
    backed-up past, so once every record is in, the records get their own
    ``modified`` back and the log is replaced by the backup's (which comes last).
    """

    def loaddata(self, fixture_labels):
        self.flagged = []
        self.records = []
        self.log_replaced = False
        try:
            super().loaddata(fixture_labels)
            self.replace_log()
        finally:
            for instance in self.flagged:
                del instance.skip_history_when_saving

    def replace_log(self):
        if not self.log_replaced:
            changelog.restore_modified(self.records, using=self.using)
            Change.objects.using(self.using).all().delete()
            self.log_replaced = True

    def save_obj(self, obj):
        instance = obj.object
        if isinstance(instance, Change):
            self.replace_log()
        elif isinstance(instance, CuratedModel):
            self.records.append(instance)
        instance.skip_history_when_saving = True
        self.flagged.append(instance)
        return super().save_obj(obj)


def backup_restore(path: Path | str, *, verbosity: int = 0) -> None:
    """Load a backup into an empty (migrated) database, in one transaction."""
    call_command(_RawLoader(), str(path), verbosity=verbosity)
