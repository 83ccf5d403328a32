"""/api/v1/changes/: every change since a watermark, read from the change log the database keeps.

Every write to a public record — or to a row that shows in one (a membership,
a citation, an alias...) — is logged by database triggers (:mod:`hrkb.changelog`),
whatever made it: the admin, the ORM, ``loaddata``, bulk writes, ingest,
merges or raw SQL. The feed lists those entries in log order, each reported
with the record's *current* state for this client:

* ``updated``: a record the client may read has this slug now; fetch ``url``.
* ``removed``: nothing the client may read has this slug now: the record was
  deleted, unpublished, restricted, or renamed (its new slug comes as ``updated``).
* ``merged``: the record was merged into another and deleted; its slug now
  redirects to ``merged_into``, a summary of the survivor.

A record the client could not read before or after a write never appears for
that write, not even as removed. Positions in the log are watermarks: the
exports carry one (header ``HRKB-Sync-Since``) and every page ends with one
(``until``), to pass as ``since`` next time; ``since`` also takes an ISO time
for a look back. On PostgreSQL, entries are read only up to the oldest
transaction still running, so an entry that commits late is never skipped.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from hrkb.models import Change, SlugRedirect
from hrkb.public_types import BY_NAME, NAMES

from .access import is_cleared
from .filters import TimeField
from .loading import Context, summary_name
from .params import whole_number
from .serializers import SUMMARY_SCHEMA

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# Positions are (transaction id, log id); both are bigint columns.
_MAX_POSITION = 2**63 - 1


@dataclass(frozen=True, order=True)
class Position:
    """A place in the change log: entries at or after it are still to read (an inclusive lower bound)."""

    tx: int
    id: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.tx}.{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, raw: str) -> Position:
        """The position of a watermark; ValueError for anything that is not one."""
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
        tx, record = text.split(".")
        numbers = whole_number(tx), whole_number(record)
        if None in numbers:
            raise ValueError(raw)
        position = cls(*numbers)
        if max(position.tx, position.id) > _MAX_POSITION:
            raise ValueError(raw)
        return position

    def entries_from(self) -> Q:
        return Q(tx__gt=self.tx) | Q(tx=self.tx, id__gte=self.id)

    def entries_before(self) -> Q:
        return Q(tx__lt=self.tx) | Q(tx=self.tx, id__lt=self.id)


# The oldest transaction that may still add entries: one past the last completed, or an older one still
# running in this database (found by its lock on its own id; a transaction gets an id at its first
# write). Transaction ids in pg_locks are 32-bit: each is widened to the 64-bit id the log keeps,
# counting back from the next one. Other databases of the cluster cannot write this log.
_PG_HORIZON = """
WITH next AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS id),
running AS (
    SELECT l.transactionid::text::bigint AS xid FROM pg_locks l
    WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()
      AND l.pid IN (SELECT r.pid FROM pg_locks r WHERE r.database = (
          SELECT oid FROM pg_database WHERE datname = current_database()))
    UNION ALL
    SELECT p.transaction::text::bigint FROM pg_prepared_xacts p WHERE p.database = current_database()
)
SELECT next.id, MIN(next.id - ((next.id %% 4294967296) - running.xid + 4294967296) %% 4294967296),
       pg_current_xact_id_if_assigned()::text::bigint
FROM next LEFT JOIN running ON true GROUP BY next.id
"""


def horizon() -> Position:
    """The first position no reader may pass yet: every entry before it is final.

    PostgreSQL: entries of transactions still running may yet commit, so the
    horizon is the oldest such transaction in this database. Entries of the
    reader's own transaction (a test's, or a view's inside ``atomic``) are
    final to it, up to the last one written. SQLite commits one writer at a
    time, so every entry it shows is final.
    """
    table = Change._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            return Position(0, cursor.fetchone()[0])
        cursor.execute(_PG_HORIZON, [])
        next_id, running, own = cursor.fetchone()
        if own is None:
            return Position(next_id if running is None else min(next_id, running), 0)
        # Our own entries are final to us unless an older writer of this database is still running. Ids
        # are shared by the whole cluster, so ours may lie past the snapshot's xmax (one past the last
        # *completed* transaction) while another database's transaction runs: xmax is no bound here.
        if running is not None and running < own:
            return Position(running, 0)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table} WHERE tx = %s", [own])
        return Position(own, cursor.fetchone()[0])


def watermark() -> str:
    """Where a full export taken from now on joins the feed: pass it as ``since``."""
    return horizon().encode()


WATERMARK_HEADER = "HRKB-Sync-Since"


@extend_schema_field({**SUMMARY_SCHEMA, "nullable": True})
class _SummaryValue(serializers.Field):
    """A summary already built as a dict (``{type, slug, name, url}``), or null."""

    def to_representation(self, value):
        return value


class ChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(NAMES)
    slug = serializers.SlugField()
    action = serializers.ChoiceField(["updated", "removed", "merged"])
    changed = serializers.DateTimeField(help_text=gettext_lazy("When the change was recorded."))
    url = serializers.URLField(allow_null=True, help_text=gettext_lazy("The record's API URL (updated only)."))
    merged_into = _SummaryValue(allow_null=True, help_text=gettext_lazy("The record it was merged into (merged only)."))


class ChangesPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text=gettext_lazy("The next page; null when up to date."))
    until = serializers.CharField(
        help_text=gettext_lazy("A watermark: pass it as `since` next time (when `next` is null, you are up to date).")
    )
    results = ChangeSerializer(many=True)


class ChangesView(APIView):
    """Changes since a watermark (or a time), in log order, for incremental sync."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                {"type": "string", "minLength": 1},
                description="A watermark (the `until` of a previous page, or an export's `HRKB-Sync-Since` header), "
                "or an ISO 8601 time for a look back (changes recorded at or after it). Default: the whole log.",
            ),
            OpenApiParameter(
                "cursor",
                {"type": "string", "minLength": 1},
                description="Opaque position from a previous page's `next` link.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
                description=f"Changes per page: 1 to {MAX_PAGE_SIZE}, default {PAGE_SIZE}.",
            ),
        ],
        responses={200: ChangesPageSerializer},
    )
    def get(self, request):
        restricted = is_cleared(request)
        start, since_time = self._since(request)
        cursor = self._cursor(request)
        start = cursor or start
        size = self._page_size(request)
        end = horizon()
        entries = Change.objects.filter(start.entries_from(), end.entries_before())
        entries = entries.filter(cleared=True) if restricted else entries.filter(public=True)
        if since_time is not None:
            entries = entries.filter(changed__gte=since_time)
        page = list(entries.order_by("tx", "id")[: size + 1])
        has_next, page = len(page) > size, page[:size]
        next_url, until = None, end
        if has_next:
            until = Position(page[-1].tx, page[-1].id + 1)
            next_url = replace_query_param(request.build_absolute_uri(), "cursor", until.encode())
        results = Describer(request, restricted).describe(page)
        return Response({"next": next_url, "until": until.encode(), "results": results})

    def _since(self, request) -> tuple[Position, object]:
        raw = request.query_params.get("since")
        if raw is None:
            return Position(0, 0), None
        try:
            return Position.decode(raw), None
        except (ValueError, binascii.Error, UnicodeError):
            pass
        try:
            return Position(0, 0), TimeField().clean(raw)
        except DjangoValidationError as error:
            message = _("Give a watermark (an `until` or an export's HRKB-Sync-Since) or an ISO 8601 time: %s")
            raise ValidationError({"since": [message % " ".join(error.messages)]}) from None

    def _page_size(self, request) -> int:
        size = whole_number(request.query_params.get("page_size", str(PAGE_SIZE)))
        if size is None or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": [_("Give a whole number from 1 to %d.") % MAX_PAGE_SIZE]})
        return size

    def _cursor(self, request) -> Position | None:
        raw = request.query_params.get("cursor")
        if raw is None:
            return None
        try:
            return Position.decode(raw)
        except (ValueError, binascii.Error, UnicodeError):
            raise ValidationError({"cursor": [_("Invalid cursor: use the next link of a previous page.")]}) from None


class Describer:
    """Each log entry as this client should apply it now: updated, removed or merged.

    The verdict is on the slug's current state, so applying a page in order
    leaves a copy holding exactly what the client may read now; where a page
    names a slug several times only its last entry is kept.
    """

    def __init__(self, request, restricted: bool):
        self.restricted = restricted
        self.context = Context(request, cleared=restricted)

    def describe(self, page: list[Change]) -> list[dict]:
        last = {(entry.type, entry.slug): entry for entry in page}
        by_type: dict[str, list[Change]] = {}
        for entry in last.values():
            by_type.setdefault(entry.type, []).append(entry)
        readable, merged = set(), {}
        for type_name, entries in by_type.items():
            public_type = BY_NAME.get(type_name)
            if public_type is None:  # a kind no type serves (never written by the triggers of today's types)
                continue
            model = public_type.model
            slugs = {entry.slug for entry in entries}
            readable |= {
                (type_name, slug)
                for slug in model._default_manager.readable(restricted=self.restricted)
                .filter(slug__in=slugs)
                .values_list("slug", flat=True)
            }
            gone = {entry.record for entry in entries if (type_name, entry.slug) not in readable}
            deleted = gone - set(model._base_manager.filter(pk__in=gone).values_list("pk", flat=True))
            merged.update(self._survivors(public_type, [e for e in entries if e.record in deleted]))
        results = []
        for entry in last.values():
            key = (entry.type, entry.slug)
            item = {"type": entry.type, "slug": entry.slug, "changed": entry.changed}
            if key in readable:
                item |= {"action": "updated", "url": self.context.url(entry.type, entry.slug), "merged_into": None}
            elif key in merged:
                item |= {"action": "merged", "url": None, "merged_into": merged[key]}
            else:
                item |= {"action": "removed", "url": None, "merged_into": None}
            results.append(item)
        return ChangeSerializer(results, many=True).data

    def _survivors(self, public_type, entries) -> dict[tuple[str, str], dict]:
        """Deleted records whose slug now redirects to a record the client may read: merged into it."""
        if not entries:
            return {}
        model = public_type.model
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        redirects = dict(
            SlugRedirect.objects.filter(
                content_type=content_type, old_slug__in={entry.slug for entry in entries}
            ).values_list("old_slug", "new_slug")
        )
        name = summary_name(model)
        survivors = dict(
            model._default_manager.readable(restricted=self.restricted)
            .filter(slug__in=set(redirects.values()))
            .values_list("slug", name)
        )
        return {
            (public_type.name, old): self.context.summary(public_type.name, new, survivors[new])
            for old, new in redirects.items()
            if new in survivors
        }
