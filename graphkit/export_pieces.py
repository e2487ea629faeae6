"""The exports in pieces: a build copies what did not change from the exports it wrote last.

The sorted triples are cut into chunks of whole subjects (:func:`chunk_starts`): a subject
begins a chunk when the CRC-32 of its IRI is a multiple of ``CHUNK_EVERY`` (about one subject
in 64), and at the borders of the actors' run and of the ontology's terms. The cut depends on
the subjects alone, so a new triple changes its own chunk and no other. Each chunk is named by
the SHA-256 of its N-Triples (:func:`digest`); its Turtle and its JSON-LD depend on those
bytes alone (the Turtle of whole subjects, the JSON-LD's one node a subject), so the pieces of a
chunk found in the previous graph.ttl and graph.jsonld are those the build would write again.

After a build, :class:`PieceStore` keeps where each chunk's pieces lie in the files it wrote
(offset, length and CRC-32 of each), beside the build stamps in the parsed-data cache's folder
(``GRAPHKIT_CACHE``; ``off`` keeps none). The next build into that folder reads a piece from
there only if the file is still the one written (size, modification time and inode), the
code and the libraries that shaped it are the same, and the piece's CRC-32 still matches;
anything else is written anew. At 10,000 actors a build whose relations did not change
writes again only the chunks of the actors whose measures moved.

>>> from graphkit.namespaces import ACTOR
>>> triples = [(ACTOR + f"a{i}", "p", "o") for i in range(200)]
>>> starts = chunk_starts(triples)
>>> starts[0], len(starts) > 1, starts == sorted(set(starts))
(0, True, True)
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from bisect import bisect_left
from itertools import compress, islice, repeat
from operator import and_, itemgetter, ne, not_
from pathlib import Path
from typing import BinaryIO, Sequence
from zlib import crc32

from .namespaces import ACTOR, GK

CHUNK_EVERY = 64  # subjects: a chunk holds about this many (a power of two)


def chunk_starts(triples, start: int = 0, stop: int | None = None) -> list[int]:
    """Where each chunk of ``triples[start:stop]`` (in N-Triples order) begins: at ``start``,
    then at each subject whose IRI's CRC-32 is a multiple of ``CHUNK_EVERY``, and where the
    actors' run and the ontology's terms begin and end. The subjects' changes and their CRCs
    are found by C loops over the triples (1.25 million at 10,000 actors)."""
    stop = len(triples) if stop is None else min(stop, len(triples))
    if start >= stop:
        return []
    subjects = list(map(itemgetter(0), triples[start:stop]))
    changes = list(compress(range(1, len(subjects)),
                            map(ne, islice(subjects, 1, None), subjects)))
    crcs = map(crc32, map(str.encode, map(subjects.__getitem__, changes)))
    cuts = compress(changes, map(not_, map(and_, crcs, repeat(CHUNK_EVERY - 1))))
    borders = (bisect_left(triples, "<" + prefix, start, stop, key=_line_start)
               for prefix in _BORDERS)
    return sorted({start, *(start + k for k in cuts), *(b for b in borders if start < b < stop)})


def _line_start(triple) -> str:
    """How a triple's N-Triples line begins: its subject, enclosed (sorts as the line does
    against the start of another subject)."""
    return "<" + triple[0] + ">"


def _after(prefix: str) -> str:
    """The first string after every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


_BORDERS = (ACTOR, _after(ACTOR), GK, _after(GK))


def middle_run(lines: Sequence[str]) -> tuple[int, int]:
    """Where the subjects between the actors and the ontology's terms begin and end in sorted
    N-Triples ``lines`` (the relations, citations, issues and sources): two chunk borders."""
    start = bisect_left(lines, "<" + _after(ACTOR))
    return start, bisect_left(lines, "<" + GK, start)


def digest(ntriples: bytes) -> bytes:
    """A chunk's name: the SHA-256 of its N-Triples."""
    return hashlib.sha256(ntriples).digest()


class Pieces:
    """Pieces of a file by chunk name: ``read(name)`` gives a piece's bytes, or None if the
    file does not hold it (or no longer holds it as indexed: its CRC-32 differs)."""

    def __init__(self, file: BinaryIO | None = None,
                 index: dict[bytes, tuple[int, int, int | None]] | None = None) -> None:
        self.file = file
        self.index = index if index is not None else {}

    def __contains__(self, name: bytes) -> bool:
        return name in self.index

    def read(self, name: bytes) -> bytes | None:
        found = self.index.get(name)
        if found is None or self.file is None:
            return None
        offset, length, check = found
        try:
            self.file.seek(offset)
            data = self.file.read(length)
        except OSError:
            return None
        if len(data) != length or check is not None and crc32(data) != check:
            return None
        return data

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def first_found(found: list[Pieces | None], name: bytes) -> bytes | None:
    """The piece named ``name`` from the first of ``found`` that holds it, if any."""
    for pieces in found:
        piece = pieces.read(name) if pieces is not None else None
        if piece is not None:
            return piece
    return None


class PieceWriter:
    """Pieces written one after another into ``out`` (where ``at`` bytes already stand),
    indexed as :class:`Pieces` reads them (with their CRC-32 if ``check``)."""

    def __init__(self, out: BinaryIO, at: int = 0, check: bool = True) -> None:
        self.out, self.at, self.check = out, at, check
        self.index: dict[bytes, tuple[int, int, int | None]] = {}

    def add(self, name: bytes, piece: bytes) -> None:
        self.index[name] = (self.at, len(piece), crc32(piece) if self.check else None)
        self.put(piece)

    def put(self, data: bytes) -> None:
        """Write what no piece is (a separator)."""
        self.out.write(data)
        self.at += len(data)


class PieceStore:
    """The pieces index of the exports last written into ``out``, kept in ``folder`` (None:
    none is kept, nothing is reused).

    >>> import tempfile
    >>> out, keep = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> _ = (out / "graph.ttl").write_bytes(b"abcdef")
    >>> store = PieceStore(out, keep)
    >>> store.save({"graph.ttl": {b"n": (2, 3, crc32(b"cde"))}})
    >>> store.found["graph.ttl"].read(b"n")
    b'cde'
    >>> store.close()
    >>> _ = (out / "graph.ttl").write_bytes(b"abXdef")  # changed since: not reused
    >>> store.open()
    {}
    """

    def __init__(self, out: Path, folder: Path | None) -> None:
        self.out = Path(out)
        self.folder = folder
        self._found: dict[str, Pieces] | None = None

    @property
    def found(self) -> dict[str, Pieces]:
        """What :meth:`open` gives, opened once (:meth:`close` closes the files)."""
        if self._found is None:
            self._found = self.open()
        return self._found

    def close(self) -> None:
        for pieces in (self._found or {}).values():
            pieces.close()
        self._found = None

    @classmethod
    def default(cls, out: Path) -> "PieceStore":
        """Beside the build stamps (:class:`graphkit.build_stamp.Stamps`)."""
        from .build_stamp import Stamps

        stamps = Stamps.default()
        return cls(out, stamps.folder)

    def _path(self) -> Path:
        from .build_stamp import out_file

        return out_file(self.folder, self.out, ".pieces")

    def open(self) -> dict[str, Pieces]:
        """The previous exports' pieces, by file name, for the files still as indexed."""
        if self.folder is None:
            return {}
        try:
            with open(self._path(), "rb") as fh:
                kept = pickle.load(fh)
            if kept.get("fingerprint") != fingerprint():
                return {}
        except (OSError, ValueError, KeyError, TypeError, EOFError, pickle.UnpicklingError,
                AttributeError):
            return {}
        found: dict[str, Pieces] = {}
        try:
            for name, (state, index) in kept["files"].items():
                fh = open(self.out / name, "rb")
                found[name] = Pieces(fh, index)
                if _state(os.fstat(fh.fileno())) != state:
                    found.pop(name).close()
        except (OSError, ValueError, KeyError, TypeError):
            for pieces in found.values():
                pieces.close()
            return {}
        return found

    def save(self, index: dict[str, dict[bytes, tuple[int, int, int]]]) -> None:
        """Keep ``index`` (file name -> chunk name -> offset, length, CRC-32) for the files
        just written into ``out``; a failure to keep it only loses the reuse."""
        if self.folder is None:
            return
        try:
            files = {name: (_state(os.stat(self.out / name)), pieces)
                     for name, pieces in index.items()}
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"fingerprint": fingerprint(), "files": files}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path())
        except OSError:
            return

def _state(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_size, info.st_mtime_ns, info.st_ino


def fingerprint() -> str:
    """What shapes a piece besides its N-Triples: graphkit's code, Python, pyoxigraph."""
    from .build_stamp import versions
    from .parse_cache import _code_fingerprint

    return f"{_code_fingerprint()} {sys.version} {versions(('pyoxigraph',))}"
