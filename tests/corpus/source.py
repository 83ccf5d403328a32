"""Reading the project's copy of the CSW source: header blocks and article bodies.

Deliberately independent of ``reports.sources`` (the ingest parser), so the
corpus tests check the fixtures against the file itself, not against the code
that also reads it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SOURCE_MD = Path(settings.FIXTURE_DIRS[0]) / "sources" / "csw-north-korea-articles.md"

_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*:( .*)?$")


@dataclass
class Article:
    header: dict[str, list[str]]
    body: str  # the lines between this header block and the next, blank lines included


def _opens_header(lines: list[str], index: int) -> bool:
    return lines[index] == "---" and index + 1 < len(lines) and bool(_HEADER_LINE.match(lines[index + 1]))


def read(path: Path = SOURCE_MD) -> tuple[list[Article], str]:
    """The articles of the file, and the file with every header block removed."""
    lines = path.read_bytes().decode("utf-8").split("\n")
    articles: list[Article] = []
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if _opens_header(lines, index):
            close = lines.index("---", index + 1)
            header: dict[str, list[str]] = {}
            for line in lines[index + 1 : close]:
                key, _, value = line.partition(": ")
                header.setdefault(key, []).append(value)
            articles.append(Article(header, ""))
            index = close + 1
            continue
        kept.append(lines[index])
        if articles:
            articles[-1].body += lines[index] + "\n"
        index += 1
    return articles, "\n".join(kept)


def stored_text(article: Article) -> str:
    """The report text the body defines: the body without its leading and trailing blank lines."""
    return article.body.strip("\n")
