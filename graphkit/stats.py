"""How well the data covers its field: relations by kind, by track and by decade, and how many
are dated, cite two or more sources, or carry each level of confidence.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> s = coverage(graph_of(load_dataset(Path("tests/cases/base"))[0]))
>>> s["relations"], s["by_kind"]["mediation"], s["dated"], s["by_decade"]["1960s"]
(4, 1, 2, 1)
"""

from __future__ import annotations

from collections import Counter

from .facts import Graph
from .filters import Filter


def coverage(g: Graph) -> dict:
    """The counts ``graphkit stats`` prints."""
    facts = g.facts
    flt = Filter()
    decades: Counter = Counter()
    for f in facts:
        date = f.start or f.end
        decades[f"{date.earliest.year // 10 * 10}s" if date else "undated"] += 1
    sources = Counter(len(f.record.sources) if f.record is not None else 0 for f in facts)
    return {
        "actors": len(g.actors),
        "actors_by_type": dict(Counter(a.type for a in g.actors.values()).most_common()),
        "relations": len(facts),
        "by_kind": dict(Counter(f.kind for f in facts).most_common()),
        "by_track": dict(sorted(Counter(flt.track_of(f, g) or "none" for f in facts).items())),
        "by_decade": dict(sorted(decades.items())),
        "dated": sum(1 for f in facts if f.dated),
        "two_or_more_sources": sum(n for k, n in sources.items() if k >= 2),
        "by_confidence": {level: sum(1 for f in facts if (f.confidence or "high") == level)
                          for level in ("high", "medium", "low")},
        "by_sign": dict(sorted(Counter(f.sign for f in facts).items())),
        "sources": len(g.sources),
        "citations": sum(k * n for k, n in sources.items()),
    }


def report(s: dict) -> str:
    """The counts as text, with shares of the relations."""
    n = s["relations"] or 1

    def share(k: int) -> str:
        return f"{k:>5}  {100 * k / n:5.1f}%"

    lines = [f"{s['actors']} actors, {s['relations']} relations, {s['sources']} sources, "
             f"{s['citations']} citations", "", "relations by kind:"]
    lines += [f"  {kind:<18}{share(k)}" for kind, k in s["by_kind"].items()]
    lines += ["", "by track (a relation's own, else the highest of its actors'):"]
    lines += [f"  {('Track ' + t) if t != 'none' else 'no track':<18}{share(k)}"
              for t, k in s["by_track"].items()]
    lines += ["", "by decade (of the start, else the end):"]
    lines += [f"  {d:<18}{share(k)}" for d, k in s["by_decade"].items()]
    lines += ["", "evidence:", f"  {'dated':<18}{share(s['dated'])}",
              f"  {'2+ sources':<18}{share(s['two_or_more_sources'])}"]
    lines += [f"  {level + ' confidence':<18}{share(k)}"
              for level, k in s["by_confidence"].items()]
    lines += ["", "by sign:"] + [f"  {sign:<18}{share(k)}" for sign, k in s["by_sign"].items()]
    return "\n".join(lines)
