"""The shipped source file against the curated corpus: nothing to create or update, and the mentions found."""

from django.conf import settings

from actors.models import Person
from reports.models import Report
from sources.models import Mention

from .helpers import ingest, row_counts

SOURCE = settings.BASE_DIR / "fixtures" / "sources" / "csw-north-korea-articles.md"


def test_shipped_sources_match_the_corpus_and_link_kim_il_sung(corpus):
    output = ingest(SOURCE)

    assert f"{SOURCE}: 5 articles: 0 created, 0 updated, 5 unchanged" in output
    kim = Person.objects.get(slug="kim-il-sung")
    talks = Report.objects.get(slug="human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea")
    caption = talks.text.index("Statue of Kim II Sung") + len("Statue of ")
    mention = Mention.objects.get(report=talks, start=caption)
    assert (mention.text, mention.actor, mention.origin) == ("Kim II Sung", kim, "linked")
    assert mention.end == caption + len("Kim II Sung")
    for mention in Mention.objects.select_related("report"):
        assert mention.report.text[mention.start : mention.end] == mention.text


def test_shipped_sources_ingest_twice_changes_nothing(corpus):
    ingest(SOURCE)
    counts = row_counts()
    modified = dict(Report.objects.values_list("slug", "modified"))

    output = ingest(SOURCE)

    assert "0 created, 0 updated, 5 unchanged" in output
    assert "(0 added, 0 removed)" in output
    assert row_counts() == counts
    assert dict(Report.objects.values_list("slug", "modified")) == modified
