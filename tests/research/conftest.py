"""Fixtures for the research views: the corpus with its mentions linked, and a curator's client."""

import pytest
from django.core.management import call_command


@pytest.fixture
def linked_corpus(db):
    """Everything `make run` loads: the fixtures, then the source texts ingested and their mentions linked."""
    call_command("load_fixtures", verbosity=0)
    call_command("ingest_sources", "fixtures/sources/csw-north-korea-articles.md", verbosity=0)


@pytest.fixture
def staff_client(client, django_user_model):
    """A staff user without model permissions: may read the research views, may not write."""
    user = django_user_model.objects.create_user(username="reader", password="reader-password-1", is_staff=True)
    client.force_login(user)
    return client
