"""The resources' orjson renderer writes exactly the bytes DRF's JSONRenderer writes (hrkb/api/renderers.py)."""

import datetime
import decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils.translation import gettext_lazy
from rest_framework import renderers, serializers
from rest_framework.exceptions import ErrorDetail

from hrkb.api.loading import Plan
from hrkb.api.renderers import JSONRenderer
from hrkb.public_types import PUBLIC_TYPES
from reports.models import Report

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
AWKWARD = [
    "김일성 “Kim Il-sung” – naïve café",
    "line\nbreak\ttab\rreturn\bback\fform",
    "\x00\x01\x1f\x7f controls",
    "separators \u2028 and \u2029 inside",
    'quote " backslash \\ slash /',
    "astral 😀 𝔘",
    "",
]


def drf(data, media_type="application/json", context=None) -> bytes:
    return renderers.JSONRenderer().render(data, media_type, context or {})


def test_awkward_values_are_written_as_drf_writes_them():
    data = {
        "strings": AWKWARD,
        "numbers": [0, -1, 2**53 + 1, 2**63 - 1],
        "flags": [True, False, None],
        "nested": {"a": [{"b": []}, {}], "c": {"d": "e"}},
        "lazy": gettext_lazy("Not found."),
        "error": ErrorDetail("Give a whole number.", code="invalid"),
        "when": datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC),
        "day": datetime.date(2014, 2, 17),
    }
    assert JSONRenderer().render(data, "application/json", {}) == drf(data)


def test_what_orjson_would_write_differently_is_left_to_drf():
    with_decimal = {"amount": decimal.Decimal("0.00001")}
    assert JSONRenderer().render(with_decimal, "application/json", {}) == drf(with_decimal)
    integer_keys = {1: "one"}
    assert JSONRenderer().render(integer_keys, "application/json", {}) == drf(integer_keys)
    indented = "application/json; indent=4"
    assert JSONRenderer().render({"a": [1]}, indented, {}) == drf({"a": [1]}, indented)
    assert JSONRenderer().render(None) == drf(None) == b""


def test_the_loader_builds_no_float():
    """Floats are where orjson and the standard library differ; the loader refuses them, so no resource has one."""

    class WithFloat(serializers.Serializer):
        score = serializers.FloatField(source="pk", read_only=True)

    with pytest.raises(ImproperlyConfigured, match="FloatField 'score'"):
        Plan(WithFloat, Report)


@pytest.fixture
def corpus_with_texts(corpus):
    call_command("ingest_sources", *sorted(str(path) for path in SOURCES.glob("*.md")), verbosity=0)


@pytest.mark.parametrize("public_type", PUBLIC_TYPES, ids=[public_type.name for public_type in PUBLIC_TYPES])
def test_every_corpus_page_and_record_is_rendered_as_drf_renders_it(public_type, corpus_with_texts, anonymous_client):
    listed = anonymous_client.get(f"/api/v1/{public_type.path}/", {"page_size": 500})
    assert listed.status_code == 200
    assert listed.content == drf(listed.json())
    assert listed.json()["results"], "the corpus has records of every type"
    for record in listed.json()["results"]:
        detail = anonymous_client.get(record["url"])
        assert detail.status_code == 200
        assert detail.content == drf(detail.json()), record["url"]


def test_error_bodies_are_rendered_as_drf_renders_them(db, anonymous_client):
    for path in ("/api/v1/reports/no-such-report/", "/api/v1/reports/?page_size=0", "/api/v1/reports/?cursor=x"):
        response = anonymous_client.get(path)
        assert response.status_code in (400, 404), path
        assert response.content == drf(response.json()), path
