"""networkx views of a graph: which relations feed each view, which signs and actors it keeps
and how its edges are built are declared in ``ontology/model.yaml`` (``views:``); the filters
(date, tracks, kinds, undated, confidence) come from one :class:`graphkit.filters.Filter`.

Every edge is made by :func:`graphkit.projection.project`, the function that writes the RDF
shortcuts, so an edge of a view is always an edge of the graph. Each view carries on its nodes
``label``, ``type``, ``country``, ``track``, the ``asean`` side and the actor's declared text
fields; weighted edges carry ``weight`` (relations behind the edge), ``kinds``, ``tracks``,
``roles`` (concept values such as a membership's role), ``start``/``end`` (their span) and
``periods`` (each relation's own dates, for Gephi's timeline).

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> g = graph_of(load_dataset(Path("tests/cases/base"))[0])
>>> v = make_view(g, "influence")
>>> sorted(v.graph.edges())
[('asean', 'dprk'), ('asean', 'rok'), ('cscap', 'arf')]
>>> v.notes
['2 of 2 relations are undated and kept in every time slice (--drop-undated leaves them out)']
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import networkx as nx

from .facts import Fact, Graph
from .filters import Filter
from .groups import assign


@dataclass
class View:
    name: str
    graph: nx.Graph
    as_of: str
    notes: list[str]
    facts: list[Fact]  # the relations the view was built from


def view_names(g_or_model) -> list[str]:
    model = getattr(g_or_model, "model", g_or_model)
    return list(model.views)


def make_view(g: Graph, name: str, flt: Filter | str | dt.date | None = None) -> View:
    """The view ``name`` of ``g`` under the filter ``flt`` (or just a date, "present", "all")."""
    spec = g.model.views.get(name)
    if spec is None:
        raise ValueError(f"unknown view {name!r}; one of: {', '.join(g.model.views)}")
    flt = flt if isinstance(flt, Filter) else Filter(as_of=flt if flt is not None else "present")
    flt = Filter(**{**flt.__dict__, "as_of": _as_of(flt.as_of)})
    facts, notes = flt.select(g, spec.kinds, spec.signs)
    graph = _BUILDERS[spec.build](g, spec, facts, flt)
    if spec.nodes is not None and spec.build in ("weighted", "signed", "bipartite"):
        graph.remove_nodes_from([n for n in list(graph)
                                 if g.actors.get(n) is None or g.actors[n].type not in spec.nodes])
    _attributes(graph, g, flt)
    return View(name, graph, flt.label, notes, facts)


def _as_of(value):
    from .facts import parse_as_of

    return parse_as_of(value)


def _weighted(g: Graph, spec, facts: list[Fact], flt: Filter, graph=None) -> nx.Graph:
    """One edge per pair of actors (per direction on a directed view; ties both ways)."""
    graph = graph if graph is not None else (nx.DiGraph() if spec.directed else nx.Graph())
    directed = graph.is_directed()
    # gathered in plain lists first and given to networkx once, in the order first seen (its
    # add_edge and has_edge per relation took most of a view's time at 10,000 actors)
    pairs: dict[tuple[str, str], list] = {}
    get, notation, track_of, edges = pairs.get, g.model.notation, flt.track_of, g.edges
    for f in facts:
        track = track_of(f, g)
        roles = [notation(iri) for iri in f.concepts.values()]
        sign, kind, period = f.sign, f.kind, (f.start, f.end)
        for a, b, edge in edges(f):
            for u, w in ((a, b), (b, a)) if directed and not edge.directed else ((a, b),):
                e = get((u, w))
                if e is None and not directed:
                    e = get((w, u))
                if e is None:  # weight, kinds, tracks, roles, periods, signs against and for
                    e = pairs[(u, w)] = [0, set(), set(), set(), [], 0, 0]
                e[0] += 1
                e[1].add(kind)
                if track:
                    e[2].add(track)
                if roles:
                    e[3].update(roles)
                e[4].append(period)
                if sign == "adversarial":
                    e[5] += 1
                elif sign == "cooperative":
                    e[6] += 1
    graph.add_edges_from((u, w, _edge_attributes(*e)) for (u, w), e in pairs.items())
    return graph


def _edge_attributes(weight: int, kinds: set, tracks: set, roles: set, periods: list,
                     adversarial: int, cooperative: int) -> dict:
    """An edge's attributes: sets as sorted comma-separated text; the periods as ISO pairs and
    their span; ``sign`` -1 where adversarial relations are at least as many as cooperative
    ones (and there is one), else +1."""
    d = {"weight": weight,
         "kinds": ",".join(sorted(kinds)) if len(kinds) > 1 else "".join(kinds),
         "tracks": ",".join(sorted(tracks)) if len(tracks) > 1 else "".join(tracks),
         "roles": ",".join(sorted(roles)) if len(roles) > 1 else "".join(roles)}
    if len(periods) == 1:  # most ties: one relation
        s, e = periods[0]
        d["periods"] = [(s.earliest.isoformat() if s else "", e.latest.isoformat() if e else "")]
        if s:
            d["start"] = d["periods"][0][0]
        if e:
            d["end"] = d["periods"][0][1]
    else:
        d["periods"] = sorted({(s.earliest.isoformat() if s else "",
                                e.latest.isoformat() if e else "") for s, e in periods})
        if all(s for s, _ in periods):
            d["start"] = min(s.earliest for s, _ in periods).isoformat()
        if all(e for _, e in periods):
            d["end"] = max(e.latest for _, e in periods).isoformat()
    d["sign"] = -1 if adversarial >= cooperative and adversarial else 1
    return d


def _signed(g: Graph, spec, facts: list[Fact], flt: Filter) -> nx.Graph:
    """As weighted, undirected, with ``sign`` +1 or -1: the sign of most of the edge's
    relations (an even count counts as adversarial)."""
    return _weighted(g, spec, facts, flt, nx.Graph())


def _bipartite(g: Graph, spec, facts: list[Fact], flt: Filter) -> nx.Graph:
    """The first role of each kind on one side (``bipartite`` 0), its second on the other (1);
    an actor that also appears in a second role (ASEAN, member of ASEAN Plus Three) sits on
    side 1. Each edge keeps the relation's concept values and ``full``."""
    graph = nx.Graph()
    second = {a for f in facts for a in f.participants.get(
        list(g.model.relations[f.kind].roles)[1], ())}
    for f in facts:
        first_role, second_role = list(g.model.relations[f.kind].roles)[:2]
        for a in f.participants.get(first_role, ()):
            for b in f.participants.get(second_role, ()):
                graph.add_node(a, bipartite=int(a in second))
                graph.add_node(b, bipartite=1)
                attrs = {first_role: a, second_role: b, "full": not f.partial}
                for cname, cf in g.model.relations[f.kind].concepts.items():
                    iri = f.concepts.get(cname)
                    attrs[cname] = g.model.notation(iri) if iri else (cf.default or "")
                graph.add_edge(a, b, **attrs)
    return graph


def _member_sets(g: Graph, facts: list[Fact]) -> dict[str, set[str]]:
    """Body -> its full members (no partners, observers or associates)."""
    out: dict[str, set[str]] = {}
    for f in facts:
        if f.partial:
            continue
        roles = list(g.model.relations[f.kind].roles)
        for body in f.participants.get(roles[1], ()):
            out.setdefault(body, set()).update(f.participants.get(roles[0], ()))
    return out


def _co_membership(g: Graph, spec, facts: list[Fact], flt: Filter) -> nx.Graph:
    graph = nx.Graph()
    shared: Counter = Counter()
    for members in _member_sets(g, facts).values():
        kept = sorted(m for m in members if spec.nodes is None or (
            m in g.actors and g.actors[m].type in spec.nodes))
        graph.add_nodes_from(kept)
        for i, a in enumerate(kept):
            for b in kept[i + 1:]:
                shared[(a, b)] += 1
    for (a, b), n in sorted(shared.items()):
        graph.add_edge(a, b, weight=n, distance=1 / n)
    return graph


def _overlap(g: Graph, spec, facts: list[Fact], flt: Filter) -> nx.Graph:
    sets = _member_sets(g, facts)
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


_BUILDERS = {"weighted": _weighted, "signed": _signed, "bipartite": _bipartite,
             "co-membership": _co_membership, "overlap": _overlap}


def _attributes(graph: nx.Graph, g: Graph, flt: Filter) -> None:
    """Node attributes every view carries."""
    side = assign(g, "asean", flt.as_of) if "asean" in g.model.groupings and \
        g.model.groupings["asean"].anchor in g.actors else {}
    for n, d in graph.nodes(data=True):
        info = g.actors.get(n)
        d["label"] = info.label if info else n
        d["type"] = info.type if info else ""
        d["country"] = info.country if info else ""
        d["track"] = info.track if info else ""
        d["asean"] = side[n].group if n in side else "outside"
        for k, text in (info.texts.items() if info else ()):
            d.setdefault(k, text)


def counts(view: View) -> Counter:
    return Counter(d.get("type", "") for _, d in view.graph.nodes(data=True))
