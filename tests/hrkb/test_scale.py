"""hrkb.scale's query shapes: the same rows as the plain ORM, in the shape PostgreSQL reads fast."""

import pytest
from django.db import connection
from django.db.models.functions import Length

from hrkb.scale import among, by_key, read_keys, serial, through_trigrams
from reports.models import Report
from sources.models import Mention
from tests import factories

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner and types")


@pytest.fixture
def mentions():
    kim, kirby = factories.person("Kim Il-sung"), factories.person("Michael Kirby")
    first = factories.report("First", text="Kim Il-sung and Michael Kirby.")
    second = factories.report("Second", text="Kim Il-sung alone.")
    of_first = [
        factories.mention(first, "Kim Il-sung", actor=kim),
        factories.mention(first, "Michael Kirby", actor=kirby),
    ]
    return of_first, [factories.mention(second, "Kim Il-sung", actor=kim)]


def test_among_a_list_or_a_subquery_finds_the_rows_the_orm_finds(mentions):
    of_first, of_second = mentions
    report = of_first[0].report
    assert set(Mention.objects.filter(among("report", [report.pk]))) == set(of_first)
    assert set(Mention.objects.filter(among("report", Report.objects.filter(pk=report.pk).values("pk")))) == set(
        of_first
    )
    assert not Mention.objects.filter(among("report", [])).exists()
    assert set(Mention.objects.filter(among("report", [of_second[0].report_id, 0]))) == set(of_second)


@postgresql_only
def test_among_a_list_is_an_array_of_the_columns_type(mentions):
    """The driver types small integers int4[]; bigint = ANY(int4[]) is not hashed, so each row would scan it."""
    sql, _params = Mention.objects.filter(among("report", [1, 2])).query.sql_with_params()
    assert '"sources_mention"."report_id" = ANY(%s::bigint[])' in sql


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_through_trigrams_reads_a_word_from_its_trigram_index_then_sets_the_planner_back(mentions):
    """The planner would read the title's B-tree whole, testing upper() on every title (priced as one operator)."""
    query = "SELECT id FROM reports_report WHERE UPPER(title::text) LIKE UPPER('%first%')"
    before = _setting("enable_seqscan"), _setting("enable_indexonlyscan")
    with through_trigrams():
        assert "reports_report_title_trgm" in _plan(query)
        with through_trigrams():
            pass
        assert (_setting("enable_seqscan"), _setting("enable_indexonlyscan")) == ("off", "off"), "the outer block's"
    assert (_setting("enable_seqscan"), _setting("enable_indexonlyscan")) == before


def test_read_keys_reads_a_querysets_keys_as_the_orm_does(mentions):
    (kim, kirby), (alone,) = mentions
    first, second = (Mention.objects.filter(pk=mention.pk).order_by().values("pk") for mention in (kim, alone))
    union = first.union(second)
    assert sorted(read_keys(union)) == sorted(row["pk"] for row in union) == sorted([kim.pk, alone.pk])
    assert read_keys(Mention.objects.order_by("pk").values("pk")[:2]) == [kim.pk, kirby.pk]


def test_by_key_reads_rows_already_chosen_once_each_in_the_querysets_order_with_the_annotations_named():
    famine, camps = factories.topic("Famine"), factories.topic("Camps")
    both, one = factories.report("Both", topics=[famine, camps]), factories.report("One", topics=[famine])
    factories.report("Neither")
    # Chosen through a many-to-many join that matches "Both" twice; read again, each row comes once.
    chosen = (
        Report.objects.filter(topics__in=[famine, camps])
        .annotate(letters=Length("title"), other=Length("slug"))
        .order_by("-letters", "pk")
    )
    again = by_key(chosen, [one.pk, both.pk], "letters")
    assert list(again.values_list("pk", "letters")) == [(both.pk, 4), (one.pk, 3)]
    assert "other" not in again.query.annotations


@postgresql_only
def test_serial_runs_without_parallel_workers_then_sets_them_back():
    """Inside a transaction (a request's, a test's): SET LOCAL would hold to its end, past the block."""
    before = _setting("max_parallel_workers_per_gather")
    with serial():
        assert _setting("max_parallel_workers_per_gather") == "0"
    assert _setting("max_parallel_workers_per_gather") == before != "0"
