"""The test harness itself: what the suite relies on to run as the site runs."""

import threading
import urllib.request

import pytest
from django.db import connection


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's test database only")
def test_sqlites_test_database_is_a_file_each_thread_connects_to(live_server):
    """Not an in-memory database, whose one connection the live server would share (tests/conftest.py says why)."""
    assert not connection.is_in_memory_db()
    assert live_server.thread.connections_override == {}, "the live server's threads open their own connections"
    statuses, failures = [], []

    def fetch():
        try:
            with urllib.request.urlopen(f"{live_server.url}/api/v1/reports/", timeout=30) as response:
                statuses.append(response.status)
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM reports_report")
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and statuses == [200] * 4
