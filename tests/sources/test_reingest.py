"""A corrected source ingested again: every citation and mention still quotes its words, or the run is refused."""

import re
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from actors.models import Person
from hrkb.anchoring import TextChange, reanchor
from reports.models import Report
from sources.choices import MentionOrigin
from sources.models import Mention, ReportCitation, citation_models
from tests.corpus.source import SOURCE_MD

from .helpers import ingest, row_counts

A1 = "human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea"
A5 = "we-must-use-every-creative-tool-to-prise-open-north-korea"


@pytest.fixture
def corpus_source(db, tmp_path):
    """The corpus loaded and its source ingested, and a copy of the source file to correct."""
    call_command("load_fixtures", verbosity=0)
    call_command("ingest_sources", str(SOURCE_MD), verbosity=0)
    copy = tmp_path / "csw-north-korea-articles.md"
    shutil.copy(SOURCE_MD, copy)
    return copy


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def every_anchor_holds() -> int:
    checked = 0
    for model in citation_models():
        for citation in model.objects.select_related("source").exclude(start=None):
            assert citation.source.text[citation.start : citation.end] == citation.passage, citation
            checked += 1
    for mention in Mention.objects.select_related("report"):
        assert mention.report.text[mention.start : mention.end] == mention.text, mention
        checked += 1
    return checked


def test_an_edit_that_moves_cited_sentences_carries_every_citation_and_mention(corpus_source):
    report = Report.objects.get(slug=A1)
    kirby = ReportCitation.objects.filter(source=report).order_by("-start").first()
    before = {(type(c), c.pk): c.passage for m in citation_models() for c in m.objects.filter(source=report)}
    at = report.text.index("Lord Alton")
    # A curator's reading of the span, in place of what linking found there.
    Mention.objects.filter(report=report, start__lt=at + 10, end__gt=at).delete()
    curated = Mention.objects.create(
        report=report, start=at, end=at + 10, text="Lord Alton", actor=Person.objects.get(slug="david-alton")
    )
    # A new first paragraph, and a sentence rewritten where no citation quotes it.
    edit(corpus_source, "Statue of Kim II Sung\n", "Statue of Kim II Sung (photo: CSW)\n\nA correction was made.\n")
    edit(corpus_source, "Perhaps a new era may be dawning.", "Perhaps a new era is dawning.")

    output = ingest(corpus_source)

    assert "1 updated" in output
    report.refresh_from_db()
    assert "A correction was made." in report.text
    checked = every_anchor_holds()
    assert checked > 300
    # Same words, new places.
    after = {(type(c), c.pk): c.passage for m in citation_models() for c in m.objects.filter(source=report)}
    assert after == before
    kirby.refresh_from_db()
    assert kirby.start > report.text.index("A correction was made.")
    curated.refresh_from_db()
    assert report.text[curated.start : curated.end] == "Lord Alton" and curated.origin == MentionOrigin.CURATED
    moved = kirby.history.first()
    assert moved.history_change_reason.startswith("Re-anchored after csw-north-korea-articles.md")


def test_a_cited_sentence_edited_away_refuses_the_run_naming_file_line_and_citation(corpus_source):
    before = row_counts()
    texts = dict(Report.objects.values_list("slug", "text"))
    # Article 5's date, corrected: the deprecated claim's passage is no longer in the text.
    edit(corpus_source, "Exactly two years ago, on 22 February 2014,", "Two years ago, on 17 February 2014,")
    with pytest.raises(CommandError) as error:
        ingest(corpus_source)
    message = str(error.value)
    line = next(n for n, text in enumerate(corpus_source.read_text().splitlines(), 1) if "17 February 2014" in text)
    assert f"{corpus_source}:{line}: the citation of report" in message
    assert "“Exactly two years ago, on 22 February 2014, the United Nations" in message
    assert "the citation of event" in message
    assert re.search(r"/admin/sources/reportcitation/\d+/change/", message)
    assert "Nothing was stored." in message
    assert row_counts() == before
    assert dict(Report.objects.values_list("slug", "text")) == texts


def test_a_passage_that_occurs_twice_is_found_again_by_its_context():
    old = "CSW said no. Later, in Geneva, CSW said no. The end."
    new = "Preface. CSW said no! Later, in Geneva, CSW said no. The end."
    second = old.rindex("CSW said no")
    span = reanchor(old, new, second, second + len("CSW said no"), "CSW said no")
    assert new[span.start : span.end] == "CSW said no" and span.start == new.rindex("CSW said no")
    # Text changed around it on the same line: found by context, not by the first occurrence.
    old = "CSW said no. CSW said no, in Geneva."
    new = "CSW said no.  CSW said no, in Geneva, again."
    span = reanchor(old, new, 13, 24, "CSW said no")
    assert span.start == new.index("CSW said no, in Geneva")


def test_a_passage_gone_is_never_pointed_at_other_text():
    change = TextChange("The summit took place on 12 June.", "The summit took place in June.")
    assert change.reanchor(22, 32, "on 12 June") is None
