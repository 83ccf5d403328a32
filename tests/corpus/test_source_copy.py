"""The project's copy of the CSW articles is the original, byte for byte, plus one header block per article."""

import hashlib

from . import source

# sha256 of /work/shared/sources/csw-north-korea-articles.txt, the file CSW's five articles were
# received in (16103 bytes, no final newline). Tests must not read outside the project, so it is pinned here.
ORIGINAL_SHA256 = "1d045452677b9278bd5e346f3c86587f0a7d89dad186be466b2cbfc609003952"

TITLES = [
    "Human Rights Must be Included in Talks to Ensure True Peace in North Korea",
    "North Korea and Human Rights: A State of Denial",
    "The Refugee Crisis: \u201cWhat caused them to flee in the first place?\u201d",
    "From the Darkness into the Light: the Hope for Justice in North Korea",
    "We Must Use Every Creative Tool To Prise Open North Korea",
]


def test_removing_the_header_blocks_gives_back_the_original_file():
    _, original = source.read()
    data = original.encode("utf-8")
    assert len(data) == 16103
    assert hashlib.sha256(data).hexdigest() == ORIGINAL_SHA256


def test_each_article_has_one_header_block_right_before_its_title_line():
    articles, _ = source.read()
    assert [article.header["title"] for article in articles] == [[title] for title in TITLES]
    for article in articles:
        # The original titles keep a no-break space before their last word; the header titles do not.
        assert article.body.split("\n", 1)[0].replace("\u00a0", " ") == article.header["title"][0]


def test_every_header_follows_the_ingest_format():
    articles, _ = source.read()
    allowed = {"title", "slug", "kind", "date", "publisher", "author", "byline", "url", "language"}
    for article in articles:
        assert set(article.header) <= allowed
        assert article.header["kind"] == ["article"]
        assert article.header["publisher"] == ["csw"]
        assert article.header["language"] == ["en"]
        assert all(len(values) == 1 for key, values in article.header.items() if key not in {"publisher", "author"})


def test_the_stored_texts_start_with_the_title_and_end_with_the_last_line():
    articles, _ = source.read()
    last_lines = [
        "By Benedict Rogers, CSW\u2019s East Asia Team Leader",
        "Read More",
        "Read More",
        "By CSW\u2019s North Korea Desk Officer",
        "Read More",
    ]
    for article, last in zip(articles, last_lines, strict=True):
        text = source.stored_text(article)
        assert text.split("\n")[0].replace("\u00a0", " ") == article.header["title"][0]
        assert text.split("\n")[-1] == last
