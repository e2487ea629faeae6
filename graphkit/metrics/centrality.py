"""Degree, betweenness, closeness and PageRank, with the view's notion of distance.

Betweenness is normalised (by ``(n-1)(n-2)`` pairs, halved for undirected graphs). Edge weights
are used as distances only where a view defines a ``distance`` (the projections: ``1 / shared
bodies`` for states, ``1 - Jaccard`` for forums); elsewhere paths are counted in hops, because a
count of relations between two actors is a strength, not a length. Above ``EXACT_LIMIT`` nodes,
betweenness is estimated from ``k`` pivot sources (Brandes and Pich); its error bound is
:func:`pivot_error_bound`; closeness from the same pivots (each actor's mean distance from the
pivots reaching it, Eppstein and Wang; the count of actors reaching it stays exact). The definitions are networkx's; igraph computes them (:mod:`.fast`,
several times faster at any size), and the tests hold the two equal.

References
----------
.. [1] Freeman, L. C. (1978). Centrality in social networks: conceptual clarification.
   Social Networks 1(3), 215-239.
.. [2] Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of
   Mathematical Sociology 25(2), 163-177.
.. [3] Brandes, U. and Pich, C. (2007). Centrality estimation in large networks.
   International Journal of Bifurcation and Chaos 17(7), 2303-2318.
.. [4] Page, L., Brin, S., Motwani, R. and Winograd, T. (1999). The PageRank citation ranking.
.. [5] Eppstein, D. and Wang, J. (2004). Fast approximation of centrality. Journal of Graph
   Algorithms and Applications 8(1), 39-45.

Examples
--------
>>> import networkx as nx
>>> c = centralities(nx.path_graph(3))
>>> c["betweenness"]
{0: 0.0, 1: 1.0, 2: 0.0}
>>> c["degree"][1], round(c["closeness"][0], 3)
(1.0, 0.667)
"""

from __future__ import annotations

import math

import networkx as nx

from . import fast

from .registry import Family, Measure

__all__ = ["centralities", "pivot_error_bound", "betweenness_pivots", "betweenness_note",
           "closeness_note"]

EXACT_LIMIT = 5_000  # nodes: exact betweenness of one graph up to this size (5k: 2.5 s, 10k: 11 s)
EXACT_SERIES_LIMIT = 3_000  # nodes: the same for a series of graphs (a measure year by year)
FAST_FROM = 1_000  # nodes: from this size on, igraph's Leiden (see graphkit.metrics.communities)
PIVOTS = 500


def betweenness_pivots(n: int, k: int | None = None, series: bool = False) -> int | None:
    """The one rule for exact or estimated betweenness: ``k`` pivots if given, exact up to
    ``EXACT_LIMIT`` nodes (``EXACT_SERIES_LIMIT`` for a series of graphs), else ``PIVOTS``;
    None means exact, and so does ``k`` 0. (``graphkit metrics --help`` states the limits.)

    >>> betweenness_pivots(500), betweenness_pivots(25_000), betweenness_pivots(5_000, series=True)
    (None, 500, 500)
    >>> betweenness_pivots(25_000, k=0)
    """
    if k is None and n > (EXACT_SERIES_LIMIT if series else EXACT_LIMIT):
        k = PIVOTS
    return None if k is None or k <= 0 or k >= n else k


def betweenness_note(n: int, pivots: int | None) -> str:
    """'exact', or how betweenness was estimated and how close it is.

    >>> betweenness_note(6_000, None), betweenness_note(6_000, 0)
    ('exact', 'exact')
    >>> betweenness_note(6_000, 500)
    'estimated from 500 pivots; within ±0.111 of exact for every actor with 95% probability'
    """
    if not pivots or pivots >= n:
        return "exact"
    return (f"estimated from {pivots} pivots; within ±{pivot_error_bound(n, pivots):.3f} of "
            "exact for every actor with 95% probability")


def closeness_note(n: int, pivots: int | None) -> str:
    """'exact', or how closeness was estimated.

    >>> closeness_note(6_000, 500)
    "estimated from 500 pivots (each actor's mean distance from the pivots that reach it)"
    """
    if not pivots or pivots >= n:
        return "exact"
    return (f"estimated from {pivots} pivots (each actor's mean distance from the pivots "
            "that reach it)")


def centralities(G: nx.Graph, k: int | None = None, seed: int = 1,
                 only: frozenset | None = None) -> dict[str, dict]:
    """Degree, betweenness, closeness and PageRank of every node of ``G``.

    Parameters
    ----------
    G : networkx graph, directed or not; an edge attribute ``distance`` is used as path length
        where present.
    k : pivots for betweenness and closeness; None means exact up to ``EXACT_LIMIT`` nodes,
        else ``PIVOTS``.
    seed : pivot sampling seed (results are reproducible).
    """
    distance = "distance" if _has(G, "distance") else None
    n = G.number_of_nodes()
    k = betweenness_pivots(n, k)
    out = {"degree": nx.degree_centrality(G) if n > 1 else {v: 0.0 for v in G}}
    if G.is_directed():
        out["in_degree"] = nx.in_degree_centrality(G) if n > 1 else {v: 0.0 for v in G}
        out["out_degree"] = nx.out_degree_centrality(G) if n > 1 else {v: 0.0 for v in G}
    want = (lambda m: only is None or m in only)
    if want("betweenness"):  # igraph computes (networkx defines: the tests hold them equal)
        out["betweenness"] = fast.betweenness(G, k=k, distance=distance, seed=seed)
    if want("closeness"):
        out["closeness"] = fast.closeness(G, distance=distance, k=k, seed=seed)
    if want("pagerank"):
        out["pagerank"] = fast.pagerank(G, weight="weight")  # networkx's needs scipy
    return out


def pivot_error_bound(n: int, k: int, delta: float = 0.05) -> float:
    """Half-width ``eps`` such that, with probability at least ``1 - delta``, every node's
    pivot-sampled normalised betweenness is within ``eps`` of the exact value.

    Each pivot's contribution to a node's normalised betweenness lies in [0, 1]; Hoeffding's
    inequality with a union bound over the ``n`` nodes gives
    ``eps = sqrt(ln(2n / delta) / (2k))`` (Brandes and Pich 2007 use the same argument).

    >>> round(pivot_error_bound(10_000, 500), 3)
    0.114
    """
    return math.sqrt(math.log(2 * n / delta) / (2 * k))


def _has(G: nx.Graph, attr: str) -> bool:
    return any(attr in d for _, _, d in G.edges(data=True))


FAMILY = Family("centrality", (
    Measure("degree", "degree centrality", "Share of the other actors the actor is tied to.",
            rdf="degreeCentrality"),
    Measure("in_degree", "in-degree centrality", "Share of the other actors with a tie to the "
            "actor.", directed=True, shown=False),
    Measure("out_degree", "out-degree centrality", "Share of the other actors the actor has a "
            "tie to.", directed=True, shown=False),
    Measure("betweenness", "betweenness centrality", "Normalised betweenness (Freeman): share of "
            "shortest paths between other pairs that run through the actor.",
            rdf="betweennessCentrality"),
    Measure("closeness", "closeness centrality", "Inverse mean distance to the actors it reaches "
            "(Wasserman and Faust's correction for disconnected graphs).",
            rdf="closenessCentrality"),
    Measure("pagerank", "PageRank", "Stationary share of a random walk along ties (damping 0.85).",
            rdf="pageRank"),
), lambda G, ctx: centralities(G, k=ctx.pivots, seed=ctx.seed, only=ctx.only), order=10)
