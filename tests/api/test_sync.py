"""Incremental sync: an export, then the changes feed from its watermark, keep a partner's copy exact.

The heart of it is :data:`WRITE_PATHS`: every way a record can be written —
the admin, the ORM, ``loaddata`` and ``load_fixtures``, ``ingest_sources``,
bulk writes, raw SQL, the merge service, the spreadsheet import — each as one row. For each row and
each kind of client, :func:`test_a_replica_from_export_and_feed_equals_a_fresh_export`
takes the NDJSON export and its watermark, makes the writes, follows the feed
from the watermark, and compares the replica with a fresh export, record by
record and field by field. A new write path is one more row.
"""

import datetime
import io
import json

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.http import http_date

from actors.models import Actor, Alias, Membership, Person
from actors.services import actor_merge
from events.models import Event, Participant
from hrkb.models import Change
from reports.models import Authorship, Report, Topic
from sources.models import MembershipCitation, Mention
from tests import factories

EXPORT = "/api/v1/export.ndjson"


def changes(client, **params):
    """Every change, following next links; and the last page's watermark."""
    found, url, pages = [], "/api/v1/changes/", 0
    params = {"page_size": 1000, **params}
    while url:
        response = client.get(url, params if pages == 0 else None)
        assert response.status_code == 200, response.content
        body = response.json()
        found += body["results"]
        url, pages = body["next"], pages + 1
        assert pages < 500
    return found, body["until"]


def export(client) -> tuple[dict, str]:
    """The NDJSON export as {(type, slug): record}, and the watermark it carries."""
    response = client.get(EXPORT)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body == "" or body.endswith("\n"), "the last line is cut"
    records = [json.loads(line) for line in body.splitlines()]
    copy = {(record["type"], record["slug"]): record for record in records}
    assert len(copy) == len(records)
    return copy, response["HRKB-Sync-Since"]


def follow(client, copy: dict, since: str) -> str:
    """Apply the feed since ``since`` to ``copy``, as a partner would; returns the next watermark."""
    found, until = changes(client, since=since)
    for change in found:
        key = (change["type"], change["slug"])
        if change["action"] == "updated":
            response = client.get(change["url"])
            assert response.status_code == 200, change
            copy[key] = response.json()
        else:
            assert change["action"] in ("removed", "merged"), change
            copy.pop(key, None)
    return until


# --- The write paths ---------------------------------------------------------------------------------------------


def admin_actions(world, curator_client, tmp_path):
    """Curators restrict, unpublish and delete, and edit a membership and an alias, in the admin."""

    def action(path, name, *records):
        response = curator_client.post(
            f"/admin/{path}/", {"action": name, "_selected_action": [record.pk for record in records]}
        )
        assert response.status_code == 302, response.content

    action("actors/membership", "restrict", world.membership)
    action("reports/topic", "unpublish", world.topic)
    action("actors/organisation", "restrict", world.child_org)
    response = curator_client.post(f"/admin/events/event/{world.event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    alias = Alias.objects.get(name="Alice P.")
    response = curator_client.post(
        f"/admin/actors/alias/{alias.pk}/change/",
        {"actor": world.person.pk, "name": "Alice Renamed", "kind": alias.kind, "language": "en"},
    )
    assert response.status_code == 302, response.content


def orm_saves(world, curator_client, tmp_path):
    """save() and delete() through the ORM: create, update, rename, unpublish, restrict, delete, nested rows."""
    factories.report("Brand new", slug="brand-new", publishers=[world.org])
    world.topic.slug = "topic-renamed"
    world.topic.save()
    world.org.name = "Org renamed"  # shows in every record that names it
    world.org.save()
    world.quote.status = "draft"
    world.quote.save()
    world.person_restricted.restricted = False  # now readable by all: its quote too
    world.person_restricted.save()
    world.report_restricted.delete()
    MembershipCitation.objects.filter(subject=world.membership).first().delete()
    Participant.objects.filter(event=world.event, actor=world.person).update(role_title="Chair of the talks")
    world.event.related_reports.remove(world.report)


def loaddata_fixture(world, curator_client, tmp_path):
    """A fixture that restricts one record, renames another's title, adds one and adds a membership."""
    fixture = tmp_path / "changes.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "actors.person",
                    "fields": {"slug": "alice-public", "kind": "person", "name": "Alice Public", "restricted": True},
                },
                {
                    "model": "reports.report",
                    "fields": {"slug": "public-report", "title": "Public report, retitled", "kind": "report"},
                },
                {"model": "reports.topic", "fields": {"slug": "fixture-topic", "name": "From a fixture"}},
                {
                    "model": "actors.membership",
                    "fields": {
                        "slug": "fixture-membership",
                        "person": ["bob-zzrestricted"],
                        "organisation": ["org-public"],
                        "role": "Adviser",
                    },
                },
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)


def load_fixtures(world, curator_client, tmp_path):
    """The whole corpus, loaded on top: hundreds of creations, none through save()."""
    call_command("load_fixtures", verbosity=0)


def ingest_sources(world, curator_client, tmp_path):
    """A new source file: a report created from its header, and mentions linked in every stored text."""
    source = tmp_path / "new.md"
    source.write_text(
        "---\ntitle: A new article\nslug: a-new-article\npublisher: org-public\nauthor: alice-public\n---\n"
        "Alice Public met the Org public delegation.\n"
    )
    call_command("ingest_sources", str(source), verbosity=0)


def bulk_writes(world, curator_client, tmp_path):
    """bulk_create, bulk_update and QuerySet.update(): no save(), no signals."""
    Topic.objects.bulk_create([Topic(slug=f"bulk-topic-{n}", name=f"Bulk topic {n}") for n in range(3)])
    people = list(Person.objects.filter(slug__in=["alice-public", "bob-zzrestricted"]))
    for person in people:
        person.name = f"{person.name} (bulk)"
    Person.objects.bulk_update(people, ["name"])
    Report.objects.filter(slug="public-report").update(published=datetime.date(2015, 1, 1))
    Event.objects.filter(slug="event-public").update(restricted=True)
    Alias.objects.bulk_create([Alias(actor=world.org, name="Bulk alias")])
    Authorship.objects.filter(report=world.report, person=world.person).delete()
    Membership.objects.filter(pk=world.membership.pk).update(status="draft")


def raw_sql(world, curator_client, tmp_path):
    """SQL that bypasses Django altogether: a rename, a restriction and a deleted mention."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_report SET slug = %s WHERE slug = %s", ["report-moved", "report-zzrestricted"])
        cursor.execute("UPDATE reports_topic SET restricted = %s WHERE slug = %s", [True, "topic-public"])
        cursor.execute("DELETE FROM sources_mention WHERE text = %s", ["Alice Public"])


def merge_service(world, curator_client, tmp_path):
    """Merging a duplicate person: the duplicate goes, its slug redirects, its rows move to the survivor."""
    duplicate = factories.person("Alice Duplicate", slug="alice-duplicate")
    factories.membership(duplicate, world.org, role="Spokesperson")
    follow_up = factories.quote(duplicate, "Duplicate words.", slug="quote-of-duplicate")
    assert follow_up.speaker == duplicate
    # The duplicate exists before the export in the real world: see test_merges_read_as_merges.
    actor_merge(survivor=world.person, duplicate=duplicate)


def spreadsheet_import(world, curator_client, tmp_path):
    """``import_records``, the admin's spreadsheet import: a person renamed and restricted, one opened, an alias."""
    people = tmp_path / "people.csv"
    people.write_text(
        "slug,name,restricted\nalice-public,Alice Public (from a sheet),1\nbob-zzrestricted,Bob Restricted,0\n"
    )
    call_command("import_records", "people", str(people), stdout=io.StringIO())
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("actor,name,kind,language\norg-public,Sheet alias,,\n")
    call_command("import_records", "aliases", str(aliases), stdout=io.StringIO())
    alice, bob = Person.objects.get(slug="alice-public"), Person.objects.get(slug="bob-zzrestricted")
    assert (alice.name, alice.restricted, bob.restricted) == ("Alice Public (from a sheet)", True, False)
    assert Alias.objects.filter(actor=world.org, name="Sheet alias").exists()


# (name, function)
WRITE_PATHS = [
    ("admin", admin_actions),
    ("orm", orm_saves),
    ("loaddata", loaddata_fixture),
    ("load_fixtures", load_fixtures),
    ("ingest_sources", ingest_sources),
    ("bulk", bulk_writes),
    ("raw_sql", raw_sql),
    ("merge", merge_service),
    ("spreadsheet_import", spreadsheet_import),
]


@pytest.mark.parametrize("clearance", ["anonymous", "cleared"])
@pytest.mark.parametrize("write", [function for _name, function in WRITE_PATHS], ids=[n for n, _f in WRITE_PATHS])
def test_a_replica_from_export_and_feed_equals_a_fresh_export(
    write, clearance, world, anonymous_client, partner_client, curator_client, tmp_path
):
    client = anonymous_client if clearance == "anonymous" else partner_client
    copy, since = export(client)
    write(world, curator_client, tmp_path)
    until = follow(client, copy, since)
    fresh, _ = export(client)
    assert copy.keys() == fresh.keys(), (copy.keys() - fresh.keys(), fresh.keys() - copy.keys())
    for key, record in fresh.items():
        assert copy[key] == record, key
    # Up to date: following again from the last watermark changes nothing.
    assert changes(client, since=until)[0] == []


def test_the_export_watermark_is_taken_before_the_export_is_read(world, anonymous_client):
    """A change made while the export streams is in the feed after its watermark."""
    response = anonymous_client.get(EXPORT)
    since = response["HRKB-Sync-Since"]
    world.org.name = "Renamed mid-export"
    world.org.save()
    b"".join(response.streaming_content)
    found, _ = changes(anonymous_client, since=since)
    assert ("organisation", "org-public", "updated") in {(c["type"], c["slug"], c["action"]) for c in found}


def test_merges_read_as_merges(world, anonymous_client):
    duplicate = factories.person("Alice Duplicate", slug="alice-duplicate")
    _, since = export(anonymous_client)
    actor_merge(survivor=world.person, duplicate=duplicate)
    found, _ = changes(anonymous_client, since=since)
    merged = [change for change in found if change["slug"] == "alice-duplicate"]
    assert merged == [
        {
            "type": "person",
            "slug": "alice-duplicate",
            "action": "merged",
            "changed": merged[0]["changed"],
            "url": None,
            "merged_into": {
                "type": "person",
                "slug": "alice-public",
                "name": "Alice Public",
                "url": "http://testserver/api/v1/people/alice-public/",
            },
        }
    ]
    assert ("person", "alice-public", "updated") in {(c["type"], c["slug"], c["action"]) for c in found}


def test_a_merge_into_a_record_the_client_cannot_read_is_a_removal(world, anonymous_client):
    duplicate = factories.person("Bob Duplicate", slug="bob-duplicate")
    _, since = export(anonymous_client)
    actor_merge(survivor=world.person_restricted, duplicate=duplicate)
    found, _ = changes(anonymous_client, since=since)
    assert [(c["slug"], c["action"], c["merged_into"]) for c in found] == [("bob-duplicate", "removed", None)]


def test_removals_renames_and_deletions_are_reported(world, anonymous_client, partner_client):
    _, since = export(anonymous_client)
    world.quote_restricted_source.delete()
    world.event.status = "draft"
    world.event.save()
    world.org.restricted = True
    world.org.save()
    world.topic.slug = "topic-renamed"
    world.topic.save()
    found = {(c["type"], c["slug"]): c["action"] for c in changes(anonymous_client, since=since)[0]}
    assert found == {
        ("quote", "quote-sourced"): "removed",
        ("event", "event-public"): "removed",
        ("organisation", "org-public"): "removed",
        ("topic", "topic-public"): "removed",
        ("topic", "topic-renamed"): "updated",
        # Records whose JSON named what changed: the report's publishers and topics, the
        # child organisation's parent, Alice's membership of the organisation.
        ("report", "public-report"): "updated",
        ("organisation", "child-org"): "updated",
        ("person", "alice-public"): "updated",
    }
    # A cleared key still reads the restricted organisation.
    cleared = {(c["type"], c["slug"]): c["action"] for c in changes(partner_client, since=since)[0]}
    assert cleared["organisation", "org-public"] == "updated"


def test_records_a_client_could_never_read_never_appear(world, anonymous_client, partner_client):
    _, since = export(anonymous_client)
    world.report_draft.delete()
    world.report_restricted.delete()
    world.person_restricted.name = "Bob renamed"
    world.person_restricted.save()
    found = {(c["type"], c["slug"]) for c in changes(anonymous_client, since=since)[0]}
    assert not any("zzrestricted" in slug or "zzdraft" in slug for _type, slug in found), found
    cleared = {(c["type"], c["slug"]) for c in changes(partner_client, since=since)[0]}
    assert {("report", "report-zzrestricted"), ("person", "bob-zzrestricted")} <= cleared
    assert not any("zzdraft" in slug for _type, slug in cleared)


def test_a_restricted_speaker_removes_the_quote(world, anonymous_client):
    _, since = export(anonymous_client)
    world.person.restricted = True
    world.person.save()
    found = {(c["type"], c["slug"]): c["action"] for c in changes(anonymous_client, since=since)[0]}
    assert found["quote", "quote-public"] == "removed"


def test_a_restricted_membership_moves_its_people_and_organisations(world, anonymous_client):
    """Item 2: a hidden nested row changes its parents' modified, ETag and Last-Modified."""
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Actor.objects.filter(pk__in=[world.person.pk, world.org.pk]).update(modified=long_ago)
    detail = f"/api/v1/people/{world.person.slug}/"
    before = anonymous_client.get(detail)
    assert before["Last-Modified"] == http_date(long_ago.timestamp())
    world.membership.restricted = True
    world.membership.save()
    after = anonymous_client.get(detail, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert anonymous_client.get(detail, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    assert after.json()["modified"] > before.json()["modified"]
    assert "Chair" not in {m["role"] for m in after.json()["memberships"]}
    organisation = anonymous_client.get(f"/api/v1/organisations/{world.org.slug}/").json()
    assert organisation["modified"] > before.json()["modified"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda w: Alias.objects.create(actor=w.person, name="Another name"), id="alias"),
        pytest.param(
            lambda w: MembershipCitation.objects.filter(subject=w.membership).update(confidence="low"), id="citation"
        ),
        pytest.param(lambda w: Participant.objects.filter(event=w.event).delete(), id="participant"),
        pytest.param(lambda w: Authorship.objects.filter(report=w.report).update(byline="By the desk"), id="author"),
        pytest.param(lambda w: Mention.objects.filter(report=w.report).delete(), id="mention"),
        pytest.param(lambda w: w.report.topics.clear(), id="topic"),
    ],
)
def test_nested_rows_move_their_parent(change, world):
    before = {model: dict(model._base_manager.values_list("pk", "modified")) for model in (Actor, Report, Event, Topic)}
    count = Change.objects.count()
    change(world)
    moved = [
        pk
        for model, stamps in before.items()
        for pk, modified in model._base_manager.values_list("pk", "modified")
        if modified != stamps.get(pk)
    ]
    assert moved
    assert Change.objects.count() > count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's row triggers touch every parent")
def test_rows_under_records_a_load_created_leave_them_as_inserted_and_the_feed_whole(world, anonymous_client):
    """hrkb.changelog.created_by_load: the mentions a load writes under its own new reports do not write those
    reports again (their insert is logged in the same transaction); a report stored before is touched."""
    from hrkb import changelog

    _, since = changes(anonymous_client)
    loaded = factories.report("Loaded in bulk", text="Kim Il-sung spoke.", slug="loaded-in-bulk")
    changelog.created_by_load(Report, [loaded.pk])
    before = dict(Report.objects.values_list("pk", "modified"))
    Mention.objects.bulk_create(
        [
            Mention(report=report, start=0, end=11, text="Kim Il-sung", actor=world.person)
            for report in (loaded, world.report)
        ]
    )
    after = dict(Report.objects.values_list("pk", "modified"))
    assert after[loaded.pk] == before[loaded.pk] and after[world.report.pk] > before[world.report.pk]
    found, _ = changes(anonymous_client, since=since)
    assert {"loaded-in-bulk", world.report.slug} <= {change["slug"] for change in found if change["type"] == "report"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="transaction ids are PostgreSQL's")
def test_a_transaction_running_in_another_database_does_not_hide_our_own_changes(db, anonymous_client):
    """Transaction ids are shared by the cluster: another database's open transaction holds back its snapshot's
    xmax, which may then lie before our own id. Only writers of this database bound the feed."""
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname="postgres", user=settings["USER"], host=settings["HOST"] or None, port=settings["PORT"] or None
    )
    try:
        other.execute("SELECT pg_current_xact_id()")  # an id assigned before ours, its transaction left open
        factories.topic("Written while another database works", slug="written-meanwhile")
        found, _ = changes(anonymous_client)
        assert ("topic", "written-meanwhile") in {(change["type"], change["slug"]) for change in found}
    finally:
        other.close()


def test_feed_pages_walk_every_change_once(world, anonymous_client):
    everything, _ = changes(anonymous_client)
    walked, _ = changes(anonymous_client, page_size=1)
    # A page names each slug once, so smaller pages may repeat a slug that a larger page names once.
    assert {(c["type"], c["slug"], c["action"]) for c in walked} == {
        (c["type"], c["slug"], c["action"]) for c in everything
    }
    assert len(everything) > 5


def test_since_takes_a_time_for_a_look_back(world, anonymous_client):
    moment = timezone.now()
    since = moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # the log keeps milliseconds
    world.org.save()
    found, _ = changes(anonymous_client, since=since.isoformat())
    assert {(c["type"], c["slug"]) for c in found} == {("organisation", "org-public")}
    assert changes(anonymous_client, since="2999-01-01")[0] == []


def test_feed_rejects_bad_parameters(db, anonymous_client):
    for parameter, value in (
        ("since", "last week"),
        ("since", "9999-12-31T23:59:59-14:00"),
        ("since", "0001-01-01T00:00:00+14:00"),
        ("cursor", "nonsense"),
        ("cursor", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5Ljk"),  # 99999999999999999999999.9: beyond any column
        ("cursor", "SW5maW5pdHkuMQ"),  # Infinity.1
        ("cursor", "MQAuMQ"),  # a NUL inside
        ("page_size", "0"),
        ("page_size", "x"),
        ("page_size", "١٠"),  # Arabic-Indic digits
    ):
        response = anonymous_client.get("/api/v1/changes/", {parameter: value})
        assert response.status_code == 400, (parameter, value, response.content)
        assert parameter in response.json()


def test_the_change_log_sees_writes_the_history_misses(world):
    """The old feed read django-simple-history, which raw writes skip; the log does not depend on it."""
    count = Change.objects.count()
    Report.objects.filter(pk=world.report.pk).update(title="Retitled quietly")
    assert Change.objects.filter(type="report", slug="public-report").count() and Change.objects.count() > count
