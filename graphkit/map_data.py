"""What the interactive map shows: one node per actor, one edge per projected relation, each
carrying what its tooltip and details panel need (names, metrics, dates, track, sources and
quotes). Pure data; :mod:`graphkit.render_map` draws it.

Edges are those :func:`graphkit.projection.project` gives, one per relation and pair (so two
relations between the same actors are two edges, each with its own sources). Claims marked
``confidence: low`` are left out, as in the network views.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> ds, _ = load_dataset(Path("tests/cases/base"))
>>> m = map_data(ds)
>>> len(m.nodes), len(m.edges), sorted(e["kind"] for e in m.edges)
(6, 4, ['influence', 'mediation', 'mediation', 'membership'])
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field

from .dataset import Dataset
from .namespaces import REL, actor_iri
from .projection import project
from .views import LOW, parse_as_of

INSTRUMENTS = ("agreement", "policy", "event", "publication")


@dataclass
class MapData:
    nodes: list[dict]
    edges: list[dict]
    kinds: list[tuple[str, str]] = field(default_factory=list)  # (name, label) present
    types: list[tuple[str, str]] = field(default_factory=list)
    years: tuple[int, int] = (1945, dt.date.today().year)
    notes: list[str] = field(default_factory=list)


def map_data(ds: Dataset, metrics: dict[str, dict] | None = None, size_by: str = "betweenness",
             focus: str | None = None, hops: int = 1, as_of: str | None = "all",
             relations: set[str] | None = None) -> MapData:
    """The nodes and edges of the map of ``ds``.

    ``metrics``: actor id -> row of :func:`graphkit.metrics.table.metric_table` (its
    ``size_by`` column sizes the nodes); ``focus`` and ``hops``: only actors within ``hops`` of
    ``focus``; ``as_of``: only relations active then (a date, "present" or "all"; the page's
    year control still works within it); ``relations``: only these kinds.
    """
    model = ds.model
    when = parse_as_of(as_of)
    from .views import RelationRow, in_slice

    edges: list[dict] = []
    for i, (rel, ids, key) in enumerate(zip(ds.relations, ds.participants, ds.keys)):
        if rel.confidence == LOW or (relations and rel.kind not in relations):
            continue
        if not in_slice(RelationRow(key, rel.kind, ids, rel.start, rel.end), when):
            continue
        kind = model.relations[rel.kind]
        for a, b, spec in project(kind, ids):
            edges.append(_edge(ds, rel, key, ids, a, b, spec, len(edges)))
    if focus:
        keep = _within(edges, focus, hops)
        edges = [e for e in edges if e["from"] in keep and e["to"] in keep]
    involved = sorted({e["from"] for e in edges} | {e["to"] for e in edges}
                      | ({focus} if focus else set()))
    by_actor: dict[str, int] = defaultdict(int)
    for e in edges:
        by_actor[e["from"]] += 1
        by_actor[e["to"]] += 1
    nodes = [_node(ds, a, (metrics or {}).get(a, {}), size_by, by_actor[a]) for a in involved]
    years = [y for e in edges for y in (e["startYear"], e["endYear"]) if y]
    kinds = sorted({e["kind"] for e in edges})
    types = sorted({n["type"] for n in nodes})
    notes = []
    undated = sum(1 for e in edges if not e["startYear"] and not e["endYear"])
    if undated:
        notes.append(f"{undated} of {len(edges)} edges are undated and shown at every year")
    return MapData(nodes, edges, [(k, model.relations[k].label) for k in kinds],
                   [(t, model.actor_types[t].label) for t in types],
                   (min(years, default=1945), max(years, default=dt.date.today().year)), notes)


def _within(edges: list[dict], focus: str, hops: int) -> set[str]:
    adjacent: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        adjacent[e["from"]].add(e["to"])
        adjacent[e["to"]].add(e["from"])
    seen, queue = {focus: 0}, deque([focus])
    while queue:
        v = queue.popleft()
        if seen[v] == hops:
            continue
        for w in adjacent[v]:
            if w not in seen:
                seen[w] = seen[v] + 1
                queue.append(w)
    return set(seen)


def _node(ds: Dataset, aid: str, metrics: dict, size_by: str, edges: int) -> dict:
    actor = ds.actors[aid]
    model = ds.model
    shown = {k: round(metrics[k], 6) for k in ("degree", "betweenness", "closeness", "pagerank",
                                               "constraint", "effective_size", "community",
                                               "cut_point") if metrics.get(k) is not None}
    return {
        "id": aid, "label": actor.name, "type": actor.type,
        "typeLabel": model.actor_types[actor.type].label, "aliases": actor.aliases,
        "country": ds.actors[ds.countries[aid]].name if aid in ds.countries else "",
        "track": model.notation(actor.track) if actor.track else "",
        "description": actor.description, "iri": actor_iri(aid), "metrics": shown,
        "size": round(metrics[size_by], 6) if isinstance(metrics.get(size_by), float)
        else metrics.get(size_by), "edges": edges,
    }


def _edge(ds: Dataset, rel, key: str, ids: dict, a: str, b: str, spec, n: int) -> dict:
    model = ds.model
    kind = model.relations[rel.kind]
    sources = []
    for c in rel.sources:
        src = ds.sources.get(c.source)
        sources.append({"id": c.source, "quote": c.quote, "lang": c.lang,
                        "title": src.title if src else c.source,
                        "publisher": src.publisher if src else "",
                        "url": src.url if src else "", "file": src.file if src else "",
                        "date": str(src.date) if src and src.date else ""})
    roles = {role: [ds.actors[x].name for x in ids.get(role, [])] for role in kind.roles}
    return {
        "id": f"e{n}", "from": a, "to": b, "kind": rel.kind, "kindLabel": kind.label,
        "directed": spec.directed, "track": model.notation(rel.track) if rel.track else "",
        "start": str(rel.start) if rel.start else "", "end": str(rel.end) if rel.end else "",
        "startYear": rel.start.earliest.year if rel.start else None,
        "endYear": rel.end.latest.year if rel.end else None,
        "confidence": model.notation(rel.confidence) if rel.confidence else "",
        "qualifiers": {name: model.label(iri) for name, iri in sorted(rel.concepts.items())}
        | dict(sorted(rel.literals.items())),
        "roles": {r: v for r, v in roles.items() if v},
        "description": rel.description, "note": rel.note, "iri": REL + key,
        "sources": sources,
    }
