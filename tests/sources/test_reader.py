"""Reading source files: the header format, several articles per file, Markdown, and the errors."""

import pytest

from hrkb.dates import PartialDate
from sources.reader import SourceError, read_articles

ARTICLE = """
---
title: Human Rights Must be Included in Talks
slug: human-rights-in-talks
kind: article
date: 2018-06-20
publisher: csw
publisher: Christian Solidarity Worldwide
author: benedict-rogers
byline: CSW’s East Asia Team Leader
url: https://www.csw.org.uk/2018/06/20/talks
language: en
summary: Why the summit should have discussed human rights.
---

Human Rights Must be Included in Talks

Statue of Kim II Sung

"""


def test_header_values_and_text_are_read(write):
    [article] = read_articles(write("one.txt", ARTICLE))
    assert article.line == 1
    assert article.title.text == "Human Rights Must be Included in Talks"
    assert article.slug.text == "human-rights-in-talks"
    assert article.kind.text == "article"
    assert article.published == PartialDate(2018, 6, 20)
    assert [value.text for value in article.publishers] == ["csw", "Christian Solidarity Worldwide"]
    assert [value.line for value in article.publishers] == [6, 7]
    assert [value.text for value in article.authors] == ["benedict-rogers"]
    assert article.byline.text == "CSW’s East Asia Team Leader"
    assert article.url.text == "https://www.csw.org.uk/2018/06/20/talks"
    assert article.summary.text == "Why the summit should have discussed human rights."
    # Leading and trailing blank lines go; the rest is verbatim.
    assert article.text == "Human Rights Must be Included in Talks\n\nStatue of Kim II Sung"


def test_optional_keys_may_be_left_out(write):
    [article] = read_articles(write("one.txt", "---\ntitle: Short\npublisher: csw\n---\nText.\n"))
    assert article.slug is None
    assert article.date is None
    assert article.published is None
    assert article.authors == []
    assert article.text == "Text."


def test_several_articles_per_file(write):
    path = write(
        "many.txt",
        """
        ---
        title: First
        publisher: csw
        ---
        First text.
        ---
        title: Second
        date: 2016
        publisher: csw
        ---

        Second text,
        two lines.

        ---
        title: Third
        publisher: csw
        ---
        Third text.
        """,
    )
    articles = list(read_articles(path))
    assert [article.title.text for article in articles] == ["First", "Second", "Third"]
    assert [article.line for article in articles] == [1, 6, 15]
    assert articles[1].text == "Second text,\ntwo lines."
    assert articles[1].published == PartialDate(2016)


def test_markdown_rules_in_the_text_are_not_headers(write):
    path = write(
        "article.md",
        """
        ---
        title: Markdown
        publisher: csw
        ---
        # Markdown

        A paragraph.

        ---

        After a *rule*.
        ---
        title: Next
        publisher: csw
        ---
        Next text.
        """,
    )
    first, second = read_articles(path)
    assert first.text == "# Markdown\n\nA paragraph.\n\n---\n\nAfter a *rule*."
    assert second.title.text == "Next"


def test_byte_order_mark_and_windows_line_endings_are_accepted(write, tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Windows\r\npublisher: csw\r\n---\r\nLine one.\r\nLine two.\r\n")
    [article] = read_articles(path)
    assert article.title.text == "Windows"
    assert article.text == "Line one.\nLine two."


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("---\ntitle: A\npublisher csw\n---\nText.\n", 3, "malformed header line"),
        ("---\ntitle: A\npublisher: csw\nText.\n", 4, "closing the header opened on line 1"),
        ("---\ntitle: A\npublisher: csw\n", 1, "not closed"),
        ("---\ntitle: A\npublisher: csw\ncolour: red\n---\nText.\n", 4, "unknown header key 'colour'"),
        ("---\npublisher: csw\n---\nText.\n", 1, "no 'title'"),
        ("---\ntitle: A\n---\nText.\n", 1, "no 'publisher'"),
        ("---\ntitle: A\ndate: 2018-13\npublisher: csw\n---\nText.\n", 3, "bad date"),
        ("---\ntitle: A\ndate: June 2018\npublisher: csw\n---\nText.\n", 3, "bad date"),
        ("---\ntitle: A\nkind: poem\npublisher: csw\n---\nText.\n", 3, "unknown kind 'poem'"),
        ("---\ntitle: A\ntitle: B\npublisher: csw\n---\nText.\n", 3, "given twice"),
        ("---\ntitle:\npublisher: csw\n---\nText.\n", 2, "'title' has no value"),
        ("---\ntitle: A\npublisher: csw\n---\n\n", 1, "no text"),
        ("Text before any header.\n---\ntitle: A\npublisher: csw\n---\nText.\n", 1, "expected a header"),
        ("---\ntitle: A\npublisher: csw\n---\nText.\n---\ntitle: B\nwho: me\n---\nMore.\n", 8, "unknown header key"),
    ],
)
def test_bad_header_names_the_file_and_line(write, text, line, problem):
    path = write("bad.txt", text)
    with pytest.raises(SourceError) as caught:
        list(read_articles(path))
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert problem in str(caught.value)


def test_bytes_that_are_not_utf8_are_located(write, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("---\ntitle: A\npublisher: csw\n---\nCaf\u00e9 society.\n".encode("latin-1"))
    with pytest.raises(SourceError, match=rf"^{path}:5: not UTF-8: byte 0xe9 at column 4"):
        list(read_articles(path))


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "missing.md"
    with pytest.raises(SourceError, match=rf"^{path}: no such file"):
        list(read_articles(path))


def test_other_kinds_of_file_are_refused(write):
    path = write("article.html", "<p>Not a source</p>")
    with pytest.raises(SourceError, match=r"article\.html: not a source file"):
        list(read_articles(path))


def test_empty_file_is_refused(write):
    path = write("empty.md", "\n\n")
    with pytest.raises(SourceError, match=rf"^{path}: the file holds no article"):
        list(read_articles(path))
