"""Views of the shipped graph, in time, and the network commands as users run them."""

from __future__ import annotations

import csv
import io
import math

import networkx as nx
import pytest

from conftest import REPO, run
from graphkit.evolution import yearly
from graphkit.facts import graph_of
from graphkit.namespaces import PREFIXES
from graphkit.rdf_read import from_file
from graphkit.views import make_view


@pytest.fixture(scope="module")
def g(shipped):
    return graph_of(shipped.dataset)


def members(view, org: str) -> set[str]:
    return {m for m in view.graph[org]
            if view.graph[m][org]["organisation"] == org and view.graph[m][org]["full"]}


def test_membership_view_in_time(g) -> None:
    """ASEAN's full members: the six of 1990 (Brunei joined in 1984), the ten of 2024, and
    Timor-Leste from 26 October 2025; its dialogue partners carry their role."""
    assert members(make_view(g, "membership", "1990"), "asean") == {
        "brunei", "indonesia", "malaysia", "philippines", "singapore", "thailand"}
    assert len(members(make_view(g, "membership", "2024-06-30"), "asean")) == 10
    today = make_view(g, "membership", "present")
    assert "timor-leste" in members(today, "asean")
    assert today.graph["japan"]["asean"]["role"] == "dialogue-partner"
    assert "timor-leste" not in members(make_view(g, "membership", "2025-10-25"), "asean")


def test_undated_relations_are_kept_and_counted_low_confidence_left_out(g) -> None:
    v = make_view(g, "all", "1995")
    undated = sum(1 for f in v.facts if not f.dated)
    assert undated and any(f"{undated} of" in n and "undated" in n for n in v.notes)
    low = sum(1 for f in g.facts if f.low)
    assert any(f"{low} relations below confidence medium left out" in n for n in v.notes)
    assert not any(f.low for f in v.facts)
    # the undated ASEAN go-between mediation is in the 1995 slice
    assert v.graph.has_edge("asean", "dprk")


def test_states_projection_counts_shared_bodies(g) -> None:
    """Japan and China share ARF, EAS, ADMM-Plus, APT, CSCAP, UN (and the TAC is not a body)."""
    v = make_view(g, "states", "present")
    shared = v.graph["japan"]["china"]["weight"]
    assert shared >= 6 and v.graph["japan"]["china"]["distance"] == 1 / shared


def test_influence_view_is_directed_with_track(g) -> None:
    v = make_view(g, "influence")
    assert v.graph.is_directed()
    assert v.graph.has_edge("cscap", "arf") and not v.graph.has_edge("arf", "cscap")


def test_views_from_the_export_file_equal_views_from_the_data(g) -> None:
    back = from_file(REPO / "exports" / "graph.ttl")
    for name in ("all", "states", "influence"):
        a, b = make_view(g, name).graph, make_view(back, name).graph
        assert set(map(frozenset, a.edges())) == set(map(frozenset, b.edges())), name


def test_metrics_command_csv(tmp_path) -> None:
    result = run("metrics", "--format", "csv", "--top", "5")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 5
    assert {"id", "betweenness", "constraint", "effective_size", "hierarchy", "community"} <= set(
        rows[0])
    betweenness = [float(r["betweenness"]) for r in rows]
    assert betweenness == sorted(betweenness, reverse=True)
    assert "betweenness exact" in result.stderr


def test_metrics_on_a_directed_view_have_brokerage_roles() -> None:
    result = run("metrics", "--view", "directed", "--groups", "type", "--format", "json",
                 "--sort", "liaison")
    assert result.returncode == 0, result.stderr
    import json

    rows = json.loads(result.stdout)
    assert rows[0]["liaison"] >= rows[-1]["liaison"] and rows[0]["liaison"] > 0
    assert {"coordinator", "itinerant_ratio", "gatekeeper", "representative_ratio"} <= set(rows[0])


def test_sparql_ranks_actors_by_the_published_metric(graph) -> None:
    top = list(graph.query(
        "PREFIX gk: <%s> SELECT ?a ?b WHERE { ?a gk:betweennessCentrality ?b } "
        "ORDER BY DESC(?b) LIMIT 1" % PREFIXES["gk"]))[0]
    rows = list(csv.DictReader(open(REPO / "exports" / "metrics.csv", encoding="utf-8")))
    best = max(rows, key=lambda r: float(r["betweenness"]))
    assert str(top[0]).endswith("/" + best["id"])
    assert float(top[1]) == float(best["betweenness"])


def test_bridges_command_shows_pairs_only_the_actor_links() -> None:
    result = run("bridges", "CSCAP", "--top", "0", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert any(r["distance_without"] == "inf" and r["share"] == "1.000000" for r in rows)
    assert all(0 < float(r["share"]) <= 1 for r in rows)


def test_brokers_between_the_two_koreas() -> None:
    """The Koreas deal directly (summits, talks): no one lies between them until that tie is
    set aside; then the forums and go-betweens that connect them show."""
    direct = run("brokers", "North Korea", "South Korea", "--format", "csv")
    assert direct.returncode == 0 and direct.stdout.strip() == "broker,id,share,distance," \
        "distance_without"
    assert "tied directly in this view; --ignore-direct shows who else" in direct.stderr
    result = run("brokers", "North Korea", "South Korea", "--ignore-direct", "--format", "csv")
    assert result.returncode == 0, result.stderr
    ids = [r["id"] for r in csv.DictReader(io.StringIO(result.stdout))]
    assert {"asean", "arf", "cscap", "china", "sweden"} <= set(ids)


def test_unknown_actor_and_bad_date_are_clear_errors() -> None:
    result = run("bridges", "cscp")
    assert result.returncode == 1
    assert "no actor named 'cscp' (did you mean 'cscap'?)" in result.stderr
    result = run("metrics", "--as-of", "June 2001")
    assert result.returncode == 2
    assert "--as-of" in result.stderr and "Traceback" not in result.stderr


def test_export_graphml_reads_back_as_the_view(g, tmp_path) -> None:
    out = tmp_path / "states-2010.graphml"
    result = run("export", "--format", "graphml", "--view", "states", "--as-of", "2010",
                 "-o", str(out))
    assert result.returncode == 0, result.stderr
    back = nx.read_graphml(out)
    view = make_view(g, "states", "2010").graph
    assert {frozenset(e) for e in back.edges()} == {frozenset(e) for e in view.edges()}
    assert back.nodes["china"]["label"] == "China"
    assert math.isclose(back["japan"]["china"]["weight"], view["japan"]["china"]["weight"])


def test_evolution_writes_csv_and_plots(g, tmp_path) -> None:
    stem = tmp_path / "evo"
    args = ["evolution", "--metric", "degree", "--from", "1990", "--to", "2000",
            "--actors", "asean,cscap,ARF,East Timor", "-o", str(stem)]
    result = run(*args)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(f"{stem}.csv", encoding="utf-8")))
    assert [r["year"] for r in rows] == [str(y) for y in range(1990, 2001)]
    expected = dict(yearly(g, "actors", "degree", 1990, 2000))
    for r in rows:
        for actor in ("asean", "cscap", "arf", "timor-leste"):
            want = expected[int(r["year"])].get(actor)
            assert (r[actor] == "") if want is None else \
                float(r[actor]) == pytest.approx(want, abs=1e-6)
    assert (tmp_path / "evo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "evo.svg").read_bytes()
    assert b"<svg" in svg
    assert run(*args).returncode == 0
    assert (tmp_path / "evo.svg").read_bytes() == svg  # deterministic


def test_cuts_lists_articulation_points_bridges_and_local_bridges() -> None:
    result = run("cuts", "--top", "0")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("articulation points")
    assert "Council for Security Cooperation in the Asia Pacific" in out
    assert "\nbridges (" in out and "\nlocal bridges (" in out
