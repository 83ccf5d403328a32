"""Curation in a real browser, from the admin home: tasks (f) add, source, publish and merge, and (h) export.

The style of tests/research/test_browser.py (whose fixtures these reuse):
Debian's Chromium through Playwright; ``HRKB_SCREENSHOTS=<dir>`` saves what
each step looked like.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from actors.models import Actor, Membership, Person
from hrkb.models import SlugRedirect, Status
from reports.models import Report
from tests import factories
from tests.admin.test_admin_browser import browser_page  # noqa: F401 (a fixture)

from .test_browser import home, shot  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = (
    "Tomás Ojea Quintana, the UN Special Rapporteur on human rights in North Korea, called for accountability in 2017."
)


def choose(page, container: str, typed: str, option: str) -> None:
    """Pick a record in an admin autocomplete (select2) inside ``container``."""
    page.click(f"{container} .select2-selection")
    page.fill(".select2-search__field", typed)
    page.click(f".select2-results__option:has-text('{option}')")


def test_f_add_a_person_with_an_alias_and_a_sourced_membership_publish_then_merge_a_duplicate(home, live_server):  # noqa: F811
    page = home
    un = factories.organisation("UN Special Procedures", slug="un-special-procedures")
    factories.report("Statement on accountability", slug="quintana-statement", text=STATEMENT)
    duplicate = factories.person("Tomas Ojea Quintana", slug="tomas-ojea-quintana-2", status="draft")
    factories.membership(duplicate, un, role="Special Rapporteur", slug="tomas-dup-rapporteur", status="draft")
    factories.membership(duplicate, un, role="Member", slug="tomas-dup-member", status="draft")

    # Add the person from the home page, with an alias and a role; a likely duplicate shows as the name is typed.
    page.locator("#content-main .model-person a.addlink").click()
    page.fill("#id_name", "Tomás Ojea Quintana")
    box = page.locator("#likely-duplicates")
    expect(box).to_contain_text("Tomas Ojea Quintana")
    shot(page, "task-f-add-person-likely-duplicate")
    page.locator("#aliases-group input[name='aliases-0-name']").fill("Ojea Quintana")
    page.click("#memberships-group .add-row a")
    choose(page, "#memberships-group tr.form-row:not(.empty-form)", "Special Proc", "UN Special Procedures")
    page.fill("#memberships-group input[name='memberships-0-role']", "Special Rapporteur")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("may be a duplicate of")
    person = Person.objects.get(name="Tomás Ojea Quintana")
    assert person.status == Status.DRAFT and person.aliases.get().name == "Ojea Quintana"
    membership = person.memberships.get()

    # Source the role on its own page, and publish it: refused without a source, accepted with one.
    page.goto(f"{live_server.url}/admin/actors/membership/{membership.pk}/change/")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text("cannot be published without a source for the membership")
    shot(page, "task-f-publish-refused")
    page.locator("#citations-group .collapse-toggle, #citations-group summary").first.click()
    page.click("#citations-group .add-row a")
    choose(page, "#citations-group .inline-related:not(.empty-form)", "Statement", "Statement on accountability")
    page.fill("textarea[name='citations-0-passage']", "the UN Special Rapporteur on human rights in North Korea")
    page.fill("input[name='citations-0-claim']", "role")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    membership.refresh_from_db()
    assert membership.status == Status.PUBLISHED and membership.citations.get().start == STATEMENT.index("the UN")

    # Publish the person from the list.
    page.goto(f"{live_server.url}/admin/actors/person/?q=Quintana")
    page.locator(f"#result_list input[value='{person.pk}']").check()
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 record(s) published.")

    # Merge the duplicate into them: pick both, pick the survivor, read the preview, confirm.
    page.locator(f"#result_list input[value='{person.pk}']").check()
    page.locator(f"#result_list input[value='{duplicate.pk}']").check()
    page.select_option("select[name=action]", "merge_selected")
    page.click("button[name=index]")
    expect(page.locator(".merge-compare")).to_contain_text("Tomas Ojea Quintana")
    page.check(f"input[name=survivor][value='{person.pk}']")
    shot(page, "task-f-merge-choose")
    page.click("input[type=submit]")
    preview = page.locator(".merge-moves")
    expect(preview).to_contain_text("folded into")
    expect(preview).to_contain_text("Member")
    shot(page, "task-f-merge-preview")
    page.click("input[name=confirm]")
    expect(page.locator(".messagelist")).to_contain_text("Merged Tomas Ojea Quintana into Tomás Ojea Quintana")
    shot(page, "task-f-merged")

    assert not Actor.objects.filter(slug="tomas-ojea-quintana-2").exists()
    assert sorted(person.memberships.values_list("role", flat=True)) == ["Member", "Special Rapporteur"]
    assert person.memberships.get(role="Special Rapporteur").citations.exists()
    assert "Tomas Ojea Quintana" in person.aliases.values_list("name", flat=True)
    assert SlugRedirect.objects.resolve(Person, "tomas-ojea-quintana-2") == person.slug
    # The folded role's history page still opens, and the merge is in the survivor's history.
    folded = Membership.history.filter(slug="tomas-dup-rapporteur").first()
    page.goto(f"{live_server.url}/admin/actors/person/{person.pk}/history/")
    expect(page.locator("#content")).to_contain_text("Merged Tomas Ojea Quintana")
    assert folded.person_id == person.pk


def test_h_export_a_filtered_list(home, live_server, tmp_path):  # noqa: F811
    page = home
    page.locator("#content-main .model-report a").first.click()
    page.locator("#changelist-filter a", has_text="Article").first.click()
    expect(page).to_have_url(re.compile(r"kind__exact=article"))
    articles = set(Report.objects.filter(kind="article").values_list("slug", flat=True))
    expect(page.locator("#result_list tbody tr")).to_have_count(len(articles))
    shot(page, "task-h-filtered-list")
    page.click(".object-tools a.export_link")
    page.select_option("select[name=format]", label="csv")
    shot(page, "task-h-export-form")
    with page.expect_download() as download:
        page.click("input[type=submit]")
    path = tmp_path / "reports.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(articles) < Report.objects.count()
    assert {row["slug"] for row in rows} == articles
    assert all(row["admin_url"].startswith("/admin/reports/report/") for row in rows)
    assert all(row["api_url"] == f"/api/v1/reports/{row['slug']}/" for row in rows if row["status"] == "published")
