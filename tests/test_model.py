"""The model checks itself; the ontology, shapes and JSON-LD context agree with it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib

from conftest import REPO, run
from graphkit.model import InvalidModel, load_model
from graphkit.namespaces import PREFIXES
from graphkit.shapes import SHAPES_FILE, generate_shapes


def test_every_model_term_is_declared_in_the_ontology() -> None:
    model = load_model()  # raises InvalidModel otherwise
    onto = rdflib.Graph().parse(REPO / "ontology" / "graphkit.ttl")
    declared = {str(s) for s in onto.subjects(rdflib.RDF.type, None)}
    gk = PREFIXES["gk"]
    for kind in model.relations.values():
        for iri in [kind.class_iri] + [r.property for r in kind.roles.values()] + [
                e.shortcut for e in kind.edges]:
            if iri.startswith(gk):
                assert iri in declared, iri
    for t in model.actor_types.values():
        assert t.class_iri in declared


def test_committed_shapes_are_generated_from_the_model() -> None:
    assert SHAPES_FILE.read_text(encoding="utf-8") == generate_shapes(load_model()), (
        "ontology/shapes.ttl is stale: run `graphkit shapes`")
    assert run("shapes", "--check").returncode == 0


def test_shapes_parse() -> None:
    g = rdflib.Graph().parse(SHAPES_FILE)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(set(g.subjects(rdflib.RDF.type, sh.NodeShape))) >= 14


def test_context_matches_the_prefixes() -> None:
    doc = json.loads((REPO / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == PREFIXES


def test_a_broken_model_is_refused_with_the_reason(tmp_path: Path) -> None:
    onto = tmp_path / "ontology"
    shutil.copytree(REPO / "ontology", onto)
    text = (onto / "model.yaml").read_text(encoding="utf-8")
    text = text.replace("- {from: mediator, to: parties,", "- {from: mediators, to: parties,")
    text = text.replace("class: gk:Influence", "class: gk:Influense")
    (onto / "model.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidModel) as err:
        load_model.__wrapped__(onto)
    message = str(err.value)
    assert "relations.mediation.edges: missing edge from: 'mediators' is not a role" in message
    assert "relations.influence.class: gk:Influense is not declared in graphkit.ttl" in message
