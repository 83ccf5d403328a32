"""Merging duplicate reports: authors, publishers, citations of their texts and mentions in them all follow."""

import pytest
from django.core.exceptions import ValidationError

from hrkb.models import SlugRedirect
from reports.models import Authorship, Report
from reports.services import report_merge, report_merge_plan
from sources.models import MembershipCitation, ReportCitation
from tests import factories

pytestmark = pytest.mark.django_db

TEXT = "On 17 February 2014 the commission, chaired by Michael Kirby, published its report."


def test_a_survivor_without_text_takes_the_duplicates_with_its_citations_and_mentions(curator):
    kirby = factories.person("Michael Kirby")
    coi = factories.organisation("COI")
    survivor = factories.report("Report of the COI", slug="coi-report", publishers=[coi], authors=[kirby])
    duplicate = factories.report(
        "COI report (A/HRC/25/63)", slug="coi-report-2", text=TEXT, publishers=[coi], authors=[kirby]
    )
    chair = factories.membership(kirby, coi, role="Chair")
    MembershipCitation.objects.create(subject=chair, source=duplicate, passage="chaired by Michael Kirby")
    mention = factories.mention(duplicate, "Michael Kirby", actor=kirby)
    cites_itself = ReportCitation.objects.create(subject=duplicate, source=duplicate, passage="17 February 2014")

    report_merge(survivor=survivor, duplicate=duplicate, user=curator)

    survivor.refresh_from_db()
    assert survivor.text == TEXT
    assert "COI report (A/HRC/25/63)" in survivor.aliases.splitlines()
    assert list(survivor.publishers.all()) == [coi]
    # The same author twice is one authorship.
    assert list(Authorship.objects.filter(report=survivor).values_list("person", flat=True)) == [kirby.pk]
    citation = chair.citations.get()
    assert citation.source == survivor and TEXT[citation.start : citation.end] == citation.passage
    mention.refresh_from_db()
    assert mention.report == survivor and TEXT[mention.start : mention.end] == "Michael Kirby"
    cites_itself.refresh_from_db()
    assert (cites_itself.subject, cites_itself.source) == (survivor, survivor)
    assert SlugRedirect.objects.resolve(Report, "coi-report-2") == "coi-report"


def test_citations_of_the_duplicates_text_are_found_again_in_the_survivors():
    survivor = factories.report("Survivor", text="Preface. " + TEXT + " The end.")
    duplicate = factories.report("Duplicate", text=TEXT)
    subject = factories.report("Cited by it")
    citation = ReportCitation.objects.create(subject=subject, source=duplicate, passage="published its report")
    report_merge(survivor=survivor, duplicate=duplicate)
    citation.refresh_from_db()
    assert citation.source == survivor
    assert survivor.text[citation.start : citation.end] == "published its report"
    assert citation.start == len("Preface. ") + TEXT.index("published its report")


def test_a_passage_the_survivors_text_lacks_stops_the_merge_and_nothing_changes():
    survivor = factories.report("Survivor", text="A different text altogether.")
    duplicate = factories.report("Duplicate", text=TEXT)
    subject = factories.report("Cited by it")
    ReportCitation.objects.create(subject=subject, source=duplicate, passage="chaired by Michael Kirby")
    plan = report_merge_plan(survivor=survivor, duplicate=duplicate)
    assert plan.problems and "chaired by Michael Kirby" in plan.problems[0]
    with pytest.raises(ValidationError, match="chaired by Michael Kirby"):
        report_merge(survivor=survivor, duplicate=duplicate)
    assert Report.objects.filter(slug=duplicate.slug).exists()


def test_authors_in_taken_byline_positions_go_last_and_self_references_are_dropped():
    first, second = factories.person("First Author"), factories.person("Second Author")
    survivor = factories.report("Survivor", authors=[first])
    duplicate = factories.report("Duplicate", authors=[second])
    other = factories.report("Other")
    survivor.references.add(duplicate)
    duplicate.references.add(other)
    other.references.add(duplicate)
    report_merge(survivor=survivor, duplicate=duplicate)
    assert list(survivor.authorships.order_by("position").values_list("person", "position")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    assert list(survivor.references.all()) == [other]
    assert list(other.references.all()) == [survivor]
    # The report that cited the duplicate records the change in its own history.
    assert other.history.first().history_change_reason.startswith("Merged Duplicate")
