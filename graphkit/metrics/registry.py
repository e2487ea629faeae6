"""The one list of network measures: every table, the published RDF and its declarations, the
SHACL shapes, the map, ``--sort``, ``--size-by`` and ``--metric`` read it.

Each module of :mod:`graphkit.metrics` that computes measures declares a :class:`Family` named
``FAMILY``: the measures it computes together (each a :class:`Measure`: its column, label, what
it measures, the RDF property it is published under, whether it needs a directed view) and the
function computing them. :func:`families` finds them all, so adding a measure is one module (and
its test): nothing else needs an edit. A module of one's own, outside graphkit, joins them when
its file is named in ``GRAPHKIT_MEASURES`` (several separated by ``:``).

>>> [m.name for m in measures()][:6]
['degree', 'in_degree', 'out_degree', 'betweenness', 'closeness', 'pagerank']
>>> measure("betweenness").rdf, measure("community").integer
('betweennessCentrality', True)
>>> import networkx as nx
>>> rows, meta = metric_table(nx.path_graph(["a", "b", "c"]))
>>> [(r["id"], r["betweenness"], r["cut_point"]) for r in rows], meta["betweenness"]
([('b', 1.0, 2), ('a', 0.0, 0), ('c', 0.0, 0)], 'exact')
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable

import networkx as nx


@dataclass(frozen=True)
class Measure:
    name: str  # the column, and the name --sort, --size-by and --metric take
    label: str
    doc: str  # one sentence: what it measures
    rdf: str | None = None  # published by `graphkit build` as gk:<rdf> (None: not published)
    integer: bool = False
    directed: bool | None = None  # True: directed views only; False: undirected only
    shown: bool = True  # a column of `graphkit metrics`' table
    rank: str | None = "high"  # whose rank is 1: the "high"est value, the "low"est, or none


@dataclass
class Context:
    """What a family may need besides the graph: betweenness pivots, the brokerage groups."""

    pivots: int | None = None
    groups: dict | None = None
    grouping: str = ""
    seed: int = 1
    only: frozenset | None = None  # the measures wanted (a family may skip the others)


@dataclass(frozen=True)
class Family:
    """Measures computed together by ``compute(G, context) -> {column: {node: value}}``."""

    name: str
    measures: tuple[Measure, ...]
    compute: Callable[[nx.Graph, Context], dict]
    order: int = 50  # where its columns stand in a table


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """Every ``FAMILY`` declared by a module of :mod:`graphkit.metrics`, in table order."""
    from .. import metrics

    modules = [importlib.import_module(f"{metrics.__name__}.{info.name}")
               for info in pkgutil.iter_modules(metrics.__path__)]
    for path in filter(None, os.environ.get("GRAPHKIT_MEASURES", "").split(os.pathsep)):
        spec = importlib.util.spec_from_file_location(f"graphkit_measure_{len(modules)}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    found = [m.FAMILY for m in modules if isinstance(getattr(m, "FAMILY", None), Family)]
    return tuple(sorted(found, key=lambda f: (f.order, f.name)))


def measures(directed: bool | None = None) -> list[Measure]:
    """Every measure (those a graph of that directedness has, if given)."""
    return [m for f in families() for m in f.measures
            if directed is None or m.directed is None or m.directed == directed]


def measure(name: str) -> Measure:
    for m in measures():
        if m.name == name:
            return m
    raise KeyError(name)


def published() -> list[Measure]:
    return [m for m in measures() if m.rdf]


def family_of(name: str) -> Family:
    return next(f for f in families() for m in f.measures if m.name == name)


class UnknownMeasure(ValueError):
    pass


def check_name(name: str, directed: bool | None = None, what: str = "measure") -> Measure:
    """The measure ``name``, or :class:`UnknownMeasure` listing the known ones."""
    known = measures(directed)
    for m in known:
        if m.name == name:
            return m
    raise UnknownMeasure(f"unknown {what} '{name}'; one of: {', '.join(m.name for m in known)}")


def single(G: nx.Graph, name: str, context: Context | None = None) -> dict:
    """One measure of every node (computing only its family)."""
    context = context or Context()
    check_name(name, G.is_directed())
    wanted = Context(**{**context.__dict__, "only": frozenset({name})})
    return family_of(name).compute(G, wanted)[name]


def metric_table(G: nx.Graph, context: Context | None = None, sort: str = "betweenness"
                 ) -> tuple[list[dict], dict]:
    """One row per node with every measure its directedness allows (those in
    ``context.only`` if given; families with none of them are not computed), sorted by ``sort``
    (descending, then id); and facts about the run (``betweenness``: exact, or its pivots and
    error bound; ``closeness``: exact or estimated from the same pivots; ``modularity``)."""
    from .centrality import betweenness_note, betweenness_pivots, closeness_note
    from .fast import held

    context = context or Context()
    n = G.number_of_nodes()
    if context.pivots is None:
        context = replace(context, pivots=betweenness_pivots(n))
    values: dict[str, dict] = {}
    extra: dict = {}
    with held(G):  # converted to igraph once for every family
        for fam in families():
            wanted = [m for m in fam.measures
                      if (m.directed is None or m.directed == G.is_directed())
                      and (context.only is None or m.name in context.only)]
            if not wanted:
                continue
            out = fam.compute(G, context)
            extra.update(out.pop("_meta", {}))
            values.update({m.name: out[m.name] for m in wanted})
    rows = []
    for v, d in G.nodes(data=True):
        row = {"id": v, "label": d.get("label", v), "type": d.get("type", ""),
               "group": (context.groups or {}).get(v, "")}
        row.update({name: vals.get(v) for name, vals in values.items()})
        rows.append(row)
    rows.sort(key=lambda r: (-(r.get(sort) if isinstance(r.get(sort), (int, float)) else -1),
                             str(r["id"])))
    meta = {"nodes": n, "edges": G.number_of_edges(), "directed": G.is_directed(),
            "betweenness": betweenness_note(n, context.pivots),
            "closeness": closeness_note(n, context.pivots), **extra}
    return rows, meta


def declaration_triples() -> list[tuple]:
    """The RDF declarations of the published measures (``gk:<rdf> a owl:DatatypeProperty,
    gk:NetworkMeasure``, range, label, comment), written with their values by the build."""
    from ..namespaces import PREFIXES, expand
    from ..to_rdf import Lit

    rdf_type = PREFIXES["rdf"] + "type"
    out = []
    for m in published():
        p = expand(f"gk:{m.rdf}")
        out += [(p, rdf_type, PREFIXES["owl"] + "DatatypeProperty"),
                (p, rdf_type, expand("gk:NetworkMeasure")),
                (p, PREFIXES["rdfs"] + "range",
                 PREFIXES["xsd"] + ("integer" if m.integer else "decimal")),
                (p, PREFIXES["rdfs"] + "label", Lit(m.label, None, "en")),
                (p, PREFIXES["rdfs"] + "comment", Lit(m.doc, None, "en"))]
    return out
