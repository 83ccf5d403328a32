"""Keyset ("cursor") pagination: every page costs what the first one costs.

A page is the next ``page_size`` rows after the last row of the previous page
in a total order (the client's ``ordering`` plus the primary key as a
tiebreaker), found with a WHERE on the ordering columns rather than an OFFSET,
and no page counts the table. The ``next`` link carries that position as an
opaque ``cursor``. Ordering lives here, not in a filter backend, because the
cursor is only meaningful for the ordering it was made for.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
import json
import math
import operator
import struct
import zlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import F, FloatField, Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from hrkb.scale import by_key
from hrkb.search.engine import ranked_ids
from hrkb.search.postgres import first_read, part_names, top_by_parts

from .params import whole_number

SEARCH_RANK = "search_rank"
# Where PostgreSQL's RUM index gives the search order, rows are ordered by distance, nearest first.
SEARCH_DISTANCE = "search_distance"


class _Real(FloatField):
    """A float4 (PostgreSQL ``real``, as RUM's distance is): its values are made exact again.

    The driver reads a real from its shortest decimal form (16.44934), which as a double is not the
    real's value (16.4493408203125); compared with the column in double precision, a cursor would then
    fall between a row and itself. Rounding to single precision gives the real's exact value back.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else struct.unpack("f", struct.pack("f", value))[0]


@functools.cache
def _cipher(secret_key: str) -> AESSIV:
    # A key of its own (AES-256-SIV takes 64 bytes), derived from SECRET_KEY for this one use.
    return AESSIV(hashlib.sha512(b"hrkb.api.pagination.cursor:" + secret_key.encode()).digest())


def _ordering_pattern(fields) -> str:
    """The ``ordering`` values the view takes, as a regular expression for the schema."""
    field = "-?(" + "|".join(fields) + ")"
    return f"^{field}(,{field})*$"


def _exact(value):
    """Dates and times in full (DjangoJSONEncoder would cut microseconds, and a cursor must be exact)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{value!r} cannot be part of a cursor")


def seal(position) -> str:
    """A cursor's position encrypted and authenticated with AES-SIV (key derived from SECRET_KEY).

    A cursor carries the last row's id and, under ``search``, its score:
    encrypted, it tells a client neither, and a forged or altered cursor is
    refused. SIV is deterministic (the same position gives the same cursor,
    which reveals nothing a client could not see by comparing pages), so a
    page's ``next`` link is stable, as the golden responses need.
    """
    raw = zlib.compress(json.dumps(position, default=_exact, separators=(",", ":")).encode())
    return base64.urlsafe_b64encode(_cipher(settings.SECRET_KEY).encrypt(raw, None)).decode().rstrip("=")


def unseal(cursor: str):
    """The position :func:`seal` sealed; ValueError, InvalidTag, binascii or zlib errors for anything else."""
    token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return json.loads(zlib.decompress(_cipher(settings.SECRET_KEY).decrypt(token, None)))


@dataclass(frozen=True)
class Key:
    """One column of the total order."""

    name: str
    descending: bool
    field: object  # the model field, or a FloatField for the search rank

    @property
    def nullable(self) -> bool:
        return getattr(self.field, "null", False)

    def order_by(self):
        # NULL sorts as the largest value, as PostgreSQL's own indexes order it.
        if self.descending:
            return F(self.name).desc(nulls_first=True) if self.nullable else F(self.name).desc()
        return F(self.name).asc(nulls_last=True) if self.nullable else F(self.name).asc()

    def value_of(self, value):
        """The cursor's value for a row's value of this column."""
        # Partial dates compare on the earliest day they cover, as the column stores them.
        return self.field.get_prep_value(value) if value is not None else None

    def parse(self, value):
        """The column's value from a cursor; ValueError for anything the column could not hold.

        Cursors come back from clients, so each value is checked as input:
        no NaN or Infinity, no integer beyond the column's range, no NUL.
        """
        if value is None:
            return None
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(value)
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(value)
        if isinstance(value, (dict, list)):
            raise ValueError(value)
        parsed = self.field.to_python(value)
        if isinstance(parsed, int) and not isinstance(parsed, bool):
            low, high = connection.ops.integer_field_range(self.field.get_internal_type())
            if not (low is None or low <= parsed) or not (high is None or parsed <= high):
                raise ValueError(value)
        return parsed

    def equal(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def after(self, value) -> Q:
        """Rows strictly after ``value`` in this column's direction."""
        if value is None:
            # Nothing sorts after NULL ascending; everything non-NULL does descending.
            return Q(**{f"{self.name}__isnull": False}) if self.descending else Q(pk__in=[])
        condition = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        if self.nullable and not self.descending:
            condition |= Q(**{f"{self.name}__isnull": True})
        return condition


class KeysetPagination(BasePagination):
    """Forward keyset pagination with ``cursor``, ``page_size`` (capped) and ``ordering``.

    Views list ``ordering_fields`` and a default ``ordering``; when the
    ``search`` parameter ranks the results and no ``ordering`` is given,
    the best matches come first.
    """

    page_size = api_settings.PAGE_SIZE or 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_param = api_settings.ORDERING_PARAM

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_page_size(request)
        ordering, keys = self.get_ordering(request, queryset, view)
        position = self.decode_cursor(request, ordering, keys)
        segments = [Q()] if position is None else self.segments(keys, position)
        # Rows as the view's plan loads them (see hrkb.api.loading), with the ordering's columns to page by.
        plan, names = view.plan, [key.name for key in keys]
        if keys[0].name == SEARCH_DISTANCE:
            # Unfiltered, the access rule passes most matches: a first read of many rows settles ties at once.
            filtered = any(
                backend().requested(request, queryset, view)
                for backend in getattr(view, "filter_backends", ())
                if hasattr(backend, "requested")
            )
            rows = self.nearest(queryset.filter(segments[0]), plan, keys, names, first=first_read(narrowed=filtered))
        else:
            queryset = queryset.order_by(*(key.order_by() for key in keys))
            if keys[0].name == SEARCH_RANK and part_names(queryset):
                # Parts (three words or more, weighed alternatives): the page's rows from their orders
                # (one segment: rank, then id).
                top = top_by_parts(queryset.filter(segments[0]), self.limit + 1)
                if top is not None:
                    # Chosen under the list's conditions and the cursor's: read by key (hrkb.scale.by_key).
                    queryset, segments = by_key(queryset, top, *names), [Q()]
            rows = []
            for segment in segments:
                rows += plan.fetch(queryset.filter(segment), extra=names, limit=self.limit + 1 - len(rows))
                if len(rows) > self.limit:
                    break
        self.next_position = None
        if len(rows) > self.limit:
            rows = rows[: self.limit]
            last = rows[-1]
            values = [key.value_of(last[plan.position(key.name, names)]) for key in keys]
            self.next_position = {"o": ordering, "v": values}
        return rows

    def nearest(self, queryset, plan, keys: list[Key], names: list[str], *, first: int | None = None) -> list[tuple]:
        """The next ``limit + 1`` rows by (distance, id descending), read in the RUM index's order.

        The index orders by distance alone (a second sort key would make PostgreSQL rank every match),
        so rows tied in distance come in any order: read nearest first until the rows tied with the
        last one wanted are all in, then sort those few by the full order (:func:`ranked_ids`). Exact,
        and a page costs the rows before it (the index cannot start at a cursor) plus its own. Those
        reads carry keys and distances alone; the page's rows are then read whole, as the plan loads
        them: a first read of a thousand rows each with its score and columns cost more than the index.
        """
        ids = ranked_ids(queryset.order_by(keys[0].name, f"-{keys[1].name}"), 0, self.limit + 1, first=first)
        id_at = plan.position(keys[1].name, names)
        rows = {row[id_at]: row for row in plan.fetch(by_key(queryset, ids, *names), extra=names)}
        return [rows[pk] for pk in ids]

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = whole_number(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("Give a whole number from 1 to %d.") % self.max_page_size]}
            )
        return size

    def get_ordering(self, request, queryset, view) -> tuple[str, list[Key]]:
        """The client's ordering (validated), the search rank, or the view's default, plus a tiebreaker."""
        model = queryset.model
        raw = request.query_params.get(self.ordering_param)
        allowed = tuple(getattr(view, "ordering_fields", ()))
        searched = raw is None and SEARCH_RANK in queryset.query.annotations
        if searched and SEARCH_DISTANCE in queryset.query.annotations:
            keys = [Key(SEARCH_DISTANCE, False, _Real())]
            ordering = SEARCH_DISTANCE
        elif searched:
            keys = [Key(SEARCH_RANK, True, FloatField())]
            ordering = "-" + SEARCH_RANK
        else:
            ordering = raw if raw is not None else getattr(view, "ordering", "slug")
            names = [name.strip() for name in ordering.split(",")]
            unknown = [name for name in names if name.lstrip("-") not in allowed]
            if unknown or not names or len({name.lstrip("-") for name in names}) != len(names):
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Order by one or more of %(fields)s, comma-separated, each optionally prefixed by -.")
                            % {"fields": ", ".join(allowed)}
                        ]
                    }
                )
            keys = [
                Key(name.lstrip("-"), name.startswith("-"), model._meta.get_field(name.lstrip("-"))) for name in names
            ]
        last = keys[-1]
        if not getattr(last.field, "unique", False) or last.nullable:
            pk = model._meta.pk
            # Equal scores: newest first, as /search/ and the admin break ties.
            keys.append(Key(pk.name, True if searched else keys[0].descending, pk))
        return ordering, keys

    def segments(self, keys: list[Key], values: list) -> list[Q]:
        """The rows after ``values``, as conditions to read in turn until the page is full.

        Lexicographically after: (a > x) or (a = x and b > y) or ... . Each
        segment is also bounded on the leading column, so the database starts
        its index scan at the cursor instead of filtering its way there. Where
        the leading column has NULLs (which sort as the largest value), the
        non-NULL and NULL rows are separate segments: an OR of the two would
        stop the index from giving the order.
        """
        alternatives, equal = [], Q()
        for key, value in zip(keys, values, strict=True):
            alternatives.append(equal & key.after(value))
            equal &= key.equal(value)
        after = functools.reduce(operator.or_, alternatives)
        first, value = keys[0], values[0]
        name = first.name
        if len(keys) == 1 and not first.nullable:
            return [after]  # already a bound on the leading column (a unique slug: slug > value)
        if value is None:
            if first.descending:  # the rest of the NULLs, then every non-NULL row
                return [after & Q(**{f"{name}__isnull": True}), Q(**{f"{name}__isnull": False})]
            return [after]  # only NULLs remain
        bound = Q(**{f"{name}__{'lte' if first.descending else 'gte'}": value})
        if first.nullable and not first.descending:  # the rest of the values, then the NULLs
            return [after & bound, Q(**{f"{name}__isnull": True})]
        return [after & bound]

    def encode_cursor(self, position) -> str:
        return seal(position)

    def decode_cursor(self, request, ordering: str, keys: list[Key]):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            position = unseal(raw)
            if position["o"] != ordering or len(position["v"]) != len(keys):
                raise ValueError
            return [key.parse(value) for key, value in zip(keys, position["v"], strict=True)]
        except (
            ValueError,
            TypeError,
            KeyError,
            OverflowError,
            binascii.Error,
            InvalidTag,
            zlib.error,
            DjangoValidationError,
            FieldDoesNotExist,
        ):
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        _("Invalid cursor: use the next link of a previous page, with the same ordering.")
                    ]
                }
            ) from None

    def get_next_link(self) -> str | None:
        if self.next_position is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.encode_cursor(self.next_position))

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last page. Follow it as given.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        allowed = list(getattr(view, "ordering_fields", ()))
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next` link.",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page: 1 to {self.max_page_size}, default {self.page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
            },
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "schema": {"type": "string", "pattern": _ordering_pattern(allowed), "example": "-modified"},
                "description": (
                    f"Comma-separated fields to order by, `-` for descending: {', '.join(allowed)}. "
                    f"Default `{getattr(view, 'ordering', 'slug')}`; with `search`, best match first. "
                    "Empty dates sort as the latest."
                ),
            },
        ]
