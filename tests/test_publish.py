"""`graphkit push` into a real triple store: Debian's Virtuoso, started on 127.0.0.1 with its own
database in a temporary folder (tests/virtuoso.py)."""

from __future__ import annotations

import os

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import REPO, run
from virtuoso import running_virtuoso, virtuoso_binary

GRAPH_IRI = "https://w3id.org/graphkit/graph/test"
NT = REPO / "exports" / "graph.nt"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    if virtuoso_binary() is None:
        if os.environ.get("GRAPHKIT_REQUIRE_VIRTUOSO"):
            pytest.fail("virtuoso-t not found (.ci/run installs virtuoso-opensource)")
        pytest.skip("Virtuoso not installed: apt-get install virtuoso-opensource")
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as v:
        yield v


def count(v, graph: str = GRAPH_IRI) -> int:
    """Triples in ``graph``, read back through Virtuoso's own SPARQL endpoint."""
    s = SPARQLWrapper(v.sparql_url)
    s.setQuery(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
    s.setReturnFormat(JSON)
    return int(s.query().convert()["results"]["bindings"][0]["n"]["value"])


def push(v, *extra: str, password: str | None = None):
    """``graphkit push`` as a user runs it, the password in GRAPHKIT_PASSWORD."""
    return run("push", "--endpoint", v.crud_url, "--graph", GRAPH_IRI, "--user", v.user,
               *extra, env={"GRAPHKIT_PASSWORD": password or v.password})


def test_push_twice_replaces_the_graph(virtuoso) -> None:
    triples = sum(1 for line in NT.open(encoding="utf-8") if line.strip())
    first = push(virtuoso)
    assert first.returncode == 0, first.stderr
    assert f"into <{GRAPH_IRI}>" in first.stdout and "Digest authentication" in first.stdout
    assert "warning" not in first.stderr  # credentials over http, but to this machine
    assert count(virtuoso) == triples
    second = push(virtuoso)
    assert second.returncode == 0, second.stderr
    assert count(virtuoso) == triples  # replaced, not duplicated


def test_the_pushed_graph_answers_a_named_query(virtuoso) -> None:
    """The store holds the graph's facts: the ARF's participants, counted in Virtuoso, are
    those graphkit counts."""
    assert push(virtuoso).returncode == 0
    q = ("SELECT (COUNT(DISTINCT ?m) AS ?n) FROM <%s> WHERE { ?r a "
         "<http://www.w3.org/ns/org#Membership> ; <http://www.w3.org/ns/org#organization> "
         "<https://w3id.org/graphkit/id/actor/arf> ; <http://www.w3.org/ns/org#member> ?m }"
         % GRAPH_IRI)
    s = SPARQLWrapper(virtuoso.sparql_url)
    s.setQuery(q)
    s.setReturnFormat(JSON)
    theirs = int(s.query().convert()["results"]["bindings"][0]["n"]["value"])
    ours = run("query", q.replace(f"FROM <{GRAPH_IRI}> ", ""), "--format", "csv")
    assert ours.stdout.splitlines()[1] == str(theirs)


def test_turtle_pushes_the_same_triples(virtuoso) -> None:
    other = GRAPH_IRI + "/ttl"
    result = run("push", "--endpoint", virtuoso.crud_url, "--graph", other, "--file",
                 "exports/graph.ttl", "--user", virtuoso.user,
                 env={"GRAPHKIT_PASSWORD": virtuoso.password})
    assert result.returncode == 0, result.stderr
    assert count(virtuoso, other) == sum(1 for line in NT.open(encoding="utf-8") if line.strip())


def test_wrong_password_and_unreachable_store_are_reported(virtuoso) -> None:
    result = push(virtuoso, password="wrong")
    assert result.returncode == 1
    assert "refused the credentials (401): check --user and the password" in result.stderr
    result = run("push", "--endpoint", "http://127.0.0.1:9/none", "--user", "u",
                 env={"GRAPHKIT_PASSWORD": "p"})
    assert result.returncode == 1 and "cannot reach http://127.0.0.1:9/none" in result.stderr
    assert "Traceback" not in result.stderr
