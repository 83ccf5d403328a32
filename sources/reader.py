"""Source files: plain text or Markdown holding one or more articles, each under a header block.

The format, which ``manage.py ingest_sources`` reads (see its ``--help``)::

    ---
    title: North Korea: A Case to Answer, A Call to Act     (required)
    slug: north-korea-a-case-to-answer                      (optional; default slugify(title))
    kind: report                                            (optional; a ReportKind value; default article)
    date: 2007-06                                           (optional; YYYY, YYYY-MM or YYYY-MM-DD)
    publisher: csw                                          (required; slug, name or alias; repeatable)
    author: benedict-rogers                                 (optional; slug, name or alias; repeatable)
    byline: CSW’s North Korea Desk Officer                  (optional; an organisational byline)
    url: https://www.csw.org.uk/...                         (optional)
    language: en                                            (optional; default en)
    summary: One line about it.                             (optional)
    ---
    The article's text, verbatim, title line included.

A header block is a line ``---``, ``key: value`` lines, and a closing ``---``.
A ``---`` line opens a header when it is the first non-blank line of the file
or when the line right after it looks like ``key:``; otherwise (a Markdown
horizontal rule) it is part of the text. The text runs until the next header
or the end of the file; leading and trailing blank lines are dropped, every
other character is kept as it is (line endings become ``\\n``).

This module only reads files: it knows nothing of the database. Every problem
is a :class:`SourceError` whose message starts ``path:line:``, or ``path:``
when the file as a whole is at fault (missing, unreadable, empty, not .txt/.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hrkb.dates import PartialDate
from hrkb.text import lf_lines
from reports.choices import ReportKind

SUFFIXES = (".txt", ".md")
REQUIRED_KEYS = ("title", "publisher")
REPEATABLE_KEYS = frozenset({"publisher", "author"})
SINGLE_KEYS = frozenset({"title", "slug", "kind", "date", "byline", "url", "language", "summary"})
KNOWN_KEYS = REPEATABLE_KEYS | SINGLE_KEYS

_DELIMITER = "---"
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):(?:[ \t]+(?P<value>.*?))?[ \t]*$")


class SourceError(Exception):
    """A problem in a source file, located as ``path:line:`` (or ``path:`` for the file as a whole)."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Value:
    """A header value and the line it came from, so later checks can point at it."""

    text: str
    line: int


@dataclass(slots=True)
class SourceArticle:
    """One article read from a source file: its header values and its text."""

    path: Path
    line: int  # of the opening ``---``
    title: Value
    publishers: list[Value]
    authors: list[Value] = field(default_factory=list)
    slug: Value | None = None
    kind: Value | None = None
    date: Value | None = None
    published: PartialDate | None = None
    byline: Value | None = None
    url: Value | None = None
    language: Value | None = None
    summary: Value | None = None
    text: str = ""
    text_line: int = 0  # the line of the file where the text starts

    def line_at(self, offset: int) -> int:
        """The line of the file holding character ``offset`` of the text."""
        return self.text_line + self.text.count("\n", 0, offset)

    def error(self, message: str, value: Value | None = None) -> SourceError:
        return SourceError(self.path, value.line if value else self.line, message)


def read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is dropped), with ``\\n`` line endings."""
    if path.suffix.lower() not in SUFFIXES:
        raise SourceError(path, None, f"not a source file: expected a {' or '.join(SUFFIXES)} file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, None, "no such file") from None
    except IsADirectoryError:
        raise SourceError(path, None, "cannot read the file: it is a directory") from None
    except OSError as error:
        raise SourceError(path, None, f"cannot read the file: {error.strerror or error}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceError(
            path, line, f"not UTF-8: byte 0x{data[error.start]:02x} at column {column} cannot be decoded"
        ) from None
    return lf_lines(text)


def read_articles(path: Path | str) -> Iterator[SourceArticle]:
    """Yield the articles of one source file, in order; raise :class:`SourceError` at the first problem."""
    path = Path(path)
    lines = read_text(path).split("\n")
    index = _first_content_line(lines, 0)
    if index is None:
        raise SourceError(path, None, "the file holds no article")
    if lines[index].rstrip() != _DELIMITER:
        raise SourceError(path, index + 1, f"expected a header block opening with {_DELIMITER!r}")
    while index is not None:
        header_end = _header_end(path, lines, index)
        body_end = _next_header(lines, header_end + 1)
        article = _article(path, lines, index, header_end)
        body = lines[header_end + 1 : body_end]
        first = _first_content_line(body, 0)
        if first is None:
            raise article.error("the article has no text after its header")
        last = max(number for number, line in enumerate(body) if line.strip())
        article.text = "\n".join(body[first : last + 1])
        article.text_line = header_end + 1 + first + 1
        yield article
        index = body_end if body_end < len(lines) else None


def _first_content_line(lines: list[str], start: int) -> int | None:
    return next((number for number in range(start, len(lines)) if lines[number].strip()), None)


def _opens_header(lines: list[str], index: int) -> bool:
    return (
        lines[index].rstrip() == _DELIMITER
        and index + 1 < len(lines)
        and _HEADER_LINE.match(lines[index + 1]) is not None
    )


def _next_header(lines: list[str], start: int) -> int:
    return next((number for number in range(start, len(lines)) if _opens_header(lines, number)), len(lines))


def _header_end(path: Path, lines: list[str], start: int) -> int:
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.rstrip() == _DELIMITER:
            return number
        if not _HEADER_LINE.match(line):
            if _first_content_line(lines, number) is None:
                break
            raise SourceError(
                path,
                number + 1,
                f"malformed header line {line.strip()!r}: expected 'key: value', "
                f"or {_DELIMITER!r} closing the header opened on line {start + 1}",
            )
    raise SourceError(path, start + 1, f"the header opened here is not closed by {_DELIMITER!r}")


def _article(path: Path, lines: list[str], start: int, end: int) -> SourceArticle:
    single: dict[str, Value] = {}
    repeated: dict[str, list[Value]] = {key: [] for key in REPEATABLE_KEYS}
    for number in range(start + 1, end):
        match = _HEADER_LINE.match(lines[number])
        key, text = match["key"].lower(), (match["value"] or "").strip()
        value = Value(text, number + 1)
        if key not in KNOWN_KEYS:
            raise SourceError(path, value.line, f"unknown header key {key!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
        if not text:
            raise SourceError(path, value.line, f"{key!r} has no value")
        if key in REPEATABLE_KEYS:
            repeated[key].append(value)
        elif key in single:
            raise SourceError(path, value.line, f"{key!r} is given twice (first on line {single[key].line})")
        else:
            single[key] = value
    for key in REQUIRED_KEYS:
        if key not in single and not repeated.get(key):
            raise SourceError(path, start + 1, f"the header has no {key!r}")
    article = SourceArticle(
        path=path,
        line=start + 1,
        title=single.pop("title"),
        publishers=repeated["publisher"],
        authors=repeated["author"],
        **single,
    )
    if article.date:
        try:
            article.published = PartialDate.parse(article.date.text)
        except ValueError as error:
            raise article.error(f"bad date: {error}", article.date) from None
    if article.kind and article.kind.text not in ReportKind.values:
        raise article.error(f"unknown kind {article.kind.text!r} (known: {', '.join(ReportKind.values)})", article.kind)
    return article
