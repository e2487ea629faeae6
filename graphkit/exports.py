"""Deterministic serialisations of the graph, written atomically.

Every format is written from the triples in N-Triples line order (:func:`graphkit.to_rdf.canonical`):
N-Triples as the sorted lines; Turtle by pyoxigraph from those lines (rdflib's serialisers are
10-30x slower and order by hash); JSON-LD as compacted, flattened JSON-LD with the project's
context inlined, one subject per line. The same data gives the same bytes.

Files are streamed to temporary names beside their targets and moved into place only when all are
written (:class:`Staging`), so a failure leaves the previous exports untouched. The graph is
written in chunks of whole subjects (:mod:`graphkit.export_pieces`): the Turtle and JSON-LD of a
chunk the previous build wrote are copied from its files. Where much Turtle is left to write,
another Python process (:class:`TurtleProcess`) writes most of it while this one writes the
JSON-LD, then the Turtle of the rest; where much JSON-LD is left, a forked process
(:class:`JsonLdProcess`) makes the last of it meanwhile.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import tempfile
from bisect import bisect_left
from functools import lru_cache
from json.encoder import encode_basestring as _json  # a str as JSON, as json.dumps writes it
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Sequence
from zlib import crc32

import pyoxigraph as ox

from .export_pieces import (PieceStore, Pieces, PieceWriter, chunk_starts, digest,
                            first_found, middle_run)
from .files import shipped
from .forks import can_fork, graphkit_process, in_child_steps, stop
from .namespaces import ACTOR, PREFIXES
from .nt_lines import NTLines, nt_data

CONTEXT_FILE = shipped("ontology") / "context.jsonld"
XSD_STRING = PREFIXES["xsd"] + "string"
RDF_TYPE = PREFIXES["rdf"] + "type"
FORMATS = {"ttl": "graph.ttl", "nt": "graph.nt", "jsonld": "graph.jsonld"}
PARALLEL_FROM = 200_000  # triples; below this all exports take well under a second
#: the JSON-LD's time a triple against the Turtle's (at 10,000 actors 4.2 s and 4.7 s, then
#: 2.9 to 4.0 s and 3.8 to 4.2 s on a slower machine; at 100,000 actors 27.8 s for the 7.9
#: million triples left against 3.1 microseconds a triple of Turtle, 1.13): where this
#: process's own work is more than the Turtle left, a fork takes some of the JSON-LD
#: (:func:`fork_share`)
JSONLD_COST = 1.0
#: the time a triple of the graph takes this process in the write stage besides the JSON-LD
#: and the Turtle, against the Turtle's: the N-Triples written
#: (at 100,000 actors read back from the scratch file, 4.7 s), the table and the map (0.7 s):
#: 0.14 there, 0.05 at 10,000 actors (in memory). 0.2 also makes up for the JSON-LD left at
#: 100,000 actors, mostly the actors' measures, costing more than ``JSONLD_COST`` (1.13): the
#: two processes then end within about a second of each other; left out, this one ended 15 s
#: after the helper.
WRITE_COST = 0.2
#: triples: a forked process makes the JSON-LD of a share this large or larger (a fork of the
#: build's process costs it a tenth of a second or more, at 100,000 actors)
JSONLD_FORK_FROM = 100_000
#: triples: no forked process makes JSON-LD for a graph this large or larger. A fork keeps the
#: original of each page this process changes while the fork lives, and copies each page it
#: reads: at 100,000 actors (12.5 million triples) about 2.5 GB, and 10 to 16 s more system
#: time. First builds with a fork, against none, in turns: 3% faster at 1.25 million triples
#: (8.59 against 8.78 s), even at 5 million (35.2 and 35.4 s against 35.2 and 37.2 s), 3 to 7%
#: slower at 12.5 million (93.1 and 98.4 s against 90.8 and 91.5 s), the peak then 5.7 GB
#: instead of 5.8 to 6.5 GB (bench/README.md, "What a fork holds at 100k").
JSONLD_FORK_BELOW = 4_000_000
_PREFIX_ORDER = {f"@prefix {p}: <{ns}> .".encode(): i for i, (p, ns) in enumerate(PREFIXES.items())}


def forks_jsonld(triples: int) -> bool:
    """Whether a forked process may make some of the JSON-LD of a graph of ``triples``
    (:data:`JSONLD_FORK_BELOW`, and a system that forks).

    >>> forks_jsonld(JSONLD_FORK_BELOW)
    False
    """
    return triples < JSONLD_FORK_BELOW and can_fork()


def write_ntriples(lines: Sequence[str], out: BinaryIO, start: int = 0,
                   stop: int | None = None) -> None:
    """N-Triples, one triple a line, in the given (sorted) order (of ``lines[start:stop]``)."""
    stop = len(lines) if stop is None else stop
    for at in range(start, stop, 50_000):
        out.write(nt_data(lines, at, min(at + 50_000, stop)))


def turtle_body(ntriples: bytes) -> bytes:
    """pyoxigraph's Turtle of N-Triples (of whole subjects), without the prefixes: subjects
    grouped, in the given order. The Turtle of a subject's triples depends on them alone, so the
    bodies of consecutive runs of subjects make the body of all of them.

    >>> turtle_body(b'<https://w3id.org/graphkit/id/actor/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\\n')
    b'actor:a rdfs:label "A" .\\n'
    """
    data = ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    at = 0
    while data.startswith(b"@prefix ", at):  # pyoxigraph writes them all, in no fixed order
        at = data.index(b"\n", at) + 1
    return data[at:]


@lru_cache(maxsize=1)
def turtle_header() -> bytes:
    """The project's prefixes as pyoxigraph writes them, in a fixed order, then a blank line."""
    probe = f"<{ACTOR}x> <{RDF_TYPE}> <{ACTOR}y> .\n".encode()
    data = ox.serialize(ox.parse(probe, format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    head = [line for line in data.split(b"\n") if line.startswith(b"@prefix ")]
    head.sort(key=lambda line: _PREFIX_ORDER.get(line, len(_PREFIX_ORDER)))
    return b"\n".join(head) + b"\n\n"


def turtle(lines: Sequence[str]) -> bytes:
    """The Turtle of sorted N-Triples lines, in memory: the prefixes, then the subjects."""
    return turtle_header() + (turtle_body(nt_data(lines)) if lines else b"")


def turtle_pieces(ntriples_file: str, target: str, lengths_file: str, claimed: str = "",
                  headed: str = "") -> None:
    """The helper process's job (:class:`TurtleProcess`): the Turtle body of each byte range
    of the N-Triples file that its standard input names (a line ``offset length`` each, sent
    once the file holds it, while the rest is being written), one after another into
    ``target`` (after the prefixes, :func:`turtle_header`, if ``headed``: the Turtle file
    itself); their lengths and CRC-32s written into ``lengths_file``, as JSON, once the input ends (a
    file, not the standard output: a pipe may take a large answer in part, under a profiler
    for one). A thread reads the ranges as they come, so the writer never waits for this one.
    ``claimed``: the descriptor of :class:`graphkit.claims.Claims` shared with the build,
    which takes the ranges from the last one: this one takes them from the first, and ends
    where the two meet."""
    import queue
    import threading

    from .claims import Claims

    asked: queue.SimpleQueue = queue.SimpleQueue()

    def listen() -> None:  # unbuffered reads: a buffered stdin would hold a lock at exit
        rest = b""
        try:
            while data := os.read(0, 1 << 16):
                *lines, rest = (rest + data).split(b"\n")
                for line in lines:
                    asked.put(line)
        finally:
            asked.put(None)

    claims = Claims(os.fdopen(int(claimed), "r+b")) if claimed else None
    lengths: list[tuple[int, int]] = []
    with open(ntriples_file, "rb") as source, open(target, "wb") as out:
        if headed:
            out.write(turtle_header())
        threading.Thread(target=listen, daemon=True).start()
        while (line := asked.get()) is not None:
            last = claims is not None and not claims.take_front(len(lengths))
            offset, length = map(int, line.split())
            source.seek(offset)
            body = turtle_body(source.read(length))
            out.write(body)
            lengths.append((len(body), crc32(body)))
            if last:
                break
    with open(lengths_file, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(lengths))


def ntriples(lines: Sequence[str]) -> bytes:
    out = io.BytesIO()
    write_ntriples(lines, out)
    return out.getvalue()


def context() -> dict:
    """The JSON-LD context shipped in ``ontology/context.jsonld``."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


_BY_NAMESPACE = {ns: prefix for prefix, ns in PREFIXES.items()}


def _compact(iri: str, keep: bool = True) -> str:
    """``prefix:name`` for an IRI in one of the project's namespaces (kept once computed, unless
    not to ``keep``: the same predicates, classes and objects recur on every subject)."""
    found = _COMPACT.get(iri)
    if found is None:
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        prefix = _BY_NAMESPACE.get(iri[:cut])
        found = f"{prefix}:{iri[cut:]}" if prefix and cut < len(iri) else iri
        if keep and len(_COMPACT) < 1_000_000:
            _COMPACT[iri] = found
    return found


_COMPACT: dict[str, str] = {}


def write_jsonld(triples, out: BinaryIO, starts: list[int] | None = None,
                 names: list[bytes] | None = None, found: Iterable[Pieces] = ()
                 ) -> dict[bytes, tuple[int, int, int]]:
    """Compacted, flattened JSON-LD with the context inlined (works offline): one line per
    subject, in the order of ``triples`` (N-Triples order), so diffs stay readable. Written
    chunk by chunk (``starts``: :func:`graphkit.export_pieces.chunk_starts`); a chunk named in
    ``names`` whose piece one of ``found`` holds (the previous export's, those written while
    the measures ran) is copied from it. Returns where each named chunk's piece lies in the
    file (offset, length, CRC-32)."""
    head = ('{"@context": ' + json.dumps(context(), ensure_ascii=False, indent=1)
            + ',\n "@graph": [').encode("utf-8")
    starts = chunk_starts(triples) if starts is None else starts
    bounds = [*starts, len(triples)]
    found = list(found)
    memo: tuple[dict, dict] = ({}, {})
    pieces = PieceWriter(out)
    pieces.put(head)
    for k in range(len(starts)):
        piece = first_found(found, names[k]) if names is not None else None
        if piece is None:
            piece = jsonld_piece(triples, bounds[k], bounds[k + 1], memo)
        pieces.put(b",\n  " if k else b"\n  ")
        if names is not None:
            pieces.add(names[k], piece)
        else:
            pieces.put(piece)
    out.write(b"\n ]\n}\n")
    return pieces.index


def jsonld_piece(triples, start: int, stop: int, memo: tuple[dict, dict] | None = None
                 ) -> bytes:
    """The JSON-LD node of each subject of ``triples[start:stop]`` (whole subjects, in
    N-Triples order), a line each (:func:`jsonld_nodes`). ``memo`` keeps, from one call to the
    next, the text of ``{"@id": ...}`` of each IRI object and the key of each predicate: the
    same objects and predicates recur on many subjects.

    >>> from graphkit.to_rdf import Lit
    >>> jsonld_piece([(ACTOR + "a", PREFIXES["rdfs"] + "label", Lit("A", None, "en"))], 0, 1)
    b'{"@id": "actor:a", "rdfs:label": [{"@language": "en", "@value": "A"}]}'
    """
    ids, keys = memo if memo is not None else ({}, {})  # IRI -> {"@id": ...}; predicate -> key
    return jsonld_nodes(_triple_values(triples[start:stop], ids), RDF_TYPE, _subject_json,
                        _compact, keys)


def _triple_values(triples, ids: dict) -> Iterator[tuple[str, str, str]]:
    """Each triple as (subject, predicate, the object's JSON-LD text), for :func:`jsonld_nodes`
    (a class's text, for ``rdf:type``)."""
    compact, known = _compact, _COMPACT.get
    for s, p, o in triples:
        if p == RDF_TYPE:
            yield s, p, _json(known(o) or compact(o))
        elif o.__class__ is str:
            value = ids.get(o)
            if value is None:
                value = '{"@id": ' + _json(known(o) or compact(o)) + "}"
                if len(ids) < 1_000_000:
                    ids[o] = value
            yield s, p, value
        elif o.lang:
            yield s, p, '{"@language": ' + _json(o.lang) + ', "@value": ' + _json(o.value) + "}"
        elif o.datatype is None:
            yield s, p, _json(o.value)
        else:
            yield s, p, ('{"@type": ' + _json(known(o.datatype) or compact(o.datatype))
                         + ', "@value": ' + _json(o.value) + "}")


def _subject_json(iri: str) -> str:
    return _json(_COMPACT.get(iri) or _compact(iri))


def jsonld_nodes(rows: Iterable[tuple[str, str, str]], type_predicate: str,
                 subject_json: Callable[[str], str], key_name: Callable[[str], str],
                 keys: dict) -> bytes:
    """The JSON-LD node of each subject of ``rows`` (subject, predicate, the value's JSON
    text; in N-Triples order, whole subjects), a line each: what
    ``json.dumps(node, ensure_ascii=False, sort_keys=True)`` gives, written from the JSON text
    of each value instead of a dictionary encoded whole (this runs once per triple). In
    N-Triples order a subject's triples are side by side, and so are those of each of its
    predicates (their lines share ``<s> <p> `` and differ after it), so each key's values are
    gathered in one pass. The rows of ``type_predicate`` give the node's ``@type``;
    ``subject_json(s)`` gives the JSON text of a subject's ``@id``, ``key_name(p)`` the key of
    a predicate (kept in ``keys``). Serves both the triples (:func:`jsonld_piece`) and their
    N-Triples lines (:func:`graphkit.jsonld_lines.jsonld_piece_of_lines`).

    >>> jsonld_nodes([("a", "type", '"T"'), ("a", "p", '"1"'), ("a", "p", '"2"'), ("b", "q", "3")],
    ...              "type", lambda s: f'"{s}"', str.upper, {})
    b'{"@id": "a", "@type": ["T"], "P": ["1", "2"]},\\n  {"@id": "b", "Q": [3]}'
    """
    nodes: list[str] = []
    subject = predicate = key = None
    items: list[tuple[str, str]] = []  # the subject's (key, "key": [values]) so far
    types: list[str] = []
    values: list[str] = []  # the JSON texts of the current predicate's values
    for s, p, value in rows:
        if s != subject:
            if subject is not None:
                nodes.append(_jsonld_node(items, types, key, values))
            subject, predicate = s, None
            items = [("@id", '"@id": ' + subject_json(s))]
            types, values = [], []
        if p == type_predicate:
            types.append(value)
            continue
        if p == predicate:
            values.append(value)
            continue
        if values:
            items.append((key[0], key[1] + ": [" + ", ".join(values) + "]"))
        key = keys.get(p)
        if key is None:
            name = key_name(p)
            key = keys[p] = (name, _json(name))
        predicate, values = p, [value]
    if subject is not None:
        nodes.append(_jsonld_node(items, types, key, values))
    return ",\n  ".join(nodes).encode("utf-8")


def _jsonld_node(items: list[tuple[str, str]], types: list[str], key: tuple[str, str] | None,
                 values: list[str]) -> str:
    """A subject's JSON-LD node: its ``items`` so far, its ``types`` and the last predicate's
    ``values`` (under ``key``), in the order of their keys (as ``sort_keys`` puts them)."""
    if types:
        items.append(("@type", '"@type": [' + ", ".join(types) + "]"))
    if values:
        items.append((key[0], key[1] + ": [" + ", ".join(values) + "]"))
    items.sort()
    return "{" + ", ".join([text for _, text in items]) + "}"


class JsonLdAhead:
    """The JSON-LD pieces of the subjects no measure touches, written while the measures are
    computed, then, once they are in, by a forked process (:class:`JsonLdProcess`) while this
    one adds them to the graph and starts on the exports: the build's main process would
    otherwise wait for the measures, then write them alone while the machine's other core
    idles (2 s at 10,000 actors). For a graph of :data:`JSONLD_FORK_BELOW` triples or more the
    fork would copy more than it saves: there a new process makes the run's JSON-LD from its
    lines instead (:class:`graphkit.jsonld_lines.JsonLdLines`), from the last chunk backwards
    while this one goes on from the first. Those subjects are the relations,
    citations, issues and sources, most of the graph: in N-Triples order they lie between the
    actors (whose measures are added) and the ontology's terms (where the measures are
    declared), borders where a chunk always begins
    (:func:`graphkit.export_pieces.chunk_starts`). Each piece is named by its chunk's
    N-Triples, so :func:`write_jsonld` uses one only where that chunk is still there,
    unchanged, once the measures are added; chunks the previous export holds (``found``) are
    left to be copied from there.
    """

    def __init__(self, folder: Path, found: Pieces | None = None) -> None:
        self.folder = Path(folder)
        self.found = found if found is not None else Pieces()
        self.pieces = Pieces()  # the pieces written here, in a nameless file
        self.forked: JsonLdProcess | None = None  # those of the rest of the run, made by a fork
        self.lines = None  # or by a new process from the run's lines (jsonld_lines.JsonLdLines)
        self.count = 0  # the triples of the chunks looked at here (written, or found)
        self.run = (0, 0)  # where the run stood, and its chunks' starts and first subjects
        self.starts: list[int] = []
        self.heads: list[str] = []
        self.names: list[bytes] = []  # the names of the chunks looked at here, in order
        self.places: list[tuple[int, object, int]] = []  # where the run's bytes were

    def write(self, triples: list, lines: Sequence[str], done: Callable[[], bool]) -> None:
        """Write the pieces of the run's chunks from its start until ``done()`` (asked every 8
        chunks, about 500 subjects) or its end, whichever comes first, into a nameless file in
        the folder (in the system's temporary folder if it does not exist yet: a build that then
        fails leaves no folder behind). Another process shares the run where it holds
        :data:`JSONLD_FORK_FROM` triples or more and the chunks seen here were mostly made,
        not found in the previous export (:meth:`_shares`): a new one reading the run's lines
        from the 9th chunk on, where the graph is too large for a fork (:func:`forks_jsonld`);
        otherwise a fork of the rest of the run once ``done()``."""
        start, stop = middle_run(lines)
        if stop - start < 1_000:
            return
        starts = chunk_starts(triples, start, stop)
        self.run, self.starts = (start, stop), starts
        self.heads = [triples[k][0] for k in starts]
        self.places = _places(lines, start, stop)
        bounds = [*starts, stop]
        memo: tuple[dict, dict] = ({}, {})
        try:
            file = self._file()
            self.pieces = Pieces(file, {})
            written = PieceWriter(file, check=False)
            self.pieces.index = written.index
            k = made = 0
            while k < len(starts):
                if k % 8 == 0 and k:
                    if k == 8 and self._shares(bounds, k, made) and not forks_jsonld(len(lines)):
                        self._start_lines(lines, bounds, k)
                    if done():
                        break
                if self.lines is not None and not self.lines.take(k):
                    break  # the lines' process made the rest
                name = digest(nt_data(lines, bounds[k], bounds[k + 1]))
                self.names.append(name)
                if name not in self.found:
                    written.add(name, jsonld_piece(triples, bounds[k], bounds[k + 1], memo))
                    made += 1
                k += 1
                self.count = bounds[k] - start
            file.flush()
            if self._shares(bounds, k, made) and forks_jsonld(len(lines)):
                self.forked = JsonLdProcess(self._file(), triples, bounds,
                                            list(range(k, len(starts))), lines=lines,
                                            skip=self.found)
        except OSError:  # no room for it: the JSON-LD is written whole later (or says why not)
            self.close()

    def _shares(self, bounds: list[int], k: int, made: int) -> bool:
        """Whether another process should make JSON-LD of the run from chunk ``k`` on: where
        that much is left (:data:`JSONLD_FORK_FROM` triples) and the ``k`` chunks seen were
        mostly made, not found in the previous export (a rebuild finds nearly all: another
        process would only name them again)."""
        return self.lines is None and bounds[-1] - bounds[k] >= JSONLD_FORK_FROM and 2 * made >= k

    def _start_lines(self, lines: Sequence[str], bounds: list[int], k: int) -> None:
        """A new process (:class:`graphkit.jsonld_lines.JsonLdLines`) making the JSON-LD of the
        run's chunks from the last one backwards while this one makes them from chunk ``k``
        on, where the run's lines lie in one scratch file."""
        from .jsonld_lines import JsonLdLines, lines_process_can_run

        places = self.places
        if len(places) == 1 and not isinstance(places[0][1], bytes) and lines_process_can_run():
            offsets = [lines.offset(b) for b in bounds]
            self.lines = JsonLdLines(places[0][1], places[0][2],
                                     [b - a for a, b in zip(offsets, offsets[1:])], k)

    def _file(self) -> BinaryIO:
        return tempfile.TemporaryFile(dir=self.folder if self.folder.is_dir() else None)

    def written(self) -> list[Pieces]:
        """Where the pieces written are: here, and by the forked process."""
        return [self.pieces] + [p for p in (self.forked, self.lines) if p is not None]

    def chunks(self, triples: list, lines: Sequence[str]) -> list[int] | None:
        """The chunks' starts of the whole graph ``triples`` (:func:`chunk_starts`), those of
        the run taken from :meth:`write` (0.5 s of the 0.6 s at 10,000 actors) where the run
        still holds as many lines and each chunk's first subject begins where it did, moved by
        the lines added before the run; None where it does not (or nothing was written)."""
        start, stop = middle_run(lines)
        if not self.starts or stop - start != self.run[1] - self.run[0]:
            return None
        shift = start - self.run[0]
        for k, subject in zip(self.starts, self.heads):
            k += shift
            if triples[k][0] != subject or k > 0 and triples[k - 1][0] == subject:
                return None
        return [*chunk_starts(triples, 0, start), *(k + shift for k in self.starts),
                *chunk_starts(triples, stop)]

    def names_of(self, lines: Sequence[str], starts: list[int]) -> dict[int, bytes]:
        """The names :meth:`write` gave the run's chunks, by their index in ``starts`` (what
        :meth:`chunks` gave for the graph ``lines``), where ``lines`` holds the run's bytes
        where they were then (the measures merged in around the run refer to its bytes
        unchanged, so the names still hold: not digested twice, 2.3 GB at 100,000 actors);
        none otherwise."""
        start, stop = middle_run(lines)
        names = (self.lines.names() if self.lines is not None else []) or (
            self.names + (self.forked.names() if self.forked is not None else []))
        if not names or not self.places or _places(lines, start, stop) != self.places:
            return {}
        first = bisect_left(starts, start)
        return {first + j: name for j, name in enumerate(names)}

    def close(self) -> None:
        for other in (self.forked, self.lines):
            if other is not None:
                other.stop()
        self.forked = self.lines = None
        self.pieces.close()
        self.pieces = Pieces()
        self.count = 0
        self.starts, self.heads, self.names, self.places = [], [], [], []


def _places(lines: Sequence[str], start: int, stop: int) -> list[tuple[int, object, int]]:
    """Where the bytes of ``lines[start:stop]`` lie (length, buffer or file, offset: each run
    in one place whole, as :class:`NTLines` keeps them); empty for lines that are not
    :class:`NTLines`."""
    return list(lines.extents_of(start, stop)) if isinstance(lines, NTLines) else []


def jsonld(triples) -> bytes:
    out = io.BytesIO()
    write_jsonld(triples, out)
    return out.getvalue()


class Staging:
    """Files staged beside their targets, moved into place together by :meth:`commit`.

    Used as a context manager: if the block raises, every staged file is removed and no target
    is touched. Each file written is flushed to disk (``fsync``) by a thread while the next one
    is made (fsync lets other threads run: 0.45 s for the 245 MB of N-Triples at 10,000
    actors); :meth:`commit` waits for all of them first, and a failure there removes every
    staged file too.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.staged: list[tuple[Path, Path]] = []
        self._syncing: list = []  # futures of the files being flushed to disk
        self._syncer = None  # their thread, started with the first one

    def path(self, name: str) -> Path:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        self.staged.append((Path(tmp), self.folder / name))
        return Path(tmp)

    def write(self, name: str, writer: Callable[[BinaryIO], None]) -> Path:
        tmp = self.path(name)
        self.settle(tmp, writer, "wb")
        return tmp

    def settle(self, path: Path, writer: Callable[[BinaryIO], None], mode: str = "ab") -> None:
        """Open ``path`` (appending by default), let ``writer`` write into it, and have it
        flushed to disk and closed by the staging's thread."""
        fh = open(path, mode)
        try:
            writer(fh)
            fh.flush()
        except BaseException:
            fh.close()
            raise
        if self._syncer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._syncer = ThreadPoolExecutor(1, thread_name_prefix="graphkit-fsync")
        self._syncing.append(self._syncer.submit(_sync_and_close, fh))

    def _settled(self) -> None:
        """Wait for every file to be on disk; raise the first failure (OSError)."""
        failure = None
        for future in self._syncing:
            try:
                future.result()
            except BaseException as exc:  # noqa: BLE001 - the first one is raised below
                failure = failure or exc
        self._syncing.clear()
        if self._syncer is not None:
            self._syncer.shutdown()
            self._syncer = None
        if failure is not None:
            raise failure

    def _discard(self) -> None:
        for tmp, _ in self.staged:
            tmp.unlink(missing_ok=True)

    def __enter__(self) -> "Staging":
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            try:
                self._settled()
            except Exception:  # noqa: BLE001 - the block's own error is the one raised
                pass
            self._discard()

    def commit(self) -> list[Path]:
        try:
            self._settled()
        except BaseException:
            self._discard()
            raise
        for tmp, target in self.staged:
            if target.name.startswith("."):
                tmp.unlink(missing_ok=True)  # scratch files, not exports
                continue
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        return [target for _, target in self.staged if not target.name.startswith(".")]


def write_exports(folder: Path, triples, lines: Sequence[str], formats: Iterable[str] = FORMATS,
                  extra: dict[str, bytes] | None = None,
                  ahead: JsonLdAhead | None = None,
                  reuse: PieceStore | None = None) -> list[Path]:
    """Write the requested formats of the graph, and any ``extra`` files (name -> bytes, or a
    function returning them, called once the graph is written), into ``folder`` atomically;
    returns the paths written.

    The graph is written chunk by chunk (:mod:`graphkit.export_pieces`): the Turtle and JSON-LD
    of a chunk are copied from ``ahead`` (JSON-LD written while the measures ran) or from the
    previous exports ``reuse`` found, where they hold it, and written anew otherwise; ``reuse``
    then keeps where the new files' pieces lie. Where much Turtle is left to write, another
    Python process (:class:`TurtleProcess`) writes most of it while this one writes the JSON-LD.
    """
    formats = [f for f in FORMATS if f in set(formats)]
    found = reuse.found if reuse is not None else {}
    old_ttl = found.get(FORMATS["ttl"]) or Pieces()
    old_jsonld = found.get(FORMATS["jsonld"]) or Pieces()
    starts = ahead.chunks(triples, lines) if ahead is not None else None
    chunks = _Chunks(triples, lines, starts,
                     ahead.names_of(lines, starts) if starts is not None else None)
    index: dict[str, dict] = {}

    def jsonld(fh: BinaryIO) -> None:
        index[FORMATS["jsonld"]] = write_jsonld(
            triples, fh, chunks.starts, chunks.names,
            [old_jsonld, *(ahead.written() if ahead is not None else []), forked])

    def turtle_file(fh: BinaryIO) -> None:
        index[FORMATS["ttl"]] = chunks.write_turtle(fh, [mine, helped, old_ttl],
                                                    helped if whole else None)

    with Staging(folder) as stage:
        nt = stage.path(FORMATS["nt"] if "nt" in formats else ".scratch.nt")
        turtle = mine = helped = forked = None
        whole = False
        try:
            missing = ([k for k, name in enumerate(chunks.names) if name not in old_ttl]
                       if "ttl" in formats else [])
            holding = [old_jsonld, *(ahead.written() if ahead is not None else [])]
            left = ([k for k, name in enumerate(chunks.names)
                     if not any(name in pieces for pieces in holding)]
                    if "jsonld" in formats else [])
            # the Turtle's helper takes the Turtle left from its first chunk, where it is
            # much, and this process from the last once it has written all else; a fork
            # takes the last JSON-LD left where this process would still have the most
            to_help = chunks.size(missing) if chunks.size(missing) >= PARALLEL_FROM else 0
            jsonld_share = fork_share(
                to_help, chunks.size(left), len(lines) if "nt" in formats else 0) if (
                forks_jsonld(len(lines)) and chunks.size(left) >= PARALLEL_FROM) else 0
            # every chunk's Turtle to write: the helper writes the file itself, from its first
            whole = bool(to_help) and len(missing) == len(chunks.names)
            taken = (left[len(left) - chunks.cut(left[::-1], jsonld_share):]
                     if jsonld_share >= JSONLD_FORK_FROM else [])
            if "ttl" in formats:
                ttl = stage.path(FORMATS["ttl"])  # written last, listed in its place
            if to_help:  # started now: it reads each of its chunks as soon as the file holds it
                turtle = TurtleProcess(stage, nt, chunks, missing, ttl if whole else None)
            if taken:  # the last chunks left, made meanwhile
                forked = JsonLdProcess(open(stage.path(".jsonld-pieces"), "w+b"), triples,
                                       chunks.bounds, taken, chunks.names)
            if "nt" in formats or turtle is not None:
                stage.settle(nt, lambda fh: chunks.write(fh, turtle and turtle.written), "wb")
            if turtle is not None:
                turtle.all_written()
            if "jsonld" in formats:
                stage.write(FORMATS["jsonld"], jsonld)
            for name, data in sorted((extra or {}).items()):
                stage.write(name, lambda fh, data=data: fh.write(data() if callable(data) else data))
            if "ttl" in formats:
                mine = (turtle.rest(stage.path(".turtle-mine")) if turtle is not None
                        else chunks.turtle(missing, stage.path(".turtle-mine")))
                helped = turtle.wait() if turtle is not None else Pieces()
                stage.settle(ttl, turtle_file)
        finally:
            for helper in (turtle, forked):
                if helper is not None:
                    helper.stop()
            for pieces in (mine, helped):
                if pieces is not None:
                    pieces.close()
    written = stage.commit()
    if reuse is not None:
        reuse.save(index)
    return written


def fork_share(turtle: int, jsonld: int, ntriples: int) -> float:
    """How many of the ``jsonld`` triples whose JSON-LD is left a forked process
    (:class:`JsonLdProcess`) takes, for every process to end when this one does. The Turtle's
    helper (:class:`TurtleProcess`) and this process share the ``turtle`` triples whose Turtle
    is left, taking chunks from both ends (:class:`graphkit.claims.Claims`), so the two end
    together unless this process's own work (the JSON-LD, and the N-Triples of ``ntriples``
    with the rest of its work, :data:`WRITE_COST`) is more than the Turtle. Then the fork
    takes JSON-LD until this process has as much left as the Turtle's helper: three processes
    sharing two cores all end at once when the two largest shares are equal (the smallest
    runs beside both).

    >>> fork_share(1_000_000, 500_000, 1_000_000), fork_share(0, 2_000_000, 0)
    (0.0, 1000000.0)
    >>> fork_share(1_000_000, 2_000_000, 1_000_000)  # 1.1 M left here, and 1.1 M forked
    1100000.0
    """
    own = WRITE_COST * ntriples + JSONLD_COST * jsonld
    return 0.0 if own <= turtle else min(own - turtle, own / 2) / JSONLD_COST


class _Chunks:
    """The graph's chunks (:func:`graphkit.export_pieces.chunk_starts`) as
    :func:`write_exports` writes them: each named by its N-Triples (``known``: names already
    made, by chunk), where each lies in the N-Triples file, then their N-Triples written and
    the Turtle of those wanted."""

    def __init__(self, triples, lines: Sequence[str], starts: list[int] | None = None,
                 known: dict[int, bytes] | None = None) -> None:
        self.lines = lines
        self.starts = starts if starts is not None else chunk_starts(triples)
        self.bounds = [*self.starts, len(lines)]
        known = known or {}
        self.names: list[bytes] = []
        self.offsets: list[int] = [0]  # where each begins in the N-Triples file, and the end
        for k in range(len(self.starts)):
            name = known.get(k)  # known only for NTLines (JsonLdAhead.names_of)
            if name is None:
                data = self.nt(k)
                name, length = digest(data), len(data)
            else:
                length = lines.offset(self.bounds[k + 1]) - lines.offset(self.bounds[k])
            self.names.append(name)
            self.offsets.append(self.offsets[-1] + length)

    def nt(self, k: int) -> bytes:
        return nt_data(self.lines, self.bounds[k], self.bounds[k + 1])

    def write(self, fh: BinaryIO, written: Callable[[int, BinaryIO], None] | None = None
              ) -> None:
        """Write the N-Triples, chunk by chunk (``written(k, fh)`` told after each)."""
        for k in range(len(self.starts)):
            fh.write(self.nt(k))
            if written is not None:
                written(k, fh)

    def size(self, chunks: Iterable[int]) -> int:
        """The triples of ``chunks``."""
        return sum(self.bounds[k + 1] - self.bounds[k] for k in chunks)

    def cut(self, chunks: list[int], triples: float) -> int:
        """How many of ``chunks``, from the first, hold about ``triples`` triples."""
        taken = 0
        for n, k in enumerate(chunks):
            if taken >= triples:
                return n
            taken += self.bounds[k + 1] - self.bounds[k]
        return len(chunks)

    def turtle(self, chunks: list[int], path: Path) -> Pieces:
        """The Turtle bodies of ``chunks``, written into ``path`` (a scratch file)."""
        file = open(path, "w+b")
        written = PieceWriter(file, check=False)
        for k in chunks:
            written.add(self.names[k], turtle_body(self.nt(k)))
        file.flush()
        return Pieces(file, written.index)

    def write_turtle(self, fh: BinaryIO, found: list[Pieces], begun: Pieces | None = None
                     ) -> dict[bytes, tuple[int, int, int]]:
        """The Turtle: the prefixes, then each chunk's body as one of ``found`` holds it (or
        made now, where the previous file no longer holds it as indexed); where each lies
        (offset, length, CRC-32). ``begun``: the pieces ``fh`` already holds, after the
        prefixes, of its first chunks (the Turtle helper's, written into the file itself):
        only the rest is written, after them."""
        if begun is None:
            written = PieceWriter(fh)
            written.put(turtle_header())
            first = 0
        else:
            written = PieceWriter(fh, fh.seek(0, os.SEEK_END))
            written.index.update(begun.index)
            first = len(begun.index)
        for k in range(first, len(self.names)):
            name = self.names[k]
            written.add(name, first_found(found, name) or turtle_body(self.nt(k)))
        return written.index


def _sync_and_close(fh: BinaryIO) -> None:
    try:
        os.fsync(fh.fileno())
    finally:
        fh.close()


class JsonLdProcess(Pieces):
    """The JSON-LD pieces of the chunks ``taken`` of ``triples`` (their ``bounds``), made by a
    forked process into ``file`` while this one goes on; read as :class:`Pieces` (the first
    read of one of its chunks waits for it). ``names``: every chunk's, by index; None: the
    process makes those of its chunks first, from ``lines`` (the SHA-256 of their N-Triples),
    and :meth:`names` waits for them alone. Chunks ``skip`` holds are left out (the previous
    export's, copied from there).

    A fork, unlike the Turtle's helper: it needs the triples themselves, which it shares with
    this process, and reads only its own chunks' (their reference counts change, so it copies
    their pages). Where the process fails, its pieces are not found and :func:`write_jsonld`
    makes them in this process: only the time differs.
    """

    def __init__(self, file: BinaryIO, triples, bounds: list[int], taken: list[int],
                 names: list[bytes] | None = None, lines: Sequence[str] | None = None,
                 skip: Pieces | None = None) -> None:
        super().__init__()
        self.target = file
        self.named, self.answer = in_child_steps(
            lambda: ([names[k] for k in taken] if names is not None else
                     [digest(nt_data(lines, bounds[k], bounds[k + 1])) for k in taken]),
            lambda named: _jsonld_pieces(triples, bounds, taken, named, file, skip))
        self.known: list[bytes] | None = None
        self.taken: set[bytes] = set()

    def names(self) -> list[bytes]:
        """The names of its chunks, in order (waits for them); none where it failed."""
        if self.known is None:
            try:
                self.known = self.named()
            except Exception:  # noqa: BLE001 - a crash, a full disk: made here instead
                self.known = []
            self.taken = set(self.known)
        return self.known

    def __contains__(self, name: bytes) -> bool:
        return name in self.taken or self.known is None and name in self.names()

    def read(self, name: bytes) -> bytes | None:
        if name not in self:
            return None
        if self.answer is not None:
            answer, self.answer = self.answer, None
            try:
                self.file, self.index = self.target, answer()
            except Exception:  # noqa: BLE001 - a crash, a full disk: made here instead
                self.taken = set()
                return None
        return super().read(name)

    def stop(self) -> None:
        """End the process if it still runs; close its file."""
        stop(self.named)
        self.answer = None
        self.target.close()
        self.file = None


def _jsonld_pieces(triples, bounds: list[int], taken: list[int], names: list[bytes],
                   file: BinaryIO, skip: Pieces | None) -> dict[bytes, tuple[int, int, None]]:
    """(In :class:`JsonLdProcess`'s fork.) The JSON-LD pieces of the chunks ``taken``, named
    ``names``, written into ``file`` (those ``skip`` holds left out); where each lies."""
    memo: tuple[dict, dict] = ({}, {})
    written = PieceWriter(file, check=False)
    for k, name in zip(taken, names):
        if skip is None or name not in skip:
            written.add(name, jsonld_piece(triples, bounds[k], bounds[k + 1], memo))
    file.flush()
    return written.index


class TurtleProcess:
    """:func:`turtle_pieces` of some ``chunks`` (their byte ranges in the staged N-Triples
    file ``nt``), run by a new Python process beside this one, into a scratch file of
    ``stage``. Started before the file is written (4 to 6 s at 100,000 actors): :meth:`written`
    sends it each of its chunks once the file holds it, :meth:`all_written` says there are no
    more. Not a forked child: a fork
    shares this process's pages and keeps its own copy of each one this process changes
    meanwhile (writing the JSON-LD changes most: about 400 MB at 10,000 actors); a new
    process holds only what pyoxigraph needs. It imports this very graphkit, wherever it lies.

    ``wait()`` gives the pieces written, or raises ``RuntimeError`` with the process's last
    line of error if it failed; ``stop()`` ends it if it still runs (a failed build leaves no
    helper behind).
    """

    def __init__(self, stage: Staging, nt: Path, chunks: _Chunks, taken: list[int],
                 into: Path | None = None) -> None:
        from .claims import Claims

        self.chunks, self.taken = chunks, taken
        self.names = [chunks.names[k] for k in taken]
        self.ranges = {k: (chunks.offsets[k], chunks.offsets[k + 1] - chunks.offsets[k])
                       for k in taken}
        self.target = into or stage.path(".turtle-pieces")
        self.at = len(turtle_header()) if into else 0  # where its first piece begins
        self.lengths = stage.path(".turtle-lengths")
        self.claims = Claims.new(len(taken))
        self.process = graphkit_process(
            "import sys; from graphkit.exports import turtle_pieces; turtle_pieces(*sys.argv[1:])",
            [str(nt), str(self.target), str(self.lengths), str(self.claims.fileno()),
             "1" if into else ""],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            pass_fds=[self.claims.fileno()])

    def rest(self, path: Path) -> Pieces:
        """The Turtle of the helper's chunks made here, from the last one backwards, until
        this process meets the helper (:class:`graphkit.claims.Claims`), into ``path``."""
        file = open(path, "w+b")
        written = PieceWriter(file, check=False)
        for j in range(len(self.taken) - 1, -1, -1):
            if not self.claims.take_back(j):
                break
            written.add(self.names[j], turtle_body(self.chunks.nt(self.taken[j])))
        file.flush()
        return Pieces(file, written.index)

    def written(self, k: int, fh: BinaryIO) -> None:
        """Chunk ``k`` is in ``fh`` (the N-Triples file): sent if it is one of the helper's
        (once flushed; a helper that ended takes no more, and :meth:`wait` says why)."""
        found = self.ranges.get(k)
        if found is None or self.process.stdin is None:
            return
        fh.flush()
        try:
            self.process.stdin.write(b"%d %d\n" % found)
            self.process.stdin.flush()
        except OSError:  # it ended: its error is read by wait()
            self.all_written()

    def all_written(self) -> None:
        """No more chunks: the helper finishes those it has."""
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            self.process.stdin = None

    def wait(self) -> Pieces:
        self.all_written()
        _, err = self.process.communicate()
        if self.process.returncode != 0:  # the previous exports stay, one line says why
            said = err.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError("writing the Turtle export failed: "
                               + (said[-1] if said else f"exit code {self.process.returncode}"))
        try:
            lengths = json.loads(self.lengths.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RuntimeError("writing the Turtle export failed: its helper's list of "
                               f"pieces is unreadable ({exc})") from None
        if not isinstance(lengths, list) or len(lengths) > len(self.names):
            raise RuntimeError("writing the Turtle export failed: its helper listed "
                               f"{len(lengths) if isinstance(lengths, list) else 0} pieces "
                               f"of {len(self.names)}")
        index, at = {}, self.at
        for name, (length, check) in zip(self.names, lengths):
            index[name] = (at, length, check)
            at += length
        return Pieces(open(self.target, "rb"), index)

    def stop(self) -> None:
        self.all_written()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.claims.close()


def write_atomic(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write each ``name: bytes`` into ``folder``, all or nothing (see :class:`Staging`)."""
    with Staging(folder) as stage:
        for name, data in sorted(files.items()):
            stage.write(name, lambda fh, data=data: fh.write(data))
    return stage.commit()


class StagedFolder:
    """A folder written beside ``target`` (``.NAME.XXXX``) and swapped in whole: ``commit()``
    replaces ``target`` with it (the previous folder is removed only after), ``discard()``
    removes it and leaves ``target`` as it was.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "site"
    >>> staged = StagedFolder(out)
    >>> _ = (staged.path / "a.html").write_text("<p>a</p>")
    >>> staged.files = ["a.html"]
    >>> [p.name for p in staged.commit()], (out / "a.html").read_text()
    (['a.html'], '<p>a</p>')
    """

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.",
                                          dir=self.target.parent))
        self.files: list[str] = []  # paths inside the folder, as commit() returns them

    def put(self, rel: str, data: bytes) -> None:
        """Write ``data`` as ``rel`` inside the folder. Where ``target`` already holds a plain
        file of exactly these bytes, that file is linked instead (a hard link; written where
        the file system has none): it keeps its modification time, so a sync to a host sends
        only what changed, and removing the previous folder on ``commit()`` frees nothing it
        had to write again (at 10,000 actors, 0.1 s instead of 3 s for 11,000 pages)."""
        path, old = self.path / rel, self.target / rel
        try:
            st = os.lstat(old)
            if (stat.S_ISREG(st.st_mode) and st.st_size == len(data)
                    and old.read_bytes() == data):
                os.link(old, path)
                return
        except OSError:  # no such file, not readable, or no hard links here
            pass
        path.write_bytes(data)

    def commit(self) -> list[Path]:
        out = self.target
        try:
            for d in [self.path] + [p for p in self.path.rglob("*") if p.is_dir()]:
                os.chmod(d, 0o755)
            old = None
            if out.exists():
                old = out.parent / f".{out.name}.old"
                if old.exists():
                    shutil.rmtree(old)
                os.replace(out, old)
            os.replace(self.path, out)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            self.discard()
            raise
        return [out / rel for rel in self.files]

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
