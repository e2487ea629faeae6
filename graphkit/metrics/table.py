"""Every measure, one row per actor: what ``graphkit metrics`` prints and ``metrics.csv`` holds.

Columns: ``id``, ``label``, ``type``; ``degree``, ``betweenness``, ``closeness``, ``pagerank``
(and ``in_degree``, ``out_degree`` on directed views); Burt's ``constraint``,
``effective_size``, ``efficiency``, ``hierarchy``; ``cut_point`` (how many pieces the actor's
removal splits its component into, 0 if none); ``community``; and on directed views the
Gould-Fernandez roles, each as a raw count and as the ratio to its expected count.

>>> import networkx as nx
>>> G = nx.path_graph(["a", "b", "c"])
>>> rows, meta = metric_table(G)
>>> [(r["id"], r["betweenness"], r["cut_point"]) for r in rows]
[('b', 1.0, 2), ('a', 0.0, 0), ('c', 0.0, 0)]
"""

from __future__ import annotations

import networkx as nx

from .brokerage import ROLES, brokerage_scores
from .bridging import cut_points
from .centrality import centralities, pivot_error_bound
from .communities import communities
from .structural_holes import structural_holes

__all__ = ["metric_table", "METRICS", "GROUPS"]

METRICS = ("degree", "betweenness", "closeness", "pagerank", "constraint", "effective_size",
           "efficiency", "hierarchy", "cut_point", "community")
GROUPS = ("asean", "track", "type", "country")


def single_metric(G: nx.Graph, name: str, k: int | None = None) -> dict:
    """One measure of every node, computing only what it needs (for yearly series)."""
    if name in ("degree", "in_degree", "out_degree", "betweenness", "closeness", "pagerank"):
        if name in ("degree", "in_degree", "out_degree"):
            return dict(getattr(nx, f"{name}_centrality")(G)) if len(G) > 1 else {
                v: 0.0 for v in G}
        from . import fast
        from .centrality import FAST_FROM

        distance = "distance" if any("distance" in d for _, _, d in G.edges(data=True)) else None
        if name == "betweenness":
            if len(G) >= FAST_FROM:
                return fast.betweenness(G, k=k, distance=distance)
            return nx.betweenness_centrality(G, k=k, weight=distance, seed=1)
        if name == "closeness":
            return (fast.closeness(G, distance) if len(G) >= FAST_FROM
                    else nx.closeness_centrality(G, distance=distance))
        return fast.pagerank(G)
    if name in ("constraint", "effective_size", "efficiency", "hierarchy"):
        return {v: row[name] for v, row in structural_holes(G, weight="weight").items()}
    if name == "cut_point":
        cuts = cut_points(G)
        return {v: len(cuts.get(v, ())) for v in G}
    if name == "community":
        return communities(G)[0]
    raise ValueError(f"unknown metric {name!r}; one of: {', '.join(METRICS)}")


def metric_table(G: nx.Graph, groups: str = "asean", k: int | None = None,
                 sort: str = "betweenness") -> tuple[list[dict], dict]:
    """Rows of measures for every node of ``G``, sorted by ``sort`` (descending, then id), and
    facts about the run (``betweenness``: "exact" or the pivots and error bound; ``modularity``).
    """
    cent = centralities(G, k=k)
    holes = structural_holes(G, weight="weight")
    cuts = cut_points(G)
    labels, modularity = communities(G)
    brokers = None
    if G.is_directed():
        group_of = {v: d.get(groups, "") for v, d in G.nodes(data=True)}
        brokers = brokerage_scores(G, group_of)
    rows = []
    for v, d in G.nodes(data=True):
        row = {"id": v, "label": d.get("label", v), "type": d.get("type", ""),
               "group": d.get(groups, "")}
        for name in ("degree", "in_degree", "out_degree", "betweenness", "closeness", "pagerank"):
            if name in cent:
                row[name] = cent[name][v]
        row.update(holes[v])
        row["cut_point"] = len(cuts.get(v, ()))
        row["community"] = labels[v]
        if brokers is not None:
            for r in ROLES:
                row[r] = brokers[v][r]
                row[f"{r}_ratio"] = brokers[v][f"{r}_ratio"]
        rows.append(row)
    key = sort if sort in rows[0] else "betweenness" if rows else sort
    rows.sort(key=lambda r: (-(r.get(key) if isinstance(r.get(key), (int, float)) else -1),
                             str(r["id"])))
    n = G.number_of_nodes()
    from .centrality import EXACT_LIMIT, PIVOTS

    pivots = k if k is not None else (PIVOTS if n > EXACT_LIMIT else None)
    meta = {"nodes": n, "edges": G.number_of_edges(), "directed": G.is_directed(),
            "groups": groups, "modularity": modularity,
            "betweenness": "exact" if pivots is None or pivots >= n else
            f"estimated from {pivots} pivots; within ±{pivot_error_bound(n, pivots):.3f} "
            "of exact for every actor with 95% probability"}
    return rows, meta
