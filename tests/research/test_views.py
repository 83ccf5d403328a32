"""The research views over the real corpus: what each shows, who may see it, and what it costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Membership, Organisation, Person
from events.models import Event
from hrkb.models import Rank, SlugRedirect, Status
from reports.models import Report
from sources.models import MembershipCitation, Mention, ReportCitation
from tests import factories

from .helpers import COI, COI_REPORT, COI_REPORT_EVENT, SUMMIT_ARTICLE, url

pytestmark = pytest.mark.django_db

VIEWS = [
    ("index",),
    ("research_search",),
    ("research_timeline",),
    ("research_network",),
    ("research_claims",),
    ("research_person", "michael-kirby"),
    ("research_organisation", COI),
    ("research_report", COI_REPORT),
    ("research_event", COI_REPORT_EVENT),
    ("research_text", SUMMIT_ARTICLE),
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view[0])
def test_every_research_view_renders_for_staff(staff_client, linked_corpus, view):
    response = staff_client.get(url(*view))
    assert response.status_code == 200


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view[0])
def test_research_views_send_anyone_else_to_the_admin_login(client, linked_corpus, django_user_model, view):
    assert client.get(url(*view)).status_code == 302
    user = django_user_model.objects.create_user(username="partner", password="partner-password-1")
    client.force_login(user)
    response = client.get(url(*view))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_who_held_which_role_in_the_commission_and_which_passage_says_so(staff_client, linked_corpus):
    page = staff_client.get(url("research_organisation", COI)).content.decode()
    assert "Michael Kirby" in page and "Chair" in page
    assert "chaired by Australian judge Michael Kirby" in page
    # Darusman's membership is a draft: shown, and badged as one.
    assert "Marzuki Darusman" in page and "badge-draft" in page
    citation = MembershipCitation.objects.filter(subject__slug="michael-kirby-chair-un-commission-of-inquiry-dprk")[0]
    assert f"{url('research_text', citation.source.slug)}#c-membership-{citation.pk}" in page


def test_person_dossier_shows_each_mention_in_its_passage(staff_client, linked_corpus):
    darusman = Person.objects.get(slug="marzuki-darusman")
    mentions = Mention.objects.filter(actor=darusman)
    page = staff_client.get(url("research_person", darusman.slug)).content.decode()
    sources = mentions.values("report").distinct().count()
    assert f"Mentioned in {mentions.count()} passage" in page and f"of {sources} source" in page
    for mention in mentions[:3]:
        assert f'<mark class="passage">{mention.text}</mark>' in page
        assert f"#m-{mention.pk}" in page


def test_mentioned_in_dates_each_report_at_its_precision(staff_client, linked_corpus):
    # The summit article is dated "2018-06": a month, never "1 June 2018".
    page = staff_client.get(url("research_person", "michael-kirby")).content.decode()
    article = Report.objects.get(slug=SUMMIT_ARTICLE)
    assert str(article.published) == "2018-06"
    item = page[page.index(f'{url("research_report", SUMMIT_ARTICLE)}" class="report-title"') :]
    assert item[: item.index("</span>")].rstrip().endswith("June 2018 · 1 passage")
    assert "1 June 2018" not in page


def test_a_claim_lists_ten_other_citations_and_says_where_the_rest_are(staff_client):
    from hrkb.research.dossiers import OTHERS_SHOWN

    membership = factories.membership(factories.person("Jane Roe"), factories.organisation("The Inquiry"), role="Chair")
    for number in range(OTHERS_SHOWN + 3):
        source = factories.report(f"Source {number}", text=f"Jane Roe chaired the inquiry ({number}).")
        MembershipCitation.objects.create(subject=membership, source=source, passage="Jane Roe chaired the inquiry")
    page = staff_client.get(url("research_person", membership.person.slug)).content.decode()
    assert page.count('class="cited ') == OTHERS_SHOWN + 1
    assert f"+{OTHERS_SHOWN + 2} other claims" in page
    assert f'and 2 more, all listed on <a href="/admin/actors/membership/{membership.pk}/change/">' in page


def test_dossier_shows_competing_claims_side_by_side(staff_client, linked_corpus):
    page = staff_client.get(url("research_report", COI_REPORT)).content.decode()
    assert "22 February 2014" in page
    assert "competing values" in page
    assert "rank-preferred" in page


def test_dossier_answers_old_slugs_and_the_other_actor_kind_with_a_redirect(staff_client, linked_corpus):
    kirby = Person.objects.get(slug="michael-kirby")
    kirby.slug = "justice-michael-kirby"
    kirby.save()
    assert SlugRedirect.objects.resolve(Person, "michael-kirby") == "justice-michael-kirby"
    response = staff_client.get(url("research_person", "michael-kirby"))
    assert response.status_code == 302 and response["Location"] == url("research_person", "justice-michael-kirby")
    response = staff_client.get(url("research_person", COI))
    assert response["Location"] == url("research_organisation", COI)
    assert staff_client.get(url("research_person", "nobody-at-all")).status_code == 404


def _busy_person(size: int) -> Person:
    """A person with ``size`` of everything a dossier lists: roles, events, reports, quotes, mentions."""
    person = factories.person(f"Busy Person {size}", aliases=["Busy"])
    for number in range(size):
        organisation = factories.organisation(f"Organisation {size}-{number}")
        text = f"Busy Person {size} chaired it in 2001. Busy Person {size} spoke."
        report = factories.report(f"Report {size}-{number}", authors=[person], text=text, published="2001")
        membership = factories.membership(person, organisation, role="Chair", start="2001")
        MembershipCitation.objects.create(subject=membership, source=report, passage="chaired it in 2001")
        factories.event(f"Event {size}-{number}", participants=[person], start="2001-05")
        factories.quote(person, text=f"Words {number}", source=report)
        factories.mention(report, f"Busy Person {size}", actor=person)
    return person


@pytest.mark.parametrize("name", ["research_person", "research_timeline", "research_network"])
def test_dossier_timeline_and_network_queries_do_not_grow_with_the_record(curator_client, name):
    counts = []
    for size in (2, 6):
        person = _busy_person(size)
        target = url(name, person.slug) if name == "research_person" else url(name)
        query = (
            ""
            if name == "research_person"
            else f"?{'actor' if name == 'research_timeline' else 'around'}={person.slug}"
        )
        with CaptureQueriesContext(connection) as queries:
            response = curator_client.get(target + query)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_report_and_event_dossier_queries_do_not_grow(curator_client):
    counts = []
    for size in (2, 6):
        report = factories.report(f"Big report {size}", text="Kirby met Rogers. " * size, published="2014")
        event = factories.event(f"Big event {size}", related_reports=[report])
        for number in range(size):
            person = factories.person(f"Person {size}-{number}")
            Mention.objects.create(report=report, start=18 * number, end=18 * number + 5, text="Kirby", actor=person)
            ReportCitation.objects.create(subject=report, source=report, passage="Kirby met Rogers.", start=18 * number)
            event.participants.create(actor=person)
        with CaptureQueriesContext(connection) as report_queries:
            assert curator_client.get(url("research_report", report.slug)).status_code == 200
        with CaptureQueriesContext(connection) as event_queries:
            assert curator_client.get(url("research_event", event.slug)).status_code == 200
        counts.append((len(report_queries), len(event_queries)))
    assert counts[0] == counts[1]


def test_change_pages_link_to_the_dossier_and_the_text(curator_client, linked_corpus):
    report = Report.objects.get(slug=SUMMIT_ARTICLE)
    page = curator_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert url("research_report", report.slug) in page
    assert url("research_text", report.slug) in page
    membership = Membership.objects.get(slug="michael-kirby-chair-un-commission-of-inquiry-dprk")
    page = curator_client.get(f"/admin/actors/membership/{membership.pk}/change/").content.decode()
    assert f"{url('research_person', 'michael-kirby')}#membership-{membership.pk}" in page


# --- Home -------------------------------------------------------------------------------------------------------------


def test_home_lists_curated_records_not_join_tables(curator_client, linked_corpus):
    response = curator_client.get(url("index"))
    page = response.content.decode()
    for hidden in ["alias", "authorship", "participant", "mention", "membershipcitation", "reportcitation"]:
        assert f"/{hidden}/" not in page.replace('/admin/sources/mention/">Mentions', ""), hidden
    for shown in [
        "/admin/actors/person/",
        "/admin/reports/report/",
        "/admin/events/event/",
        "/admin/actors/membership/",
    ]:
        assert shown in page
    assert "Claims needing review" in page and "Contested facts" in page
    assert "Recent changes" in page


def test_home_shows_recent_changes_with_the_fields_changed(curator_client, curator, linked_corpus):
    kirby = Person.objects.get(slug="michael-kirby")
    kirby.description = "Australian judge."
    kirby.save()
    kirby.description = "Australian judge who chaired the COI."
    kirby.save()
    page = curator_client.get(url("index")).content.decode()
    assert "Michael Kirby" in page and "description" in page


def test_restricted_column_marks_only_restricted_records(curator_client, linked_corpus):
    Person.objects.filter(slug="kim-yong-hwa").update(restricted=True, status=Status.DRAFT)
    page = curator_client.get("/admin/actors/person/").content.decode()
    assert "icon-no" not in page and "icon-yes" not in page
    assert page.count('class="badge badge-restricted"') == 1
    assert 'class="badge badge-draft"' in page


def test_related_records_are_labelled_by_name(curator_client, linked_corpus):
    report = Report.objects.get(slug=COI_REPORT)
    page = curator_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert "Event_related_reports object" not in page
    event = Event.objects.get(slug=COI_REPORT_EVENT)
    assert f"{event.title} — {report.title}" in page


# --- Search -----------------------------------------------------------------------------------------------------------


def test_search_finds_kim_il_sung_in_hangul_and_by_the_captions_spelling(staff_client, linked_corpus):
    kim = url("research_person", "kim-il-sung")
    for query in ["김일성", "Kim II Sung"]:
        response = staff_client.get(url("research_search"), {"q": query})
        page = response.content.decode()
        people = next(group for group in response.context["results"].groups if group.type == "person")
        assert people.hits[0].record.slug == "kim-il-sung", query
        assert kim in page
    assert "matched alias" in staff_client.get(url("research_search"), {"q": "Kim II Sung"}).content.decode()


def test_search_marks_the_words_a_title_matched_and_cuts_a_long_quote_without_breaking_a_mark(staff_client, db):
    factories.report("Orchards of Hamhung", summary="A survey.")
    speaker = factories.person("Orchard Keeper")
    factories.quote(speaker, text="x" * 115 + " orchards were tended at night by the whole village.")
    page = staff_client.get(url("research_search"), {"q": "orchards"}).content.decode()
    assert 'class="hit-title"><mark>Orchards</mark> of Hamhung</a>' in page
    assert "Orchard Keeper: “" + "x" * 115 + " <mark>orch</mark>…”" in page


def test_search_groups_by_type_with_snippets_and_facets(staff_client, linked_corpus):
    response = staff_client.get(url("research_search"), {"q": "Commission of Inquiry"})
    groups = {group.type: group for group in response.context["results"].groups}
    assert groups["report"].count >= 1 and groups["organisation"].count >= 1
    assert "<mark>" in response.content.decode()
    response = staff_client.get(url("research_search"), {"q": "Commission of Inquiry", "type": "report"})
    facets = {facet.name: facet for facet in response.context["results"].facets}
    assert {"kind", "year"} <= set(facets)
    kind = facets["kind"].options[0]
    narrowed = staff_client.get(kind.url)
    assert narrowed.context["results"].groups[2].count == kind.count


def test_search_shows_drafts_to_researchers_with_their_badge(staff_client, linked_corpus):
    Person.objects.filter(slug="kim-il-sung").update(status=Status.DRAFT)
    page = staff_client.get(url("research_search"), {"q": "김일성"}).content.decode()
    assert url("research_person", "kim-il-sung") in page and "badge-draft" in page


def test_search_box_is_on_every_admin_page(curator_client, linked_corpus):
    for page in ["/admin/", "/admin/actors/person/", url("research_timeline")]:
        assert f'action="{url("research_search")}"' in curator_client.get(page).content.decode()


# --- Timeline ---------------------------------------------------------------------------------------------------------


def test_what_happened_in_2018_in_date_order(staff_client, linked_corpus):
    response = staff_client.get(url("research_timeline"), {"from": "2018", "to": "2018"})
    items = response.context["timeline"].items
    assert items and all(item.start.year == 2018 for item in items)
    keys = [item.sort_key() for item in items]
    assert keys == sorted(keys)
    page = response.content.decode()
    assert "12 June 2018" in page and "June 2018" in page


def test_timeline_draws_dates_at_their_precision_and_lists_undated_apart(staff_client, linked_corpus):
    response = staff_client.get(url("research_timeline"), {"type": "event", "mode": "chart"})
    chart = str(response.context["chart"])
    assert 'class="mark year"' in chart and 'class="mark month"' in chart and 'class="mark day"' in chart
    assert response.context["timeline"].undated >= 1
    listed = staff_client.get(url("research_timeline"), {"type": "event"}).content.decode()
    assert "Undated" in listed and "World Refugee Day" in listed


def test_timeline_filters_by_actor_and_shows_other_claimed_dates(staff_client, linked_corpus):
    response = staff_client.get(url("research_timeline"), {"actor": "michael-kirby", "type": "event"})
    titles = [item.title for item in response.context["timeline"].items]
    assert titles and all("Commission" in title or "Kirby" in title or "Singapore" in title for title in titles)
    response = staff_client.get(url("research_timeline"), {"event": COI_REPORT_EVENT})
    [event] = [item for item in response.context["timeline"].items if item.type == "event"]
    # The UN's 17 February is stored; article 5's 22 February is deprecated, so not drawn as a ghost.
    assert {str(date) for date in event.others} == {"2014"}
    bad = staff_client.get(url("research_timeline"), {"from": "2018-13"})
    assert bad.status_code == 200 and "from" in bad.context["filters"].errors


@pytest.mark.parametrize("scope", ["actor", "organisation"])
def test_timeline_pages_are_the_same_read_either_way(linked_corpus, monkeypatch, scope):
    # Thousands of reports are found by walking them in date order, a few by reading each: same page.
    from hrkb.research import timeline

    filters = timeline.filters_from({scope: "michael-kirby" if scope == "actor" else COI})
    monkeypatch.setattr(timeline, "WALK_ABOVE", 10**9)
    read = timeline.timeline(filters)
    monkeypatch.setattr(timeline, "WALK_ABOVE", 0)
    walked = timeline.timeline(filters)
    assert read.items and [i.sort_key() for i in walked.items] == [i.sort_key() for i in read.items]
    assert (walked.total, walked.years) == (read.total, read.years)


def test_precisions_sort_finest_first_by_their_names():
    # The timeline orders ties by the precision column itself (so an index serves it): day, month, year.
    from hrkb.research.timeline import PRECISION_ORDER

    assert sorted(PRECISION_ORDER) == sorted(PRECISION_ORDER, key=PRECISION_ORDER.get)


def test_claimed_dates_are_read_only_when_the_value_is_a_date():
    from hrkb.research.timeline import claimed_date

    assert str(claimed_date("22 February 2014")) == "2014-02-22"
    assert str(claimed_date("February 2014")) == "2014-02"
    assert str(claimed_date("2014")) == "2014"
    assert claimed_date("over two years before this 2016 article") is None


# --- Network ----------------------------------------------------------------------------------------------------------


def test_network_around_kirby_links_his_role_to_its_sources(staff_client, linked_corpus):
    response = staff_client.get(url("research_network"), {"around": "michael-kirby"})
    graph = response.context["graph"]
    coi = Organisation.objects.get(slug=COI)
    [edge] = [e for e in graph.edges if e.target == f"a{coi.pk}" and e.relation == "member"]
    membership = Membership.objects.get(slug="michael-kirby-chair-un-commission-of-inquiry-dprk")
    assert edge.label == "Chair" and edge.citations == membership.citations.count()
    assert edge.url.endswith(f"#membership-{membership.pk}")
    assert "<svg" in str(response.context["svg"])


def test_network_labels_every_link_and_frames_every_name(staff_client, linked_corpus):
    import html
    import re

    from hrkb.research import network

    coi = Organisation.objects.get(slug=COI)
    response = staff_client.get(url("research_network"), {"around": "michael-kirby"})
    graph, svg = response.context["graph"], str(response.context["svg"])
    links = [edge for edge in graph.edges if edge.relation != "more"]
    labels = [html.unescape(text) for text in re.findall(r'class="edge-label"[^>]*>([^<]+)<', svg)]
    assert len(labels) == len(links) and "Chair" in labels
    # A long name is drawn shortened, whole in its tooltip, and inside the drawing's frame.
    assert f"<title>{html.escape(coi.name)}</title>" in svg
    left, _top, width, _height = (float(n) for n in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    names = re.findall(r'<text x="([-\d.]+)" y="[-\d.]+" text-anchor="(start|end)">([^<]+)<', svg)
    assert names
    for x, anchor, text in names:
        drawn = network._width(html.unescape(text), network.NODE_FONT[1])
        first = float(x) - drawn if anchor == "end" else float(x)
        assert left <= first and first + drawn <= left + width, text


def test_network_caps_a_hub_with_an_and_more_node(curator_client):
    from hrkb.research import network

    hub = factories.organisation("Hub")
    for number in range(network.CAP + 5):
        factories.membership(factories.person(f"Member {number}"), hub, role="Member")
    graph = network.ego(hub)
    assert sum(1 for node in graph.nodes.values() if node.type == "person") == network.CAP
    assert any(node.label == "and 5 more" for node in graph.nodes.values())


def test_network_as_of_a_date_leaves_out_later_roles(staff_client, linked_corpus):
    response = staff_client.get(url("research_network"), {"around": "michael-kirby", "as_of": "2010"})
    assert not [e for e in response.context["graph"].edges if e.relation == "member"]


def test_comentions_lead_to_the_passages(staff_client, linked_corpus):
    response = staff_client.get(url("research_network"), {"around": "michael-kirby", "comentions": "1"})
    comention = next(e for e in response.context["graph"].edges if e.relation == "co-mention")
    page = staff_client.get(comention.url)
    assert page.status_code == 200 and "<mark" in page.content.decode()


# --- Claims review ----------------------------------------------------------------------------------------------------


def test_claims_review_puts_the_coi_reports_dates_side_by_side(staff_client, linked_corpus):
    response = staff_client.get(url("research_claims"), {"kind": "report"})
    rows = response.context["rows"]
    [coi] = [row for row in rows if row.fact.slug == COI_REPORT]
    [published] = [group for group in coi.groups if group.claim == "published"]
    assert published.competing and published.best.citation.value == "17 February 2014"
    assert {c.citation.value for c in published.cited} == {"17 February 2014", "22 February 2014", "2014"}
    low = staff_client.get(url("research_claims"), {"queue": "low"})
    assert low.context["rows"] and all(
        any(c.citation.confidence == "low" for g in row.groups for c in g.cited) for row in low.context["rows"]
    )
    unsourced = staff_client.get(url("research_claims"), {"queue": "unsourced"})
    assert unsourced.status_code == 200


def test_ranking_a_claim_needs_a_reason_and_is_kept_in_history(curator_client, curator, linked_corpus):
    citation = ReportCitation.objects.filter(subject__slug=COI_REPORT, claim="published", value="2014")[0]
    target = url("research_rank")
    curator_client.post(target, {"rank": "deprecated", "citation": f"report:{citation.pk}", "reason": ""})
    citation.refresh_from_db()
    assert citation.rank == Rank.NORMAL
    curator_client.post(target, {"rank": "deprecated", "citation": f"report:{citation.pk}", "reason": "Year only."})
    citation.refresh_from_db()
    assert (citation.rank, citation.rank_reason) == (Rank.DEPRECATED, "Year only.")
    assert citation.history.latest("history_date").history_user == curator


def test_staff_without_permission_cannot_rank(staff_client, linked_corpus):
    citation = ReportCitation.objects.filter(subject__slug=COI_REPORT)[0]
    response = staff_client.post(
        url("research_rank"), {"rank": "preferred", "citation": f"report:{citation.pk}", "reason": "x"}
    )
    assert response.status_code == 403
