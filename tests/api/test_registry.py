"""Every consumer of the public-type registry covers every registered type.

Adding a type to :data:`hrkb.public_types.PUBLIC_TYPES` makes these fail
until its routes, JSON-LD mapping, feed, export, search document, summary
enum, contract-test entry and golden record exist.
"""

import pytest
from django.urls import reverse

from hrkb import changelog
from hrkb.api import jsonld
from hrkb.api.serializers import SUMMARY_SCHEMA
from hrkb.api.sync import ChangeSerializer
from hrkb.public_types import NAMES, PUBLIC_TYPES, for_model
from hrkb.search import schema
from hrkb.search.documents import search_types

from .resources import RESOURCES
from .test_golden import RECORDS

TYPE_IDS = [public_type.name for public_type in PUBLIC_TYPES]


@pytest.mark.parametrize("public_type", PUBLIC_TYPES, ids=TYPE_IDS)
def test_the_type_is_served_at_its_path(public_type):
    assert public_type.viewset.model is public_type.model
    assert for_model(public_type.model) is public_type
    assert reverse(f"api:{public_type.name}-list") == f"/api/v1/{public_type.path}/"
    assert reverse(f"api:{public_type.name}-detail", args=["a-slug"]) == f"/api/v1/{public_type.path}/a-slug/"
    assert reverse(f"api:{public_type.name}-export") == f"/api/v1/{public_type.path}/export.csv"


@pytest.mark.parametrize("public_type", PUBLIC_TYPES, ids=TYPE_IDS)
def test_every_consumer_covers_the_type(public_type):
    assert public_type.name in jsonld.MAPPINGS
    assert public_type.schema_org
    assert public_type.name in SUMMARY_SCHEMA["properties"]["type"]["enum"]
    assert public_type.name in ChangeSerializer().fields["type"].choices
    assert public_type in changelog.logged_tables()[public_type.model._meta.concrete_model]
    assert public_type.path in {resource.path for resource in RESOURCES}
    assert public_type.path in RECORDS
    if public_type.search is not None:
        assert public_type.name in search_types()
        assert public_type.model._meta.concrete_model._meta.db_table in schema.DOCUMENTS


def test_consumers_hold_no_type_the_registry_lacks():
    assert set(jsonld.MAPPINGS) == set(NAMES)
    assert SUMMARY_SCHEMA["properties"]["type"]["enum"] == list(NAMES)
    assert {resource.path for resource in RESOURCES} == {public_type.path for public_type in PUBLIC_TYPES}
    assert set(search_types()) <= set(NAMES)


def test_a_quote_is_only_as_readable_as_its_speaker(db):
    from tests import factories

    hidden = factories.person("Hidden speaker", restricted=True)
    quote = factories.quote(hidden, "Words.")
    quote_type = for_model(type(quote))
    assert not quote_type.is_readable(quote, restricted=False)
    assert quote_type.is_readable(quote, restricted=True)
    assert not type(quote).objects.readable().filter(pk=quote.pk).exists()
    assert type(quote).objects.readable(restricted=True).filter(pk=quote.pk).exists()
