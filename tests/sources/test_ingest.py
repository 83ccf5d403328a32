"""The ingest_sources command: what it stores, that running it twice changes nothing, and clean failures."""

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from django.core.management.base import CommandError, OutputWrapper

from hrkb.dates import PartialDate
from reports.models import Authorship, Report
from sources import services
from sources.choices import MentionOrigin
from sources.management.commands.ingest_sources import Progress
from sources.models import Mention
from sources.reader import read_articles
from tests import factories

from .helpers import ingest, row_counts

NOBODY = 65534


@pytest.mark.parametrize("kept", [True, False], ids=["kept from the check", "read again"])
def test_ingest_creates_reports_with_publishers_authors_and_mentions(source, csw, rogers, kim, monkeypatch, kept):
    # The articles checked are written from memory, or read again where their texts are too long to keep.
    if not kept:
        monkeypatch.setattr(services, "KEEP_CHECKED", 1)
    reads = []
    monkeypatch.setattr(services, "read_articles", lambda path: reads.append(path) or read_articles(path))

    output = ingest(source)

    assert len(reads) == (1 if kept else 2)
    assert f"{source}: 2 articles: 2 created, 0 updated, 0 unchanged; 5 mentions linked" in output
    talks = Report.objects.get(slug="human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea")
    assert talks.kind == "article"
    assert talks.published == PartialDate(2018, 6, 20)
    assert talks.url == "https://www.csw.org.uk/2018/06/20/talks"
    assert talks.text.startswith("Human Rights Must be Included")
    assert talks.text.endswith("By Benedict Rogers.")
    assert list(talks.publishers.all()) == [csw]
    assert [(a.position, a.person, a.byline) for a in talks.authorships.all()] == [(1, rogers, "")]
    denial = Report.objects.get(slug="north-korea-and-human-rights-a-state-of-denial")
    assert denial.kind == "statement"
    assert denial.published == PartialDate(2016, 4)
    [byline] = denial.authorships.all()
    assert (byline.position, byline.person, byline.organisation, byline.byline) == (
        1,
        None,
        csw,
        "CSW’s North Korea Desk Officer",
    )
    linked = {(m.report.slug[:5], m.text, m.target) for m in Mention.objects.all()}
    assert linked == {
        ("human", "Kim II Sung", kim),
        ("human", "Christian Solidarity Worldwide", csw),
        ("human", "Benedict Rogers", rogers),
        ("north", "Human Rights Must be Included in Talks to Ensure True Peace in North Korea", talks),
        ("north", "Kim Il-Sung", kim),
    }
    assert all(mention.origin == MentionOrigin.LINKED for mention in Mention.objects.all())


def test_each_new_report_and_authorship_has_its_first_history_entry(source, csw, rogers):
    """Entries copied from the rows ingest wrote (hrkb.history.history_bulk_record), publishers included, so a
    curator's first edit shows its diff."""
    ingest(source)

    talks = Report.objects.get(slug__startswith="human-rights-must")
    created = talks.history.get()
    assert (created.history_type, created.history_change_reason) == ("+", f"Ingested from {source.name}")
    assert (created.title, created.text, created.published, created.url) == (
        talks.title,
        talks.text,
        talks.published,
        talks.url,
    )
    assert [row.organisation_id for row in created.publishers.all()] == [csw.pk]
    [authorship] = talks.authorships.all()
    assert [(entry.history_type, entry.person_id) for entry in authorship.history.all()] == [("+", rogers.pk)]

    talks.title = "Talks, edited"
    talks.save()
    assert talks.history.first().diff_against(created).changed_fields == ["title"]


def test_ingest_twice_changes_nothing(source):
    ingest(source)
    modified = dict(Report.objects.values_list("slug", "modified"))
    mentions = list(Mention.objects.values_list("pk", "report_id", "start", "end", "actor_id", "mentioned_report_id"))
    counts = row_counts()

    output = ingest(source)

    assert "0 created, 0 updated, 2 unchanged; 5 mentions linked (0 added, 0 removed)" in output
    assert dict(Report.objects.values_list("slug", "modified")) == modified
    assert list(Mention.objects.values_list("pk", "report_id", "start", "end", "actor_id", "mentioned_report_id")) == (
        mentions
    )
    assert row_counts() == counts


def test_changed_article_updates_its_report_and_relinks(source, write, kim):
    ingest(source)
    talks = Report.objects.get(slug__startswith="human-rights-must")
    before = talks.modified
    source.write_text(source.read_text().replace("Statue of Kim II Sung", "A statue of Kim Il Sung"))

    output = ingest(source)

    assert "0 created, 1 updated, 1 unchanged" in output
    talks.refresh_from_db()
    assert talks.modified > before
    assert "A statue of Kim Il Sung" in talks.text
    assert talks.mentions.get(actor=kim).text == "Kim Il Sung"


def test_a_report_renamed_by_a_curator_is_found_by_its_old_slug(source):
    ingest(source)
    talks = Report.objects.get(slug__startswith="human-rights-must")
    talks.slug = "talks-to-ensure-true-peace"
    talks.save()
    counts = row_counts()

    output = ingest(source)

    assert "0 created, 0 updated, 2 unchanged" in output
    assert row_counts() == counts
    assert Report.objects.get(pk=talks.pk).slug == "talks-to-ensure-true-peace"


def test_header_keys_left_out_keep_curated_values(source):
    ingest(source)
    Report.objects.filter(slug__startswith="human-rights-must").update(summary="Curated summary.", language="en-GB")

    output = ingest(source)

    assert "0 updated, 2 unchanged" in output
    assert Report.objects.get(slug__startswith="human-rights-must").summary == "Curated summary."


def test_curated_mentions_survive_ingest(source, kim):
    ingest(source)
    talks = Report.objects.get(slug__startswith="human-rights-must")
    curated = factories.mention(talks, "Statue", actor=kim)
    curated.origin = MentionOrigin.CURATED
    curated.save()

    ingest(source)

    assert Mention.objects.filter(pk=curated.pk, origin=MentionOrigin.CURATED).exists()


def _bad_sources(write, tmp_path):
    """Each kind of bad input, with the line the message must name (None: the file as a whole)."""
    good = "---\ntitle: Good\npublisher: csw\n---\nText.\n"
    not_utf8 = tmp_path / "latin1.txt"
    not_utf8.write_bytes(b"---\ntitle: Caf\xe9\npublisher: csw\n---\nText.\n")
    directory = tmp_path / "folder.md"
    directory.mkdir()
    return {
        "malformed header": (write("malformed.txt", good.replace("title: Good", "title Good")), 2),
        "unterminated header": (write("unterminated.txt", "---\ntitle: Good\npublisher: csw\n"), 1),
        "unknown key": (write("unknown.md", good.replace("publisher:", "colour: red\npublisher:")), 3),
        "missing title": (write("untitled.txt", good.replace("title: Good\n", "")), 1),
        "missing publisher": (write("unpublished.txt", good.replace("publisher: csw\n", "")), 1),
        "bad date": (write("date.txt", good.replace("publisher:", "date: 2018-02-30\npublisher:")), 3),
        "unknown publisher": (write("publisher.txt", good.replace("csw", "Amnesty International")), 3),
        "unknown author": (write("author.txt", good.replace("publisher: csw", "publisher: csw\nauthor: Nobody")), 4),
        "bad URL": (write("url.txt", good.replace("publisher: csw", "publisher: csw\nurl: not a url")), 4),
        "bad slug": (write("slug.txt", good.replace("publisher: csw", "slug: Not a slug!\npublisher: csw")), 3),
        "duplicate slug": (write("twice.txt", good + good), 6),
        "missing file": (tmp_path / "missing.txt", None),
        "unreadable file": (directory, None),
        "not UTF-8": (not_utf8, 2),
    }


@pytest.mark.parametrize(
    "case",
    [
        "malformed header",
        "unterminated header",
        "unknown key",
        "missing title",
        "missing publisher",
        "bad date",
        "unknown publisher",
        "unknown author",
        "bad URL",
        "bad slug",
        "duplicate slug",
        "missing file",
        "unreadable file",
        "not UTF-8",
    ],
)
@pytest.mark.parametrize("position", ["alone", "second of two"])
def test_bad_input_fails_cleanly_and_stores_nothing(source, write, tmp_path, case, position):
    bad, line = _bad_sources(write, tmp_path)[case]
    paths = [bad] if position == "alone" else [source, bad]
    counts = row_counts()

    with pytest.raises(CommandError) as caught:
        ingest(*paths)

    where = f"{bad}:{line}: " if line else f"{bad}: "
    assert str(caught.value).startswith(where)
    assert row_counts() == counts


@contextlib.contextmanager
def without_root():
    """Run as an unprivileged user, so file permissions apply (the tests may run as root, whom they do not stop)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.mark.parametrize("position", ["alone", "second of two"])
def test_file_without_read_permission_fails_cleanly(csw, position):
    with tempfile.TemporaryDirectory() as directory:
        # pytest's tmp_path lies under a directory only its owner may enter.
        os.chmod(directory, 0o755)
        readable, secret = Path(directory, "readable.md"), Path(directory, "secret.md")
        for path, mode in ((readable, 0o644), (secret, 0o000)):
            path.write_text(f"---\ntitle: {path.stem}\npublisher: csw\n---\nText.\n")
            path.chmod(mode)
        counts = row_counts()

        with without_root(), pytest.raises(CommandError, match=rf"^{secret}: cannot read the file: Permission denied"):
            ingest(*([secret] if position == "alone" else [readable, secret]))

        assert row_counts() == counts


def test_bad_input_leaves_stored_reports_as_they_were(source, write, tmp_path):
    ingest(source)
    modified = dict(Report.objects.values_list("slug", "modified"))
    counts = row_counts()
    source.write_text(source.read_text().replace("Statue of", "A new statue of"))
    bad, _ = _bad_sources(write, tmp_path)["unknown author"]

    with pytest.raises(CommandError):
        ingest(source, bad)

    assert row_counts() == counts
    assert dict(Report.objects.values_list("slug", "modified")) == modified
    assert "A new statue" not in Report.objects.get(slug__startswith="human-rights-must").text


def test_authorships_follow_the_header(source, write, rogers):
    ingest(source)
    other = factories.person("Lord Alton", slug="lord-alton", aliases=["David Alton"])
    source.write_text(source.read_text().replace("author: Benedict Rogers", "author: David Alton\nauthor: rogers"))

    with pytest.raises(CommandError, match=r":6: unknown author 'rogers'"):
        ingest(source)
    source.write_text(source.read_text().replace("author: rogers", "author: benedict-rogers"))
    ingest(source)

    talks = Report.objects.get(slug__startswith="human-rights-must")
    assert list(Authorship.objects.filter(report=talks).values_list("position", "person")) == [
        (1, other.pk),
        (2, rogers.pk),
    ]


def test_progress_is_reported_on_long_runs():
    stream = io.StringIO()
    progress = Progress(OutputWrapper(stream), "articles ingested", every=1000)

    for done in (500, 1000, 1500, 2500, 2600, 3000):
        progress(done)

    lines = stream.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "1000 articles ingested",
        "2500 articles ingested",
        "3000 articles ingested",
    ]
