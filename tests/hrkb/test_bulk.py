"""Many rows written at once (hrkb.bulk): through COPY on PostgreSQL, stored exactly as bulk_create stores them."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from actors.models import Person
from hrkb.bulk import copy_rows, create_copied
from hrkb.changelog import LOG_TABLE
from hrkb.dates import PartialDate
from reports.models import Authorship, Report
from tests import factories

pytestmark = pytest.mark.django_db


def _report(number: int, **values) -> Report:
    return Report(
        slug=f"copied-{number}",
        title=f"Copied report {number}",
        kind="article",
        text="Line one,\twith a tab and a backslash \\ and “quotes”.\nLine two.\r\n\x7f",
        summary="",
        published=PartialDate(2019, 5),
        **values,
    )


def _stored(report: Report) -> dict:
    stored = Report.objects.get(pk=report.pk)
    return model_to_dict(stored, exclude=["id", "slug", "title", "publishers", "topics", "references"])


def test_copied_rows_are_stored_as_bulk_create_stores_them():
    copied = create_copied(Report, [_report(1), _report(2, restricted=True, language="ko")])
    created = Report.objects.bulk_create([_report(3), _report(4, restricted=True, language="ko")])

    assert [report.pk for report in copied] == sorted(report.pk for report in copied)
    assert all(not report._state.adding and report._state.db == "default" for report in copied)
    assert _stored(copied[0]) == _stored(created[0])
    assert _stored(copied[1]) == _stored(created[1])
    assert Report.objects.get(pk=copied[0].pk).text == _report(1).text
    assert Report.objects.get(pk=copied[0].pk).published == _report(1).published
    # The keys were the sequence's: the next record takes the one after.
    assert factories.report("After").pk > max(report.pk for report in [*copied, *created])


def test_copied_rows_fire_the_tables_triggers():
    """The change log (the partner feed) sees copied reports as it sees inserted ones."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{LOG_TABLE}"')
        before = cursor.fetchone()[0]
    create_copied(Report, [_report(1), _report(2)])
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{LOG_TABLE}"')
        assert cursor.fetchone()[0] > before


def test_a_related_object_gives_its_key_and_an_unsaved_one_is_refused():
    report = factories.report("Bylined")
    person = factories.person("Kim Copied")
    [authorship] = create_copied(Authorship, [Authorship(report=report, person=person, position=1)])
    assert Authorship.objects.get(pk=authorship.pk).person_id == person.pk

    with pytest.raises(ValueError, match="unsaved related object"):
        create_copied(Authorship, [Authorship(report=report, person=Person(name="Not saved"), position=2)])


def test_copy_rows_writes_plain_values():
    report = factories.report("Mentioning")
    person = factories.person("Lee Mentioned")
    copy_rows(
        connection,
        "sources_mention",
        ("report_id", "start", "end", "text", "actor_id", "origin"),
        [(report.pk, 0, 10, "Lee Mentio", person.pk, "linked")],
    )
    assert list(report.mentions.values_list("text", "actor_id")) == [("Lee Mentio", person.pk)]
