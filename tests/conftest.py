"""Shared fixtures: clients for each kind of user, and the curated corpus."""

from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the test database is a file, so that every thread opens a connection of its own.

    In memory, the database lives in one connection, and the live server hands that connection to
    each of its request threads (once the database exists before the server starts, as in a whole
    run). Python's sqlite3 deadlocks on a connection two threads use: one, inside a Python function
    SQLite calls back (Django registers its date, regex and maths functions so), waits for the
    interpreter's lock, which the other holds while it waits for SQLite's lock on the connection. A
    browser's parallel requests hung whole SQLite runs so. WAL lets readers run beside a writer;
    IMMEDIATE takes the write lock at BEGIN, where a deferred transaction's upgrade would fail at once
    with "database is locked"; the data is thrown away after the run, so commits skip fsync.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    test = database.setdefault("TEST", {})
    if not test.get("NAME"):
        test["NAME"] = str(Path(settings.BASE_DIR) / "var" / "test-db.sqlite3")
        Path(test["NAME"]).parent.mkdir(exist_ok=True)
    options = database.setdefault("OPTIONS", {})
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF")
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("timeout", 20)


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


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Each test that uses the database starts with an empty cache, so API throttle counts never carry over.

    The cache is a database table (or Redis, with REDIS_URL): tests without the database leave it alone.
    """
    database = next(
        (name for name in ("transactional_db", "live_server", "db") if name in request.fixturenames),
        "db" if request.node.get_closest_marker("django_db") else None,
    )
    if database is None:
        yield
        return
    from django.core.cache import cache

    from hrkb.readers import close_idle
    from tests.threads import readers_left

    request.getfixturevalue(database)
    cache.clear()
    yield
    # Where connections persist (a .env with DEBUG off), readers' idle connections would outlive the test's
    # database and hold up its DROP at the end of the run: closed once every reader has ended and given its back.
    readers_left()
    close_idle()


@pytest.fixture
def anonymous_client():
    """An API client without a key: sees published, unrestricted records only."""
    from rest_framework.test import APIClient

    return APIClient()


def _partner_client(*, can_read_restricted: bool, user=None):
    from rest_framework.test import APIClient

    from hrkb.models import PartnerKey
    from tests import factories

    key = PartnerKey(
        name="Test key",
        organisation=factories.organisation("Partner NGO"),
        can_read_restricted=can_read_restricted,
        user=user,
    )
    secret = key.set_new_secret()
    key.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    client.key, client.secret = key, secret
    return client


@pytest.fixture
def partner_client(db):
    """An API client with a partner key cleared for restricted records (never drafts)."""
    return _partner_client(can_read_restricted=True)


@pytest.fixture
def uncleared_partner_client(db):
    """An API client with a partner key not cleared for restricted records."""
    return _partner_client(can_read_restricted=False)
