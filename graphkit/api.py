"""graphkit from Python, the way researchers work in a notebook: the same objects the command
line uses, behind a few calls.

>>> import graphkit
>>> kg = graphkit.load("tests/cases/base")          # the shipped data when no folder is given
>>> kg.actor("North Korea").label
"Democratic People's Republic of Korea"
>>> sorted(kg.view("influence").edges())
[('asean', 'dprk'), ('asean', 'rok'), ('cscap', 'arf')]
>>> rows = kg.metrics(view="actors")
>>> rows[0]["id"], round(rows[0]["betweenness"], 3)
('asean', 0.3)
>>> len(kg.rdf())                     # an rdflib.Graph, with the ontology
766
>>> kg.query("SELECT ?n WHERE { actor:cscap skos:prefLabel ?n }")
[{'n': 'Council for Security Cooperation in the Asia Pacific'}]

Errors are exceptions that carry the same located problems the command line prints:

>>> try:
...     graphkit.load("no/such/folder")
... except graphkit.DataError as exc:
...     print(exc.problems[0].message)
data folder not found
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .facts import ActorInfo, Graph
from .problems import Problem


class DataError(Exception):
    """The data has errors: ``problems`` holds each, located (``path``, ``line``, ``field``,
    ``message``, ``hint``), as ``graphkit validate`` prints them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(map(str, problems[:20]))
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} errors in the data:\n{shown}{more}")


class NotFound(KeyError):
    """No actor, view or measure by that name; the message suggests the closest."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class KnowledgeGraph:
    """A checked data folder: its facts and actors (``graph``), the dataset, the triples."""

    graph: Graph
    dataset: object
    lines: list[str] = field(default_factory=list, repr=False)
    _store: object = field(default=None, repr=False)

    def actor(self, name: str) -> ActorInfo:
        """The actor named ``name`` (id, name or alias, any case)."""
        found, hint = self.graph.find(name)
        if found is None:
            raise NotFound(f"no actor named '{name}'" + (f" ({hint})" if hint else ""))
        return self.graph.actors[found]

    def card(self, name: str) -> dict:
        """The actor's card as data: its relations with ids, dates, sources and quotes."""
        from .card import card_data

        return card_data(self.graph, self.actor(name).id)

    def filter(self, as_of="present", **options):
        from .filters import Filter

        return Filter.parse(self.graph.model, as_of if not isinstance(as_of, dt.date)
                            else as_of.isoformat(), **options)

    def view(self, name: str = "actors", as_of="present", **filters):
        """The networkx graph of the view ``name`` as of ``as_of`` ("present", "all", a date
        or "YYYY"); ``filters``: tracks="2", relations="membership", exclude="tie",
        drop_undated=True, min_confidence="low"."""
        from .views import make_view

        if name not in self.graph.model.views:
            raise NotFound(f"no view '{name}'; one of: {', '.join(self.graph.model.views)}")
        return make_view(self.graph, name, self.filter(as_of, **filters)).graph

    def metrics(self, view: str = "actors", as_of="present", groups: str = "asean",
                sort: str = "betweenness", **filters):
        """One row per actor with every measure (a pandas DataFrame when pandas is installed,
        else a list of dicts)."""
        from .groups import assign
        from .metrics.registry import Context, metric_table

        G = self.view(view, as_of, **filters)
        found = assign(self.graph, groups, self.filter(as_of).as_of)
        rows, _ = metric_table(G, Context(groups={n: found[n].group for n in G if n in found},
                                          grouping=groups), sort=sort)
        try:
            import pandas
        except ImportError:
            return rows
        return pandas.DataFrame(rows)

    def rdf(self):
        """The whole graph as an ``rdflib.Graph`` with graphkit's prefixes bound."""
        from .to_rdf import to_rdflib

        return to_rdflib(self.lines)

    def query(self, text_or_name: str, **params) -> list[dict]:
        """The rows of a SPARQL SELECT (or a named query of ``queries/`` with its parameters),
        each a dict of compact values; an ASK gives ``[{"answer": "yes"}]``."""
        from .named_queries import bind, load_named
        from .sparql import run, table_rows

        store = self._oxigraph()
        named = load_named()
        text = (bind(named[text_or_name], store, {k: str(v) for k, v in params.items()})
                if text_or_name in named else text_or_name)
        return list(table_rows(run(store, text)))

    def _oxigraph(self):
        if self._store is None:
            from .to_rdf import to_store

            self._store = to_store(self.lines)
        return self._store


def load(data: str | Path | None = None) -> KnowledgeGraph:
    """Check a data folder (by default ``./data``, else the data shipped with graphkit) and
    return it ready to explore; :class:`DataError` if it has errors."""
    from .build import check
    from .facts import graph_of
    from .files import data_folder

    folder, _ = data_folder(Path(data) if data is not None else None)
    result = check(folder, str(folder), shacl=False)
    if not result.ok:
        raise DataError(result.report.errors)
    return KnowledgeGraph(graph_of(result.dataset), result.dataset, result.lines)
