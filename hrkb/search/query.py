"""Web-search syntax, parsed once and rendered for each database.

The syntax is the one people type into search engines: words are all
required, ``"quoted words"`` form a phrase, ``OR`` (any case) between two terms
accepts either, and ``-term`` excludes (``a OR b -c`` is ``(a OR b) AND NOT c``).
Parsing never fails: an unbalanced quote runs to the end of the query, stray
operators are ignored, words without a letter or digit are dropped. No user
input reaches a database's query parser as syntax: FTS5 gets every term as a
quoted string (it raises on bad syntax), PostgreSQL gets each term as a
parameter of ``phraseto_tsquery`` combined with tsquery operators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 500
# Every term is one more index list to read and score: 16 distinct terms bound the worst query
# (500 characters of common words joined by OR) to well under a second on SQLite at 5,000 reports.
MAX_TERMS = 16

_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_WORDLIKE = re.compile(r"\w")


class SearchQueryError(ValueError):
    """The query cannot be searched (too long); the message is meant for the client."""


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase (its words, in order)."""

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class ParsedQuery:
    """Required groups of alternatives (``a OR b`` is one group) and excluded terms."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        # A query of exclusions only would match nearly everything; both backends answer nothing.
        return bool(self.groups)

    @property
    def terms(self) -> set[Term]:
        """The distinct terms, wanted or excluded (what bounds a query's cost)."""
        return {term for group in self.groups for term in group} | set(self.excluded)

    @property
    def names_text(self) -> str:
        """The wanted words as plain text, for fuzzy name matching."""
        return " ".join(term.text for group in self.groups for term in group)

    def to_fts5(self) -> str:
        """The query as an FTS5 MATCH expression, every term a quoted string."""
        groups = []
        for group in self.groups:
            alternatives = [_quoted(term) for term in group]
            groups.append(alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})")
        expression = " AND ".join(groups)
        for term in self.excluded:
            expression = f"{expression} NOT {_quoted(term)}"
        return expression


def _quoted(term: Term) -> str:
    # Quotes were split off by the tokenizer, so the words hold none to escape.
    return '"' + term.text + '"'


def clean(raw: str | None) -> str:
    """The query stripped; raises :class:`SearchQueryError` when it is too long to search."""
    query = (raw or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchQueryError(f"Search queries are limited to {MAX_QUERY_LENGTH} characters.")
    if "\x00" in query:  # PostgreSQL refuses NUL in any text
        raise SearchQueryError("Search queries cannot contain null characters.")
    if len(parse(query).terms) > MAX_TERMS:
        raise SearchQueryError(f"Search queries are limited to {MAX_TERMS} distinct words or phrases.")
    return query


def parse(raw: str) -> ParsedQuery:
    """Parse web-search syntax; see the module docstring. Never raises."""
    parsed = ParsedQuery()
    pending_or = negate_next = False
    for match in _TOKEN.finditer(raw):
        phrase, word = match.group("phrase"), match.group("word")
        negated, negate_next = negate_next, False
        if word is not None:
            if word.upper() == "OR":
                pending_or = bool(parsed.groups)
                continue
            if word.startswith("-"):
                word = word.lstrip("-")
                # `-"a phrase"` arrives as a bare `-` followed by the quoted phrase.
                negate_next = not word
                negated = True
            words = tuple(word.split())
        else:
            words = tuple(phrase.split())
        words = tuple(w for w in words if _WORDLIKE.search(w))
        if not words:
            continue
        term = Term(words)
        if negated:
            parsed.excluded.append(term)
            pending_or = False
        elif pending_or:
            parsed.groups[-1].append(term)
            pending_or = False
        else:
            parsed.groups.append([term])
    return parsed
