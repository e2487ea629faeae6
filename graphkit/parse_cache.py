"""A cache of the records read from each data file, keyed by the file's content, so that a
second build of unchanged data skips parsing and checking the files that did not change.

A file's entry is found under the SHA-256 of its text, its kind (actors or relations, YAML or
JSON Lines), the model's fingerprint and graphkit's own code; any change to one of them reads the
file again. The same text under another name (a copied folder, a git revision that ``graphkit
diff`` checks out) is found too, and its records and problems are renamed. What one file yields
on its own is cached (its records and its problems), and the warnings about names in its
quotes, under its text's key, its name and every actor's names; every other check across
records (references, duplicates, the documents) runs on every build. Builds keep their measures
here too, under the network's hash (:func:`graphkit.build.remembered`).

The cache is a folder of pickles: ``GRAPHKIT_CACHE`` names it (``off`` turns it off), by default
``$XDG_CACHE_HOME/graphkit`` or ``~/.cache/graphkit``. It is created private to the user, and a
folder another user could write to is not read (a pickle runs code when loaded). Entries are
written atomically, so concurrent builds share it safely; it keeps the ``KEEP`` entries used
last.

>>> import tempfile
>>> cache = ParseCache(Path(tempfile.mkdtemp()) / "c")
>>> key = cache.key("- id: x\\n", "actors.yaml", "model")
>>> cache.get(key) is None
True
>>> cache.put(key, ["record"]), cache.get(key)
(True, ['record'])
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

KEEP = 5_000  # entries: the least recently used beyond this are removed


class ParseCache:
    """Cached per-file results in ``folder`` (None: no cache; every ``get`` misses)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder if folder is not None and _usable(folder) else None
        self.hits = self.misses = 0

    @classmethod
    def default(cls) -> "ParseCache":
        """The cache ``GRAPHKIT_CACHE`` names, or the user's cache folder."""
        env = os.environ.get("GRAPHKIT_CACHE", "")
        if env.lower() in ("off", "0", "no", "false"):
            return cls(None)
        if env:
            return cls(Path(env))
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return cls(Path(base) / "graphkit")

    @staticmethod
    def key(text: str, kind: str, model: str) -> str:
        """The key of a file's ``text`` read as ``kind`` under the model ``model``."""
        h = hashlib.sha256()
        for part in (_code_fingerprint(), model, kind):
            h.update(part.encode("utf-8", "surrogatepass") + b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str):
        """The value stored under ``key``, or None."""
        if self.folder is None:
            return None
        path = self.folder / f"{key}.pickle"
        enabled = gc.isenabled()
        gc.disable()  # loading many small objects: the collector would run again and again
        try:
            with open(path, "rb") as fh:
                value = pickle.load(fh)
            os.utime(path)  # recently used
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                IndexError, TypeError, ValueError):
            self.misses += 1
            return None
        finally:
            if enabled:
                gc.enable()
        self.hits += 1
        return value

    def put(self, key: str, value) -> bool:
        """Store ``value`` under ``key``; whether it was stored (a failure to write only loses
        the cache entry)."""
        if self.folder is None:
            return False
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{key}.pickle")
        except OSError:
            return False
        return True

    def prune(self) -> None:
        """Remove the least recently used entries beyond ``KEEP``."""
        if self.folder is None:
            return
        try:
            entries = [e for e in os.scandir(self.folder) if e.name.endswith(".pickle")]
            if len(entries) <= KEEP:
                return
            entries.sort(key=lambda e: e.stat().st_mtime, reverse=True)
            for e in entries[KEEP:]:
                os.unlink(e.path)
        except OSError:
            return


def _usable(folder: Path) -> bool:
    """Whether ``folder`` exists or could be made, belongs to this user, and no one else may
    write to it."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A hash of graphkit's own modules: a new version (or an edited checkout) reads anew."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
