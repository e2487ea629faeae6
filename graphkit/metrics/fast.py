"""Betweenness, closeness and PageRank computed by igraph (C), normalised as networkx does.

networkx defines the measures graphkit reports; igraph computes them 20-80 times faster
(exact betweenness on the generated 10k-actor graph: 11 s against an estimated 20 minutes), so
the large graphs of the benchmark fit their budgets. The test suite checks that the values
agree with networkx's on directed, undirected, weighted and disconnected graphs.

Normalisation, as in networkx:

- betweenness: divided by the number of ordered (directed) or unordered (undirected) pairs of
  other nodes, ``(n-1)(n-2)`` or ``(n-1)(n-2)/2``; with ``k`` pivots, the sum over the pivots'
  shortest paths is scaled by ``n / k`` first (Brandes and Pich 2007);
- closeness: Wasserman and Faust's form for disconnected graphs,
  ``(r-1)/(n-1) * (r-1)/sum(d)``, over the ``r`` nodes that reach the node (incoming distance
  on directed graphs);
- PageRank: damping 0.85, edge ``weight`` as transition weight.

>>> import networkx as nx
>>> [round(x, 3) for x in betweenness(nx.path_graph(4)).values()]
[0.0, 0.667, 0.667, 0.0]
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Iterator

import networkx as nx

__all__ = ["betweenness", "closeness", "pagerank", "leiden", "modularity"]

DISTANCE_MATRIX_UP_TO = 1000  # nodes: above this, closeness comes from igraph's own routine (the
# matrix walked in Python took 1.4 s at 2,000 actors; the tests hold both paths equal)


def igraph():
    """The igraph module, imported without its matplotlib plotting backend: igraph probes for
    matplotlib on import, which costs about a second where matplotlib is installed (graphkit's
    evolution plot needs it) and graphkit never plots through igraph."""
    import sys

    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        import igraph as ig

        return ig
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # import fails: not probed
    try:
        import igraph as ig
    finally:
        del sys.modules["matplotlib"]
    return ig


_held: dict[int, tuple] = {}  # id(G) -> (G, {attr: conversion}) for the graphs held


@contextmanager
def held(G: nx.Graph) -> Iterator[None]:
    """Within the block, ``G`` is converted to igraph once, and each edge attribute read once,
    for every measure computed from it (``G`` must not change meanwhile:
    :func:`graphkit.metrics.registry.metric_table` holds the graph it measures; 0.2 s at
    10,000 actors).

    >>> G = nx.path_graph(3)
    >>> with held(G):
    ...     _igraph(G, None)[0] is _igraph(G, "weight")[0]
    True
    >>> _igraph(G, None)[0] is _igraph(G, None)[0]
    False
    """
    if id(G) in _held:
        yield
        return
    _held[id(G)] = (G, {})
    try:
        yield
    finally:
        del _held[id(G)]


def _igraph(G: nx.Graph, attr: str | None):
    """``G`` as an igraph graph, its nodes in igraph's order, and each edge's ``attr`` (None
    without ``attr``)."""
    found = _held.get(id(G))
    memo = found[1] if found is not None and found[0] is G else {}
    if attr not in memo:
        if memo:  # the graph is converted: only the attribute is read
            h, nodes, _ = next(iter(memo.values()))
            memo[attr] = (h, nodes, [d.get(attr, 1) for _, _, d in G.edges(data=True)]
                          if attr else None)
        else:
            memo[attr] = _convert(G, attr)
    return memo[attr]


def _convert(G: nx.Graph, attr: str | None):
    ig = igraph()

    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    edges, values = [], []
    for u, v, d in G.edges(data=True):
        edges.append((index[u], index[v]))
        values.append(d.get(attr, 1) if attr else 1)
    h = ig.Graph(n=len(nodes), edges=edges, directed=G.is_directed())
    return h, nodes, (values if attr else None)


def betweenness(G: nx.Graph, k: int | None = None, distance: str | None = None,
                seed: int = 1) -> dict:
    """Normalised betweenness, exact or from ``k`` pivot sources chosen with ``seed``."""
    n = G.number_of_nodes()
    if n < 3:
        return {v: 0.0 for v in G}
    h, nodes, weights = _igraph(G, distance)
    directed = G.is_directed()
    if k is not None and k < n:
        # pivots drawn from the nodes by name, not position: two graphs that share most nodes
        # (a graph and the same with one change undone) share most pivots, whatever their order
        index = {v: i for i, v in enumerate(nodes)}
        named = sorted(nodes, key=lambda v: (str(type(v)), str(v)))
        sources = sorted(index[v] for v in random.Random(seed).sample(named, k))
        raw = h.betweenness(directed=directed, weights=weights, sources=sources)
        raw = [x * n / k for x in raw]
        if not directed:
            raw = [x / 2 for x in raw]  # each unordered pair is sampled from both ends
    else:
        raw = h.betweenness(directed=directed, weights=weights)
    scale = (n - 1) * (n - 2) / (1 if directed else 2)
    return {v: raw[i] / scale for i, v in enumerate(nodes)}


def closeness(G: nx.Graph, distance: str | None = None, k: int | None = None,
              seed: int = 1) -> dict:
    """Closeness with Wasserman and Faust's correction for disconnected graphs: exact, or with
    ``k`` pivots the mean distance to each node estimated from the pivots that reach it
    (Eppstein and Wang), the count of nodes reaching it kept exact."""
    n = G.number_of_nodes()
    if n < 2:
        return {v: 0.0 for v in G}
    h, nodes, weights = _igraph(G, distance)
    mode = "in" if G.is_directed() else "all"
    if k is not None and k < n:
        return _closeness_from_pivots(G, h, nodes, weights, k, seed)
    dist = h.distances(weights=weights, mode=mode) if n <= DISTANCE_MATRIX_UP_TO else None
    out = {}
    if dist is not None:
        for i, v in enumerate(nodes):
            reach = [d for j, d in enumerate(dist[i]) if j != i and d != float("inf")]
            total = sum(reach)
            r = len(reach) + 1
            out[v] = 0.0 if total == 0 else (r - 1) / total * (r - 1) / (n - 1)
        return out
    raw = h.closeness(mode=mode, weights=weights, normalized=True)
    reach = _reaching(h, G.is_directed())
    for i, v in enumerate(nodes):
        c = raw[i]
        out[v] = 0.0 if c != c or reach[i] <= 1 else c * (reach[i] - 1) / (n - 1)
    return out


def _reaching(h, directed: bool) -> list[int]:
    """For each vertex, how many vertices reach it, itself included."""
    if directed:
        return _reached_by(h)
    membership = h.connected_components().membership
    sizes: dict[int, int] = {}
    for c in membership:
        sizes[c] = sizes.get(c, 0) + 1
    return [sizes[c] for c in membership]


PIVOT_CHUNK = 50  # pivots whose distances are held at once (50 x 100,000 values: 40 MB)


def _closeness_from_pivots(G: nx.Graph, h, nodes: list, weights, k: int, seed: int) -> dict:
    """Closeness estimated from ``k`` pivots drawn by node name (as for betweenness): a node's
    mean distance from the nodes reaching it is the mean of its distances from the pivots that
    reach it; a node no pivot reaches (a small component) is computed exactly."""
    import numpy as np

    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    named = sorted(nodes, key=lambda v: (str(type(v)), str(v)))
    pivots = sorted(index[v] for v in random.Random(seed).sample(named, k))
    total = np.zeros(n)
    count = np.zeros(n, dtype=np.int64)
    for start in range(0, k, PIVOT_CHUNK):
        chunk = pivots[start:start + PIVOT_CHUNK]
        d = np.array(h.distances(source=chunk, weights=weights, mode="out"), dtype=float)
        d[np.arange(len(chunk)), chunk] = np.inf  # a pivot's distance to itself is no sample
        seen = np.isfinite(d)
        total += np.where(seen, d, 0.0).sum(axis=0)
        count += seen.sum(axis=0)
    reach = _reaching(h, G.is_directed())
    out = {}
    missing = [i for i in range(n) if count[i] == 0 and reach[i] > 1]
    if missing:
        mode = "in" if G.is_directed() else "all"
        exact = h.closeness(vertices=missing, mode=mode, weights=weights, normalized=True)
        for i, c in zip(missing, exact):
            out[nodes[i]] = 0.0 if c != c else c * (reach[i] - 1) / (n - 1)
    for i, v in enumerate(nodes):
        if v in out:
            continue
        if reach[i] <= 1 or count[i] == 0 or total[i] == 0:
            out[v] = 0.0
        else:
            out[v] = float((reach[i] - 1) / (n - 1) * count[i] / total[i])
    return out


def _reached_by(h) -> list[int]:
    """For each vertex, how many vertices reach it (itself included), from one pass over the
    strongly connected components in topological order, each holding the set of vertices
    that reach it as the bits of an integer (a search per vertex took 10 s at 10,000 actors).

    >>> import igraph as ig
    >>> _reached_by(ig.Graph(n=4, edges=[(0, 1), (1, 0), (1, 2)], directed=True))
    [2, 2, 3, 1]
    """
    parts = h.connected_components(mode="strong")
    dag = parts.cluster_graph(combine_edges=False)
    bits = [sum(1 << v for v in part) for part in parts]  # a bit per vertex
    for c in dag.topological_sorting(mode="out"):
        for p in dag.predecessors(c):
            bits[c] |= bits[p]
    return [bits[c].bit_count() for c in parts.membership]


def pagerank(G: nx.Graph, weight: str = "weight") -> dict:
    if G.number_of_nodes() == 0:
        return {}
    h, nodes, weights = _igraph(G, weight)
    values = h.pagerank(directed=G.is_directed(), weights=weights, damping=0.85)
    return {v: values[i] for i, v in enumerate(nodes)}


def modularity(G: nx.Graph, parts: list[set], weight: str = "weight") -> float:
    """The modularity of the partition ``parts`` of the undirected graph ``G`` (networkx's
    ``community.modularity``, resolution 1, ``weight`` as edge weight), computed by igraph.

    >>> G = nx.barbell_graph(4, 0)
    >>> round(modularity(G, [set(range(4)), set(range(4, 8))]), 6) == round(
    ...     nx.community.modularity(G, [set(range(4)), set(range(4, 8))]), 6)
    True
    """
    h, nodes, weights = _igraph(G, weight)
    index = {v: i for i, v in enumerate(nodes)}
    membership = [0] * len(nodes)
    for k, part in enumerate(parts):
        for v in part:
            membership[index[v]] = k
    return h.modularity(membership, weights=weights)


def leiden(G: nx.Graph, weight: str = "weight", seed: int = 1) -> list[set]:
    """Communities of the undirected graph maximising modularity by the Leiden algorithm
    (igraph's, modularity objective, its default two iterations), seeded.

    Leiden refines Louvain (Traag, Waltman and van Eck 2019): its communities are connected,
    and on the generated sets it finds a higher modularity far sooner than igraph's multilevel
    Louvain (100,000 actors: 0.349 in 1.8 s against 0.308 in 69 s; 10,000: 0.356 against
    0.322), whose running time grew with the graph's size squared there.
    """
    h, nodes, weights = _igraph(G, weight)
    state = random.getstate()
    random.seed(seed)  # igraph draws from Python's random module
    try:
        parts = h.community_leiden(objective_function="modularity", weights=weights)
    finally:
        random.setstate(state)
    return [{nodes[i] for i in part} for part in parts]
