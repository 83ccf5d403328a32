"""The admin lists at scale: searches one subquery per field (indexed on PostgreSQL), counts kept cheap."""

import pytest
from django.db import connection

from sources.models import MembershipCitation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def citations(db):
    report = factories.report("Famine in the north", text="The famine of 1996 killed many. Kirby chaired the inquiry.")
    membership = factories.membership(
        factories.person("Michael Kirby"), factories.organisation("Inquiry"), role="Chair"
    )
    first = MembershipCitation.objects.create(subject=membership, source=report, passage="Kirby chaired the inquiry")
    second = MembershipCitation.objects.create(subject=membership, source=report, passage="The famine of 1996")
    return first, second


def _found(client, term):
    response = client.get("/admin/sources/membershipcitation/", {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_search_fields_match_each_word_in_any_field_once(curator_client, citations):
    first, second = citations
    assert set(_found(curator_client, "chaired")) == {first}
    # "famine" is in one passage and in the source's title: both citations, each once.
    assert sorted(c.pk for c in _found(curator_client, "famine")) == sorted([first.pk, second.pk])
    assert _found(curator_client, "famine 1996") == [second]
    assert _found(curator_client, '"chaired the inquiry"') == [first]
    assert _found(curator_client, "famine nowhere") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_search_fields_have_trigram_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert "sources_membershipcitation_passage_trgm" in names
    assert "sources_mention_text_trgm" in names
