"""`graphkit export` for other tools, each file read back by an independent reader: networkx's
GraphML and GEXF readers, Python's csv module, a JSON Schema of Kumu's blueprint format, and
the RDF formats byte-identical to the build (which tests/test_rdf.py reads back in rdflib)."""

from __future__ import annotations

import csv
import json

import jsonschema
import networkx as nx
import pytest

from conftest import REPO, run
from graphkit.facts import graph_of
from graphkit.views import make_view

SCHEMA = json.loads((REPO / "tests" / "kumu-blueprint.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def actors_all(shipped):
    """The view the exports below write: every actor and relation, all years."""
    return make_view(graph_of(shipped.dataset), "actors", "all").graph


def export(tmp_path, fmt: str, name: str, *extra: str):
    out = tmp_path / name
    result = run("export", "--format", fmt, "--as-of", "all", "-o", str(out), *extra)
    assert result.returncode == 0, result.stderr
    return out


def test_gexf_reads_back_with_time_intervals(tmp_path, actors_all) -> None:
    out = export(tmp_path, "gexf", "actors.gexf")
    back = nx.read_gexf(out)
    assert (back.number_of_nodes(), back.number_of_edges()) == \
        (actors_all.number_of_nodes(), actors_all.number_of_edges())
    assert back.graph["mode"] == "dynamic"
    # Timor-Leste's ASEAN membership began on 26 October 2025; its edge starts then
    edge = back.edges["asean", "timor-leste"] if back.has_edge("asean", "timor-leste") else \
        back.edges["timor-leste", "asean"]
    # (networkx's reader turns an open end, which the file leaves out, into the text "None")
    assert ("2025-10-26", "None") in edge["spells"] and "membership" in edge["label"]
    # Viet Nam's two terms on the Security Council are two spells, not one span 2008-2021
    terms = back.edges["viet-nam", "unsc"] if back.has_edge("viet-nam", "unsc") else \
        back.edges["unsc", "viet-nam"]
    assert sorted(terms["spells"]) == [("2008-01-01", "2009-12-31"), ("2020-01-01", "2021-12-31")]
    timed = sum(1 for _, _, d in back.edges(data=True) if "spells" in d)
    assert timed == sum(1 for _, _, d in actors_all.edges(data=True)
                        if all(s or e for s, e in d["periods"])) > 100
    assert back.nodes["cscap"]["label"] == "Council for Security Cooperation in the Asia Pacific"
    assert back.nodes["cscap"]["type"] == "track2-network"
    assert back.nodes["cscap"]["betweenness"] > 0  # the measures travel as node attributes


def test_graphml_reads_back_with_attributes(tmp_path, actors_all) -> None:
    back = nx.read_graphml(export(tmp_path, "graphml", "actors.graphml"))
    assert sorted(back.nodes) == sorted(actors_all.nodes)
    assert back.number_of_edges() == actors_all.number_of_edges()
    u, v, d = next((u, v, d) for u, v, d in actors_all.edges(data=True) if "start" in d)
    assert back.edges[u, v]["start"] == d["start"]
    assert back.edges[u, v]["weight"] == d["weight"]
    assert 0 <= back.nodes["asean"]["constraint"] <= 1 and back.nodes["asean"]["community"] >= 1


def test_csv_node_and_edge_lists(tmp_path, actors_all) -> None:
    export(tmp_path, "csv", "actors.csv")
    nodes = list(csv.DictReader((tmp_path / "actors-nodes.csv").open(encoding="utf-8")))
    edges = list(csv.DictReader((tmp_path / "actors-edges.csv").open(encoding="utf-8")))
    assert len(nodes) == actors_all.number_of_nodes()
    assert len(edges) == actors_all.number_of_edges()
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)
    assert {"label", "type", "track", "betweenness", "pagerank"} <= set(nodes[0])
    assert {"kinds", "start", "roles"} <= set(edges[0])
    japan = next(e for e in edges if {e["source"], e["target"]} == {"japan", "asean"})
    assert "dialogue-partner" in japan["roles"].split(",")  # a membership keeps its role


def test_kumu_blueprint_is_valid_and_consistent(tmp_path, actors_all) -> None:
    data = json.loads(export(tmp_path, "kumu", "kumu.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    ids = [e["id"] for e in data["elements"]]
    assert len(ids) == len(set(ids)) == actors_all.number_of_nodes()
    assert all(c["from"] in ids and c["to"] in ids for c in data["connections"])
    assert len(data["connections"]) == actors_all.number_of_edges()
    assert not any("_" in i for i in ids)  # Kumu's search cannot select ids with underscores
    cscap = next(e for e in data["elements"] if e["id"] == "cscap")
    assert cscap["type"] == "Track-2 network" and "Track 2" in cscap["tags"]
    assert cscap["Betweenness"] > 0
    japan = next(c for c in data["connections"] if {c["from"], c["to"]} == {"japan", "asean"})
    assert "dialogue-partner" in japan["Roles"]


def test_kumu_schema_catches_a_broken_file() -> None:
    bad = {"elements": [{"label": "A"}], "connections": [{"from": "A", "to": "B",
                                                          "direction": "both"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(bad)


@pytest.mark.parametrize("fmt,name", [("ttl", "graph.ttl"), ("nt", "graph.nt"),
                                      ("jsonld", "graph.jsonld")])
def test_rdf_formats_are_the_built_graph(tmp_path, fmt, name) -> None:
    out = tmp_path / name
    result = run("export", "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    # the same bytes as the build's, which test_rdf.py parses back in rdflib
    assert out.read_bytes() == (REPO / "exports" / name).read_bytes()


def test_rdf_formats_refuse_view_options(tmp_path) -> None:
    result = run("export", "--format", "ttl", "--view", "states", "-o", str(tmp_path / "x.ttl"))
    assert result.returncode == 2
    assert "--view applies to the network formats" in result.stderr


def test_exports_are_deterministic(tmp_path) -> None:
    for fmt, name in (("gexf", "a.gexf"), ("kumu", "a.json")):
        first = export(tmp_path, fmt, name).read_bytes()
        assert export(tmp_path, fmt, name).read_bytes() == first
