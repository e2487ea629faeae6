"""The measures of a network that did not change are taken from the cache, not computed again;
any change to the network, the measures' code or the cache's setting computes them anew."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from conftest import compose_case
from graphkit import build as building
from graphkit.metrics import registry


def network(weight: int = 1) -> nx.Graph:
    g = nx.Graph()
    g.add_node("a", label="A")
    g.add_edge("a", "b", weight=weight)
    return g


def test_an_unchanged_network_is_measured_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRAPHKIT_CACHE", str(tmp_path / "cache"))
    calls = []

    def compute():
        calls.append(1)
        return [{"id": "a", "degree": len(calls)}], {"betweenness": "exact"}

    first = building.remembered(network(), "actors", compute)
    assert building.remembered(network(), "actors", compute) == first and len(calls) == 1
    building.remembered(network(weight=2), "actors", compute)  # an edge's attribute changed
    building.remembered(network(), "directed", compute)  # other measures of it
    assert len(calls) == 3

    plugin = tmp_path / "plugin.py"
    plugin.write_text("# a measure\n")
    monkeypatch.setenv("GRAPHKIT_MEASURES", str(plugin))
    building.remembered(network(), "actors", compute)
    plugin.write_text("# a measure, edited\n")
    building.remembered(network(), "actors", compute)
    assert len(calls) == 5

    monkeypatch.setenv("GRAPHKIT_CACHE", "off")
    building.remembered(network(), "actors", compute)
    building.remembered(network(), "actors", compute)
    assert len(calls) == 7


def test_a_build_after_a_quote_is_fixed_does_not_measure_again(tmp_path: Path,
                                                               monkeypatch) -> None:
    """A quote fixed leaves the network as it was: the second build takes the measures kept
    by the first and writes the same table; a relation added measures again."""
    monkeypatch.setenv("GRAPHKIT_CACHE", str(tmp_path / "cache"))
    data = compose_case(tmp_path, None)
    calls = []
    real = registry.metric_table

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, "metric_table", counted)
    first = building.build(data, tmp_path / "out", str(data), site=False)
    assert first.ok and len(calls) == 1
    table = (tmp_path / "out" / "metrics.csv").read_bytes()

    relations = data / "relations" / "base.yaml"
    text = relations.read_text(encoding="utf-8")
    relations.write_text(text.replace("Malaysia is a founding member of ASEAN.",
                                      "Malaysia is a founding member of ASEAN", 1),
                         encoding="utf-8")
    again = building.build(data, tmp_path / "out", str(data), site=False)
    assert again.ok and len(calls) == 1
    assert (tmp_path / "out" / "metrics.csv").read_bytes() == table

    relations.write_text(relations.read_text(encoding="utf-8") + (
        "\n- type: membership\n  member: malaysia\n  organisation: arf\n"
        "  sources:\n    - source: public-page\n"
        "      quote: \"Malaysia is a founding member of ASEAN\"\n"), encoding="utf-8")
    third = building.build(data, tmp_path / "out", str(data), site=False)
    assert third.ok, third.report.errors
    assert len(calls) == 2
