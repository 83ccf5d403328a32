"""Incremental sync: modified_since and the changes feed let a partner's copy converge."""

import datetime

import pytest
from django.utils import timezone

from reports.models import Report
from tests import factories

from .resources import RESOURCES


def changes(client, **params):
    """Every change, following next links."""
    found, url, pages = [], "/api/v1/changes/", 0
    params = {"page_size": 1000, **params}
    while url:
        response = client.get(url, params if pages == 0 else None)
        assert response.status_code == 200, response.content
        found += response.json()["results"]
        url, pages = response.json()["next"], pages + 1
        assert pages < 500
    return found


def entries(client, since, action=None):
    return {
        (change["type"], change["slug"])
        for change in changes(client, since=since.isoformat())
        if action is None or change["action"] == action
    }


def test_deleted_unpublished_restricted_and_renamed_records_show_in_the_feed(world, anonymous_client, partner_client):
    since = timezone.now()
    world.quote_restricted_source.delete()
    world.event.status = "draft"
    world.event.save()
    world.org.restricted = True
    world.org.save()
    world.topic.slug = "topic-renamed"
    world.topic.save()
    deleted = entries(anonymous_client, since, "deleted")
    assert deleted == {
        ("quote", "quote-sourced"),
        ("event", "event-public"),
        ("organisation", "org-public"),
        ("topic", "topic-public"),
    }
    assert entries(anonymous_client, since, "updated") == {("topic", "topic-renamed")}
    # A cleared key still reads the restricted organisation.
    assert ("organisation", "org-public") in entries(partner_client, since, "updated")
    assert ("organisation", "org-public") not in entries(partner_client, since, "deleted")


def test_records_a_client_could_never_read_never_appear(world, anonymous_client, partner_client):
    since = timezone.now()
    world.report_draft.delete()
    world.report_restricted.delete()
    world.person_restricted.name = "Bob renamed"
    world.person_restricted.save()
    assert entries(anonymous_client, since) == set()
    assert entries(partner_client, since) == {("report", "report-zzrestricted"), ("person", "bob-zzrestricted")}


def test_feed_pages_walk_every_change_once(world, anonymous_client):
    since = world.org.created - datetime.timedelta(seconds=1)
    everything = changes(anonymous_client, since=since.isoformat())
    walked = changes(anonymous_client, since=since.isoformat(), page_size=1)
    assert walked == everything
    assert len(everything) > 5


def test_feed_rejects_bad_parameters(db, anonymous_client):
    for parameter, value in (("since", "last week"), ("cursor", "nonsense"), ("page_size", "0"), ("page_size", "x")):
        response = anonymous_client.get("/api/v1/changes/", {parameter: value})
        assert response.status_code == 400
        assert parameter in response.json()


def test_a_partner_copy_converges(world, partner_client):
    """A partner takes a full copy, later applies the feed, and holds exactly what the API shows."""

    def snapshot():
        copy = {}
        for resource in RESOURCES:
            for item in partner_client.get(f"/api/v1/{resource.path}/?page_size=500").json()["results"]:
                copy[item["type"], item["slug"]] = item["modified"]
        return copy

    copy = snapshot()
    since = timezone.now()
    world.event.delete()
    world.person.restricted = True
    world.person.save()
    world.org_restricted.status = "draft"
    world.org_restricted.save()
    factories.report("Brand new", slug="brand-new")
    Report.objects.filter(slug="report-zzrestricted").update(slug="report-moved")  # no history: not seen
    renamed = world.topic
    renamed.slug = "topic-moved"
    renamed.save()
    for change in changes(partner_client, since=since.isoformat()):
        key = (change["type"], change["slug"])
        if change["action"] == "deleted":
            copy.pop(key, None)
        else:
            copy[key] = partner_client.get(change["url"]).json()["modified"]
    expected = snapshot()
    # Only the write that bypassed the models (and so their history) is not seen.
    assert set(copy) ^ set(expected) == {("report", "report-zzrestricted"), ("report", "report-moved")}


@pytest.mark.parametrize("resource", RESOURCES, ids=[resource.path for resource in RESOURCES])
def test_modified_since_returns_what_changed(resource, world, anonymous_client):
    record = getattr(world, resource.public)
    since = timezone.now()
    assert anonymous_client.get(f"/api/v1/{resource.path}/", {"modified_since": since.isoformat()}).json() == {
        "next": None,
        "results": [],
    }
    record.save()
    found = anonymous_client.get(f"/api/v1/{resource.path}/", {"modified_since": since.isoformat()}).json()
    assert [item["slug"] for item in found["results"]] == [record.slug]
