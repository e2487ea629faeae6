"""The JSON-LD of the graph's largest run of subjects, made by a new process from its lines.

Between the actors and the ontology's terms lie the relations, citations, issues and sources:
most of the graph, and nothing the measures change (:func:`graphkit.export_pieces.middle_run`).
From 2 million triples their N-Triples lie in a scratch file once the triples are ordered
(:mod:`graphkit.nt_lines`). There, :class:`JsonLdLines` starts a new Python process (not a
fork: a fork keeps the original of every page the build changes while it lives, 2.5 GB at
100,000 actors) that reads those lines, names each chunk (the SHA-256 of its N-Triples, which
the build would otherwise compute itself), then makes the chunks' JSON-LD pieces from the last
one backwards, while the build makes them from the first one on. Each side takes a chunk before
making it (:class:`graphkit.claims.Claims`); where they meet, the build takes the rest from the
process's file.

:func:`jsonld_piece_of_lines` gives, from a chunk's N-Triples, the very bytes
:func:`graphkit.exports.jsonld_piece` gives from its triples.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import tempfile
from array import array
from json.encoder import encode_basestring as _json
from typing import BinaryIO, Iterator, Sequence

from .claims import Claims
from .export_pieces import Pieces, digest
from .forks import graphkit_process
from .exports import RDF_TYPE, _COMPACT, _compact, jsonld_nodes

_TYPE = f"<{RDF_TYPE}>"
#: characters N-Triples leaves as they are and JSON escapes (all below 0x20 but the line break,
#: which N-Triples escapes as JSON does): a literal holding one is unescaped and encoded again
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_ESCAPED = re.compile(r"\\(.)")
_UNESCAPE = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _iri(token: str) -> str:
    """The JSON text of an IRI written ``<iri>`` in N-Triples, compacted as the export does."""
    iri = token[1:-1]
    return _json(_COMPACT.get(iri) or _compact(iri))


def _literal(term: str) -> str:
    """The JSON-LD value of an N-Triples literal followed by its `` .``."""
    quote = term.rindex('"')
    body, tail = term[1:quote], term[quote + 1:-2]
    # N-Triples escapes a backslash, a quote, a line break and a carriage return as JSON does
    text = ('"' + body + '"' if body.isprintable() or not _CONTROL.search(body)
            else _json(_ESCAPED.sub(lambda m: _UNESCAPE.get(m[1], m[0]), body)))
    if not tail:
        return text
    if tail[0] == "@":
        return '{"@language": ' + _json(tail[1:]) + ', "@value": ' + text + "}"
    return '{"@type": ' + _iri(tail[2:]) + ', "@value": ' + text + "}"


def jsonld_piece_of_lines(ntriples: bytes, memo: tuple[dict, dict] | None = None) -> bytes:
    """The JSON-LD piece of a chunk from its N-Triples (whole subjects, in N-Triples order, as
    :mod:`graphkit.exports` writes them): what :func:`graphkit.exports.jsonld_piece` makes
    from the chunk's triples (:func:`graphkit.exports.jsonld_nodes` serves both). ``memo``
    keeps, from one call to the next, the JSON text of each IRI object (the first 200,000)
    and of each class, and the key of each predicate.

    >>> jsonld_piece_of_lines(b'<https://w3id.org/graphkit/id/actor/a> <http://www.w3.org/2000/01/rdf-schema#label> "A\\\\"\\tB"@en .\\n')
    b'{"@id": "actor:a", "rdfs:label": [{"@language": "en", "@value": "A\\\\"\\\\tB"}]}'
    """
    ids, keys = memo if memo is not None else ({}, {})
    return jsonld_nodes(_line_values(ntriples.decode("utf-8"), ids, keys), _TYPE, _subject,
                        _key_name, keys)


def _line_values(text: str, ids: dict, keys: dict) -> Iterator[tuple[str, str, str]]:
    """Each line of ``text`` as (subject, predicate, the object's JSON-LD text), their terms
    as N-Triples writes them, for :func:`graphkit.exports.jsonld_nodes`. An IRI object's text
    is kept in ``ids``, a class's (for ``rdf:type``) in ``keys`` with the predicates' keys (a
    predicate's term ends with ``>``, an object's with its `` .``: the two never meet)."""
    for line in text.split("\n")[:-1]:
        s, p, o = line.split(" ", 2)  # no IRI holds a space; the object keeps its " ."
        if p == _TYPE:
            value = keys.get(o)
            if value is None:
                value = keys[o] = _iri(o[:-2])
        elif o[0] == "<":
            value = ids.get(o)
            if value is None:
                value = '{"@id": ' + _iri(o[:-2]) + "}"
                if len(ids) < 200_000:
                    ids[o] = value
        else:
            value = _literal(o)
        yield s, p, value


def _subject(token: str) -> str:
    """The JSON text of a subject's ``@id``: compacted, not kept (each subject comes once)."""
    return _json(_compact(token[1:-1], keep=False))


def _key_name(token: str) -> str:
    return _compact(token[1:-1])


def serve(argv: Sequence[str]) -> None:  # pragma: no cover (runs in the helper process)
    """The helper process's job (:class:`JsonLdLines`). ``argv``: the file descriptors of the
    lines, the claims, the chunks' lengths (int64 each), the names and the pieces, then where
    the run begins in the lines' file. Writes each chunk's name into
    the names file, says ``n`` on the standard output, makes the pieces from the last chunk
    backwards into the pieces file while the claims allow, then appends their index (chunk,
    offset, length; int64 each) and says ``d``."""
    source, claimed, sizes, names_fd, pieces_fd = map(int, argv[:5])
    begin = int(argv[5])
    lengths = array("q")
    with os.fdopen(sizes, "rb") as fh:
        lengths.frombytes(fh.read())
    offsets = [begin]
    for length in lengths:
        offsets.append(offsets[-1] + length)
    claims = Claims(os.fdopen(claimed, "r+b"))
    names = os.fdopen(names_fd, "wb")
    for k in range(len(lengths)):
        names.write(digest(_read(source, offsets[k], lengths[k])))
    names.flush()
    os.write(1, b"n")
    index = array("q")
    at = 0
    memo: tuple[dict, dict] = ({}, {})
    with os.fdopen(pieces_fd, "wb") as out:
        for k in range(len(lengths) - 1, -1, -1):
            if not claims.take_back(k):
                break
            piece = jsonld_piece_of_lines(_read(source, offsets[k], lengths[k]), memo)
            out.write(piece)
            index.extend((k, at, len(piece)))
            at += len(piece)
        out.write(index.tobytes())
        out.write(struct.pack("<q", len(index)))
    os.write(1, b"d")


def _read(fd: int, at: int, length: int) -> bytes:
    from .nt_lines import _pread

    return _pread(fd, length, at)


def lines_process_can_run() -> bool:
    """Whether :class:`JsonLdLines` can run here: file descriptors passed to a new process
    (POSIX), and a second core for it."""
    return os.name == "posix" and (os.cpu_count() or 1) > 1


class JsonLdLines(Pieces):
    """The JSON-LD pieces of the run's chunks, made by :func:`serve` in a new process from
    ``file`` (the lines' scratch file), where chunk ``k`` lies at ``begin + sum(lengths[:k])``.
    The build takes chunk ``first`` (and each after it) with :meth:`take` before making it
    (``first``: those it made already). Read as :class:`Pieces` once :meth:`names` gave the
    chunks' names: a chunk the process made, past the build's last, is read from its file (the
    first read waits for it to end). A process that failed made nothing: the build makes the
    pieces, only the time differs."""

    def __init__(self, file: BinaryIO, begin: int, lengths: Sequence[int], first: int = 0
                 ) -> None:
        super().__init__()
        self.count = len(lengths)
        self.claims = Claims.new(self.count, first)
        self.named = tempfile.TemporaryFile()
        self.made = tempfile.TemporaryFile()
        self.next = first  # the first chunk the build has not taken
        self.last: int | None = None  # the build's last chunk, once the process had the next
        self.failed = False
        self.known: list[bytes] | None = None
        self.positions: dict[bytes, int] = {}
        self.error = tempfile.TemporaryFile()
        with tempfile.TemporaryFile() as sizes:  # a file: a pipe would hold this process
            sizes.write(array("q", lengths).tobytes())  # until the other one has started
            sizes.flush()
            sizes.seek(0)
            fds = [file.fileno(), self.claims.fileno(), sizes.fileno(), self.named.fileno(),
                   self.made.fileno()]
            self.process = graphkit_process(
                "import sys; from graphkit.jsonld_lines import serve; serve(sys.argv[1:])",
                [*map(str, fds), str(begin)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=self.error, pass_fds=fds)
        self.said = b""

    def _hear(self, what: bytes) -> bool:
        """Wait until the process says ``what`` (or ends); whether it said it."""
        while what not in self.said:
            data = os.read(self.process.stdout.fileno(), 16)
            if not data:
                return False
            self.said += data
        return True

    def names(self) -> list[bytes]:
        """The chunks' names, in order (waits for them); none where the process failed."""
        if self.known is None:
            self.known = []
            if not self.failed and self._hear(b"n"):
                self.named.seek(0)
                data = self.named.read()
                if len(data) == 32 * self.count:
                    self.known = [data[at:at + 32] for at in range(0, len(data), 32)]
            self.failed = not self.known
            self.positions = {name: k for k, name in enumerate(self.known)}
        return self.known

    def take(self, k: int) -> bool:
        """Whether the build makes chunk ``k`` (taken now, if not already): every chunk up to
        the first one the process had taken too, none after it."""
        if self.last is not None:
            return k <= self.last
        if k >= self.next:
            self.next = k + 1
            if not self.claims.take_front(k):
                self.last = k
        return True

    def __contains__(self, name: bytes) -> bool:
        """Whether the process made, or is making, the chunk named ``name`` (as far as seen
        now: it may take more)."""
        k = self.positions.get(name)
        if k is None or self.failed:
            return False
        return k > self.last if self.last is not None else k >= self.claims.back

    def read(self, name: bytes) -> bytes | None:
        k = self.positions.get(name)
        if k is None or self.take(k) or self.file is None and not self._finished():
            return None
        return super().read(name)

    def _finished(self) -> bool:
        """Wait for the process's end and read its index; whether it made its pieces."""
        if not self.failed and (not self._hear(b"d") or self.process.wait() != 0):
            self.failed = True
        if self.failed:
            return False
        self.made.seek(-8, os.SEEK_END)
        entries = struct.unpack("<q", self.made.read(8))[0]
        self.made.seek(-8 - 8 * entries, os.SEEK_END)
        index = array("q")
        index.frombytes(self.made.read(8 * entries))
        self.index = {self.known[k]: (at, length, None)
                      for k, at, length in zip(index[::3], index[1::3], index[2::3])}
        self.file = self.made
        return True

    def failure(self) -> str:
        """What the process said on its standard error (empty where it said nothing)."""
        self.error.seek(0)
        return self.error.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """End the process if it still runs; close its files."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        for file in (self.named, self.made, self.error):
            file.close()
        self.claims.close()
        self.file = None
