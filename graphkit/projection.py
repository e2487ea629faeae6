"""From a relation's participants to graph edges, as the model declares: the one place it happens.

Both the RDF shortcut triples (:mod:`graphkit.to_rdf`) and the networkx views use
:func:`project`, so an edge in the graph is always an edge in the network, and back.

A mediation projects to a star, mediator to each party, never to a single edge:

>>> from graphkit.model import load_model
>>> kind = load_model().relations["mediation"]
>>> [(a, b) for a, b, _ in project(kind, {"mediator": ["asean"], "parties": ["dprk", "rok"], "venue": []})]
[('asean', 'dprk'), ('asean', 'rok')]

An undirected kind (a tie) projects to every pair once:

>>> kind = load_model().relations["tie"]
>>> [(a, b) for a, b, _ in project(kind, {"parties": ["rok", "dprk", "china"]})]
[('china', 'dprk'), ('china', 'rok'), ('dprk', 'rok')]
"""

from __future__ import annotations

from itertools import combinations
from typing import Iterator

from .model import EdgeSpec, RelationKind


def project(kind: RelationKind, participants: dict[str, list[str]]
            ) -> Iterator[tuple[str, str, EdgeSpec]]:
    """Yield ``(source id, target id, edge spec)`` for every edge the relation projects to."""
    for spec in kind.edges:
        sources = participants.get(spec.source, [])
        if spec.source == spec.target:
            for a, b in combinations(sorted(sources), 2):
                yield a, b, spec
            continue
        for a in sources:
            for b in participants.get(spec.target, []):
                if a != b:
                    yield a, b, spec
