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
#: People shown in the overview: those with roles in the most organisations (a bounded list, and says so).
OVERVIEW_PEOPLE = 15


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
        if self.start and self.end and self.end != self.start:
            return f"{self.start.display()} – {self.end.display()}"
        if self.relation != "member":  # a publication's or an event's date, not the start of a span
            return self.start.display() if self.start else ""
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
    total: int = 0  # the overview: how many people hold roles in two or more organisations
    _linked: set = field(default_factory=set, repr=False)

    def add(self, node: Node) -> Node:
        return self.nodes.setdefault(node.key, node)

    def link(self, edge: Edge) -> None:
        key = (edge.source, edge.target, edge.relation, edge.label)
        if key not in self._linked:
            self._linked.add(key)
            self.edges.append(edge)


def actor_node(pk, slug, name, kind, status="published", restricted=False, hop=0, parent=None) -> Node:
    node_type = "person" if kind == ActorKind.PERSON else "organisation"
    return Node(f"a{pk}", node_type, name, actor_dossier_url(slug, kind), status, restricted, hop, parent=parent)


def event_node(pk, slug, title, status="published", restricted=False, hop=0, parent=None) -> Node:
    return Node(f"e{pk}", "event", title, event_dossier_url(slug), status, restricted, hop, parent=parent)


def report_node(pk, slug, title, status="published", restricted=False, hop=0, parent=None) -> Node:
    return Node(f"r{pk}", "report", title, report_dossier_url(slug), status, restricted, hop, parent=parent)


def _capped(queryset, side: str, order, cap: int) -> tuple[list, dict[int, int]]:
    """The first ``cap`` rows for each value of ``side``, by ``order``, and how many rows each value has.

    One query: both the rank and the count are window functions over the same partition.
    """
    ranked = queryset.annotate(
        nth=Window(RowNumber(), partition_by=[F(side)], order_by=order),
        of=Window(Count("*"), partition_by=[F(side)]),
    )
    rows = list(ranked.filter(nth__lte=cap))
    return rows, {getattr(row, side): row.of for row in rows}


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
        capped, totals = _capped(rows, f"{side}_id", order, cap)
        for m in capped:
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
        capped, totals = _capped(children, "parent_id", [F("name").asc()], cap)
        for child in capped:
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
        capped, totals = _capped(rows, f"{side}_id", order, cap)
        for p in capped:
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
        capped, totals = _capped(rows, f"{side}_id", order, cap)
        for a in capped:
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
        capped, totals = _capped(rows, f"{side}_id", order, cap)
        for p in capped:
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
        capped, totals = _capped(rows, f"{side}_id", [F("pk").desc()], cap)
        for r in capped:
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
    # Counted by actor id alone, then the strongest twenty named: joining every actor's name into the
    # count would read the whole actors table.
    strongest = list(
        Mention.objects.filter(report_id__in=Subquery(newest), actor__isnull=False)
        .exclude(actor=actor)
        .values("actor")
        .annotate(n=Count("report", distinct=True))
        .order_by("-n", "actor")
        .values_list("actor", "n")[:CAP]
    )
    named = Actor.objects.only("slug", "name", "kind", "status", "restricted").in_bulk([pk for pk, _n in strongest])
    for pk, n in strongest:
        other = named[pk]
        node = graph.add(
            actor_node(pk, other.slug, other.name, other.kind, other.status, other.restricted, 1, f"a{actor.pk}")
        )
        url = reverse("admin:research_comentions", args=[actor.slug, other.slug])
        graph.link(Edge(f"a{actor.pk}", node.key, "co-mention", f"named together in {n}", url, citations=0))
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
    fan_layout(graph)
    return graph


def overview(*, as_of: PartialDate | None = None) -> Graph:
    """The people who link organisations (most roles first), with those organisations and their parents."""
    graph = Graph()
    memberships = _as_of(Membership.objects.all(), as_of, "start", "end")
    bridges = list(
        memberships.values("person")
        .annotate(organisations=Count("organisation", distinct=True))
        .filter(organisations__gte=2)
        .annotate(bridges=Window(Count("*")))  # how many there are, counted in the same pass
        .order_by("-organisations", "person")[:OVERVIEW_PEOPLE]
    )
    people = [row["person"] for row in bridges]
    graph.total = bridges[0]["bridges"] if bridges else 0
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
    fan_layout(graph)
    return graph


# --- Layout and drawing ----------------------------------------------------------------------------------------------

TYPE_ORDER = {"organisation": 0, "person": 1, "event": 2, "report": 3, "more": 4}
#: Vertical distance between the nodes of a column: room for a label and the links' labels between them.
ROW = 24
#: Horizontal distance from the record to its links, and from them to theirs (room for labels in between).
REACH = (0, 230, 150)
#: Characters of a node's label drawn (the whole name is its tooltip), by hop.
LABEL_CHARS = (48, 34, 28)
#: Pixels per character, as a fraction of the font size: enough for the widest common names.
CHAR_WIDTH = 0.6
NODE_FONT = (14, 12, 11)
EDGE_FONT = 10


def fan_layout(graph: Graph) -> None:
    """Where each node is drawn: in columns, the record in the middle, its links either side, theirs beyond.

    Computed once on the server (a force layout that keeps moving is what users
    of such tools complain of). Nodes of a column are at least a row apart, so
    each label runs outwards on a row of its own; a column starts past the
    longest label of the one before it; a node's own links fill the rows beside
    it, as in a tree. The overview, with no record in the middle, reads left to
    right: people, the organisations they hold roles in, and those
    organisations' parents.
    """
    rings = defaultdict(list)
    for node in graph.nodes.values():
        rings[min(node.hop, 2)].append(node)
    if rings[0]:
        _ego_layout(graph, rings[0][0], rings[1], rings[2])
    else:
        _overview_layout(graph)


def _order(node: Node):
    return (TYPE_ORDER.get(node.type, 9), node.label.casefold())


def _widest(nodes, hop: int) -> float:
    return max((_width(_clip(node.label, LABEL_CHARS[hop]), NODE_FONT[hop]) for node in nodes), default=0.0)


def _ego_layout(graph: Graph, centre: Node, inner: list[Node], outer: list[Node]) -> None:
    centre.x = centre.y = 0.0
    inner = sorted(inner, key=_order)
    children = defaultdict(list)
    for node in sorted(outer, key=_order):
        children[node.parent].append(node)
    # Each inner node takes as many rows as it has links of its own. One hop: the two sides share the
    # rows evenly; two hops: a tree growing to the right only, as two would not fit the page's width.
    rows = {node.key: max(1, len(children[node.key])) for node in inner}
    total, sides = sum(rows.values()), {1: [], -1: []}
    for node in inner:
        sides[1 if outer or sum(rows[n.key] for n in sides[1]) < total / 2 else -1].append(node)
    orphans = [node for node in outer if node.parent not in rows]
    for direction, column in sides.items():
        further = [kid for node in column for kid in children[node.key]]
        if direction == 1:
            further += orphans
        reach = REACH[1] + _widest(column, 1) + REACH[2]
        y = 0.0
        for node in column:
            kids = children[node.key]
            node.x, node.y = direction * REACH[1], y + (max(1, len(kids)) - 1) * ROW / 2
            for kid in kids:
                kid.x, kid.y = direction * reach, y
                y += ROW
            y += ROW / 2 if kids else ROW
        for node in orphans if direction == 1 else []:
            node.x, node.y = direction * reach, y
            y += ROW
        placed = column + further
        if placed:
            middle = (min(n.y for n in placed) + max(n.y for n in placed)) / 2
            for node in placed:
                node.y = round(node.y - middle, 1)
        if not further:
            _bend(column, 0.35)


def _bend(column: list[Node], amount: float) -> None:
    """Draw a column's ends nearer the middle, as on an ellipse: links from the middle then spread evenly."""
    reach = max((abs(node.y) for node in column), default=0.0) / 0.9
    for node in column:
        if reach:
            node.x = round(node.x * (1 - amount + amount * math.sqrt(max(0.0, 1 - (node.y / reach) ** 2))), 1)


def _settle(nodes: list[Node], wanted) -> None:
    """Each node as near as it can be to the height ``wanted(node)``, at least a row below the one before it."""
    nodes.sort(key=lambda node: (wanted(node), _order(node)))
    last = -math.inf
    for node in nodes:
        node.y = max(wanted(node), last + ROW)
        last = node.y
    if nodes:
        shift = sum(wanted(node) - node.y for node in nodes) / len(nodes)
        for node in nodes:
            node.y = round(node.y + shift, 1)


def _overview_layout(graph: Graph) -> None:
    neighbours = defaultdict(set)
    for edge in graph.edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    people = sorted((n for n in graph.nodes.values() if n.type == "person"), key=_order)
    held = {key for person in people for key in neighbours[person.key]}
    organisations = sorted((n for n in graph.nodes.values() if n.key in held and n.type != "person"), key=_order)
    parents = [n for n in graph.nodes.values() if n.type != "person" and n.key not in held]

    def mean_y(node, among):
        ys = [graph.nodes[key].y for key in neighbours[node.key] if key in among]
        return sum(ys) / len(ys) if ys else 0.0

    for index, node in enumerate(people):
        node.y = index * ROW
    people_keys, organisation_keys = {n.key for n in people}, {n.key for n in organisations}
    # Two sweeps of the barycentre heuristic: each side ordered by where its links lead, so fewer links cross.
    for _sweep in range(2):
        _settle(organisations, lambda n: mean_y(n, people_keys))
        _settle(people, lambda n: mean_y(n, organisation_keys))
    _settle(parents, lambda n: mean_y(n, organisation_keys))
    for node in people:
        node.x = -REACH[1]
    for node in organisations:
        node.x = REACH[1]
    for node in parents:
        node.x = REACH[1] + _widest(organisations, 1) + REACH[2]


SHAPES = {
    "person": '<circle cx="{x}" cy="{y}" r="9"/>',
    "organisation": '<rect x="{x0}" y="{y0}" width="18" height="18" rx="2"/>',
    "event": '<path d="M{x} {y0} l10 9 l-10 9 l-10 -9 z"/>',
    "report": '<rect x="{x0}" y="{y0}" width="14" height="18"/>',
    "more": '<circle cx="{x}" cy="{y}" r="6"/>',
}


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else f"{text[: chars - 1]}…"


def _width(text: str, font: float) -> float:
    return len(text) * font * CHAR_WIDTH


class _Box:
    """The extent of what has been drawn, labels included, so the drawing's frame cuts nothing off."""

    def __init__(self):
        self.left = self.top = math.inf
        self.right = self.bottom = -math.inf

    def add(self, left, top, right, bottom):
        self.left, self.top = min(self.left, left), min(self.top, top)
        self.right, self.bottom = max(self.right, right), max(self.bottom, bottom)

    def text(self, x, y, text, font, anchor):
        width = _width(text, font)
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        self.add(left, y - font, left + width, y + font * 0.35)


def _curve(start, end, bend: float, *, short: float, outward: int) -> tuple[str, float, float, float, float]:
    """A link from point ``start`` to point ``end``, bowed by ``bend`` pixels, stopping ``short`` of ``end``.

    Returns its path, where its label goes (nearer the outer end when
    ``outward`` says which end that is, 1 for ``end``, -1 for ``start``: there
    the nodes, and so the links, are a row apart) and its control point.
    """
    (ax, ay), (bx, by) = start, end
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy) or 1.0
    cx, cy = (ax + bx) / 2 - dy / length * bend, (ay + by) / 2 + dx / length * bend
    tx, ty = bx - cx, by - cy
    tail = math.hypot(tx, ty) or 1.0
    ex, ey = bx - tx / tail * short, by - ty / tail * short
    path = f"M{ax:.1f} {ay:.1f} " + (f"Q{cx:.1f} {cy:.1f} {ex:.1f} {ey:.1f}" if bend else f"L{ex:.1f} {ey:.1f}")
    t = {1: 0.62, -1: 0.38}.get(outward, 0.5)
    lx = (1 - t) ** 2 * ax + 2 * (1 - t) * t * cx + t**2 * bx
    ly = (1 - t) ** 2 * ay + 2 * (1 - t) * t * cy + t**2 * by
    return path, lx, ly, cx, cy


def _lines(text: str, chars: int, most: int) -> list[str]:
    """``text`` broken at spaces into lines of about ``chars``, at most ``most`` (the last one clipped)."""
    lines, rest = [], text
    while rest and len(lines) < most - 1 and len(rest) > chars:
        cut = rest.rfind(" ", 0, chars + 1)
        cut = cut if cut > 0 else chars
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    return [*lines, _clip(rest, chars + 6)] if rest else lines


def svg(graph: Graph, *, width: int = 1100, labels: bool = True) -> SafeString:
    """The graph as SVG: nodes linking to dossiers, links labelled and leading to where their sources are shown.

    Text is drawn at its size in pixels and the frame fits what is drawn,
    labels included (a drawing wider than ``width`` is scaled down to it). A
    node's label is part of it: links further out leave from the label's end,
    so no line runs through a name.
    """
    if not graph.nodes:
        return mark_safe("")
    box = _Box()
    nodes, cards, ends = [], [], {}
    for node in graph.nodes.values():
        box.add(node.x - 10, node.y - 10, node.x + 10, node.y + 10)
        ends[node.key] = (node.x, node.y)
        shape = SHAPES[node.type].format(x=node.x, y=node.y, x0=node.x - 9, y0=node.y - 9)
        classes = f"node node-{node.type} hop-{min(node.hop, 2)}"
        if node.key == graph.center:
            classes += " center"
        if node.status == "draft":
            classes += " is-draft"
        if node.restricted:
            classes += " is-restricted"
        label = ""
        if labels and node.key == graph.center:
            # The record's own name under it, on a card so that links passing behind leave it legible.
            font = NODE_FONT[0]
            lines = _lines(node.label, 22, 3)
            top, wide = node.y + 14, max(_width(line, font) for line in lines)
            cards.append(
                format_html(
                    '<rect class="card" x="{}" y="{}" width="{}" height="{}" rx="3"/>',
                    round(node.x - wide / 2 - 4, 1),
                    round(top, 1),
                    round(wide + 8, 1),
                    len(lines) * (font + 2) + 4,
                )
            )
            spans = []
            for number, line in enumerate(lines):
                y = round(top + font + number * (font + 2), 1)
                box.text(node.x, y, line, font, "middle")
                spans.append(format_html('<tspan x="{}" y="{}">{}</tspan>', node.x, y, line))
            label = format_html('<text text-anchor="middle">{}</text>', mark_safe("".join(spans)))
        elif labels:
            hop = min(max(node.hop, 1), 2)
            text = _clip(node.label, LABEL_CHARS[hop])
            outward = 1 if node.x >= 0 else -1
            x = node.x + 14 * outward
            box.text(x, node.y + 4, text, NODE_FONT[hop], "start" if outward > 0 else "end")
            ends[node.key] = (x + outward * (_width(text, NODE_FONT[hop]) + 4), node.y)
            label = format_html(
                '<text x="{}" y="{}" text-anchor="{}">{}</text>',
                round(x, 1),
                round(node.y + 4, 1),
                "start" if outward > 0 else "end",
                text,
            )
        body = format_html("{}<title>{}</title>{}", mark_safe(shape), node.label, label)
        group = format_html('<g class="{}" data-key="{}">{}</g>', classes, node.key, body)
        nodes.append(format_html('<a href="{}">{}</a>', node.url, group) if node.url else group)
    edges, edge_labels = [], []
    # Links between the same two nodes bow apart, so each keeps its own line and label.
    pairs = defaultdict(list)
    for edge in graph.edges:
        if edge.source in graph.nodes and edge.target in graph.nodes:
            pairs[frozenset((edge.source, edge.target))].append(edge)
    for group in pairs.values():
        for number, edge in enumerate(group):
            a, b = graph.nodes[edge.source], graph.nodes[edge.target]
            bend = (number - (len(group) - 1) / 2) * 28
            if a.key > b.key:  # the same bow whichever way a link runs
                bend = -bend
            # Which end is further out; the inner one is left from its label's end, the outer reached at its shape.
            outward = 0 if abs(abs(a.x) - abs(b.x)) < 1 else 1 if abs(b.x) > abs(a.x) else -1
            start = ends[a.key] if outward == 1 else (a.x, a.y)
            end, short = (ends[b.key], 2) if outward == -1 else ((b.x, b.y), 12)
            path, lx, ly, cx, cy = _curve(start, end, bend, short=short, outward=outward)
            box.add(
                min(start[0], end[0], cx),
                min(start[1], end[1], cy),
                max(start[0], end[0], cx),
                max(start[1], end[1], cy),
            )
            tooltip = f"{a.label} — {edge.label} → {b.label}"
            if edge.when:
                tooltip += f" ({edge.when})"
            if edge.citations:
                tooltip += f"; {edge.citations} citation{'s' if edge.citations != 1 else ''}"
            line = format_html(
                '<path class="edge edge-{}" d="{}" marker-end="url(#nw-arrow)"><title>{}</title></path>',
                edge.relation,
                path,
                tooltip,
            )
            label = ""
            if labels and edge.relation != "more":
                text = _clip(edge.label, 26)
                box.text(lx, ly + 3, text, EDGE_FONT, "middle")
                label = format_html(
                    '<text class="edge-label" x="{}" y="{}" text-anchor="middle">{}<title>{}</title></text>',
                    round(lx, 1),
                    round(ly + 3, 1),
                    text,
                    tooltip,
                )
            edges.append(format_html('<a href="{}">{}</a>', edge.url, line) if edge.url else line)
            if label:
                edge_labels.append(format_html('<a href="{}">{}</a>', edge.url, label) if edge.url else label)
    margin = 8
    left, top = box.left - margin, box.top - margin
    box_width, box_height = box.right - box.left + 2 * margin, box.bottom - box.top + 2 * margin
    shown_width = min(width, box_width)
    height = box_height * shown_width / box_width
    parts = [
        f'<svg class="network" xmlns="http://www.w3.org/2000/svg" viewBox="{left:.0f} {top:.0f} {box_width:.0f} '
        f'{box_height:.0f}" width="{shown_width:.0f}" height="{height:.0f}" role="img" aria-label="Network">'
        '<defs><marker id="nw-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" class="arrow"/></marker></defs>',
        *edges,
        *cards,
        *edge_labels,
        *nodes,
        "</svg>",
    ]
    return mark_safe("".join(parts))
