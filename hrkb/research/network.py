"""The actor network: who is linked to whom by roles, parts in events, authorship and co-mentions.

Nodes are actors, events and reports; every edge is a fact of the knowledge
base, directed the way it reads ("Kirby — Chair → Commission of Inquiry",
"OHCHR Seoul — part of → OHCHR"), dated where the fact is, counted in
citations, and linked to the place that shows its sources.

:func:`ego` builds one or two hops around a record. Each node's links of each
relation are capped at :data:`CAP` (the most cited first) and the rest become
one "and N more" node, so a hub named in thousands of records draws the same
few dozen nodes (Aleph #1002). Every hop costs one query per relation for all
its nodes at once (a window function keeps the first ``CAP`` per node), so the
query count is fixed. :func:`overview` is the corpus at a glance: the people
who link organisations, strongest first. Positions are computed here, once
(concentric rings around the record), and drawn as SVG by :func:`svg`: nothing
moves in the browser.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from actors.choices import ActorKind
from actors.models import Actor, Membership
from events.choices import ParticipantRole
from events.models import Event, Participant
from hrkb.dates import PartialDate
from reports.models import Authorship, Report
from sources.models import MembershipCitation, Mention, ParticipantCitation

from .records import actor_dossier_url, event_dossier_url, report_dossier_url

#: Links of one relation shown per node; the rest are one "and N more" node.
CAP = 20
#: Links per node on the second hop: enough to see who else is there, few enough to read.
CAP_SECOND = 5
#: Co-mentions are counted in this many of the newest reports that name the record.
COMENTION_REPORTS = 500
#: People shown in the overview.
OVERVIEW_PEOPLE = 40


@dataclass
class Node:
    key: str
    type: str  # person, organisation, event, report, more
    label: str
    url: str | None
    status: str = "published"
    restricted: bool = False
    hop: int = 0
    x: float = 0.0
    y: float = 0.0
    parent: str | None = None  # the node it was reached from

    @property
    def short_label(self) -> str:
        return self.label if len(self.label) <= 34 else f"{self.label[:33]}…"


@dataclass
class Edge:
    source: str
    target: str
    relation: str  # member, parent, participant, author, publisher, co-mention, more
    label: str
    url: str | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    citations: int = 0

    @property
    def when(self) -> str:
        if self.start and self.end:
            return f"{self.start.display()} – {self.end.display()}"
        if self.start:
            return f"from {self.start.display()}"
        if self.end:
            return f"until {self.end.display()}"
        return ""


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    center: str | None = None
    notes: list[str] = field(default_factory=list)

    def add(self, node: Node) -> Node:
        return self.nodes.setdefault(node.key, node)

    def link(self, edge: Edge) -> None:
        key = (edge.source, edge.target, edge.relation, edge.label)
        if key not in {(e.source, e.target, e.relation, e.label) for e in self.edges}:
            self.edges.append(edge)


def actor_node(pk, slug, name, kind, status="published", restricted=False, hop=0, parent=None) -> Node:
    node_type = "person" if kind == ActorKind.PERSON else "organisation"
    return Node(f"a{pk}", node_type, name, actor_dossier_url(slug, kind), status, restricted, hop, parent=parent)


def event_node(pk, slug, title, status="published", restricted=False, hop=0, parent=None) -> Node:
    return Node(f"e{pk}", "event", title, event_dossier_url(slug), status, restricted, hop, parent=parent)


def report_node(pk, slug, title, status="published", restricted=False, hop=0, parent=None) -> Node:
    return Node(f"r{pk}", "report", title, report_dossier_url(slug), status, restricted, hop, parent=parent)


def _capped(queryset, side: str, order, cap: int):
    """The first ``cap`` rows for each value of ``side``, by ``order``."""
    ranked = queryset.annotate(nth=Window(RowNumber(), partition_by=[F(side)], order_by=order))
    return ranked.filter(nth__lte=cap)


def _totals(queryset, side: str) -> dict[int, int]:
    return dict(queryset.values_list(side).annotate(n=Count("pk")).order_by())


def _citation_count(model):
    counted = model.objects.filter(subject=OuterRef("pk")).values("subject").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _more(graph: Graph, node_key: str, relation: str, hidden: int, url: str | None, hop: int) -> None:
    if hidden <= 0:
        return
    key = f"more-{node_key}-{relation}"
    graph.add(Node(key, "more", f"and {hidden} more", url, hop=hop, parent=node_key))
    graph.link(Edge(node_key, key, "more", relation))


def _as_of(queryset, as_of: PartialDate | None, start: str, end: str | None = None):
    if as_of is None:
        return queryset
    queryset = queryset.filter(Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": as_of.latest}))
    if end:
        queryset = queryset.filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": as_of.earliest}))
    return queryset


def _expand(graph: Graph, frontier: list[Node], hop: int, cap: int, as_of: PartialDate | None) -> list[Node]:
    """Add every link of the ``frontier`` nodes (capped per node and relation); return the new nodes."""
    before = set(graph.nodes)
    ids = defaultdict(list)
    for node in frontier:
        if node.type in ("person", "organisation", "event", "report"):
            ids[node.type].append(int(node.key[1:]))
    people, organisations = ids["person"], ids["organisation"]
    actors = people + organisations

    def dossier(node_key):
        node = graph.nodes[node_key]
        return node.url

    # Roles: a person's memberships, an organisation's members.
    memberships = _as_of(
        Membership.objects.select_related("person", "organisation").annotate(cited=_citation_count(MembershipCitation)),
        as_of,
        "start",
        "end",
    )
    order = [F("cited").desc(), F("start").desc(nulls_last=True), F("pk").desc()]
    for side, members in (("person", people), ("organisation", organisations)):
        if not members:
            continue
        rows = memberships.filter(**{f"{side}_id__in": members})
        totals = _totals(rows, f"{side}_id")
        for m in _capped(rows, f"{side}_id", order, cap):
            other = m.organisation if side == "person" else m.person
            graph.add(
                actor_node(
                    other.pk,
                    other.slug,
                    other.name,
                    other.kind,
                    other.status,
                    other.restricted,
                    hop,
                    f"a{getattr(m, f'{side}_id')}",
                )
            )
            graph.link(
                Edge(
                    f"a{m.person_id}",
                    f"a{m.organisation_id}",
                    "member",
                    m.role,
                    f"{actor_dossier_url(m.person.slug, ActorKind.PERSON)}#membership-{m.pk}",
                    m.start,
                    m.end,
                    m.cited,
                )
            )
        for pk, total in totals.items():
            _more(graph, f"a{pk}", f"member-{side}", total - cap, dossier(f"a{pk}"), hop)

    # Parent and child organisations.
    if organisations:
        parents = Actor.objects.filter(children__in=organisations).values_list(
            "children", "pk", "slug", "name", "kind", "status", "restricted"
        )
        for child, pk, slug, name, kind, status, restricted in parents:
            graph.add(actor_node(pk, slug, name, kind, status, restricted, hop, f"a{child}"))
            graph.link(Edge(f"a{child}", f"a{pk}", "parent", "part of", actor_dossier_url(slug, kind)))
        children = Actor.objects.filter(parent_id__in=organisations)
        totals = _totals(children, "parent_id")
        for child in _capped(children, "parent_id", [F("name").asc()], cap):
            graph.add(
                actor_node(
                    child.pk,
                    child.slug,
                    child.name,
                    child.kind,
                    child.status,
                    child.restricted,
                    hop,
                    f"a{child.parent_id}",
                )
            )
            graph.link(Edge(f"a{child.pk}", f"a{child.parent_id}", "parent", "part of", dossier(f"a{child.pk}")))
        for pk, total in totals.items():
            _more(graph, f"a{pk}", "children", total - cap, dossier(f"a{pk}"), hop)

    # Parts in events: an actor's events, an event's participants.
    participants = _as_of(
        Participant.objects.select_related("actor", "event").annotate(cited=_citation_count(ParticipantCitation)),
        as_of,
        "event__start",
    )
    order = [F("cited").desc(), F("event__start").desc(nulls_last=True), F("pk").desc()]
    for side, members in (("actor", actors), ("event", ids["event"])):
        if not members:
            continue
        rows = participants.filter(**{f"{side}_id__in": members})
        totals = _totals(rows, f"{side}_id")
        for p in _capped(rows, f"{side}_id", order, cap):
            origin = f"a{p.actor_id}" if side == "actor" else f"e{p.event_id}"
            graph.add(
                event_node(p.event_id, p.event.slug, p.event.title, p.event.status, p.event.restricted, hop, origin)
            )
            graph.add(
                actor_node(
                    p.actor_id,
                    p.actor.slug,
                    p.actor.name,
                    p.actor.kind,
                    p.actor.status,
                    p.actor.restricted,
                    hop,
                    origin,
                )
            )
            label = p.role_title or ParticipantRole(p.role).label
            graph.link(
                Edge(
                    f"a{p.actor_id}",
                    f"e{p.event_id}",
                    "participant",
                    label,
                    f"{event_dossier_url(p.event.slug)}#participant-{p.pk}",
                    p.event.start,
                    p.event.end,
                    p.cited,
                )
            )
        for pk, total in totals.items():
            prefix = "a" if side == "actor" else "e"
            _more(graph, f"{prefix}{pk}", f"participant-{side}", total - cap, dossier(f"{prefix}{pk}"), hop)

    # Authorship and bylines; publishers.
    authorships = _as_of(
        Authorship.objects.select_related("person", "organisation", "report").defer("report__text"),
        as_of,
        "report__published",
    )
    order = [F("report__published").desc(nulls_last=True), F("pk").desc()]
    for side, members in (("person", people), ("organisation", organisations), ("report", ids["report"])):
        if not members:
            continue
        rows = authorships.filter(**{f"{side}_id__in": members})
        if side == "report":
            rows = rows.filter(Q(person__isnull=False) | Q(organisation__isnull=False))
        totals = _totals(rows, f"{side}_id")
        for a in _capped(rows, f"{side}_id", order, cap):
            author = a.person or a.organisation
            origin = f"r{a.report_id}" if side == "report" else f"a{author.pk}"
            graph.add(
                report_node(
                    a.report_id, a.report.slug, a.report.title, a.report.status, a.report.restricted, hop, origin
                )
            )
            graph.add(
                actor_node(
                    author.pk, author.slug, author.name, author.kind, author.status, author.restricted, hop, origin
                )
            )
            graph.link(
                Edge(
                    f"a{author.pk}",
                    f"r{a.report_id}",
                    "author",
                    a.byline or "author",
                    report_dossier_url(a.report.slug),
                    a.report.published,
                )
            )
        for pk, total in totals.items():
            prefix = "r" if side == "report" else "a"
            _more(graph, f"{prefix}{pk}", f"author-{side}", total - cap, dossier(f"{prefix}{pk}"), hop)
    publishers = _as_of(
        Report.publishers.through.objects.select_related("organisation", "report").defer("report__text"),
        as_of,
        "report__published",
    )
    for side, members in (("organisation", organisations), ("report", ids["report"])):
        if not members:
            continue
        rows = publishers.filter(**{f"{side}_id__in": members})
        totals = _totals(rows, f"{side}_id")
        for p in _capped(rows, f"{side}_id", order, cap):
            origin = f"r{p.report_id}" if side == "report" else f"a{p.organisation_id}"
            org, report = p.organisation, p.report
            graph.add(report_node(report.pk, report.slug, report.title, report.status, report.restricted, hop, origin))
            graph.add(actor_node(org.pk, org.slug, org.name, org.kind, org.status, org.restricted, hop, origin))
            graph.link(
                Edge(
                    f"a{org.pk}",
                    f"r{report.pk}",
                    "publisher",
                    "published",
                    report_dossier_url(report.slug),
                    report.published,
                )
            )
        for pk, total in totals.items():
            prefix = "r" if side == "report" else "a"
            _more(graph, f"{prefix}{pk}", f"publisher-{side}", total - cap, dossier(f"{prefix}{pk}"), hop)

    # Events and the reports about them.
    related = Event.related_reports.through.objects.select_related("event", "report").defer("report__text")
    for side, members in (("event", ids["event"]), ("report", ids["report"])):
        if not members:
            continue
        rows = related.filter(**{f"{side}_id__in": members})
        totals = _totals(rows, f"{side}_id")
        for r in _capped(rows, f"{side}_id", [F("pk").desc()], cap):
            origin = f"e{r.event_id}" if side == "event" else f"r{r.report_id}"
            graph.add(
                event_node(r.event.pk, r.event.slug, r.event.title, r.event.status, r.event.restricted, hop, origin)
            )
            graph.add(
                report_node(
                    r.report.pk, r.report.slug, r.report.title, r.report.status, r.report.restricted, hop, origin
                )
            )
            graph.link(
                Edge(f"e{r.event_id}", f"r{r.report_id}", "related", "report on it", report_dossier_url(r.report.slug))
            )
        for pk, total in totals.items():
            prefix = "e" if side == "event" else "r"
            _more(graph, f"{prefix}{pk}", f"related-{side}", total - cap, dossier(f"{prefix}{pk}"), hop)
    return [graph.nodes[key] for key in graph.nodes if key not in before]


def _comentions(graph: Graph, actor: Actor) -> None:
    """Actors named in the same reports as ``actor``: counted in its newest reports, strongest first."""
    newest = (
        Mention.objects.filter(actor=actor).values("report_id").distinct().order_by("-report_id")[:COMENTION_REPORTS]
    )
    rows = (
        Mention.objects.filter(report_id__in=Subquery(newest), actor__isnull=False)
        .exclude(actor=actor)
        .values("actor", "actor__slug", "actor__name", "actor__kind", "actor__status", "actor__restricted")
        .annotate(n=Count("report", distinct=True))
        .order_by("-n", "actor__name")[:CAP]
    )
    for row in rows:
        node = graph.add(
            actor_node(
                row["actor"],
                row["actor__slug"],
                row["actor__name"],
                row["actor__kind"],
                row["actor__status"],
                row["actor__restricted"],
                1,
                f"a{actor.pk}",
            )
        )
        url = reverse("admin:research_comentions", args=[actor.slug, row["actor__slug"]])
        graph.link(Edge(f"a{actor.pk}", node.key, "co-mention", f"named together in {row['n']}", url, citations=0))
    graph.notes.append(f"Co-mentions are counted in the {COMENTION_REPORTS:,} newest reports that name {actor}.")


def ego(record, *, hops: int = 1, comentions: bool = False, as_of: PartialDate | None = None) -> Graph:
    """The record (an actor, event or report) and what is linked to it, one or two hops out."""
    graph = Graph()
    if isinstance(record, Actor):
        center = actor_node(record.pk, record.slug, record.name, record.kind, record.status, record.restricted)
    elif isinstance(record, Event):
        center = event_node(record.pk, record.slug, record.title, record.status, record.restricted)
    else:
        center = report_node(record.pk, record.slug, record.title, record.status, record.restricted)
    graph.add(center)
    graph.center = center.key
    frontier = _expand(graph, [center], 1, CAP, as_of)
    if comentions and isinstance(record, Actor):
        _comentions(graph, record)
    if hops > 1:
        _expand(graph, frontier, 2, CAP_SECOND, as_of)
    radial_layout(graph)
    return graph


def overview(*, as_of: PartialDate | None = None) -> Graph:
    """The people who link organisations (most roles first), with those organisations and their parents."""
    graph = Graph()
    memberships = _as_of(Membership.objects.all(), as_of, "start", "end")
    bridges = (
        memberships.values("person")
        .annotate(organisations=Count("organisation", distinct=True))
        .filter(organisations__gte=2)
        .order_by("-organisations", "person")[:OVERVIEW_PEOPLE]
    )
    people = [row["person"] for row in bridges]
    rows = (
        memberships.filter(person_id__in=people)
        .select_related("person", "organisation")
        .annotate(cited=_citation_count(MembershipCitation))
    )
    for m in rows:
        org, person = m.organisation, m.person
        graph.add(actor_node(org.pk, org.slug, org.name, org.kind, org.status, org.restricted, 1))
        graph.add(
            actor_node(
                person.pk, person.slug, person.name, person.kind, person.status, person.restricted, 2, f"a{org.pk}"
            )
        )
        url = f"{actor_dossier_url(person.slug, ActorKind.PERSON)}#membership-{m.pk}"
        graph.link(Edge(f"a{person.pk}", f"a{org.pk}", "member", m.role, url, m.start, m.end, m.cited))
    organisations = [int(key[1:]) for key, node in graph.nodes.items() if node.type == "organisation"]
    parents = Actor.objects.filter(children__in=organisations).values_list(
        "children", "pk", "slug", "name", "kind", "status", "restricted"
    )
    for child, pk, slug, name, kind, status, restricted in parents:
        graph.add(actor_node(pk, slug, name, kind, status, restricted, 1))
        graph.link(Edge(f"a{child}", f"a{pk}", "parent", "part of", actor_dossier_url(slug, kind)))
    if not people:
        graph.notes.append("No person holds roles in two organisations yet.")
    radial_layout(graph)
    return graph


# --- Layout and drawing ----------------------------------------------------------------------------------------------

SIZE = 1000
TYPE_ORDER = {"organisation": 0, "person": 1, "event": 2, "report": 3, "more": 4}


def radial_layout(graph: Graph) -> None:
    """Concentric rings: the record in the middle, its links around it, their links outside, each near its origin.

    Computed once on the server (a force layout that keeps moving is what
    users of such tools complain of); nodes of a ring are spread evenly, grouped
    by type, and the outer ring keeps each node in the angle of the node it
    was reached from, so links stay short.
    """
    rings = defaultdict(list)
    for node in graph.nodes.values():
        rings[min(node.hop, 2)].append(node)
    centre = SIZE / 2
    angles = {}
    inner = 0.0
    for hop in sorted(rings):
        nodes = rings[hop]
        if hop == 0 and len(nodes) == 1:
            nodes[0].x = nodes[0].y = centre
            angles[nodes[0].key] = 0.0
            continue
        if hop <= 1 or not angles:
            nodes.sort(key=lambda n: (TYPE_ORDER.get(n.type, 9), n.label.casefold()))
        else:
            nodes.sort(key=lambda n: (angles.get(n.parent, math.tau), TYPE_ORDER.get(n.type, 9), n.label.casefold()))
        # Rings as large as their nodes need (about 26 px of circumference each), each outside the last.
        floor = 130 if hop <= 1 else inner + 120
        radius = min(max(len(nodes) * 26 / math.tau, floor), 360 if hop <= 1 else 520)
        inner = radius
        for index, node in enumerate(nodes):
            angle = math.tau * index / len(nodes) - math.pi / 2
            angles[node.key] = (angle + math.pi / 2) % math.tau
            node.x = round(centre + radius * math.cos(angle), 1)
            node.y = round(centre + radius * math.sin(angle), 1)


SHAPES = {
    "person": '<circle cx="{x}" cy="{y}" r="9"/>',
    "organisation": '<rect x="{x0}" y="{y0}" width="18" height="18" rx="2"/>',
    "event": '<path d="M{x} {y0} l10 9 l-10 9 l-10 -9 z"/>',
    "report": '<rect x="{x0}" y="{y0}" width="14" height="18"/>',
    "more": '<circle cx="{x}" cy="{y}" r="6"/>',
}


def svg(graph: Graph, *, width: int = 900, labels: bool = True) -> SafeString:
    """The graph as SVG: nodes linking to dossiers, edges linking to where their sources are shown."""
    if not graph.nodes:
        return mark_safe("")
    # The drawing's box: the nodes' extent, with room for labels either side.
    xs = [node.x for node in graph.nodes.values()]
    ys = [node.y for node in graph.nodes.values()]
    left, top = min(xs) - 230, min(ys) - 30
    box_width, box_height = max(xs) - min(xs) + 460, max(ys) - min(ys) + 70
    height = round(width * box_height / box_width)
    parts = [
        f'<svg class="network" xmlns="http://www.w3.org/2000/svg" viewBox="{left:.0f} {top:.0f} {box_width:.0f} '
        f'{box_height:.0f}" width="{width}" height="{height}" role="img" aria-label="Network">'
        '<defs><marker id="nw-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" class="arrow"/></marker></defs>'
    ]
    for edge in graph.edges:
        a, b = graph.nodes.get(edge.source), graph.nodes.get(edge.target)
        if a is None or b is None:
            continue
        # Stop the arrow short of the target's shape.
        dx, dy = b.x - a.x, b.y - a.y
        length = math.hypot(dx, dy) or 1
        bx, by = b.x - dx / length * 12, b.y - dy / length * 12
        tooltip = f"{a.label} — {edge.label} → {b.label}"
        if edge.when:
            tooltip += f" ({edge.when})"
        if edge.citations:
            tooltip += f"; {edge.citations} citation{'s' if edge.citations != 1 else ''}"
        line = format_html(
            '<line class="edge edge-{}" x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#nw-arrow)">'
            "<title>{}</title></line>",
            edge.relation,
            a.x,
            a.y,
            round(bx, 1),
            round(by, 1),
            tooltip,
        )
        parts.append(format_html('<a href="{}">{}</a>', edge.url, line) if edge.url else line)
    for node in graph.nodes.values():
        shape = SHAPES[node.type].format(x=node.x, y=node.y, x0=node.x - 9, y0=node.y - 9)
        classes = f"node node-{node.type} hop-{node.hop}"
        if node.key == graph.center:
            classes += " center"
        if node.status == "draft":
            classes += " is-draft"
        if node.restricted:
            classes += " is-restricted"
        label = ""
        if labels and (node.hop <= 1 or len(graph.nodes) <= 60 or node.type == "more"):
            anchor = "start" if node.x >= SIZE / 2 else "end"
            offset = 14 if anchor == "start" else -14
            if node.key == graph.center:
                anchor, offset = "middle", 0
            label = format_html(
                '<text x="{}" y="{}" text-anchor="{}">{}</text>',
                node.x + offset,
                node.y + (28 if node.key == graph.center else 4),
                anchor,
                node.short_label,
            )
        body = format_html("{}<title>{}</title>{}", mark_safe(shape), node.label, label)
        group = format_html('<g class="{}" data-key="{}">{}</g>', classes, node.key, body)
        parts.append(format_html('<a href="{}">{}</a>', node.url, group) if node.url else group)
    parts.append("</svg>")
    return mark_safe("".join(parts))
