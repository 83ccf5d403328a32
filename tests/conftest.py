"""Shared fixtures: clients for each kind of user, and the curated corpus."""

import pytest
from django.core.management import call_command


@pytest.fixture
def curator(django_user_model):
    """A staff user with every permission, as a researcher curating in the admin."""
    return django_user_model.objects.create_superuser(username="curator", password="curator-password-1")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def corpus(db):
    """Everything in fixtures/, loaded the way `make run` loads it."""
    call_command("load_fixtures", verbosity=0)
