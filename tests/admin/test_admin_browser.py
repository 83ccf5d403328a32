"""The admin in a real browser: a curator logs in, finds a person by an alias and opens the record.

Runs headless Chromium from Debian's packages (``apt-get install chromium``),
driven by Playwright; Playwright's own browser downloads are never used.
"""

import os
import signal
import sys
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
# Chromium now and then never exits when asked to close (puppeteer#970, Sparticuz/chromium#85), and
# Playwright's close waits for it without a time limit: past this, the fixture kills it.
CLOSE_SECONDS = 60


def _chromium_processes() -> list[int]:
    """This process's descendants that run Chromium (the browser and its renderers, not Playwright's driver)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # a process that ended while being read
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [os.getpid()]
    while todo:
        for pid in children.get(todo.pop(), []):
            todo.append(pid)
            try:
                if "chromium" in os.readlink(f"/proc/{pid}/exe"):
                    found.append(pid)
            except OSError:
                continue
    return found


@contextmanager
def _chromium_killed_after(seconds: float):
    def kill():
        pids = _chromium_processes()
        print(f"\nChromium did not close within {seconds} s: killed {pids}", file=sys.__stderr__, flush=True)
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    timer = threading.Timer(seconds, kill)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@pytest.fixture
def browser_page():
    """A fresh page in headless Chromium, closed with its browser after the test."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    # Playwright's sync API runs an asyncio event loop in this thread, and Django
    # refuses database access from a thread with a running loop. The test's own
    # ORM calls are ordinary blocking calls made between browser steps, never
    # from a coroutine, so the check guards against nothing here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            try:
                yield context.new_page()
            finally:
                with _chromium_killed_after(CLOSE_SECONDS):
                    context.close()
                    browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _log_in(page, live_server, curator):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", curator.username)
    page.fill("#id_password", "curator-password-1")  # as set by the curator fixture
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("HRKB")


def test_curator_finds_a_person_by_an_alias_and_opens_the_record(browser_page, live_server, curator):
    page = browser_page
    factories.person("Kim Il-sung", aliases=["김일성", "Kim Il Sung"])
    factories.person("Kim Jong-un", aliases=["김정은"])
    _log_in(page, live_server, curator)

    page.goto(f"{live_server.url}/admin/actors/person/")
    page.fill("#searchbar", "김일성")
    page.press("#searchbar", "Enter")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Kim Il-sung")

    results.locator("th a").click()
    expect(page.locator("#id_name")).to_have_value("Kim Il-sung")
    # The alias that found the person is right there on the page, among the inline aliases.
    expect(page.locator("#aliases-group")).to_contain_text("Aliases")
    expect(page.locator("#aliases-group input[value='김일성']")).to_have_count(1)
