"""The metrics `graphkit build` publishes: as values on the actors in the RDF graph (so SPARQL can
rank actors by them) and as ``exports/metrics.csv``, both from the actors' graph (view "actors": every relation
between states, organisations and people) of the relations with no end date.

>>> rows = [{"id": "asean", "label": "ASEAN", "type": "igo", "group": "ASEAN",
...          "degree": 0.25, "betweenness": 1/3, "closeness": 0.5, "pagerank": 0.1,
...          "constraint": None, "effective_size": 2.0, "efficiency": 1.0, "hierarchy": None,
...          "cut_point": 2, "community": 1}]
>>> [(p.rsplit("#")[-1], o.value) for s, p, o in metric_triples(rows)][:2]
[('degreeCentrality', '0.250000'), ('betweennessCentrality', '0.333333')]
"""

from __future__ import annotations

from ..namespaces import ACTOR, PREFIXES, expand
from ..tables import render
from ..to_rdf import Lit

PROPERTIES = {  # table column -> RDF property (xsd:decimal, or xsd:integer for the counts)
    "degree": "gk:degreeCentrality", "betweenness": "gk:betweennessCentrality",
    "closeness": "gk:closenessCentrality", "pagerank": "gk:pageRank",
    "constraint": "gk:burtConstraint", "effective_size": "gk:effectiveSize",
    "efficiency": "gk:efficiency", "hierarchy": "gk:hierarchy", "cut_point": "gk:cutPoint",
    "community": "gk:community",
}
COLUMNS = ["id", "label", "type", "group"] + list(PROPERTIES)
DECIMAL, INTEGER = PREFIXES["xsd"] + "decimal", PREFIXES["xsd"] + "integer"


def metric_triples(rows: list[dict]) -> list[tuple]:
    """``actor gk:<measure> value`` for every defined value, rounded to 6 decimals."""
    out = []
    for row in rows:
        for column, curie in PROPERTIES.items():
            value = row.get(column)
            if value is None:
                continue
            if column in ("cut_point", "community"):
                lit = Lit(str(int(value)), INTEGER)
            else:
                lit = Lit(f"{value:.6f}", DECIMAL)
            out.append((ACTOR + row["id"], expand(curie), lit))
    return out


def metrics_csv(rows: list[dict]) -> bytes:
    """The rows as CSV, by actor id (stable order for reviewable diffs), 6 decimals."""
    ordered = sorted(rows, key=lambda r: str(r["id"]))
    return (render(ordered, "csv", COLUMNS) + "\n").encode("utf-8")
