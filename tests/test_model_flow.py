"""Where to change what: a relation kind is one edit of ontology/model.yaml (and the ontology),
an actor field the same, a measure one module. Each is added here to a model or a module of
the test's own and followed to the RDF export, the SHACL shapes, the views and the map. And a
broken model fails when it loads, saying what is wrong."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import REPO, compose_case, run
from graphkit.model import InvalidModel, load_model


def own_model(tmp_path: Path, model_edit, ontology_extra: str = "") -> Path:
    onto = tmp_path / "ontology"
    shutil.copytree(REPO / "ontology", onto)
    text = (onto / "model.yaml").read_text(encoding="utf-8")
    (onto / "model.yaml").write_text(model_edit(text), encoding="utf-8")
    with open(onto / "graphkit.ttl", "a", encoding="utf-8") as f:
        f.write("\n" + ontology_extra)
    return onto


def build_with(onto: Path | None, data: Path, out: Path, measures: Path | None = None):
    env = {}
    if onto is not None:
        env["GRAPHKIT_ONTOLOGY"] = str(onto)
    if measures is not None:
        env["GRAPHKIT_MEASURES"] = str(measures)
    shapes = run("shapes", env=env)
    assert shapes.returncode == 0, shapes.stderr
    result = run("build", "--data", str(data), "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    return env


def test_a_renamed_role_or_value_fails_when_the_model_loads(tmp_path) -> None:
    onto = own_model(tmp_path, lambda t: t.replace(
        "member: {property: org:member, min: 1, max: 1, types: [agent]}",
        "members: {property: org:member, min: 1, max: 1, types: [agent]}").replace(
        "partial: [observer, dialogue-partner,", "partial: [observr, dialogue-partner,").replace(
        "    kinds: [influence, mediation]", "    kinds: [influence, mediations]"))
    with pytest.raises(InvalidModel) as err:
        load_model.__wrapped__(onto)
    message = str(err.value)
    assert "relations.membership.edges: missing edge from: 'member' is not a role" in message
    assert "relations.membership.disjoint: 'member' is not a role" in message
    assert "relations.membership.concepts.role.partial: 'observr' is not a notation" in message
    assert "views.influence.kinds: unknown relation kind 'mediations'" in message
    result = run("validate", env={"GRAPHKIT_ONTOLOGY": str(onto)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("graphkit: invalid model:")


SANCTION = """
gk:Sanction a owl:Class ; rdfs:subClassOf gk:Relation ; rdfs:label "sanction"@en .
gk:sanctioner a owl:ObjectProperty ; rdfs:label "sanctioner"@en .
gk:sanctioned a owl:ObjectProperty ; rdfs:label "sanctioned"@en .
gk:sanctions a owl:ObjectProperty ; rdfs:label "sanctions"@en .
gk:motto a owl:DatatypeProperty ; rdfs:label "motto"@en .
"""


def add_sanction_and_motto(text: str) -> str:
    text = text.replace("relations:\n  membership:", """relations:
  sanction:
    class: gk:Sanction
    label: sanction
    doc: A state or body sanctions another.
    sign: adversarial
    style: {color: "#000000"}
    roles:
      sanctioner: {property: gk:sanctioner, min: 1, types: [agent]}
      sanctioned: {property: gk:sanctioned, min: 1, max: 1, types: [agent]}
    disjoint: [[sanctioner, sanctioned]]
    edges:
      - {from: sanctioner, to: sanctioned, shortcut: gk:sanctions, directed: true}
  membership:""", 1)
    return text.replace("  note: {property: skos:note, min: 2, max: 1000}\n\n# Every other",
                        "  note: {property: skos:note, min: 2, max: 1000}\n"
                        "  motto: {property: gk:motto, min: 2, max: 40}\n\n# Every other", 1)


def test_a_relation_kind_and_an_actor_field_are_one_edit_of_the_model(tmp_path) -> None:
    onto = own_model(tmp_path, add_sanction_and_motto, SANCTION)
    data = compose_case(tmp_path, None)
    (data / "relations" / "sanction.yaml").write_text("""\
- type: sanction
  sanctioner: rok
  sanctioned: dprk
  start: "2016"
  sources: [{source: public-page, quote: "South Korea sanctions North Korea."}]
""", encoding="utf-8")
    actors = (data / "actors" / "base.yaml").read_text(encoding="utf-8")
    (data / "actors" / "base.yaml").write_text(actors.replace(
        "  aliases: [ASEAN]\n", "  aliases: [ASEAN]\n  motto: One Vision, One Identity\n", 1),
        encoding="utf-8")
    out = tmp_path / "out"
    env = build_with(onto, data, out)
    nt = (out / "graph.nt").read_text(encoding="utf-8")
    gk = "https://w3id.org/graphkit/ontology#"
    assert f"<{gk}Sanction>" in nt and f"<{gk}sanctions>" in nt
    assert f'<{gk}motto> "One Vision, One Identity"@en' in nt
    shapes = (onto / "shapes.ttl").read_text(encoding="utf-8")
    assert "gksh:SanctionShape" in shapes and "sh:path gk:motto ; sh:minLength 2" in shapes
    # the views: an adversarial kind feeds the conflict view, not the actors' view
    for view, present in (("conflict", True), ("actors", False)):
        r = run("export", "--data", str(data), "--format", "csv", "--view", view, "--as-of",
                "all", "-o", str(tmp_path / f"{view}.csv"), env=env)
        assert r.returncode == 0, r.stderr
        edges = list(csv.DictReader(open(tmp_path / f"{view}-edges.csv", encoding="utf-8")))
        assert any(e["kinds"] == "sanction" for e in edges) is present, view
    nodes = list(csv.DictReader(open(tmp_path / "actors-nodes.csv", encoding="utf-8")))
    r = run("export", "--data", str(data), "--format", "graphml", "--as-of", "all", "-o",
            str(tmp_path / "a.graphml"), env=env)
    assert r.returncode == 0 and "One Vision, One Identity" in (tmp_path / "a.graphml").read_text()
    assert nodes
    html = (out / "network.html").read_text(encoding="utf-8")
    assert '"kind":"sanction"' in html and "#000000" in html and "One Vision, One Identity" in html
    # and its bounds reach the loader
    (data / "actors" / "base.yaml").write_text(actors.replace(
        "  aliases: [ASEAN]\n", "  aliases: [ASEAN]\n  motto: " + "x" * 50 + "\n", 1),
        encoding="utf-8")
    bad = run("validate", "--data", str(data), env=env)
    assert bad.returncode == 1
    assert "actors/base.yaml:5: motto: motto is 50 characters long; at most 40" in bad.stderr


MEASURE = '''
"""Eccentricity: the greatest distance from the actor to any actor it reaches."""
import networkx as nx

from graphkit.metrics.registry import Family, Measure


def _eccentricity(G, context):
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    out = {}
    for part in nx.connected_components(U):
        out.update(nx.eccentricity(U.subgraph(part)))
    return {"eccentricity": out}


FAMILY = Family("eccentricity", (
    Measure("eccentricity", "eccentricity", "The greatest distance to an actor it reaches.",
            rdf="eccentricity", integer=True),), _eccentricity, order=45)
'''


def test_a_measure_is_one_module(tmp_path) -> None:
    module = tmp_path / "eccentricity.py"
    module.write_text(MEASURE, encoding="utf-8")
    data = compose_case(tmp_path, None)
    out = tmp_path / "out"
    onto = tmp_path / "ontology"
    shutil.copytree(REPO / "ontology", onto)  # the shapes are regenerated there
    env = build_with(onto, data, out, module)
    rows = list(csv.DictReader(open(out / "metrics.csv", encoding="utf-8")))
    assert {r["id"]: r["eccentricity"] for r in rows}["asean"] == "1"
    nt = (out / "graph.nt").read_text(encoding="utf-8")
    gk = "https://w3id.org/graphkit/ontology#"
    assert f"<{gk}eccentricity> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           f"<{gk}NetworkMeasure>" in nt
    assert "sh:path gk:eccentricity ; sh:maxCount 1" in (onto / "shapes.ttl").read_text()
    ranked = run("metrics", "--data", str(data), "--sort", "eccentricity", "--format", "csv",
                 env=env)
    assert ranked.returncode == 0 and "eccentricity" in ranked.stdout.splitlines()[0]
    assert '"eccentricity":' in (out / "network.html").read_text(encoding="utf-8")
    sized = run("view", "--data", str(data), "--size-by", "eccentricity", "-o",
                str(tmp_path / "m.html"), env=env)
    assert sized.returncode == 0, sized.stderr
