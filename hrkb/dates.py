"""Partial dates: "2007", "January 2016", "12 June 2018".

Sources rarely give a full date, so every date in the knowledge base is a
:class:`PartialDate` (a day, month or year) stored by :class:`PartialDateField`.

The field keeps the earliest day the value covers in an ordinary date column,
so ordering, range filters, indexes and the admin's date hierarchy work as for
any ``DateField``, and adds a companion ``<name>_precision`` column that says
how much of that day is known. The written form is ISO 8601 at the stored
precision (``2014``, ``2014-02``, ``2014-02-22``), which is also EDTF level 0,
so fixtures, forms and the API all read and write the same short strings.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


_PARTIAL_DATE_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self):
        if self.day is not None and self.month is None:
            raise ValueError("a partial date with a day needs a month")
        # 0 is not "unknown": an unknown month or day is left out, never written as 00.
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError("month must be in 1..12")
        if self.day is not None and self.day < 1:
            raise ValueError("day is out of range for month")
        # Building the earliest day validates month and day ranges.
        datetime.date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, value: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        match = _PARTIAL_DATE_RE.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        parts = {key: int(part) for key, part in match.groupdict().items() if part}
        try:
            return cls(**parts)
        except ValueError as error:
            raise ValueError(f"{value!r} is not a valid date: {error}") from None

    @classmethod
    def from_date(cls, day: datetime.date, precision: str = DatePrecision.DAY) -> PartialDate:
        if precision == DatePrecision.YEAR:
            return cls(day.year)
        if precision == DatePrecision.MONTH:
            return cls(day.year, day.month)
        return cls(day.year, day.month, day.day)

    @classmethod
    def coerce(cls, value) -> PartialDate | None:
        """Accept what callers, forms, fixtures and the database hand over."""
        if value is None or value == "":
            return None
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return cls.from_date(value)
        if isinstance(value, str):
            return cls.parse(value)
        raise TypeError(f"cannot read a partial date from {value!r}")

    @property
    def precision(self) -> str:
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    @property
    def earliest(self) -> datetime.date:
        """The first day the value covers; what ordering and filters use."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> datetime.date:
        """The last day the value covers."""
        if self.day is not None:
            return self.earliest
        month = self.month or 12
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def isoformat(self) -> str:
        return str(self)

    def display(self) -> str:
        """A reader's rendering at the stored precision: "22 February 2014"."""
        if self.month is None:
            return str(self.year)
        month = MONTHS[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def _sort_key(self):
        # Coarser values first on the same earliest day: "2014" before "2014-01-01".
        return (self.earliest, self.day is not None, self.month is not None)

    def __lt__(self, other):
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __le__(self, other):
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._sort_key() <= other._sort_key()


class PartialDateFormField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD.")}

    def __init__(self, **kwargs):
        # No max_length: its validator would run on the PartialDate, not the text.
        kwargs.pop("max_length", None)
        kwargs.setdefault("help_text", _("YYYY, YYYY-MM or YYYY-MM-DD, as precise as the source."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "YYYY[-MM[-DD]]")
        self.widget.attrs.setdefault("size", 12)
        self.widget.attrs.setdefault("maxlength", 10)

    def prepare_value(self, value):
        return "" if value is None else str(value)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return PartialDate.coerce(value)
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class DatePrecisionField(models.CharField):
    """The companion column that :class:`PartialDateField` adds for itself.

    It appears in migrations like any field, but it is derived from the date
    it belongs to: it is neither edited in forms nor written in fixtures.
    """

    def __init__(self, *args, **kwargs):
        kwargs.update(max_length=5, choices=DatePrecision.choices, blank=True, default="", editable=False)
        kwargs.setdefault("serialize", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "choices", "blank", "default", "editable", "serialize"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        # Historical models (migrations, django-simple-history) list this
        # column explicitly although the date field already added it.
        if any(field.name == name for field in cls._meta.local_fields):
            return
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _PrecisionDescriptor(self.attname))


def _unconfirmed(precision_name: str) -> str:
    """The instance key that marks a date read from the database before its precision column."""
    return f"_{precision_name}_unconfirmed"


class _PartialDateDescriptor:
    """Keeps a PartialDate on the instance and the companion column in step."""

    def __init__(self, field: PartialDateField):
        self.name = field.attname
        self.precision_name = field.precision_name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if instance.__dict__.pop(_unconfirmed(self.precision_name), False):
            # Loaded by only() or defer() without its precision column: "2018-06" would read as
            # 1 June 2018. Load the precision (a query) rather than show a day no source gave.
            instance.refresh_from_db(fields=[self.precision_name])
        return instance.__dict__.get(self.name)

    def __set__(self, instance, value):
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            # A bare date comes from the database, before or after its precision.
            precision = instance.__dict__.get(self.precision_name)
            if not precision:
                # Until the precision column is assigned too (as every load but a deferred one does).
                instance.__dict__[_unconfirmed(self.precision_name)] = True
            value = PartialDate.from_date(value, precision or DatePrecision.DAY)
        else:
            try:
                value = PartialDate.coerce(value)
            except (TypeError, ValueError):
                # Leave invalid input in place for full_clean() to report.
                instance.__dict__[self.name] = value
                return
        instance.__dict__[self.name] = value
        instance.__dict__[self.precision_name] = value.precision if value else ""


class _PrecisionDescriptor:
    def __init__(self, attname: str):
        self.name = attname
        self.date_name = attname.removesuffix("_precision")

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance.__dict__.get(self.name, "")

    def __set__(self, instance, value):
        instance.__dict__.pop(_unconfirmed(self.name), None)
        # Model.__init__ assigns the field default ("") after the date; ignore it.
        if not value:
            instance.__dict__.setdefault(self.name, "")
            return
        instance.__dict__[self.name] = value
        current = instance.__dict__.get(self.date_name)
        if isinstance(current, PartialDate) and current.precision != value:
            instance.__dict__[self.date_name] = PartialDate.from_date(current.earliest, value)


class PartialDateField(models.DateField):
    """A :class:`PartialDate`, stored as its earliest day plus a precision column."""

    description = _("Partial date (year, month or day)")

    @property
    def precision_name(self) -> str:
        return f"{self.name}_precision"

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract and not any(f.name == self.precision_name for f in cls._meta.local_fields):
            cls.add_to_class(self.precision_name, DatePrecisionField(verbose_name=f"{self.verbose_name} precision"))
        setattr(cls, self.attname, _PartialDateDescriptor(self))

    def to_python(self, value):
        try:
            return PartialDate.coerce(value)
        except (TypeError, ValueError) as error:
            raise ValidationError(str(error), code="invalid") from None

    def get_prep_value(self, value):
        # Lookups and saves compare on the earliest day covered.
        value = self.to_python(value)
        return value.earliest if value else None

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        return models.Field.formfield(self, form_class=PartialDateFormField, **kwargs)
