"""Problems found in curated data: values users can read, never tracebacks.

Every check returns or collects :class:`Problem` values; a run reports all of them at once.

>>> p = Problem("data/relations/arf.yaml", 42, "member", "unknown actor 'cscp'", "did you mean 'cscap'?")
>>> str(p)
"data/relations/arf.yaml:42: member: unknown actor 'cscp' (did you mean 'cscap'?)"
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: ``path:line: field: message (hint)``."""

    path: str
    line: int
    field: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" stops the build; "warning" is reported only

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text if self.severity == "error" else f"{text} [warning]"


@dataclass
class Report:
    """Collects problems from every stage of a run, in the order they were found."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return sorted(set(p for p in self.problems if p.severity == "error"), key=_sort_key)

    @property
    def warnings(self) -> list[Problem]:
        return sorted(set(p for p in self.problems if p.severity == "warning"), key=_sort_key)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def capped(problems: list[Problem], per_file: int | None) -> list[str]:
    """The problems as lines, at most ``per_file`` of them per file, each file's shown lines
    followed by a count of the rest.

    >>> ps = [Problem("a.yaml", i, "id", "bad") for i in range(1, 5)]
    >>> capped(ps, 2)
    ['a.yaml:1: id: bad', 'a.yaml:2: id: bad', 'a.yaml: ... and 2 more errors in this file']
    """
    from itertools import groupby

    out: list[str] = []
    for path, group in groupby(problems, key=lambda p: p.path):
        found = list(group)
        shown = found if per_file is None else found[:per_file]
        out += [str(p) for p in shown]
        rest = len(found) - len(shown)
        if rest:
            what = found[0].severity + ("s" if rest != 1 else "")
            out.append(f"{path}: ... and {rest} more {what} in this file")
    return out


def _sort_key(p: Problem) -> tuple:
    return (p.path, p.line, p.field, p.message)


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str:
    """A hint naming the closest choices, or listing a few of them when none is close.

    >>> did_you_mean("cscp", ["cscap", "asean", "arf"])
    "did you mean 'cscap'?"
    >>> did_you_mean("zzz", ["a", "b"], "actor types")
    'known actor types: a, b'
    """
    pool = sorted(set(choices))
    close = difflib.get_close_matches(word.lower(), pool, n=3, cutoff=0.6)
    if close:
        # name only the clear favourites: those nearly as close as the best
        score = {c: difflib.SequenceMatcher(None, word.lower(), c).ratio() for c in close}
        best = max(score.values())
        close = [c for c in close if score[c] >= best - 0.08]
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if what and len(pool) <= 20:
        return f"known {what}: " + ", ".join(pool)
    return ""
