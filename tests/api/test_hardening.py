"""Crafted requests get clear 4xx answers naming what is wrong, never a 500 (issue 10, item 5)."""

import base64
import csv
import io
import json

import pytest
from django.test import Client

from hrkb.models import PartnerKey
from tests import factories

from .resources import RESOURCE_IDS, RESOURCES


def cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


FORGED_CURSORS = [
    "eyJvIjoic2x1ZyIsInYiOlsiYSIsSW5maW5pdHldfQ",  # {"o":"slug","v":["a",Infinity]}
    cursor({"o": "slug", "v": ["a", 10**30]}),  # an id beyond any column
    cursor({"o": "slug", "v": ["a", -(10**30)]}),
    cursor({"o": "slug", "v": ["a\x00b", 1]}),  # a NUL
    cursor({"o": "slug", "v": [{"a": 1}, 1]}),
    cursor({"o": "-modified", "v": ["9999-12-31T23:59:59-14:00", 1]}),
    "eyJvIjoic2x1ZyIsInYiOlsiYSIsTmFOXX0",  # {"o":"slug","v":["a",NaN]}
]


@pytest.mark.parametrize("resource", RESOURCES, ids=RESOURCE_IDS)
def test_forged_cursors_are_400_naming_the_cursor(resource, world, anonymous_client):
    for value in FORGED_CURSORS:
        ordering = "-modified" if "LW1vZGlm" in value else None
        params = {"cursor": value, **({"ordering": ordering} if ordering else {})}
        response = anonymous_client.get(f"/api/v1/{resource.path}/", params)
        assert response.status_code == 400, (value, response.content)
        assert "cursor" in response.json()


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "10000-01-01", "2024-02-30T00:00:00Z"]
)
def test_far_off_or_impossible_times_are_400_naming_the_parameter(value, world, anonymous_client):
    for path in ("/api/v1/reports/", "/api/v1/people/", "/api/v1/reports/export.csv"):
        response = anonymous_client.get(path, {"modified_since": value})
        assert response.status_code == 400, (path, value, response.content)
        assert "modified_since" in response.json()
    response = anonymous_client.get("/api/v1/changes/", {"since": value})
    assert response.status_code == 400 and "since" in response.json()


@pytest.mark.parametrize("value", ["١٠", "１０", "+10", " 10", "10.0", "1e1", "0x10"])
def test_page_sizes_take_ascii_digits_only(value, world, anonymous_client):
    for path, params in (
        ("/api/v1/reports/", {"page_size": value}),
        ("/api/v1/changes/", {"page_size": value}),
        ("/api/v1/search/", {"q": "public", "page_size": value}),
        ("/api/v1/search/", {"q": "public", "page": value}),
    ):
        response = anonymous_client.get(path, params)
        assert response.status_code == 400, (path, params)
        assert set(response.json()) == set(params) - {"q"}, (path, response.json())


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/",
        "/api/v1/reports/public-report/",
        "/api/v1/reports/export.csv",
        "/api/v1/changes/",
        "/api/v1/export.ndjson",
        "/api/v1/search/?q=public",
        "/api/v1/",
        "/api/v1/popolo.json",
        "/api/v1/annotations/",
    ],
)
def test_an_unknown_parameter_is_400_naming_it(path, world, anonymous_client):
    joiner = "&" if "?" in path else "?"
    response = anonymous_client.get(f"{path}{joiner}publisherr=org-public")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["publisherr"]
    assert "Unknown parameter" in response.json()["publisherr"][0]


def test_declared_parameters_are_not_unknown(world, anonymous_client):
    for path, params in (
        ("/api/v1/reports/", {"kind": "report", "search": "public", "ordering": "slug", "page_size": 2}),
        ("/api/v1/reports/export.csv", {"kind": "report", "search": "public"}),
        ("/api/v1/reports/public-report/", {"format": "jsonld"}),
        ("/api/v1/search/", {"q": "public", "type": "report", "page": 1, "page_size": 5}),
        ("/api/v1/changes/", {"page_size": 5}),
    ):
        assert anonymous_client.get(path, params).status_code == 200, path


@pytest.mark.parametrize("header", ["Bearer abc", "Basic YWxpY2U6c2VjcmV0", "Token x", "Api-Key", "Api-Key a b"])
def test_another_authorization_scheme_is_401(header, world, anonymous_client):
    response = anonymous_client.get("/api/v1/reports/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert "detail" in response.json()


def test_failed_authentication_is_throttled_per_address(settings, world, anonymous_client, partner_client):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth_failure": "3/minute"},
    }
    for attempt in range(3):
        response = anonymous_client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Api-Key hrkb_guess_{attempt}")
        assert response.status_code == 401
    response = anonymous_client.get("/api/v1/reports/", HTTP_AUTHORIZATION="Api-Key hrkb_guess_4")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Even the right key waits, from that address; another address is not affected.
    assert (
        anonymous_client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Api-Key {partner_client.secret}").status_code
        == 429
    )
    other = anonymous_client.get(
        "/api/v1/reports/", HTTP_AUTHORIZATION=f"Api-Key {partner_client.secret}", REMOTE_ADDR="10.0.0.8"
    )
    assert other.status_code == 200


def test_csv_cells_that_look_like_formulas_are_neutralised(world, anonymous_client):
    for index, text in enumerate(['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB"]):
        factories.topic(text, slug=f"formula-{index}", description=text)
    response = anonymous_client.get("/api/v1/topics/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [value for row in rows for value in row.values()]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert '\'=HYPERLINK("http://x")' in cells and "'-2+3" in cells


@pytest.mark.parametrize("resource", RESOURCES, ids=RESOURCE_IDS)
def test_csv_is_named_after_its_resource_with_a_header_even_when_empty(resource, world, anonymous_client):
    response = anonymous_client.get(f"/api/v1/{resource.path}/export.csv", {"modified_since": "2999-01-01"})
    assert response["Content-Disposition"] == f'attachment; filename="hrkb-{resource.path}.csv"'
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("url,type,slug")


def test_a_new_keys_secret_never_travels_in_a_cookie(curator_client, world):
    partner = factories.organisation("Partner", slug="partner")
    response = curator_client.post(
        "/admin/hrkb/partnerkey/add/", {"name": "Sync server", "organisation": partner.pk}, follow=True
    )
    secret = PartnerKey.objects.get()
    page = response.content.decode()
    assert "hrkb_" + secret.prefix in page
    for cookie in curator_client.cookies.values():
        assert "hrkb_" not in cookie.value and secret.prefix not in cookie.value
    assert "no-store" in response["Cache-Control"]
    # Nor on the next page, from a message stored anywhere.
    assert secret.prefix + "_" not in curator_client.get("/admin/hrkb/partnerkey/").content.decode()


@pytest.fixture
def production_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/v1/nothing/", "/api/v1/reports/a/b/c/", "/api/v2/", "/api/v1/reports/no-such/"]
)
def test_unknown_paths_under_api_are_json_404_with_debug_on_or_off(path, db, settings, client, production_client):
    for test_client in (client, production_client):
        response = test_client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_a_path_without_its_slash_is_redirected_not_404(db, client):
    response = client.get("/api/v1/reports")
    assert response.status_code == 301 and response["Location"] == "/api/v1/reports/"


def test_server_errors_are_json_streaming_exports_included(world, production_client, monkeypatch):
    from hrkb.api import export

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(export, "batch_readers", broken)
    for path in ("/api/v1/export.ndjson", "/api/v1/reports/export.csv"):
        response = production_client.get(path)
        assert response.status_code == 500, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Server error."}


def test_the_api_root_lists_its_resources(db, anonymous_client):
    body = anonymous_client.get("/api/v1/").json()
    assert body["resources"]["reports"] == {
        "type": "report",
        "url": "http://testserver/api/v1/reports/",
        "export_csv": "http://testserver/api/v1/reports/export.csv",
    }
    assert set(body["resources"]) == {resource.path for resource in RESOURCES}
    for link in body["services"].values():
        assert anonymous_client.get(link["url"]).status_code in (200, 400), link
