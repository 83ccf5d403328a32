"""The admin's search box finds what the API finds, best match first."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection

from actors.models import Alias, Organisation, Person
from events.models import Event
from hrkb.search.admin import RankedSearchAdminMixin
from reports.models import Quote, Report
from tests import factories


class ReportAdmin(RankedSearchAdminMixin, admin.ModelAdmin):
    list_display = ["title", "status"]
    search_fields = ["title"]


class PersonAdmin(RankedSearchAdminMixin, admin.ModelAdmin):
    search_fields = ["name"]


class AliasAdmin(RankedSearchAdminMixin, admin.ModelAdmin):
    search_fields = ["name"]


def _changelist(rf, curator, model_admin, **params):
    request = rf.get("/admin/", params)
    request.user = curator
    request.session = {}
    request._messages = FallbackStorage(request)
    return model_admin.get_changelist_instance(request), request


def test_admin_search_ranks_best_first_and_finds_drafts(rf, curator):
    in_body = factories.report("A report", text="Passing mention of songbun.")
    in_title = factories.report("Songbun explained", text="The caste system.", status="draft")
    factories.report("Other", text="Nothing.")
    changelist, _request = _changelist(rf, curator, ReportAdmin(Report, admin.site), q="songbun")
    assert list(changelist.queryset) == [in_title, in_body]


def test_admin_search_finds_a_misspelt_name_and_an_alias(rf, curator):
    darusman = factories.person("Marzuki Darusman")
    kim = factories.person("Kim Jong-un", aliases=["김정은"])
    model_admin = PersonAdmin(Person, admin.site)
    assert list(_changelist(rf, curator, model_admin, q="Darusmann")[0].queryset) == [darusman]
    assert list(_changelist(rf, curator, model_admin, q="김정은")[0].queryset) == [kim]


def test_sorting_by_a_column_wins_over_relevance(rf, curator):
    b = factories.report("B songbun", text="songbun songbun songbun")
    a = factories.report("A songbun", text="")
    changelist, _request = _changelist(rf, curator, ReportAdmin(Report, admin.site), q="songbun", o="0")
    assert list(changelist.queryset) == [a, b]


def test_an_over_long_search_finds_nothing_and_says_why(rf, curator):
    factories.report("Songbun", text="songbun")
    changelist, request = _changelist(rf, curator, ReportAdmin(Report, admin.site), q="songbun " * 100)
    assert list(changelist.queryset) == []
    assert "500 characters" in str(next(iter(request._messages)))


def test_models_without_a_document_use_search_fields(rf, curator):
    alias = Alias.objects.create(actor=factories.person("Kim Il-sung"), name="Eternal President")
    changelist, _request = _changelist(rf, curator, AliasAdmin(Alias, admin.site), q="eternal")
    assert list(changelist.queryset) == [alias]


def test_search_fields_still_find_through_relations(rf, curator):
    author = factories.person("Benedict Rogers")
    by_author = factories.report("Total Denial", text="Freedom of religion.", authors=[author])
    about = factories.report("On Rogers", text="Rogers spoke.")

    class ByAuthorAdmin(RankedSearchAdminMixin, admin.ModelAdmin):
        search_fields = ["title", "authorships__person__name"]

    changelist, _request = _changelist(rf, curator, ByAuthorAdmin(Report, admin.site), q="Rogers")
    assert list(changelist.queryset) == [about, by_author]
    assert changelist.result_count == 2


@pytest.mark.parametrize("model", [Report, Person, Event, Quote, Organisation])
def test_the_projects_admins_work_with_the_mixin(rf, curator, search_corpus, model):
    """Every curated admin searches with the ranked engine (the mixin is in CuratedAdmin's bases)."""
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, RankedSearchAdminMixin)
    for term in ["Darusman", "Darusmann", "songbun", "Sakharov", '"prison camp"', "Kim Jong Un", "x" * 600]:
        changelist, _request = _changelist(rf, curator, model_admin, q=term)
        assert changelist.result_count == len(list(changelist.queryset))
    if model is Person:
        changelist, _request = _changelist(rf, curator, model_admin, q="Darusmann")
        assert search_corpus["darusman"] in changelist.queryset


def test_matches_read_once_list_the_same_and_count_once(rf, curator, monkeypatch):
    """A list's matches (sorted by a column: the engine's and search_fields' together) are read once into a
    list (page, count and dates reuse it), past the paginator's cap too (the list is then not counted again);
    past READ_MOST the list keeps the subquery, each of its queries asking it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hrkb.admin import EstimatedCountPaginator
    from hrkb.search import postgres
    from hrkb.search.admin import RankedSearchAdminMixin

    monkeypatch.setattr(postgres, "MOST", 2.0)  # never "a word in most rows": the union path on both databases
    reports = [factories.report(f"Songbun {number}", text="songbun " * number) for number in range(1, 6)]
    factories.report("Other", text="Nothing.")
    model_admin = admin.site._registry[Report]

    def listed():
        # Sorted by title: the engine's matches are mixed with what search_fields finds (a union) on both databases.
        with CaptureQueriesContext(connection) as queries:
            changelist, _request = _changelist(rf, curator, model_admin, q="songbun", o="1")
            rows = [report.pk for report in changelist.result_list]
        # The planner's estimates (EXPLAIN) of what each field matches do not run the search.
        run = [query["sql"].lower() for query in queries if not query["sql"].startswith("EXPLAIN")]
        # The engine's matches read from the table itself, not joined to it from a subquery of their own
        # (PostgreSQL's ``search_match``: 200 -> 160 ms for the union of "north korea" at 100,000 reports).
        assert not [sql for sql in run if sql.startswith("(select") and '"search_match"' in sql]
        # Reports found through their authorships and publishers are those rows' keys, not rows joined back to the
        # reports by key (10,327 probes, 27 of 44 ms, for the reports whose bylines or publishers hold "north").
        assert not [sql for sql in run if "%songbun%" in sql and " join " in sql]
        return rows, changelist.result_count, _searches(run, "songbun")

    read_once, count, unions = listed()
    assert count == 5 and sorted(read_once) == sorted(report.pk for report in reports) and unions == 1
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 3)
    past_cap, count, unions = listed()
    assert past_cap == read_once and str(count) == "3+" and unions == 1
    monkeypatch.setattr(RankedSearchAdminMixin, "READ_MOST", 4)
    kept, count, unions = listed()
    assert kept == read_once and str(count) == "3+" and unions > 1


def test_a_word_in_most_rows_reads_search_fields_matches_once(curator_client, monkeypatch):
    """A word in most rows, the list sorted by a column tests each row: the engine's match, or one of the
    keys search_fields find, read once; not a subquery that the page's count, rows and dates each run again
    ("north korea" at 100,000 reports: 110-190 ms in each of four statements)."""
    from django.test.utils import CaptureQueriesContext

    from hrkb.search import admin as search_admin

    monkeypatch.setattr(search_admin, "match_ids", lambda model, parsed: None)  # expected in most rows
    reports = [factories.report(f"Songbun {number}", text="songbun " * number) for number in range(1, 4)]
    reports.append(factories.report("Songbunlike", text="Nothing."))  # found by search_fields alone
    factories.report("Other", text="Nothing.")
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/reports/report/", {"q": "songbun", "o": "1"})
    assert [report.pk for report in response.context["cl"].result_list] == [report.pk for report in reports]
    assert "4 reports" in response.content.decode()
    run = [query["sql"].lower() for query in queries if not query["sql"].startswith("EXPLAIN")]
    assert _searches(run, "songbun") == 1, [sql[:200] for sql in run if "%songbun%" in sql]
    # Showing counts builds the list again for each filter's counts: the keys are still read once.
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/reports/report/", {"q": "songbun", "o": "1", "_facets": "True"})
    assert [report.pk for report in response.context["cl"].result_list] == [report.pk for report in reports]
    run = [query["sql"].lower() for query in queries if not query["sql"].startswith("EXPLAIN")]
    assert _searches(run, "songbun") == 1, [sql[:200] for sql in run if "%songbun%" in sql]


def test_words_the_planner_expects_in_few_rows_are_counted_before_their_union(rf, curator, monkeypatch):
    """The planner multiplies words' frequencies as if independent ("north korea": expected in 9,338 of
    100,000 reports, in 24,724): a list it expects to hold a tenth of the cap is counted exactly first, and
    if the engine's matches fill it, it is read in the engine's order, never as a union with search_fields."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hrkb.admin import EstimatedCountPaginator
    from hrkb.search import admin as search_admin
    from hrkb.search import postgres

    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate decides on PostgreSQL; SQLite lists are always a union")
    monkeypatch.setattr(postgres, "MOST", 2.0)  # never "a word in most rows"
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 3)
    reports = [factories.report(f"Songbun {number}", text="songbun " * number) for number in range(1, 6)]
    model_admin = admin.site._registry[Report]

    def listed():
        with CaptureQueriesContext(connection) as queries:
            changelist, _request = _changelist(rf, curator, model_admin, q="songbun")
            rows = [report.pk for report in changelist.result_list]
        return rows, str(changelist.result_count), any("%songbun%" in query["sql"] for query in queries)

    rows, count, union = listed()  # union: Django's search_fields matching was asked
    assert count == "3+" and not union
    assert rows == [report.pk for report in reversed(reports)]  # more occurrences rank higher
    monkeypatch.setattr(search_admin, "planned_count", lambda queryset: 0)  # expected in no row: the union
    rows_by_union, count, union = listed()
    assert count == "3+" and union and rows_by_union == rows


def test_a_ranked_list_sorted_by_a_column_is_counted_from_its_keys_not_with_its_page(rf, curator, monkeypatch):
    """search_fields' matches (SubquerySearchMixin) are a set of keys in the ranked list, not the list the
    paginator reads: the page is not read with a window's count over every match, which made PostgreSQL sort
    the 6,165 quotes matching "famine" by speaker through every speaker (0.9 s of 1.1 s at 100,000 reports)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hrkb.search import postgres

    monkeypatch.setattr(postgres, "MOST", 2.0)  # never "a word in most rows"
    reports = [factories.report(f"Songbun {number}", text="songbun " * number) for number in range(1, 6)]
    with CaptureQueriesContext(connection) as queries:
        changelist, _request = _changelist(rf, curator, admin.site._registry[Report], q="songbun", o="1")
        rows = [report.pk for report in changelist.result_list]
    assert rows == [report.pk for report in reports] and changelist.result_count == 5
    assert not any("OVER ()" in query["sql"] for query in queries)


def test_a_list_by_relevance_marks_no_column_as_its_order(curator_client):
    """Searched, the reports come best match first: no header says "sorted by date" (the model's default
    ordering, which the rows do not follow). Sorted by a column, that column is marked."""
    factories.report("Songbun explained", text="songbun songbun")
    factories.report("A report", text="Passing mention of songbun.")
    url = "/admin/reports/report/"
    unsearched = curator_client.get(url).context["cl"]
    assert unsearched.get_ordering_field_columns(), "the default ordering's columns are marked"
    searched = curator_client.get(url, {"q": "songbun"})
    assert searched.context["cl"].get_ordering_field_columns() == {}
    assert "sortoptions" in curator_client.get(url).content.decode()
    assert "sortoptions" not in searched.content.decode()
    # Once each: the project's change list extends Django's, not itself again.
    assert searched.content.decode().count("Best matches first") == 1
    assert searched.content.decode().count('id="changelist-search"') == 1
    by_title = curator_client.get(url, {"q": "songbun", "o": "1"})
    assert by_title.context["cl"].get_ordering_field_columns() == {1: "asc"}
    assert "sorted ascending" in by_title.content.decode()
    assert "Best matches first" not in by_title.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner scans a table for common words")
def test_show_counts_on_a_searched_list_reads_every_count_through_the_search_index(curator_client):
    """Each filter's counts over a searched list's matches are read from the search index's bitmap, never by a
    scan testing every row's document (the three statements counting the reports of "famine" at 100,000 reports:
    1.5 s by scans, 0.25 s by the bitmap); the
    search's own count inside sets the setting back to the outer block's, not to the session's."""
    for number in range(3):
        factories.report(f"Famine {number}", text="famine", publishers=[factories.organisation(f"Org {number}")])
    seen = []

    def record(execute, sql, params, many, context):
        # The filters counted together (a FILTER per choice), and the publishers in a GROUP BY of their own.
        if "FILTER (WHERE" in sql or '"hrkb_count"' in sql:
            with connection.connection.cursor() as raw:  # the driver's own cursor: not recorded again
                raw.execute("SHOW enable_seqscan")
                seen.append(raw.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = curator_client.get("/admin/reports/report/", {"q": "famine", "_facets": "True"})
    assert response.status_code == 200
    assert len(seen) >= 2 and set(seen) == {"off"}, seen
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on", "the session's setting once the page is read"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")
def test_settings_blocks_nest(db):
    from hrkb.search import postgres

    def show(cursor, name):
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        before = show(cursor, "enable_seqscan"), show(cursor, "work_mem")
    with postgres.through_index() as cursor:
        with postgres.sort_memory(), postgres.through_index():
            pass
        assert show(cursor, "enable_seqscan") == "off"
        assert show(cursor, "work_mem") == postgres.SORT_MEMORY
    with connection.cursor() as cursor:
        assert (show(cursor, "enable_seqscan"), show(cursor, "work_mem")) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL asks whether a common word fills the list")
def test_show_counts_counts_the_engines_matches_once(curator_client):
    """Under "Show counts" the list is built again for each filter's counts; whether the engine's matches fill it
    is counted once a request (four times 15-18 ms at 100,000 reports before)."""
    for number in range(30):
        factories.report(f"Famine {number}", text="famine")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")  # the planner then expects the word in most rows
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get("/admin/reports/report/", {"q": "famine", "_facets": "True"})
    assert response.status_code == 200
    # The engine's matches alone (the paginator then counts the list, search_fields' matches, a subquery or the
    # array of their keys, with them).
    engine = [
        query["sql"]
        for query in queries
        if "LIMIT 10001" in query["sql"] and "LIKE" not in query["sql"] and "ANY(" not in query["sql"]
    ]
    assert len(engine) == 1, engine


def _searches(run: list[str], word: str) -> int:
    """How many of the statements ``run`` (lower case) search the reports for ``word`` through search_fields:
    the keys of the actors whose names hold it are read apart, once a request, and are not counted."""
    return sum(f"%{word}%" in sql and '"reports_report"' in sql for sql in run)
