"""Warnings about how a citation supports its claim: a quote that names none of the relation's
participants, and a source title that looks copied from its address.

Neither makes a claim false, so both are warnings; the shipped data has none. A quote that
states its claim without naming a participant ("the grouping", "the bloc") is marked
``implicit: true`` with a note saying why.

>>> names = NameMatcher(["Democratic People's Republic of Korea", "DPRK", "North Korea"])
>>> names.in_text("Pyongyang's envoy met North Korean officials"), names.in_text("the DPRK")
(True, True)
>>> names.in_text("the dprk's tests"), names.in_text("a pdprk")
(False, False)
>>> address_like("[display display w3p]"), address_like("ASEAN and the UN")
(True, False)
"""

from __future__ import annotations

import re

from .quotes import normalise

_ACRONYM = re.compile(r"^[A-Z0-9&+\-]{2,5}$")


class NameMatcher:
    """Tells whether a text names an actor by any of its names.

    A name matches at the start of a word and may go on ("Indonesia" in "Indonesian", "Korea"
    in "Korean"); an acronym of five letters or fewer matches only as a whole word in its own
    case ("US" is not "us", "ARF" is not "ARFs'" prefix of something else).
    """

    def __init__(self, names: list[str]) -> None:
        words, acronyms = set(), set()
        for name in {normalise(n) for n in names if n and len(n.strip()) >= 2}:
            if _ACRONYM.match(name):
                acronyms.add(name)
            else:
                words.add(name.casefold())
        # plain string search, not one compiled pattern per actor: compiling 10,000 patterns
        # took 7 s of a 10,000-actor build
        self._words, self._acronyms = sorted(words), sorted(acronyms)

    def in_text(self, text: str) -> bool:
        text = normalise(text)
        return self.in_normalised(text, text.casefold())

    def in_normalised(self, text: str, folded: str) -> bool:
        """:meth:`in_text` of a text already normalised, and its casefold."""
        return (any(_found(folded, w, _word_end) for w in self._words)
                or any(_found(text, a, _acronym_end) for a in self._acronyms))


def _word_end(text: str, end: int) -> bool:
    return True


def _acronym_end(text: str, end: int) -> bool:
    return end >= len(text) or not ("A" <= text[end] <= "Z" or "a" <= text[end] <= "z")


def _found(text: str, name: str, ends_well) -> bool:
    """Whether ``name`` occurs in ``text`` at the start of a word and ``ends_well`` there."""
    at = text.find(name)
    while at >= 0:
        if (at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")) \
                and ends_well(text, at + len(name)):
            return True
        at = text.find(name, at + 1)
    return False


_RANDOM_TOKEN = re.compile(r"(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[0-9])[a-z0-9]{12,}")
_ADDRESS_BITS = re.compile(r"https?:|www\.|\.(?:html?|php|aspx?|jsp|cfm)\b", re.I)


def address_like(title: str) -> bool:
    """A title that looks copied from a URL rather than read off the document: wholly in
    square brackets, holding an address or a file name, or a random-looking token."""
    t = title.strip()
    return ((t.startswith("[") and t.endswith("]")) or bool(_ADDRESS_BITS.search(t))
            or bool(_RANDOM_TOKEN.search(t.casefold())) or not re.search(r"[^\W\d_]", t))
