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
from sources.models import EventCitation, MembershipCitation, ReportCitation
from tests import factories

LOCAL_APPS = ["hrkb", "actors", "reports", "events", "sources"]
UNSOURCED = "Test data: no source is stored."


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
    """A little of everything: each model and relation the fixtures use, meeting the publish rule."""
    coi = factories.organisation("Commission of Inquiry", aliases=["COI"], organisation_kind="un_body")
    kirby = factories.person("Michael Kirby", aliases=["Justice Michael Kirby"], wikidata_id="Q1330395")
    chair = factories.membership(kirby, coi, role="Chair", start="2013-05")
    topic = factories.topic("Accountability")
    text = "The Commission of Inquiry, chaired by Michael Kirby, published its report in February 2014."
    report = factories.report("COI report", publishers=[coi], authors=[kirby], topics=[topic], text=text)
    ReportCitation.objects.create(subject=report, source=report, passage="chaired by Michael Kirby", claim="author")
    report.references.add(factories.report("Earlier report", published="2007", unsourced_reason=UNSOURCED))
    MembershipCitation.objects.create(subject=chair, source=report, passage="chaired by Michael Kirby")
    event = factories.event("Report published", participants=[coi], related_reports=[report], start="2014-02")
    EventCitation.objects.create(subject=event, source=report, passage="in February 2014", claim="start")
    event.participants.update(unsourced_reason=UNSOURCED)
    factories.quote(kirby, "They told their stories of suffering.", source=report, said="2018-06", status="draft")
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


def membership_fixture(tmp_path, **fields) -> str:
    return write_fixture(
        tmp_path,
        [
            {
                "model": "actors.membership",
                "fields": {
                    "slug": "kirby-rapporteur",
                    "person": ["michael-kirby-judge"],
                    "organisation": [
                        Person.objects.get(slug="michael-kirby-judge").memberships.get(role="Chair").organisation.slug
                    ],
                    "role": "Rapporteur",
                    **fields,
                },
            }
        ],
    )


def test_a_published_fact_without_a_source_is_refused_naming_file_record_and_fact(knowledge_base, tmp_path):
    before = row_counts()
    fixture = membership_fixture(tmp_path, status="published")
    with pytest.raises(CommandError, match="publish rule") as error:
        call_command("loaddata", fixture, verbosity=0)
    assert "bad.json: actors.membership kirby-rapporteur: published without a source for the membership" in str(
        error.value
    )
    assert row_counts() == before


@pytest.mark.parametrize("fields", [{"status": "draft"}, {"status": "published", "unsourced_reason": UNSOURCED}, {}])
def test_a_draft_or_a_fact_marked_unsourced_loads(knowledge_base, tmp_path, fields):
    call_command("loaddata", membership_fixture(tmp_path, **fields), verbosity=0)
    membership = Person.objects.get(slug="michael-kirby-judge").memberships.get(role="Rapporteur")
    # Left out, the status is a draft's: nothing is published by default.
    assert membership.status == fields.get("status", "draft")


def test_loaded_records_get_a_first_history_entry_so_their_first_edit_shows_a_diff(knowledge_base, tmp_path):
    call_command("loaddata", membership_fixture(tmp_path), verbosity=0)
    membership = Person.objects.get(slug="michael-kirby-judge").memberships.get(role="Rapporteur")
    created = membership.history.get()
    assert created.history_type == "+" and created.history_change_reason == "Loaded from bad.json"
    membership.role = "Special Rapporteur"
    membership.save()
    changes = membership.history.first().diff_against(created).changes
    assert [(c.field, c.old, c.new) for c in changes if c.field == "role"] == [
        ("role", "Rapporteur", "Special Rapporteur")
    ]


def test_a_fixture_that_changes_a_stored_record_is_recorded_in_its_history(knowledge_base, tmp_path):
    call_command("loaddata", membership_fixture(tmp_path), verbosity=0)
    call_command("loaddata", membership_fixture(tmp_path, note="Corrected."), verbosity=0)
    membership = Person.objects.get(slug="michael-kirby-judge").memberships.get(role="Rapporteur")
    assert [h.history_type for h in membership.history.all()] == ["~", "+"]
    assert membership.history.first().note == "Corrected."


def test_many_to_many_values_loaded_are_in_the_first_history_entry(knowledge_base, tmp_path):
    fixture = write_fixture(
        tmp_path,
        [
            {
                "model": "reports.report",
                "fields": {
                    "slug": "loaded-report",
                    "title": "Loaded",
                    "kind": "report",
                    "publishers": [[knowledge_base.publishers.get().slug]],
                    "references": [[knowledge_base.slug]],
                },
            }
        ],
    )
    call_command("loaddata", fixture, verbosity=0)
    report = Report.objects.get(slug="loaded-report")
    created = report.history.get()
    assert [row.organisation_id for row in created.publishers.all()] == [knowledge_base.publishers.get().pk]
    assert [row.to_report_id for row in created.references.all()] == [knowledge_base.pk]
