"""Structural balance of a signed graph (Heider 1946; Cartwright and Harary 1956).

A triad (three actors tied pairwise) is balanced when the product of its three signs is
positive: all friends (+ + +), or two who share an enemy (+ - -): "the enemy of my enemy is
my friend". It is unbalanced with one enemy pair among friends (+ + -), or when all three are
enemies (- - -). The balance of a graph is the share of its triads that are balanced; an
actor under strain sits in many unbalanced triads.

References
----------
.. [1] Heider, F. (1946). Attitudes and cognitive organization. Journal of Psychology 21,
   107-112.
.. [2] Cartwright, D. and Harary, F. (1956). Structural balance: a generalization of Heider's
   theory. Psychological Review 63(5), 277-293.

Examples
--------
Three friends, and a fourth actor hostile to two of them who are friends of each other:

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_edges_from([("a", "b"), ("b", "c"), ("a", "c")], sign=1)
>>> G.add_edges_from([("d", "a"), ("d", "b")], sign=-1)
>>> b = balance(G)
>>> b.triads, b.balanced, b.share
(2, 2, 1.0)
>>> G.add_edge("d", "c", sign=1)   # d befriends c, whose friends it opposes
>>> b = balance(G)
>>> b.triads, b.balanced, b.unbalanced_by_actor["d"], b.unbalanced_by_actor["c"]
(4, 2, 2, 2)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

__all__ = ["balance", "Balance"]


@dataclass
class Balance:
    triads: int
    balanced: int
    unbalanced_by_actor: Counter = field(default_factory=Counter)
    triads_by_actor: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)  # actor -> an unbalanced triad it is in

    @property
    def share(self) -> float | None:
        return self.balanced / self.triads if self.triads else None


def balance(G: nx.Graph, sign: str = "sign") -> Balance:
    """Every triangle of the undirected graph ``G`` whose edges carry ``sign`` (+1 or -1)."""
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    order = {v: i for i, v in enumerate(sorted(U, key=str))}
    out = Balance(0, 0)
    for u in sorted(U, key=str):
        later = [w for w in U[u] if order[w] > order[u]]
        for i, v in enumerate(sorted(later, key=str)):
            for w in sorted(later, key=str)[i + 1:]:
                if not U.has_edge(v, w):
                    continue
                product = U[u][v][sign] * U[u][w][sign] * U[v][w][sign]
                out.triads += 1
                for x in (u, v, w):
                    out.triads_by_actor[x] += 1
                if product > 0:
                    out.balanced += 1
                else:
                    for x in (u, v, w):
                        out.unbalanced_by_actor[x] += 1
                        out.examples.setdefault(x, (u, v, w))
    return out
