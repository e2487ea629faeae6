"""What changed between two dates, and why a measure moved: the relations that began or ended,
and for the actors whose measure moved most, how much each of those changes moved it (the
measure recomputed with that one change undone: a relation that began is taken out of the
later graph, one that ended is put back).

Changes that alter the graph in the same way (the same edges appear or vanish) are undone
together, once; a change that only adds weight to an existing edge cannot move a measure that
counts hops (degree, betweenness, closeness) and is not recomputed for it. The part of a move
the listed changes leave unexplained (the changes not listed, and changes acting together) is
reported as ``interaction``, so the listed contributions and it add up to the move.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> g = graph_of(load_dataset(Path("tests/cases/base"))[0])
>>> report = changes(g, "1990", "2000", "degree", top=2)
>>> [(c.what, c.fact.key) for c in report.changes]
[('began', 'founding.cscap.1993-06')]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

import networkx as nx

from .facts import Fact, Graph, as_of_label, parse_as_of
from .filters import Filter
from .metrics.registry import Context, check_name, single
from .views import make_view

HOP_MEASURES = {"degree", "in_degree", "out_degree", "betweenness", "closeness", "cut_point"}


@dataclass
class Change:
    fact: Fact
    what: str  # "began" or "ended"


@dataclass
class Move:
    actor: str
    before: float | None
    after: float | None
    contributions: list[tuple[Change, float]] = field(default_factory=list)
    interaction: float = 0.0

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


@dataclass
class Report:
    first: str
    last: str
    measure: str
    view: str
    changes: list[Change]
    moves: list[Move]
    considered: int  # distinct graph changes undone
    notes: list[str]


def changes(g: Graph, first, last, measure: str = "betweenness", view: str = "actors",
            flt: Filter | None = None, top: int = 10, per_actor: int = 5,
            candidates: int | None = None, actors: list[str] | None = None) -> Report:
    """The changes between ``first`` and ``last`` and the ``top`` actors whose ``measure``
    moved most (or the ``actors`` given), each with its ``per_actor`` largest contributions."""
    flt = flt or Filter()
    a, b = parse_as_of(first), parse_as_of(last)
    check_name(measure, g.model.views[view].directed)
    before = make_view(g, view, _at(flt, a))
    after = make_view(g, view, _at(flt, b))
    kept_a = {id(f) for f in before.facts}
    kept_b = {id(f) for f in after.facts}
    pool = {id(f): f for f in before.facts + after.facts}
    found = [Change(f, "began") for k, f in pool.items() if k in kept_b and k not in kept_a]
    found += [Change(f, "ended") for k, f in pool.items() if k in kept_a and k not in kept_b]
    found.sort(key=lambda c: (c.fact.start.text if c.what == "began" and c.fact.start else
                              c.fact.end.text if c.fact.end else "", c.fact.key))
    ctx = Context(pivots=_pivots(after.graph))
    values_a = single(before.graph, measure, ctx) if before.graph else {}
    values_b = single(after.graph, measure, ctx) if after.graph else {}
    present = set(values_a) | set(values_b)
    moved = actors or sorted(present, key=lambda x: (-abs((values_b.get(x) or 0) -
                                                          (values_a.get(x) or 0)), x))[:top]
    moves = [Move(x, values_a.get(x), values_b.get(x)) for x in moved
             if (values_b.get(x) or 0) != (values_a.get(x) or 0)]
    notes = list(after.notes)
    considered = _attribute(g, after, found, moves, measure, ctx, per_actor, candidates, notes)
    return Report(as_of_label(a), as_of_label(b), measure, view, found, moves, considered, notes)


def _at(flt: Filter, as_of) -> Filter:
    return Filter(**{**flt.__dict__, "as_of": as_of})


def _pivots(G: nx.Graph) -> int | None:
    from .metrics.centrality import betweenness_pivots

    return betweenness_pivots(G.number_of_nodes(), series=True)


def _effect(g: Graph, after, change: Change) -> tuple[dict, frozenset]:
    """The edge weights the change moves when undone (edge -> +1/-1 per relation), and the
    edges whose existence flips."""
    directed = after.graph.is_directed()
    delta: dict[tuple, int] = defaultdict(int)
    step = -1 if change.what == "began" else 1
    for u, w, edge in g.edges(change.fact):
        pairs = ((u, w), (w, u)) if directed and not edge.directed else ((u, w),)
        for pair in pairs:
            key = pair if directed else tuple(sorted(pair))
            delta[key] += step
    flips = frozenset(e for e, d in delta.items()
                      if (after.graph.has_edge(*e) and
                          after.graph.edges[e].get("weight", 1) + d <= 0) or
                      (not after.graph.has_edge(*e) and d > 0))
    return dict(delta), flips


@contextmanager
def _undone(after, delta: dict):
    """The view's graph with the edge weights ``delta`` applied and the actors it leaves with
    no tie taken out, restored as it was on leaving (changing the graph in place: a copy of the
    10,000-actor graph per candidate took longer than the measure)."""
    G = after.graph
    edges: dict[tuple, dict | None] = {}  # each edge touched: its attributes before, or None
    added = [x for e in delta for x in e if x not in G]
    for e, d in delta.items():
        if G.has_edge(*e):
            edges[e] = dict(G.edges[e])
            w = G.edges[e].get("weight", 1) + d
            if w <= 0:
                G.remove_edge(*e)
            else:
                G.edges[e]["weight"] = w
        elif d > 0:
            edges[e] = None
            G.add_edge(*e, weight=d)
    alone = sorted({x for e in edges for x in e if x in G and G.degree(x) == 0
                    and x not in added})
    nodes = [(x, dict(G.nodes[x])) for x in alone]
    G.remove_nodes_from(alone)
    try:
        yield G
    finally:
        G.add_nodes_from(nodes)
        for e, attrs in edges.items():
            if attrs is None:
                G.remove_edge(*e)
            else:
                if not G.has_edge(*e):
                    G.add_edge(*e)
                G.edges[e].clear()
                G.edges[e].update(attrs)
        G.remove_nodes_from(dict.fromkeys(added))


def _attribute(g, after, found, moves, measure, ctx, per_actor, candidates, notes) -> int:
    if not moves or not found:
        return 0
    hops = measure in HOP_MEASURES
    effects: dict[frozenset, list[tuple[Change, dict]]] = defaultdict(list)
    for c in found:
        delta, flips = _effect(g, after, c)
        signature = flips if hops else frozenset(delta.items())
        effects[signature].append((c, delta))
    movers = {m.actor for m in moves}
    near = movers | {n for m in movers if m in after.graph for n in nx.all_neighbors(
        after.graph, m)} if after.graph.is_directed() else movers | {
        n for m in movers if m in after.graph for n in after.graph.neighbors(m)}
    ranked = sorted((s for s in effects if s), key=lambda s: (
        0 if any(x in movers for e in _edges(s) for x in e) else
        1 if any(x in near for e in _edges(s) for x in e) else 2, -len(effects[s])))
    limit = candidates if candidates is not None else (
        200 if after.graph.number_of_nodes() <= 3000 else 20)
    if len(ranked) > limit:
        notes.append(f"{len(ranked)} distinct graph changes; the {limit} nearest to the actors "
                     "that moved most were undone (--candidates raises it)")
    base = single(after.graph, measure, ctx)
    for signature in ranked[:limit]:
        group = effects[signature]
        with _undone(after, group[0][1]) as G:
            undone = single(G, measure, ctx)
        for m in moves:
            shift = (base.get(m.actor) or 0) - (undone.get(m.actor) or 0)
            if abs(shift) > 1e-12:
                for c, _ in group:
                    m.contributions.append((c, shift / len(group)))
    for m in moves:
        m.contributions.sort(key=lambda cs: (-abs(cs[1]), cs[0].fact.key))
        m.contributions = m.contributions[:per_actor]
        # what the listed changes leave unexplained: the others, and the changes acting together
        m.interaction = m.delta - sum(s for _, s in m.contributions)
    return min(len(ranked), limit)


def _edges(signature):
    for item in signature:
        yield item[0] if isinstance(item[0], tuple) else item


def year_moves(g: Graph, first: int, last: int, measure: str, actors: list[str],
               view: str = "actors", flt: Filter | None = None) -> list[tuple[int, float]]:
    """For each year, the total move of ``measure`` over ``actors`` since the year before,
    largest first (the years an evolution plot marks)."""
    from .evolution import yearly

    series = yearly(g, view, measure, first - 1, last, flt=flt)
    out = []
    for (_, before), (year, after) in zip(series, series[1:]):
        out.append((year, sum(abs((after.get(a) or 0) - (before.get(a) or 0)) for a in actors)))
    return sorted(out, key=lambda yt: (-yt[1], yt[0]))


def when(d: dt.date | str) -> str:
    return d if isinstance(d, str) else d.isoformat()
