"""The API served by a real gunicorn on 127.0.0.1, as in production: shared throttles, long exports.

gunicorn's workers are other processes, so they need a database other
processes can read: on PostgreSQL the test database (the test commits, with
``transactional_db``); on SQLite, whose test database lives in memory, a file
migrated for these tests. Records are written by a child process through the
ORM, then gunicorn (the project's ``gunicorn.conf.py``, DEBUG off) is asked over HTTP.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def manage(url: str, *arguments: str, code: str | None = None) -> None:
    """Run a management command (or ``python -c code`` with Django set up) on the database at ``url``."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "hrkb.settings"}
    command = [sys.executable, "manage.py", *arguments]
    if code is not None:
        command = [sys.executable, "-c", "import django; django.setup()\n" + code]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def sqlite_file(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite3'}"
    manage(url, "migrate", "--no-input", "-v0")
    return url


@pytest.fixture
def live_database(request, transactional_db):
    """The URL of a database gunicorn's workers can read, empty at the start of each test."""
    if connection.vendor != "postgresql":
        url = request.getfixturevalue("sqlite_file")
        manage(url, "flush", "--no-input", "-v0")
        return url
    # transactional_db is asked for by name above: fetched dynamically as the session's first use of the
    # database, pytest-django leaves the connection on the database DATABASE_URL names, not the test one.
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> str:
    """Static files collected as production collects them: with DEBUG off the admin's pages need the manifest."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "off", "SECRET_KEY": "live-test-not-secret", "ALLOWED_HOSTS": "127.0.0.1"}
    env["STATIC_ROOT"] = str(root)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    return str(root)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(url, static_root, *options, **environment):
    port = free_port()
    env = {
        **os.environ,
        "STATIC_ROOT": static_root,
        "DATABASE_URL": url,
        "DEBUG": "off",
        "SECRET_KEY": "live-test-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "off",
        "CONN_MAX_AGE": "0",
        **environment,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "hrkb.wsgi:application", "--bind", f"127.0.0.1:{port}", *options],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                # Not an API URL: probes must not count against the rate limits under test.
                urllib.request.urlopen(f"{base}/admin/login/", timeout=2).read()
                break
            except (OSError, urllib.error.HTTPError):
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def redis_url() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/15"
    except OSError:
        return None


@pytest.mark.parametrize("cache", ["database", "redis"])
def test_throttles_are_shared_by_every_worker(cache, live_database, static_root):
    environment = {"API_THROTTLE_ANON": "12/minute"}
    if cache == "redis":
        url = redis_url()
        if url is None:
            pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
        import redis

        redis.Redis.from_url(url).flushdb()
        environment["REDIS_URL"] = url
    topic = f"factories.topic('Throttled {cache}', slug='throttled-{cache}')"
    manage(live_database, code=f"from tests import factories; {topic}")
    with gunicorn(live_database, static_root, "--workers", "3", **environment) as base:
        answers = [status(f"{base}/api/v1/topics/") for _ in range(30)]
    # Three workers, each counting alone, would let up to 36 through.
    assert answers.count(200) == 12, answers
    assert set(answers[12:]) == {429}


def test_a_long_export_is_whole_and_not_cut_by_the_worker_timeout(live_database, static_root):
    """Read slowly, the export takes far longer than the worker timeout; it still arrives whole."""
    sentence = "A long passage of testimony, repeated to make a large report. "
    manage(
        live_database,
        code="from tests import factories\n"
        f"for number in range(6): factories.report(f'Long report {{number}}', text={sentence!r} * 20_000)",
    )
    with gunicorn(live_database, static_root, "--timeout", "2") as base:
        started = time.monotonic()
        chunks = []
        with urllib.request.urlopen(f"{base}/api/v1/export.ndjson", timeout=60) as response:
            assert response.headers["HRKB-Sync-Since"]
            while chunk := response.read(256 * 1024):
                chunks.append(chunk)
                time.sleep(0.25)
        elapsed = time.monotonic() - started
    assert elapsed > 4, elapsed  # twice the timeout: a sync worker would have been killed by now
    lines = b"".join(chunks).decode().splitlines()
    reports = [json.loads(line) for line in lines if '"type": "report"' in line or '"type":"report"' in line]
    assert len(reports) == 6 and all(len(report["text"]) == len(sentence) * 20_000 for report in reports)
