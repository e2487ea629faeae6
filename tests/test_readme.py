"""README.md tells the truth: its queries' answers, its counts and its ontology table."""

from __future__ import annotations

import re

import pytest
import rdflib

from conftest import REPO
from graphkit.model import load_model
from graphkit.namespaces import PREFIXES, SPARQL_PREFIXES

README = (REPO / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"<!-- query: (\S+) -->\n```sparql\n(.*?)```\n```\n(.*?)```", README, re.S)
NS = SPARQL_PREFIXES


def test_readme_has_both_commands() -> None:
    for marker in ("main-command", "test-command"):
        block = re.search(rf"<!-- {marker} -->\n```\n(.+?)\n```\n<!-- /{marker} -->", README)
        assert block, marker
    assert "graphkit build" in re.search(r"<!-- main-command -->\n```\n(.+?)\n", README).group(1)


def test_readme_has_three_queries() -> None:
    assert [name for name, _, _ in QUERIES] == ["missions-in-pyongyang", "track2-influence",
                                                "arf-not-eas"]


@pytest.mark.parametrize("name,query,answer", QUERIES, ids=[q[0] for q in QUERIES])
def test_readme_query_answers_are_the_graphs(graph, name, query, answer) -> None:
    rows = []
    for row in graph.query(NS + "\n" + query):
        cells = [graph.namespace_manager.normalizeUri(v) if isinstance(v, rdflib.URIRef)
                 else ("" if v is None else str(v)) for v in row]
        rows.append(" | ".join(cells).rstrip())
    assert rows == [line.rstrip() for line in answer.strip().splitlines()]


def test_readme_counts_are_the_shipped_datas(shipped) -> None:
    s = shipped.summary()
    line = (f"**{sum(s['actors'].values())} actors, {sum(s['relations'].values())} relations, "
            f"{s['sources']} sources, {s['citations']} citations** ({s['triples']:,} triples)")
    assert line in README


def test_readme_ontology_table_lists_every_relation_kind() -> None:
    for name, kind in load_model().relations.items():
        row = re.search(rf"^\| {re.escape(name)} \| `([^`]+)` \|", README, re.M)
        assert row, name
        iri = PREFIXES[row.group(1).split(":")[0]] + row.group(1).split(":")[1]
        assert iri == kind.class_iri


def test_readme_brokers_output_is_what_the_command_prints() -> None:
    from conftest import run

    block = re.search(r'<!-- output: brokers "North Korea" "South Korea" -->\n```\n\$ [^\n]+\n'
                      r'(.*?)```', README, re.S)
    assert block
    result = run("brokers", "North Korea", "South Korea")
    assert result.stdout.rstrip() == block.group(1).rstrip()


def test_readme_plot_exists() -> None:
    assert (REPO / "docs" / "evolution-betweenness.png").read_bytes()[:4] == b"\x89PNG"
