"""No draft ever reaches a client, and no restricted record reaches a client not cleared for it.

The world (see conftest.py) marks every hidden record with ``zzdraft`` or
``zzrestricted``, in slugs and names, and public records point at hidden
ones in every way the model allows; so each response body is checked whole.
"""

import json

import pytest

from hrkb.models import PartnerKey
from hrkb.public_types import for_model
from tests import factories

from .conftest import DRAFT, RESTRICTED
from .resources import RESOURCE_IDS, RESOURCES

SEARCH_WORDS = ["hidden", "bob", "carol", "words", "source", "passage", "report", "org", "topic", "event", "agent"]


def bodies(client, world):
    """Every response a client can get from the API about the world, as (path, text)."""
    paths = []
    for resource in RESOURCES:
        base = f"/api/v1/{resource.path}/"
        paths += [f"{base}?page_size=500", f"{base}export.csv", f"{base}?format=jsonld&page_size=500"]
        # Search words the hidden records hold (not the markers: a query is echoed back).
        paths += [f"{base}?search={word}" for word in SEARCH_WORDS]
        for record in _records(world, resource):
            paths += [f"{base}{record.slug}/", f"{base}{record.slug}/?format=jsonld"]
        for parameter, value, _included in resource.filters:
            paths.append(f"{base}?{parameter}={value}")
    paths += ["/api/v1/export.ndjson", "/api/v1/changes/?page_size=1000"]
    paths += [f"/api/v1/search/?q={word}" for word in SEARCH_WORDS]
    for path in paths:
        response = client.get(path)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        yield path, response.status_code, content.decode()


def _records(world, resource):
    """The world's records of the resource's type (people and organisations share a model: compare kinds)."""
    return [
        value
        for value in vars(world).values()
        if getattr(value, "slug", None) and _type_of(value) == resource.public_type.name
    ]


def _type_of(record):
    public_type = for_model(type(record))
    return public_type.name if public_type else getattr(record, "kind", None)


@pytest.mark.parametrize("client_name", ["anonymous_client", "uncleared_partner_client"])
def test_hidden_records_never_reach_a_client_not_cleared(client_name, world, request):
    client = request.getfixturevalue(client_name)
    for path, status, text in bodies(client, world):
        assert status in (200, 404), (path, status)
        assert DRAFT not in text, path
        assert RESTRICTED not in text, path


def test_cleared_partner_sees_restricted_records_but_never_drafts(world, partner_client):
    seen_restricted = set()
    for path, status, text in bodies(partner_client, world):
        assert status in (200, 404), (path, status)
        assert DRAFT not in text, path
        if RESTRICTED in text:
            seen_restricted.add(path.split("?")[0])
    for resource in RESOURCES:
        assert f"/api/v1/{resource.path}/" in seen_restricted, resource.path
    assert "/api/v1/export.ndjson" in seen_restricted


@pytest.mark.parametrize("resource", RESOURCES, ids=RESOURCE_IDS)
def test_hidden_record_detail_is_404(resource, world, anonymous_client, partner_client):
    for record in _records(world, resource):
        path = f"/api/v1/{resource.path}/{record.slug}/"
        hidden = DRAFT in record.slug or RESTRICTED in record.slug
        assert anonymous_client.get(path).status_code == (404 if hidden else 200), path
        assert partner_client.get(path).status_code == (404 if DRAFT in record.slug else 200), path


def test_filter_by_hidden_record_is_refused_like_an_unknown_one(world, anonymous_client, partner_client):
    for query in ("publisher=org-zzrestricted", "author=bob-zzrestricted", "mentions=bob-zzrestricted"):
        response = anonymous_client.get(f"/api/v1/reports/?{query}")
        assert response.status_code == 400
        assert response.json() == anonymous_client.get("/api/v1/reports/?" + query.replace("zz", "no-such-")).json()
        found = [item["slug"] for item in partner_client.get(f"/api/v1/reports/?{query}").json()["results"]]
        assert found == ["public-report"]
    for query in ("publisher=org-zzdraft", "author=carol-zzdraft", "topic=topic-zzdraft"):
        assert partner_client.get(f"/api/v1/reports/?{query}").status_code == 400


def test_filters_ignore_hidden_child_rows(world, anonymous_client, partner_client):
    # Alice's draft membership and her membership of a restricted organisation never match.
    assert anonymous_client.get("/api/v1/people/?role=informant").json()["results"] == []
    assert anonymous_client.get("/api/v1/people/?role=agent").json()["results"] == []
    assert partner_client.get("/api/v1/people/?role=informant").json()["results"] == []
    assert [item["slug"] for item in partner_client.get("/api/v1/people/?role=agent").json()["results"]] == [
        "alice-public"
    ]


def test_nested_records_show_only_what_the_client_may_read(world, anonymous_client, partner_client):
    report = anonymous_client.get("/api/v1/reports/public-report/").json()
    assert [item["slug"] for item in report["publishers"]] == ["org-public"]
    assert [author["person"]["slug"] for author in report["authors"]] == ["alice-public"]
    assert [mention["text"] for mention in report["mentions"]] == ["Alice Public"]
    assert [citation["source"]["slug"] for citation in report["citations"]] == ["public-report"]
    assert report["references"] == []
    cleared = partner_client.get("/api/v1/reports/public-report/").json()
    assert {author["person"]["slug"] for author in cleared["authors"]} == {"alice-public", "bob-zzrestricted"}
    assert {mention["text"] for mention in cleared["mentions"]} == {"Alice Public", "Bob Hidden", "Public Inquiry"}
    assert len(cleared["citations"]) == 2
    person = anonymous_client.get("/api/v1/people/alice-public/").json()
    assert [(m["organisation"]["slug"], m["role"]) for m in person["memberships"]] == [("org-public", "Chair")]
    assert [c["source"]["slug"] for c in person["memberships"][0]["citations"]] == ["public-report"]
    event = anonymous_client.get("/api/v1/events/event-public/").json()
    assert [p["actor"]["slug"] for p in event["participants"]] == ["alice-public"]
    assert [c["source"]["slug"] for c in event["participants"][0]["citations"]] == ["public-report"]
    assert [r["slug"] for r in event["related_reports"]] == ["public-report"]
    quote = anonymous_client.get("/api/v1/quotes/quote-sourced/").json()
    assert quote["source"] is None


def test_ndjson_export_holds_every_readable_record_and_nothing_else(world, anonymous_client):
    response = anonymous_client.get("/api/v1/export.ndjson")
    assert response.streaming
    assert response["Content-Type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    exported = {(record["type"], record["slug"]) for record in records}
    listed = set()
    for resource in RESOURCES:
        for item in anonymous_client.get(f"/api/v1/{resource.path}/?page_size=500").json()["results"]:
            listed.add((item["type"], item["slug"]))
    assert exported == listed
    assert ("report", "public-report") in exported
    assert next(r for r in records if r["slug"] == "public-report")["text"].startswith("Alice Public")


def test_key_is_stored_only_as_a_hash(partner_client):
    key = PartnerKey.objects.get()
    row = PartnerKey.objects.values().get()
    assert partner_client.secret not in json.dumps(row, default=str)
    assert key.hashed_secret == PartnerKey.hash_secret(partner_client.secret)
    assert partner_client.secret.startswith(f"hrkb_{key.prefix}_")


def test_revoked_unknown_or_malformed_key_is_refused(world, partner_client, anonymous_client):
    assert partner_client.get("/api/v1/reports/").status_code == 200
    partner_client.key.revoke()
    response = partner_client.get("/api/v1/reports/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    for header in ("Api-Key nonsense", "Api-Key", "Api-Key a b", "Api-Key \u00e9t\u00e9"):
        assert anonymous_client.get("/api/v1/reports/", HTTP_AUTHORIZATION=header).status_code == 401, header


def test_the_api_offers_no_writes(world, anonymous_client, partner_client, django_user_model):
    from tests.conftest import _partner_client

    assert anonymous_client.post("/api/v1/reports/", {}, format="json").status_code == 401
    assert partner_client.post("/api/v1/reports/", {}, format="json").status_code == 403
    assert partner_client.delete("/api/v1/reports/public-report/").status_code == 403
    superuser = django_user_model.objects.create_superuser("writer", password="writer-password-1")
    writer = _partner_client(can_read_restricted=False, user=superuser)
    assert writer.post("/api/v1/reports/", {}, format="json").status_code == 405
    assert writer.patch("/api/v1/reports/public-report/", {}, format="json").status_code == 405


def test_exports_read_in_small_batches_give_the_same_records(world, anonymous_client, monkeypatch):
    from hrkb.api import export

    whole = b"".join(anonymous_client.get("/api/v1/export.ndjson").streaming_content)
    monkeypatch.setattr(export, "BATCH_SIZE", 1)
    batched = b"".join(anonymous_client.get("/api/v1/export.ndjson").streaming_content)
    assert batched == whole
    types = [json.loads(line)["type"] for line in batched.splitlines()]
    assert types.count("report") == 1 and types.count("quote") == 2


def test_search_results_page_by_rank_without_repeats(world, anonymous_client):
    for number in range(6):
        factories.report(f"Camp testimony {number}", summary="camp " * (number + 1), text=f"camp {number}")
    everything = anonymous_client.get("/api/v1/reports/", {"search": "camp", "page_size": 100}).json()["results"]
    assert len(everything) == 6
    walked, url = [], "/api/v1/reports/?search=camp&page_size=1"
    while url:
        page = anonymous_client.get(url).json()
        walked += [item["slug"] for item in page["results"]]
        url = page["next"]
    assert walked == [item["slug"] for item in everything]
