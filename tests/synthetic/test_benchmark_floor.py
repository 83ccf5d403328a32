"""The API benchmark's floor views serve exactly the API's pages, so the comparison stays fair."""

import itertools

import pytest

from benchmarks import generate_synthetic
from benchmarks.api import benchmark_cases, first_difference


@pytest.fixture
def floor_routes(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"


@pytest.mark.django_db
def test_every_floor_page_is_the_api_page(client, floor_routes):
    generate_synthetic.main(["--reports", "60", "--seed", "3", "--force", "--quiet"])

    cases = benchmark_cases()
    # Each request from its own address, so the anonymous rate limit never answers 429 here.
    addresses = (f"10.99.{number >> 8}.{number & 255}" for number in itertools.count(1))
    assert {case.name.split()[0] for case in cases} == {"reports", "people", "organisations", "events", "quotes"}
    for case in cases:
        assert case.api_paths, case.name
        for api_path, floor_path in zip(case.api_paths, case.floor_paths, strict=True):
            api = client.get(api_path, REMOTE_ADDR=next(addresses))
            floor = client.get(floor_path, REMOTE_ADDR=next(addresses))
            assert api.status_code == floor.status_code == 200, api_path
            assert first_difference(api.json(), floor.json()) is None, api_path


def test_first_difference_names_where_pages_differ():
    api = {"next": "http://x/api/v1/reports/?cursor=a", "results": [{"slug": "a", "topics": [1, 2]}]}

    assert first_difference(api, {"next": "http://x/floor/reports/?cursor=a", **api}) is None
    assert first_difference(api, {**api, "results": [{"slug": "a", "topics": [1]}]}) == (
        ".results[0].topics: 2 items != 1"
    )
    assert "keys" in first_difference(api, {"results": []})
