"""The admin's one search page shows the engine's facets, over every record, each count a link that narrows."""

from collections import Counter

import pytest
from django.urls import reverse

from hrkb.public_types import BY_NAME
from hrkb.search import search_queryset

pytestmark = pytest.mark.django_db


def _page(client, **params):
    response = client.get(reverse("admin:research_search"), params)
    assert response.status_code == 200
    return response


def test_facets_render_on_the_all_tab_with_drafts_and_restricted_records_counted(admin_client, facet_corpus):
    response = _page(admin_client, q="famine")
    facets = {facet.name: facet for facet in response.context["results"].facets}
    assert list(facets) == ["kind", "year", "country", "topic", "status", "restricted"]
    # Curators count every record: the ORM's matches over whole tables, years counted in Python.
    years = Counter()
    for name, field in [("report", "published"), ("event", "start"), ("quote", "said")]:
        for record in search_queryset(BY_NAME[name].model.objects.all(), "famine"):
            if getattr(record, field):
                years[str(getattr(record, field).year)] += 1
    assert {option.value: option.count for option in facets["year"].options} == years
    assert {option.label for option in facets["status"].options} == {"draft", "published"}
    assert {option.label for option in facets["restricted"].options} == {"restricted", "not restricted"}
    topics = {option.value for option in facets["topic"].options}
    assert {"draft-topic", "restricted-topic"} <= topics  # researchers see every topic
    page = response.content.decode()
    assert '<aside class="facets"' in page and facets["year"].options[0].url.replace("&", "&amp;") in page


def test_every_facet_link_narrows_the_search_to_its_count(admin_client, facet_corpus):
    results = _page(admin_client, q="famine").context["results"]
    for facet in results.facets:
        for option in facet.options:
            response = admin_client.get(option.url)
            narrowed = response.context["results"]
            assert narrowed.total == option.count, (facet.name, option.value)
            chosen = next(f for f in narrowed.facets if f.name == facet.name)
            assert [o.value for o in chosen.options if o.selected] == [option.value]
            # The selected option's link clears it.
            cleared = admin_client.get(next(o for o in chosen.options if o.selected).url).context["results"]
            assert cleared.total == results.total


def test_a_type_tab_shows_that_types_facets_and_keeps_filters_across_tabs(admin_client, facet_corpus):
    results = _page(admin_client, q="famine", type="event").context["results"]
    assert [facet.name for facet in results.facets] == ["kind", "year", "country", "topic", "status", "restricted"]
    country = next(facet for facet in results.facets if facet.name == "country")
    assert {option.value: option.count for option in country.options} == {"KP": 1, "SG": 1, "CN": 2}
    narrowed = admin_client.get(next(o for o in country.options if o.value == "CN").url).context["results"]
    groups = {group.type: group for group in narrowed.groups}
    assert groups["event"].count == 2 and groups["report"].count == 0  # reports have no country
    assert "country=CN" in groups["report"].url and "country=CN" in narrowed.all_url
    reports = _page(admin_client, q="famine", type="report").context["results"]
    assert "country" not in [facet.name for facet in reports.facets]


def test_a_filter_value_typed_by_hand_is_left_out_and_said(admin_client, facet_corpus):
    response = _page(admin_client, q="famine", year="nineteen")
    assert "Filter left out" in response.content.decode()
    assert response.context["results"].total == _page(admin_client, q="famine").context["results"].total
