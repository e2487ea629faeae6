"""Burt's structural holes: constraint, effective size, efficiency and hierarchy.

For ego ``i`` with contacts ``N(i)`` (neighbours in either direction) and proportional tie
strengths ``p_ij``, Burt's local constraint of ``j`` on ``i`` is

.. math:: c_{ij} = \\left(p_{ij} + \\sum_{q \\ne i,j} p_{iq} p_{qj}\\right)^2,

the constraint is :math:`C_i = \\sum_j c_{ij}`, the effective size is the number of contacts
minus their redundancy, efficiency is effective size over the number of contacts, and
hierarchy is the Coleman-Theil disorder index of the local constraints,

.. math:: H_i = \\frac{\\sum_j r_j \\ln r_j}{N \\ln N}, \\quad r_j = \\frac{c_{ij}}{C_i / N},

0 when constraint is spread evenly, 1 when it all comes from one contact; undefined (None) for
fewer than two contacts. Constraint and effective size are networkx's implementations.

References
----------
.. [1] Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard
   University Press, pp. 51-72 (effective size, efficiency, constraint, hierarchy).
.. [2] Burt, R. S. (2004). Structural holes and good ideas. American Journal of Sociology
   110(2), 349-399.

Examples
--------
A star: the centre spans three structural holes and no contact constrains it much.

>>> import networkx as nx
>>> s = structural_holes(nx.star_graph(3))[0]
>>> round(s["constraint"], 4), s["effective_size"], s["efficiency"], s["hierarchy"]
(0.3333, 3.0, 1.0, 0.0)
"""

from __future__ import annotations

import math

import networkx as nx

from .registry import Family, Measure

__all__ = ["structural_holes", "hierarchy"]


def _proportions(G: nx.Graph, weight: str | None):
    """Burt's proportional tie strengths ``p[i][j]`` (mutual weight over ``i``'s total) and
    ``m[j][q]`` (mutual weight over ``j``'s strongest tie), from mutual weights
    ``a_ij + a_ji`` as networkx defines them."""

    def w(u, v):
        d = G.get_edge_data(u, v)
        return (d.get(weight, 1) if weight else 1) if d is not None else 0

    mutual: dict = {}
    for i in G:  # contacts in adjacency order (not a set): sums come out the same every run
        neighbours = nx.all_neighbors(G, i) if G.is_directed() else G[i]
        contacts = [j for j in dict.fromkeys(neighbours) if j != i]
        mutual[i] = {j: w(i, j) + w(j, i) for j in contacts}
    p = {i: {j: x / total for j, x in row.items()} if (total := sum(row.values())) else {}
         for i, row in mutual.items()}
    m = {i: {j: x / top for j, x in row.items()} if (top := max(row.values(), default=0)) else {}
         for i, row in mutual.items()}
    return p, m


def structural_holes(G: nx.Graph, weight: str | None = None) -> dict:
    """Constraint, effective size, efficiency and hierarchy of every node (None where
    undefined: isolates, and hierarchy with fewer than two contacts).

    Computed in one pass from the proportional tie strengths (networkx's ``constraint`` and
    ``effective_size`` recompute them for every pair, quadratic in degree; the values agree).
    The sums over a contact ``j``'s indirect ties run over the contacts ``i`` and ``j`` share
    only, in ``i``'s contact order: the others add exactly 0.0, so the values are the same to
    the last bit, and a hub with 1,000 contacts costs its ties, not a million pairs.
    """
    p, m = _proportions(G, weight)
    out = {}
    for i in G:
        contacts = p[i]
        n = len(contacts)
        if n == 0:
            out[i] = {"constraint": None, "effective_size": None, "efficiency": None,
                      "hierarchy": None}
            continue
        order = {q: k for k, q in enumerate(contacts)}
        local = {}
        redundancy = 0.0
        for j, pij in contacts.items():
            pj, mj = p[j], m[j]  # j's contacts: the q with p[q][j] or m[j][q] nonzero
            if len(pj) < n:
                shared = sorted((q for q in pj if q in contacts and q != j), key=order.__getitem__)
            else:
                shared = [q for q in contacts if q in pj and q != j]
            indirect = sum(contacts[q] * p[q][j] for q in shared)
            local[j] = (pij + indirect) ** 2
            redundancy += sum(contacts[q] * mj[q] for q in shared)
        effective = n - redundancy
        out[i] = {"constraint": sum(local.values()), "effective_size": effective,
                  "efficiency": effective / n, "hierarchy": _hierarchy(local)}
    return out


def _hierarchy(local: dict) -> float | None:
    n = len(local)
    total = sum(local.values())
    if n < 2:
        return None
    if total == 0:
        return 0.0
    ratios = [c / (total / n) for c in local.values()]
    return sum(r * math.log(r) for r in ratios if r > 0) / (n * math.log(n))


def hierarchy(G: nx.Graph, v, weight: str | None = None) -> float | None:
    """Burt's hierarchy of ``v``: how far its constraint concentrates on one contact.

    >>> import networkx as nx
    >>> G = nx.Graph([("ego", "a"), ("ego", "b"), ("a", "b"), ("ego", "c")])
    >>> round(hierarchy(G, "ego"), 4)
    0.0522
    """
    return structural_holes(G.subgraph(set(nx.all_neighbors(G, v)) | {v} | {
        q for j in nx.all_neighbors(G, v) for q in nx.all_neighbors(G, j)}), weight)[v][
        "hierarchy"]


def _columns(G: nx.Graph, context) -> dict:
    rows = structural_holes(G, weight="weight")
    return {c: {v: r[c] for v, r in rows.items()}
            for c in ("constraint", "effective_size", "efficiency", "hierarchy")}


FAMILY = Family("structural-holes", (
    Measure("constraint", "constraint (Burt)", "Low constraint: the actor spans structural "
            "holes.", rdf="burtConstraint", rank="low"),
    Measure("effective_size", "effective size (Burt)", "Contacts less their redundancy.",
            rdf="effectiveSize"),
    Measure("efficiency", "efficiency (Burt)", "Effective size over the number of contacts.",
            rdf="efficiency"),
    Measure("hierarchy", "hierarchy (Burt)", "How much of the constraint comes from one contact "
            "(Coleman-Theil disorder).", rdf="hierarchy", rank="low"),
), _columns, order=20)
