"""An actor's card: its names, type, and every relation it takes part in with dates and sources.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> ds, _ = load_dataset(Path("tests/cases/base"))
>>> find_actor(ds, "North Korea")
('dprk', '')
>>> print(render_card(ds, "dprk"))                     # doctest: +ELLIPSIS
Democratic People's Republic of Korea  [dprk]
  type:        state
  also:        DPRK, North Korea, Pyongyang
...
mediation (1)
  undated                mediator: Association of Southeast Asian Nations; parties: *Democratic People's Republic of Korea, Republic of Korea; mode: go-between; issues: inter-Korean peace process
  ...
"""

from __future__ import annotations

from collections import defaultdict

from .checks import Names
from .dataset import Dataset
from .namespaces import actor_iri


def find_actor(ds: Dataset, text: str) -> tuple[str | None, str]:
    """The actor id that ``text`` names (id, name or alias, any case), or None and a hint."""
    names = Names()
    for actor in ds.actors.values():
        names.add(actor.id, [actor.name] + actor.aliases)
    found = names.find(text.strip())
    return (found, "") if found else (None, names.hint(text.strip()))


def render_card(ds: Dataset, actor_id: str) -> str:
    """The card of ``actor_id`` as plain text, relations grouped by kind and ordered by date."""
    model = ds.model
    actor = ds.actors[actor_id]
    lines = [f"{actor.name}  [{actor.id}]",
             f"  type:        {model.actor_types[actor.type].label}"]
    if actor.aliases:
        lines.append(f"  also:        {', '.join(actor.aliases)}")
    if actor.id in ds.countries:
        lines.append(f"  country:     {ds.actors[ds.countries[actor.id]].name}")
    if actor.track:
        lines.append(f"  track:       {model.label(actor.track)}")
    lines.append(f"  IRI:         {actor_iri(actor.id)}")
    lines.append(f"  curated in:  {actor.path}:{actor.line}")
    if actor.description:
        lines.append(f"  {actor.description}")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, ids in enumerate(ds.participants):
        if any(actor_id in v for v in ids.values()):
            groups[ds.relations[i].kind].append(i)
    if not groups:
        lines.append("\n  (no relations)")
    for kind_name in model.relations:
        if kind_name not in groups:
            continue
        kind = model.relations[kind_name]
        idx = sorted(groups[kind_name], key=lambda i: (
            ds.relations[i].start.text if ds.relations[i].start else "9999", ds.keys[i]))
        lines.append(f"\n{kind.label} ({len(idx)})")
        for i in idx:
            lines.extend(_relation_lines(ds, i, actor_id))
    return "\n".join(lines)


def _relation_lines(ds: Dataset, i: int, actor_id: str) -> list[str]:
    rel, ids = ds.relations[i], ds.participants[i]
    model = ds.model
    kind = model.relations[rel.kind]
    when = _period(rel)
    parts = []
    for role in kind.roles:
        names = [("*" if a == actor_id else "") + ds.actors[a].name for a in ids.get(role, [])]
        if names:
            parts.append(f"{role}: {', '.join(names)}")
    for name, iri in sorted(rel.concepts.items()):
        parts.append(f"{name}: {model.label(iri)}")
    for name, text in sorted(rel.literals.items()):
        parts.append(f"{name}: {text}")
    if ds.issue_ids[i]:
        parts.append("issues: " + ", ".join(ds.issues[x].label for x in ds.issue_ids[i]))
    if rel.track:
        parts.append(model.label(rel.track))
    if rel.confidence:
        parts.append(model.label(rel.confidence))
    out = [f"  {when:<22} " + "; ".join(parts)]
    if rel.note:
        out.append(f"  {'':<22} note: {rel.note}")
    for c in rel.sources:
        src = ds.sources.get(c.source)
        title = src.title if src else c.source
        out.append(f"  {'':<22} - [{c.source}] \u201c{c.quote}\u201d")
        out.append(f"  {'':<22}   {title}" + (f", {src.url}" if src and src.url else ""))
    return out


def _period(rel) -> str:
    if rel.start and rel.end:
        return f"{rel.start} to {rel.end}"
    if rel.start:
        return f"since {rel.start}" if rel.kind not in ("founding", "hosting", "participation") \
            else str(rel.start)
    if rel.end:
        return f"until {rel.end}"
    return "undated"
