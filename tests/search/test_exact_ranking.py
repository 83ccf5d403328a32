"""Exact top-k: the first page holds the best-ranked readable matches among all matches, however old.

The old engine ranked only the newest 500 matches on PostgreSQL; the corpus
here holds more weak, newer matches than that, and the best matches are the
oldest. Each query class is also checked against an exhaustive ranking: every
match scored with the engine's own rank function, sorted here.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hrkb.api.pagination import _Real
from hrkb.search import postgres, search_all, search_queryset
from hrkb.search.documents import search_types
from hrkb.search.query import parse
from hrkb.search.schema import audience_table
from hrkb.search.sqlite import _bm25, _score
from reports.models import Report
from tests import factories
from tests.search.test_admin import ReportAdmin, _changelist

WEAK = 620  # more than the old bound of 500 candidates


@pytest.fixture
def famine_corpus(db):
    best = [
        factories.report(
            f"Famine in North Korea, part {number}",
            summary="How the famine spread.",
            text="The famine of the 1990s. " + "Famine and hunger. " * 3,
        )
        for number in range(5)
    ]
    weak = [
        Report(
            title=f"Weekly update {number}",
            slug=f"weekly-update-{number}",
            kind="report",
            status="published",
            summary="Detention and prison camps.",
            text=f"Prison camp conditions, forced labour, report {number}. "
            + ("Food shortages recall the famine years. " if number % 2 else "A famine was feared in the north. ")
            + ("Kim Jong-un visited. " if number % 3 == 0 else "")
            + "Detention " * (number % 4),
        )
        for number in range(WEAK)
    ]
    Report.objects.bulk_create(weak)
    hidden = [
        factories.report("Famine famine draft", summary="famine", text="famine", status="draft"),
        factories.report("Famine famine restricted", summary="famine", text="famine", restricted=True),
    ]
    return {"best": best, "hidden": hidden}


def _exhaustive(query: str, *, restricted: bool = False) -> list[tuple[float, int]]:
    """Every readable match of the report type with the engine's own score, best first."""
    search_type = search_types()["report"]
    parsed = parse(query)
    readable, readable_params = search_type.readable_sql("t", restricted=restricted)
    if connection.vendor == "postgresql":
        ranking = postgres.rank_sql(search_type.table, "t", parsed, fuzzy=False, restricted=restricted)
        sql, params = postgres._positional(
            f"SELECT {ranking.score}, t.id FROM reports_report t WHERE {ranking.match}", postgres._params(parsed)
        )
        sql, params = f"{sql} AND {readable}", [*params, *readable_params]
    else:
        fts = audience_table("reports_report", restricted)
        sql = (
            f"SELECT {_score(_bm25('reports_report', fts))}, t.id FROM {fts} "
            f"JOIN reports_report t ON t.id = {fts}.rowid WHERE {fts} MATCH %s AND {readable}"
        )
        params = [parsed.to_fts5(), *readable_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return sorted(((float(score), row_id) for score, row_id in rows), key=lambda row: (-row[0], -row[1]))


def _same_page(found: list[tuple[float, int]], expected: list[tuple[float, int]]) -> None:
    """The same scores in the same order; ids may differ only among rows of equal score at the page's edge."""
    # Hits carry scores rounded to 6 places: compared within that, not rounded again (0.1084049 and 0.108405).
    assert [score for score, _id in found] == pytest.approx([score for score, _id in expected], abs=5.1e-7)
    # Every row above the page's last score (exact, from the exhaustive ranking) is on the page.
    cut = expected[-1][0] if expected else None
    assert {row_id for score, row_id in expected if score != cut} <= {row_id for _score, row_id in found}


def test_old_best_matches_are_on_the_first_page_everywhere(famine_corpus, client, rf, curator):
    best = {report.slug for report in famine_corpus["best"]}
    hits = client.get("/api/v1/search/", {"q": "famine", "type": "report", "page_size": 10}).json()["results"]
    assert {hit["slug"] for hit in hits[:5]} == best
    rows = client.get("/api/v1/reports/", {"search": "famine", "page_size": 10}).json()["results"]
    assert {row["slug"] for row in rows[:5]} == best
    changelist, _request = _changelist(rf, curator, ReportAdmin(Report, admin.site), q="famine")
    # A curator also sees the draft and the restricted report, which say "famine" more often still.
    assert {report.slug for report in list(changelist.queryset[:7])} >= best
    assert changelist.result_count == WEAK + 5 + 2  # the admin also finds drafts and restricted reports


QUERIES = {
    "word": "famine",
    "phrase": '"prison camp"',
    "or": "hunger OR labour",
    "exclusion": "famine -hunger",
    "common": "detention",
    "name": "Kim Jong-un",
}


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
def test_each_query_class_gives_the_exhaustive_first_page(famine_corpus, client, query):
    expected = _exhaustive(query)
    assert len(expected) > 20
    size = 20
    hits = search_all(query, types=["report"], limit=size)
    by_slug = dict(Report.objects.values_list("slug", "pk"))
    _same_page([(hit.score, by_slug[hit.slug]) for hit in hits], expected[:size])

    listed = list(search_queryset(Report.objects.readable(), query, restricted=False)[:size])
    _same_page([(report.search_rank, report.pk) for report in listed], expected[:size])


def test_paging_a_list_search_walks_every_match_once_in_rank_order(famine_corpus, client):
    expected = _exhaustive("famine")
    seen, url = [], "/api/v1/reports/?search=famine&page_size=200"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [row["slug"] for row in response.json()["results"]]
        url = response.json()["next"]
    by_pk = dict(Report.objects.values_list("pk", "slug"))
    assert sorted(seen) == sorted(by_pk[row_id] for _score, row_id in expected)
    assert len(seen) == len(set(seen))
    assert set(seen[:5]) == {report.slug for report in famine_corpus["best"]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's index order is PostgreSQL's")
@pytest.mark.parametrize("query", ["famine", '"prison camp"'])
def test_reads_in_the_index_order_score_only_the_rows_kept(famine_corpus, client, query):
    """A read in RUM's order may read ten rows per row wanted (hrkb.search.postgres.nearest): it
    carries keys and distances, and only the page's rows are scored and read whole, in /search/ and a list."""
    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    expected = _exhaustive(query)
    by_slug = dict(Report.objects.values_list("slug", "pk"))
    with CaptureQueriesContext(connection) as queries:
        hits = search_all(query, types=["report"], limit=20)
        rows = client.get("/api/v1/reports/", {"search": query, "page_size": 20}).json()["results"]
    _same_page([(hit.score, by_slug[hit.slug]) for hit in hits], expected[:20])
    assert [by_slug[row["slug"]] for row in rows] == [hit_id for _score, hit_id in expected[:20]]
    # Unfiltered, the first read is ten rows per row wanted (postgres.first_read): 20 for search_all, 21 for the
    # list (its page and one more, which tells whether there is a next page).
    depths = [f"LIMIT {postgres.FIRST_PER_ROW * wanted}" for wanted in (20, 21)]
    first_reads = [query["sql"] for query in queries if any(depth in query["sql"] for depth in depths)]
    assert len(first_reads) == 2 and all("<=>" in statement for statement in first_reads)
    for statement in first_reads:
        assert "rum_ts_score" not in statement, statement
        assert '"summary"' not in statement, statement
    # The page's rows, chosen, are then read by key alone: under the match again, PostgreSQL may test their keys
    # by reading every match from the search index (hrkb.scale.by_key).
    whole = [query["sql"] for query in queries if '"summary"' in query["sql"]]
    assert len(whole) == 2 and not any("@@" in statement for statement in whole), whole


def test_a_rank_read_back_compares_equal_to_the_rank_computed_again(db):
    # Keyset pagination sends the last rank back in a cursor: it must select the same row again.
    for number in range(4):
        factories.report(f"Camp {number}", summary="camp " * (number + 1), text="camp")
    ranked = search_queryset(Report.objects.readable(), "camp")
    key = postgres.DISTANCE if postgres.DISTANCE in ranked.query.annotations else "search_rank"
    for report in ranked:
        # As a cursor carries it (RUM's distance is a real: see hrkb.api.pagination._Real).
        value = getattr(report, key)
        if key == postgres.DISTANCE:
            value = _Real().get_prep_value(value)
        assert ranked.filter(**{key: value}).filter(pk=report.pk).exists()
        assert (
            not ranked.filter(**{f"{key}__lt" if key == postgres.DISTANCE else f"{key}__gt": value})
            .filter(pk=report.pk)
            .exists()
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's index order is PostgreSQL's")
def test_admin_pages_read_in_the_index_order_are_the_full_rankings_pages(famine_corpus, rf, curator, monkeypatch):
    """A word in most rows is paged from RUM's order (hrkb.search.admin); the pages are those of ranking every match."""
    from hrkb.admin import EstimatedCountPaginator

    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    model_admin = admin.site._registry[Report]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")  # the rule reads the planner's estimates, as autovacuum keeps them

    def pages():
        changelists = [_changelist(rf, curator, model_admin, q="famine", p=page)[0] for page in (1, 2, 5)]
        read_in_index_order = {postgres.DISTANCE in changelist.queryset.query.annotations for changelist in changelists}
        return [[report.pk for report in changelist.result_list] for changelist in changelists], read_in_index_order

    monkeypatch.setattr(postgres, "MOST", 2.0)  # no query matches "most" rows: every match ranked, search_fields too
    expected, index_order = pages()
    assert index_order == {False} and len(expected[2]) == 50
    monkeypatch.setattr(postgres, "MOST", 0.0)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 300)  # fewer than the 627 matches
    found, index_order = pages()
    assert index_order == {True}
    assert found == expected
    with CaptureQueriesContext(connection) as queries:
        changelist = _changelist(rf, curator, model_admin, q="famine")[0]
    assert str(changelist.result_count) == "300+"
    # Counted past the cap once, to choose the index order; the paginator does not count again.
    assert sum(" LIMIT 301" in query["sql"] for query in queries) == 1


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("famine", "index"),
        ("famine torture", "index"),
        ("famine OR hunger OR torture", "parts"),  # each alternative weighed by its rarity, in its own order
        ("famine OR the", "index"),  # a stop word alone is no alternative
        ("famine OR hunger OR torture OR refugees", "index"),  # four: scored together, unweighed
        ('famine OR "prison camp"', "parts"),  # two lexemes at most in each
        ("famine -torture -camp", "index"),
        ('"prison camp"', "index"),
        ("Marzuki Darusman", "index"),
        ("U.N.", "index"),  # one lexeme, u.n
        ('"the right to food"', "index"),  # "the" and "to" are stop words: two lexemes
        ("the right to food", "index"),  # the same, as words
        ("famine and torture refugees", "parts"),  # "and" is no one's neighbour
        ("famine torture refugees", "parts"),
        ("lim hye hee", "parts"),
        ("human rights violations abuses", "parts"),
        ('"political prison camp"', "every"),  # one group of three lexemes
        ("camp OR prison labour", "every"),  # three lexemes, spans of two
        ("camp OR lim hye hee", "every"),  # pairs, but the first of three lexemes
        ("Jong-un", "index"),  # scored by jong-un alone, not its parts jong and un
        ("Kang Sang-na", "index"),  # kang, sang-na
        ("Kim Jong-un famine", "parts"),
        ("Kim Jong-un OR Kim famine", "every"),  # alternatives beside other words
    ],
)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's index order is PostgreSQL's")
def test_how_rum_reads_each_query_class(db, query, read, monkeypatch):
    """RUM's index computes a match's distance from the positions it stores, and groups a text's spans of the
    query's words by a hash of pointers, laid out differently in the index and in the row: for three or more
    lexemes its order is not the rank function's (test_rums_index_order_is_not_the_rank_order_for_three_words_together).
    At most two lexemes, or one group of one-lexeme alternatives, are read in the index's order; three or more
    groups of one lexeme each in their neighbouring pairs' orders (each two lexemes); anything else ranks every
    match."""
    monkeypatch.setattr(postgres, "has_rum", lambda table: True)
    parsed = parse(query)
    ranking = postgres.rank_sql("reports_report", "t", parsed, fuzzy=False, restricted=False)
    distance, parts = ranking.distance, ranking.parts
    assert {"index": distance is not None and not parts, "parts": distance is None and bool(parts)}.get(
        read, distance is None and not parts
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's index order is PostgreSQL's")
def test_stop_words_are_no_ones_neighbour(db, monkeypatch):
    """A word with no lexeme ("and", "to") would pair its neighbours with nothing: "right to food" scores as
    "right" near "food", and "famine and torture refugees" as famine-torture plus torture-refugees."""
    monkeypatch.setattr(postgres, "has_rum", lambda table: True)

    def pairs(query):
        return postgres.rank_sql("reports_report", "t", parse(query), fuzzy=False, restricted=False).parts

    assert len(pairs("famine and torture refugees")) == 2 and len(pairs("famine torture refugees camps")) == 3
    assert pairs("the right to food") == ()
    score = postgres.rank_sql("reports_report", "t", parse("the right to food"), fuzzy=False, restricted=False).score
    assert score.count("rum_ts_score") == 2, "two words scored together, as before (s / (1 + s))"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's index order is PostgreSQL's")
def test_rums_index_order_is_not_the_rank_order_for_three_words_together(db):
    """Why three words are not read in RUM's order but in their pairs': two documents of the 100,000-report
    benchmark (their "lim", "hye" and "hee"), which RUM's index returns out of its own distances' order for all
    three words, in order for each two."""
    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE rum_order (id integer, vector tsvector)")
        cursor.execute(
            "INSERT INTO rum_order VALUES (1, 'hee:647,711,715 hye:100,646,710,714,717,721 lim:98,716,719'),"
            " (2, 'hee:388,838,894,898,920,924 hye:839,921,925 lim:836,919,922')"
        )
        cursor.execute("CREATE INDEX ON rum_order USING rum (vector rum_tsvector_ops)")
        cursor.execute("SET LOCAL enable_seqscan = off")

        def distances(words):
            cursor.execute(
                "SELECT vector <=> q FROM rum_order, to_tsquery('simple', %s) q"
                " WHERE vector @@ q ORDER BY vector <=> q",
                [words],
            )
            return [row[0] for row in cursor.fetchall()]

        three, pairs = distances("lim & hye & hee"), [distances("lim & hye"), distances("hye & hee")]
    assert three != sorted(three), "RUM reads three words in rank order now: _in_index_order could allow them"
    assert all(pair == sorted(pair) for pair in pairs), "each neighbouring pair is read in its own order"
    assert not postgres._in_index_order(parse("lim hye hee")) and postgres._in_index_order(parse("lim hye"))
    assert len(postgres.rank_sql("reports_report", "t", parse("lim hye hee"), fuzzy=False, restricted=False).parts) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's index order is PostgreSQL's")
def test_a_phrase_read_in_index_order_is_its_exhaustive_ranking(db):
    """A phrase matches where its words are adjacent and is ordered by its words together, which RUM's index
    returns in rank order (for the phrase operator itself it does not: 0 of the 10 best "prison camp" matches
    at 10,000 reports). Every match, read in the index's order, comes in the exhaustive ranking's order."""
    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    for number in range(40):
        factories.report(
            f"Report {number}" + (" on a prison camp" if number % 7 == 0 else ""),
            summary="The camp and the prison." if number % 3 else "A prison camp, then another prison camp.",
            text=" ".join(
                ["Prison camp conditions." * (number % 4), "The prison held them; the camp was far.", "Camps."][
                    : 1 + number % 3
                ]
            ),
        )
    expected = _exhaustive('"prison camp"')
    assert 20 < len(expected) < 40, "the phrase's words also appear apart, where they do not match"
    with connection.cursor() as cursor:
        # The index's order, not a sort the planner might prefer for so few rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    ranked = search_queryset(Report.objects.readable(), '"prison camp"', restricted=False)
    # By the distance alone, as the engine's own reads are (hrkb.search.postgres.nearest): the index's order.
    ranked = ranked.order_by(postgres.DISTANCE)
    assert "Index Scan using reports_report_search_rum_idx" in ranked.explain()
    found = [(round(report.search_rank, 5), report.pk) for report in ranked]
    assert sorted(found) == sorted((round(score, 5), row_id) for score, row_id in expected)
    assert [score for score, _id in found] == sorted((score for score, _id in found), reverse=True)


def _reports(prefix: str, texts: list[str]) -> list[Report]:
    return Report.objects.bulk_create(
        Report(title=f"Report {prefix} {n}", slug=f"{prefix}-{n}", kind="report", status="published", text=text)
        for n, text in enumerate(texts)
    )


@pytest.fixture
def three_word_corpus(db):
    return three_word_reports()


def three_word_reports() -> list[Report]:
    """Reports best by the sum of "famine torture" and "torture refugees" that neither pair's order reads first.

    Cover density (all in the body): two words side by side score 0.2 / 1.645 per span, a repeat of the same
    span a quarter of that. "famine torture famine torture" scores 0.27 for the first pair (and next to nothing
    for the second, "refugees" being 30 words away); "torture refugees torture refugees" the reverse. The best
    reports, "famine torture refugees torture famine", score 0.24 for each pair: 0.49 in all, above 0.28.
    """
    far = " ".join(["report"] * 30)
    best = _reports("best", ["famine torture refugees torture famine"] * 5)
    _reports("first", [f"famine torture famine torture {far} refugees"] * 40)
    _reports("second", [f"famine {far} torture refugees torture refugees"] * 40)
    _reports(
        "spread",
        [
            " ".join(["famine", *["report"] * (n % 17), "torture", *["report"] * (n * 7 % 13), "refugees"])
            for n in range(200)
        ],
    )
    factories.report("Famine torture refugees draft", summary="Famine torture refugees", status="draft")
    return best


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM's index order is PostgreSQL's")
def test_three_words_read_from_their_pairs_orders_give_the_exhaustive_pages(
    three_word_corpus, client, rf, curator, monkeypatch
):
    """A query of three words is read from the RUM orders of "famine torture" and "torture refugees" until no
    unread match can come first (hrkb.search.postgres.threshold_top): /search/, a list's pages and the admin's
    reads are those of ranking every match by the sum of the pairs' scores."""
    if not postgres.has_rum(Report._meta.db_table):
        pytest.skip("no RUM index here")
    from hrkb.search.engine import ranked_ids

    monkeypatch.setattr(postgres, "PART_DEPTH", 10)
    monkeypatch.setattr(postgres, "PART_DEPTH_PER_ROW", 2)  # reads deeper at this size, as at 100,000 reports
    query = "famine torture refugees"
    expected = _exhaustive(query)
    assert len(expected) == 285 and {row_id for _score, row_id in expected[:5]} == {r.pk for r in three_word_corpus}
    depths, scoring = [], []
    threshold_top = postgres.threshold_top

    def counted(fetch, scores, *args, **options):
        def scored(ids):
            with CaptureQueriesContext(connection) as statements:
                found = scores(ids)
            scoring.extend(statement["sql"] for statement in statements)
            return found

        return threshold_top(lambda index, depth: depths.append(depth) or fetch(index, depth), scored, *args, **options)

    monkeypatch.setattr(postgres, "threshold_top", counted)

    with CaptureQueriesContext(connection) as queries:
        hits = search_all(query, types=["report"], limit=20)
    by_slug = dict(Report.objects.values_list("slug", "pk"))
    assert [(hit.score, by_slug[hit.slug]) for hit in hits] == [(round(s, 6), i) for s, i in expected[:20]]
    sql = [query["sql"] for query in queries]
    assert any("<=>" in statement for statement in sql)
    assert not any("ORDER BY score DESC" in statement for statement in sql), "no statement ranked every match"
    in_order = [statement for statement in sql if "<=>" in statement.rpartition("ORDER BY")[2]]
    assert in_order and not any("rum_ts_score" in statement for statement in in_order), "only the rows kept scored"
    # Every match holds both words of each pair: a pair's read tests the match alone, not the pair again.
    assert all(statement.count("@@") == 1 for statement in in_order)
    assert depths == [40, 40, 160, 160], "40 rows deep each order held only reports strong in it alone"

    readable = search_queryset(Report.objects.readable(), query, restricted=False)
    assert ranked_ids(readable, 0, 20) == [row_id for _score, row_id in expected[:20]]
    assert ranked_ids(readable, 20, 15) == [row_id for _score, row_id in expected[20:35]]

    seen, url = [], f"/api/v1/reports/?search={query}&page_size=40"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [by_slug[row["slug"]] for row in response.json()["results"]]
        url = response.json()["next"]
    assert seen == [row_id for _score, row_id in expected]
    # The rows read passed the list's filters on the way: scored by key alone, not under the match again, which
    # PostgreSQL may test by reading every match from the search index.
    assert scoring and not any("@@" in statement for statement in scoring)

    # The admin's list, paged from the pairs' orders as long as the engine's matches fill it (hrkb.search.admin).
    from hrkb.admin import EstimatedCountPaginator

    monkeypatch.setattr(postgres, "MOST", 0.0)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_AT_MOST", 100)
    with connection.cursor() as cursor:
        # The rule reads the planner's estimates, as autovacuum keeps them (before the table's first ANALYZE it
        # has none, and the test passed only after another had run one).
        cursor.execute("ANALYZE reports_report")
    everything = list(search_queryset(Report.objects.all(), query).values_list("pk", flat=True))  # ranks every match
    depths.clear()
    model_admin = admin.site._registry[Report]
    for page in (1, 2):
        changelist = _changelist(rf, curator, model_admin, q=query, p=page)[0]
        size = changelist.list_per_page
        assert [report.pk for report in changelist.result_list] == everything[(page - 1) * size : page * size]
    assert depths, "read from the pairs' orders"
