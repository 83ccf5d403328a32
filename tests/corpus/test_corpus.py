"""The curated North Korea corpus: it loads, every citation holds, and it says what the articles say."""

import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from actors.models import Actor, Alias, Membership, Organisation, Person
from events.models import Event, Participant
from hrkb import sourcing
from hrkb.models import Rank, Status
from reports.models import Quote, Report
from sources.models import (
    ActorCitation,
    EventCitation,
    MembershipCitation,
    ParticipantCitation,
    QuoteCitation,
    ReportCitation,
)

from . import source

CITATION_MODELS = [ActorCitation, ReportCitation, MembershipCitation, QuoteCitation, EventCitation, ParticipantCitation]
COI_REPORT = "report-of-the-commission-of-inquiry-on-human-rights-in-the-dprk"
COI_EVENT = "un-commission-of-inquiry-dprk-report-2014"
FIXTURES = sorted(Path(settings.FIXTURE_DIRS[0]).glob("*.json"))

A1 = "human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea"
A2 = "north-korea-and-human-rights-a-state-of-denial"
A3 = "the-refugee-crisis-what-caused-them-to-flee-in-the-first-place"
A4 = "from-the-darkness-into-the-light-the-hope-for-justice-in-north-korea"
A5 = "we-must-use-every-creative-tool-to-prise-open-north-korea"

# slug: (published, precision, authors as (person slug, organisation slug, byline))
ARTICLES = {
    A1: ("2018-06", "month", [("benedict-rogers", None, "")]),
    A2: ("2016", "year", []),
    A3: (None, "", []),
    A4: ("2016-04-15", "day", [(None, "csw", "CSW\u2019s North Korea Desk Officer")]),
    A5: ("2016-02-22", "day", []),
}


def dump(*labels: str) -> list[dict]:
    out = io.StringIO()
    # The change log is written by the database as records load, not loaded (see hrkb/changelog.py).
    call_command("dumpdata", *labels, natural_foreign=True, natural_primary=True, exclude=["hrkb.change"], stdout=out)
    return json.loads(out.getvalue())


def by_key(records: list[dict]) -> list[str]:
    """Records in a stable order, so two dumps compare regardless of database row order."""
    return sorted(json.dumps(record, sort_keys=True, ensure_ascii=False) for record in records)


def test_fixtures_carry_natural_keys_only_in_their_canonical_format():
    for path in FIXTURES:
        text = path.read_text(encoding="utf-8")
        records = json.loads(text)
        # UTF-8, not \u escapes; indent 2; so diffs stay readable.
        assert text == json.dumps(records, ensure_ascii=False, indent=2) + "\n", path.name
        for record in records:
            assert set(record) == {"model", "fields"}, (path.name, record)
            model = apps.get_model(record["model"])
            for name, value in record["fields"].items():
                field = model._meta.get_field(name)
                if field.many_to_many:
                    assert all(isinstance(key, list) for key in value), (path.name, name)
                elif field.is_relation:
                    assert value is None or isinstance(value, list), (path.name, name)


def test_the_corpus_loads_every_kind_of_record(corpus):
    assert Report.objects.filter(kind="article").exclude(text="").count() == 5
    assert Report.objects.count() >= 15
    assert Person.objects.count() >= 15
    assert Organisation.objects.count() >= 15
    assert Event.objects.count() >= 15
    assert Quote.objects.count() >= 10
    for model in CITATION_MODELS:
        assert model.objects.exists(), model.__name__


def test_every_citation_passage_is_at_its_offsets_in_its_source(corpus):
    checked = unchecked = 0
    for model in CITATION_MODELS:
        for citation in model.objects.select_related("source"):
            if citation.source.text:
                assert citation.start is not None, (model.__name__, citation)
                assert citation.source.text[citation.start : citation.end] == citation.passage, (
                    model.__name__,
                    citation,
                )
                checked += 1
            else:
                # A source whose text is not stored (a UN document known by its symbol): nothing to point into.
                assert (citation.start, citation.end) == (None, None), (model.__name__, citation)
                assert citation.source.un_symbol or citation.source.url, citation.source
                unchecked += 1
    assert checked > 150
    assert unchecked == 2


@pytest.mark.parametrize("slug", ARTICLES)
def test_the_article_is_stored_with_its_exact_text_date_publisher_and_authors(corpus, slug):
    published, precision, authors = ARTICLES[slug]
    bodies = {article.header["slug"][0]: source.stored_text(article) for article in source.read()[0]}
    report = Report.objects.get(slug=slug)
    assert report.text == bodies[slug]
    assert report.kind == "article"
    assert list(report.publishers.values_list("slug", flat=True)) == ["csw"]
    assert (str(report.published) if report.published else None) == published
    assert report.published_precision == precision
    assert [
        (a.person.slug if a.person else None, a.organisation.slug if a.organisation else None, a.byline)
        for a in report.authorships.order_by("position")
    ] == authors
    # Every date, precise or not, says where it comes from.
    assert report.citations.filter(claim="published").exists()


def test_inferred_and_missing_dates_are_explained_with_a_lower_confidence(corpus):
    day_of_the_sun = ReportCitation.objects.filter(subject__slug=A4, claim="published")
    assert {citation.confidence for citation in day_of_the_sun} == {"medium"}
    assert any("January 2016" in citation.passage for citation in day_of_the_sun)
    refugee_day = ReportCitation.objects.filter(subject__slug=A3, claim="published")
    assert {citation.confidence for citation in refugee_day} == {"low"}
    assert any("year is not stated" in citation.value for citation in refugee_day)


def test_loading_the_fixtures_twice_changes_nothing(corpus, capsys):
    before = dump()
    call_command("load_fixtures")
    assert "Installed 0 object(s)" in capsys.readouterr().out
    assert dump() == before


def test_dumpdata_flush_loaddata_gives_the_same_records(transactional_db, corpus, tmp_path):
    # Transactional: PostgreSQL cannot flush inside the test's transaction.
    labels = ["hrkb", "actors", "reports", "events", "sources"]
    before = dump(*labels)
    assert len(before) > 400
    fixture = tmp_path / "corpus.json"
    fixture.write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")
    call_command("flush", "--no-input", verbosity=0)
    assert not Report.objects.exists()
    call_command("loaddata", str(fixture), verbosity=0)
    assert by_key(dump(*labels)) == by_key(before)


def test_kirby_chaired_the_commission_of_inquiry_as_the_articles_say(corpus):
    chair = Membership.objects.get(person__slug="michael-kirby", organisation__slug="un-commission-of-inquiry-dprk")
    assert chair.role == "Chair"
    passages = set(chair.citations.filter(claim="role").values_list("passage", flat=True))
    assert "Justice Michael Kirby, who chaired the UN Commission of Inquiry" in passages
    assert Participant.objects.filter(
        event__slug="un-commission-of-inquiry-dprk-report-2014", actor__slug="michael-kirby", role="chair"
    ).exists()


def test_the_caption_misspelling_kim_ii_sung_is_an_alias_of_kim_il_sung(corpus):
    alias = Alias.objects.get(name="Kim II Sung")
    assert alias.actor.slug == "kim-il-sung"
    assert alias.kind == "misspelling"
    names = set(Alias.objects.filter(actor__slug="kim-il-sung").values_list("name", flat=True))
    assert {"Kim Il Sung", "Kim Il-Sung", "김일성", "Gim Il-seong"} <= names
    assert Person.objects.get(slug="kim-il-sung").wikidata_id == "Q39464"


def test_sakharovs_nobel_lecture_quote_is_dated_1975(corpus):
    quote = Quote.objects.get(slug="andrei-sakharov-nobel-lecture-1975")
    assert quote.speaker.slug == "andrei-sakharov"
    assert str(quote.said) == "1975"
    assert quote.said_precision == "year"
    assert quote.citations.filter(claim="said", passage__contains="1975 Nobel Peace Prize lecture").exists()


def test_the_coi_reports_date_is_two_competing_claims_the_uns_preferred(corpus):
    report = Report.objects.get(un_symbol="A/HRC/25/63")
    event = Event.objects.get(slug=COI_EVENT)
    assert str(report.published) == str(event.start) == "2014-02-17"
    for fact, claim in [(report, "published"), (event, "start")]:
        claims = fact.citations.filter(claim=claim)
        ranks = {citation.value: citation.rank for citation in claims}
        assert ranks["17 February 2014"] == Rank.PREFERRED
        assert ranks["22 February 2014"] == Rank.DEPRECATED
        assert ranks["2014"] == Rank.NORMAL
        assert claims.filter(rank=Rank.PREFERRED).count() == 1
        assert all(citation.rank_reason for citation in claims.exclude(rank=Rank.NORMAL))
        # Article 5's date is deprecated with its reason; the UN's is cited to the UN document itself.
        deprecated = claims.get(rank=Rank.DEPRECATED)
        assert deprecated.source.slug == A5 and "22 February 2016" in deprecated.rank_reason
        preferred = claims.get(rank=Rank.PREFERRED)
        assert preferred.source == report and preferred.source.text == ""
        assert (preferred.start, preferred.end) == (None, None)
    assert report.url == "https://undocs.org/A/HRC/25/63"


def test_every_published_record_meets_the_publish_rule(corpus):
    checked = 0
    for model in (Actor, Membership, Report, Quote, Event, Participant):
        assert not model.objects.filter(sourcing.unmet_q(model)).exists(), model.__name__
        checked += model.objects.count()
    assert checked > 100
    # Descriptions: cited, or the curator's own summary, never neither.
    for actor in Actor.objects.exclude(description="").filter(own_summary=False):
        assert actor.citations.filter(claim="description").exists(), actor.slug


def test_descriptions_state_no_more_than_their_passages(corpus):
    darusman = Person.objects.get(slug="marzuki-darusman")
    assert "Commission of Inquiry" not in darusman.description
    assert "Special Rapporteur" in darusman.citations.get(claim="description").passage
    kim = Person.objects.get(slug="kim-il-sung")
    assert "eternal" not in kim.description and "“perpetual leader”" in kim.description
    assert kim.citations.filter(passage__contains="perpetual leader").exists()
    seoul = Event.objects.get(slug="opening-of-ohchr-seoul-office")
    assert "2015" not in seoul.description and seoul.start is None
    coi = Report.objects.get(slug=COI_REPORT)
    assert "systematic and appalling" in coi.summary and "widespread and gross" not in coi.summary
    assert coi.citations.filter(claim="finding", passage__contains="systematic and appalling").exists()


def test_csw_signed_the_ngo_letter_and_did_not_publish_it(corpus):
    letter = Report.objects.get(slug="ngo-letter-to-kim-jong-un-2018")
    assert not letter.publishers.exists()
    assert Participant.objects.filter(event__slug="ngo-letter-to-kim-jong-un-2018", actor__slug="csw", role="signatory")


def test_the_churchill_quote_keeps_only_his_quoted_words(corpus):
    quote = Quote.objects.get(slug="winston-churchill-jaw-jaw-better-than-war-war")
    assert quote.text == "jaw jaw … war war"
    assert quote.citations.filter(value__contains="paraphrase").exists()


def test_no_alias_is_another_persons_name(corpus):
    assert not Alias.objects.filter(name="Ben Rogers").exists()


def test_the_singapore_summit_is_dated_placed_and_attended(corpus):
    summit = Event.objects.get(slug="singapore-summit-2018")
    assert (str(summit.start), summit.place, summit.country) == ("2018-06-12", "Singapore", "SG")
    assert set(summit.participants.values_list("actor__slug", flat=True)) == {"donald-trump", "kim-jong-un"}
    for participant in summit.participants.all():
        assert participant.citations.exists()
    assert "Trump-Kim summit" in summit.aliases.splitlines()


def test_relative_dates_are_resolved_from_the_article_and_keep_their_wording(corpus):
    meeting = Event.objects.get(slug="jung-gwang-il-meets-donald-trump-2018")
    assert str(meeting.start) == "2018"
    assert meeting.citations.get(claim="start").passage == "Jung Gwang-il, who met President Trump earlier this year"
    total_denial = Report.objects.get(slug="total-denial")
    assert str(total_denial.published) == "2016"
    assert total_denial.citations.filter(claim="published", passage__startswith="Two years ago").exists()


def test_every_record_is_published_and_unrestricted_except_the_unsourced_membership(corpus):
    for model in (Person, Organisation, Report, Event, Quote):
        assert not model.objects.filter(restricted=True).exists()
        assert not model.objects.exclude(status=Status.PUBLISHED).exists(), model.__name__
    drafts = Membership.objects.exclude(status=Status.PUBLISHED)
    # Darusman's seat on the commission is true but stated in none of the stored texts.
    assert list(drafts.values_list("slug", flat=True)) == ["marzuki-darusman-member-un-commission-of-inquiry-dprk"]
    assert not drafts.get().citations.exists()


def test_ingesting_the_source_copy_agrees_with_the_curated_articles(corpus):
    # The ingest command reads the same header blocks; a disagreement would show as an update.
    # Not `modified`: the mentions ingest links are part of a report's JSON, so they move it.
    def fields():
        records = dump("reports.report", "reports.authorship")
        for record in records:
            record["fields"].pop("modified", None)
        return records

    before = fields()
    call_command("ingest_sources", str(source.SOURCE_MD), verbosity=0)
    assert fields() == before
    # Once linked, ingesting again changes nothing at all.
    linked = dump("reports.report", "reports.authorship")
    call_command("ingest_sources", str(source.SOURCE_MD), verbosity=0)
    assert dump("reports.report", "reports.authorship") == linked
