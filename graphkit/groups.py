"""The groups of actors that Gould-Fernandez brokerage compares, with the rule that put each
actor in its group, as ``graphkit groups`` lists them. The groupings are declared in
``ontology/model.yaml`` (``groupings:``); a CSV file can override any actor's group.

A body's side (the ``asean`` grouping) holds, as of the date: the body itself; its full members;
their nationals and national bodies; the parts of anyone on the side; and the bodies whose full
members are all on the side (the networks of its institutes, its defence ministers' meeting...),
repeated until nothing changes.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> g = graph_of(load_dataset(Path("tests/cases/base"))[0])
>>> side = assign(g, "asean", "present")
>>> side["malaysia"], side["dprk"].group
(Assignment(group='ASEAN', rule='full member of ASEAN since 1967-08-08'), 'outside')
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .facts import Graph, parse_as_of
from .problems import Problem


@dataclass(frozen=True)
class Assignment:
    group: str
    rule: str


class GroupsFileError(Exception):
    """A ``--groups-file`` that cannot be used; carries the located problems."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def assign(g: Graph, grouping: str, as_of: str | dt.date = "present",
           override: dict[str, Assignment] | None = None) -> dict[str, Assignment]:
    """Every actor's group under ``grouping`` as of ``as_of``, with its rule."""
    spec = g.model.groupings.get(grouping)
    if spec is None:
        raise ValueError(f"unknown grouping '{grouping}'; one of: "
                         f"{', '.join(g.model.groupings)}")
    as_of = parse_as_of(as_of)
    if spec.attribute:
        out = {a.id: _by_attribute(g, a.id, spec.attribute) for a in g.actors.values()}
    else:
        out = _side(g, spec, as_of)
    out.update(override or {})
    return out


def _by_attribute(g: Graph, actor_id: str, attribute: str) -> Assignment:
    a = g.actors[actor_id]
    if attribute == "type":
        t = g.model.actor_types.get(a.type)
        return Assignment(a.type or "unknown", f"its type: {t.label if t else a.type}")
    if attribute == "track":
        return (Assignment(f"Track {a.track}", "its track" if a.track else "")
                if a.track else Assignment("no track", "no track given"))
    if a.country:
        return Assignment(a.country, "a state" if a.country == a.id else
                          f"based in or a national of {g.label(a.country)}")
    return Assignment("none", "no country given")


def _side(g: Graph, spec, as_of) -> dict[str, Assignment]:
    anchor = spec.anchor
    if anchor not in g.actors:
        raise ValueError(f"grouping '{spec.name}': its anchor '{anchor}' is not an actor of "
                         "this graph")
    live = [f for f in g.facts if not f.low and f.active(as_of)]
    name = g.label(anchor)
    side: dict[str, str] = {anchor: f"{name} itself"}
    full: dict[str, set[str]] = {}  # body -> its full members
    for f in live:
        if f.kind == "membership" and not f.partial:
            for body in f.participants.get("organisation", ()):
                full.setdefault(body, set()).update(f.participants.get("member", ()))
    for f in live:
        if f.kind == "membership" and not f.partial and \
                anchor in f.participants.get("organisation", ()):
            for m in f.participants.get("member", ()):
                since = f" since {f.start}" if f.start else ""
                side.setdefault(m, f"full member of {spec.inside}{since}")
    parts = [(f.participants.get("part", ()), f.participants.get("whole", ()))
             for f in live if f.kind == "part-of"]
    changed = True
    while changed:
        changed = False
        for a in g.actors.values():
            if a.id not in side and a.country and a.country != a.id and a.country in side:
                side[a.id] = f"based in or a national of {g.label(a.country)}"
                changed = True
        for part_ids, wholes in parts:
            on = [w for w in wholes if w in side]
            for p in part_ids:
                if on and p not in side:
                    side[p] = f"part of {g.label(on[0])}"
                    changed = True
        for body, members in sorted(full.items()):
            if body not in side and members and all(m in side for m in members):
                side[body] = f"all {len(members)} full members on {spec.inside}'s side"
                changed = True
    return {a: Assignment(spec.inside, side[a]) if a in side else
            Assignment(spec.outside, "none of the rules") for a in g.actors}


def read_override(path: Path, g: Graph) -> dict[str, Assignment]:
    """``id,group`` rows (a header line ``id,group`` is allowed); actors by id, name or alias."""
    from .safe_read import read_text

    text, problems = read_text(path, str(path))
    if text is None:
        raise GroupsFileError(problems)
    out: dict[str, Assignment] = {}
    for n, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or (n == 1 and [c.strip().lower() for c in row[:2]] == ["id", "group"]):
            continue
        if len(row) < 2 or not row[1].strip():
            problems.append(Problem(str(path), n, "", "expected 'actor,group'"))
            continue
        found, hint = g.find(row[0])
        if found is None:
            problems.append(Problem(str(path), n, "id", f"unknown actor '{row[0].strip()}'",
                                    hint))
            continue
        out[found] = Assignment(row[1].strip(), f"set in {path}:{n}")
    if problems:
        raise GroupsFileError(problems)
    return out
