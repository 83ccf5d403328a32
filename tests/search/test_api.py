"""/api/v1/search/ and the `search` parameter of list endpoints: shape, errors, access."""

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from hrkb.search.serializers import MAX_HITS
from hrkb.search.views import SearchView
from tests import factories

from .conftest import DAY_OF_THE_SUN, SECRET

pytestmark = pytest.mark.urls("tests.search.urls")

SEARCH = "/api/v1/search/"


def test_search_answers_ranked_hits_with_their_type_summary_url_and_snippet(client, search_corpus):
    response = client.get(SEARCH, {"q": "songbun"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "songbun"
    first = body["results"][0]
    assert set(first) == {"type", "slug", "title", "highlighted_title", "summary", "url", "snippet", "score"}
    assert (first["type"], first["title"]) == ("report", DAY_OF_THE_SUN)
    assert "<mark>" in first["snippet"]


def test_a_hit_found_by_its_title_shows_why_with_its_title_marked_and_escaped(client, db):
    """The passage is cut from what lies beside the title (a summary, a text): a report found by its title alone
    would show no mark at all."""
    report = factories.report("Orchards & <Fields> of Hamhung", summary="A survey.", text="Nothing else here.")
    person = factories.person("Orchard Keeper")
    quote = factories.quote(person, text="We tended the orchards at night.")
    bare = factories.report("Orchard resolution")
    hits = {hit["slug"]: hit for hit in client.get(SEARCH, {"q": "orchards"}).json()["results"]}
    # Nothing beside the title: no passage of separators alone.
    assert "…" not in hits[bare.slug]["snippet"]
    assert hits[report.slug]["title"] == "Orchards & <Fields> of Hamhung"
    assert hits[report.slug]["highlighted_title"] == "<mark>Orchards</mark> &amp; &lt;Fields&gt; of Hamhung"
    assert hits[report.slug]["snippet"].startswith("A survey.") and "<mark>" not in hits[report.slug]["snippet"]
    assert hits[person.slug]["highlighted_title"] == "<mark>Orchard</mark> Keeper"
    assert hits[quote.slug]["highlighted_title"] == "We tended the <mark>orchards</mark> at night."
    # A title that did not match is shown plain.
    [hit] = client.get(SEARCH, {"q": "survey"}).json()["results"]
    assert hit["highlighted_title"] == "Orchards &amp; &lt;Fields&gt; of Hamhung"
    assert "<mark>survey</mark>." in hit["snippet"]


def test_type_filters_and_an_unknown_type_is_a_400_naming_it(client, search_corpus):
    body = client.get(SEARCH, {"q": "Darusmann", "type": "person"}).json()
    assert [hit["slug"] for hit in body["results"]][:1] == [search_corpus["darusman"].slug]
    response = client.get(SEARCH, {"q": "songbun", "type": "report,spaceship"})
    assert response.status_code == 400
    assert "spaceship" in response.json()["type"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "song\x00bun"}, "q"),
        ({"q": "a", "page": "0"}, "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, db, params, field):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_page_beyond_the_cap_is_a_400(client, db):
    response = client.get(SEARCH, {"q": "songbun", "page": MAX_HITS // 20 + 1})
    assert response.status_code == 400
    assert "page" in response.json()


@pytest.mark.parametrize("q", ['"songbun', '"', "!!!", "-songbun", "OR", "NEAR(x", "a:b", "*"])
def test_odd_syntax_is_answered_never_a_500(client, search_corpus, q):
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_pages_link_to_each_other(client, db):
    for number in range(5):
        factories.report(f"Famine {number}", text="famine")
    first = client.get(SEARCH, {"q": "famine", "page_size": 2}).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert len(third["results"]) == 1 and third["next"] is None
    assert client.get(third["previous"]).json() == second
    slugs = [hit["slug"] for page in (first, second, third) for hit in page["results"]]
    assert len(set(slugs)) == 5


def test_hidden_records_leave_no_trace_for_an_anonymous_client(client, search_corpus):
    response = client.get(SEARCH, {"q": SECRET})
    assert response.json() == {"query": SECRET, "next": None, "previous": None, "results": []}
    assert SECRET not in client.get(SEARCH, {"q": "songbun", "page_size": 50}).content.decode()


class ClearedKey:
    """Stands in for a partner key cleared for restricted records (request.auth)."""

    can_read_restricted = True


def test_a_cleared_partner_key_finds_restricted_records(search_corpus, django_user_model):
    request = APIRequestFactory().get(SEARCH, {"q": SECRET})
    force_authenticate(request, user=django_user_model(username="partner"), token=ClearedKey())
    slugs = {hit["slug"] for hit in SearchView.as_view()(request).data["results"]}
    assert search_corpus["restricted"].slug in slugs
    assert search_corpus["draft"].slug not in slugs


def test_list_search_ranks_and_empty_search_does_not_filter(client, db):
    in_body = factories.report("A report", text="Passing mention of songbun.")
    in_title = factories.report("Songbun explained", text="The caste system.")
    other = factories.report("Other", text="Nothing.")
    ranked = [row["slug"] for row in client.get("/api/v1/reports/", {"search": "songbun"}).json()]
    assert ranked == [in_title.slug, in_body.slug]
    everything = [row["slug"] for row in client.get("/api/v1/reports/", {"search": ""}).json()]
    assert everything == [in_body.slug, other.slug, in_title.slug]  # the view's own ordering (title)


def test_list_search_keeps_access_rules_and_an_explicit_ordering(client, db):
    factories.report("Songbun draft", text="songbun", status="draft")
    b = factories.report("B songbun", text="songbun")
    a = factories.report("A songbun", text="songbun songbun")
    rows = client.get("/api/v1/reports/", {"search": "songbun", "ordering": "title"}).json()
    assert [row["slug"] for row in rows] == [a.slug, b.slug]


@pytest.mark.parametrize("search", ["x" * 10_000, "song\x00bun"])
def test_list_search_too_long_or_with_a_null_is_a_400_naming_search(client, db, search):
    response = client.get("/api/v1/reports/", {"search": search})
    assert response.status_code == 400
    assert "search" in response.json()


def test_list_search_on_a_model_without_a_document_uses_search_fields(client, corpus):
    rows = client.get("/api/v1/topics/", {"search": "torture"}).json()
    assert rows and all("torture" in row["name"].lower() for row in rows)
