"""The measures, on small graphs whose answers are known from the literature or worked by hand.

Each test's docstring says where its expected values come from.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphkit.metrics import (brokerage, brokerage_scores, brokers_between, centralities,
                              cut_points, expected_brokerage, structural_holes, who_bridges)
from graphkit.metrics.centrality import pivot_error_bound


# --- Gould and Fernandez -----------------------------------------------------------------------

def gould_fernandez_graph() -> tuple[nx.DiGraph, dict]:
    """Six small pieces, one per role and one closed triad: groups X (12), Y (5), Z (1)."""
    G = nx.DiGraph([("x1", "x2"), ("x2", "x3"),          # coordinator x2
                    ("x4", "y1"), ("y1", "x5"),          # itinerant y1
                    ("x6", "x7"), ("x7", "y2"),          # representative x7
                    ("y3", "x8"), ("x8", "x9"),          # gatekeeper x8
                    ("x10", "y4"), ("y4", "z1"),         # liaison y4
                    ("x11", "y5"), ("y5", "x12"), ("x11", "x12")])  # closed: no brokerage
    groups = {v: v[0] for v in G}
    return G, groups


def test_gould_fernandez_every_role_once() -> None:
    """Hand count: each broker mediates exactly one open two-path, in the role it was built
    for; the closed triad x11 -> y5 -> x12 (with x11 -> x12) is not brokerage (Gould and
    Fernandez 1989: a brokers only where a and c are not tied)."""
    G, groups = gould_fernandez_graph()
    raw = brokerage(G, groups)
    expected_roles = {"x2": "coordinator", "y1": "itinerant", "x7": "representative",
                      "x8": "gatekeeper", "y4": "liaison"}
    for v, counts in raw.items():
        want = expected_roles.get(v)
        assert counts == {r: int(r == want) for r in counts}, (v, counts)


def test_gould_fernandez_expected_counts_by_hand() -> None:
    """Worked by hand from the group sizes (N = 18; X 12, Y 5, Z 1; the two endpoints are two
    distinct other nodes, (N-1)(N-2) = 272 ordered pairs). For y1 (group Y) with one two-path:
    coordinator 4*3, itinerant 12*11 + 1*0, representative 4*13, gatekeeper 13*4,
    liaison 13^2 - (12^2 + 1^2) = 24, each over 272; they sum to 1."""
    G, groups = gould_fernandez_graph()
    e = expected_brokerage(G, groups)["y1"]
    assert e == pytest.approx({"coordinator": 12 / 272, "itinerant": 132 / 272,
                               "representative": 52 / 272, "gatekeeper": 52 / 272,
                               "liaison": 24 / 272})
    assert sum(e.values()) == pytest.approx(1.0)
    scores = brokerage_scores(G, groups)["y1"]
    assert scores["itinerant_ratio"] == pytest.approx(272 / 132)
    assert scores["coordinator_ratio"] == 0.0
    assert brokerage_scores(G, groups)["x12"]["coordinator_ratio"] is None  # no two-paths


def test_brokerage_needs_direction() -> None:
    with pytest.raises(ValueError):
        brokerage(nx.path_graph(3), {})


# --- Burt ----------------------------------------------------------------------------------

def test_constraint_and_effective_size_match_ucinet_on_a_directed_triad() -> None:
    """The directed triad 0->1, 0->2, 1->0, 2->1, whose constraint UCINET gives as
    {0: 1.003, 1: 1.003, 2: 1.389} and effective size as {0: 1.167, 1: 1.167, 2: 1.0} (as
    recorded in networkx's structural-holes tests). Worked by hand: mutual weights (0,1) = 2,
    (0,2) = (1,2) = 1, so p01 = 2/3, p02 = 1/3 and c(0) = (2/3 + 1/3*1/2)^2 + (1/3 + 2/3*1/3)^2
    = 25/36 + 25/81 = 1.0031; c(2) = 2 * (1/2 + 1/2*2/3)^2 = 1.3889."""
    D = nx.DiGraph([(0, 1), (0, 2), (1, 0), (2, 1)])
    s = structural_holes(D)
    assert {v: round(s[v]["constraint"], 3) for v in D} == {0: 1.003, 1: 1.003, 2: 1.389}
    assert {v: round(s[v]["effective_size"], 3) for v in D} == {0: 1.167, 1: 1.167, 2: 1.0}


@pytest.mark.parametrize("graph,ego,constraint,effective,efficiency,hierarchy", [
    # a star: three unconnected contacts, each p = 1/3: C = 3 * (1/3)^2; H = 0 (even)
    (nx.star_graph(3), 0, 1 / 3, 3.0, 1.0, 0.0),
    # K4: each c = (1/3 + 2 * 1/3 * 1/3)^2 = 25/81, C = 75/81; effective size 3 - 2*3/3 = 1
    (nx.complete_graph(4), 0, 75 / 81, 1.0, 1 / 3, 0.0),
    # ego tied to a, b, c with a-b tied: c(a) = c(b) = (1/3 + 1/3*1/2)^2 = 1/4, c(c) = 1/9;
    # effective size 3 - 2*1/3; H = sum r ln r / (3 ln 3), r = c / (C/3): 27/22, 27/22, 6/11
    (nx.Graph([("e", "a"), ("e", "b"), ("a", "b"), ("e", "c")]), "e", 11 / 18, 7 / 3, 7 / 9,
     (2 * 27 / 22 * math.log(27 / 22) + 6 / 11 * math.log(6 / 11)) / (3 * math.log(3))),
])
def test_burt_measures_worked_by_hand(graph, ego, constraint, effective, efficiency,
                                      hierarchy) -> None:
    """Burt (1992, pp. 51-72), worked by hand for each ego network (see the parameters)."""
    s = structural_holes(graph)[ego]
    assert s["constraint"] == pytest.approx(constraint)
    assert s["effective_size"] == pytest.approx(effective)
    assert s["efficiency"] == pytest.approx(efficiency)
    assert s["hierarchy"] == pytest.approx(hierarchy, abs=1e-12)


def test_structural_holes_agree_with_networkx_per_node_formulas() -> None:
    """On weighted random graphs, our one-pass implementation equals networkx's per-node
    constraint and effective size (networkx 3.6's vectorised effective size, used when no
    nodes are given, disagrees with its own per-node formula on weighted graphs)."""
    G = nx.gnm_random_graph(30, 100, seed=3)
    for u, v in G.edges():
        G[u][v]["weight"] = (u * 7 + v) % 5 + 1
    s = structural_holes(G, weight="weight")
    c = nx.constraint(G, nodes=list(G), weight="weight")
    e = nx.effective_size(G, nodes=list(G), weight="weight")
    for v in G:
        if G.degree(v):
            assert s[v]["constraint"] == pytest.approx(c[v])
            assert s[v]["effective_size"] == pytest.approx(e[v])


def test_isolates_and_single_contacts_are_undefined_not_zero() -> None:
    G = nx.Graph([("a", "b")])
    G.add_node("z")
    s = structural_holes(G)
    assert s["z"] == {"constraint": None, "effective_size": None, "efficiency": None,
                      "hierarchy": None}
    assert s["a"]["constraint"] == 1.0 and s["a"]["hierarchy"] is None


# --- centrality ------------------------------------------------------------------------------

def test_betweenness_of_a_star_centre_is_one() -> None:
    """Freeman (1978): the centre of a star lies on every shortest path between the others."""
    c = centralities(nx.star_graph(4))
    assert c["betweenness"][0] == 1.0
    assert all(c["betweenness"][v] == 0.0 for v in range(1, 5))
    assert c["degree"][0] == 1.0


def test_distance_attribute_is_used_as_path_length() -> None:
    """a-b-c is short (distance 1 each), a-c long (distance 5): b lies between a and c."""
    G = nx.Graph()
    G.add_edge("a", "b", distance=1)
    G.add_edge("b", "c", distance=1)
    G.add_edge("a", "c", distance=5)
    assert centralities(G)["betweenness"]["b"] == 1.0


def test_pivot_sampling_stays_within_its_error_bound() -> None:
    G = nx.connected_watts_strogatz_graph(400, 6, 0.2, seed=2)
    exact = nx.betweenness_centrality(G)
    sampled = centralities(G, k=100, seed=7)["betweenness"]
    worst = max(abs(exact[v] - sampled[v]) for v in G)
    assert worst <= pivot_error_bound(400, 100)


# --- bridging --------------------------------------------------------------------------------

def test_a_pair_whose_only_link_is_one_broker() -> None:
    """a - b - c: b is a and c's only link; removing it leaves them unreachable."""
    G = nx.path_graph(["a", "b", "c"])
    assert who_bridges(G, "b") == [{"a": "a", "b": "c", "share": 1.0, "distance": 2,
                                    "distance_without": math.inf}]
    assert brokers_between(G, "a", "c") == [{"broker": "b", "share": 1.0, "distance": 2,
                                             "distance_without": math.inf}]


def test_two_equal_routes_share_the_brokerage() -> None:
    """In the 4-cycle a-b-c-d-a, a and c have two shortest paths, one through b and one
    through d: each broker carries half, and removing either leaves distance 2."""
    G = nx.cycle_graph(["a", "b", "c", "d"])
    rows = brokers_between(G, "a", "c")
    assert [(r["broker"], r["share"], r["distance_without"]) for r in rows] == [
        ("b", 0.5, 2), ("d", 0.5, 2)]
    assert sum(r["share"] for r in who_bridges(G, "b")) == nx.betweenness_centrality(
        G, normalized=False)["b"]


def test_directed_paths_follow_direction() -> None:
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    assert [(r["a"], r["b"]) for r in who_bridges(G, "b")] == [("a", "c")]
    assert brokers_between(G, "c", "a") == []


def test_bridge_and_articulation_point() -> None:
    """Two triangles joined by a path through x: x and its neighbours are cut points, the
    two path edges are bridges (and local bridges of infinite span)."""
    G = nx.Graph([(1, 2), (2, 3), (3, 1), (3, "x"), ("x", 4), (4, 5), (5, 6), (6, 4)])
    cuts = cut_points(G)
    assert cuts.points == {3: [4, 2], 4: [4, 2], "x": [3, 3]}
    assert cuts.bridges == [(3, "x"), (4, "x")]
    assert sorted(cuts.local_bridges, key=str) == [(3, "x", math.inf), (4, "x", math.inf)]


# --- igraph computes, networkx defines ---------------------------------------------------------

@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_fast_measures_equal_networkx(directed, seed, monkeypatch) -> None:
    """Betweenness, closeness (both of igraph's paths) and PageRank from igraph, normalised as
    networkx does, on sparse random graphs with several components; integer distances so that
    equal-length paths tie exactly in both libraries."""
    from graphkit.metrics import fast

    G = nx.gnm_random_graph(70, 110 if not directed else 180, seed=seed, directed=directed)
    for u, v in G.edges():
        G[u][v]["weight"] = (u * 3 + v) % 4 + 1
        G[u][v]["distance"] = (u + v) % 3 + 1
    for dist in (None, "distance"):
        b = fast.betweenness(G, distance=dist)
        ref = nx.betweenness_centrality(G, weight=dist)
        assert all(b[v] == pytest.approx(ref[v], abs=1e-12) for v in G)
        c = fast.closeness(G, distance=dist)
        ref = nx.closeness_centrality(G, distance=dist)
        assert all(c[v] == pytest.approx(ref[v], abs=1e-12) for v in G)
    monkeypatch.setattr(fast, "DISTANCE_MATRIX_UP_TO", 0)
    for dist in (None, "distance"):
        c = fast.closeness(G, distance=dist)
        ref = nx.closeness_centrality(G, distance=dist)
        assert all(c[v] == pytest.approx(ref[v], abs=1e-12) for v in G)
    p = fast.pagerank(G)
    ref = nx.pagerank(G, weight="weight", tol=1e-12, max_iter=1000)
    assert all(p[v] == pytest.approx(ref[v], abs=1e-9) for v in G)


@pytest.mark.parametrize("directed", [False, True])
def test_closeness_from_pivots_is_close_to_exact(directed) -> None:
    """Above 5,000 actors closeness is estimated from the betweenness pivots: on a 3,000-node
    random graph with a small separate component, 300 pivots give every node's closeness
    within 5% of networkx's exact value, and the small component's nodes (no pivot reaches
    them) exactly; all pivots give the exact values."""
    from graphkit.metrics import fast

    G = nx.gnm_random_graph(3_000, 9_000, seed=3, directed=directed)
    G.add_edges_from([(5_000, 5_001), (5_001, 5_002)])
    exact = nx.closeness_centrality(G)
    estimated = fast.closeness(G, k=300)
    assert all(estimated[v] == pytest.approx(exact[v], rel=0.05) for v in G)
    assert [estimated[v] for v in (5_000, 5_001, 5_002)] == pytest.approx(
        [exact[v] for v in (5_000, 5_001, 5_002)], abs=1e-12)
    everyone = fast.closeness(G, k=G.number_of_nodes() - 1)
    assert all(everyone[v] == pytest.approx(exact[v], rel=0.01) for v in G)


def test_large_graph_communities_are_the_planted_ones_and_reproducible() -> None:
    """From 1,000 actors the communities come from igraph's Leiden (Traag et al. 2019): on a
    planted partition of 12 groups of 100 nodes (dense inside, sparse between) every group is
    found whole,
    numbered 1 (the largest) onwards, the modularity is networkx's of that partition, and a
    second run gives the same numbers."""
    from graphkit.metrics.centrality import FAST_FROM
    from graphkit.metrics.communities import communities

    G = nx.planted_partition_graph(12, 100, 0.2, 0.002, seed=7)
    assert G.number_of_nodes() >= FAST_FROM
    labels, q = communities(G, seed=1)
    planted = [set(range(g * 100, g * 100 + 100)) for g in range(12)]
    found = {}
    for v, c in labels.items():
        found.setdefault(c, set()).add(v)
    assert sorted(found) == list(range(1, 13))
    assert sorted(map(sorted, found.values())) == sorted(map(sorted, planted))
    assert q == pytest.approx(nx.community.modularity(G, planted))
    assert communities(G, seed=1) == (labels, q)


@pytest.mark.parametrize("directed", [False, True])
def test_large_graph_modularity_is_networkx_s_with_weights(directed: bool) -> None:
    """The modularity igraph computes from 1,000 actors (on the graph as it is, no copy) is
    networkx's for the same partition, edge weights counted, a directed graph taken undirected."""
    import random

    from graphkit.metrics.communities import communities
    from graphkit.metrics.fast import held

    rng = random.Random(3)
    G = nx.planted_partition_graph(10, 110, 0.15, 0.003, seed=5, directed=directed)
    for _, _, d in G.edges(data=True):
        d["weight"] = rng.randint(1, 5)
    with held(G):  # as metric_table measures it: one igraph conversion for every family
        labels, q = communities(G, seed=1)
    parts: dict[int, set] = {}
    for v, c in labels.items():
        parts.setdefault(c, set()).add(v)
    U = nx.Graph(G.to_undirected(as_view=True)) if directed else G
    assert q == pytest.approx(nx.community.modularity(U, parts.values(), weight="weight"),
                              abs=1e-12)
    assert 0.5 < q < 1
