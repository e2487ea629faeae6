"""Communities by modularity maximisation (seeded, so reproducible): Louvain below
``FAST_FROM`` nodes, Leiden, its refinement, from there on.

References
----------
.. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R. and Lefebvre, E. (2008). Fast unfolding
   of communities in large networks. J. Stat. Mech. P10008.
.. [2] Traag, V. A., Waltman, L. and van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing
   well-connected communities. Scientific Reports 9, 5233.

Examples
--------
>>> import networkx as nx
>>> labels, q = communities(nx.barbell_graph(4, 0))
>>> sorted(set(labels.values())), round(q, 3)
([1, 2], 0.423)
"""

from __future__ import annotations

import networkx as nx

from .centrality import FAST_FROM
from .registry import Family, Measure

__all__ = ["communities"]


def communities(G: nx.Graph, seed: int = 1) -> tuple[dict, float]:
    """Community number of every node (1 = the largest community) and the partition's
    modularity, on the undirected graph with ``weight`` as edge weight (networkx's Louvain;
    igraph's Leiden from ``FAST_FROM`` nodes on: see :func:`graphkit.metrics.fast.leiden`)."""
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    if U.number_of_edges() == 0:
        return {v: i + 1 for i, v in enumerate(sorted(U, key=str))}, 0.0
    if U.number_of_nodes() >= FAST_FROM:
        from .fast import leiden, modularity

        if U is not G:  # a directed graph's undirected view, as a graph igraph can read
            U = nx.Graph(U)
        # an undirected graph as it is: measured inside metric_table, its igraph conversion is
        # the one the other measures use (a copy took 3.3 s at 100,000 actors, networkx's
        # modularity 1.6 s)
        parts = leiden(U, seed=seed)
    else:
        modularity = nx.community.modularity  # the same arguments
        parts = nx.community.louvain_communities(U, weight="weight", seed=seed)
    parts = sorted(parts, key=lambda c: (-len(c), sorted(map(str, c))[0]))
    labels = {v: i + 1 for i, part in enumerate(parts) for v in part}
    return labels, modularity(U, parts, weight="weight")


def _columns(G: nx.Graph, context) -> dict:
    labels, modularity = communities(G, seed=context.seed)
    return {"community": labels, "_meta": {"modularity": modularity}}


FAMILY = Family("communities", (
    Measure("community", "community", "Community number by modularity (Louvain; Leiden from "
            f"{FAST_FROM:,} actors), 1 being the largest.",
            rdf="community", integer=True, rank=None),
), _columns, order=40)
