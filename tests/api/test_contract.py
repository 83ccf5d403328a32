"""Contract tests, run for every resource of API v1 (see resources.py)."""

import random
import string

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from .resources import RESOURCE_IDS, RESOURCES

pytestmark = pytest.mark.parametrize("resource", RESOURCES, ids=RESOURCE_IDS)


def url(resource, suffix=""):
    return f"/api/v1/{resource.path}/{suffix}"


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def walk(client, first_url):
    """Every slug of a list, following next links."""
    found, next_url, pages = [], first_url, 0
    while next_url:
        response = client.get(next_url)
        found += slugs(response)
        next_url = response.json()["next"]
        pages += 1
        assert pages < 200
    return found


def test_list_and_detail_answer(resource, world, anonymous_client):
    public = getattr(world, resource.public)
    assert public.slug in slugs(anonymous_client.get(url(resource)))
    response = anonymous_client.get(url(resource, f"{public.slug}/"))
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == public.slug
    assert body["url"] == f"http://testserver/api/v1/{resource.path}/{public.slug}/"
    assert body["type"] in {"report", "person", "organisation", "event", "topic", "quote"}


def test_unknown_slug_is_404_json(resource, world, anonymous_client):
    response = anonymous_client.get(url(resource, "no-such-record/"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_url_outside_any_route_is_404_json(resource, db, anonymous_client):
    response = anonymous_client.get(url(resource, "a/b/c/"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_old_slug_redirects_to_the_new_url(resource, world, anonymous_client):
    record = getattr(world, resource.public)
    old = record.slug
    record.slug = f"{old}-renamed"
    record.save()
    response = anonymous_client.get(url(resource, f"{old}/?format=json"))
    assert response.status_code == 301
    assert response["Location"] == f"http://testserver/api/v1/{resource.path}/{old}-renamed/?format=json"
    assert anonymous_client.get(response["Location"]).status_code == 200


def test_each_filter_narrows_the_list(resource, world, anonymous_client):
    public = getattr(world, resource.public)
    for parameter, value, included in resource.filters:
        found = slugs(anonymous_client.get(url(resource), {parameter: value}))
        assert (public.slug in found) is included, (parameter, value, found)


def test_invalid_filter_value_is_400_naming_the_parameter(resource, world, anonymous_client):
    for parameter, value in resource.invalid:
        response = anonymous_client.get(url(resource), {parameter: value})
        assert response.status_code == 400, (parameter, value)
        assert parameter in response.json(), response.json()


def test_every_ordering_walks_every_record_once_in_order(resource, world, anonymous_client):
    resource.build_more(world)
    expected = set(walk(anonymous_client, url(resource) + "?page_size=100"))
    assert len(expected) >= 4
    for name in resource.ordering:
        for ordering in (name, f"-{name}"):
            found = walk(anonymous_client, url(resource) + f"?page_size=1&ordering={ordering}")
            assert len(found) == len(set(found)) and set(found) == expected, ordering
            page = anonymous_client.get(url(resource), {"page_size": 100, "ordering": ordering}).json()["results"]
            assert [item["slug"] for item in page] == found, ordering
            values = [item[name] for item in page]
            # As times, not as text: a time with no fraction of a second is written without one ("…:23Z"),
            # which sorts after "…:23.018000Z" as text (the change log's touches are whole milliseconds).
            present = [_sortable(value) for value in values if value is not None]
            assert present == sorted(present, reverse=ordering.startswith("-")), ordering
            # Empty values sort as the latest: last ascending, first descending.
            nulls = [value is None for value in values]
            assert nulls == sorted(nulls, reverse=ordering.startswith("-")), ordering


def test_unknown_ordering_page_size_or_cursor_is_400(resource, world, anonymous_client):
    for parameter, value in (
        ("ordering", "nonsense"),
        ("ordering", "slug,slug"),
        ("ordering", "text"),
        ("ordering", "created"),  # not indexed: deep pages would cost more
        ("page_size", "0"),
        ("page_size", "501"),
        ("page_size", "ten"),
        ("cursor", "garbage"),
        ("cursor", "eyJvIjoic2x1ZyIsInYiOlsxLDJdfQ"),
    ):
        response = anonymous_client.get(url(resource), {parameter: value})
        assert response.status_code == 400, (parameter, value)
        assert parameter in response.json()


def test_cursor_of_another_ordering_is_400(resource, world, anonymous_client):
    resource.build_more(world)
    next_url = anonymous_client.get(url(resource), {"page_size": 1, "ordering": "-modified"}).json()["next"]
    response = anonymous_client.get(next_url.replace("ordering=-modified", "ordering=modified"))
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_query_count_does_not_grow_with_page_size(resource, world, anonymous_client):
    resource.build_more(world, count=4)
    counts = []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = anonymous_client.get(url(resource), {"page_size": size})
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.json()["results"]) > 1
    assert counts[0] == counts[1], counts


def test_detail_query_count_does_not_grow_with_relations(resource, world, anonymous_client):
    public = getattr(world, resource.public)
    detail = url(resource, f"{public.slug}/")
    with CaptureQueriesContext(connection) as before:
        small = anonymous_client.get(detail).json()
    grown = resource.grow(world, count=4)
    with CaptureQueriesContext(connection) as after:
        large = anonymous_client.get(detail).json()
    for key in grown:
        assert len(large[key]) >= len(small[key]) + 4, key
    assert len(before) == len(after), (len(before), len(after))


def test_odd_query_strings_never_cause_a_server_error(resource, world, anonymous_client):
    generator = random.Random(f"fuzz-{resource.path}")
    parameters = [name for name, *_ in resource.filters + resource.invalid] + ["ordering", "page_size", "cursor"]
    alphabet = string.printable + "\x00éß김😀%&=#"
    values = ["", "\x00", "a\x00b", "x" * 10_000, "-", "--", ",", "'; DROP TABLE x;--", "%00", "9" * 40, "1e309"]
    for _ in range(40):
        value = generator.choice([*values, "".join(generator.choices(alphabet, k=generator.randint(1, 60)))])
        query = {generator.choice(parameters): value}
        response = anonymous_client.get(url(resource), query)
        assert response.status_code in (200, 400), (query, response.status_code)
        assert response.json()
    for suffix in ("%00/", "x" * 300 + "/", "%C3%A9/", "..%2F/"):
        assert anonymous_client.get(url(resource, suffix)).status_code in (404, 301)


def test_csv_export_streams_the_filtered_list(resource, world, anonymous_client):
    public = getattr(world, resource.public)
    response = anonymous_client.get(url(resource, "export.csv"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("url,type,slug")
    assert any(f",{public.slug}," in line for line in lines[1:])
    narrowed = anonymous_client.get(url(resource, "export.csv"), {"modified_since": "2999-01-01"})
    assert len(b"".join(narrowed.streaming_content).decode().splitlines()) <= 1


def test_detail_as_jsonld_is_schema_org(resource, world, anonymous_client):
    public = getattr(world, resource.public)
    expected = {
        "reports": "Report",
        "people": "Person",
        "organisations": "Organization",
        "events": "Event",
        "topics": "DefinedTerm",
        "quotes": "Quotation",
    }[resource.path]
    for response in (
        anonymous_client.get(url(resource, f"{public.slug}/"), {"format": "jsonld"}),
        anonymous_client.get(url(resource, f"{public.slug}/"), HTTP_ACCEPT="application/ld+json"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/ld+json")
        body = response.json()
        assert body["@context"] == "https://schema.org"
        assert body["@type"] == expected
        assert body["@id"].endswith(f"/{public.slug}/")


def test_conditional_get_answers_304(resource, world, anonymous_client):
    public = getattr(world, resource.public)
    for target in (url(resource), url(resource, f"{public.slug}/")):
        response = anonymous_client.get(target)
        etag, last_modified = response["ETag"], response["Last-Modified"]
        assert anonymous_client.get(target, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert anonymous_client.get(target, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
        assert "Authorization" in response["Vary"]
    public.save()  # a change gives a new ETag
    assert anonymous_client.get(url(resource, f"{public.slug}/"), HTTP_IF_NONE_MATCH=etag).status_code == 200


def _sortable(value):
    """A value as the API orders it: a date-time as a time, anything else as it is."""
    moment = parse_datetime(value) if isinstance(value, str) and "T" in value else None
    return moment or value
