"""Loading API responses as rows: one declarative mechanism for every list, detail and export.

A serializer's fields (see :mod:`hrkb.api.serializers`) say what a record
shows. :func:`plan_for` reads them once per serializer and model and works
out a :class:`Plan`: the columns of the record's own table to read (foreign
keys' summaries joined in), the related tables to read — one query per
relation for a whole page, however many records it holds — and how to build
each value from those rows. The base viewset, the exports and the feed all
load through it, so every relation is loaded the same way:

==========================================  =============================================
field                                       loaded as
==========================================  =============================================
a model column                              a column of the page query
``SummaryField`` (a foreign key)            the related record's columns, joined in
``SummaryListField`` (many-to-many, or      one query on the through table (or the
the records pointing here)                  related table), grouped by record
a nested serializer, ``many=True``          one query on the child table with its own
(memberships, citations, authors…)          plan, and so on down (a membership's citations)
``ValueListField`` (aliases as names)       one query on the child table, one column
==========================================  =============================================

Rows the client may not read never leave the database: every related query
carries the access rule (:mod:`hrkb.access`, with each public type's
dependencies from :mod:`hrkb.public_types`), and child rows whose required
summaries are unreadable are filtered out in SQL; summaries are checked again
on their values as they are built, a second line of defence.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence

import orjson
from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models.functions import Cast, Coalesce, Left, Length
from django.db.models.lookups import Exact, IsNull, LessThanOrEqual
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from rest_framework import serializers

from hrkb import access
from hrkb.models import CuratedModel
from hrkb.public_types import PUBLIC_TYPES, for_model, readable_q, shares_table
from hrkb.scale import among

from .serializers import (
    SUMMARY_NAME_LENGTH,
    CuratedSerializer,
    LinesField,
    PartialDateField,
    SummaryField,
    SummaryListField,
    ValueListField,
)

# The DRF fields whose value is the column's own value, as the database returns it. No float: the
# resources' renderer (hrkb.api.renderers) is byte-identical to DRF's only for JSON without floats.
PLAIN_FIELDS = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.BooleanField,
)
_PRECISION_LENGTH = {"year": 4, "month": 7, "day": 10}


class Context:
    """What building one response needs: the client's clearance, absolute URLs, the time zone."""

    def __init__(self, request, *, cleared: bool):
        self.cleared = cleared
        # Child rows written as JSON by PostgreSQL where their plan allows (see RowsAsJSON), and times as
        # text (see Plan.fetch): the NDJSON export, whose lines are bytes, turns it on; a dict-building
        # reader (CSV, JSON-LD, the feed) cannot.
        self.in_sql = False
        self.base_url = request.build_absolute_uri("/")[:-1] if request is not None else ""
        self.timezone = timezone.get_current_timezone()
        self._templates: dict[str, tuple[str, str]] = {}
        self._summaries: dict[tuple[str, str, str], dict] = {}

    def url(self, type_name: str, slug: str) -> str:
        """A record's API URL, from a template made once per type and response (not reverse() per record)."""
        template = self._templates.get(type_name)
        if template is None:
            head, tail = _detail_path(type_name, get_script_prefix())
            template = self._templates[type_name] = (self.base_url + head, tail)
        return f"{template[0]}{slug}{template[1]}"

    def summary(self, type_name: str, slug: str, name: str) -> dict:
        # One dict per record and response: an export names the same actors millions of times.
        key = (type_name, slug, name)
        found = self._summaries.get(key)
        if found is None:
            shown = name if len(name) <= SUMMARY_NAME_LENGTH else name[: SUMMARY_NAME_LENGTH - 1] + "…"
            found = self._summaries[key] = {
                "type": type_name,
                "slug": slug,
                "name": shown,
                "url": self.url(type_name, slug),
            }
        return found


@functools.lru_cache(maxsize=32)
def _detail_path(type_name: str, script_prefix: str) -> tuple[str, str]:
    head, tail = reverse(f"api:{type_name}-detail", kwargs={"slug": "slug-placeholder"}).split("slug-placeholder")
    return head, tail


# --- Summaries of related records ------------------------------------------------------------------------------------


def _public_type_of_table(model: type[models.Model]):
    """The public type of ``model``, or of any type stored in its table (an Actor: person or organisation)."""
    public_type = for_model(model)
    if public_type is not None:
        return public_type
    concrete = model._meta.concrete_model
    return next(candidate for candidate in PUBLIC_TYPES if candidate.model._meta.concrete_model is concrete)


def summary_name(model: type[models.Model]) -> str:
    """The column a summary of ``model`` shows as its name (its serializer's ``Meta.summary_name``)."""
    return _public_type_of_table(model).viewset.serializer_class.Meta.summary_name


class SummaryColumns:
    """The columns a summary of the record at ``prefix`` needs, and the summary built from their values.

    ``type`` is the public type's name, or the ``kind`` column for a table of
    several types (a foreign key to "an actor"). A type's dependencies (a
    quote's speaker) come along as access columns, checked with the record's own.
    """

    def __init__(self, model: type[models.Model], prefix: str):
        public_type = for_model(model)
        self.model = model
        self.type_name = public_type.name if public_type is not None else None
        self.columns = [f"{prefix}slug", f"{prefix}{summary_name(model)}"]
        if self.type_name is None and shares_table(model):
            self.columns.append(f"{prefix}kind")
        depends = [""] + [f"{relation}__" for relation in (public_type.requires if public_type else ())]
        self.access_columns = [f"{prefix}{path}{column}" for path in depends for column in access.COLUMNS]
        self.columns += self.access_columns

    def reader(self, positions: Sequence[int]) -> Callable:
        """A function of (row, context) giving the summary, or None; ``positions`` are where :attr:`columns` are."""
        slug_at, name_at = positions[0], positions[1]
        kind_at = positions[2] if self.type_name is None else None
        access_positions = positions[len(self.columns) - len(self.access_columns) :]
        # The rule for the record and what it depends on, as one test per clearance.
        allowed = {cleared: access.row_check(access_positions, restricted=cleared) for cleared in (False, True)}
        type_name = self.type_name

        def read(row, context):
            slug = row[slug_at]
            if slug is None or not allowed[context.cleared](row):
                return None
            return context.summary(type_name or row[kind_at], slug, row[name_at])

        return read


def _under(prefix: str, order: str) -> str:
    """An ordering of a related model, as an ordering across ``prefix``: "-published" -> "-report__published"."""
    return f"-{prefix}{order[1:]}" if order.startswith("-") else f"{prefix}{order}"


def _ordering(model: type[models.Model], prefix: str = "", *, owner: str | None = None) -> list[str]:
    """``model``'s default ordering at ``prefix``, then its primary key, so ties always come out the same way.

    Rows loaded for their ``owner`` are grouped by it anyway: ordering by the owner
    first (an alias's actor, a mention's report) would only join its table to sort.
    """
    orders = [order for order in model._meta.ordering if owner is None or order.lstrip("-").split("__")[0] != owner]
    return [*(_under(prefix, order) for order in orders), f"{prefix}pk"]


# --- Relations: one query for a page of records ----------------------------------------------------------------------


# From this many records on, a relation is read by a range of owners when they are dense enough (see owned_by).
DENSE_FROM = 100


def owned_by(column: str, ids: Sequence[int]) -> tuple[models.Q, set | None]:
    """The rows whose ``column`` is one of ``ids``, and the set of ``ids`` if rows of others may come along.

    An export's batch is a keyset page of the table, its ids nearly consecutive:
    there a range reads the foreign key's index without binding a thousand
    parameters (which cost more than the scan), and the few rows of owners in
    the range but not in the batch (unreadable ones) are left out by the caller.
    A list's page (50 records in slug order, anywhere in the table) is read by
    its ids.
    """
    if len(ids) >= DENSE_FROM:
        low, high = min(ids), max(ids)
        if high - low < 2 * len(ids):
            # Not __range: a foreign key takes only comparisons.
            return models.Q(**{f"{column}__gte": low, f"{column}__lte": high}), set(ids)
    return among(column, ids), None


class Relation:
    """What a page of records shows of one relation; :meth:`load` reads it for all of them in one query."""

    def load(self, ids: Sequence, context: Context) -> dict:
        """{record id: value} for the records ``ids``."""
        raise NotImplementedError


class ManySummaries(Relation):
    """Related records as summaries: through a many-to-many table, or the records whose foreign key points here."""

    def __init__(self, owner: type[models.Model], name: str):
        field = owner._meta.get_field(name)
        if field.many_to_many:
            forward = not field.auto_created
            m2m = field if forward else field.field
            self.table = m2m.remote_field.through
            self.owner_column = m2m.m2m_field_name() if forward else m2m.m2m_reverse_field_name()
            target = m2m.m2m_reverse_field_name() if forward else m2m.m2m_field_name()
            self.prefix = f"{target}__"
        elif field.one_to_many:
            self.table = field.related_model
            self.owner_column = field.field.name
            self.prefix = ""
        else:
            raise ImproperlyConfigured(f"{owner.__name__}.{name}: a SummaryListField needs a to-many relation")
        self.target = field.related_model
        self.summary = SummaryColumns(self.target, self.prefix)
        self.read = self.summary.reader(range(1, 1 + len(self.summary.columns)))
        self.readable = {cleared: readable_q(self.target, self.prefix, restricted=cleared) for cleared in (False, True)}
        self.ordering = _ordering(self.target, self.prefix)

    def load(self, ids, context):
        owners, wanted = owned_by(self.owner_column, ids)
        rows = (
            self.table._default_manager.filter(self.readable[context.cleared], owners)
            .order_by(*self.ordering)
            .values_list(self.owner_column, *self.summary.columns)
        )
        loaded = defaultdict(list)
        for row in rows:
            if wanted is not None and row[0] not in wanted:
                continue
            summary = self.read(row, context)
            if summary is not None:
                loaded[row[0]].append(summary)
        return loaded


class ChildRows(Relation):
    """The rows of another table pointing at the record (memberships, authors, citations), each by its own plan."""

    def __init__(self, owner: type[models.Model], name: str, serializer_class):
        relation = owner._meta.get_field(name)
        if not relation.one_to_many:
            raise ImproperlyConfigured(f"{owner.__name__}.{name}: a nested serializer needs a reverse foreign key")
        self.model = relation.related_model
        self.owner, self.owner_column = relation.field.name, relation.field.attname
        self.plan = plan_for(serializer_class, self.model, leading=(self.owner_column,))
        conditions = _child_conditions(serializer_class, self.model)
        self.readable = {cleared: conditions(cleared) for cleared in (False, True)}
        self.ordering = _ordering(self.model, owner=self.owner)
        self.in_sql = RowsAsJSON.of(self.plan)

    def load(self, ids, context):
        owners, wanted = owned_by(self.owner_column, ids)
        queryset = self.model._default_manager.filter(self.readable[context.cleared], owners)
        if context.in_sql and self.in_sql is not None and connections[queryset.db].vendor == "postgresql":
            return self.in_sql.load(queryset, self.owner_column, self.ordering, wanted, context)
        rows = self.plan.fetch(queryset.order_by(*self.ordering), context=context)
        if wanted is not None:
            rows = [row for row in rows if row[0] in wanted]
        loaded = defaultdict(list)
        for row, item in zip(rows, self.plan.represent(rows, context), strict=True):
            loaded[row[0]].append(item)
        return loaded


class _TextIsJSON(str):
    """A column whose text in PostgreSQL is already its JSON (integers, booleans: ``true``/``false``)."""


class RowsAsJSON:
    """A child plan's rows as JSON text written by PostgreSQL, one array per owner, for the NDJSON export.

    A report's mentions are most of what the export writes (two million at
    100,000 reports), and building a dict per mention cost more than the rest of
    the line. Where a plan holds only plain columns and summaries (mentions,
    citations), PostgreSQL writes each row with ``to_json``, whose strings are
    escaped as orjson escapes them (quotes, backslashes, control characters;
    other characters as they are), summaries shortened and linked as
    :class:`Context` does, and the array is embedded in the line with
    ``orjson.Fragment``. The access rule is the one :class:`SummaryColumns`
    checks, as SQL. ``tests/api/test_export_fidelity.py`` compares every line
    with its record's detail body, which is built in Python.
    """

    def __init__(self, parts: list[tuple[str, object]]):
        self.parts = parts

    @classmethod
    def of(cls, plan: Plan) -> RowsAsJSON | None:
        """For ``plan``, or None when it shows anything but plain columns and summaries."""
        parts = []
        for name, field in plan.fields.items():
            if name in plan.summaries:
                parts.append((name, plan.summaries[name]))
            elif isinstance(field, (serializers.IntegerField, serializers.BooleanField)):
                parts.append((name, _TextIsJSON(field.source)))
            elif isinstance(field, PLAIN_FIELDS):
                parts.append((name, field.source))
            else:
                return None
        return cls(parts)

    def load(self, queryset, owner_column: str, ordering: list[str], wanted, context) -> dict:
        rows = (
            queryset.order_by()
            .values(owner_column)
            .annotate(json=StringAgg(self.expression(context), ",", order_by=_expanded(queryset.model, ordering)))
            .values_list(owner_column, "json")
        )
        return {owner: orjson.Fragment(f"[{text}]") for owner, text in rows if wanted is None or owner in wanted}

    def expression(self, context) -> models.Expression:
        pieces = []
        for index, (name, part) in enumerate(self.parts):
            pieces.append(_text(("," if index else "{") + orjson.dumps(name).decode() + ":"))
            if isinstance(part, _TextIsJSON):
                # An integer's or boolean's text is its JSON: no to_json call for every mention's offsets.
                written = Cast(models.F(part), models.TextField())
                pieces.append(Coalesce(written, _text("null"), output_field=models.TextField()))
            elif isinstance(part, str):
                pieces.append(_json(models.F(part)))
            else:
                pieces.append(
                    models.Case(
                        *[
                            models.When(self._readable(summary, context), then=self._summary(summary, context))
                            for summary in part
                        ],
                        default=_text("null"),
                        output_field=models.TextField(),
                    )
                )
        pieces.append(_text("}"))
        return _joined(pieces)

    @staticmethod
    def _readable(summary: SummaryColumns, context) -> models.Q:
        slug = summary.columns[0]
        required = access.required(summary.access_columns, restricted=context.cleared)
        return models.Q(IsNull(models.F(slug), False), *[Exact(models.F(column), value) for column, value in required])

    @staticmethod
    def _summary(summary: SummaryColumns, context) -> models.Expression:
        slug, name = models.F(summary.columns[0]), models.F(summary.columns[1])

        def url(type_name):
            head, tail = context.url(type_name, "\x00").split("\x00")
            return _json(_joined([_text(head), slug, _text(tail)]))

        if summary.type_name is not None:
            type_json, url_json = _text(orjson.dumps(summary.type_name).decode()), url(summary.type_name)
        else:
            kind = models.F(summary.columns[2])
            type_json = _json(kind)
            concrete = summary.model._meta.concrete_model
            url_json = models.Case(
                *[
                    models.When(Exact(kind, public_type.name), then=url(public_type.name))
                    for public_type in PUBLIC_TYPES
                    if public_type.model._meta.concrete_model is concrete
                ],
                default=_text("null"),
                output_field=models.TextField(),
            )
        shown = models.Case(
            models.When(LessThanOrEqual(Length(name), SUMMARY_NAME_LENGTH), then=name),
            default=_joined([Left(name, SUMMARY_NAME_LENGTH - 1), _text("…")]),
            output_field=models.TextField(),
        )
        return _joined(
            [
                _text('{"type":'),
                type_json,
                _text(',"slug":'),
                _json(slug),
                _text(',"name":'),
                _json(shown),
                _text(',"url":'),
                url_json,
                _text("}"),
            ]
        )


def _expanded(model: type[models.Model], ordering: Sequence[str]) -> list[str]:
    """``ordering`` as ``QuerySet.order_by`` reads it: a relation stands for its model's default ordering.

    An aggregate's ``order_by`` takes a relation as its key column; a citation's
    ``"source"`` must order by the source report's own ordering there too.
    """
    expanded = []
    for order in ordering:
        descending, name = order.startswith("-"), order.lstrip("-")
        field, related = None, model
        for part in name.split("__"):
            field = None if part == "pk" else related._meta.get_field(part)
            related = field.related_model if field is not None and field.is_relation else None
        if (
            field is None
            or not field.is_relation
            or field.attname == name.split("__")[-1]
            or not related._meta.ordering
        ):
            expanded.append(order)
            continue
        for inner in _expanded(related, related._meta.ordering):
            inner = f"{name}__{inner.lstrip('-')}" if not inner.startswith("-") else f"-{name}__{inner[1:]}"
            expanded.append(inner[1:] if descending and inner.startswith("-") else f"-{inner}" if descending else inner)
    return expanded


def _text(value: str) -> models.Value:
    return models.Value(value, output_field=models.TextField())


def _json(expression) -> models.Expression:
    """``expression`` as JSON text (``null`` for NULL), as PostgreSQL's ``to_json`` writes it."""
    written = models.Func(expression, template="to_json(%(expressions)s)::text", output_field=models.TextField())
    return Coalesce(written, _text("null"), output_field=models.TextField())


def _joined(pieces: list) -> models.Expression:
    """Text pieces joined with ``||`` (each already non-null: ``||`` with NULL is NULL)."""
    return models.Func(*pieces, template="(%(expressions)s)", arg_joiner=" || ", output_field=models.TextField())


class ChildValues(Relation):
    """One column of the rows pointing at the record, as a list of values (an actor's aliases by name)."""

    def __init__(self, owner: type[models.Model], name: str, column: str):
        relation = owner._meta.get_field(name)
        self.model = relation.related_model
        self.owner, self.owner_column = relation.field.name, relation.field.attname
        self.column = column
        self.ordering = _ordering(self.model, owner=self.owner)

    def load(self, ids, context):
        owners, wanted = owned_by(self.owner_column, ids)
        rows = self.model._default_manager.filter(owners).order_by(*self.ordering)
        loaded = defaultdict(list)
        for owner, value in rows.values_list(self.owner_column, self.column):
            if wanted is None or owner in wanted:
                loaded[owner].append(value)
        return loaded


def _summary_sources(field: SummaryField) -> tuple[str, ...]:
    return field.sources or (field.source,)


def _child_conditions(serializer_class, model: type[models.Model]) -> Callable[[bool], models.Q]:
    """The condition a child row must meet to be shown: its own access rule (if it has a status),
    its required summaries readable (one of them, for a summary of several sources), optional ones absent or readable.
    """
    fields = serializer_class().fields
    meta = getattr(serializer_class, "Meta", None)
    required = [_summary_sources(fields[name]) for name in getattr(meta, "required_summaries", ())]
    optional = [_summary_sources(fields[name]) for name in getattr(meta, "optional_summaries", ())]

    def readable(sources, restricted):
        condition = models.Q(pk__in=[])
        for source in sources:
            condition |= readable_q(model._meta.get_field(source).related_model, f"{source}__", restricted=restricted)
        return condition

    def condition(restricted: bool) -> models.Q:
        result = access.readable_q(restricted=restricted) if issubclass(model, CuratedModel) else models.Q()
        for sources in required:
            result &= readable(sources, restricted)
        for sources in optional:
            for source in sources:
                result &= models.Q(**{f"{source}__isnull": True}) | readable((source,), restricted)
        return result

    return condition


# --- Plans ------------------------------------------------------------------------------------------------------------


class Plan:
    """How to load and build the records of ``model`` as ``serializer_class`` declares them.

    ``columns`` start with ``leading`` (for a child plan, the foreign key to
    its owner) and the primary key; :meth:`fetch` reads them as tuples and
    :meth:`represent` turns a list of such rows into dicts, loading every
    relation once for all of them.
    """

    def __init__(self, serializer_class, model: type[models.Model], leading: tuple[str, ...] = ()):
        self.model = model
        self.fields = serializer_class().fields
        self.columns: list[str] = [*leading, model._meta.pk.name]
        self.id_at = len(leading)
        self.relations: list[Relation] = []
        self.builders: list[tuple[str, Callable]] = []
        # A column shown as it is read is written into the compiled builder as ``row[at]`` (see _compile).
        self._plain: dict[str, int] = {}
        # And a relation's value as ``loaded[index].get(row[id_at], [])``.
        self._loaded: dict[str, int] = {}
        # Each summary field's sources' columns, for a reader that writes them otherwise (RowsAsJSON).
        self.summaries: dict[str, list[SummaryColumns]] = {}
        # The columns of times (created, modified), which fetch may have PostgreSQL write.
        self.timestamps: set[str] = set()
        curated = issubclass(serializer_class, CuratedSerializer)
        for name, field in self.fields.items():
            self.builders.append((name, self._builder(name, field, curated)))
        self.build = self._compile()

    @property
    def keys(self) -> list[str]:
        return [name for name, _build in self.builders]

    def index(self, column: str) -> int:
        """Where ``column`` is in each row."""
        return self.columns.index(column)

    def _column(self, column: str) -> int:
        """Where ``column`` will be in each row, adding it to the columns read (while the plan is made)."""
        if column not in self.columns:
            self.columns.append(column)
        return self.columns.index(column)

    def fetch(
        self,
        queryset: models.QuerySet,
        extra: Sequence[str] = (),
        limit: int | None = None,
        context: Context | None = None,
    ) -> list[tuple]:
        """The rows of ``queryset`` (at most ``limit``): the plan's columns, then any ``extra`` ones
        (e.g. an annotation to page by). With a ``context`` that allows it (:attr:`Context.in_sql`), times
        come as PostgreSQL writes them for the response, as text."""
        more = [column for column in extra if column not in self.columns]
        columns = self.columns
        if self.timestamps and context is not None and _times_in_sql(queryset.db, context):
            columns = [_IsoUTC(column) if column in self.timestamps else column for column in columns]
        rows = queryset.values_list(*columns, *more)
        return list(rows if limit is None else rows[:limit])

    def position(self, column: str, extra: Sequence[str] = ()) -> int:
        """Where ``column`` is in rows fetched with ``extra``."""
        if column in self.columns:
            return self.columns.index(column)
        return len(self.columns) + [name for name in extra if name not in self.columns].index(column)

    def represent(self, rows: list[tuple], context: Context) -> list[dict]:
        if not rows:
            return []
        ids = [row[self.id_at] for row in rows]
        loaded = [relation.load(ids, context) for relation in self.relations]
        build = self.build
        return [build(row, loaded, context) for row in rows]

    def _compile(self) -> Callable:
        """One function building a record's dict from its row, as a single dict display.

        The exports build millions of dicts (a report's mentions, citations...):
        calling a builder per key cost more than the rest of building them. The
        function is made from :attr:`builders` alone, keys in their order; a plain
        column and a loaded relation are read in place, every other value by its builder.
        """
        items, scope = [], {}
        for index, (name, build) in enumerate(self.builders):
            if name in self._plain:
                items.append(f"{name!r}: row[{self._plain[name]}]")
            elif name in self._loaded:
                items.append(f"{name!r}: loaded[{self._loaded[name]}].get(row[{self.id_at}], [])")
            else:
                scope[f"build_{index}"] = build
                items.append(f"{name!r}: build_{index}(row, loaded, context)")
        source = f"def build(row, loaded, context):\n    return {{{', '.join(items)}}}\n"
        # The source holds only the serializer's field names (repr) and positions, never request data.
        exec(compile(source, f"<plan of {self.model.__name__}>", "exec"), scope)
        return scope["build"]

    def _relation(self, relation: Relation) -> int:
        self.relations.append(relation)
        return len(self.relations) - 1

    def _builder(self, name: str, field, curated: bool) -> Callable:
        model = self.model
        source = field.source
        if curated and name in ("url", "type"):
            type_of = self._type_reader()
            if name == "type":
                return lambda row, loaded, context: type_of(row)
            slug = self._column("slug")
            return lambda row, loaded, context: context.url(type_of(row), row[slug])
        if isinstance(field, SummaryField):
            readers = []
            self.summaries[name] = []
            for path in _summary_sources(field):
                summary = SummaryColumns(model._meta.get_field(path).related_model, f"{path}__")
                self.summaries[name].append(summary)
                readers.append(summary.reader([self._column(column) for column in summary.columns]))
            if len(readers) == 1:
                read = readers[0]
                return lambda row, loaded, context: read(row, context)

            def read_first(row, loaded, context):
                # A loop, not next() over a generator: this runs for every mention of every report.
                for read in readers:
                    summary = read(row, context)
                    if summary is not None:
                        return summary
                return None

            return read_first
        if isinstance(field, SummaryListField):
            return self._related(name, ManySummaries(model, source))
        if isinstance(field, serializers.ListSerializer):
            return self._related(name, ChildRows(model, source, type(field.child)))
        if isinstance(field, ValueListField):
            return self._related(name, ChildValues(model, source, field.column))
        at = self._column(source)
        if isinstance(field, PartialDateField):
            precision = self._column(f"{source}_precision")
            return lambda row, loaded, context: (
                None if row[at] is None else row[at].isoformat()[: _PRECISION_LENGTH[row[precision]]]
            )
        if isinstance(field, LinesField):
            return lambda row, loaded, context: [line.strip() for line in row[at].splitlines() if line.strip()]
        if isinstance(field, serializers.DateTimeField):
            self.timestamps.add(source)
            # A string is the time already written by PostgreSQL (see fetch).
            return lambda row, loaded, context: (
                row[at] if row[at] is None or row[at].__class__ is str else _iso(row[at].astimezone(context.timezone))
            )
        if isinstance(field, PLAIN_FIELDS):
            self._plain[name] = at
            return lambda row, loaded, context: row[at]
        raise ImproperlyConfigured(f"{type(field).__name__} {name!r} on {model.__name__}: the loader cannot build it")

    def _related(self, name: str, relation: Relation) -> Callable:
        index, id_at = self._relation(relation), self.id_at
        self._loaded[name] = index
        return lambda row, loaded, context: loaded[index].get(row[id_at], [])

    def _type_reader(self) -> Callable:
        public_type = for_model(self.model)
        if public_type is not None:
            name = public_type.name
            return lambda row: name
        kind = self._column("kind")
        return lambda row: row[kind]


def _iso(value) -> str:
    """A time as DRF writes it: ISO 8601, UTC as Z."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class _IsoUTC(models.Func):
    """A time as :func:`_iso` writes it in UTC, written by PostgreSQL: seconds, microseconds only when there are any.

    Every record has two times, and Django's loader for them is Python code
    (about 4 µs a time to parse and write again): 1.7 s of an export's CPU at
    100,000 reports.
    """

    template = (
        "(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        " || CASE WHEN date_trunc('second', %(expressions)s) = %(expressions)s THEN ''"
        " ELSE to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') END || 'Z')"
    )
    output_field = models.TextField()


def _times_in_sql(using: str, context: Context) -> bool:
    # Only in UTC: another zone's offsets (and their changes) are Python's to write.
    return context.in_sql and connections[using].vendor == "postgresql" and str(context.timezone) in ("UTC", "Etc/UTC")


@functools.cache
def plan_for(serializer_class, model: type[models.Model] | None = None, leading: tuple[str, ...] = ()) -> Plan:
    """The plan of ``serializer_class`` for ``model`` (default: its ``Meta.model``), made once and kept."""
    return Plan(serializer_class, model or serializer_class.Meta.model, leading)
