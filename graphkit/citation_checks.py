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
        words, acronyms = [], []
        for name in {normalise(n) for n in names if n and len(n.strip()) >= 2}:
            if _ACRONYM.match(name):
                acronyms.append(re.escape(name))
            else:
                words.append(re.escape(name.casefold()))
        self._words = re.compile(r"(?<!\w)(?:" + "|".join(sorted(words)) + ")") if words else None
        self._acronyms = (re.compile(r"(?<!\w)(?:" + "|".join(sorted(acronyms)) + r")(?![A-Za-z])")
                          if acronyms else None)

    def in_text(self, text: str) -> bool:
        text = normalise(text)
        return bool((self._words and self._words.search(text.casefold()))
                    or (self._acronyms and self._acronyms.search(text)))


_RANDOM_TOKEN = re.compile(r"(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[0-9])[a-z0-9]{12,}")
_ADDRESS_BITS = re.compile(r"https?:|www\.|\.(?:html?|php|aspx?|jsp|cfm)\b", re.I)


def address_like(title: str) -> bool:
    """A title that looks copied from a URL rather than read off the document: wholly in
    square brackets, holding an address or a file name, or a random-looking token."""
    t = title.strip()
    return ((t.startswith("[") and t.endswith("]")) or bool(_ADDRESS_BITS.search(t))
            or bool(_RANDOM_TOKEN.search(t.casefold())) or not re.search(r"[^\W\d_]", t))
