"""Spreadsheets of records (django-import-export): the one base every app's resources declare on.

A spreadsheet names records the way fixtures and URLs do — by slug, or by
the natural key of a row that has none ("event/actor/role" for a
participant) — never by database id, so a file exported from one database
imports into another, and a person can read and write it. Dates are written
at their precision ("2014", "2014-02", "2014-02-17"); many-to-many values are
slugs joined with ``|``; a text's lines end with LF, as every stored text's do
(:mod:`hrkb.text`). Every export adds ``admin_url`` and ``api_url`` columns (an
API address only for records partners can read).

Importing (:class:`HRKBResource`): rows are matched by their natural key,
checked as forms check them (``full_clean``: a citation's passage must be in
its source's text), and held to the publish rule (:mod:`hrkb.sourcing`); an
unchanged row is reported and not saved, so importing the same file twice
changes nothing; history records each saved row with the importing user and
the file's name; a file with any bad row imports nothing (one transaction).
The admin shows the dry run row by row before anything is applied; the
``import_records`` command does the same for maintainers.
"""

from __future__ import annotations

from collections import OrderedDict

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from import_export import fields, resources, widgets

from . import sourcing
from .dates import PartialDate, PartialDateField
from .history import reason_text
from .public_types import for_model
from .text import lf_lines

SEPARATOR = "|"
KEY_SEPARATOR = "/"


def _has_slug(model) -> bool:
    return any(field.name == "slug" for field in model._meta.concrete_fields)


def _key_text(record) -> str:
    if _has_slug(type(record)):
        return record.slug
    return KEY_SEPARATOR.join(str(part) for part in record.natural_key())


class KeyWidget(widgets.ForeignKeyWidget):
    """A related record by its slug, or by its natural key joined with "/" (a participant: event/actor/role)."""

    def __init__(self, model, **kwargs):
        super().__init__(model, field="slug" if _has_slug(model) else "pk", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        manager = self.model._default_manager
        try:
            if _has_slug(self.model):
                return manager.get(slug=text)
            return manager.get_by_natural_key(*text.split(KEY_SEPARATOR))
        except (ObjectDoesNotExist, TypeError, ValueError):
            noun = self.model._meta.verbose_name
            shape = "slug" if _has_slug(self.model) else f"key (its slugs joined with {KEY_SEPARATOR!r})"
            raise ValueError(f"no {noun} has the {shape} {text!r}") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else _key_text(value)


class KeysWidget(widgets.ManyToManyWidget):
    """Several related records by slug, joined with "|"."""

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=SEPARATOR, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        slugs = [part.strip() for part in str(value or "").split(SEPARATOR) if part.strip()]
        found = {record.slug: record for record in self.model._default_manager.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            noun = self.model._meta.verbose_name_plural
            raise ValueError(f"no {noun} with the slug {', '.join(repr(slug) for slug in missing)}")
        return [found[slug] for slug in slugs]

    def render(self, value, obj=None, **kwargs):
        return SEPARATOR.join(record.slug for record in value.all()) if value is not None else ""


class PartialDateWidget(widgets.Widget):
    """A date at its precision: YYYY, YYYY-MM or YYYY-MM-DD (a spreadsheet's own dates are read as days)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if hasattr(value, "year") and not isinstance(value, PartialDate):  # a spreadsheet's date cell
            return PartialDate(value.year, value.month, value.day)
        return PartialDate.parse(str(value).strip())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TextWidget(widgets.CharWidget):
    """A text with its lines ended as stored texts end them (LF), where a spreadsheet's cell may end them with CR LF."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return lf_lines(value) if isinstance(value, str) else value


class HRKBResource(resources.ModelResource):
    """The spreadsheet of one kind of record; subclasses name the model, the columns and the key columns."""

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        return TextWidget if isinstance(f, models.TextField) else super().widget_from_django_field(f, default)

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        if django_field.is_relation:
            model = django_field.related_model
            widget = KeysWidget(model) if django_field.many_to_many else KeyWidget(model)
            return fields.Field(attribute=field_name, column_name=field_name, widget=widget, readonly=readonly)
        if isinstance(django_field, PartialDateField):
            return fields.Field(
                attribute=field_name, column_name=field_name, widget=PartialDateWidget(), readonly=readonly
            )
        return super().field_from_django_field(field_name, django_field, readonly)

    def get_export_order(self):
        # The columns in the order the resource lists them, then the URLs.
        listed = tuple(self._meta.fields or ())
        return listed + tuple(name for name in self.fields if name not in listed)

    def init_instance(self, row=None):
        instance = super().init_instance(row)
        proxy_kind = getattr(self._meta.model, "proxy_kind", None)
        if proxy_kind:  # a person or an organisation: its kind is its sheet's
            instance.kind = proxy_kind
        return instance

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Export-only columns: where a reader finds the record.
        self.fields = OrderedDict(self.fields)
        self.fields["admin_url"] = fields.Field(column_name="admin_url", readonly=True, dehydrate_method="admin_url")
        if for_model(self._meta.model) is not None or hasattr(self._meta.model, "proxy_kind"):
            self.fields["api_url"] = fields.Field(column_name="api_url", readonly=True, dehydrate_method="api_url")

    def get_user_visible_fields(self):
        # The import preview's columns: what a sheet can set (not the export-only URLs).
        return [field for field in super().get_user_visible_fields() if not field.readonly]

    def admin_url(self, record) -> str:
        opts = record._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        except NoReverseMatch:
            return ""

    def api_url(self, record) -> str:
        getter = getattr(record, "get_absolute_url", None)
        # Drafts and restricted records have an address, but partners are not shown them.
        return getter() if getter and getattr(record, "is_public", False) else ""

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = kwargs.get("user")
        file_name = kwargs.get("file_name")
        instance._change_reason = reason_text(f"Imported from {file_name}" if file_name else "Imported")

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        # Judged once the row is saved: the rule reads the record's citations from the database.
        lines = sourcing.unmet(instance)
        if lines:
            message = f"cannot be published without a source for {'; '.join(lines)}"
            raise ValidationError({"status": [message]} if hasattr(instance, "status") else message)


def describe_result(resource: HRKBResource, result) -> list[str]:
    """The dry run or the import, row by row: new, changed (old → new per column), unchanged, or its errors."""
    from import_export.results import RowResult

    lines = []
    import_fields = resource.get_import_fields()
    for number, row in enumerate(result.rows, 1):
        where = f"row {number + 1}"  # the header is row 1, as a spreadsheet numbers it
        kind = row.import_type
        if kind == RowResult.IMPORT_TYPE_NEW:
            lines.append(f"{where}: new: {row.object_repr}")
        elif kind == RowResult.IMPORT_TYPE_UPDATE:
            changes = []
            if row.original is not None and row.instance is not None:
                for field in import_fields:
                    old, new = resource.export_field(field, row.original), resource.export_field(field, row.instance)
                    if old != new:
                        changes.append(f"{field.column_name}: {old!r} → {new!r}")
            lines.append(f"{where}: changed: {row.object_repr}" + (f" ({'; '.join(changes)})" if changes else ""))
        elif kind == RowResult.IMPORT_TYPE_SKIP:
            lines.append(f"{where}: unchanged: {row.object_repr or ''}".rstrip())
        elif kind == RowResult.IMPORT_TYPE_INVALID:
            for column, messages in row.validation_error.message_dict.items():
                name = "row" if column == "__all__" else f"column {column}"
                lines.append(f"{where}: error in {name}: {' '.join(messages)}")
        else:
            for error in row.errors:
                lines.append(f"{where}: error: {error.error}")
    for error in result.base_errors:
        lines.append(f"file: error: {error.error}")
    return lines


# The sheets maintainers name on the command line (import_records, export_records): dotted paths, resolved
# on use, since the resources live in the apps downstream of this package.
SHEETS = {
    "people": "actors.resources.PersonResource",
    "organisations": "actors.resources.OrganisationResource",
    "aliases": "actors.resources.AliasResource",
    "memberships": "actors.resources.MembershipResource",
    "reports": "reports.resources.ReportResource",
    "topics": "reports.resources.TopicResource",
    "authorships": "reports.resources.AuthorshipResource",
    "quotes": "reports.resources.QuoteResource",
    "events": "events.resources.EventResource",
    "participants": "events.resources.ParticipantResource",
    "mentions": "sources.resources.MentionResource",
}
CITATION_SHEET_PREFIX = "citations-"


def sheet_names() -> list[str]:
    from sources.resources import citation_resources

    return [*SHEETS, *(f"{CITATION_SHEET_PREFIX}{fact}" for fact in citation_resources())]


def sheet_resource(name: str) -> type[HRKBResource]:
    """The resource of a sheet named as on the command line ("people", "citations-membership"…)."""
    from django.utils.module_loading import import_string

    if name.startswith(CITATION_SHEET_PREFIX):
        from sources.resources import citation_resources

        found = citation_resources().get(name.removeprefix(CITATION_SHEET_PREFIX))
        if found:
            return found
    elif name in SHEETS:
        return import_string(SHEETS[name])
    raise LookupError(f"unknown sheet {name!r} (known: {', '.join(sheet_names())})")
