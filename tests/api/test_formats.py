"""Popolo JSON and W3C Web Annotations: the formats partners already load (issue 10, item 8)."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from reports.models import Report
from sources.models import Mention

POPOLO = Path(__file__).parent / "popolo"
SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"


def validator(name: str) -> Draft3Validator:
    """Popolo's schema ``name``, its references resolved from the copies beside this file (no network)."""
    schemas = {path.stem: json.loads(path.read_text()) for path in POPOLO.glob("*.json")}
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT3)) for schema in schemas.values()
    )
    return Draft3Validator(schemas[name], registry=registry, format_checker=Draft3Validator.FORMAT_CHECKER)


@pytest.fixture
def corpus_with_texts(db):
    call_command("load_fixtures", verbosity=0)
    call_command("ingest_sources", *sorted(str(path) for path in SOURCES.glob("*.md")), verbosity=0)


def test_the_popolo_export_is_valid_popolo(corpus_with_texts, anonymous_client):
    document = anonymous_client.get("/api/v1/popolo.json").json()
    assert document["persons"] and document["organizations"] and document["memberships"]
    for key, schema in (("persons", "person"), ("organizations", "organization"), ("memberships", "membership")):
        check = validator(schema)
        for item in document[key]:
            errors = [error.message for error in check.iter_errors(item)]
            assert not errors, (key, item["id"], errors)
    ids = {item["id"] for item in document["persons"]} | {item["id"] for item in document["organizations"]}
    for membership in document["memberships"]:
        assert membership["person_id"] in ids and membership["organization_id"] in ids
    kirby = next(item for item in document["persons"] if item["id"] == "michael-kirby")
    assert kirby["name"] == "Michael Kirby"
    chair = next(m for m in document["memberships"] if m["person_id"] == "michael-kirby")
    assert chair["organization_id"] == "un-commission-of-inquiry-dprk" and chair["role"]


def test_popolo_shows_only_what_the_client_may_read(world, anonymous_client, partner_client):
    public = json.dumps(anonymous_client.get("/api/v1/popolo.json").json())
    assert "zzrestricted" not in public and "zzdraft" not in public
    cleared = json.dumps(partner_client.get("/api/v1/popolo.json").json())
    assert "bob-zzrestricted" in cleared and "zzdraft" not in cleared
    check = validator("person")
    assert not list(check.iter_errors(json.loads(cleared)["persons"][0]))


def test_citations_and_mentions_are_web_annotations_that_anchor(corpus_with_texts, anonymous_client):
    slug = "human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea"
    page = anonymous_client.get("/api/v1/annotations/", {"source": slug})
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/ld+json")
    body = page.json()
    assert body["@context"] == "http://www.w3.org/ns/anno.jsonld" and body["type"] == "AnnotationPage"
    text = anonymous_client.get(f"/api/v1/reports/{slug}/").json()["text"]
    motivations = set()
    for annotation in body["items"]:
        assert annotation["type"] == "Annotation" and annotation["id"].startswith("http://testserver/")
        motivations.add(annotation["motivation"])
        target = annotation["target"]
        assert target["source"] == f"http://testserver/api/v1/reports/{slug}/"
        quote, position = target["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        # Both selectors anchor the same span of the text the API serves.
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
        assert quote["prefix"] or quote["suffix"]
    assert motivations == {"identifying", "describing"}
    mentions = Mention.objects.filter(report__slug=slug).count()
    assert sum(a["motivation"] == "identifying" for a in body["items"]) == mentions


def test_annotations_show_only_what_the_client_may_read(world, anonymous_client, partner_client):
    public = anonymous_client.get("/api/v1/annotations/", {"source": "public-report"}).json()
    assert public["items"] and "zzrestricted" not in json.dumps(public) and "zzdraft" not in json.dumps(public)
    cleared = json.dumps(partner_client.get("/api/v1/annotations/", {"source": "public-report"}).json())
    assert "bob-zzrestricted" in cleared and "zzdraft" not in cleared
    assert anonymous_client.get("/api/v1/annotations/", {"source": "report-zzrestricted"}).status_code == 404
    missing = anonymous_client.get("/api/v1/annotations/")
    assert missing.status_code == 400 and "source" in missing.json()


def test_every_report_answers_annotations_even_citations_of_a_text_not_stored(corpus_with_texts, anonymous_client):
    """The corpus cites the COI report, whose text is not stored: its citations carry their words, no offsets."""
    unanchored = 0
    for slug in Report.objects.readable().values_list("slug", flat=True):
        page = anonymous_client.get("/api/v1/annotations/", {"source": slug})
        assert page.status_code == 200, (slug, page.content[:300])
        for annotation in page.json()["items"]:
            selectors = annotation["target"].get("selector", [])
            if not any(selector["type"] == "TextPositionSelector" for selector in selectors):
                assert annotation["motivation"] == "describing", annotation
                assert [selector["type"] for selector in selectors] in ([], ["TextQuoteSelector"])
                unanchored += 1
    assert unanchored
