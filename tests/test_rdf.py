"""The exported graph: SHACL-conformant, round-trips across formats, no blank nodes, every
relation sourced, shortcuts derived exactly from the relation nodes."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import REPO
from graphkit import exports
from graphkit.namespaces import PREFIXES
from graphkit.projection import project
from graphkit.shapes import locator, validate_graph

GK = rdflib.Namespace(PREFIXES["gk"])
PROV = rdflib.Namespace(PREFIXES["prov"])


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_shipped_graph_conforms_to_the_shapes(shipped, graph, engine) -> None:
    """Both SHACL engines agree: pySHACL (the reference) and pyshacl-turbo (what builds use)."""
    assert validate_graph(graph, locator(shipped.dataset), engine) == []


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_shapes_catch_a_broken_graph_and_point_at_the_record(shipped, graph, engine) -> None:
    """Remove the citation of one relation and make a mediator a party: SHACL reports both at
    the record's file and line."""
    g = rdflib.Graph()
    g += graph
    rel = next(iter(g.subjects(rdflib.RDF.type, GK.Mediation)))
    g.remove((rel, PROV.wasDerivedFrom, None))
    mediator = g.value(rel, GK.mediator)
    g.add((rel, GK.party, mediator))
    problems = validate_graph(g, locator(shipped.dataset), engine)
    messages = [str(p) for p in problems]
    key = str(rel).rsplit("/", 1)[1]
    path, line = shipped.dataset.locate(key)
    assert any(m.startswith(f"{path}:{line}: prov:wasDerivedFrom: SHACL:") for m in messages)
    assert any(m.startswith(f"{path}:{line}: gk:mediator: SHACL:") for m in messages), messages


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "nt"])
def test_exports_parse_back_to_the_same_graph(fmt, graph) -> None:
    name = {"turtle": "graph.ttl", "json-ld": "graph.jsonld", "nt": "graph.nt"}[fmt]
    parsed = rdflib.Graph().parse(REPO / "exports" / name, format=fmt)
    assert len(parsed) == len(graph)
    assert isomorphic(parsed, graph)


def test_jsonld_carries_the_shipped_context(graph) -> None:
    doc = json.loads((REPO / "exports" / "graph.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == exports.context() == PREFIXES
    ids = {node["@id"] for node in doc["@graph"]}
    assert "actor:cscap" in ids


def test_no_blank_nodes(graph) -> None:
    assert not any(isinstance(term, rdflib.BNode) for triple in graph for term in triple)


def test_every_relation_cites_a_source_with_a_quote(graph) -> None:
    unsourced = graph.query("""
        SELECT ?r WHERE { ?r a gk:Relation .
          FILTER NOT EXISTS { ?r prov:wasDerivedFrom/oa:hasSelector/oa:exact ?q .
                              ?r prov:wasDerivedFrom/oa:hasSource ?s } }""",
                            initNs={"gk": GK, "prov": PROV, "oa": PREFIXES["oa"]})
    assert list(unsourced) == []
    n = len(set(graph.subjects(rdflib.RDF.type, GK.Relation)))
    assert n > 100


def test_shortcuts_are_exactly_the_projected_edges(shipped, graph) -> None:
    """Every shortcut triple comes from a relation's projection, and every projected edge of a
    relation not marked low-confidence is in the graph."""
    ds = shipped.dataset
    expected = set()
    shortcut_props = set()
    for fact in ds.facts:
        kind = ds.model.relations[fact.kind]
        for edge in kind.edges:
            shortcut_props.add(edge.shortcut)
        if fact.record.confidence == PREFIXES["gk"] + "confidence-low":
            continue
        for a, b, edge in project(kind, fact.participants):
            expected.add((a, edge.shortcut, b))
            if not edge.directed:
                expected.add((b, edge.shortcut, a))
    actor = PREFIXES["actor"]
    found = {(str(s)[len(actor):], str(p), str(o)[len(actor):])
             for p in shortcut_props for s, o in graph.subject_objects(rdflib.URIRef(p))}
    assert found == expected


def test_actors_carry_their_superclasses_so_queries_need_no_reasoner(graph) -> None:
    org = rdflib.Namespace(PREFIXES["org"])
    actor = rdflib.Namespace(PREFIXES["actor"])
    types = set(graph.objects(actor.malaysia, rdflib.RDF.type))
    assert {GK.State, org.Organization, org.FormalOrganization, GK.Actor} <= types
