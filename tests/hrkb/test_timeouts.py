"""hrkb.timeouts: each query of a web request is bounded; a cancelled one answers 503 saying what to do."""

import time

import pytest
from django.db import connection

from hrkb import timeouts
from hrkb.readers import read_ahead, read_soon

from .timeout_urls import SLOW

pytestmark = [pytest.mark.urls("tests.hrkb.timeout_urls"), pytest.mark.django_db]


@pytest.fixture
def bound(settings):
    settings.QUERY_TIMEOUT = 0.2
    return settings.QUERY_TIMEOUT


def test_a_query_past_the_bound_is_cancelled_and_the_admin_says_what_to_do(curator_client, bound):
    started = time.monotonic()
    response = curator_client.get("/admin/slow/")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    page = response.content.decode()
    assert "longer than 0.2 seconds" in page and "Narrow it" in page and 'class="errornote"' in page
    assert 'href="/admin/slow/"' in page and "HRKB" in page  # the admin's own header, a way back
    # The connection serves the next request, whose queries are quick.
    assert curator_client.get("/admin/quick/").content == b"answered"
    assert timeouts.current() is None


def test_the_api_answers_a_cancelled_query_in_json(client, bound):
    response = client.get("/api/v1/slow/")
    assert response.status_code == 503
    assert "longer than 0.2 seconds" in response.json()["detail"]


def test_without_a_bound_a_query_runs_to_its_end(curator_client, settings):
    """A bound of 0 bounds nothing: the query that a bound of 0.1 s cancels answers."""
    settings.QUERY_TIMEOUT = 0.1
    assert curator_client.get("/admin/longer/").status_code == 503
    settings.QUERY_TIMEOUT = 0
    response = curator_client.get("/admin/longer/")
    assert response.status_code == 200 and response.content == b"answered"
    assert timeouts.current() is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "read", [lambda tasks: list(read_ahead(tasks)), lambda tasks: read_soon(tasks)(0)], ids=["read_ahead", "read_soon"]
)
def test_reader_threads_keep_the_requests_bound(read):
    """Outside a transaction the readers read on connections of their own, in threads: they are bounded too."""

    def slow():
        from django.db import connection as thread_connection

        with thread_connection.cursor() as cursor:
            cursor.execute(SLOW[thread_connection.vendor])

    with timeouts.bounded(0.2), pytest.raises(Exception) as raised:
        read([slow])
    assert timeouts.is_timeout(raised.value)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_the_bound_is_lifted_after_the_request(client, bound):
    """A streamed export reads on after its view returned: the connection's setting is the server's again."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    assert client.get("/admin/quick/").content == b"answered"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
