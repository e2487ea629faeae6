"""Gould and Fernandez's brokerage roles on a directed graph with groups.

A broker ``b`` mediates an open two-path ``a -> b -> c`` (``a != c`` and no tie ``a -> c``).
With ``g(x)`` the group of ``x``, its role in that path is

=================  ============================  =====================================
role               groups                        e.g. (groups: ASEAN / outside)
=================  ============================  =====================================
coordinator        g(a) = g(b) = g(c)            within ASEAN, through ASEAN
itinerant          g(a) = g(c) != g(b)           an outsider between two ASEAN actors
representative     g(a) = g(b) != g(c)           speaks for its own group outward
gatekeeper         g(b) = g(c) != g(a)           lets an outsider in to its group
liaison            g(a), g(b), g(c) all differ   between two groups, belonging to neither
=================  ============================  =====================================

(the itinerant broker is also called the consultant). :func:`expected_brokerage` gives each
role's expected count if group labels were assigned at random with the observed group sizes,
given the broker's own group and its number of open two-paths; :func:`brokerage_scores` divides
the observed counts by it (Gould and Fernandez's relative measure: above 1, more brokerage of
that kind than chance).

References
----------
.. [1] Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation: a formal approach to
   brokerage in transaction networks. Sociological Methodology 19, 89-126.
.. [2] Butts, C. T., sna: ``brokerage()`` (R package), which uses the same open two-paths and
   expectations.

Examples
--------
>>> import networkx as nx
>>> G = nx.DiGraph([("a", "b"), ("b", "c")])
>>> brokerage(G, {"a": 1, "b": 2, "c": 1})["b"]["itinerant"]
1
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from .registry import Family, Measure

__all__ = ["ROLES", "brokerage", "expected_brokerage", "brokerage_scores", "undefined_roles"]

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def _role(ga, gb, gc) -> str:
    if ga == gb == gc:
        return "coordinator"
    if ga == gc:
        return "itinerant"
    if ga == gb:
        return "representative"
    if gb == gc:
        return "gatekeeper"
    return "liaison"


def brokerage(G: nx.DiGraph, groups: dict) -> dict:
    """Raw counts of each role for every node: ``{node: {role: count}}``.

    Parameters
    ----------
    G : a directed graph (self-loops are ignored).
    groups : node -> group label; nodes missing from it form one group of their own (None).
    """
    if not G.is_directed():
        raise ValueError("brokerage roles need a directed graph")
    out = {v: dict.fromkeys(ROLES, 0) for v in G}
    for b in G:
        gb = groups.get(b)
        for a in G.predecessors(b):
            if a == b:
                continue
            for c in G.successors(b):
                if c == a or c == b or G.has_edge(a, c):
                    continue
                out[b][_role(groups.get(a), gb, groups.get(c))] += 1
    return out


def expected_brokerage(G: nx.DiGraph, groups: dict, counts: dict | None = None) -> dict:
    """Expected count of each role for every node under random assignment of group labels.

    For broker ``b`` with ``t`` open two-paths, in a group of ``n_b`` among ``N`` nodes, the
    endpoints ``a`` and ``c`` are two distinct other nodes, so e.g. the coordinator probability
    is ``(n_b - 1)(n_b - 2) / ((N - 1)(N - 2))``; the five probabilities sum to 1.
    """
    counts = counts if counts is not None else brokerage(G, groups)
    sizes = Counter(groups.get(v) for v in G)
    total = G.number_of_nodes()
    pairs = (total - 1) * (total - 2)
    out = {}
    for b in G:
        t = sum(counts[b].values())
        if pairs <= 0:
            out[b] = dict.fromkeys(ROLES, 0.0)
            continue
        own = sizes[groups.get(b)]
        others = [n for g, n in sizes.items() if g != groups.get(b)]
        p = {
            "coordinator": (own - 1) * (own - 2),
            "itinerant": sum(n * (n - 1) for n in others),
            "representative": (own - 1) * (total - own),
            "gatekeeper": (total - own) * (own - 1),
            "liaison": sum(others) ** 2 - sum(n * n for n in others),
        }
        out[b] = {r: t * p[r] / pairs for r in ROLES}
    return out


def brokerage_scores(G: nx.DiGraph, groups: dict) -> dict:
    """For every node: raw counts, expected counts and their ratio per role
    (``{node: {"coordinator": n, "coordinator_expected": e, "coordinator_ratio": n/e, ...}}``;
    the ratio is None where the expected count is 0)."""
    raw = brokerage(G, groups)
    expected = expected_brokerage(G, groups, raw)
    out = {}
    for v in G:
        row = {}
        for r in ROLES:
            row[r] = raw[v][r]
            row[f"{r}_expected"] = expected[v][r]
            row[f"{r}_ratio"] = raw[v][r] / expected[v][r] if expected[v][r] else None
        out[v] = row
    return out


def undefined_roles(groups: dict) -> dict[str, str]:
    """The roles whose ratio cannot exist with these groups, and why.

    >>> undefined_roles({"a": "ASEAN", "b": "outside"})
    {'liaison': 'liaison brokerage needs three groups (broker, source and target all in different groups); there are 2'}
    """
    n = len(set(groups.values()))
    out = {}
    if n < 3:
        out["liaison"] = ("liaison brokerage needs three groups (broker, source and target all "
                          f"in different groups); there are {n}")
    if n < 2:
        for r in ("itinerant", "representative", "gatekeeper"):
            out[r] = f"{r} brokerage needs two groups; there is {n}"
    return out


def _columns(G: nx.DiGraph, context) -> dict:
    groups = context.groups or {v: "" for v in G}
    scores = brokerage_scores(G, groups)
    out = {}
    for r in ROLES:
        out[r] = {v: scores[v][r] for v in G}
        out[f"{r}_ratio"] = {v: scores[v][f"{r}_ratio"] for v in G}
    return {**out, "_meta": {"undefined": undefined_roles(groups)}}


FAMILY = Family("brokerage", tuple(
    m for r, doc in (
        ("coordinator", "within its own group, between two of its members"),
        ("itinerant", "between two members of another group (also called consultant)"),
        ("representative", "from its own group out to another"),
        ("gatekeeper", "from another group in to its own"),
        ("liaison", "between two groups, belonging to neither"))
    for m in (Measure(r, f"{r} brokerage", f"Open two-paths the actor brokers {doc} (Gould and "
                                           "Fernandez).", directed=True, shown=False),
              Measure(f"{r}_ratio", f"{r} brokerage ratio", f"{r.capitalize()} brokerage over "
                      "its expected count with the groups drawn at random.", directed=True))),
    _columns, order=50)
