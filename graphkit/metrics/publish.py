"""The measures `graphkit build` publishes, from the registry's published measures: as values on
the actors in the RDF graph (so SPARQL can rank actors by them), with each property's
declaration, and as ``exports/metrics.csv``, both from the actors' view of the relations with
no end date.

>>> rows = [{"id": "asean", "label": "ASEAN", "type": "igo", "group": "ASEAN",
...          "degree": 0.25, "betweenness": 1/3, "closeness": 0.5, "pagerank": 0.1,
...          "constraint": None, "effective_size": 2.0, "efficiency": 1.0, "hierarchy": None,
...          "cut_point": 2, "community": 1}]
>>> [(p.rsplit("#")[-1], o.value) for s, p, o in metric_triples(rows)[:2]]
[('degreeCentrality', '0.250000'), ('betweennessCentrality', '0.333333')]
"""

from __future__ import annotations

from ..namespaces import ACTOR, PREFIXES, expand
from ..tables import render
from ..to_rdf import Lit
from .registry import declaration_triples, published

DECIMAL, INTEGER = PREFIXES["xsd"] + "decimal", PREFIXES["xsd"] + "integer"


def columns() -> list[str]:
    return ["id", "label", "type", "group"] + [m.name for m in published()]


def metric_triples(rows: list[dict]) -> list[tuple]:
    """``actor gk:<measure> value`` for every defined value (6 decimals), and the measures'
    property declarations."""
    out = []
    measures = published()
    for row in rows:
        for m in measures:
            value = row.get(m.name)
            if value is None:
                continue
            lit = Lit(str(int(value)), INTEGER) if m.integer else Lit(f"{value:.6f}", DECIMAL)
            out.append((ACTOR + row["id"], expand(f"gk:{m.rdf}"), lit))
    return out + (declaration_triples() if rows else [])


def metrics_csv(rows: list[dict]) -> bytes:
    """The rows as CSV, by actor id (stable order for reviewable diffs), 6 decimals."""
    ordered = sorted(rows, key=lambda r: str(r["id"]))
    return (render(ordered, "csv", columns()) + "\n").encode("utf-8")
