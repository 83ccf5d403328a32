"""Claims review: the worklists of facts whose sources need a curator's eye, across every citation table.

A *claim group* is what the citations of one fact say about one claim (a
report's ``published`` date, a membership's ``role``). It is *contested* when
its citations give different values — a blank value agrees with the stored
one — and needs a preferred claim then (Wikibase's rule: the preferred value,
else the normal ones, never a deprecated one). The other lists are single
citations (low confidence, deprecated) and published facts with no citation
at all, or marked unsourced by a curator (the publish rule, :mod:`hrkb.sourcing`).
Every list is counted and paged in the database, one table at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q

from hrkb import sourcing
from hrkb.models import Confidence, Rank
from hrkb.scale import serial
from reports.models import Report

from .dossiers import Cited, ClaimGroup, citations
from .records import citation_kinds

PAGE = 25

QUEUES = {
    "contested": "Contested facts",
    "no-preferred": "Contested, no preferred claim",
    "low": "Low-confidence claims",
    "deprecated": "Deprecated claims",
    "unsourced": "Published facts without a source",
    "marked-unsourced": "Published, marked unsourced",
}


@dataclass
class Filters:
    kind: str = ""  # a citation table: membership, participant, quote, report, event
    source: Report | None = None
    curator: object = None
    errors: dict | None = None

    def kinds(self) -> list[str]:
        return [self.kind] if self.kind else list(citation_kinds())


def filters_from(params) -> Filters:
    errors = {}
    kind = params.get("kind", "")
    if kind and kind not in citation_kinds():
        errors["kind"] = f"Unknown kind of fact {kind!r}."
        kind = ""
    source = None
    if params.get("source"):
        source = Report.objects.defer("text").filter(slug=params["source"]).first()
        if source is None:
            errors["source"] = f"No report has the slug {params['source']!r}."
    curator = None
    if params.get("curator"):
        curator = get_user_model().objects.filter(username=params["curator"]).first()
        if curator is None:
            errors["curator"] = f"No user is called {params['curator']!r}."
    return Filters(kind, source, curator, errors)


def _base(kind: str, filters: Filters):
    model = citation_kinds()[kind].model
    queryset = model.objects.all()
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.curator:
        queryset = queryset.filter(
            Exists(model.history.model.objects.filter(id=OuterRef("pk"), history_user=filters.curator))
        )
    return queryset


def _groups(kind: str, filters: Filters, *, without_preferred: bool = False):
    base = _base(kind, filters)
    # Two different values need one that is not blank: only those facts are grouped (the review index finds them).
    candidates = base.exclude(value="").values("subject_id")
    groups = (
        base.filter(subject_id__in=candidates, claim__in=citation_kinds()[kind].value_claims)
        .values("subject_id", "claim")
        .annotate(
            distinct_values=Count("value", distinct=True),
            preferred=Count("pk", filter=Q(rank=Rank.PREFERRED)),
        )
        .filter(distinct_values__gte=2)
    )
    if without_preferred:
        groups = groups.filter(preferred=0)
    return groups.order_by("subject_id", "claim")


def _singles(kind: str, filters: Filters, queue: str):
    condition = Q(confidence=Confidence.LOW) if queue == "low" else Q(rank=Rank.DEPRECATED)
    return _base(kind, filters).filter(condition)


def _unsourced_querysets(filters: Filters, *, marked: bool = False) -> dict[str, object]:
    """Per kind of fact: the published ones that break the publish rule (:mod:`hrkb.sourcing`), or,
    with ``marked``, those a curator published unsourced with a reason."""
    result = {}
    for kind in filters.kinds():
        model = citation_kinds()[kind].fact_model
        condition = sourcing.marked_unsourced_q(model) if marked else sourcing.unmet_in_table_q(model)
        result[kind] = model._default_manager.filter(condition).order_by("pk")
    return result


def _unsourced_counts(filters: Filters, *, marked: bool = False) -> dict[str, int]:
    # Kept on the filters: the worklist's tab and its pages need the same anti-joins, counted once.
    cache = getattr(filters, "_unsourced_counts", None)
    if cache is None:
        cache = filters._unsourced_counts = {}
    if marked not in cache:
        querysets = _unsourced_querysets(filters, marked=marked)
        with serial():
            cache[marked] = {kind: queryset.count() for kind, queryset in querysets.items()}
    return cache[marked]


def counts(filters: Filters, *, unsourced: bool = True) -> dict[str, int | None]:
    """How long each worklist is (the unsourced one None unless asked: it reads whole tables)."""
    result = dict.fromkeys(QUEUES, 0)
    result["unsourced"] = result["marked-unsourced"] = None
    for kind in filters.kinds():
        result["contested"] += _groups(kind, filters).count()
        result["no-preferred"] += _groups(kind, filters, without_preferred=True).count()
        result["low"] += _singles(kind, filters, "low").count()
        result["deprecated"] += _singles(kind, filters, "deprecated").count()
    if unsourced and not filters.source and not filters.curator:
        result["unsourced"] = sum(_unsourced_counts(filters).values())
        result["marked-unsourced"] = sum(_unsourced_counts(filters, marked=True).values())
    return result


@dataclass
class Row:
    """One line of a worklist: a fact, and its citations side by side."""

    kind: str
    fact: object
    groups: list[ClaimGroup]
    curators: dict

    @property
    def label(self) -> str:
        return citation_kinds()[self.kind].label

    @property
    def missing(self) -> list[str]:
        """What the fact lacks under the publish rule (read for the unsourced worklist's rows only)."""
        return sourcing.unmet(self.fact)


def _page_of(counted: list[tuple[str, object, int]], page: int) -> list[tuple[str, object, int, int]]:
    """Slices of each kind's queryset that make up page ``page`` of their concatenation."""
    start, end = (page - 1) * PAGE, page * PAGE
    slices, offset = [], 0
    for kind, queryset, total in counted:
        low, high = max(start - offset, 0), min(end - offset, total)
        if low < high:
            slices.append((kind, queryset, low, high))
        offset += total
    return slices


def _facts(kind: str, ids: set[int]) -> dict[int, object]:
    citation_kind = citation_kinds()[kind]
    related = [path.removeprefix("subject__") for path in citation_kind.subject_related if path != "subject"]
    deferred = [path.removeprefix("subject__") for path in citation_kind.subject_deferred]
    return citation_kind.fact_model.objects.select_related(*related).defer(*deferred).in_bulk(ids)


def _curators(kind: str, ids: list[int]) -> dict[int, tuple]:
    """The last change of each citation: who, when."""
    history = citation_kinds()[kind].model.history.model
    latest = {}
    for row in history.objects.filter(id__in=ids).select_related("history_user").order_by("id", "-history_date"):
        latest.setdefault(row.id, (row.history_user, row.history_date))
    return latest


def _rows(kind: str, fact_ids: set[int], claims: set[tuple[int, str]] | None, filters: Filters) -> list[Row]:
    """The facts' citations as claim groups (all of a fact's claims, or only ``claims``)."""
    cited = citations(kind).filter(subject_id__in=fact_ids)
    by_fact: dict[int, dict[str, list]] = {}
    for citation in cited:
        if claims is not None and (citation.subject_id, citation.claim) not in claims:
            continue
        by_fact.setdefault(citation.subject_id, {}).setdefault(citation.claim, []).append(Cited(kind, citation))
    facts = _facts(kind, fact_ids)
    curators = _curators(kind, [c.citation.pk for groups in by_fact.values() for g in groups.values() for c in g])
    rows = []
    for fact_id in sorted(fact_ids, key=lambda pk: str(facts.get(pk, pk))):
        if fact_id not in facts:
            continue
        groups = [
            ClaimGroup(claim, sorted(cited, key=Cited.sort_key), kind)
            for claim, cited in by_fact.get(fact_id, {}).items()
        ]
        rows.append(Row(kind, facts[fact_id], sorted(groups, key=lambda g: g.claim), curators))
    return rows


def queue(name: str, filters: Filters, page: int) -> list[Row]:
    """The page ``page`` of one worklist."""
    if name in ("contested", "no-preferred"):
        counted = []
        for kind in filters.kinds():
            groups = _groups(kind, filters, without_preferred=name == "no-preferred")
            counted.append((kind, groups, groups.count()))
        rows = []
        for kind, groups, low, high in _page_of(counted, page):
            claims = {(group["subject_id"], group["claim"]) for group in groups[low:high]}
            rows += _rows(kind, {subject for subject, _claim in claims}, claims, filters)
        return rows
    if name in ("low", "deprecated"):
        counted = []
        for kind in filters.kinds():
            singles = _singles(kind, filters, name).order_by("subject_id", "pk")
            counted.append((kind, singles, singles.count()))
        rows = []
        for kind, singles, low, high in _page_of(counted, page):
            # The whole fact is shown, so the flagged claim is seen beside the ones it competes with.
            subjects = set(singles[low:high].values_list("subject_id", flat=True))
            rows += _rows(kind, subjects, None, filters)
        return rows
    if name in ("unsourced", "marked-unsourced"):
        marked = name == "marked-unsourced"
        totals = _unsourced_counts(filters, marked=marked)
        querysets = _unsourced_querysets(filters, marked=marked)
        counted = [(kind, queryset, totals[kind]) for kind, queryset in querysets.items()]
        rows = []
        for kind, queryset, low, high in _page_of(counted, page):
            ids = set(queryset[low:high].values_list("pk", flat=True))
            rows += [Row(kind, fact, [], {}) for fact in _facts(kind, ids).values()]
        return rows
    raise KeyError(name)
