"""networkx views of the RDF graph, by relation type, at a point in time.

The relations are read back from the graph's triples (so any graphkit export can be analysed,
not only the shipped data) and projected to edges by :func:`graphkit.projection.project`, the same
function that writes the RDF shortcuts.

Views (direction and weights):

``actors``
    Like ``all``, without the agreements, policies, events and publications: states,
    organisations and people only, tied by every relation kind between them. The default view
    of the network commands: the question "who bridges whom" is about actors.
``all``
    Every relation kind, undirected, one edge per pair of actors; ``weight`` = number of relations
    between them; ``kinds`` = their kinds. The whole multi-relational graph as a simple graph.
``directed``
    Every relation kind as a directed graph: each relation's edges in the direction its kind
    declares (member -> body, mediator -> party, author -> work...), ties both ways; ``weight`` =
    number of relations. The whole graph for Gould-Fernandez brokerage.
``membership``
    Bipartite, undirected: members (``bipartite=0``) and the bodies they belong to
    (``bipartite=1``); each edge keeps its ``member``, ``organisation`` and ``role`` (partners,
    observers and associates included, ``full`` False). A body that is itself a member of
    another (ASEAN in ASEAN Plus Three) is on the bodies' side, so that edge joins two bodies.
``states``
    One-mode projection of the full memberships (no partners, observers or associates) on
    states: two states are tied when they share a body; ``weight`` = number of bodies shared;
    ``distance`` = ``1 / weight`` for shortest paths.
``forums``
    One-mode projection of the full memberships on bodies: two bodies are tied when they share
    members; ``weight`` = Jaccard overlap of their member sets, ``shared`` = their common
    members; ``distance`` = ``1 - weight``.
``influence``
    Directed: influencer -> influenced for each influence, mediator -> each party for each
    mediation; ``weight`` = number of such relations, ``tracks`` = their tracks.
``affiliation``
    Bipartite, undirected: people (``bipartite=0``) and the institutions they hold posts in.

Time: ``as_of`` is a date (relations started on or before it and not ended by it; a start of
"2020" counts from 2020-01-01, an end of "2021" to 2021-12-31), ``"present"`` (relations with no
end date; the default) or ``"all"`` (every relation ever). Undated relations are always kept and
counted in the view's notes. Relations marked ``confidence: low`` (a source's contradicted claim)
are left out and counted too.

>>> from graphkit.build import check
>>> from pathlib import Path
>>> rels = relations_from_triples(check(Path("tests/cases/base"), shacl=False).triples)
>>> v = make_view(rels, "influence")
>>> sorted(v.graph.edges())
[('asean', 'dprk'), ('asean', 'rok'), ('cscap', 'arf')]
>>> v.notes
['2 of 2 relations are undated and kept in every time slice']
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import networkx as nx

from .dates import PartialDate, overlaps, parse_date
from .model import Model, load_model
from .namespaces import ACTOR, PREFIXES, REL, expand
from .projection import project

VIEWS = ("actors", "all", "directed", "membership", "states", "forums", "influence",
         "affiliation")
INSTRUMENTS = ("agreement", "policy", "event", "publication")  # what actors act through
RDF_TYPE = PREFIXES["rdf"] + "type"
LOW = expand("gk:confidence-low")
NOT_FULL = {expand(f"gk:role-{r}") for r in ("observer", "dialogue-partner",
                                              "sectoral-dialogue-partner", "development-partner",
                                              "partner-country", "associate-member")}


@dataclass
class RelationRow:
    """One relation as read back from the graph."""

    iri: str
    kind: str
    participants: dict[str, list[str]]
    start: PartialDate | None = None
    end: PartialDate | None = None
    track: str | None = None
    confidence: str | None = None
    concepts: dict[str, str] = field(default_factory=dict)  # property IRI -> concept IRI


@dataclass
class Actors:
    """What the views need to know of actors: labels, types, countries, tracks."""

    labels: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # actor id -> actor type name
    country: dict[str, str] = field(default_factory=dict)
    track: dict[str, str] = field(default_factory=dict)  # actor id -> "1", "1.5", "2"


@dataclass
class Graph:
    """Relations and actors read from the triples of a graphkit graph."""

    relations: list[RelationRow]
    actors: Actors


@dataclass
class View:
    name: str
    graph: nx.Graph
    as_of: str
    notes: list[str]


def relations_from_triples(triples: Iterable[tuple], model: Model | None = None) -> Graph:
    """Read relation nodes and actor attributes back from triples ``(s, p, o)``.

    Objects are IRI strings or literals with a ``value`` (graphkit's own tuples, or anything
    :func:`graphkit.to_rdf.canonical` produced)."""
    model = model or load_model()
    kind_of = {k.class_iri: k for k in model.relations.values()}
    type_of = {t.class_iri: name for name, t in model.actor_types.items()}
    track_of = {iri: notation for notation, iri in model.schemes[expand("gk:Tracks")].items()}
    role_of: dict[str, dict[str, str]] = {
        k.name: {spec.property: role for role, spec in k.roles.items()}
        for k in model.relations.values()}
    concept_props = {cf.property for k in model.relations.values() for cf in k.concepts.values()}
    by_subject: dict[str, list[tuple[str, object]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, []).append((p, o))
    relations: list[RelationRow] = []
    actors = Actors()
    start_p, end_p = expand("schema:startDate"), expand("schema:endDate")
    label_p, country_p = expand("skos:prefLabel"), expand("gk:country")
    alt_p = expand("skos:altLabel")
    classification_p, track_p, conf_p = (expand("org:classification"), expand("gk:track"),
                                         expand("gk:confidence"))
    for s in sorted(by_subject):
        pos = by_subject[s]
        if s.startswith(REL):
            types = [o for p, o in pos if p == RDF_TYPE]
            kind = next((kind_of[t] for t in types if t in kind_of), None)
            if kind is None:
                continue
            row = RelationRow(s, kind.name, {role: [] for role in kind.roles})
            roles = role_of[kind.name]
            for p, o in sorted(pos, key=lambda po: (po[0], str(po[1]))):
                if p in roles and isinstance(o, str) and o.startswith(ACTOR):
                    row.participants[roles[p]].append(o[len(ACTOR):])
                elif p == start_p:
                    row.start = parse_date(_value(o))
                elif p == end_p:
                    row.end = parse_date(_value(o))
                elif p == track_p:
                    row.track = track_of.get(o)
                elif p == conf_p:
                    row.confidence = o
                elif p in concept_props:
                    row.concepts[p] = o
            relations.append(row)
        elif s.startswith(ACTOR):
            aid = s[len(ACTOR):]
            for p, o in pos:
                if p == RDF_TYPE and o in type_of:
                    actors.types[aid] = type_of[o]
                elif p == label_p:
                    actors.labels[aid] = _value(o)
                elif p == alt_p:
                    actors.aliases.setdefault(aid, []).append(_value(o))
                elif p == country_p:
                    actors.country[aid] = o[len(ACTOR):]
                elif p == classification_p and o in track_of:
                    actors.track[aid] = track_of[o]
    return Graph(relations, actors)


def _value(o) -> str:
    return o if isinstance(o, str) else o.value


def graph_from_file(path) -> Graph:
    """Relations and actors from an exported graph file (Turtle, N-Triples or JSON-LD, by its
    extension), parsed by pyoxigraph."""
    import pyoxigraph as ox

    from .to_rdf import Lit

    fmt = ox.RdfFormat.from_extension(str(path).rsplit(".", 1)[-1])
    if fmt is None:
        raise ValueError(f"cannot tell the RDF format of {path} from its extension")
    xsd_string = PREFIXES["xsd"] + "string"
    triples = []
    for t in ox.parse(path=str(path), format=fmt):
        o = t.object
        if isinstance(o, ox.Literal):
            o = Lit(o.value, None if o.language or o.datatype.value == xsd_string
                    else o.datatype.value, o.language)
        else:
            o = o.value
        triples.append((t.subject.value, t.predicate.value, o))
    return relations_from_triples(triples)


def parse_as_of(text: str | None) -> str | dt.date:
    """``None`` or "present" -> "present"; "all" -> "all"; a date (YYYY means its 31 December,
    YYYY-MM the month's last day) -> that day."""
    if text in (None, "", "present"):
        return "present"
    if text == "all":
        return "all"
    return parse_date(text).latest


def in_slice(row: RelationRow, as_of) -> bool:
    if as_of == "all":
        return True
    if as_of == "present":
        return row.end is None
    return overlaps(row.start, row.end, as_of)


def make_view(g: Graph, name: str, as_of="present") -> View:
    """The view ``name`` of graph ``g`` as it stood ``as_of`` (see the module docstring)."""
    if name not in VIEWS:
        raise ValueError(f"unknown view {name!r}; one of: {', '.join(VIEWS)}")
    as_of = parse_as_of(as_of) if isinstance(as_of, (str, type(None))) else as_of
    model = load_model()
    kinds = {"membership": {"membership"}, "states": {"membership"}, "forums": {"membership"},
             "influence": {"influence", "mediation"}, "affiliation": {"affiliation"},
             "all": set(model.relations), "directed": set(model.relations),
             "actors": set(model.relations)}[name]
    rows, low, undated = [], 0, 0
    for row in g.relations:
        if row.kind not in kinds:
            continue
        if row.confidence == LOW:
            low += 1
            continue
        if not in_slice(row, as_of):
            continue
        if row.start is None and row.end is None:
            undated += 1
        rows.append(row)
    notes = []
    if undated:
        notes.append(f"{undated} of {len(rows)} relations are undated and kept in every time "
                     "slice")
    if low:
        notes.append(f"{low} relations marked confidence: low (a source's contradicted claim) "
                     "left out")
    graph = _BUILDERS[name](rows, g, model)
    if name == "actors":
        graph.remove_nodes_from([n for n in list(graph)
                                 if g.actors.types.get(n) in INSTRUMENTS])
    _attributes(graph, g, rows, as_of)
    if name not in ("states", "forums"):  # their edges are derived, not relations
        _time_spans(graph, rows, model)
    label = as_of if isinstance(as_of, str) else as_of.isoformat()
    return View(name, graph, label, notes)


def _weighted(graph: nx.Graph, rows: list[RelationRow], model: Model) -> nx.Graph:
    """One edge per pair of actors (per direction on a DiGraph, ties both ways): ``weight`` =
    number of relations projecting to it, ``kinds`` and ``tracks`` = theirs, comma-separated."""
    directed_graph = graph.is_directed()
    for row in rows:
        for a, b, edge in project(model.relations[row.kind], row.participants):
            pairs = ((a, b), (b, a)) if directed_graph and not edge.directed else ((a, b),)
            for u, w in pairs:
                if graph.has_edge(u, w):
                    d = graph[u][w]
                    d["weight"] += 1
                else:
                    d = {"weight": 1, "kinds": set(), "tracks": set()}
                    graph.add_edge(u, w, **d)
                    d = graph[u][w]
                d["kinds"].add(row.kind)
                if row.track:
                    d["tracks"].add(row.track)
    for _, _, d in graph.edges(data=True):
        d["kinds"] = ",".join(sorted(d["kinds"]))
        d["tracks"] = ",".join(sorted(d["tracks"]))
    return graph


def _time_spans(graph: nx.Graph, rows: list[RelationRow], model: Model) -> None:
    """Give each edge the span of the relations behind it, as ISO dates: ``start`` the earliest
    start (none if any of them is undated), ``end`` the latest end (none if any is open)."""
    spans: dict[tuple[str, str], list[RelationRow]] = {}
    both_ways = not graph.is_directed()
    for row in rows:
        for a, b, edge in project(model.relations[row.kind], row.participants):
            spans.setdefault((a, b), []).append(row)
            if both_ways or not edge.directed:
                spans.setdefault((b, a), []).append(row)
    for u, w, d in graph.edges(data=True):
        behind = spans.get((u, w), [])
        if behind and all(r.start for r in behind):
            d["start"] = min(r.start.earliest for r in behind).isoformat()
        if behind and all(r.end for r in behind):
            d["end"] = max(r.end.latest for r in behind).isoformat()


def _all(rows, g, model) -> nx.Graph:
    return _weighted(nx.Graph(), rows, model)


def _directed(rows, g, model) -> nx.DiGraph:
    return _weighted(nx.DiGraph(), rows, model)


def _membership(rows, g, model) -> nx.Graph:
    graph = nx.Graph()
    role_p = model.relations["membership"].concepts["role"].property
    bodies = {o for row in rows for o in row.participants["organisation"]}
    for row in rows:
        for m in row.participants["member"]:
            for o in row.participants["organisation"]:
                graph.add_node(m, bipartite=int(m in bodies))
                graph.add_node(o, bipartite=1)
                role = row.concepts.get(role_p, "")
                graph.add_edge(m, o, member=m, organisation=o,
                               role=model.notation(role) if role else "member",
                               full=role not in NOT_FULL)
    return graph


def _member_sets(rows, g, model) -> dict[str, set[str]]:
    """Body -> its full members (no partners, observers or associates)."""
    role_p = model.relations["membership"].concepts["role"].property
    out: dict[str, set[str]] = {}
    for row in rows:
        if row.concepts.get(role_p) in NOT_FULL:
            continue
        for o in row.participants["organisation"]:
            out.setdefault(o, set()).update(row.participants["member"])
    return out


def _states(rows, g, model) -> nx.Graph:
    graph = nx.Graph()
    shared: Counter = Counter()
    for members in _member_sets(rows, g, model).values():
        states = sorted(m for m in members if g.actors.types.get(m) == "state")
        graph.add_nodes_from(states)
        for i, a in enumerate(states):
            for b in states[i + 1:]:
                shared[(a, b)] += 1
    for (a, b), n in sorted(shared.items()):
        graph.add_edge(a, b, weight=n, distance=1 / n)
    return graph


def _forums(rows, g, model) -> nx.Graph:
    sets = _member_sets(rows, g, model)
    graph = nx.Graph()
    bodies = sorted(sets)
    graph.add_nodes_from(bodies)
    for i, a in enumerate(bodies):
        for b in bodies[i + 1:]:
            common = len(sets[a] & sets[b])
            if common:
                jaccard = common / len(sets[a] | sets[b])
                graph.add_edge(a, b, weight=jaccard, distance=1 - jaccard, shared=common)
    return graph


def _influence(rows, g, model) -> nx.DiGraph:
    return _weighted(nx.DiGraph(), rows, model)


def _affiliation(rows, g, model) -> nx.Graph:
    graph = nx.Graph()
    for row in rows:
        for p in row.participants["person"]:
            for i in row.participants["institution"]:
                graph.add_node(p, bipartite=0)
                graph.add_node(i, bipartite=1)
                graph.add_edge(p, i)
    return graph


_BUILDERS = {"actors": _all, "all": _all, "directed": _directed, "membership": _membership, "states": _states, "forums": _forums,
             "influence": _influence, "affiliation": _affiliation}


def asean_side(g: Graph, as_of) -> set[str]:
    """ASEAN, its member states as of ``as_of``, their nationals and institutions, and ASEAN's
    own organs: the "ASEAN" group for brokerage."""
    members = {"asean"}
    for row in g.relations:
        if (row.kind == "membership" and row.participants["organisation"] == ["asean"]
                and row.confidence != LOW and in_slice(row, as_of)
                and row.concepts.get(expand("org:role"), expand("gk:role-member")) not in NOT_FULL):
            members.update(row.participants["member"])
    side = set(members)
    side.update(a for a, c in g.actors.country.items() if c in members)
    for row in g.relations:
        if row.kind == "part-of" and set(row.participants["whole"]) & members:
            side.update(row.participants["part"])
    return side


def _attributes(graph: nx.Graph, g: Graph, rows, as_of) -> None:
    """Node attributes every view carries: label, type, country, track, asean."""
    side = asean_side(g, as_of)
    for n, d in graph.nodes(data=True):
        kind = g.actors.types.get(n, "")
        d["label"] = g.actors.labels.get(n, n)
        d["type"] = kind
        d["country"] = g.actors.country.get(n, n if kind == "state" else "")
        d["track"] = g.actors.track.get(n, "1" if kind in ("state", "igo", "un-body") else "")
        d["asean"] = "ASEAN" if n in side else "outside"


def find(g: Graph, text: str) -> tuple[str | None, str]:
    """The actor ``text`` names (id, name or alias, any case), or None and a hint."""
    from .checks import Names

    names = Names()
    for aid in sorted(g.actors.labels):
        names.add(aid, [g.actors.labels[aid]] + sorted(g.actors.aliases.get(aid, [])))
    found = names.find(text.strip())
    return (found, "") if found else (None, names.hint(text.strip()))


def counts(view: View) -> Counter:
    return Counter(d.get("type", "") for _, d in view.graph.nodes(data=True))
