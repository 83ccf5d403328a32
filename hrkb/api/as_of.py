"""``?as_of=`` on a detail: the record as it stood at a moment, from its history.

The record's own fields come from the version of its history that stood at
that moment, and so do its many-to-many links that history keeps (a report's
publishers, topics and references; an event's related reports and topics);
other related rows (memberships, citations, authors…) are shown as they are
now. The record must be readable now and must have been readable then
(:mod:`hrkb.access`): a draft's past is never served, nor is a version from
before the record was published.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from hrkb import access
from hrkb.history import parse_moment, version_as_of
from hrkb.public_types import for_model, readable_q

from .loading import summary_name

PARAMETER = "as_of"
AS_OF = OpenApiParameter(
    PARAMETER,
    OpenApiTypes.STR,
    required=False,
    description=(
        "Show the record as it stood at this moment: a date (YYYY-MM-DD, the end of that day) or an ISO 8601 "
        "date and time. Its own fields and its publishers, topics, references and related reports come from "
        "its history; other related rows are shown as they are now. 404 when it was not published then."
    ),
)


def moment_from(value: str):
    moment = parse_moment(value)
    if moment is None:
        raise ValidationError({PARAMETER: [_("Give a date (YYYY-MM-DD) or a date and time (ISO 8601).")]})
    return moment


def as_of_rows(view, record, moment) -> tuple[list[tuple], object]:
    """The plan's rows for ``record`` as it stood at ``moment``, and that version; 404 when there is none to show."""
    version = version_as_of(record, moment)
    if version is None or not access.is_readable(version, restricted=view.cleared):
        raise Http404(_("This record was not published at that time."))
    return view.plan.fetch(type(version)._base_manager.filter(history_id=version.history_id)), version


def with_links_as_of(data: dict, version, context, *, cleared: bool) -> dict:
    """``data`` with the many-to-many lists history keeps replaced by those of ``version``."""
    for field in getattr(type(version), "_history_m2m_fields", ()):
        if field.name not in data:
            continue
        related = field.related_model
        target = field.m2m_reverse_field_name()
        ids = [getattr(row, f"{target}_id") for row in getattr(version, field.name).all()]
        type_name = for_model(related).name
        name = summary_name(related)
        rows = (
            related._default_manager.filter(pk__in=ids)
            .filter(readable_q(related, restricted=cleared))
            .order_by("slug")
            .values_list("slug", name)
        )
        data[field.name] = [context.summary(type_name, slug, label) for slug, label in rows]
    return data
