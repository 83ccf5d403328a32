"""A citation's passage must occur verbatim in its source's text."""

import pytest
from django.core.exceptions import ValidationError

from sources.models import MembershipCitation, ReportCitation
from tests import factories

TEXT = "Its year-long Commission of Inquiry, chaired by Australian judge Michael Kirby, published a damning report."


@pytest.fixture
def source(db):
    return factories.report("We Must Use Every Creative Tool", text=TEXT)


def test_citation_offsets_are_found_when_left_blank(source):
    membership = factories.membership(role="Chair")
    citation = MembershipCitation(
        subject=membership, source=source, passage="chaired by Australian judge Michael Kirby"
    )
    citation.full_clean()
    assert TEXT[citation.start : citation.end] == citation.passage


def test_citation_whose_passage_is_not_in_the_source_is_rejected_naming_the_passage(source):
    citation = ReportCitation(subject=source, source=source, passage="chaired by Marzuki Darusman")
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert "chaired by Marzuki Darusman" in str(error.value)
    assert "We Must Use Every Creative Tool" in str(error.value)


def test_citation_with_wrong_offsets_is_rejected(source):
    passage = "Michael Kirby"
    citation = ReportCitation(subject=source, source=source, passage=passage, start=0, end=len(passage))
    with pytest.raises(ValidationError, match=r"Michael Kirby.*at characters 0–13"):
        citation.full_clean()


def test_citation_at_its_exact_offsets_is_accepted(source):
    start = TEXT.index("Michael Kirby")
    citation = ReportCitation(subject=source, source=source, passage="Michael Kirby", start=start, end=start + 13)
    citation.full_clean()
    citation.save()
    assert ReportCitation.objects.get_by_natural_key(source.slug, source.slug, start) == citation


def test_saving_a_citation_through_the_orm_is_held_to_the_same_rule(source):
    with pytest.raises(ValidationError, match="not in this text"):
        ReportCitation.objects.create(subject=source, source=source, passage="not in this text")
    assert not ReportCitation.objects.exists()
