"""What each type of hit is: its public type, table, and how it reads as a hit."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from django.db import models

if TYPE_CHECKING:
    from hrkb.public_types import PublicType


# How both databases bracket a match in the text they return (ts_headline's StartSel and StopSel, FTS5's highlight()
# and snippet()): characters no stored text holds, so that the text can be escaped before the brackets are marked up.
START, STOP = "\x02", "\x03"


class Marked(NamedTuple):
    """Why a row matched, as the database found it: its title whole and a passage, each match in START…STOP."""

    title: str
    passage: str


def shown(found: Marked | None, title: str, summary: str) -> Marked:
    """A hit's title and passage: what the database marked of its row, and where it marked nothing (a row found by
    a misspelt name alone, a record with nothing beside its title) its title and summary as they are."""
    if found is None:
        return Marked(title, summary)
    return Marked(found.title, found.passage or summary)


def highlighted(text: str) -> str:
    """HTML: ``text`` escaped, its matches (START…STOP) wrapped in <mark>."""
    escaped = html.escape(text, quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def clipped(text: str, length: int) -> str:
    """The first ``length`` characters of a bracketed ``text`` (brackets not counted), a match cut short closed."""
    kept, seen, inside = [], 0, False
    for char in text:
        if char == START:
            if seen == length:
                break
            inside = True
        elif char == STOP:
            inside = False
        elif seen == length:
            break
        else:
            seen += 1
        kept.append(char)
    return "".join(kept) + (STOP if inside else "")


@dataclass(frozen=True)
class SearchDocument:
    """How a public type is searched and shown as a hit (its entry in :data:`hrkb.public_types.PUBLIC_TYPES`).

    ``snippet_fields`` are the columns the snippet is cut from (the title or name is
    shown beside it, its matches marked: :class:`Marked`); ``fuzzy`` types are also found by misspelt names.
    ``facets`` names the field behind each facet the type is counted in (see
    :mod:`hrkb.search.facets`): ``kind``, ``country`` (a column), ``year`` (a
    partial date), ``topic`` (a many-to-many to topics); a type without one is
    not counted in that facet.
    The stored document itself (its weighted columns) is in :mod:`hrkb.search.schema`.
    """

    title_field: str
    summary_field: str
    snippet_fields: tuple[str, ...]
    fuzzy: bool = False
    facets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SearchType:
    """One ``type`` of /search/: a public type with a search document, and the table that stores it."""

    public_type: PublicType

    @property
    def name(self) -> str:
        return self.public_type.name

    @property
    def model(self) -> type[models.Model]:
        return self.public_type.model

    @property
    def table(self) -> str:
        return self.model._meta.concrete_model._meta.db_table

    @property
    def document(self) -> SearchDocument:
        return self.public_type.search

    @property
    def title_field(self) -> str:
        return self.document.title_field

    @property
    def summary_field(self) -> str:
        return self.document.summary_field

    @property
    def snippet_fields(self) -> tuple[str, ...]:
        return self.document.snippet_fields

    @property
    def fuzzy(self) -> bool:
        return self.document.fuzzy

    @property
    def facet_fields(self) -> dict[str, str]:
        return dict(self.document.facets)

    def readable_sql(self, alias: str, *, restricted: bool) -> tuple[str, list]:
        """The rows of this type a client may read, as SQL on ``alias`` (see :mod:`hrkb.access`)."""
        return self.public_type.readable_sql(alias, restricted=restricted)


@cache
def search_types() -> dict[str, SearchType]:
    """The searchable public types by name, in the registry's order."""
    from hrkb.public_types import searchable

    return {public_type.name: SearchType(public_type) for public_type in searchable()}


@cache
def _searchable_tables() -> frozenset[str]:
    return frozenset(search_type.table for search_type in search_types().values())


def is_searchable(model: type[models.Model]) -> bool:
    """Whether ``model`` (or the concrete model behind a proxy) has a stored search document."""
    return model._meta.concrete_model._meta.db_table in _searchable_tables()


def fuzzy_table(model: type[models.Model]) -> bool:
    return any(
        search_type.fuzzy and search_type.model._meta.concrete_model is model._meta.concrete_model
        for search_type in search_types().values()
    )
