"""Where each record is read in the workbench, and what its badges say.

Every research view links a record to its dossier (a person, an organisation,
a report, an event) or to the place in a dossier where a fact is shown (a
membership on its person's dossier, a participant on its event's); these
helpers are the one place those addresses are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from actors.choices import ActorKind
from actors.models import Actor, Alias, Membership
from events.models import Event, Participant
from hrkb.models import Status
from hrkb.routes import url_for
from reports.models import Authorship, Quote, Report, Topic


def actor_dossier_url(slug: str, kind: str) -> str:
    name = "research_person" if kind == ActorKind.PERSON else "research_organisation"
    return url_for(f"admin:{name}", slug)


def report_dossier_url(slug: str) -> str:
    return url_for("admin:research_report", slug)


def event_dossier_url(slug: str) -> str:
    return url_for("admin:research_event", slug)


def text_url(report_slug: str, anchor: str = "") -> str:
    """The source viewer of a report, opened at ``anchor`` (``m-12``, ``c-membership-3``) if given."""
    url = url_for("admin:research_text", report_slug)
    return f"{url}#{anchor}" if anchor else url


def dossier_url(record: models.Model | None) -> str | None:
    """The dossier of ``record``, or the place in a dossier where it is shown; None for what has neither.

    Callers load the relations used here (a membership's person, a quote's speaker) with the record.
    """
    if record is None:
        return None
    if isinstance(record, Actor):
        return actor_dossier_url(record.slug, record.kind)
    if isinstance(record, Report):
        return report_dossier_url(record.slug)
    if isinstance(record, Event):
        return event_dossier_url(record.slug)
    if isinstance(record, Membership):
        return f"{actor_dossier_url(record.person.slug, ActorKind.PERSON)}#membership-{record.pk}"
    if isinstance(record, Participant):
        return f"{event_dossier_url(record.event.slug)}#participant-{record.pk}"
    if isinstance(record, Quote):
        return f"{actor_dossier_url(record.speaker.slug, ActorKind.PERSON)}#quote-{record.pk}"
    if isinstance(record, Alias):
        return dossier_url(record.actor)
    if isinstance(record, Authorship):
        return report_dossier_url(record.report.slug)
    if isinstance(record, Topic):
        return f"{reverse('admin:research_timeline')}?topic={record.slug}"
    return None


@dataclass(frozen=True)
class CitationKind:
    """One of the citation tables: which kind of fact it supports and how that fact is named."""

    name: str  # the fact's model name: membership, participant, quote, report, event
    model: type[models.Model]

    @property
    def fact_model(self) -> type[models.Model]:
        return self.model._meta.get_field("subject").related_model

    @property
    def label(self):
        return self.fact_model._meta.verbose_name

    @property
    def value_claims(self) -> frozenset[str]:
        """Claims about one of the fact's own fields (its date, its role): where sources can disagree on a value.

        A claim such as "finding" says what else a source reports; different values there are not rivals.
        """
        names = {field.name for field in self.fact_model._meta.get_fields() if not field.auto_created}
        return frozenset(names | {name.removesuffix("s") for name in names})

    @property
    def subject_related(self) -> list[str]:
        """What ``str()`` and :func:`dossier_url` of a fact read: its own foreign keys (a membership's person...)."""
        return ["subject", *(f"subject__{f.name}" for f in self.fact_model._meta.concrete_fields if f.many_to_one)]

    @property
    def subject_deferred(self) -> list[str]:
        """Full texts a fact's row would drag along: the report's own, or its source's."""
        paths = ["subject__text"] if self.fact_model is Report else []
        return paths + [
            f"subject__{f.name}__text" for f in self.fact_model._meta.concrete_fields if f.related_model is Report
        ]

    @property
    def admin_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"


@cache
def citation_kinds() -> dict[str, CitationKind]:
    """The citation tables by the name of the fact they support, derived from the models (never listed)."""
    from sources.models import Citation

    found = [model for model in apps.get_models() if issubclass(model, Citation)]
    kinds = [CitationKind(model._meta.get_field("subject").related_model._meta.model_name, model) for model in found]
    order = ["membership", "participant", "quote", "report", "event", "actor"]
    return {kind.name: kind for kind in sorted(kinds, key=lambda k: order.index(k.name) if k.name in order else 99)}


def citation_anchor(kind: str, pk: int) -> str:
    """The id of a citation in the source viewer: citation ids repeat across the five tables."""
    return f"c-{kind}-{pk}"


def mention_anchor(pk: int) -> str:
    return f"m-{pk}"


def badges(record, *, status: str | None = None, restricted: bool | None = None):
    """The draft and restricted badges of a record (nothing for a published, unrestricted one)."""
    status = getattr(record, "status", None) if status is None else status
    restricted = getattr(record, "restricted", False) if restricted is None else restricted
    parts = []
    if status == Status.DRAFT:
        parts.append(("badge badge-draft", _("draft")))
    if restricted:
        parts.append(("badge badge-restricted", _("restricted")))
    return format_html_join(" ", '<span class="{}">{}</span>', parts)


def record_link(record, text=None):
    """A link to a record's dossier (or its admin page when it has none), with its badges."""
    from hrkb.admin import admin_url

    if record is None:
        return "—"
    url = dossier_url(record) or admin_url(record)
    text = str(record) if text is None else text
    link = format_html('<a href="{}">{}</a>', url, text) if url else text
    marks = badges(record)
    return format_html("{} {}", link, marks) if marks else link
