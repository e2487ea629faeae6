"""The exported graph: SHACL-conformant, round-trips across formats, no blank nodes, every
relation sourced, shortcuts derived exactly from the relation nodes."""

from __future__ import annotations

import json

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from graphkit import exports
from graphkit.namespaces import PREFIXES
from graphkit.projection import project
from graphkit.shapes import locator, validate_graph

GK = rdflib.Namespace(PREFIXES["gk"])
PROV = rdflib.Namespace(PREFIXES["prov"])


def test_shipped_graph_conforms_to_the_shapes(shipped, graph) -> None:
    """The engine builds use (pyshacl-turbo) on the whole shipped graph."""
    assert validate_graph(graph, locator(shipped.dataset), "turbo") == []


def _broken(graph: rdflib.Graph) -> tuple[rdflib.Graph, str]:
    """The graph with one mediation's citations removed and its mediator made a party."""
    g = rdflib.Graph()
    g += graph
    rel = sorted(g.subjects(rdflib.RDF.type, GK.Mediation))[0]
    g.remove((rel, PROV.wasDerivedFrom, None))
    g.add((rel, GK.party, g.value(rel, GK.mediator)))
    return g, str(rel).rsplit("/", 1)[1]


def test_shapes_catch_a_broken_graph_and_both_engines_agree(base_data) -> None:
    """Remove the citation of a mediation and make its mediator a party: pySHACL (the
    reference) and pyshacl-turbo (what builds use) both report the two, at the record's file
    and line (on the small test data: pySHACL takes 20 s on the shipped graph, which
    test_shipped_graph_conforms_to_the_shapes validates with turbo)."""
    from graphkit.build import check

    result = check(base_data, "data", shacl=False)
    graph = rdflib.Graph().parse(data="\n".join(result.lines) + "\n", format="nt")
    where = locator(result.dataset)
    assert validate_graph(graph, where, "pyshacl") == validate_graph(graph, where, "turbo") == []
    broken, key = _broken(graph)
    path, line = result.dataset.locate(key)
    located = lambda problems: sorted((p.path, p.line, p.field) for p in problems)  # noqa: E731
    reference = located(validate_graph(broken, where, "pyshacl"))
    assert reference == [(path, line, "gk:mediator"), (path, line, "prov:wasDerivedFrom")]
    assert located(validate_graph(broken, where, "turbo")) == reference


@pytest.mark.parametrize("name,fmt", [("graph.jsonld", "json-ld"), ("graph.nt", "nt")])
def test_exports_parse_back_to_the_same_graph(name, fmt, graph, shipped) -> None:
    """Each export, read by plain rdflib, is the graph the build made: the same triples as
    graph.ttl (the ``graph`` fixture), as many as the build's lines (there are no blank nodes,
    see test_no_blank_nodes, so the same triples mean the same graph)."""
    parsed = rdflib.Graph().parse(REPO / "exports" / name, format=fmt)
    assert len(parsed) == len(graph) == len(shipped.lines)
    assert set(parsed) == set(graph)


def test_jsonld_carries_the_shipped_context(graph) -> None:
    doc = json.loads((REPO / "exports" / "graph.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == exports.context() == PREFIXES
    ids = {node["@id"] for node in doc["@graph"]}
    assert "actor:cscap" in ids


def test_jsonld_of_awkward_text_reads_back_as_the_same_triples() -> None:
    """Quotes, backslashes, line breaks, control characters, scripts and emoji, language tags,
    datatypes, IRIs in no known namespace: plain rdflib reads the JSON-LD writer's file back as
    the very triples it was given, and each node's line is what ``json.dumps`` makes of it."""
    from graphkit.to_rdf import Lit, canonical

    gk, actor = PREFIXES["gk"], "https://w3id.org/graphkit/id/actor/"
    awkward = ['say "no"', "back\\slash", "two\nlines\r\n", "tab\there", "bell\x07 nul-ish \x01",
               "Hà Nội, 東京, ಕನ್ನಡ", "emoji 🕊️", "line\u2028separator", "</script>", ""]
    triples = [(actor + "a", PREFIXES["rdf"] + "type", gk + "Actor"),
               (actor + "a", PREFIXES["rdfs"] + "label", Lit("ASEAN", None, "en")),
               (actor + "a", gk + "since", Lit("1967-08-08", PREFIXES["xsd"] + "date")),
               (actor + "a", gk + "link", "http://example.org/x?q=1&r=\u00e9")]
    triples += [(actor + "b", gk + "note", Lit(text, None, lang))
                for text in awkward for lang in (None, "en")]
    lines, ordered = canonical(triples)
    written = exports.jsonld(ordered).decode("utf-8")
    back = rdflib.Graph().parse(data=written, format="json-ld")
    expected = rdflib.Graph().parse(data="\n".join(lines) + "\n", format="nt")
    assert len(back) == len(expected) == len(triples) and set(back) == set(expected)
    doc = json.loads(written)
    nodes = [line.strip().rstrip(",") for line in written.split("\n") if line.startswith("  {")]
    assert nodes == [json.dumps(node, ensure_ascii=False, sort_keys=True) for node in doc["@graph"]]
    assert len(nodes) == 2


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


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 80), st.integers(0, 3), st.integers(0, 300)),
                min_size=40, max_size=400),
       st.lists(st.tuples(st.integers(0, 80), st.integers(0, 3), st.integers(0, 300)),
                max_size=30))
def test_merging_two_sorted_graphs_is_sorting_both(first, second) -> None:
    """The measures' triples merged into the graph's (each run already in N-Triples order) give
    what ordering all of them at once gives: the same lines and triples, repeats kept once,
    whether a triple lands among the next few lines or far beyond."""
    from graphkit.to_rdf import Lit, canonical, merge_canonical

    def triples(picks: list[tuple[int, int, int]]) -> list[tuple]:
        return [(f"http://s/{s}", f"http://p/{p}", Lit(str(o)) if o % 2 else f"http://o/{o}")
                for s, p, o in picks]

    a, b = canonical(triples(first)), canonical(triples(second))
    assert merge_canonical(a, b) == canonical(triples(first) + triples(second))


_AWKWARD = ["plain", 'say "no"', "back\\slash", "two\nlines", "Hà Nội", "東京", "emoji 🕊️", ""]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "a1", "a10", "a-b", "a.1", "a.1.quote", "é", "ab"]),
                          st.integers(0, 3), st.integers(0, 40)), max_size=300),
       st.lists(st.tuples(st.sampled_from(["a", "a10", "a.1.quote", "é", "b"]),
                          st.integers(0, 3), st.integers(0, 40)), max_size=40),
       st.booleans(), st.integers(1, 9))
def test_ordered_lines_are_the_sorted_unique_lines_in_memory_or_in_a_scratch_file(
        first, second, spill, block) -> None:
    """The graph's lines, held in memory or in a scratch file (from ``SPILL_FROM`` lines), read
    back line by line, by runs and as bytes, are the sorted unique N-Triples lines of the
    triples (subjects that begin other subjects, repeats, escapes and scripts included), the
    triples in the same order, whatever the size of the blocks they are ordered by; merging the
    measures' lines in keeps that true."""
    from unittest import mock

    from graphkit import to_rdf
    from graphkit.nt_lines import nt_data
    from graphkit.to_rdf import Lit, canonical, merge_canonical

    def triples(picks):
        return [(f"http://s/{s}", f"http://p/{p}",
                 Lit(_AWKWARD[o % len(_AWKWARD)] + str(o), None, "en" if o % 3 else None)
                 if o % 2 else f"http://o/{o}") for s, p, o in picks]

    def expected(made):
        lines = {f"<{s}> <{p}> {to_rdf.nt_term(o)} .": (s, p, o)
                 for s, p, o in reversed(made)}  # the first of repeats kept
        return sorted(lines), [lines[line] for line in sorted(lines)]

    with mock.patch.object(to_rdf, "SPILL_FROM", 0 if spill else 10**9), \
            mock.patch.object(to_rdf, "_BLOCK", block), \
            mock.patch.object(to_rdf, "_RUN", block), \
            mock.patch.object(to_rdf, "_WINDOW", block):
        lines, ordered = canonical(triples(first))
        assert lines.spilled == (spill and bool(first))
        want_lines, want_triples = expected(triples(first))
        assert list(lines) == want_lines and ordered == want_triples
        assert len(lines) == len(want_lines)
        assert lines.data() == nt_data(want_lines)
        if want_lines:
            middle = len(want_lines) // 2
            assert lines[middle] == want_lines[middle] and lines[-1] == want_lines[-1]
            assert lines[1:middle] == want_lines[1:middle]
            assert lines.data(1, middle) == nt_data(want_lines, 1, middle)
        merged = merge_canonical((lines, ordered), canonical(triples(second)))
        assert merged == expected(triples(first) + triples(second))
        assert merged[0].data() == nt_data(expected(triples(first) + triples(second))[0])
