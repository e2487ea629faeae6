"""What the interactive map shows: one node per actor, one edge per projected relation, each
carrying what its tooltip and details panel need (names, measures, dates, track, sources and
quotes). Pure data; :mod:`graphkit.render_map` draws it.

Edges are those :func:`graphkit.projection.project` gives, one per relation and pair (so two
relations between the same actors are two edges, each with its own sources); the relations are
those a :class:`graphkit.filters.Filter` keeps (every date, and no contradicted claim, unless
told otherwise).

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> m = map_data(graph_of(load_dataset(Path("tests/cases/base"))[0]))
>>> len(m.nodes), len(m.edges), sorted(e["kind"] for e in m.edges)
(6, 4, ['influence', 'mediation', 'mediation', 'membership'])
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field

from .facts import Fact, Graph
from .filters import Filter
from .namespaces import REL, actor_iri


@dataclass
class MapData:
    nodes: list[dict]
    edges: list[dict]
    kinds: list[tuple[str, str, str]] = field(default_factory=list)  # (name, label, colour)
    types: list[tuple[str, str, str, str]] = field(default_factory=list)  # + shape, colour
    years: tuple[int, int] = (1945, dt.date.today().year)
    notes: list[str] = field(default_factory=list)


def map_data(g: Graph, metrics: dict[str, dict] | None = None, size_by: str = "betweenness",
             focus: str | None = None, hops: int = 1, flt: Filter | None = None,
             most: int | None = None) -> MapData:
    """The nodes and edges of the map of ``g``.

    ``metrics``: actor id -> row of :func:`graphkit.metrics.registry.metric_table` (its
    ``size_by`` column sizes the nodes); ``focus`` and ``hops``: only actors within ``hops`` of
    ``focus``; ``flt``: which relations (default: every date; the page's year control still
    works within it); ``most``: at most this many actors, the highest by ``size_by`` (a note
    on the page says how many are left out and how to draw them).
    """
    model = g.model
    flt = flt or Filter(as_of="all")
    facts, notes = flt.select(g)
    members: dict[str, int] = defaultdict(int)
    for fact in facts:
        if fact.kind == "membership":
            for body in fact.participants.get("organisation", ()):
                members[body] += 1
    fold = {b for b, n in members.items() if model.fold_members_from and
            n >= model.fold_members_from}
    pairs = [(fact, a, b, spec) for fact in facts for a, b, spec in g.edges(fact)]
    if focus:
        keep = _within(pairs, focus, hops)
        pairs = [p for p in pairs if p[1] in keep and p[2] in keep]
    involved = sorted({p[1] for p in pairs} | {p[2] for p in pairs}
                      | ({focus} if focus else set()))
    if most is not None and len(involved) > most:
        keep = set(_most(involved, metrics or {}, size_by, most))
        notes.append(f"showing the {most:,} actors highest by {size_by} of {len(involved):,} "
                     f"({len(involved) - most:,} left out); draw any of them with 'graphkit "
                     "view --focus ACTOR', or fewer relations with its filters")
        pairs = [p for p in pairs if p[1] in keep and p[2] in keep]
        involved = sorted(keep)
    edges: list[dict] = []
    tracks: dict[int, str] = {}
    for fact, a, b, spec in pairs:
        if id(fact) not in tracks:
            tracks[id(fact)] = flt.track_of(fact, g)
        edges.append(_edge(g, fact, tracks[id(fact)], a, b, spec, len(edges)))
        if fact.kind == "membership" and b in fold:
            edges[-1]["fold"] = b
    by_actor: dict[str, int] = defaultdict(int)
    for e in edges:
        by_actor[e["from"]] += 1
        by_actor[e["to"]] += 1
    nodes = [_node(g, a, (metrics or {}).get(a, {}), size_by, by_actor[a]) for a in involved]
    for n in nodes:
        if n["id"] in fold:
            n["folds"] = members[n["id"]]
    years = [y for e in edges for y in (e["startYear"], e["endYear"]) if y]
    kinds = sorted({e["kind"] for e in edges})
    types = sorted({n["type"] for n in nodes})
    undated = sum(1 for e in edges if not e["startYear"] and not e["endYear"])
    notes = [n for n in notes if "undated" not in n]
    if undated:
        notes.append(f"{undated} of {len(edges)} edges are undated and shown at every year")
    return MapData(nodes, edges, [(k, model.relations[k].label, model.relations[k].style.color)
                                  for k in kinds],
                   [(t, model.actor_types[t].label, model.style(t).shape, model.style(t).color)
                    for t in types],
                   (min(years, default=1945), max(years, default=dt.date.today().year)), notes)


def _most(actors: list[str], metrics: dict[str, dict], size_by: str, n: int) -> list[str]:
    """The ``n`` actors highest by ``size_by`` (ties: by id)."""
    def value(a: str) -> float:
        v = metrics.get(a, {}).get(size_by)
        return v if isinstance(v, (int, float)) else float("-inf")

    return sorted(actors, key=lambda a: (-value(a), a))[:n]


def _within(pairs: list[tuple], focus: str, hops: int) -> set[str]:
    adjacent: dict[str, set[str]] = defaultdict(set)
    for _, a, b, _ in pairs:
        adjacent[a].add(b)
        adjacent[b].add(a)
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


def _node(g: Graph, aid: str, metrics: dict, size_by: str, edges: int) -> dict:
    from .metrics.registry import published

    info = g.actors[aid]
    t = g.model.actor_types.get(info.type)
    shown = {m.name: round(metrics[m.name], 6) for m in published()
             if metrics.get(m.name) is not None}
    value = metrics.get(size_by)
    style = g.model.style(info.type)
    return {
        "id": aid, "label": info.label, "type": info.type, "shape": style.shape,
        "color": style.color, "typeLabel": t.label if t else info.type, "aliases": info.aliases,
        "country": g.label(info.country) if info.country and info.country != aid else "",
        "track": info.track, "description": info.texts.get("description", ""),
        "texts": dict(sorted(info.texts.items())), "iri": actor_iri(aid), "metrics": shown,
        "size": round(value, 6) if isinstance(value, float) else value, "edges": edges,
    }


def _edge(g: Graph, fact: Fact, track: str, a: str, b: str, spec, n: int) -> dict:
    model = g.model
    kind = model.relations[fact.kind]
    rel = fact.record
    sources = []
    for c in (rel.sources if rel is not None else []):
        src = g.sources.get(c.source)
        sources.append({"id": c.source, "quote": c.quote, "lang": c.lang,
                        "title": src.title if src else c.source,
                        "publisher": src.publisher if src else "",
                        "url": src.url if src else "", "file": src.file if src else "",
                        "date": str(src.date) if src and src.date else ""})
    roles = {role: [g.label(x) for x in fact.participants.get(role, ())] for role in kind.roles}
    return {
        "id": f"e{n}", "from": a, "to": b, "kind": fact.kind, "kindLabel": kind.label,
        "color": kind.style.color, "width": kind.style.width,
        "directed": spec.directed, "track": track, "sign": fact.sign,
        "start": str(fact.start) if fact.start else "", "end": str(fact.end) if fact.end else "",
        "startYear": fact.start.earliest.year if fact.start else None,
        "endYear": fact.end.latest.year if fact.end else None,
        "confidence": fact.confidence or "",
        "qualifiers": {name: model.label(iri) for name, iri in sorted(fact.concepts.items())}
        | dict(sorted(fact.literals.items())),
        "roles": {r: v for r, v in roles.items() if v},
        "description": rel.description if rel is not None else "",
        "note": rel.note if rel is not None else "", "iri": REL + fact.key, "key": fact.key,
        "where": fact.where(), "sources": sources,
    }
