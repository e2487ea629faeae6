"""The one index of names: finds an actor (or an issue) by its id, name or any alias, in any
case, and suggests the closest names when none matches. The loader, the cards, the network
commands and the named queries all use it.

>>> n = Names(); n.add("dprk", ["DPRK", "North Korea", "Pyongyang"])
[]
>>> n.find("north korea"), n.find("PYONGYANG"), n.find("dprk")
('dprk', 'dprk', 'dprk')
>>> n.hint("north kroea")
"did you mean 'dprk'?"
"""

from __future__ import annotations

from typing import Iterable

from .problems import did_you_mean


class Names:
    """Names folded with :meth:`str.casefold`, each pointing to one id."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self._hints: dict[str, str] = {}  # one did-you-mean search per distinct name

    @classmethod
    def of(cls, entries: Iterable[tuple[str, Iterable[str]]]) -> "Names":
        """An index of ``(id, names)`` pairs (clashes keep the first)."""
        index = cls()
        for key, names in entries:
            index.add(key, list(names))
        return index

    def add(self, key: str, names: list[str]) -> list[tuple[str, str]]:
        """Index ``key`` under its names; returns (name, other id) for names already taken."""
        clashes = []
        for name in [key] + names:
            folded = name.casefold()
            other = self.ids.get(folded)
            if other is not None and other != key:
                clashes.append((name, other))
            else:
                self.ids[folded] = key
        return clashes

    def find(self, text: str) -> str | None:
        return self.ids.get(text.strip().casefold())

    def hint(self, text: str) -> str:
        """'did you mean ...?' naming the ids behind the closest names, or ''."""
        folded = text.strip().casefold()
        if folded not in self._hints:
            self._hints[folded] = self._hint(folded)
        return self._hints[folded]

    def _hint(self, text: str) -> str:
        close = did_you_mean(text, self.ids)
        if not close:
            return ""
        names = [c.strip("'") for c in close[len("did you mean "):-1].split(" or ")]
        ids = sorted({self.ids[n] for n in names})
        return "did you mean " + " or ".join(f"'{i}'" for i in ids) + "?"

    def lookup(self, text: str) -> tuple[str | None, str]:
        """The id ``text`` names, or None and a hint."""
        found = self.find(text)
        return (found, "") if found else (None, self.hint(text))
