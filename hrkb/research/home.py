"""The researcher's home page: search, what changed lately, how much there is, and what needs review."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from django.urls import reverse

from actors.models import Actor, Alias, Membership, Organisation, Person
from events.models import Event, Participant
from hrkb.models import Status
from hrkb.scale import Estimate, whole_count
from reports.models import Authorship, Quote, Report, Topic
from sources.models import Mention

from . import claims
from .records import citation_kinds, dossier_url

RECENT = 15


@dataclass
class Change:
    entry: object  # a historical record
    model: type
    label: str
    url: str | None
    changes: list[str]

    @property
    def model_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def type(self) -> str:
        return {"+": "added", "~": "changed", "-": "deleted"}.get(self.entry.history_type, "")


def _history_models() -> list[type]:
    curated = [Actor, Alias, Membership, Report, Authorship, Quote, Topic, Event, Participant]
    return [*curated, *(kind.model for kind in citation_kinds().values())]


def recent_changes(limit: int = RECENT) -> list[Change]:
    """The latest entries of every history table, newest first, with the fields each changed."""
    rows = []
    for model in _history_models():
        history = model.history.model
        latest = history.objects.select_related("history_user").order_by("-history_date")[:limit]
        rows.append([(entry.history_date, id(entry), entry, model) for entry in latest])
    changes = []
    for _date, _key, entry, model in heapq.nlargest(limit, (row for table in rows for row in table)):
        instance = entry.instance
        if isinstance(instance, Actor):
            instance = (Person if instance.kind == "person" else Organisation)(
                **{f.attname: getattr(instance, f.attname) for f in Actor._meta.concrete_fields}
            )
        try:
            label = str(instance)
        except Exception:  # a related record was deleted since: the entry still says what changed
            label = f"{model._meta.verbose_name} {entry.id}"
        try:
            url = dossier_url(instance) if entry.history_type != "-" else None
        except Exception:
            url = None
        fields = []
        if entry.history_type == "~":
            previous = entry.prev_record
            if previous is not None:
                delta = entry.diff_against(previous, excluded_fields=["modified", "created"])
                fields = [model._meta.get_field(change.field).verbose_name for change in delta.changes]
        changes.append(Change(entry, model, label, url, fields))
    return changes


def counts() -> list[dict]:
    """Records of each curated type, with how many are drafts and how many restricted (all exact)."""
    rows = []
    for model, label in (
        (Person, "People"),
        (Organisation, "Organisations"),
        (Report, "Reports"),
        (Event, "Events"),
        (Quote, "Quotes"),
        (Membership, "Memberships"),
        (Topic, "Topics"),
    ):
        # Three counts, each answered from an index (the table's smallest, status, restricted), where one
        # COUNT ... FILTER over the table would read every row of it.
        opts = model._meta
        rows.append(
            {
                "label": label,
                "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
                "total": model.objects.count(),
                "drafts": model.objects.filter(status=Status.DRAFT).count(),
                "restricted": model.objects.filter(restricted=True).count(),
            }
        )
    citations = [whole_count(kind.model.objects.all()) for kind in citation_kinds().values()]
    total = sum(citations)
    rows.append(
        {
            "label": "Citations",
            "url": reverse("admin:research_claims"),
            "total": Estimate(total) if any(isinstance(n, Estimate) for n in citations) else total,
        }
    )
    rows.append(
        {
            "label": "Mentions",
            "url": reverse("admin:sources_mention_changelist"),
            "total": whole_count(Mention.objects.all()),
        }
    )
    return rows


def home_context(request) -> dict:
    # The unsourced list is counted on the claims page itself: an anti-join of whole tables.
    review = claims.counts(claims.Filters(), unsourced=False)
    return {
        "counts": counts(),
        "recent_changes": recent_changes(),
        "review": [(name, label, review[name]) for name, label in claims.QUEUES.items()],
    }
