"""Fixtures carry natural keys only, load strictly and idempotently, and round-trip through dumpdata."""

import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from actors.models import Person
from events.models import Participant
from reports.models import Report
from sources.models import MembershipCitation
from tests import factories

LOCAL_APPS = ["hrkb", "actors", "reports", "events", "sources"]


def dump() -> list[dict]:
    out = io.StringIO()
    # The change log is written by the database as records load, not loaded (see hrkb/changelog.py).
    call_command(
        "dumpdata", *LOCAL_APPS, natural_foreign=True, natural_primary=True, exclude=["hrkb.change"], stdout=out
    )
    # JSON keeps milliseconds: a history time with only microseconds past the second
    # is written "…:23.000Z" before the round trip and "…:23Z" after it.
    return json.loads(out.getvalue().replace('.000Z"', 'Z"'))


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for app in LOCAL_APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def knowledge_base(db):
    """A little of everything: each model and relation the fixtures use."""
    coi = factories.organisation("Commission of Inquiry", aliases=["COI"], organisation_kind="un_body")
    kirby = factories.person("Michael Kirby", aliases=["Justice Michael Kirby"], wikidata_id="Q1330395")
    chair = factories.membership(kirby, coi, role="Chair", start="2013-05")
    topic = factories.topic("Accountability")
    text = "The Commission of Inquiry, chaired by Michael Kirby, published its report in February 2014."
    report = factories.report("COI report", publishers=[coi], authors=[kirby], topics=[topic], text=text)
    report.references.add(factories.report("Earlier report", published="2007"))
    MembershipCitation.objects.create(subject=chair, source=report, passage="chaired by Michael Kirby")
    event = factories.event("Report published", participants=[coi], related_reports=[report], start="2014-02")
    factories.quote(kirby, "They told their stories of suffering.", source=report, said="2018-06")
    factories.mention(report, "Michael Kirby", actor=kirby)
    factories.mention(report, "Commission of Inquiry", event=event)
    kirby.slug = "michael-kirby-judge"
    kirby.save()  # leaves a SlugRedirect behind
    return report


def test_fixtures_carry_no_database_ids(knowledge_base):
    # History rows are an audit log keyed by their own ids; curated records are not.
    for record in (r for r in dump() if ".historical" not in r["model"]):
        assert "pk" not in record, record
        for name, value in record["fields"].items():
            assert not (name in {"actor", "person", "report", "subject", "source"} and isinstance(value, int))


def test_dumpdata_flush_loaddata_gives_the_same_records(transactional_db, knowledge_base, tmp_path):
    # Transactional: PostgreSQL cannot TRUNCATE (flush) inside the test's transaction.
    before = dump()
    fixture = tmp_path / "everything.json"
    fixture.write_text(json.dumps(before), encoding="utf-8")
    call_command("flush", "--no-input", verbosity=0)
    assert Report.objects.count() == 0
    call_command("loaddata", str(fixture), verbosity=0)
    assert dump() == before


def test_loading_a_fixture_twice_changes_nothing(knowledge_base, tmp_path):
    fixture = tmp_path / "everything.json"
    fixture.write_text(json.dumps(dump()), encoding="utf-8")
    before = dump()
    out = io.StringIO()
    call_command("loaddata", str(fixture), stdout=out)
    assert dump() == before
    assert "Installed 0 object(s)" in out.getvalue()


def write_fixture(tmp_path, records) -> str:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return str(path)


def test_fixture_naming_an_unknown_slug_fails_and_leaves_the_database_as_it_was(knowledge_base, tmp_path):
    before = row_counts()
    fixture = write_fixture(
        tmp_path,
        [
            {"model": "actors.person", "fields": {"slug": "new-person", "kind": "person", "name": "New Person"}},
            {
                "model": "actors.membership",
                "fields": {
                    "slug": "new-person-member",
                    "person": ["new-person"],
                    "organisation": ["no-such-organisation"],
                    "role": "Member",
                },
            },
        ],
    )
    with pytest.raises(CommandError, match="no-such-organisation") as error:
        call_command("loaddata", fixture, verbosity=0)
    assert "bad.json" in str(error.value)
    assert row_counts() == before
    assert not Person.objects.filter(slug="new-person").exists()


def test_fixture_with_a_citation_not_in_its_source_fails_naming_the_passage(knowledge_base, tmp_path):
    before = row_counts()
    fixture = write_fixture(
        tmp_path,
        [
            {
                "model": "sources.reportcitation",
                "fields": {
                    "subject": [knowledge_base.slug],
                    "source": [knowledge_base.slug],
                    "passage": "published its report in March 2014",
                },
            }
        ],
    )
    with pytest.raises(CommandError, match="published its report in March 2014") as error:
        call_command("loaddata", fixture, verbosity=0)
    assert "bad.json" in str(error.value)
    assert row_counts() == before


def test_fixture_with_a_malformed_partial_date_fails_naming_the_record(db, tmp_path):
    fixture = write_fixture(
        tmp_path,
        [
            {
                "model": "reports.report",
                "fields": {"slug": "bad-date", "title": "T", "kind": "report", "published": "2014-13"},
            }
        ],
    )
    with pytest.raises(CommandError, match="2014-13"):
        call_command("loaddata", fixture, verbosity=0)
    assert not Report.objects.exists()


@pytest.mark.parametrize("model_label", ["actors.Actor", "reports.Report", "reports.Topic", "events.Event"])
def test_slugs_are_unique(db, model_label):
    model = apps.get_model(model_label)
    make = {
        "actors.Actor": lambda slug: factories.person("Someone", slug=slug),
        "reports.Report": lambda slug: factories.report("Something", slug=slug),
        "reports.Topic": lambda slug: factories.topic(f"Topic {slug}-{model.objects.count()}", slug=slug),
        "events.Event": lambda slug: factories.event("Something", slug=slug),
    }[model_label]
    make("same-slug")
    with pytest.raises(IntegrityError):
        make("same-slug")


def test_people_and_organisations_share_one_slug_space(db):
    factories.person("Amnesty", slug="amnesty")
    with pytest.raises(IntegrityError):
        factories.organisation("Amnesty International", slug="amnesty")


def test_participant_natural_key_round_trips(knowledge_base):
    participant = Participant.objects.get()
    assert Participant.objects.get_by_natural_key(*participant.natural_key()) == participant
