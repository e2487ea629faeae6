"""A network view written for the tools people open networks in: GraphML (yEd, Cytoscape,
igraph), GEXF (Gephi, with time intervals its timeline reads), CSV node and edge lists, and a
Kumu JSON blueprint.

Every writer takes the view's networkx graph (nodes with ``label``, ``type``, ``country``,
``track``, ``asean`` and, after :func:`with_measures`, every measure of the registry; edges with
``weight``, ``kinds``, ``tracks``, ``roles`` and, where the relations behind an edge are dated,
``start`` and ``end`` as ISO dates and ``periods``, each relation's own) and returns the file's
bytes. In GEXF each period is a spell, so Gephi's timeline shows a tie only while one of its
relations holds (two terms on the Security Council are two spells, not one span).

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("cscap", label="CSCAP", type="track2-network")
>>> g.add_node("arf", label="ASEAN Regional Forum", type="forum")
>>> g.add_edge("cscap", "arf", weight=2, kinds="influence", tracks="2", start="1994-06-08")
>>> json.loads(kumu(g))["connections"][0]["direction"]
'undirected'
>>> print(csv_tables(g)["edges"].decode().splitlines()[1])
cscap,arf,no,2,influence,2,,1994-06-08,
"""

from __future__ import annotations

import csv
import io
import json
import math
import re

import networkx as nx

NODE_FIELDS = ("label", "type", "country", "track", "asean")
EDGE_FIELDS = ("weight", "kinds", "tracks", "roles", "start", "end")


def with_measures(graph: nx.Graph, rows: dict[str, dict]) -> nx.Graph:
    """A copy of ``graph`` whose nodes carry their measures (``rows``: node -> row of
    :func:`graphkit.metrics.registry.metric_table`), undefined ones left out."""
    from .metrics.registry import measures

    out = graph.copy()
    names = [m.name for m in measures(graph.is_directed())]
    for n, d in out.nodes(data=True):
        row = rows.get(n, {})
        d.update({k: row[k] for k in names if isinstance(row.get(k), (int, float))
                  and not (isinstance(row[k], float) and math.isinf(row[k]))})
    return out


def measure_columns(graph: nx.Graph) -> list[str]:
    from .metrics.registry import measures

    present = {k for _, d in graph.nodes(data=True) for k in d}
    return [m.name for m in measures(graph.is_directed()) if m.name in present]


def _plain(graph: nx.Graph) -> nx.Graph:
    """A copy with only text and number attributes, in a fixed order (the writers need one
    type per attribute, and the same data must give the same bytes)."""
    out = graph.__class__()
    for n in sorted(graph):
        out.add_node(n, **{k: v for k, v in sorted(graph.nodes[n].items())
                           if isinstance(v, (str, int, float)) and not isinstance(v, bool)})
    for u, w in sorted(graph.edges()):
        out.add_edge(u, w, **{k: v for k, v in sorted(graph[u][w].items())
                              if isinstance(v, (str, int, float)) and not isinstance(v, bool)})
    return out


def graphml(graph: nx.Graph) -> bytes:
    """GraphML with every node and edge attribute declared as a key."""
    text = "\n".join(nx.generate_graphml(_plain(graph), prettyprint=True)) + "\n"
    return text.encode("utf-8")


def gexf(graph: nx.Graph) -> bytes:
    """GEXF 1.2; dated edges carry ``start``/``end`` (a dynamic graph, time format "date"), so
    Gephi's timeline shows each tie from its first relation's start to its last one's end.
    Undated edges have no interval: Gephi shows them at every time."""
    g = _plain(graph)
    for u, w, d in g.edges(data=True):
        d["label"] = d.get("kinds", "")
        d.pop("start", None)
        d.pop("end", None)
        periods = graph[u][w].get("periods", [])
        if periods and all(s or e for s, e in periods):  # an undated relation: always there
            d["spells"] = [(s or None, e or None) for s, e in periods]
    dynamic = any("spells" in d for _, _, d in g.edges(data=True))
    if dynamic:
        g.graph["mode"] = "dynamic"
    text = "\n".join(nx.generate_gexf(g, version="1.2draft", prettyprint=True)) + "\n"
    # networkx stamps today's date: drop it (optional in GEXF), so the same data gives the
    # same bytes
    text = re.sub(r'<meta lastmodifieddate="[^"]*">', "<meta>", text, count=1)
    return text.encode("utf-8")


def csv_tables(graph: nx.Graph) -> dict[str, bytes]:
    """Two CSV files, ``nodes`` (id and attributes) and ``edges`` (source, target, directed
    and attributes), the form Gephi's, Kumu's and Cytoscape's table importers take."""
    nodes, edges = io.StringIO(), io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    fields = NODE_FIELDS + tuple(measure_columns(graph))
    w.writerow(("id",) + fields)
    for n in sorted(graph):
        d = graph.nodes[n]
        w.writerow((n,) + tuple(_text(d.get(k, "")) for k in fields))
    w = csv.writer(edges, lineterminator="\n")
    w.writerow(("source", "target", "directed") + EDGE_FIELDS)
    directed = "yes" if graph.is_directed() else "no"
    for u, v in sorted(graph.edges()):
        d = graph[u][v]
        w.writerow((u, v, directed) + tuple(d.get(k, "") for k in EDGE_FIELDS))
    return {"nodes": nodes.getvalue().encode("utf-8"), "edges": edges.getvalue().encode("utf-8")}


def _text(value) -> str:
    return f"{value:.6f}" if isinstance(value, float) else str(value)


def kumu(graph: nx.Graph, type_labels: dict[str, str] | None = None) -> bytes:
    """A Kumu JSON blueprint (https://docs.kumu.io/guides/import/blueprints): ``elements`` with
    an ``id`` (the actor's id, since labels need not be unique), ``label``, ``type``,
    ``description`` and ``tags``; ``connections`` from and to those ids, with a ``direction``
    and the relation kinds as ``type``. Other attributes become Kumu fields."""
    type_labels = type_labels or {}
    elements = []
    for n in sorted(graph):
        d = graph.nodes[n]
        kind = type_labels.get(d.get("type", ""), d.get("type", ""))
        e = {"id": n, "label": d.get("label", n), "type": kind,
             "description": ", ".join(x for x in (kind, d.get("country", "")) if x),
             "tags": [f"Track {d['track']}"] if d.get("track") else []}
        for k, field in (("country", "Country"), ("asean", "ASEAN side")):
            if d.get(k):
                e[field] = d[k]
        for k in measure_columns(graph):
            if k in d:
                e[k.replace("_", " ").capitalize()] = d[k]
        elements.append(e)
    direction = "directed" if graph.is_directed() else "undirected"
    connections = []
    for u, v in sorted(graph.edges()):
        d = graph[u][v]
        kinds = [k for k in str(d.get("kinds", "")).split(",") if k]
        c = {"from": u, "to": v, "direction": direction, "type": ", ".join(kinds),
             "description": f"{d.get('weight', 1)} relation(s): {', '.join(kinds)}"
                            + (f"; Track {d['tracks']}" if d.get("tracks") else ""),
             "tags": kinds}
        for k, field in (("weight", "Weight"), ("roles", "Roles"), ("start", "Start"),
                         ("end", "End")):
            if d.get(k) not in (None, ""):
                c[field] = d[k]
        connections.append(c)
    blueprint = {"elements": elements, "connections": connections}
    return (json.dumps(blueprint, ensure_ascii=False, indent=1, sort_keys=False) + "\n") \
        .encode("utf-8")
