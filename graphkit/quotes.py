"""Checking that a quote occurs in its source document.

Comparison folds runs of white space to one space and typographic quotes and apostrophes to
plain ones, so a quote typed with straight quotes matches a source that uses curly ones; nothing
else is folded.

>>> normalise("ASEAN\u2019s  \u201cmiddle-man\u201d\\n role")
'ASEAN\\'s "middle-man" role'
>>> Documents(None).original("x.txt", "y") is None
True
"""

from __future__ import annotations

import re
from pathlib import Path

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                       "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                       "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    # str.split() splits on what re's \s matches (str.isspace); every folded character is
    # outside ASCII, so ASCII text skips the translation
    return " ".join((text if text.isascii() else text.translate(_FOLD)).split())


_CLASSES = {"'": "['\u2018\u2019\u201a\u201b\u2032]", '"': '["\u201c\u201d\u201e\u201f\u2033]'}


def _pattern(quote: str) -> re.Pattern:
    parts = []
    for ch in normalise(quote):
        if ch == " ":
            parts.append(r"\s+")
        else:
            parts.append(_CLASSES.get(ch, re.escape(ch)))
    return re.compile("".join(parts))


class Documents:
    """The folder of captured source texts, read once each, normalised for quote look-up."""

    def __init__(self, folder: Path | None, shown: str = ""):
        self.folder = folder
        self.shown = shown or str(folder)
        self._cache: dict[str, str | None] = {}
        self.faults: dict[str, str] = {}  # file -> why it could not be read

    @property
    def available(self) -> bool:
        return self.folder is not None and self.folder.is_dir()

    def inside(self, file: str) -> bool:
        """Whether ``file`` names a file inside the documents folder (no '..', no absolute
        path, no link out of it)."""
        if self.folder is None or not file or Path(file).is_absolute():
            return False
        try:
            (self.folder / file).resolve().relative_to(self.folder.resolve())
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def _raw(self, file: str) -> str | None:
        from .safe_read import read_text

        if not self.inside(file):
            return None
        text, problems = read_text(self.folder / file, f"{self.shown}/{file}")
        if problems:
            self.faults[file] = problems[0].message
        return text

    def text(self, file: str) -> str | None:
        if file not in self._cache:
            raw = self._raw(file)
            self._cache[file] = normalise(raw) if raw is not None else None
        return self._cache[file]

    def contains(self, file: str, quote: str) -> bool:
        text = self.text(file)
        return text is not None and normalise(quote) in text

    def original(self, file: str, quote: str) -> str | None:
        """The passage as the document writes it (its own quote marks), spaces folded."""
        raw = self._raw(file) if self.folder is not None else None
        if raw is None:
            return None
        match = _pattern(quote).search(raw)
        return _SPACE.sub(" ", match.group(0)) if match else None
