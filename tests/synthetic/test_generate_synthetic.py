"""benchmarks/generate_synthetic.py: the synthetic corpus benchmarks run on is complete, valid and reproducible."""

import hashlib

import pytest
from django.db import transaction

from actors.models import Actor, Alias, Membership, Organisation, Person
from benchmarks import generate_synthetic
from events.models import Event, Participant
from hrkb.dates import PartialDate
from hrkb.models import Status
from reports.models import Authorship, Quote, Report, Topic
from sources.models import (
    EventCitation,
    MembershipCitation,
    Mention,
    ParticipantCitation,
    QuoteCitation,
    ReportCitation,
)

CITATION_MODELS = [ReportCitation, MembershipCitation, EventCitation, ParticipantCitation, QuoteCitation]


def generate(**options):
    options = {"reports": 50, "seed": 7, **options}
    arguments = ["--force", "--quiet"]
    for name, value in options.items():
        arguments += [f"--{name.replace('_', '-')}", str(value)]
    return generate_synthetic.main(arguments)


@pytest.mark.django_db
def test_counts_follow_the_options_and_the_proportional_defaults():
    generate()

    assert Report.objects.count() == 50
    assert Person.objects.count() == 20
    assert Organisation.objects.count() == 10
    assert Event.objects.count() == 10
    assert Membership.objects.count() == 30
    for model in [Alias, Participant, Authorship, Mention, Quote, *CITATION_MODELS]:
        assert model.objects.exists(), model.__name__
    assert ReportCitation.objects.count() == 50, "every report cites its own publication"
    assert Organisation.objects.filter(parent__isnull=False).exists()
    assert Alias.objects.filter(language="ko", name__regex=r"^[가-힣]+$").exists(), "Korean names carry Hangul"
    assert Mention.objects.filter(mentioned_report__isnull=False).exists()
    assert Mention.objects.filter(event__isnull=False).exists()
    assert all(text.count(" ") + 1 >= 300 for text in Report.objects.values_list("text", flat=True))


@pytest.mark.django_db
def test_explicit_counts_and_ratios_are_honoured():
    generate(people=30, organisations=12, events=15, draft_ratio=0.5, restricted_ratio=0.5)

    assert (Person.objects.count(), Organisation.objects.count(), Event.objects.count()) == (30, 12, 15)
    drafts = Report.objects.filter(status=Status.DRAFT).count()
    restricted = Report.objects.filter(restricted=True).count()
    assert 10 < drafts < 40 and 10 < restricted < 40
    assert Report.objects.readable().count() < 50


@pytest.mark.django_db
def test_every_citation_validates_against_its_source_text():
    generate()

    for model in CITATION_MODELS:
        for citation in model.objects.select_related("source"):
            citation.full_clean()
            assert citation.source.text[citation.start : citation.end] == citation.passage


@pytest.mark.django_db
def test_every_quote_is_words_of_its_source_said_by_a_person_it_names():
    generate()

    for quote in Quote.objects.select_related("source", "speaker"):
        quote.full_clean()
        assert quote.speaker.kind == "person"
        assert quote.source.mentions.filter(actor=quote.speaker).exists()
        (citation,) = quote.citations.all()
        assert citation.source_id == quote.source_id
        assert quote.source.text[citation.start : citation.end] == quote.text


@pytest.mark.django_db
def test_every_mention_is_the_slice_of_its_report_it_names():
    generate()

    for mention in Mention.objects.select_related("report", "actor", "event", "mentioned_report"):
        mention.full_clean()
        assert mention.report.text[mention.start : mention.end] == mention.text
        target = mention.target
        names = [target.name, *target.aliases.values_list("name", flat=True)] if mention.actor else [str(target)]
        assert mention.text in names


@pytest.mark.django_db
def test_partial_dates_are_written_with_their_precision():
    generate()

    rows = list(Membership.objects.values("pk", "start", "start_precision", "end", "end_precision"))
    assert {row["start_precision"] for row in rows} == {"year", "month", "day"}
    loaded = {membership.pk: membership for membership in Membership.objects.all()}
    for row in rows:
        for field in ("start", "end"):
            day, precision = row[field], row[f"{field}_precision"]
            if day is None:
                assert precision == ""
                continue
            assert precision, "bulk_create wrote the date without its precision"
            assert loaded[row["pk"]].__dict__[field] == PartialDate.from_date(day, precision)
    assert all(report.published.precision == report.published_precision for report in Report.objects.all())


@pytest.mark.django_db
def test_timestamps_are_spread_rather_than_all_now():
    generate()

    modified = list(Report.objects.values_list("modified", flat=True))
    assert len(set(modified)) == 50
    assert all(report.created <= report.modified for report in Report.objects.all())


@pytest.mark.django_db
def test_udhr_topics_are_reused_when_loaded(corpus):
    topics_before = Topic.objects.count()
    generate()

    assert Topic.objects.count() == topics_before
    assert Report.topics.through.objects.filter(topic__udhr_article__isnull=False).exists()


@pytest.mark.django_db
def test_a_second_run_is_refused_and_writes_nothing():
    generate()
    counts = (Actor.objects.count(), Report.objects.count(), Mention.objects.count())

    with pytest.raises(SystemExit, match="already stored"):
        generate()
    assert (Actor.objects.count(), Report.objects.count(), Mention.objects.count()) == counts


class _Rollback(Exception):
    pass


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for slug, text in Report.objects.order_by("slug").values_list("slug", "text"):
        digest.update(f"{slug}\0{text}\0".encode())
    for row in Mention.objects.order_by("report__slug", "start").values_list("report__slug", "start", "end", "text"):
        digest.update(repr(row).encode())
    for row in Actor.objects.order_by("slug").values_list("slug", "name", "modified"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_corpus_and_another_seed_does_not():
    fingerprints = []
    for seed in (7, 7, 8):
        with pytest.raises(_Rollback), transaction.atomic():
            generate(seed=seed)
            fingerprints.append(_fingerprint())
            raise _Rollback

    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


@pytest.mark.django_db
def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(SystemExit, match="--force"):
        generate_synthetic.main(["--reports", "5", "--quiet"])
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_what_it_writes_meets_the_publish_rule():
    from hrkb import sourcing

    generate()
    for model in (Actor, Membership, Report, Quote, Event, Participant):
        assert not model._base_manager.filter(sourcing.unmet_q(model)).exists(), model.__name__
    # Facts a generated passage supports stay cited, not marked.
    cited = Membership.objects.filter(citations__isnull=False).distinct()
    assert cited.exists() and not cited.exclude(unsourced_reason="").exists()
    assert Membership.objects.exclude(unsourced_reason="").exists()
