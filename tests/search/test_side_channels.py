"""What a client cannot read never shows: not in scores, not in cursors; and no query is unbounded."""

import base64
import json
import zlib

import pytest

from hrkb.search.query import MAX_TERMS
from tests import factories


def _scores(client):
    hits = client.get("/api/v1/search/", {"q": "songbun", "type": "report"}).json()["results"]
    return [(hit["slug"], hit["score"]) for hit in hits]


@pytest.mark.parametrize("hidden", [{"status": "draft"}, {"restricted": True}], ids=["draft", "restricted"])
def test_a_hidden_record_does_not_move_the_scores_an_anonymous_client_sees(client, db, hidden):
    factories.report("Songbun explained", summary="The songbun system.", text="Songbun and caste. " * 3)
    factories.report("Camps", text="Songbun decides who is sent to the camps.")
    before = _scores(client)
    assert len(before) == 2
    report = factories.report("Songbun songbun", summary="songbun", text="songbun " * 50, **hidden)
    for number in range(5):
        factories.report(f"Hidden {number}", text="songbun", **hidden)
    assert _scores(client) == before
    # Made readable, it counts (the statistics follow the access rule's columns).
    type(report).objects.filter(pk=report.pk).update(status="published", restricted=False)
    after = _scores(client)
    assert report.slug in [slug for slug, _score in after]


def test_a_cursor_reveals_neither_ids_nor_scores_and_a_forged_one_is_a_400(client, db):
    for number in range(3):
        factories.report(f"Songbun {number}", text="songbun " * (number + 1))
    response = client.get("/api/v1/reports/", {"search": "songbun", "page_size": 1}).json()
    cursor = response["next"].split("cursor=")[1].split("&")[0]
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    # Neither JSON nor compressed JSON: encrypted.
    with pytest.raises(ValueError):
        json.loads(decoded)
    with pytest.raises(zlib.error):
        zlib.decompress(decoded)
    second = client.get(response["next"]).json()["results"]
    assert len(second) == 1 and second[0]["slug"] != response["results"][0]["slug"]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for forged in [tampered, "eyJvIjoiLXNlYXJjaF9yYW5rIiwidiI6WzEuMCwxXX0", "x"]:
        answer = client.get("/api/v1/reports/", {"search": "songbun", "page_size": 1, "cursor": forged})
        assert answer.status_code == 400
        assert "cursor" in answer.json()


def test_a_query_of_too_many_terms_is_a_400_naming_the_parameter(client, db):
    words = " OR ".join(f"word{number}" for number in range(MAX_TERMS + 1))
    response = client.get("/api/v1/search/", {"q": words})
    assert response.status_code == 400 and "q" in response.json()
    response = client.get("/api/v1/reports/", {"search": words})
    assert response.status_code == 400 and "search" in response.json()
    assert str(MAX_TERMS) in response.json()["search"][0]
    # Repeated terms count once.
    repeated = " OR ".join(["famine"] * (MAX_TERMS + 5))
    assert client.get("/api/v1/reports/", {"search": repeated}).status_code == 200
