"""The admin lists at scale: searches one subquery per field (indexed on PostgreSQL), counts kept cheap."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import Report
from sources.models import MembershipCitation, Mention
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def citations(db):
    report = factories.report("Famine in the north", text="The famine of 1996 killed many. Kirby chaired the inquiry.")
    membership = factories.membership(
        factories.person("Michael Kirby"), factories.organisation("Inquiry"), role="Chair"
    )
    first = MembershipCitation.objects.create(subject=membership, source=report, passage="Kirby chaired the inquiry")
    second = MembershipCitation.objects.create(subject=membership, source=report, passage="The famine of 1996")
    return first, second


def _found(client, term):
    response = client.get("/admin/sources/membershipcitation/", {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_search_fields_match_each_word_in_any_field_once(curator_client, citations):
    first, second = citations
    assert set(_found(curator_client, "chaired")) == {first}
    # "famine" is in one passage and in the source's title: both citations, each once.
    assert sorted(c.pk for c in _found(curator_client, "famine")) == sorted([first.pk, second.pk])
    assert _found(curator_client, "famine 1996") == [second]
    assert _found(curator_client, '"chaired the inquiry"') == [first]
    assert _found(curator_client, "famine nowhere") == []


@pytest.fixture
def related_words(db):
    """Records found through to-many relations: words split across authors, aliases and publishers."""
    park = factories.person("Park Ji-hyun", aliases=["Ji-hyun Park", "Park Ji Hyun"])
    lee = factories.person("Lee Hyeon-seo", aliases=["Min Young"])
    both = factories.report("Testimony", authors=[park, lee], publishers=[factories.organisation("Citizens' Alliance")])
    one = factories.report("Camps", authors=[park], publishers=[factories.organisation("Daily NK")])
    none = factories.report("Other", authors=[factories.person("Someone Else")])
    event = factories.event("Hearing", participants=[park, lee])
    return both, one, none, event


@pytest.mark.parametrize(
    "term",
    [
        "park",
        "park min",
        "ji-hyun young",
        "alliance park",
        "daily park",
        "park lee",
        "young nk",
        "testimony park lee",
        "nobody",
    ],
)
@pytest.mark.parametrize("model_name", ["reports.report", "events.event", "actors.person"])
def test_search_fields_through_to_many_relations_find_what_djangos_search_finds(
    rf, curator, related_words, model_name, term
):
    """Each word may be in a different related row (another author, an author's alias, a publisher), each row
    found once. The reference is Django's lookups for each word in a filter of its own (a join each): Django 5.2's
    own search asks all words in one filter, so both must be in the same related row ("park lee": one author
    named both), which is not what a researcher typing two authors' names means."""
    _assert_finds_what_djangos_lookups_find(rf, curator, model_name, term)


@pytest.fixture
def named_in_mentions(db):
    """Mentions found through their foreign keys: the report's title, the actor's or event's name."""
    kim, kirby = factories.person("Kim Il-sung"), factories.person("Michael Kirby")
    hearing = factories.event("Hearing in Geneva")
    famine = factories.report("Famine report", text="Kim Il-sung spoke. Michael Kirby asked. The hearing.")
    other = factories.report("Other report", text="Kim Il-sung alone, at the hearing.")
    factories.mention(famine, "Kim Il-sung", actor=kim)
    factories.mention(famine, "Michael Kirby", actor=kirby)
    factories.mention(famine, "The hearing", event=hearing)
    factories.mention(other, "Kim Il-sung", actor=kim)
    factories.mention(other, "hearing", event=hearing)


@pytest.mark.parametrize("term", ["famine", "famine kim", "kim report", "geneva other", "kirby kim", "nobody"])
@pytest.mark.parametrize("keys_at_most", [None, 0], ids=["keys read first", "past the cap: subqueries"])
def test_search_fields_through_foreign_keys_find_what_djangos_search_finds(
    rf, curator, monkeypatch, named_in_mentions, term, keys_at_most
):
    """A word through a foreign key is the related rows' keys, read first on PostgreSQL (and past
    RELATED_KEYS_AT_MOST of them, a subquery, as on SQLite): either way the rows Django's lookups find."""
    from hrkb import admin as hrkb_admin

    if keys_at_most is not None:
        monkeypatch.setattr(hrkb_admin, "RELATED_KEYS_AT_MOST", keys_at_most)
    _assert_finds_what_djangos_lookups_find(rf, curator, "sources.mention", term)


def _assert_finds_what_djangos_lookups_find(rf, curator, model_name, term):
    from functools import reduce
    from operator import or_

    from django.apps import apps
    from django.contrib import admin
    from django.db.models import Q
    from django.utils.text import smart_split

    from hrkb.admin import SubquerySearchMixin

    model_admin = admin.site._registry[apps.get_model(model_name)]
    request = rf.get("/", {"q": term})
    request.user = curator
    queryset = model_admin.get_queryset(request)
    reference = queryset
    for word in smart_split(term):
        fields = model_admin.get_search_fields(request)
        reference = reference.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)))
    expected = set(reference.distinct().values_list("pk", flat=True))
    ours, _duplicates = SubquerySearchMixin.get_search_results(model_admin, request, queryset, term)
    found = list(ours.values_list("pk", flat=True))
    assert sorted(found) == sorted(expected), term
    assert len(found) == len(set(found)), "each row once"


@pytest.fixture
def named_in_reports(db):
    """Reports holding a word each in another of their own columns, or through their authors."""
    kirby = factories.person("Michael Kirby", aliases=["Justice Kirby"])
    factories.report("Famine in the north", text="-")
    factories.report("Report two", text="-", subtitle="On the north", aliases="Northern report")
    factories.report("Report three", text="-", un_symbol="A/HRC/NORTH/1", authors=[kirby])
    factories.report("Kirby's last report", text="-")


@pytest.mark.parametrize("term", ["north", "north kirby", "report north", "justice", "nobody"])
def test_a_reports_own_columns_are_read_as_one_condition(rf, curator, named_in_reports, term):
    """A word's matches in the table's own columns are one condition (at 100,000 reports PostgreSQL reads
    it as one bitmap of their trigram indexes, each page of the table once), each related field's a read of
    its own: together what Django's lookups find."""
    from django.contrib import admin

    from hrkb.admin import _matching

    _assert_finds_what_djangos_lookups_find(rf, curator, "reports.report", term)
    fields = admin.site._registry[Report].search_fields
    own = [field for field in fields if "__" not in field]
    own_columns, *related = _matching(Report, fields, "north", {})
    assert len(related) == len(fields) - len(own)
    where = str(own_columns.query).partition(" WHERE ")[2]
    assert all(f'"reports_report"."{field}"' in where for field in own), where


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_search_fields_have_trigram_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert "sources_membershipcitation_passage_trgm" in names
    assert "sources_mention_text_trgm" in names


# --- Sidebar filters and the date hierarchy, read from indexes --------------------------------------------------------


def _filter(response, title):
    [spec] = [spec for spec in response.context["cl"].filter_specs if str(spec.title) == title]
    return spec


def test_distinct_values_and_periods_are_what_distinct_gives():
    from actors.models import Membership
    from hrkb.scale import distinct_periods, distinct_values
    from reports.models import Report

    for number, (language, published) in enumerate([("en", "2014-02"), ("ko", "2014"), ("en", "2016-04-15")]):
        factories.report(f"Report {number}", language=language, published=published)
    factories.report("Undated", language="fr")
    reports = Report.objects.all()
    assert distinct_values(reports, "language") == ["en", "fr", "ko"]
    assert distinct_values(reports, "language", limit=2) == ["en", "fr"]
    assert distinct_values(reports.filter(language__gt="en"), "language") == ["fr", "ko"]
    for kind in ("year", "month", "day"):
        assert distinct_periods(reports, "published", kind) == list(reports.dates("published", kind))
    assert distinct_periods(reports.filter(language="en"), "published", "month") == list(
        reports.filter(language="en").dates("published", "month")
    )
    # A column no index orders is read with DISTINCT (skipping through it would read the table per value).
    factories.membership(role="Chair", note="n")
    assert distinct_values(Membership.objects.all(), "note") == ["n"]


def test_a_values_filter_lists_each_value_once(curator_client):
    for number, language in enumerate(["en", "ko", "en"]):
        factories.report(f"Report {number}", language=language)
    response = curator_client.get("/admin/reports/report/")
    spec = _filter(response, "language")
    assert list(spec.lookup_choices) == ["en", "ko"]
    assert curator_client.get("/admin/reports/report/", {"language": "ko"}).context["cl"].result_count == 1


def test_a_related_filter_lists_the_first_names_then_a_box_for_any_other(curator_client, monkeypatch):
    from hrkb.admin_lists import NamedRelatedFilter
    from reports.models import Report

    monkeypatch.setattr(NamedRelatedFilter, "shown", 3)
    publishers = [factories.organisation(f"Publisher {letter}") for letter in "ABCDE"]
    for publisher in publishers:
        factories.report(f"By {publisher.name}", publishers=[publisher])
    factories.organisation("Publisher Z, who published nothing")
    response = curator_client.get("/admin/reports/report/")
    spec = _filter(response, "publishers")
    assert [name for _pk, name in spec.lookup_choices] == ["Publisher A", "Publisher B", "Publisher C"]
    page = response.content.decode()
    assert "The first 3 by name are listed" in page and 'name="publishers_name"' in page
    # Part of a name filters the list; an organisation chosen beyond the first three stays listed.
    response = curator_client.get("/admin/reports/report/", {"publishers_name": "ublisher E"})
    assert [r.title for r in response.context["cl"].result_list] == ["By Publisher E"]
    chosen = publishers[4]
    response = curator_client.get("/admin/reports/report/", {"publishers__id__exact": chosen.pk})
    assert (chosen.pk, "Publisher E") in _filter(response, "publishers").lookup_choices
    assert list(response.context["cl"].result_list) == [Report.objects.get(title="By Publisher E")]
    # Two publishers of one name are told apart by their slugs.
    twin = factories.organisation("Publisher A", slug="publisher-a-geneva")
    factories.report("By the other A", publishers=[twin])
    labels = [name for _pk, name in _filter(curator_client.get("/admin/reports/report/"), "publishers").lookup_choices]
    first_a = publishers[0]
    assert sorted(labels[:2]) == [f"Publisher A ({first_a.slug})", "Publisher A (publisher-a-geneva)"]
    assert labels[2] == "Publisher B"
    # Through a relation of a relation (a person's roles) the same.
    membership = factories.membership(factories.person("Jane Roe"), publishers[1], role="Chair")
    response = curator_client.get("/admin/actors/person/", {"memberships__organisation_name": "Publisher B"})
    assert list(response.context["cl"].result_list) == [membership.person]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel workers are PostgreSQL's")
def test_a_related_filter_walks_its_names_in_one_process(curator_client):
    """The walk along the names stops after a few records: parallel workers would cost more to start than it
    (the reports' publishers at 100,000 reports: 10.7 ms with two, 0.5 without)."""
    factories.report("By one", publishers=[factories.organisation("Publisher A")])
    with CaptureQueriesContext(connection) as queries:
        curator_client.get("/admin/reports/report/")
    run = [query["sql"] for query in queries]
    walk = next(
        index for index, sql in enumerate(run) if sql.startswith('SELECT "actors_actor"."id"') and "EXISTS" in sql
    )
    assert run[walk - 1] == "SET max_parallel_workers_per_gather = '0'"
    assert run[walk + 1] == "RESET max_parallel_workers_per_gather"


def test_a_related_filters_box_is_the_only_lookup_it_lets_through_a_reverse_relation(curator_client):
    """Django refuses a lookup through a reverse relation that no list_filter names (5.2.20 on); a person's
    "memberships__organisation" filter lets its own name box through, and nothing else along that path. With
    one organisation to choose, Django would leave the filter out, and the name typed with it."""
    membership = factories.membership(factories.person("Jane Roe"), factories.organisation("Open Archive"))
    factories.person("John Doe")
    response = curator_client.get("/admin/actors/person/", {"memberships__organisation_name": "archive"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [membership.person]
    for refused in ["memberships__role", "memberships__organisation__slug", "memberships__organisation_slug"]:
        assert curator_client.get("/admin/actors/person/", {refused: "x"}).status_code == 400, refused


def test_the_date_hierarchy_lists_the_years_with_records(curator_client):
    for number, published in enumerate(["2014-02", "2014", "2016-04-15", "2018-06"]):
        factories.report(f"Report {number}", published=published)
    page = curator_client.get("/admin/reports/report/").content.decode()
    assert all(f"?published__year={year}" in page for year in (2014, 2016, 2018))
    assert "?published__year=2015" not in page and "?published__year=2017" not in page
    page = curator_client.get("/admin/reports/report/", {"published__year": 2014}).content.decode()
    assert "published__month=2" in page and "published__month=1" in page


@pytest.mark.parametrize(
    ("dates", "saved"),
    [
        (["2014-02", "2014", "2016-04-15", "2018-06"], 1),
        (["2014-02", "2014-07-01"], 1),
        (["2014-02-03", "2014-02-20"], 0),  # one month's days are a second query for both
        ([], 1),
    ],
    ids=["years", "months", "days", "none"],
)
def test_a_filtered_date_hierarchy_is_djangos_from_one_scan_of_months(curator_client, monkeypatch, dates, saved):
    """Filtered or searched to a few rows of the table, the hierarchy (years, or one year's months, or one
    month's days) is what Django's own shows, without its separate first-and-last query over every match
    (the planner, asked whether the matches are most of the table, reads no row)."""
    from django.contrib.admin.templatetags.admin_list import date_hierarchy
    from django.test.utils import CaptureQueriesContext

    from hrkb.templatetags import admin_lists
    from hrkb.templatetags.admin_lists import indexed_date_hierarchy

    # Whether "language=en" is most of this table is the planner's call, from statistics an earlier test's
    # ANALYZE may have left (ANALYZE outlives a rolled-back transaction): this is the path for a few rows.
    monkeypatch.setattr(admin_lists, "is_dense", lambda queryset: False)

    for number, published in enumerate(dates):
        factories.report(f"Dated {number}", published=published, language="en")
    factories.report("Other language", published="1999", language="fr")
    cl = curator_client.get("/admin/reports/report/", {"language": "en"}).context["cl"]
    with CaptureQueriesContext(connection) as djangos_queries:
        expected = date_hierarchy(cl)
    with CaptureQueriesContext(connection) as our_queries:
        assert indexed_date_hierarchy(cl) == expected
    planner = ("EXPLAIN", "SELECT reltuples")
    reads = [query for query in our_queries if not query["sql"].startswith(planner)]
    assert len(reads) == len(djangos_queries) - saved


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
@pytest.mark.parametrize(("language", "probed"), [("en", True), ("fr", False)], ids=["most rows", "few rows"])
def test_a_filtered_date_hierarchy_probes_the_index_when_the_planner_expects_most_rows(
    curator_client, language, probed
):
    """Filtered to most of the table (a search for words most reports hold), each period is one probe through
    the date's index, which stops at the first rows it reads; filtered to a few, DISTINCT over them."""
    from django.contrib.admin.templatetags.admin_list import date_hierarchy
    from django.test.utils import CaptureQueriesContext

    from hrkb.templatetags.admin_lists import indexed_date_hierarchy

    for number in range(60):
        factories.report(f"English {number}", published=f"{2000 + number % 12}-0{1 + number % 9}", language="en")
    factories.report("French", published="1999-05", language="fr")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")
    cl = curator_client.get("/admin/reports/report/", {"language": language}).context["cl"]
    expected = date_hierarchy(cl)
    with CaptureQueriesContext(connection) as queries:
        assert indexed_date_hierarchy(cl) == expected
    sql = [query["sql"] for query in queries]
    assert any(statement.startswith("WITH RECURSIVE") for statement in sql) is probed
    assert any("SELECT DISTINCT DATE_TRUNC" in statement for statement in sql) is not probed


def test_an_estimated_count_prints_as_one():
    from hrkb.scale import Estimate

    assert str(Estimate(1971276)) == "≈ 1971276" and Estimate(1971276) // 50 == 39425


@pytest.mark.parametrize("large", [False, True], ids=["small table", "large table"])
def test_a_filtered_lists_total_of_a_large_table_is_the_planners_estimate(curator_client, monkeypatch, large):
    """Beside a filtered list's own count, Django counts the whole table for "(… total)" on every page: a large
    table's total is the planner's estimate (hrkb.scale.whole_count), shown as one, and no COUNT(*) of it runs."""
    import hrkb.scale
    from hrkb.scale import Estimate

    for number in range(4):
        factories.report(f"Counted {number}", language="en" if number else "fr")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_report")
    elif large:
        pytest.skip("the planner's estimate is PostgreSQL's: SQLite counts every table")
    monkeypatch.setattr(hrkb.scale, "EXACT_BELOW", 1 if large else 10**9)
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/reports/report/", {"language": "en"})
    total = response.context["cl"].full_result_count
    whole_counts = [
        query["sql"]
        for query in queries
        if re.match(r'SELECT COUNT\(\*\) AS "__count" FROM "reports_report"$', query["sql"])
    ]
    assert response.context["cl"].result_count == 3
    if large:
        assert isinstance(total, Estimate) and not whole_counts
        assert f"{total} total" in response.content.decode() and str(total).startswith("≈ ")
    else:
        assert total == Report.objects.count() and not isinstance(total, Estimate) and len(whole_counts) == 1


def test_a_filtered_list_counts_up_to_a_cap_and_says_more(curator_client, monkeypatch):
    """Past the cap the list says "3+" (hrkb.scale.AtLeast) and still pages through what it can reach."""
    from hrkb.admin import EstimatedCountPaginator
    from hrkb.scale import AtLeast

    for number in range(5):
        factories.report(f"Capped {number}", language="en")
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 3)
    response = curator_client.get("/admin/reports/report/", {"language": "en"})
    count = response.context["cl"].result_count
    assert isinstance(count, AtLeast) and count == 3 and str(count) == "3+"
    assert "3+ reports" in response.content.decode()
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 10)
    assert curator_client.get("/admin/reports/report/", {"language": "en"}).context["cl"].result_count == 5


@pytest.mark.parametrize("form", ["_holds", "_contains_any"], ids=["a test of each row", "index conditions"])
def test_a_words_test_asks_related_records_keys_before_the_rows_own_columns(db, form):
    """Under an OR a database tests a row's conditions in the order written and stops at the first that holds:
    a word's test asks its related records' keys (a hashed lookup) before reading the row's own column with
    ``LIKE '%word%'``, which most rows would reach if it came first."""
    from django.contrib import admin

    import hrkb.admin

    search_fields = admin.site._registry[Mention].search_fields
    assert search_fields[0] == "text"  # the own column is listed first, and is tested last
    test = getattr(hrkb.admin, form)(Mention, search_fields, "famine", {})
    where = str(Mention._base_manager.filter(test).query).partition(" WHERE ")[2]
    assert where.index('"sources_mention"."report_id"') < where.upper().index("%FAMINE%"), where


@pytest.mark.parametrize(
    "term", ["Kirby", "commission inquiry", "Kim", '"human rights"', "korea famine", "commission of inquiry", "zzz"]
)
@pytest.mark.parametrize("dense", [False, True], ids=["from its matches", "tested row by row"])
def test_subquery_search_finds_what_djangos_search_finds(corpus, rf, curator, monkeypatch, term, dense):
    """Every list searched one subquery per field (through foreign keys, aliases) finds Django's own matches,
    and so does a list whose search is dense enough to be walked in its order (the mentions)."""
    from django.contrib import admin

    import hrkb.admin
    from hrkb.admin import EstimatedCountPaginator, SubquerySearchMixin
    from hrkb.admin_lists import list_reading

    if dense:
        monkeypatch.setattr(hrkb.admin, "_planned", lambda queryset: 10**6)
        monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 0)

    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, SubquerySearchMixin):
            continue
        request = rf.get("/", {"q": term})
        request.user = curator
        # In its own order, as its change list (hrkb.admin.KeyedChangeList) tells the search before it runs.
        list_reading(request).ordering = list(model_admin.get_ordering(request) or model._meta.ordering)
        queryset = model._base_manager.all()
        ours, _ = SubquerySearchMixin.get_search_results(model_admin, request, queryset, term)
        djangos, _ = admin.ModelAdmin.get_search_results(model_admin, request, queryset, term)
        found = list(ours.values_list("pk", flat=True))
        assert set(found) == set(djangos.values_list("pk", flat=True)), model
        assert len(found) == len(set(found)), f"{model}: a row listed twice"
        checked += 1
        walked = list_reading(request).walk is not None
        assert walked <= (dense and bool(found)), model  # the authorships and report citations walk too
        if model is Mention:
            assert walked is (dense and bool(found))
    assert checked >= 8


def test_a_searched_lists_pages_are_read_keys_first_and_are_djangos_pages(curator_client, monkeypatch):
    """hrkb.admin.EstimatedCountPaginator reads a searched page's keys in the list's order, then those rows
    with what they show: the same rows, in the same order, with their related records and passages."""
    from django.core.paginator import Paginator

    from sources.admin import MentionAdmin

    people = [factories.person(name) for name in ("Kim Il-sung", "Kang Sang-na", "Michael Kirby")]
    for number in range(5):
        text = " and ".join(person.name for person in people) + f" met in {2000 + number}."
        report = factories.report(f"Famine report {number}", text=text, published=f"{2000 + number % 3}-01-01")
        for person in people:
            factories.mention(report, person.name, actor=person)
    factories.mention(factories.report("Other report", text="Kim Il-sung alone."), "Kim Il-sung", actor=people[0])
    monkeypatch.setattr(MentionAdmin, "list_per_page", 4)
    pages = []
    for number in (1, 2, 3, 4):
        response = curator_client.get("/admin/sources/mention/", {"q": "famine", "p": number})
        assert response.status_code == 200
        changelist = response.context["cl"]
        expected = Paginator(changelist.queryset, 4).page(number).object_list
        assert [mention.pk for mention in changelist.result_list] == [mention.pk for mention in expected]
        pages += changelist.result_list
    assert len(pages) == 15 == len({mention.pk for mention in pages})
    assert all(mention.report.title.startswith("Famine") and mention.actor.name for mention in pages)
    assert pages[0].before is not None and "met in" in pages[0].after


def _reports_to_walk():
    """Mentions of Kim Il-sung in reports on famine: two newer, six tied in the list's order (one date, one
    title: their mentions interleave by position, the later reports' first), two older; none in another.
    By title the newer come last and the older between."""
    kim = factories.person("Kim Il-sung")
    dated = [("2005-02-01", 2, "Famine C"), ("2001-01-01", 6, "Famine A"), ("1999-01-01", 2, "Famine B")]
    for published, count, title in dated:
        for number in range(count):
            text = "." * (3 * (count - number)) + "Kim Il-sung said so. " + "." * (10 + number) + "Kim Il-sung again."
            report = factories.report(title, text=text, published=published, slug=f"famine-{published}-{number}")
            factories.mention(report, "Kim Il-sung", actor=kim)
            again = text.rindex("Kim Il-sung")
            Mention.objects.create(report=report, start=again, end=again + 11, text="Kim Il-sung", actor=kim)
    other = factories.report("Harvest", text="Kim Il-sung visited.", published="2003-01-01")
    factories.mention(other, "Kim Il-sung", actor=kim)


@pytest.mark.parametrize(
    ("first", "most"), [(1, 100), (5, 100), (1, 1)], ids=["one report first", "five reports first", "past the most"]
)
@pytest.mark.parametrize("page", [1, 2, 3])
@pytest.mark.parametrize("order", [{}, {"o": "3"}, {"o": "-3.4"}], ids=["own order", "by title", "by title down"])
def test_a_dense_search_is_read_report_by_report_in_the_lists_order(
    curator_client, monkeypatch, first, most, page, order
):
    """A search whose tests fill the list is read among the reports that come first in its order
    (hrkb.admin.EstimatedCountPaginator._walk), and more of them while a report left out could hold a row of
    the page: Django's own pages, reports tied in the list's order included, counted past the cap. The same
    sorted by the reports' title ("in report"), either way."""
    from django.core.paginator import Paginator

    import hrkb.admin
    from hrkb.admin import EstimatedCountPaginator
    from hrkb.scale import AtLeast
    from sources.admin import MentionAdmin

    _reports_to_walk()
    monkeypatch.setattr(hrkb.admin, "_planned", lambda queryset: 10**6)  # the planner would expect the union large
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 12)
    monkeypatch.setattr(EstimatedCountPaginator, "WALK_FIRST", first)
    monkeypatch.setattr(EstimatedCountPaginator, "WALK_MOST", most)  # past it, the list is sliced as Django slices
    monkeypatch.setattr(MentionAdmin, "list_per_page", 4)
    response = curator_client.get("/admin/sources/mention/", {"q": "kim famine", "p": page, **order})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.paginator.walk.by == "report" and changelist.result_count == AtLeast(12)
    expected = Paginator(changelist.queryset, 4).page(page).object_list
    assert [mention.pk for mention in changelist.result_list] == [mention.pk for mention in expected]
    assert all(mention.report.title.startswith("Famine") for mention in changelist.result_list)
    if page == 2 and not order:  # the six tied reports' mentions, their positions interleaved
        assert len({mention.report_id for mention in changelist.result_list}) > 2


@pytest.mark.parametrize("whole", [True, False], ids=["few matches: read whole", "many matches: walked on"])
@pytest.mark.parametrize("page", [1, 2, 3])
@pytest.mark.parametrize("order", [{}, {"o": "3"}, {"o": "-3.4"}], ids=["own order", "by title", "by title down"])
def test_a_walk_that_would_test_many_more_rows_than_match_reads_the_matches_whole(
    curator_client, monkeypatch, whole, page, order
):
    """Past its first read, a walk whose next read would test many more rows than the list's matches are (the
    mentions of "famine", gathered in the reports whose titles hold it, far along the titles' order) reads the
    page from all the matches instead (hrkb.admin.EstimatedCountPaginator._few_matches): Django's own pages
    either way."""
    from django.core.paginator import Paginator

    import hrkb.admin
    from hrkb.admin import EstimatedCountPaginator
    from sources.admin import MentionAdmin

    _reports_to_walk()
    monkeypatch.setattr(hrkb.admin, "_planned", lambda queryset: 10**6)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 12)
    monkeypatch.setattr(EstimatedCountPaginator, "WALK_FIRST", 1)
    monkeypatch.setattr(MentionAdmin, "list_per_page", 4)
    # The planner's figures: ten mentions a report, so a read of r reports tests 10 r rows, and the 20 matches are
    # few beside them when a match is worth a tenth of a tested row, many when it is worth a thousand.
    monkeypatch.setattr(hrkb.admin, "estimated_rows", lambda model, using: 10 if model is Mention else 1)
    monkeypatch.setattr(EstimatedCountPaginator, "WALK_TESTS_PER_MATCH", 0.1 if whole else 1000)
    read_whole = []
    among_every_match = EstimatedCountPaginator._among_every_match
    monkeypatch.setattr(
        EstimatedCountPaginator,
        "_among_every_match",
        lambda paginator, bottom, size: read_whole.append(bottom) or among_every_match(paginator, bottom, size),
    )
    response = curator_client.get("/admin/sources/mention/", {"q": "kim famine", "p": page, **order})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.paginator.walk.by == "report"
    assert read_whole == ([(page - 1) * 4] if whole else [])
    expected = Paginator(changelist.queryset, 4).page(page).object_list
    assert [mention.pk for mention in changelist.result_list] == [mention.pk for mention in expected]


@pytest.mark.parametrize(
    ("query", "cap"),
    [({"q": "kim famine"}, 20), ({"q": "kim famine", "o": "1"}, 12)],
    ids=["fewer than the cap", "sorted by its own column, the page not held early"],
)
def test_a_search_is_walked_only_past_the_cap_and_where_its_order_holds_the_page_early(
    curator_client, monkeypatch, query, cap
):
    """Matching fewer rows than the list counts, or sorted by a column of its own (a mention's words) along
    whose index the first rows do not hold the page (20 matches, a page of 100), a search is read from its
    matches."""
    import hrkb.admin
    from hrkb.admin import EstimatedCountPaginator
    from hrkb.scale import AtLeast

    _reports_to_walk()
    monkeypatch.setattr(hrkb.admin, "_planned", lambda queryset: 10**6)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", cap)
    changelist = curator_client.get("/admin/sources/mention/", query).context["cl"]
    assert changelist.paginator.walk is None
    assert changelist.result_count == (20 if cap >= 20 else AtLeast(cap))
    assert [mention.pk for mention in changelist.result_list] == list(changelist.queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("page", [1, 2, 3])
@pytest.mark.parametrize(
    ("order", "ordering"), [("1", ["text", "pk"]), ("-1", ["-text", "-pk"]), ("5", ["origin", "pk"])]
)
def test_a_dense_search_sorted_by_an_indexed_column_of_its_own_is_read_along_its_index(
    curator_client, monkeypatch, page, order, ordering
):
    """Sorted by a column of its own that an index lists with the key (a mention's words, its origin), a search
    whose tests fill the list is read in that order, testing row by row: Django's own pages, the rows tied in
    the column (every mention here says "Kim Il-sung") told apart by key in the column's direction."""
    from django.core.paginator import Paginator

    import hrkb.admin
    from hrkb.admin import EstimatedCountPaginator
    from hrkb.scale import AtLeast
    from sources.admin import MentionAdmin

    _reports_to_walk()
    monkeypatch.setattr(hrkb.admin, "_planned", lambda queryset: 10**6)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 12)
    monkeypatch.setattr(MentionAdmin, "list_per_page", 4)
    response = curator_client.get("/admin/sources/mention/", {"q": "kim famine", "p": page, "o": order})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.paginator.walk.by is None and changelist.result_count == AtLeast(12)
    assert list(changelist.queryset.query.order_by) == ordering
    expected = Paginator(changelist.queryset, 4).page(page).object_list
    assert [mention.pk for mention in changelist.result_list] == [mention.pk for mention in expected]
    assert all(mention.report.title.startswith("Famine") for mention in changelist.result_list)


def test_ties_follow_the_columns_direction_only_in_lists_walked_along_their_own_index(curator_client):
    """A list the search engine ranks keeps Django's tie-break (newest first): read among its matches' keys, its
    page in an index's order made PostgreSQL test every row against them (quotes by status: 142 -> 967 ms)."""
    factories.report("Famine")
    mentions = curator_client.get("/admin/sources/mention/", {"o": "1"}).context["cl"]
    reports = curator_client.get("/admin/reports/report/", {"o": "1"}).context["cl"]
    assert list(mentions.queryset.query.order_by) == ["text", "pk"]
    assert list(reports.queryset.query.order_by)[-1] == "-pk"


@pytest.mark.parametrize(("order", "walked"), [("1", False), ("-1", True)], ids=["late in its order", "early"])
def test_a_search_whose_matches_come_late_along_its_own_index_is_read_from_its_matches(
    curator_client, monkeypatch, order, walked
):
    """Thirty mentions whose words sort first ("Aaron") match no word of the search: sorted by the words, the
    first rows along their index do not hold the page, so the search is read from its matches; sorted the
    other way they do. The page is Django's either way."""
    from django.core.paginator import Paginator

    import hrkb.admin
    import hrkb.admin_lists
    from hrkb.admin import EstimatedCountPaginator
    from sources.admin import MentionAdmin

    _reports_to_walk()
    aaron = factories.person("Aaron Lee")
    notes = factories.report("Harvest notes", text="Aaron, " * 30)
    Mention.objects.bulk_create(
        Mention(report=notes, start=7 * number, end=7 * number + 5, text="Aaron", actor=aaron) for number in range(30)
    )
    monkeypatch.setattr(hrkb.admin, "_planned", lambda queryset: 10**6)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 12)
    monkeypatch.setattr(hrkb.admin_lists, "WALK_OWN_READ", 5)  # the first 20 rows for a page of 4
    monkeypatch.setattr(MentionAdmin, "list_per_page", 4)
    response = curator_client.get("/admin/sources/mention/", {"q": "kim famine", "o": order})
    changelist = response.context["cl"]
    assert (changelist.paginator.walk is not None) is walked
    expected = Paginator(changelist.queryset, 4).page(1).object_list
    assert [mention.pk for mention in changelist.result_list] == [mention.pk for mention in expected]
    assert [mention.text for mention in changelist.result_list] == ["Kim Il-sung"] * 4


@pytest.mark.parametrize("shown", [{}, {"all": ""}], ids=["one page", "all shown"])
def test_a_list_on_one_page_runs_its_search_once(curator_client, shown):
    """Where Django reads a one-page list whole again, hrkb.admin.KeyedChangeList reads it among the keys its
    count read: the search's conditions run once, and the rows are Django's."""
    from django.test.utils import CaptureQueriesContext

    kim, kirby = factories.person("Kim Il-sung"), factories.person("Michael Kirby")
    for number in range(5):
        report = factories.report(f"Famine torture report {number}", text="Kim Il-sung and Michael Kirby met.")
        factories.mention(report, "Kim Il-sung", actor=kim)
        factories.mention(report, "Michael Kirby", actor=kirby)
    other = factories.report("Famine alone", text="Kim Il-sung alone.")
    factories.mention(other, "Kim Il-sung", actor=kim)
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/sources/mention/", {"q": "famine torture kim", **shown})
    changelist = response.context["cl"]
    assert [mention.pk for mention in changelist.result_list] == [mention.pk for mention in changelist.queryset]
    assert len(changelist.result_list) == 5
    assert {mention.report.title[:14] for mention in changelist.result_list} == {"Famine torture"}
    assert len(_searches_of_mentions(queries, "torture")) == 1


def _searches_of_mentions(queries, word: str) -> list[str]:
    """The statements that searched the mentions for ``word``. On PostgreSQL the related tables' matches are read
    first as keys (``hrkb.admin._keys_holding``): the reports' titles (a mention's report, and the report it
    names), the actors' names and the events' titles, each once."""
    searched = [
        q["sql"] for q in queries if f"%{word.upper()}%" in q["sql"].upper() and not q["sql"].startswith("EXPLAIN")
    ]
    related = [sql for sql in searched if "sources_mention" not in sql]
    assert len(related) == len(set(related)) == (3 if connection.vendor == "postgresql" else 0), related
    return [sql for sql in searched if "sources_mention" in sql]


@pytest.mark.parametrize("page", [1, 2, 3])
def test_a_searched_list_of_several_pages_is_counted_and_paged_by_one_run_of_its_search(
    curator_client, monkeypatch, page
):
    """A list searched through SubquerySearchMixin computes every match before it orders one: its page's keys
    and its count are read in one statement (hrkb.admin.EstimatedCountPaginator._page_and_count), and the
    page holds the rows Django's own slicing of the list gives."""
    from django.test.utils import CaptureQueriesContext

    from sources.admin import MentionAdmin
    from sources.models import Mention

    monkeypatch.setattr(MentionAdmin, "list_per_page", 4)
    kim = factories.person("Kim Il-sung")
    for number in range(5):
        report = factories.report(f"Famine report {number}", text="Kim Il-sung spoke. Kim Il-sung left.")
        factories.mention(report, "Kim Il-sung", actor=kim)
        second = report.text.rindex("Kim Il-sung")
        Mention.objects.create(report=report, start=second, end=second + 11, text="Kim Il-sung", actor=kim)
    factories.mention(factories.report("Other", text="Kim Il-sung alone."), "Kim Il-sung", actor=kim)
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/sources/mention/", {"q": "famine kim", "p": page})
    changelist = response.context["cl"]
    everything = list(changelist.queryset)
    assert changelist.result_count == 10 and len(everything) == 10
    assert list(changelist.result_list) == everything[(page - 1) * 4 : page * 4]
    assert len(_searches_of_mentions(queries, "famine")) == 1


def test_a_walk_is_the_order_of_a_foreign_keys_records_that_no_row_leaves_empty():
    from hrkb.admin_lists import Walk, walk_of
    from reports.models import Authorship

    assert walk_of(Mention, ["report", "start", "-pk"]) == Walk("report", ("-published", "title"), ("report",))
    assert walk_of(Mention, ["-report", "-pk"]) == Walk("report", ("published", "-title"), ("-report",))
    assert walk_of(Mention, ["-report__title", "report", "-pk"]) == Walk(
        "report", ("-title", "-published", "title"), ("-report__title", "report")
    )
    assert walk_of(Mention, ["start", "report"]) is None  # a column of its own first
    assert walk_of(Authorship, ["person__name", "-pk"]) is None  # an authorship may have no person
    assert walk_of(MembershipCitation, ["subject", "-pk"]) is None  # a membership sorts by its organisation's name


def _ours_and_djangos(changelist, request):
    """(title, counts as the list draws them, counts as Django's own code counts them) for each filter of
    ``changelist``. Django builds the filters again each time it reads a list, so a response's ``cl.filter_specs``
    are the last list's, which :func:`~hrkb.admin_lists.share_facet_counts` never saw: it is run on them here."""
    from django.contrib.admin.filters import FacetsMixin

    from hrkb.admin_lists import share_facet_counts

    specs = [spec for spec in changelist.filter_specs if isinstance(spec, FacetsMixin)]
    share_facet_counts(changelist, request)
    return [
        (spec.title, spec.get_facet_queryset(changelist), FacetsMixin.get_facet_queryset(spec, changelist))
        for spec in specs
    ]


def test_the_mentions_names_filter_counts_each_choice_as_django_would(curator_client):
    """With "Show counts", each choice of "what it names" is counted by a test of the row (the list's search runs once
    per filter, not once more per choice), and the counts are Django's own: the searched rows of each kind."""
    from django.contrib import admin

    kim, inquiry = factories.person("Kim Il-sung"), factories.event("Famine inquiry")
    cited = factories.report("Famine report cited")
    for number in range(3):
        report = factories.report(f"Famine {number}", text="Kim Il-sung and the Famine inquiry; Famine report cited.")
        factories.mention(report, "Kim Il-sung", actor=kim)
        if number:
            factories.mention(report, "Famine inquiry", event=inquiry)
        if number == 2:
            factories.mention(report, "Famine report cited", mentioned_report=cited)
    response = curator_client.get("/admin/sources/mention/", {"q": "famine", "_facets": "True"})
    assert response.status_code == 200
    changelist = response.context["cl"]
    spec = _filter(response, "what it names")
    filtered = changelist.get_queryset(response.wsgi_request, exclude_parameters=spec.expected_parameters())
    djangos = filtered.aggregate(**admin.SimpleListFilter.get_facet_counts(spec, changelist.pk_attname, filtered))
    ours = {title: counts for title, counts, _djangos in _ours_and_djangos(changelist, response.wsgi_request)}
    assert ours[spec.title] == djangos == {"0__c": 3, "1__c": 1, "2__c": 2}
    page = response.content.decode()
    assert "person or organisation (3)" in page and "report (1)" in page and "event (2)" in page


def test_show_counts_read_each_match_once_through_every_field_that_holds_the_word(curator_client):
    """Counted, the mentions of a word are read as the rows any field's index condition finds, not narrowed to
    a union of keys read again by key: each match counted once, whichever fields hold the word, however many."""
    kim, kang = factories.person("Kim Il-sung"), factories.organisation("Famine Relief Board")
    inquiry, cited = factories.event("Famine inquiry"), factories.report("Famine report cited")
    text = "Kim Il-sung; Famine Relief Board; Famine inquiry; Famine report cited; a famine."
    plain, titled = factories.report("Annual survey", text=text), factories.report("Famine survey", text=text)
    factories.mention(plain, "Kim Il-sung", actor=kim)  # no field holds the word
    factories.mention(plain, "Famine Relief Board", actor=kang)  # its words and its organisation's name
    factories.mention(plain, "Famine inquiry", event=inquiry)
    factories.mention(plain, "Famine report cited", mentioned_report=cited)
    factories.mention(titled, "Kim Il-sung", actor=kim)  # its report's title alone
    factories.mention(titled, "Famine Relief Board", actor=kang)  # its words, its report's title and its name
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/sources/mention/", {"q": "famine", "_facets": "True"})
    assert response.status_code == 200
    drawn = re.findall(r"[\w ]+ \(\d+\)", response.content.decode())
    for choice in ["person or organisation (3)", "report (1)", "event (1)", "person (1)", "organisation (2)"]:
        assert choice in drawn, (choice, drawn)
    counted = [query["sql"] for query in queries.captured_queries if '__c"' in query["sql"]]
    assert counted and not any("UNION" in sql for sql in counted)


@pytest.mark.parametrize("given", [{}, {"origin__exact": "linked"}], ids=["no filter set", "one filter set"])
def test_show_counts_counts_the_unset_filters_in_one_query_as_django_counts_each(curator_client, given):
    """Each filter's counts are Django's own (over the list as the other filters leave it), but the filters the
    request leaves unset are counted by one query over the list, not one query each, each running the search."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kim = factories.person("Kim Il-sung")
    for number in range(3):
        report = factories.report(f"Famine {number}", text="Kim Il-sung saw the famine. Kim Il-sung again.")
        factories.mention(report, "Kim Il-sung", actor=kim, origin="linked" if number else "curated")
        if number == 2:
            start = report.text.rindex("Kim Il-sung")
            Mention.objects.create(
                report=report, start=start, end=start + 11, text="Kim Il-sung", actor=kim, origin="linked"
            )
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/sources/mention/", {"q": "famine", "_facets": "True", **given})
    assert response.status_code == 200
    changelist = response.context["cl"]
    counts = _ours_and_djangos(changelist, response.wsgi_request)
    assert len(counts) == 3
    for title, ours, djangos in counts:
        assert ours == djangos, title
    counted = [query["sql"] for query in queries.captured_queries if '__c"' in query["sql"]]
    assert len(counted) == 1 + len(given)
    page = response.content.decode()
    assert f"person or organisation ({3 if given else 4})" in page
    assert "found by linking (3)" in page and "added by a curator (1)" in page


def test_a_dense_search_showing_counts_is_walked_and_counted_from_its_matches(curator_client, monkeypatch):
    """ "Show counts" leaves the page walked report by report; each filter counts the list's matches."""
    import hrkb.admin
    from hrkb.admin import EstimatedCountPaginator
    from sources.admin import MentionAdmin

    _reports_to_walk()
    monkeypatch.setattr(hrkb.admin, "_planned", lambda queryset: 10**6)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 12)
    monkeypatch.setattr(MentionAdmin, "list_per_page", 4)
    response = curator_client.get("/admin/sources/mention/", {"q": "kim famine", "_facets": "True"})
    changelist = response.context["cl"]
    assert changelist.paginator.walk.by == "report"
    for title, ours, djangos in _ours_and_djangos(changelist, response.wsgi_request):
        assert ours == djangos, title
    assert "person or organisation (20)" in response.content.decode()


def test_show_counts_of_a_filter_through_a_to_many_relation_keep_a_query_of_their_own(curator_client):
    """A report's publishers are a to-many relation: counted in the same query they would repeat each report
    once per publisher in every other filter's counts. Every filter's counts are Django's own."""
    first, second = factories.organisation("Open Archive"), factories.organisation("Citizens' Alliance")
    for number in range(3):
        factories.report(f"Famine {number}", kind="report", publishers=[first, second])
    factories.report("Famine brief", kind="article", publishers=[first])
    response = curator_client.get("/admin/reports/report/", {"q": "famine", "_facets": "True"})
    for title, ours, djangos in _ours_and_djangos(response.context["cl"], response.wsgi_request):
        assert ours == djangos, title
    page = response.content.decode()
    assert "report (3)" in page and "published (4)" in page and "Open Archive (4)" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel workers are PostgreSQL's")
def test_show_counts_count_each_in_one_process(curator_client):
    """The counting statements already run side by side, one a reader: parallel workers of each only took the
    other's cores (the reports of "famine" at 100,000 reports: 320-342 -> 198-205 ms for the page)."""
    factories.report("Famine", publishers=[factories.organisation("Open Archive")], topics=[factories.topic("Food")])
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        [session] = cursor.fetchone()
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/reports/report/", {"q": "famine", "_facets": "True"})
    assert "Open Archive (1)" in response.content.decode()
    run = [query["sql"] for query in queries]
    counting = [index for index, sql in enumerate(run) if '__c"' in sql or '"hrkb_count"' in sql]
    # The filters of the report's own columns together, then its topics and its publishers, each grouped.
    assert len(counting) == 3
    for index in counting:
        workers = [sql for sql in run[:index] if "max_parallel_workers_per_gather" in sql]
        assert workers[-1] == "SET max_parallel_workers_per_gather = '0'", run[index]
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == (session,) != ("0",)


@pytest.mark.parametrize(
    "given",
    [{}, {"topics__id__exact": "TOPIC"}, {"publishers__id__exact": "PUBLISHER"}, {"topics__isnull": "True"}],
    ids=["no filter set", "a topic set", "a publisher set", "no topic set"],
)
def test_show_counts_through_to_many_relations_are_djangos_counts_read_as_one_group_by_each(curator_client, given):
    """Topics and publishers, each counted in one GROUP BY (with the reports that have none), give Django's own
    counts, whichever filter the request sets; the publishers' choices are read once though the filters are built
    again for each list counted."""
    from hrkb.admin_lists import _through_many_filter

    archive, alliance = factories.organisation("Open Archive"), factories.organisation("Citizens' Alliance")
    food, camps = factories.topic("Food"), factories.topic("Camps")
    factories.topic("Unused")
    for number in range(3):
        factories.report(f"Famine {number}", publishers=[archive, alliance], topics=[food, camps])
    factories.report("Famine brief", kind="article", publishers=[archive], topics=[food])
    factories.report("Famine notes", kind="article")
    factories.report("Elsewhere", publishers=[alliance], topics=[camps])
    values = {"TOPIC": str(food.pk), "PUBLISHER": str(archive.pk)}
    params = {name: values.get(value, value) for name, value in given.items()}

    response = curator_client.get("/admin/reports/report/", {"q": "famine", "_facets": "True", **params})
    changelist = response.context["cl"]
    grouped = [spec for spec in changelist.filter_specs if _through_many_filter(changelist.model, spec)]
    assert {spec.field_path for spec in grouped} == {"topics", "publishers"}
    for title, ours, djangos in _ours_and_djangos(changelist, response.wsgi_request):
        assert ours == djangos, title
    if not given:
        page = response.content.decode()
        assert "Food (4)" in page and "Camps (3)" in page and "Unused (0)" in page and "Open Archive (4)" in page

    with CaptureQueriesContext(connection) as queries:
        curator_client.get("/admin/reports/report/", {"q": "famine", "_facets": "True", **params})
    publishers_read = [query for query in queries if 'FROM "actors_actor"' in query["sql"] and "EXISTS" in query["sql"]]
    assert len(publishers_read) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("given", [{}, {"kind__exact": "article"}], ids=["no filter set", "a kind set"])
def test_show_counts_are_read_on_connections_of_their_own_while_the_rows_are(curator_client, monkeypatch, given):
    """Outside a transaction (a server's request), "Show counts" starts its statements on reader threads when
    the list is built, and the filters take their results: the page is the one the counts read in turn (inside
    a transaction) draw, with the counts Django's own code gives, and no reader is left running."""
    from django.db import transaction

    from hrkb import admin_lists
    from hrkb.readers import READER_NAME
    from tests.threads import readers_left, threads_calling

    archive, alliance = factories.organisation("Open Archive"), factories.organisation("Citizens' Alliance")
    food = factories.topic("Food")
    for number in range(3):
        factories.report(f"Famine {number}", publishers=[archive, alliance], topics=[food])
    factories.report("Famine brief", kind="article", publishers=[archive])
    factories.report("Elsewhere", publishers=[alliance], topics=[food])
    counted_in = threads_calling(monkeypatch, admin_lists, "_counted")

    def sidebar(response):
        assert response.status_code == 200
        page = response.content.decode()
        return re.findall(r'<a href="[^"]*">([^<]*\(\d+\))</a>', page[page.index('id="changelist-filter"') :])

    params = {"q": "famine", "_facets": "True", **given}
    at_once = curator_client.get("/admin/reports/report/", params)
    # One aggregate for the filters the request leaves unset, one GROUP BY each for topics and publishers, and the
    # kinds over the list without their own filter when it is set.
    assert counted_in == [READER_NAME] * (4 if given else 3)
    counted_in.clear()
    with transaction.atomic():
        in_turn = curator_client.get("/admin/reports/report/", params)
        assert set(counted_in) == {"MainThread"}, "inside a transaction the counts are read in turn"
        for title, ours, djangos in _ours_and_djangos(in_turn.context["cl"], in_turn.wsgi_request):
            assert ours == djangos, title
    assert sidebar(at_once) == sidebar(in_turn)
    counts = sidebar(at_once)
    assert "report (3)" in counts and "article or blog post (1)" in counts  # the kinds, over every kind
    assert ("Open Archive (1)" if given else "Open Archive (4)") in counts
    assert ("Food (0)" if given else "Food (3)") in counts and ("No (1)" if given else "No (4)") in counts
    assert not readers_left()


def _reports_on_famine():
    """Twelve reports on famine, in three titles (four tied in each), kinds, dates and statuses; one found only
    by its slug (search_fields, not the engine); three others, titled to sort first."""
    on_famine = [
        factories.report(
            f"{'CAB'[number % 3]} famine report",
            slug=f"report-{number}",
            text="famine " * (number + 1),
            kind=["report", "article"][number % 2],
            published=f"{2000 + number % 5}-01-01",
            status=["published", "draft"][number % 4 == 0],
        )
        for number in range(12)
    ]
    by_slug = factories.report("D harvest", slug="famine-by-slug", text="A harvest.", published="2003-06-01")
    for number in range(3):
        factories.report(f"A harvest {number}", text="A good harvest.")
    return [*on_famine, by_slug]


@pytest.mark.parametrize("page", [1, 2])
@pytest.mark.parametrize(
    ("order", "key", "ordering"),
    [
        ("1", lambda report: (report.title, report.pk), ["title", "pk"]),
        ("-1", lambda report: (report.title, report.pk), ["-title", "-pk"]),
        ("3", lambda report: (str(report.published), report.pk), ["published", "pk"]),
        ("-7", lambda report: (report.status, report.pk), ["-status", "-pk"]),
    ],
    ids=["by title", "by title down", "by date", "by status down"],
)
def test_a_ranked_search_sorted_by_an_indexed_column_is_read_along_its_index(
    curator_client, monkeypatch, page, order, key, ordering
):
    """Sorted by a column of its own that an index lists with the key, a list the search engine ranks, searched
    for a word the planner expects in most rows and matching more than the cap, is read in the column's order,
    each row tested (the engine's match, or search_fields'), ties told apart by key in the column's direction:
    the matches' pages in that order."""
    from hrkb.admin import EstimatedCountPaginator
    from hrkb.scale import AtLeast
    from hrkb.search import admin as search_admin
    from reports.admin import ReportAdmin

    matches = _reports_on_famine()
    monkeypatch.setattr(search_admin, "match_ids", lambda model, parsed: None)  # expected in most rows
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 8)
    monkeypatch.setattr(ReportAdmin, "list_per_page", 4)
    response = curator_client.get("/admin/reports/report/", {"q": "famine", "o": order, "p": page})
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.paginator.walk.by is None and changelist.result_count == AtLeast(8)
    assert list(changelist.queryset.query.order_by) == ordering
    expected = sorted(matches, key=key, reverse=order.startswith("-"))[(page - 1) * 4 : page * 4]
    assert [report.pk for report in changelist.result_list] == [report.pk for report in expected]


def test_a_ranked_search_sorted_by_a_foreign_keys_records_is_read_record_by_record(curator_client, monkeypatch):
    """Quotes searched for a word most of them say (as the planner expects), sorted by their speaker's name: read
    speaker by speaker (hrkb.admin.EstimatedCountPaginator._walk), the pages those of every match so sorted,
    newest first within a speaker; fewer engine matches than the cap, the list is read from its matches."""
    from hrkb.admin import EstimatedCountPaginator
    from hrkb.search import admin as search_admin
    from reports.admin import QuoteAdmin

    speakers = [factories.person(name) for name in ["Cho", "Ahn", "Baek"]]
    quotes = [
        factories.quote(speakers[number % 3], text=f"The famine, said for the {number}th time.", slug=f"q{number}")
        for number in range(9)
    ]
    factories.quote(speakers[1], text="A good harvest.", slug="harvest")
    monkeypatch.setattr(search_admin, "match_ids", lambda model, parsed: None)  # expected in most rows
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 8)
    monkeypatch.setattr(QuoteAdmin, "list_per_page", 4)
    expected = [quote.pk for quote in sorted(quotes, key=lambda quote: (quote.speaker.name, -quote.pk))]
    for page in [1, 2]:
        changelist = curator_client.get("/admin/reports/quote/", {"q": "famine", "o": "2", "p": page}).context["cl"]
        assert changelist.paginator.walk.by == "speaker"
        assert [quote.pk for quote in changelist.result_list] == expected[(page - 1) * 4 : page * 4]
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 9)
    changelist = curator_client.get("/admin/reports/quote/", {"q": "famine", "o": "2"}).context["cl"]
    assert changelist.paginator.walk is None and changelist.result_count == 9
    assert [quote.pk for quote in changelist.result_list] == expected[:4]


@pytest.mark.parametrize(
    "field_path",
    ["publishers__name", "events__title", "authorships__person__name", "events__participants__actor__name"],
    ids=["many-to-many", "reverse many-to-many", "reverse foreign key", "reverse many-to-many, then deeper"],
)
@pytest.mark.parametrize("word", ["geneva", "hearing", "kirby", "nobody"])
def test_a_word_through_each_kind_of_to_many_relation_finds_what_djangos_lookup_finds(field_path, word):
    """Each kind is read from the table holding its links (``_holders``), never joined back."""
    from django.db.models import Q

    from hrkb.admin import _holds
    from reports.models import Report

    kirby = factories.person("Michael Kirby")
    geneva = factories.organisation("UN Geneva office")
    first = factories.report("First", publishers=[geneva], authors=[kirby])
    second = factories.report("Second", authors=[factories.person("Someone else")])
    factories.report("Third")
    factories.event("The Geneva hearing", related_reports=[first, second], participants=[kirby])
    factories.event("A hearing elsewhere", related_reports=[second])

    found = Report.objects.filter(_holds(Report, [field_path], word, {}))
    expected = Report.objects.filter(Q(**{f"{field_path}__icontains": word})).distinct()
    assert sorted(found.values_list("pk", flat=True)) == sorted(expected.values_list("pk", flat=True))
