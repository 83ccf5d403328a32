"""The public types: what every reader of the knowledge base needs to know about each, in one table.

A public type is a kind of record partners read: it has a ``type`` name in
every summary, a resource under /api/v1/, a schema.org type in JSON-LD, a
place in the changes feed and the export, and (most of them) a search
document. The URLs, the changes feed, the NDJSON export, JSON-LD, search, the
OpenAPI summary enum and the contract tests all read :data:`PUBLIC_TYPES`, so
adding a type is one entry here (``tests/api/test_registry.py`` fails when a
consumer does not cover one).

Models and viewsets are named by dotted path and resolved on first use, so this
module can be imported from anywhere in the project without import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from django.apps import apps
from django.db import models
from django.utils.module_loading import import_string

from . import access
from .search.documents import SearchDocument


@dataclass(frozen=True)
class PublicType:
    """One public type. ``requires`` names foreign keys whose records must be readable too."""

    name: str  # its `type` in summaries, search hits and the feed; its route's basename
    path: str  # /api/v1/<path>/
    model_label: str
    viewset_path: str
    schema_org: str
    search: SearchDocument | None = None
    # A quote says who spoke: it is only as readable as its speaker.
    requires: tuple[str, ...] = ()

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @cached_property
    def viewset(self):
        return import_string(self.viewset_path)

    @property
    def kind(self) -> str:
        """For types that share a table (people, organisations): the value of its rows' ``kind``, else ""."""
        # As a plain string: database drivers adapt enum members in ways of their own.
        return str(getattr(self.model, "proxy_kind", ""))

    def readable_q(self, prefix: str = "", *, restricted: bool) -> models.Q:
        """The access rule for records of this type at ``prefix``, what they depend on included."""
        condition = access.readable_q(prefix, restricted=restricted)
        for relation in self.requires:
            condition &= access.readable_q(f"{prefix}{relation}__", restricted=restricted)
        return condition

    def is_readable(self, record, *, restricted: bool) -> bool:
        return access.is_readable(record, restricted=restricted) and all(
            access.is_readable(getattr(record, relation), restricted=restricted) for relation in self.requires
        )

    def readable_sql(self, alias: str, *, restricted: bool, of_kind: bool = True) -> tuple[str, list]:
        """The access rule as SQL on the row ``alias`` of this type's table, what it depends on included.

        ``of_kind=False`` leaves out the row's kind (people and organisations share a table and one rule).
        """
        sql, params = access.readable_sql(alias, restricted=restricted)
        conditions = [sql]
        if self.kind and of_kind:
            conditions.append(f'{alias}."kind" = %s')
            params = [*params, self.kind]
        for index, relation in enumerate(self.requires):
            field = self.model._meta.get_field(relation)
            related = f"{alias}_{relation}_{index}"
            related_sql, related_params = access.readable_sql(related, restricted=restricted)
            conditions.append(
                f'EXISTS (SELECT 1 FROM "{field.related_model._meta.db_table}" {related} '
                f'WHERE {related}."{field.target_field.column}" = {alias}."{field.column}" AND {related_sql})'
            )
            params = [*params, *related_params]
        return " AND ".join(conditions), params


PUBLIC_TYPES: tuple[PublicType, ...] = (
    # Referenced records before the records that refer to them, so an importer
    # reading the export in this order can resolve every summary as it goes.
    PublicType("topic", "topics", "reports.Topic", "reports.api.views.TopicViewSet", "DefinedTerm"),
    PublicType(
        "organisation",
        "organisations",
        "actors.Organisation",
        "actors.api.views.OrganisationViewSet",
        "Organization",
        search=SearchDocument(
            "name", "description", ("description",), fuzzy=True, facets=(("kind", "organisation_kind"),)
        ),
    ),
    PublicType(
        "person",
        "people",
        "actors.Person",
        "actors.api.views.PersonViewSet",
        "Person",
        search=SearchDocument("name", "description", ("description",), fuzzy=True),
    ),
    PublicType(
        "report",
        "reports",
        "reports.Report",
        "reports.api.views.ReportViewSet",
        "Report",
        search=SearchDocument(
            "title",
            "summary",
            ("summary", "text"),
            facets=(("kind", "kind"), ("year", "published"), ("topic", "topics")),
        ),
    ),
    PublicType(
        "event",
        "events",
        "events.Event",
        "events.api.views.EventViewSet",
        "Event",
        search=SearchDocument(
            "title",
            "description",
            ("description", "place"),
            facets=(("kind", "kind"), ("year", "start"), ("country", "country"), ("topic", "topics")),
        ),
    ),
    PublicType(
        "quote",
        "quotes",
        "reports.Quote",
        "reports.api.views.QuoteViewSet",
        "Quotation",
        search=SearchDocument("text", "occasion", ("text",), facets=(("year", "said"),)),
        requires=("speaker",),
    ),
)
NAMES: tuple[str, ...] = tuple(public_type.name for public_type in PUBLIC_TYPES)
BY_NAME: dict[str, PublicType] = {public_type.name: public_type for public_type in PUBLIC_TYPES}


@cache
def for_model(model: type[models.Model]) -> PublicType | None:
    """The public type whose records ``model`` holds, or None (an Actor is a person or an organisation)."""
    return next((public_type for public_type in PUBLIC_TYPES if public_type.model is model), None)


def type_name(model: type[models.Model], kind: str | None = None) -> str:
    """The ``type`` of a record of ``model``; rows of a shared table (actors) give their ``kind``."""
    public_type = for_model(model)
    if public_type is not None:
        return public_type.name
    if kind is None:
        raise LookupError(f"{model.__name__} records need their kind to tell their public type")
    return kind


def shares_table(model: type[models.Model]) -> bool:
    """Whether ``model``'s rows are of several public types, told apart by their ``kind`` (the actor table)."""
    concrete = model._meta.concrete_model
    return for_model(model) is None and any(t.model._meta.concrete_model is concrete for t in PUBLIC_TYPES)


def readable_q(model: type[models.Model], prefix: str = "", *, restricted: bool) -> models.Q:
    """The access rule for records of ``model`` at ``prefix``: the type's own, or the plain rule."""
    public_type = for_model(model)
    if public_type is not None:
        return public_type.readable_q(prefix, restricted=restricted)
    return access.readable_q(prefix, restricted=restricted)


def searchable() -> list[PublicType]:
    return [public_type for public_type in PUBLIC_TYPES if public_type.search is not None]
