"""One resolved relation per curated relation (:class:`Fact`), and what the analyses know of each
actor (:class:`ActorInfo`), gathered in a :class:`Graph`: built once from a checked dataset
(:func:`graph_of`) or read back from any graphkit export (:mod:`graphkit.rdf_read`), and read
by the RDF writer, the views, the map, the cards and the exports alike.

The rules for time and doubt live here, once:

- ``as_of``: a date (relations started on or before it and not ended by it; "2020" means
  31 December 2020), ``"present"`` (relations with no end date) or ``"all"``;
- ``confidence``: absent means not in doubt (high); ``low`` marks a source's claim that the
  public record contradicts, left out of the analyses unless asked for.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> ds, _ = load_dataset(Path("tests/cases/base"))
>>> g = graph_of(ds)
>>> f = g.facts[0]
>>> f.key, f.kind, f.sign, f.active(parse_as_of("1990")), f.active(parse_as_of("1994"))
('founding.cscap.1993-06', 'founding', 'cooperative', False, True)
>>> g.actors["dprk"].label, g.find("Pyongyang")
("Democratic People's Republic of Korea", ('dprk', ''))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator

from .dates import PartialDate, overlaps, parse_date
from .model import Model
from .names import Names
from .projection import project

CONFIDENCE = ("low", "medium", "high")  # a relation with none is not in doubt: high


def parse_as_of(text: str | dt.date | None) -> str | dt.date:
    """``None`` or "present" -> "present"; "all" -> "all"; a date text (YYYY means its 31
    December, YYYY-MM the month's last day) -> that day; a date stays itself.

    >>> parse_as_of("2010"), parse_as_of(None), parse_as_of("all")
    (datetime.date(2010, 12, 31), 'present', 'all')
    """
    if isinstance(text, dt.date):
        return text
    if text in (None, "", "present"):
        return "present"
    if text == "all":
        return "all"
    return parse_date(text).latest


def as_of_label(as_of: str | dt.date) -> str:
    return as_of if isinstance(as_of, str) else as_of.isoformat()


@dataclass(eq=False, slots=True)
class Fact:
    """A relation with its participants resolved to actor ids and its qualifiers to
    notations: what every analysis reads."""

    key: str  # the local part of its IRI (content-derived: the same fact, the same key)
    kind: str
    participants: dict[str, tuple[str, ...]]
    issues: tuple[str, ...] = ()
    start: PartialDate | None = None
    end: PartialDate | None = None
    track: str | None = None  # "1", "1.5", "2"
    confidence: str | None = None  # "low", "medium", "high"
    concepts: dict[str, str] = field(default_factory=dict)  # field -> concept IRI
    literals: dict[str, str] = field(default_factory=dict)
    sign: str = "neutral"
    partial: bool = False  # a partial membership (observer, dialogue partner...)
    record: object = None  # the curated record (a records.Relation), when read from data/

    @property
    def low(self) -> bool:
        return self.confidence == "low"

    @property
    def confidence_rank(self) -> int:
        return CONFIDENCE.index(self.confidence or "high")

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def active(self, as_of: str | dt.date) -> bool:
        """Whether the relation holds in the slice ``as_of`` (see :func:`parse_as_of`)."""
        if as_of == "all":
            return True
        if as_of == "present":
            return self.end is None
        return overlaps(self.start, self.end, as_of)

    def actors(self) -> Iterator[str]:
        for ids in self.participants.values():
            yield from ids

    def where(self) -> str:
        """``path:line`` of the curated record, or '' for a fact read back from RDF."""
        r = self.record
        return f"{r.path}:{r.line}" if r is not None else ""


@dataclass(slots=True)
class ActorInfo:
    """What the analyses know of an actor."""

    id: str
    label: str
    type: str
    aliases: list[str] = field(default_factory=list)
    country: str = ""  # the state it belongs to (a state's own id for a state)
    track: str = ""  # "1", "1.5", "2" or ''
    texts: dict[str, str] = field(default_factory=dict)  # further declared text fields


@dataclass
class Graph:
    """The facts and the actors of a graphkit graph."""

    facts: list[Fact]
    actors: dict[str, ActorInfo]
    model: Model
    sources: dict = field(default_factory=dict)  # id -> records.Source (from a data folder)
    issues: dict[str, str] = field(default_factory=dict)  # issue id -> label
    _names: Names | None = field(default=None, repr=False)

    def find(self, text: str) -> tuple[str | None, str]:
        """The actor ``text`` names (id, name or alias, any case), or None and a hint."""
        if self._names is None:
            self._names = Names.of((a.id, [a.label] + sorted(a.aliases))
                                   for a in sorted(self.actors.values(), key=lambda a: a.id))
        return self._names.lookup(text)

    def label(self, actor_id: str) -> str:
        info = self.actors.get(actor_id)
        return info.label if info else actor_id

    def edges(self, fact: Fact):
        """``(a, b, edge spec)`` for each edge the fact projects to (the model's one rule)."""
        return project(self.model.relations[fact.kind], fact.participants)


def graph_of(ds) -> Graph:
    """The graph of a checked dataset (``ds.facts`` filled by the checks)."""
    model = ds.model
    actors = {}
    for a in ds.actors.values():
        kind = model.actor_types.get(a.type)
        track = model.notation(a.track) if a.track else (kind.track if kind and kind.track
                                                          else "")
        texts = {name: a.fields[name] for name, f in model.actor_fields.items()
                 if f.text is not None and not f.many and name != "name" and a.fields.get(name)}
        actors[a.id] = ActorInfo(a.id, a.name, a.type, list(a.aliases),
                                 ds.countries.get(a.id, a.id if a.type == "state" else ""),
                                 track, texts)
    return Graph(list(ds.facts), actors, model, dict(ds.sources),
                 {i.id: i.label for i in ds.issues.values()})


def make_fact(model: Model, record, participants: dict[str, list[str]], issues: list[str],
              key: str) -> Fact:
    """The fact of a checked relation record."""
    return Fact(key, record.kind, {r: tuple(v) for r, v in participants.items()},
                tuple(issues), record.start, record.end,
                model.notation(record.track) if record.track else None,
                model.notation(record.confidence) if record.confidence else None,
                record.concepts, record.literals,  # the record's own (neither changes)
                model.sign(record.kind, record.concepts),
                model.partial(record.kind, record.concepts), record)
