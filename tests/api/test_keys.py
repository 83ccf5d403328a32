"""Partner keys in the admin, rate limits, and CORS for partner origins."""

import re

import pytest

from hrkb.models import PartnerKey
from tests import factories


@pytest.fixture
def tight_throttles(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "partner": "3/minute"},
    }


def test_anonymous_clients_are_throttled_per_address_with_retry_after(tight_throttles, db, anonymous_client):
    for _ in range(2):
        assert anonymous_client.get("/api/v1/topics/").status_code == 200
    response = anonymous_client.get("/api/v1/topics/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()
    assert anonymous_client.get("/api/v1/topics/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_partner_keys_are_throttled_per_key(tight_throttles, db, anonymous_client, partner_client):
    for _ in range(2):
        anonymous_client.get("/api/v1/topics/")
    assert anonymous_client.get("/api/v1/topics/").status_code == 429
    # The key has its own bucket, wherever it calls from.
    for _ in range(3):
        assert partner_client.get("/api/v1/topics/").status_code == 200
    response = partner_client.get("/api/v1/topics/", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_cors_allows_the_partner_origins_settings_name(settings, db, anonymous_client):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example"]
    allowed = anonymous_client.get("/api/v1/topics/", HTTP_ORIGIN="https://partner.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://partner.example"
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    other = anonymous_client.get("/api/v1/topics/", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = anonymous_client.options(
        "/api/v1/reports/",
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-none-match",
    )
    assert preflight.status_code == 200
    assert "authorization" in preflight["Access-Control-Allow-Headers"]


def test_admin_creates_a_key_shows_its_secret_once_and_revokes_it(curator_client, world):
    partner = factories.organisation("Partner", slug="partner")
    response = curator_client.post(
        "/admin/hrkb/partnerkey/add/",
        {"name": "Sync server", "organisation": partner.pk, "can_read_restricted": "on"},
        follow=True,
    )
    assert response.status_code == 200
    secret = re.search(r"hrkb_[0-9a-f]{8}_[-\w]+", response.content.decode()).group(0)
    key = PartnerKey.objects.get()
    assert key.hashed_secret == PartnerKey.hash_secret(secret) and key.can_read_restricted
    listing = curator_client.get("/admin/hrkb/partnerkey/").content.decode()
    assert key.prefix in listing and secret not in listing
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    assert curator_client.get("/api/v1/reports/report-zzrestricted/", **headers).status_code == 200
    curator_client.post("/admin/hrkb/partnerkey/", {"action": "revoke", "_selected_action": [key.pk]}, follow=True)
    key.refresh_from_db()
    assert key.revoked is not None
    assert curator_client.get("/api/v1/reports/", **headers).status_code == 401
