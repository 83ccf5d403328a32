"""Facets of /api/v1/search/: exact counts of the readable matches, checked against the ORM, on both databases."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hrkb import access
from hrkb.public_types import BY_NAME
from hrkb.search import search_queryset
from hrkb.search.documents import search_types
from hrkb.search.facets import FACETS, MAX_BUCKETS
from reports.models import Topic
from tests import factories

pytestmark = pytest.mark.urls("tests.search.urls")

SEARCH = "/api/v1/search/"
ALL = ",".join(FACETS)


def _readable_topics(restricted: bool) -> set[str]:
    return set(Topic.objects.filter(access.readable_q(restricted=restricted)).values_list("slug", flat=True))


def expected(q: str, *, restricted: bool, types=None, **filters) -> dict[str, Counter]:
    """The facets computed apart from the engine's SQL: the ORM's matches, counted in Python."""
    topics_readable = _readable_topics(restricted)

    def facet_values(search_type, record) -> dict[str, list]:
        fields = search_type.facet_fields
        values = {}
        if "kind" in fields:
            values["kind"] = [getattr(record, fields["kind"])]
        if "year" in fields:
            date = getattr(record, fields["year"])
            values["year"] = [str(date.year)] if date else []
        if "country" in fields:
            values["country"] = [record.country] if record.country else []
        if "topic" in fields:
            values["topic"] = [slug for slug in record.topics.values_list("slug", flat=True) if slug in topics_readable]
        return values

    counts = {name: Counter() for name in FACETS}
    for name, search_type in search_types().items():
        public_type = BY_NAME[name]
        readable = public_type.model.objects.filter(public_type.readable_q(restricted=restricted))
        for record in search_queryset(readable, q, restricted=restricted):
            values = facet_values(search_type, record)
            values["type"] = [name]
            for facet in FACETS:
                others = {key: wanted for key, wanted in filters.items() if key != facet}
                if facet != "type" and types and name not in types.split(","):
                    continue
                kept = (key in values and set(values[key]) & set(wanted.split(",")) for key, wanted in others.items())
                if not all(kept):
                    continue
                counts[facet].update(values.get(facet, []))
    return counts


def answered(client, q: str, **params) -> dict[str, Counter]:
    response = client.get(SEARCH, {"q": q, "facets": ALL, **params})
    assert response.status_code == 200, response.content
    facets = response.json()["facets"]
    assert set(facets) == set(FACETS)
    for name, buckets in facets.items():
        counts = [bucket["count"] for bucket in buckets]
        if name == "year":
            assert [bucket["value"] for bucket in buckets] == sorted(bucket["value"] for bucket in buckets)
        else:
            assert counts == sorted(counts, reverse=True)
        assert len(buckets) <= MAX_BUCKETS and all(count > 0 for count in counts)
    return {name: Counter({bucket["value"]: bucket["count"] for bucket in buckets}) for name, buckets in facets.items()}


FILTERS = [
    {},
    {"kind": "report"},
    {"kind": "resolution"},
    {"kind": "report,summit"},
    {"year": "2014"},
    {"year": "2014,1996"},
    {"country": "KP"},
    {"topic": "food"},
    {"topic": "restricted-topic"},
    {"type": "report,event"},
    {"type": "quote", "year": "2014"},
    {"kind": "report", "year": "2014", "topic": "camps"},
]


def _id(params: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in params.items()) or "none"


@pytest.mark.parametrize("params", FILTERS, ids=_id)
@pytest.mark.parametrize("cleared", [False, True], ids=["anonymous", "cleared"])
def test_facet_counts_equal_the_orms_counts_of_the_readable_matches(facet_corpus, params, cleared, request):
    client = request.getfixturevalue("partner_client" if cleared else "anonymous_client")
    counts = answered(client, "famine", **params)
    types = params.get("type")
    filters = {key: value for key, value in params.items() if key != "type"}
    assert counts == expected("famine", restricted=cleared, types=types, **filters)


def test_buckets_are_what_a_researcher_expects_and_hits_follow_the_filters(anonymous_client, facet_corpus):
    counts = answered(anonymous_client, "famine")
    assert counts["type"] == {"report": 5, "event": 3, "person": 1, "organisation": 1, "quote": 2}
    assert counts["year"] == {"1996": 1, "2014": 4, "2015": 1, "2018": 1}
    assert counts["country"] == {"KP": 1, "SG": 1}
    assert counts["topic"] == {"food": 3, "camps": 2}
    # Each bucket's count is what its filter finds.
    for facet in ("kind", "year", "country", "topic"):
        for value, count in counts[facet].items():
            body = anonymous_client.get(SEARCH, {"q": "famine", facet: value, "page_size": 50}).json()
            assert len(body["results"]) == count, (facet, value)
    body = anonymous_client.get(SEARCH, {"q": "famine", "country": "KP"}).json()
    assert [hit["title"] for hit in body["results"]] == ["Famine summit"]
    assert "facets" not in body


def test_labels_name_topics_and_kinds(anonymous_client, facet_corpus):
    facets = anonymous_client.get(SEARCH, {"q": "famine", "facets": "kind,topic,type"}).json()["facets"]
    assert set(facets) == {"kind", "topic", "type"}
    labels = {bucket["value"]: bucket["label"] for buckets in facets.values() for bucket in buckets}
    assert labels["food"] == "Food" and labels["open_letter"] == "open letter" and labels["ngo"] == "NGO"


@pytest.mark.parametrize(
    "hidden",
    [{"status": "draft"}, {"restricted": True}],
    ids=["draft", "restricted"],
)
def test_a_hidden_record_changes_no_count_an_anonymous_client_sees(anonymous_client, facet_corpus, hidden):
    before = answered(anonymous_client, "famine")
    hidden_topic = factories.topic("Hidden topic", slug="hidden-topic", **hidden)
    factories.report("Famine hidden", text="famine", kind="speech", published="1980", topics=[hidden_topic], **hidden)
    event = factories.event("Famine hidden event", description="famine", kind="campaign", country="JP", **hidden)
    event.topics.set([facet_corpus["food"], hidden_topic])
    factories.person("Famine Hidden", description="famine", **hidden)
    # A readable report on the hidden topic: the topic must not be counted, nor found by its slug.
    factories.report("Famine on a hidden topic", text="famine", kind="speech", topics=[hidden_topic])
    after = answered(anonymous_client, "famine")
    after["type"]["report"] -= 1
    after["kind"]["speech"] -= 1
    assert +after["type"] == before["type"]
    assert {name: +counter for name, counter in after.items()} == before
    assert anonymous_client.get(SEARCH, {"q": "famine", "topic": "hidden-topic"}).json()["results"] == []
    assert answered(anonymous_client, "famine", topic="hidden-topic") == answered(
        anonymous_client, "famine", topic="no-such-topic"
    )


def test_facets_cost_one_statement_whatever_the_matches(anonymous_client, facet_corpus):
    anonymous_client.get(SEARCH, {"q": "famine"})  # connection-level lookups (RUM indexes) out of the way
    with CaptureQueriesContext(connection) as plain:
        anonymous_client.get(SEARCH, {"q": "famine"})
    with CaptureQueriesContext(connection) as faceted:
        anonymous_client.get(SEARCH, {"q": "famine", "facets": ALL})
    # SQLite pre-selects misspelt names of each actor type in Python (difflib), one query each.
    fuzzy = sum(search_type.fuzzy for search_type in search_types().values()) if connection.vendor == "sqlite" else 0
    assert len(_reads(faceted)) == len(_reads(plain)) + 1 + fuzzy


def _reads(captured) -> list[str]:
    # PostgreSQL steers the facets' plan with SET/RESET inside a savepoint (hrkb.search.postgres.facet_rows).
    return [query["sql"] for query in captured if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]


def test_no_match_and_only_exclusions_give_empty_facets(anonymous_client, facet_corpus):
    for q in ["nosuchword", "-famine"]:
        body = anonymous_client.get(SEARCH, {"q": q, "facets": "type,year"}).json()
        assert body["facets"] == {"type": [], "year": []}


@pytest.mark.parametrize(
    ("params", "name", "says"),
    [
        ({"facets": "type,colour"}, "facets", "colour"),
        ({"facets": "status"}, "facets", "status"),
        ({"kind": "spaceship"}, "kind", "spaceship"),
        ({"year": "14"}, "year", "YYYY"),
        ({"year": "２０１４"}, "year", "YYYY"),
        ({"country": "kp"}, "country", "KP"),
        ({"topic": "a b"}, "topic", "slug"),
        ({"year": ",".join(str(year) for year in range(1990, 2020))}, "year", "20"),
        ({"colour": "red"}, "colour", ""),
    ],
)
def test_unknown_facets_and_bad_filter_values_are_a_400_naming_the_parameter(anonymous_client, db, params, name, says):
    response = anonymous_client.get(SEARCH, {"q": "famine", **params})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [name]
    assert says in str(body[name])


def test_the_schema_documents_the_facets_and_their_filters(anonymous_client, db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/search/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert {"facets", "kind", "year", "country", "topic"} <= set(parameters)
    assert "type, kind, year, country, topic" in parameters["facets"]["description"]
    components = schema["components"]["schemas"]
    response = components["SearchResponse"]
    assert "facets" in response["properties"] and "facets" not in response.get("required", [])
    assert set(components["Facets"]["properties"]) == set(FACETS)
    assert sorted(components["Bucket"]["required"]) == ["count", "label", "value"]
