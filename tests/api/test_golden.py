"""Golden responses: the whole JSON of one corpus record per resource, and of a short list page, checked in.

Any change to the public contract — a field added, renamed, reordered or
formatted differently — shows as a diff of ``tests/api/golden/`` in review.
Timestamps are pinned to one instant before the requests, so the files hold
nothing that changes from run to run. After a deliberate contract change,
rewrite the files with ``HRKB_UPDATE_GOLDEN=1 make test PYTEST_ARGS=tests/api/test_golden.py``
and review the diff.
"""

import datetime
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from hrkb.public_types import PUBLIC_TYPES

GOLDEN = Path(__file__).parent / "golden"
PINNED = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)
# A record of each type with as many kinds of relation as the corpus gives it.
RECORDS = {
    "reports": "human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea",
    "people": "michael-kirby",
    "organisations": "un-commission-of-inquiry-dprk",
    "events": "un-commission-of-inquiry-dprk-report-2014",
    "topics": "freedom-of-religion-or-belief",
    "quotes": "michael-kirby-on-the-singapore-summit-2018",
}
SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
# List cursors are encrypted with a key derived from SECRET_KEY: pinned, so the files do not depend on the
# environment the tests run in.
PINNED_SECRET_KEY = "django-insecure-development-only-never-use-in-production"


@pytest.fixture
def pinned_corpus(db, settings):
    """The corpus as `make run` loads it (fixtures, then the source texts and their mentions), timestamps and
    the cursors' key pinned."""
    settings.SECRET_KEY = PINNED_SECRET_KEY
    call_command("load_fixtures", verbosity=0)
    call_command("ingest_sources", *sorted(str(path) for path in SOURCES.glob("*.md")), verbosity=0)
    for public_type in PUBLIC_TYPES:
        public_type.model._base_manager.update(created=PINNED, modified=PINNED)


def check(name: str, body) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("HRKB_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing: run with HRKB_UPDATE_GOLDEN=1 to write it"
    assert json.loads(path.read_text()) == body, f"{name}: the response differs from {path}"


def test_every_public_type_has_a_golden_record():
    assert set(RECORDS) == {public_type.path for public_type in PUBLIC_TYPES}


@pytest.mark.parametrize("path", sorted(RECORDS))
def test_detail_is_the_golden_response(path, pinned_corpus, anonymous_client):
    response = anonymous_client.get(f"/api/v1/{path}/{RECORDS[path]}/")
    assert response.status_code == 200, response.content
    check(f"{path}-detail", response.json())


@pytest.mark.parametrize("path", sorted(RECORDS))
def test_list_page_is_the_golden_response(path, pinned_corpus, anonymous_client):
    response = anonymous_client.get(f"/api/v1/{path}/", {"page_size": 3})
    assert response.status_code == 200, response.content
    check(f"{path}-list", response.json())


def test_openapi_schema_is_the_golden_schema(db, tmp_path):
    """The whole published contract, so a change to any field, filter or description shows in review."""
    target = tmp_path / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(target))
    check("openapi", json.loads(target.read_text()))
