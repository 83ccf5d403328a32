"""What each type of hit is: its model, table, kind filter, and how it reads as a hit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class SearchType:
    """One ``type`` of /search/: a searchable table, optionally narrowed to one kind of row.

    ``snippet_fields`` are the columns the snippet is cut from (the title or name is
    shown beside it already); ``fuzzy`` types are also found by misspelt names.
    """

    name: str
    model_label: str
    table: str
    title_field: str
    summary_field: str
    snippet_fields: tuple[str, ...]
    kind: str = ""
    fuzzy: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


SEARCH_TYPES: dict[str, SearchType] = {
    search_type.name: search_type
    for search_type in (
        SearchType("report", "reports.Report", "reports_report", "title", "summary", ("summary", "text")),
        SearchType("person", "actors.Person", "actors_actor", "name", "description", ("description",), "person", True),
        SearchType(
            "organisation",
            "actors.Organisation",
            "actors_actor",
            "name",
            "description",
            ("description",),
            "organisation",
            True,
        ),
        SearchType("event", "events.Event", "events_event", "title", "description", ("description", "place")),
        SearchType("quote", "reports.Quote", "reports_quote", "text", "occasion", ("text",)),
    )
}


@cache
def _searchable_tables() -> frozenset[str]:
    return frozenset(search_type.table for search_type in SEARCH_TYPES.values())


def is_searchable(model: type[models.Model]) -> bool:
    """Whether ``model`` (or the concrete model behind a proxy) has a stored search document."""
    return model._meta.concrete_model._meta.db_table in _searchable_tables()


def fuzzy_table(model: type[models.Model]) -> bool:
    return model._meta.concrete_model._meta.db_table == "actors_actor"
