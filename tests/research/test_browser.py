"""The workbench in a real browser: each research view, and a researcher's everyday tasks from the admin home.

Headless Chromium from Debian's packages, driven by Playwright (see
tests/admin/test_admin_browser.py). With ``HRKB_SCREENSHOTS=<dir>`` each test
saves full-page screenshots of what it looked at, at desktop width.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from actors.models import Membership, Person
from reports.models import Report
from sources.models import MembershipCitation, Mention
from tests import factories
from tests.admin.test_admin_browser import _log_in, browser_page  # noqa: F401 (a fixture)

from .helpers import COI, COI_REPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("HRKB_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def home(browser_page, live_server, curator, linked_corpus):  # noqa: F811
    """A logged-in curator on the admin home page."""
    _log_in(browser_page, live_server, curator)
    browser_page.goto(f"{live_server.url}/admin/")
    return browser_page


def search(page, query: str) -> None:
    page.fill("#research-q", query)
    page.press("#research-q", "Enter")
    expect(page.locator(".search-view")).to_be_visible()


def test_home_page_is_a_researchers_day(home):
    page = home
    expect(page.locator("#home-q")).to_be_visible()
    expect(page.locator("#review-module")).to_contain_text("Contested facts")
    expect(page.locator(".home-counts")).to_contain_text("Reports")
    expect(page.locator("#content-main")).not_to_contain_text("Participants")
    expect(page.locator("#content-main")).not_to_contain_text("Aliases")
    shot(page, "home")


def test_a_who_held_which_role_in_the_commission_of_inquiry_and_which_passage_says_so(home):
    page = home
    search(page, "Commission of Inquiry")
    page.locator("#type-organisation .hit-title", has_text="UN Commission of Inquiry").first.click()
    expect(page.locator(".dossier-head h1")).to_contain_text("UN Commission of Inquiry")
    kirby_row = page.locator("#members tr", has_text="Michael Kirby")
    expect(kirby_row).to_contain_text("Chair")
    expect(kirby_row.locator("mark.passage").first).to_be_visible()
    shot(page, "task-a-coi-dossier")
    passage = kirby_row.locator("a.open-passage").first
    anchor = passage.get_attribute("href").split("#")[1]
    passage.click()
    expect(page.locator(".source-viewer")).to_be_visible()
    current = page.locator(f'.source-text [data-marks~="{anchor}"]').first
    expect(current).to_have_class(re.compile(r"\bcurrent\b"))
    citation = MembershipCitation.objects.get(pk=int(anchor.rsplit("-", 1)[1]))
    expect(page.locator(".source-text .current").first).to_contain_text(citation.passage.split()[0])
    shot(page, "task-a-passage-in-source")


def test_b_which_reports_mention_marzuki_darusman_in_which_passages(home):
    page = home
    search(page, "Marzuki Darusman")
    page.locator("#type-person .hit-title", has_text="Marzuki Darusman").click()
    mentions = page.locator("#mentions")
    count = Mention.objects.filter(actor__slug="marzuki-darusman").count()
    expect(mentions.locator("h2")).to_contain_text(f"Mentioned in {count} passage")
    expect(mentions.locator("mark.passage").first).to_contain_text("Darusman")
    shot(page, "task-b-darusman-mentions")
    mentions.locator("a.open-passage").first.click()
    expect(page.locator(".source-text .current").first).to_contain_text("Darusman")
    expect(page.locator(".marks-list li.current")).to_contain_text("Marzuki Darusman")
    shot(page, "task-b-mention-in-source")


def test_c_what_happened_in_2018_in_date_order(home):
    page = home
    page.click(".home-tools a:has-text('Timeline')")
    page.fill("input[name=from]", "2018")
    page.fill("input[name=to]", "2018")
    page.click(".research-filters button[type=submit]")
    rows = page.locator(".timeline-list tr")
    expect(rows.first).to_be_visible()
    whens = rows.locator("td.when").all_inner_texts()
    assert whens and all("2018" in when for when in whens)
    from hrkb.research.timeline import filters_from, timeline

    expected = [item.title for item in timeline(filters_from({"from": "2018", "to": "2018"})).items]
    titles = [re.sub(r"\s+", " ", text) for text in rows.locator("td:nth-child(2) a").all_inner_texts()]
    assert titles == expected
    # Year-only dates come first among equals, as "2018"; the summit on its day.
    assert "12 June 2018" in whens and "2018" in whens
    shot(page, "task-c-2018-list")
    page.click(".modes a:has-text('Chart')")
    expect(page.locator("svg.timeline-chart")).to_be_visible()
    shot(page, "task-c-2018-chart")


@pytest.mark.parametrize("query", ["김일성", "Kim II Sung"])
def test_d_kim_il_sung_by_any_name(home, query):
    page = home
    search(page, query)
    first = page.locator("#type-person .hit").first
    expect(first.locator(".hit-title")).to_have_text("Kim Il-sung")
    if query == "Kim II Sung":
        expect(first.locator(".matched-alias")).to_contain_text("Kim II Sung")
    shot(page, f"task-d-search-{'hangul' if query.startswith('김') else 'caption'}")
    first.locator(".hit-title").click()
    expect(page.locator(".dossier-head h1")).to_contain_text("Kim Il-sung")
    expect(page.locator(".aliases")).to_contain_text("김일성")


def test_e_which_claims_are_disputed_or_low_confidence_side_by_side(home):
    page = home
    page.click("#review-module a:has-text('Contested facts')")
    fact = page.locator(".claim-fact", has_text="Report of the commission of inquiry").first
    columns = fact.locator(".claim-columns-head:has-text('published') + .claim-columns")
    expect(columns.locator(".claim-column.rank-preferred")).to_contain_text("17 February 2014")
    expect(columns.locator(".claim-column.rank-deprecated")).to_contain_text("22 February 2014")
    expect(columns.locator(".claim-column", has_text="“2014”").first).to_be_visible()
    shot(page, "task-e-contested")
    page.click(".queues a:has-text('Low-confidence claims')")
    expect(page.locator(".claim-column.confidence-low").first).to_be_visible()
    shot(page, "task-e-low-confidence")


def test_g_who_changed_what_on_a_record(home, live_server):
    page = home
    kirby = Person.objects.get(slug="michael-kirby")
    # Two curators' edits: the second shows what the first left (a record loaded from fixtures
    # has no earlier version to compare its first edit with until history records initial entries).
    for description in ["Australian judge.", "Australian judge who chaired the Commission of Inquiry."]:
        page.goto(f"{live_server.url}/admin/actors/person/{kirby.pk}/change/")
        page.fill("#id_description", description)
        page.click("input[name=_save]")
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{live_server.url}/admin/")
    change = page.locator("#recent-changes-module li", has_text="Michael Kirby").first
    expect(change).to_contain_text("curator")
    expect(change).to_contain_text("description")
    shot(page, "task-g-recent-changes")
    change.locator("a").click()
    history = page.locator("#history")
    expect(history).to_contain_text("curator")
    expect(history.locator("ins").first).to_contain_text("Australian judge who chaired the Commission of Inquiry.")
    expect(history.locator("del").first).to_contain_text("Australian judge.")
    shot(page, "task-g-dossier-history")
    page.click(".object-tools a.historylink")
    expect(page.locator("#content")).to_contain_text("Australian judge who chaired the Commission of Inquiry.")


def test_a_report_whose_mentions_follow_a_line_break_is_edited_in_the_browser(home, live_server):
    """The browser sends the text area's lines ended by CR LF: the report keeps its text, as ingest stored it,
    and the mentions after each line break (offsets into it) still match, so the edit is saved."""
    page = home
    report = Report.objects.filter(mentions__isnull=False, text__contains="\n").distinct().first()
    assert report.mentions.filter(start__gt=report.text.index("\n")).exists()
    text, mentions = report.text, report.mentions.count()
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/change/")
    page.fill("#id_title", f"{report.title} (edited)")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    report.refresh_from_db()
    assert report.title.endswith("(edited)")
    assert (report.text, report.mentions.count()) == (text, mentions)


def test_select_to_cite_stores_the_passage_at_its_code_point_offsets(home, live_server):
    page = home
    text = "A witness 🙂 said: Jane Roe chaired the inquiry in 2013, and Jane Roe resigned."
    report = factories.report("A testimony with an emoji", text=text)
    membership = factories.membership(factories.person("Jane Roe"), factories.organisation("The Inquiry"), role="Chair")
    page.goto(f"{live_server.url}/admin/research/report/{report.slug}/text/")
    # Select "chaired the inquiry in 2013" as a reader would, then take the menu.
    page.evaluate(
        """(words) => {
            const element = document.getElementById("source-text");
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(words);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + words.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    element.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                    return;
                }
            }
        }""",
        "chaired the inquiry in 2013",
    )
    menu = page.locator("#selection-menu")
    expect(menu).to_be_visible()
    start = text.index("chaired the inquiry in 2013")
    expect(menu).to_contain_text(f"Characters {start}–{start + 27}")
    shot(page, "viewer-selection-menu")
    menu.locator("[data-role=cite]").click()
    expect(page.locator(".chosen-passage mark")).to_have_text("chaired the inquiry in 2013")
    page.check("input[name=kind][value=membership]")
    expect(page.locator(".subject-field[data-kind=participant]")).to_be_hidden()
    page.click(".subject-field[data-kind=membership] .select2-selection")
    page.fill(".select2-search__field", "Jane Roe")
    page.click(".select2-results__option:has-text('Jane Roe')")
    page.select_option("select[name=confidence]", "medium")
    page.fill("input[name=claim]", "start")
    shot(page, "cite-form")
    page.click("input[type=submit]")
    citation = MembershipCitation.objects.get(subject=membership)
    assert (citation.start, citation.end) == (start, start + 27)
    assert text[citation.start : citation.end] == citation.passage == "chaired the inquiry in 2013"
    expect(page).to_have_url(re.compile(rf"#c-membership-{citation.pk}$"))
    expect(page.locator(".source-text .current").first).to_have_text("chaired the inquiry in 2013")
    shot(page, "viewer-after-citing")


def test_mark_a_selection_as_a_mention(home, live_server):
    page = home
    report = Report.objects.get(slug=COI_REPORT)
    report.text = "The report 🙂 names Kirby's commission."
    report.save()
    page.goto(f"{live_server.url}/admin/research/report/{report.slug}/text/")
    start = report.text.index("Kirby")
    page.goto(f"{live_server.url}/admin/research/report/{report.slug}/mention/?start={start}&end={start + 5}")
    page.check("input[name=target][value=actor]")
    page.click(".subject-field[data-kind=actor] .select2-selection")
    page.fill(".select2-search__field", "Kirby")
    page.click(".select2-results__option:has-text('Michael Kirby')")
    page.click("input[type=submit]")
    mention = Mention.objects.get(report=report, start=start)
    assert mention.actor.slug == "michael-kirby" and mention.text == "Kirby"
    expect(page.locator(f"#list-m-{mention.pk}")).to_contain_text("Michael Kirby")


def test_viewer_layers_and_marked_passages(home, live_server):
    page = home
    report = Report.objects.get(slug="human-rights-must-be-included-in-talks-to-ensure-true-peace-in-north-korea")
    page.goto(f"{live_server.url}/admin/research/report/{report.slug}/text/")
    expect(page.locator(".source-text .mention").first).to_be_visible()
    shot(page, "viewer")
    page.uncheck(".layers input[value=mention]")
    expect(page.locator(".source-text")).to_have_class(re.compile("hide-mention"))
    expect(page.locator(".marks-list li.mention").first).to_be_hidden()
    page.locator(".source-text .citation").first.click()
    expect(page.locator("#mark-popover")).to_be_visible()
    expect(page.locator("#mark-popover")).to_contain_text("Cited for")


@pytest.mark.parametrize(
    "path,name",
    [
        ("person/michael-kirby/", "dossier-person"),
        (f"organisation/{COI}/", "dossier-organisation"),
        (f"report/{COI_REPORT}/", "dossier-report"),
        ("event/un-commission-of-inquiry-dprk-report-2014/", "dossier-event"),
    ],
)
def test_dossiers(home, live_server, path, name):
    page = home
    page.goto(f"{live_server.url}/admin/research/{path}")
    expect(page.locator(".dossier-head h1")).to_be_visible()
    expect(page.locator("#network svg.network")).to_be_visible()
    expect(page.locator("#history")).to_be_visible()
    shot(page, name)
    page.locator("#network svg a > g.node").nth(1).click()
    expect(page.locator(".dossier-head h1, .network-view").first).to_be_visible()


def test_network_view(home):
    page = home
    page.click(".home-tools a:has-text('Network')")
    expect(page.locator("svg.network")).to_be_visible()
    shot(page, "network-overview")
    page.fill("input[name=around]", "michael-kirby")
    page.select_option("select[name=hops]", "2")
    page.click(".research-filters button[type=submit]")
    expect(page.locator(".network-table")).to_contain_text("Chair")
    expect(page.locator("svg.network .edge-label", has_text="Chair").first).to_be_visible()
    # Every name and link label drawn lies inside the drawing's frame, as the browser lays the text out.
    outside = page.evaluate(
        """() => {
            const svg = document.querySelector("svg.network");
            const frame = svg.viewBox.baseVal;
            return [...svg.querySelectorAll("text")].filter((text) => {
                const box = text.getBBox();
                return box.x < frame.x || box.y < frame.y
                    || box.x + box.width > frame.x + frame.width || box.y + box.height > frame.y + frame.height;
            }).map((text) => text.textContent);
        }"""
    )
    assert outside == []
    shot(page, "network-kirby")
    page.locator(".network-table a", has_text="Chair").first.click()
    expect(page.locator(".dossier-head h1")).to_contain_text("Michael Kirby")
    membership = Membership.objects.get(slug="michael-kirby-chair-un-commission-of-inquiry-dprk")
    expect(page).to_have_url(re.compile(rf"#membership-{membership.pk}$"))


def test_claims_review_ranks_a_claim_with_a_reason(home):
    page = home
    page.click(".home-tools a:has-text('Claims review')")
    fact = page.locator(".claim-fact", has_text="Total Denial").first
    fact.locator(".claim-column input[type=checkbox]").first.check()
    page.select_option("select[name=rank]", "preferred")
    page.click(".rank-bar button")
    expect(page.locator(".messagelist")).to_contain_text("needs a reason")
    fact = page.locator(".claim-fact", has_text="Total Denial").first
    fact.locator(".claim-column input[type=checkbox]").first.check()
    page.select_option("select[name=rank]", "preferred")
    page.fill("input[name=reason]", "States the year outright.")
    page.click(".rank-bar button")
    expect(page.locator(".messagelist")).to_contain_text("now preferred")
    shot(page, "claims-review")


def test_search_view_with_facets(home):
    page = home
    search(page, "Commission of Inquiry")
    expect(page.locator(".type-tabs")).to_contain_text("Reports")
    shot(page, "search-all")
    page.click(".type-tabs a:has-text('Reports')")
    expect(page.locator(".facets")).to_contain_text("Kind")
    facet = page.locator(".facets a").first
    facet.click()
    expect(page.locator(".facets a.selected").first).to_be_visible()
    shot(page, "search-reports-faceted")


def test_search_facets_on_the_all_tab_narrow_every_type(home):
    page = home
    search(page, "Commission of Inquiry")
    year = page.locator(".facet", has_text="Year").locator("li").first
    label, count = year.locator("a").first.inner_text(), int(year.locator(".count").inner_text())
    year.locator("a").first.click()
    expect(page.locator(".facets a.selected", has_text=label)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"year={label}"))
    counts = [int(text.rstrip("+")) for text in page.locator(".type-tabs .count").all_inner_texts()]
    assert sum(counts) == count
    shot(page, "search-all-faceted")
