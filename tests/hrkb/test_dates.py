"""Partial dates: stored with their precision, ordered and filtered by the earliest day covered."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from actors.models import Membership
from hrkb.dates import DatePrecision, PartialDate, PartialDateFormField
from tests import factories


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest", "display"),
    [
        ("2007", DatePrecision.YEAR, datetime.date(2007, 1, 1), datetime.date(2007, 12, 31), "2007"),
        ("2016-01", DatePrecision.MONTH, datetime.date(2016, 1, 1), datetime.date(2016, 1, 31), "January 2016"),
        ("2016-02", DatePrecision.MONTH, datetime.date(2016, 2, 1), datetime.date(2016, 2, 29), "February 2016"),
        ("2018-06-12", DatePrecision.DAY, datetime.date(2018, 6, 12), datetime.date(2018, 6, 12), "12 June 2018"),
    ],
)
def test_partial_date_parses_and_displays_at_its_precision(text, precision, earliest, latest, display):
    value = PartialDate.parse(text)
    assert value.precision == precision
    assert (value.earliest, value.latest) == (earliest, latest)
    assert value.display() == display
    assert str(value) == text


@pytest.mark.parametrize(
    "text", ["", "07", "2014-13", "2014-00", "2014-02-00", "2014-02-30", "2014/02/01", "22 February 2014", "2014-2"]
)
def test_invalid_partial_dates_are_refused(text):
    with pytest.raises(ValueError, match=r"YYYY|not a valid date"):
        PartialDate.parse(text)


def test_partial_dates_sort_by_earliest_day_then_coarser_first():
    values = [PartialDate.parse(text) for text in ["2014-02-22", "2014", "2013-12-31", "2014-02", "2014-01-01"]]
    assert [str(value) for value in sorted(values)] == ["2013-12-31", "2014", "2014-01-01", "2014-02", "2014-02-22"]


@pytest.mark.django_db
def test_partial_date_round_trips_through_the_database_with_its_precision():
    for text in ["2007", "2016-01", "2018-06-12"]:
        saved = factories.membership(start=text)
        loaded = Membership.objects.get(pk=saved.pk)
        assert loaded.start == PartialDate.parse(text)
        assert loaded.start_precision == PartialDate.parse(text).precision


@pytest.mark.django_db
def test_a_date_loaded_without_its_precision_column_is_not_read_as_a_day(django_assert_num_queries):
    saved = factories.membership(start="2016-01")
    loaded = Membership.objects.only("start").get(pk=saved.pk)
    # The precision column is fetched when the date is read (one query), never guessed as a day.
    with django_assert_num_queries(1):
        assert str(loaded.start) == "2016-01"
    with django_assert_num_queries(0):
        assert loaded.start.display() == "January 2016"
    assert str(Membership.objects.only("start", "start_precision").get(pk=saved.pk).start) == "2016-01"


@pytest.mark.django_db
def test_database_ordering_and_filters_use_the_earliest_day():
    by_text = {text: factories.membership(start=text) for text in ["2014-02-22", "2014", "2013-12-31", "2014-02"]}
    ordered = Membership.objects.filter(pk__in=[m.pk for m in by_text.values()]).order_by("start", "start_precision")
    assert str(ordered.first().start) == "2013-12-31"
    assert {str(m.start) for m in ordered} == set(by_text)

    def starts(**lookup):
        return sorted(str(m.start) for m in Membership.objects.filter(**lookup))

    # "2014-02" covers 1–29 February: it starts on the 1st, so it is on or after 2014-02-01 ...
    assert starts(start__gte=datetime.date(2014, 2, 1)) == ["2014-02", "2014-02-22"]
    # ... but not after the 2nd, although some of its days are.
    assert starts(start__gte="2014-02-02") == ["2014-02-22"]
    assert starts(start__lte=datetime.date(2014, 1, 1)) == ["2013-12-31", "2014"]
    assert starts(start__year=2014) == ["2014", "2014-02", "2014-02-22"]
    assert starts(start__gte=PartialDate(2014)) == ["2014", "2014-02", "2014-02-22"]


@pytest.mark.django_db
def test_assigning_a_partial_date_keeps_the_precision_column_in_step():
    member = factories.membership(start="2014-02-22")
    member.start = PartialDate(2010)
    member.save()
    member.refresh_from_db()
    assert (str(member.start), member.start_precision) == ("2010", "year")


@pytest.mark.django_db
def test_model_validation_reports_a_malformed_date():
    member = factories.membership()
    member.start = "February 2014"
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "start" in error.value.message_dict


def test_form_field_reads_and_writes_the_iso_form():
    field = PartialDateFormField(required=False)
    assert field.clean("2014-02") == PartialDate(2014, 2)
    assert field.prepare_value(PartialDate(2014, 2, 22)) == "2014-02-22"
    with pytest.raises(ValidationError, match="YYYY"):
        field.clean("Feb 2014")
