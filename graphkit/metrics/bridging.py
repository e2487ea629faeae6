"""Who bridges whom: cut points, bridges, and the pairs whose shortest paths run through an actor.

:func:`who_bridges` answers "between whom does ACTOR stand?": every pair ``(a, b)`` with
shortest paths through the actor, the actor's share of those paths
(:math:`\\sigma_{ab}(v) / \\sigma_{ab}`, the pair's term in the actor's betweenness), their
distance, and their distance once the actor is removed (``inf`` where it is their only link).
:func:`brokers_between` answers the reverse: who lies between ``a`` and ``b``, ranked.
Paths are counted in hops and follow edge direction on directed graphs.

References
----------
.. [1] Freeman, L. C. (1977). A set of measures of centrality based on betweenness.
   Sociometry 40(1), 35-41 (pair dependency).
.. [2] Granovetter, M. (1973). The strength of weak ties (local bridges).
   American Journal of Sociology 78(6), 1360-1380.

Examples
--------
In a star, the centre is every pair's only link:

>>> import networkx as nx
>>> rows = who_bridges(nx.star_graph(2), 0)
>>> [(r["a"], r["b"], r["share"], r["distance"], r["distance_without"]) for r in rows]
[(1, 2, 1.0, 2, inf)]
"""

from __future__ import annotations

import math
from collections import deque

from dataclasses import dataclass

import networkx as nx

from .registry import Family, Measure

__all__ = ["who_bridges", "brokers_between", "cut_points", "cut_off_by", "Cuts"]

SPAN_UP_TO = 20_000  # edges: a local bridge's span needs a shortest path per edge beyond this


def _bfs(G: nx.Graph, source, removed=None) -> tuple[dict, dict]:
    """Hop distances and shortest-path counts from ``source`` (skipping node ``removed``)."""
    dist, sigma = {source: 0}, {source: 1}
    succ = G.successors if G.is_directed() else G.neighbors
    queue = deque([source])
    while queue:
        u = queue.popleft()
        for w in succ(u):
            if w == removed:
                continue
            if w not in dist:
                dist[w] = dist[u] + 1
                sigma[w] = 0
                queue.append(w)
            if dist[w] == dist[u] + 1:
                sigma[w] += sigma[u]
    return dist, sigma


def who_bridges(G: nx.Graph, v, limit: int | None = None) -> list[dict]:
    """Pairs whose shortest paths run through ``v``, most dependent first.

    Each row: ``a``, ``b``, ``share`` (fraction of the pair's shortest paths through ``v``),
    ``distance`` (hops) and ``distance_without`` (hops once ``v`` is removed; ``inf`` if none).
    For an undirected graph each pair appears once. Order: share, then how much longer the
    pair's route becomes without ``v``, then pairs of well-connected actors first (the lesser
    degree of the two), so bridges between hubs come before pendant actors.
    """
    if v not in G:
        raise KeyError(v)
    directed = G.is_directed()
    nodes = [u for u in G if u != v]
    from_v = _bfs(G, v)
    to_v = _bfs(G.reverse(copy=False), v) if directed else from_v
    rows = []
    for a in nodes:
        if a not in to_v[0]:
            continue
        dist_a, sigma_a = _bfs(G, a)
        without = None
        for b in nodes:
            if b == a or (not directed and str(b) < str(a)) or b not in from_v[0]:
                continue
            if b not in dist_a or to_v[0][a] + from_v[0][b] != dist_a[b]:
                continue
            share = to_v[1][a] * from_v[1][b] / sigma_a[b]
            if without is None:
                without = _bfs(G, a, removed=v)[0]
            rows.append({"a": a, "b": b, "share": share, "distance": dist_a[b],
                         "distance_without": without.get(b, math.inf)})
    degree = G.degree
    rows.sort(key=lambda r: (-r["share"], -_gap(r),
                             -min(degree(r["a"]), degree(r["b"])),
                             -max(degree(r["a"]), degree(r["b"])), str(r["a"]), str(r["b"])))
    return rows[:limit] if limit else rows


def brokers_between(G: nx.Graph, a, b, ignore_direct: bool = False) -> list[dict]:
    """Who lies between ``a`` and ``b``: every other node on their shortest paths, with its
    ``share`` of those paths and the ``distance_without`` it; most indispensable first. With
    ``ignore_direct``, a tie between ``a`` and ``b`` themselves is set aside, so the brokers
    of two actors who also deal directly can be seen.

    >>> G = nx.Graph([("a", "b"), ("a", "m"), ("m", "b")])
    >>> brokers_between(G, "a", "b"), [r["broker"] for r in brokers_between(G, "a", "b", True)]
    ([], ['m'])
    """
    for x in (a, b):
        if x not in G:
            raise KeyError(x)
    if ignore_direct and (G.has_edge(a, b) or G.has_edge(b, a)):
        G = G.copy()
        G.remove_edges_from([(a, b), (b, a)])
    dist_a, sigma_a = _bfs(G, a)
    if b not in dist_a:
        return []
    rev = G.reverse(copy=False) if G.is_directed() else G
    dist_b, sigma_b = _bfs(rev, b)
    rows = []
    for v in G:
        if v in (a, b) or v not in dist_a or v not in dist_b:
            continue
        if dist_a[v] + dist_b[v] != dist_a[b]:
            continue
        share = sigma_a[v] * sigma_b[v] / sigma_a[b]
        without = _bfs(G, a, removed=v)[0].get(b, math.inf)
        rows.append({"broker": v, "share": share, "distance": dist_a[b],
                     "distance_without": without})
    rows.sort(key=lambda r: (-r["share"], -_gap(r), str(r["broker"])))
    return rows


def _gap(row: dict) -> float:
    return row["distance_without"] - row["distance"]


def cut_off_by(G: nx.Graph, v) -> list[set]:
    """The pieces of ``v``'s component once ``v`` is removed, largest first."""
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    comp = nx.node_connected_component(U, v)
    pieces = nx.connected_components(U.subgraph(comp - {v}))
    return sorted(pieces, key=lambda c: (-len(c), sorted(map(str, c))))


@dataclass
class Cuts:
    """What holds a graph together: ``points`` (each articulation point with the sizes of the
    pieces its component falls into without it, largest first), ``bridges`` (edges whose
    removal disconnects) and ``local_bridges`` (edges between actors with no contact in
    common, with their span: how far apart the two would be without it, or None when not
    computed)."""

    points: dict
    bridges: list
    local_bridges: list


def cut_points(G: nx.Graph) -> Cuts:
    """Articulation points, bridges and local bridges of the undirected graph (the span of a
    local bridge is computed up to ``SPAN_UP_TO`` edges).

    >>> import networkx as nx
    >>> cuts = cut_points(nx.barbell_graph(3, 1))   # two triangles joined through node 3
    >>> sorted(cuts.points), cuts.points[3], cuts.bridges
    ([2, 3, 4], [3, 3], [(2, 3), (3, 4)])
    """
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    points = {}
    for v in sorted(nx.articulation_points(U), key=str):
        comp = nx.node_connected_component(U, v)
        H = U.subgraph(comp - {v})
        points[v] = sorted((len(c) for c in nx.connected_components(H)), reverse=True)
    bridges = sorted((tuple(sorted(e, key=str)) for e in nx.bridges(U)), key=str)
    with_span = U.number_of_edges() <= SPAN_UP_TO
    local = sorted(((*sorted(t[:2], key=str), t[2] if with_span else None)
                    for t in nx.local_bridges(U, with_span=with_span)
                    for t in [t if with_span else (*t, None)]), key=str)
    return Cuts(points, bridges, local)


FAMILY = Family("cuts", (
    Measure("cut_point", "cut point", "Number of pieces the actor's removal splits its component "
            "into (0: not an articulation point).", rdf="cutPoint", integer=True),
), lambda G, ctx: {"cut_point": _pieces(G)}, order=30)


def _pieces(G: nx.Graph) -> dict:
    """How many pieces each node's removal splits its component into (0: none): for a cut
    point, the number of biconnected blocks it belongs to (one pass over the graph).

    >>> _pieces(nx.barbell_graph(3, 1))[3], _pieces(nx.path_graph(3))
    (2, {0: 0, 1: 2, 2: 0})
    """
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    blocks: dict = {}
    for block in nx.biconnected_components(U):
        for v in block:
            blocks[v] = blocks.get(v, 0) + 1
    return {v: blocks[v] if blocks.get(v, 0) > 1 else 0 for v in G}
