"""An actor's card: its names, type, and every relation it takes part in, each with its id
(the part of its IRI after ``rel:``, which ``graphkit query sources-of`` takes), the file and
line it is curated at, its dates and its sources; as text or as JSON.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> g = graph_of(load_dataset(Path("tests/cases/base"))[0])
>>> print(render_card(g, "dprk"))                     # doctest: +ELLIPSIS
Democratic People's Republic of Korea  [dprk]
  type:        state
  also:        DPRK, North Korea, Pyongyang
...
mediation (1)
  undated                mediator: Association of Southeast Asian Nations; parties: *Democratic People's Republic of Korea, Republic of Korea; mode: go-between; issues: inter-Korean peace process
                         id: mediation.asean.dprk_rok.go-between  (tests/cases/base/relations/base.yaml:26)
  ...
"""

from __future__ import annotations

from collections import defaultdict

from .facts import Fact, Graph
from .namespaces import REL, actor_iri


def card_data(g: Graph, actor_id: str) -> dict:
    """The card as data (what ``graphkit show --format json`` prints)."""
    model = g.model
    info = g.actors[actor_id]
    rels = []
    for f in _facts_of(g, actor_id):
        kind = model.relations[f.kind]
        rec = f.record
        rels.append({
            "id": f.key, "iri": REL + f.key, "kind": f.kind, "where": f.where(),
            "start": str(f.start) if f.start else None, "end": str(f.end) if f.end else None,
            "roles": {role: [{"id": a, "name": g.label(a)} for a in f.participants.get(role, ())]
                      for role in kind.roles if f.participants.get(role)},
            "qualifiers": {n: model.notation(iri) for n, iri in sorted(f.concepts.items())}
            | dict(sorted(f.literals.items())),
            "issues": [g.issues.get(i, i) for i in f.issues], "track": f.track,
            "confidence": f.confidence, "sign": f.sign,
            "note": rec.note if rec is not None else "",
            "sources": [{"source": c.source, "quote": c.quote, "lang": c.lang,
                         "title": g.sources[c.source].title if c.source in g.sources else "",
                         "url": g.sources[c.source].url if c.source in g.sources else ""}
                        for c in (rec.sources if rec is not None else [])]})
    t = model.actor_types.get(info.type)
    return {"id": info.id, "name": info.label, "type": info.type,
            "type_label": t.label if t else info.type, "aliases": info.aliases,
            "country": info.country if info.country != info.id else "", "track": info.track,
            "iri": actor_iri(info.id), **info.texts, "relations": rels}


def _facts_of(g: Graph, actor_id: str) -> list[Fact]:
    """The actor's relations, grouped by kind in the model's order, each group by date."""
    groups: dict[str, list[Fact]] = defaultdict(list)
    for f in g.facts:
        if actor_id in set(f.actors()):
            groups[f.kind].append(f)
    return [f for kind in g.model.relations for f in sorted(
        groups.get(kind, []), key=lambda f: (f.start.text if f.start else "9999", f.key))]


def render_card(g: Graph, actor_id: str, where: dict[str, str] | None = None) -> str:
    """The card of ``actor_id`` as plain text. ``where``: actor id -> ``path:line`` of its
    record, printed on the card when known."""
    model = g.model
    info = g.actors[actor_id]
    t = model.actor_types.get(info.type)
    lines = [f"{info.label}  [{info.id}]", f"  type:        {t.label if t else info.type}"]
    if info.aliases:
        lines.append(f"  also:        {', '.join(info.aliases)}")
    if info.country and info.country != info.id:
        lines.append(f"  country:     {g.label(info.country)}")
    if info.track:
        lines.append(f"  track:       Track {info.track}")
    lines.append(f"  IRI:         {actor_iri(info.id)}")
    if where and actor_id in where:
        lines.append(f"  curated in:  {where[actor_id]}")
    for name, text in sorted(info.texts.items()):
        lines.append(f"  {text}" if name == "description" else f"  {name}:{' ' * (11 - len(name))}"
                     f"{text}")
    facts = _facts_of(g, actor_id)
    if not facts:
        lines.append("\n  (no relations)")
    current = None
    for f in facts:
        if f.kind != current:
            current = f.kind
            count = sum(1 for x in facts if x.kind == current)
            lines.append(f"\n{model.relations[current].label} ({count})")
        lines.extend(_relation_lines(g, f, actor_id))
    return "\n".join(lines)


def _relation_lines(g: Graph, f: Fact, actor_id: str) -> list[str]:
    model = g.model
    kind = model.relations[f.kind]
    parts = []
    for role in kind.roles:
        names = [("*" if a == actor_id else "") + g.label(a) for a in f.participants.get(role, ())]
        if names:
            parts.append(f"{role}: {', '.join(names)}")
    for name, iri in sorted(f.concepts.items()):
        parts.append(f"{name}: {model.label(iri)}")
    for name, text in sorted(f.literals.items()):
        parts.append(f"{name}: {text}")
    if f.issues:
        parts.append("issues: " + ", ".join(g.issues.get(x, x) for x in f.issues))
    if f.track:
        parts.append(f"Track {f.track}")
    if f.confidence:
        parts.append(f"{f.confidence} confidence")
    if f.sign == "adversarial":
        parts.append("adversarial")
    pad = " " * 22
    out = [f"  {_period(f, kind.point_in_time):<22} " + "; ".join(parts),
           f"  {pad} id: {f.key}" + (f"  ({f.where()})" if f.where() else "")]
    rec = f.record
    if rec is not None and rec.note:
        out.append(f"  {pad} note: {rec.note}")
    for c in (rec.sources if rec is not None else []):
        src = g.sources.get(c.source)
        out.append(f"  {pad} - [{c.source}] \u201c{c.quote}\u201d")
        out.append(f"  {pad}   {src.title if src else c.source}"
                   + (f", {src.url}" if src and src.url else ""))
    return out


def _period(f: Fact, point_in_time: bool) -> str:
    if f.start and f.end:
        return f"{f.start} to {f.end}"
    if f.start:
        return str(f.start) if point_in_time else f"since {f.start}"
    if f.end:
        return f"until {f.end}"
    return "undated"
