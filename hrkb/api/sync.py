"""/api/v1/changes/: what changed since a time, including what a client may no longer see.

Built from the change history django-simple-history keeps for every curated
model, so deletions, merges, unpublishing and restriction all show without a
separate tombstone table. Each history row is reported with the record's
*current* state for this client:

* ``updated``: the record is readable now; fetch ``url`` (or take it from the list).
* ``deleted``: remove ``slug`` from your copy. The record was deleted or merged,
  or it is no longer readable by you (unpublished or restricted), or it was
  renamed (its new slug then appears as ``updated``).

A record the client could never read never appears, not even as ``deleted``.
Pages walk the history in time order with a keyset cursor, so every page
costs the same; a record changed several times may appear more than once.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from hrkb.access import readable_q
from hrkb.public_types import NAMES, PUBLIC_TYPES, PublicType

from .access import is_cleared
from .loading import Context

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Tracked:
    """A history table that feeds the changes list, and the public types whose records it holds.

    What the client may read now is decided by each type's readable queryset
    (every access rule, including ones on related records). ``requires``
    names foreign keys of the history row, with their model, whose target must
    have been readable too for the record ever to have been readable (a quote
    is only readable with its speaker).
    """

    model: type
    types: tuple[PublicType, ...]

    @property
    def requires(self) -> tuple[tuple[str, type], ...]:
        fields = [self.model._meta.get_field(name) for public_type in self.types for name in public_type.requires]
        return tuple(dict.fromkeys((field.attname, field.related_model._meta.concrete_model) for field in fields))

    def type_of(self, row) -> str:
        # People and organisations share one table (and one history); their kind tells them apart.
        return self.types[0].name if len(self.types) == 1 else row.kind


def tracked_tables() -> list[Tracked]:
    """One :class:`Tracked` per concrete model of the public types, in the registry's order."""
    by_model: dict[type, list[PublicType]] = {}
    for public_type in PUBLIC_TYPES:
        by_model.setdefault(public_type.model._meta.concrete_model, []).append(public_type)
    return [Tracked(model, tuple(types)) for model, types in by_model.items()]


class ChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(NAMES)
    slug = serializers.SlugField()
    action = serializers.ChoiceField(["updated", "deleted"])
    changed = serializers.DateTimeField(help_text=gettext_lazy("When the change was recorded."))
    url = serializers.URLField(allow_null=True, help_text=gettext_lazy("The record's API URL (updated only)."))


class ChangesPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text=gettext_lazy("The next page; null when up to date."))
    until = serializers.DateTimeField(
        allow_null=True, help_text=gettext_lazy("Pass this as `since` next time, when `next` is null.")
    )
    results = ChangeSerializer(many=True)


class ChangesView(APIView):
    """Changes since a time, in time order, for incremental sync."""

    @cached_property
    def tracked(self) -> list[Tracked]:
        return tracked_tables()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", str, description="ISO 8601 time; only changes at or after it. Default: all history."
            ),
            OpenApiParameter("cursor", str, description="Opaque position from a previous page's `next` link."),
            OpenApiParameter(
                "page_size", int, description=f"Changes per page: 1 to {MAX_PAGE_SIZE}, default {PAGE_SIZE}."
            ),
        ],
        responses={200: ChangesPageSerializer},
    )
    def get(self, request):
        restricted = is_cleared(request)
        since = self._since(request)
        size = self._page_size(request)
        position = self._cursor(request)
        streams = []
        for index, tracked in enumerate(self.tracked):
            rows = self._rows(tracked, index, since, position, size + 1)
            streams.append([((row.history_date, index, row.history_id), index, row) for row in rows])
        page = list(heapq.merge(*streams, key=lambda item: item[0]))[: size + 1]
        has_next, page = len(page) > size, page[:size]
        results = self._changes(page, restricted)
        next_url = None
        if has_next:
            date, index, history_id = page[-1][0]
            cursor = json.dumps([date.isoformat(), index, history_id])
            next_url = replace_query_param(
                request.build_absolute_uri(), "cursor", base64.urlsafe_b64encode(cursor.encode()).decode()
            )
        until = page[-1][0][0] if page else (position[0] if position else since)
        return Response(ChangesPageSerializer({"next": next_url, "until": until, "results": results}).data)

    def _rows(self, tracked, index, since, position, limit):
        history = tracked.model.history.model
        # Only the latest row of each record: its state now is what the client needs.
        later = history.objects.filter(id=OuterRef("id")).filter(
            Q(history_date__gt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
        )
        rows = history.objects.filter(~Exists(later))
        if since is not None:
            rows = rows.filter(history_date__gte=since)
        if position is not None:
            # Strictly after (date, table index, history id), the order pages are merged in.
            date, cursor_index, history_id = position
            if index > cursor_index:
                rows = rows.filter(history_date__gte=date)
            elif index == cursor_index:
                rows = rows.filter(Q(history_date__gt=date) | Q(history_date=date, history_id__gt=history_id))
            else:
                rows = rows.filter(history_date__gt=date)
        return list(rows.order_by("history_date", "history_id")[:limit])

    def _changes(self, page, restricted: bool) -> list[dict]:
        by_model: dict[int, list] = {}
        for _key, index, row in page:
            by_model.setdefault(index, []).append(row)
        current, readable_slugs = {}, {}
        context = Context(self.request, cleared=restricted)
        for index, rows in by_model.items():
            tracked = self.tracked[index]
            ids = [row.id for row in rows]
            for public_type in tracked.types:
                # What the client may read of it now: the type's own queryset carries every access rule.
                readable = public_type.model._default_manager.readable(restricted=restricted).filter(pk__in=ids)
                for pk, slug in readable.values_list("pk", "slug"):
                    current[index, pk] = (public_type.name, slug)
            # The slugs under which the client could ever have read the record.
            history = tracked.model.history.model.objects.filter(readable_q(restricted=restricted), id__in=ids)
            for attname, related in tracked.requires:
                related_history = related.history.model.objects.filter(
                    readable_q(restricted=restricted), id=OuterRef(attname)
                )
                history = history.filter(Exists(related_history))
            for record_id, slug in history.values_list("id", "slug").distinct():
                readable_slugs.setdefault((index, record_id), set()).add(slug)
        results = []
        for _key, index, row in page:
            tracked = self.tracked[index]
            kind, slug = current.get((index, row.id), (tracked.type_of(row), None))
            if slug is not None:
                results.append(
                    {
                        "type": kind,
                        "slug": slug,
                        "action": "updated",
                        "changed": row.history_date,
                        "url": context.url(kind, slug),
                    }
                )
            gone = readable_slugs.get((index, row.id), set()) - {slug}
            results.extend(
                {"type": kind, "slug": slug, "action": "deleted", "changed": row.history_date, "url": None}
                for slug in sorted(gone)
            )
        return results

    def _since(self, request):
        raw = request.query_params.get("since")
        if raw is None:
            return None
        try:
            return forms.DateTimeField().clean(raw)
        except DjangoValidationError:
            raise ValidationError({"since": [_("Give an ISO 8601 time such as 2026-01-31T12:00:00Z.")]}) from None

    def _page_size(self, request) -> int:
        raw = request.query_params.get("page_size", str(PAGE_SIZE))
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": [_("Give a whole number from 1 to %d.") % MAX_PAGE_SIZE]})
        return int(raw)

    def _cursor(self, request):
        raw = request.query_params.get("cursor")
        if raw is None:
            return None
        try:
            date, index, history_id = json.loads(base64.urlsafe_b64decode(raw.encode()))
            date = parse_datetime(date)
            if date is None or timezone.is_naive(date) or not isinstance(index, int) or not isinstance(history_id, int):
                raise ValueError
            return date, index, history_id
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise ValidationError({"cursor": [_("Invalid cursor: use the next link of a previous page.")]}) from None
