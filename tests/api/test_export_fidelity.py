"""The exports show every record exactly as the API does, so the fast export can never drift from it.

On the corpus, with a share of every type restricted or unpublished (so that
records name hidden ones in every way the corpus does), anonymously and with a
key cleared for restricted records:

* each line of /api/v1/export.ndjson is, byte for byte, the body its record's
  detail endpoint answers the same client, and the lines are every readable
  record of every public type, once;
* each row of every /api/v1/<resource>/export.csv is the resource's list item
  written by the CSV rules spelt out here (related records by slug joined with
  ``|``, other structures as JSON, formulas neutralised), and the rows are every
  record of the list.
"""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command

from hrkb.public_types import BY_NAME, PUBLIC_TYPES
from reports.models import Report
from sources.models import Mention, ReportCitation

CLIENTS = ("anonymous_client", "partner_client")


@pytest.fixture
def corpus_with_hidden_records(corpus):
    """The corpus and its source texts (their mentions), every fourth record of each type restricted and every
    seventh a draft."""
    call_command("ingest_sources", "fixtures/sources/csw-north-korea-articles.md", verbosity=0)
    hidden = {}
    for public_type in PUBLIC_TYPES:
        manager = public_type.model._default_manager
        ids = list(manager.order_by("pk").values_list("pk", flat=True))
        manager.filter(pk__in=ids[1::4]).update(restricted=True)
        manager.filter(pk__in=ids[2::7]).update(status="draft")
        hidden[public_type.name] = len(ids[1::4]), len(ids[2::7])
    assert all(restricted and drafts for restricted, drafts in hidden.values()), hidden
    # Names past a summary's length (shortened with "…") and with characters JSON escapes, on records that
    # lines mention and cite: the NDJSON export writes those summaries in SQL (hrkb.api.loading.RowsAsJSON).
    awkward = 'A "quoted" name \\ with a tab\t, a line separator \u2028 and Ünïcødé 김일성 ' + "long " * 30
    mentioned = Mention.objects.filter(actor__status="published", actor__restricted=False).first()
    BY_NAME["person"].model._base_manager.filter(pk=mentioned.actor_id).update(name=awkward)
    cited = ReportCitation.objects.filter(source__status="published", source__restricted=False).first()
    Report.objects.filter(pk=cited.source_id).update(title=awkward)
    # Times of a whole second (no microseconds written) and before 1000 (a padded year), which the NDJSON
    # export has PostgreSQL write (hrkb.api.loading.Plan.fetch).
    Report.objects.filter(pk=cited.source_id).update(
        created=datetime.datetime(987, 6, 5, 4, 3, 2, tzinfo=datetime.UTC),
        modified=datetime.datetime(2026, 12, 5, 1, 2, 3, tzinfo=datetime.UTC),
    )
    return hidden


def _body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _list(client, public_type) -> list[dict]:
    items, url = [], f"/api/v1/{public_type.path}/?page_size=500"
    while url:
        page = client.get(url).json()
        items += page["results"]
        url = page["next"]
    return items


@pytest.mark.parametrize("client_name", CLIENTS)
def test_each_ndjson_line_is_its_records_detail_body(corpus_with_hidden_records, client_name, request):
    client = request.getfixturevalue(client_name)
    lines = _body(client.get("/api/v1/export.ndjson")).split(b"\n")
    assert lines.pop() == b"", "the export ends with a whole line"
    exported = []
    for line in lines:
        record = json.loads(line)
        path = BY_NAME[record["type"]].path
        detail = client.get(f"/api/v1/{path}/{record['slug']}/")
        assert detail.status_code == 200, record["slug"]
        assert line == detail.content, record["slug"]
        exported.append((record["type"], record["slug"]))
    listed = [(public_type.name, item["slug"]) for public_type in PUBLIC_TYPES for item in _list(client, public_type)]
    assert sorted(exported) == sorted(listed)


def _cell(value) -> str:
    """Today's CSV rules for one value of a list item."""
    if value is None:
        text = ""
    elif isinstance(value, dict):
        text = value["slug"]
    elif isinstance(value, list) and all(isinstance(item, dict) and "slug" in item for item in value):
        text = "|".join(item["slug"] for item in value)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = "|".join(value)
    elif isinstance(value, list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@pytest.mark.parametrize("client_name", CLIENTS)
@pytest.mark.parametrize("public_type", PUBLIC_TYPES, ids=lambda public_type: public_type.name)
def test_each_csv_row_is_its_list_item(corpus_with_hidden_records, public_type, client_name, request):
    client = request.getfixturevalue(client_name)
    body = _body(client.get(f"/api/v1/{public_type.path}/export.csv")).decode()
    header, *rows = csv.reader(io.StringIO(body, newline=""))
    items = _list(client, public_type)
    assert items, "the corpus has readable records of every type"
    assert header == list(items[0])
    by_slug = {row[header.index("slug")]: row for row in rows}
    assert len(by_slug) == len(rows) == len(items)
    for item in items:
        assert by_slug[item["slug"]] == [_cell(item[column]) for column in header], item["slug"]


def test_the_cleared_key_exports_more_than_anonymous_clients(
    corpus_with_hidden_records, anonymous_client, partner_client
):
    anonymous = _body(anonymous_client.get("/api/v1/export.ndjson")).count(b"\n")
    cleared = _body(partner_client.get("/api/v1/export.ndjson")).count(b"\n")
    assert cleared > anonymous


@pytest.mark.parametrize("client_name", CLIENTS)
def test_relations_read_by_a_range_of_owners_give_the_same_export(
    corpus_with_hidden_records, client_name, request, monkeypatch
):
    """A batch's relations are read by a range of owners (hidden owners inside it) or by their ids: same bytes."""
    from hrkb.api import loading

    client = request.getfixturevalue(client_name)
    monkeypatch.setattr(loading, "DENSE_FROM", 10**9)
    by_ids = [_body(client.get(path)) for path in _export_paths()]
    monkeypatch.setattr(loading, "DENSE_FROM", 1)
    by_ranges = [_body(client.get(path)) for path in _export_paths()]
    assert by_ranges == by_ids


def _export_paths() -> list[str]:
    return ["/api/v1/export.ndjson", *(f"/api/v1/{public_type.path}/export.csv" for public_type in PUBLIC_TYPES)]
