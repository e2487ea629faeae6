"""Which relations an analysis looks at: the one place every network command, export, map and
measure applies its filters.

A :class:`Filter` keeps a relation when it holds at ``as_of`` (see
:func:`graphkit.facts.parse_as_of`), is of a kept kind (``relations``, less ``exclude``), runs
through a kept track, is dated if ``drop_undated``, and is at least as certain as
``min_confidence`` (the default, ``medium``, leaves out the claims marked ``low``).

A relation's track is its own, else the highest track among the actors it involves (Track 2
for a membership in a Track-2 network, Track 1 for one between states), else none.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> g = graph_of(load_dataset(Path("tests/cases/base"))[0])
>>> kept, notes = Filter(tracks=frozenset({"2"})).select(g)
>>> [f.kind for f in kept], notes[0]
(['influence'], '1 of 4 relations kept (track 2)')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .facts import CONFIDENCE, Fact, Graph, as_of_label, parse_as_of

TRACKS = ("1", "1.5", "2")


class FilterError(ValueError):
    """A filter value that names nothing (an unknown kind, track or confidence)."""


@dataclass(frozen=True)
class Filter:
    as_of: str | dt.date = "present"
    tracks: frozenset[str] | None = None
    relations: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()
    drop_undated: bool = False
    min_confidence: str = "medium"

    @classmethod
    def parse(cls, model, as_of: str | None = "present", tracks: str = "",
              relations: str = "", exclude: str = "", drop_undated: bool = False,
              min_confidence: str = "medium") -> "Filter":
        """A filter from the command line's comma-separated values; :class:`FilterError` names
        an unknown value and the known ones."""
        def items(text: str) -> list[str]:
            return [x.strip() for x in (text or "").split(",") if x.strip()]

        for k in items(relations) + items(exclude):
            if k not in model.relations:
                raise FilterError(f"unknown relation kind '{k}'; one of: "
                                  f"{', '.join(model.relations)}")
        for t in items(tracks):
            if t not in TRACKS:
                raise FilterError(f"unknown track '{t}'; one of: {', '.join(TRACKS)}")
        if min_confidence not in CONFIDENCE:
            raise FilterError(f"unknown confidence '{min_confidence}'; one of: "
                              f"{', '.join(CONFIDENCE)}")
        return cls(parse_as_of(as_of), frozenset(items(tracks)) or None,
                   frozenset(items(relations)) or None, frozenset(items(exclude)),
                   drop_undated, min_confidence)

    def track_of(self, fact: Fact, g: Graph) -> str:
        """The relation's track: its own, else the highest among its actors'."""
        if fact.track:
            return fact.track
        found = [g.actors[a].track for a in fact.actors() if a in g.actors and
                 g.actors[a].track]
        return max(found, key=TRACKS.index) if found else ""

    def keep(self, fact: Fact, g: Graph) -> bool:
        if self.relations is not None and fact.kind not in self.relations:
            return False
        if fact.kind in self.exclude:
            return False
        if fact.confidence_rank < CONFIDENCE.index(self.min_confidence):
            return False
        if self.drop_undated and not fact.dated:
            return False
        if self.tracks is not None and self.track_of(fact, g) not in self.tracks:
            return False
        return fact.active(self.as_of)

    def select(self, g: Graph, kinds: frozenset[str] | None = None,
               signs: frozenset[str] | None = None) -> tuple[list[Fact], list[str]]:
        """The facts of ``g`` this filter keeps (of ``kinds`` and ``signs`` if given), and
        notes saying what was left out and what was kept though undated."""
        pool = [f for f in g.facts if kinds is None or f.kind in kinds]
        kept = [f for f in pool if self.keep(f, g)]
        notes = []
        if signs is not None:
            other = [f for f in kept if f.sign not in signs]
            kept = [f for f in kept if f.sign in signs]
            if other:
                left = sorted({f.sign for f in other})
                notes.append(f"{_count(len(other), ' and '.join(left) + ' relation')} left out "
                             "by this view" + (" (the conflict view holds them)"
                                               if "adversarial" in left else ""))
        if self.tracks is not None or self.relations is not None or self.exclude:
            what = "; ".join(x for x in (
                f"track {', '.join(sorted(self.tracks, key=TRACKS.index))}" if self.tracks
                else "", f"kinds {', '.join(sorted(self.relations))}" if self.relations else "",
                f"without {', '.join(sorted(self.exclude))}" if self.exclude else "") if x)
            notes.append(f"{len(kept)} of {len(pool)} relations kept ({what})")
        low = sum(1 for f in pool if f.confidence_rank < CONFIDENCE.index(self.min_confidence))
        if low:
            notes.append(f"{_count(low, 'relation')} below confidence {self.min_confidence} left "
                         f"out (--min-confidence {CONFIDENCE[0]} keeps them)")
        undated = sum(1 for f in kept if not f.dated)
        if undated:
            notes.append(f"{undated} of {len(kept)} relations are undated and kept in every "
                         "time slice (--drop-undated leaves them out)")
        elif self.drop_undated:
            gone = sum(1 for f in pool if not f.dated)
            notes.append(f"{_count(gone, 'undated relation')} left out (--drop-undated)")
        return kept, notes

    @property
    def label(self) -> str:
        return as_of_label(self.as_of)


def _count(n: int, noun: str) -> str:
    """``_count(1, "relation")`` is '1 relation'; ``_count(2, "relation")`` '2 relations'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
