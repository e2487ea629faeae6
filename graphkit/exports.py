"""Deterministic serialisations of the graph, written atomically.

Every format is written from the triples in N-Triples line order (:func:`graphkit.to_rdf.canonical`):
N-Triples as the sorted lines; Turtle by pyoxigraph from those lines (rdflib's serialisers are
10-30x slower and order by hash); JSON-LD as compacted, flattened JSON-LD with the project's
context inlined, one subject per line. The same data gives the same bytes.

Files are streamed to temporary names beside their targets and moved into place only when all are
written (:class:`Staging`), so a failure leaves the previous exports untouched. On large graphs the
Turtle of most of the staged N-Triples file is written by another Python process
(:class:`TurtleProcess`) while this one writes the JSON-LD, then the Turtle of the rest.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from bisect import bisect_left
from itertools import islice
from json.encoder import encode_basestring as _json  # a str as JSON, as json.dumps writes it
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox

from .files import shipped
from .namespaces import ACTOR, GK, PREFIXES

CONTEXT_FILE = shipped("ontology") / "context.jsonld"
XSD_STRING = PREFIXES["xsd"] + "string"
RDF_TYPE = PREFIXES["rdf"] + "type"
FORMATS = {"ttl": "graph.ttl", "nt": "graph.nt", "jsonld": "graph.jsonld"}
PARALLEL_FROM = 200_000  # triples; below this all exports take well under a second
#: the share of the lines whose Turtle the helper process writes while this one writes the
#: JSON-LD, then the Turtle of the rest (at 10,000 actors 4.7 s of Turtle, 4.2 s of JSON-LD):
#: both end together. Where most of the JSON-LD was written ahead (:class:`JsonLdAhead`) the
#: share falls towards a half, in proportion.
TURTLE_SHARE = 0.9
_PREFIX_ORDER = {f"@prefix {p}: <{ns}> .".encode(): i for i, (p, ns) in enumerate(PREFIXES.items())}


def write_ntriples(lines: list[str], out: BinaryIO, start: int = 0,
                   stop: int | None = None) -> None:
    """N-Triples, one triple a line, in the given (sorted) order (of ``lines[start:stop]``)."""
    stop = len(lines) if stop is None else stop
    for at in range(start, stop, 50_000):
        out.write(("\n".join(lines[at:min(at + 50_000, stop)]) + "\n").encode("utf-8"))


def write_turtle(ntriples_file: Path, out: BinaryIO, size: int | None = None) -> None:
    """Turtle of an N-Triples file (of its first ``size`` bytes if given), in its order: the
    project's prefixes (in a fixed order), subjects grouped. pyoxigraph writes it into a
    nameless file beside the N-Triples (not into memory: 640 MB at 100,000 actors), copied out
    behind the reordered prefixes."""
    with open(ntriples_file, "rb") as source:
        head, body = _turtle_of(source if size is None else io.BufferedReader(
            _Head(source, size), 1 << 20), Path(ntriples_file).parent)
        with body:
            head.sort(key=lambda line: _PREFIX_ORDER.get(line, len(_PREFIX_ORDER)))
            out.write(b"\n".join(head) + b"\n\n")
            shutil.copyfileobj(body, out, 1 << 20)


def write_turtle_rest(ntriples_file: Path, start: int, out: BinaryIO) -> None:
    """The Turtle of an N-Triples file from byte ``start`` on, without the prefixes: what
    follows :func:`write_turtle` of the bytes before it, when a subject begins there (the
    Turtle of a subject's triples depends on them alone), to make the same file."""
    with open(ntriples_file, "rb") as source:
        source.seek(start)
        _, body = _turtle_of(source, Path(ntriples_file).parent)
        with body:
            shutil.copyfileobj(body, out, 1 << 20)


def _turtle_of(source: BinaryIO, folder: Path) -> tuple[list[bytes], BinaryIO]:
    """pyoxigraph's Turtle of the N-Triples ``source``: its prefix lines, and a nameless file in
    ``folder`` (read from the first triple on) holding the rest."""
    body = tempfile.TemporaryFile(dir=folder)
    try:
        ox.serialize(ox.parse(source, format=ox.RdfFormat.N_TRIPLES), body,
                     format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        body.seek(0)
        head = []
        while True:
            at = body.tell()
            line = body.readline()
            if not line.startswith(b"@prefix "):
                break
            head.append(line.rstrip(b"\n"))
        body.seek(at)
    except BaseException:
        body.close()
        raise
    return head, body


class _Head(io.RawIOBase):
    """The first ``size`` bytes of a binary file, read from where it stands."""

    def __init__(self, source: BinaryIO, size: int) -> None:
        self.source, self.left = source, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        if n <= 0:
            return 0
        got = self.source.readinto(memoryview(buffer)[:n]) or 0
        self.left -= got
        return got


def turtle(lines: list[str]) -> bytes:
    """The Turtle of sorted N-Triples lines, in memory (see :func:`write_turtle`)."""
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "graph.nt"
        with open(nt, "wb") as fh:
            write_ntriples(lines, fh)
        out = io.BytesIO()
        write_turtle(nt, out)
        return out.getvalue()


def ntriples(lines: list[str]) -> bytes:
    out = io.BytesIO()
    write_ntriples(lines, out)
    return out.getvalue()


def context() -> dict:
    """The JSON-LD context shipped in ``ontology/context.jsonld``."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


_BY_NAMESPACE = {ns: prefix for prefix, ns in PREFIXES.items()}


def _compact(iri: str) -> str:
    """``prefix:name`` for an IRI in one of the project's namespaces (kept once computed: the
    same predicates, classes and objects recur on every subject)."""
    found = _COMPACT.get(iri)
    if found is None:
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        prefix = _BY_NAMESPACE.get(iri[:cut])
        found = f"{prefix}:{iri[cut:]}" if prefix and cut < len(iri) else iri
        if len(_COMPACT) < 1_000_000:
            _COMPACT[iri] = found
    return found


_COMPACT: dict[str, str] = {}


def write_jsonld(triples, out: BinaryIO, ahead: "JsonLdAhead | None" = None,
                 at: int = 0) -> None:
    """Compacted, flattened JSON-LD with the context inlined (works offline): one line per
    subject, in the order of ``triples`` (N-Triples order), so diffs stay readable. The nodes
    of the run of subjects ``ahead`` wrote (while the measures were computed), found at
    ``triples[at]`` (:meth:`JsonLdAhead.place`), are copied from it."""
    out.write(('{"@context": ' + json.dumps(context(), ensure_ascii=False, indent=1)
               + ',\n "@graph": [').encode("utf-8"))
    written = False
    for part in ([(0, at), ahead, (at + ahead.count, None)] if ahead is not None
                 else [(0, None)]):
        if part is ahead:
            out.write(b",\n  " if written else b"\n  ")
            ahead.copy_to(out)
            written = True
            continue
        nodes: list[str] = []  # written 10,000 at a time, each on its line
        for text, _ in _jsonld_nodes(triples, *part):
            nodes.append(text)
            if len(nodes) >= 10_000:
                written = _write_nodes(out, nodes, written)
        written = _write_nodes(out, nodes, written)
    out.write(b"\n ]\n}\n")


def _write_nodes(out: BinaryIO, nodes: list[str], written: bool, first: str = "\n  ") -> bool:
    """Write ``nodes`` (emptied) after those already ``written`` (before the first: ``first``),
    one a line; whether any now is."""
    if not nodes:
        return written
    out.write(((first if not written else ",\n  ") + ",\n  ".join(nodes)).encode("utf-8"))
    nodes.clear()
    return True


def _jsonld_nodes(triples, start: int = 0, stop: int | None = None
                  ) -> Iterator[tuple[str, int]]:
    """The JSON-LD node of each subject of ``triples[start:stop]`` (its triples side by side,
    as in N-Triples order), with where the next subject's triples begin.

    Each node is what ``json.dumps(node, ensure_ascii=False, sort_keys=True)`` gives, written
    from the JSON text of each value (an IRI's kept once made: the same objects recur on many
    subjects) instead of a dictionary encoded whole: this runs once per triple."""
    compact, known = _compact, _COMPACT.get
    ids: dict[str, str] = {}  # IRI -> the text of {"@id": its compact form}
    keys: dict[str, tuple[str, str]] = {}  # predicate IRI -> its compact form, and as JSON

    def node(s: str, types: list[str], values: dict[str, list[str]]) -> str:
        items = [("@id", '"@id": ' + _json(known(s) or compact(s)))]
        if types:
            items.append(("@type", '"@type": [' + ", ".join(types) + "]"))
        for p, texts in values.items():
            name, text = keys[p]
            items.append((name, text + ": [" + ", ".join(texts) + "]"))
        items.sort()  # the keys in order, as sort_keys puts them
        return "{" + ", ".join([text for _, text in items]) + "}"

    subject = None
    types: list[str] = []
    values: dict[str, list[str]] = {}
    i = start
    for i, (s, p, o) in enumerate(islice(triples, start, stop), start):
        if s != subject:
            if subject is not None:
                yield node(subject, types, values), i
            subject, types, values = s, [], {}
        if p == RDF_TYPE:
            types.append(_json(known(o) or compact(o)))
            continue
        if o.__class__ is str:
            value = ids.get(o)
            if value is None:
                value = '{"@id": ' + _json(known(o) or compact(o)) + "}"
                if len(ids) < 1_000_000:
                    ids[o] = value
        elif o.lang:
            value = '{"@language": ' + _json(o.lang) + ', "@value": ' + _json(o.value) + "}"
        elif o.datatype is None:
            value = _json(o.value)
        else:
            value = ('{"@type": ' + _json(known(o.datatype) or compact(o.datatype))
                     + ', "@value": ' + _json(o.value) + "}")
        found = values.get(p)
        if found is None:
            if p not in keys:
                name = known(p) or compact(p)
                keys[p] = (name, _json(name))
            values[p] = [value]
        else:
            found.append(value)
    if subject is not None:
        yield node(subject, types, values), i + 1


class JsonLdAhead:
    """The JSON-LD nodes of the subjects no measure touches, written while the measures are
    computed: the build's main process would otherwise only wait for them (2 s at 10,000
    actors, 40 s at 100,000). Those subjects are the relations, citations, issues and
    sources, most of the graph: in N-Triples order they lie between the actors (whose
    measures are added) and the ontology's terms (where the measures are declared).
    :func:`write_jsonld` copies the nodes in place if that run of triples is still there,
    unchanged, once the measures are added; otherwise it writes them anew.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.file: BinaryIO | None = None
        self.first = self.last = ""  # the N-Triples lines of the run's first and last triple
        self.count = 0  # its triples

    def write(self, triples: list, lines: list[str], done: Callable[[], bool]) -> None:
        """Write the nodes of the run from its start until ``done()`` (asked every 2,000
        subjects) or its end, whichever comes first, into a nameless file in the folder (in
        the system's temporary folder if it does not exist yet: a build that then fails leaves
        no folder behind)."""
        start = bisect_left(lines, "<" + ACTOR[:-1] + chr(ord(ACTOR[-1]) + 1))
        stop = bisect_left(lines, "<" + GK, start)
        if stop - start < 1_000:
            return
        try:
            self.file = tempfile.TemporaryFile(
                dir=self.folder if self.folder.is_dir() else None)
            nodes: list[str] = []
            written, end = False, stop
            for k, (text, after) in enumerate(_jsonld_nodes(triples, start, stop)):
                nodes.append(text)
                if len(nodes) >= 10_000:
                    written = _write_nodes(self.file, nodes, written, "")
                if k % 2_000 == 1_999 and done():
                    end = after
                    break
            _write_nodes(self.file, nodes, written, "")
        except OSError:  # no room for it: the JSON-LD is written whole later (or says why not)
            self.close()
            return
        self.first, self.last, self.count = lines[start], lines[end - 1], end - start

    def place(self, lines: list[str]) -> int | None:
        """Where the run written ahead begins in the sorted, unique N-Triples ``lines``, if it
        is there unchanged (no line was added inside it: its first and last lines stand as far
        apart as before) and still whole subjects (no line of its first or last subject was
        added beside it); None otherwise."""
        if self.file is None or not self.count:
            return None
        at = bisect_left(lines, self.first)
        end = at + self.count - 1
        if not (end < len(lines) and lines[at] == self.first and lines[end] == self.last):
            return None
        if at > 0 and _subject(lines[at - 1]) == _subject(self.first):
            return None
        if end + 1 < len(lines) and _subject(lines[end + 1]) == _subject(self.last):
            return None
        return at

    def copy_to(self, out: BinaryIO) -> None:
        self.file.seek(0)
        shutil.copyfileobj(self.file, out, 1 << 20)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


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


def write_exports(folder: Path, triples, lines: list[str], formats: Iterable[str] = FORMATS,
                  extra: dict[str, bytes] | None = None,
                  ahead: JsonLdAhead | None = None) -> list[Path]:
    """Write the requested formats of the graph, and any ``extra`` files (name -> bytes, or a
    function returning them, called once the graph is written), into ``folder`` atomically;
    returns the paths written. ``ahead``: JSON-LD nodes already written (used if still in
    place, see :class:`JsonLdAhead`)."""
    formats = [f for f in FORMATS if f in set(formats)]
    at = ahead.place(lines) if ahead is not None and "jsonld" in formats else None
    ahead = ahead if at is not None else None  # only where it still stands
    parallel = "ttl" in formats and len(lines) >= PARALLEL_FROM
    # the JSON-LD left to write here sets how much of the Turtle this process takes after it
    left = 1 - (ahead.count / len(lines) if ahead is not None else 0)
    share = 0.5 + (TURTLE_SHARE - 0.5) * left
    split = _subject_start(lines, int(len(lines) * share)) if parallel else len(lines)
    offset: list[int] = []  # where the N-Triples file's line ``split`` begins

    def ntriples(fh: BinaryIO) -> None:
        write_ntriples(lines, fh, 0, split)
        offset.append(fh.tell())
        write_ntriples(lines, fh, split)

    with Staging(folder) as stage:
        nt = stage.write(FORMATS["nt"] if "nt" in formats else ".scratch.nt", ntriples)
        turtle = None
        try:
            if "ttl" in formats:
                ttl = stage.path(FORMATS["ttl"])
                if parallel:  # most of it in another process, beside the JSON-LD
                    turtle = TurtleProcess(nt, ttl, offset[0])
                else:
                    turtle_file(nt, ttl)
            if "jsonld" in formats:
                stage.write(FORMATS["jsonld"],
                            lambda fh: write_jsonld(triples, fh, ahead, at or 0))
            for name, data in sorted((extra or {}).items()):
                stage.write(name, lambda fh, data=data: fh.write(data() if callable(data) else data))
            if turtle is not None:
                with tempfile.TemporaryFile(dir=folder) as rest:
                    write_turtle_rest(nt, offset[0], rest)
                    turtle.wait()
                    rest.seek(0)
                    stage.settle(ttl, lambda fh: shutil.copyfileobj(rest, fh, 1 << 20))
        finally:
            if turtle is not None:
                turtle.stop()
    return stage.commit()


def _sync_and_close(fh: BinaryIO) -> None:
    try:
        os.fsync(fh.fileno())
    finally:
        fh.close()


def _subject(line: str) -> str:
    """The subject of an N-Triples line, as written (``<iri>``)."""
    return line[:line.index(" ")]


def _subject_start(lines: list[str], at: int) -> int:
    """The first line from ``at`` on whose subject is not the line's before it (``len(lines)``
    if none): where the Turtle can be cut in two.

    >>> _subject_start(['<a> <p> <o> .', '<a> <q> <o> .', '<b> <p> <o> .'], 1)
    2
    """
    at = max(at, 1)
    while at < len(lines):
        if _subject(lines[at]) != _subject(lines[at - 1]):
            return at
        at += 1
    return len(lines)


def turtle_file(nt: Path, target: Path, size: int | None = None) -> None:
    """Write the Turtle of the N-Triples file ``nt`` (of its first ``size`` bytes if given) to
    ``target`` (see :func:`write_turtle`)."""
    with open(target, "wb") as fh:
        write_turtle(nt, fh, None if size is None else int(size))
        fh.flush()
        os.fsync(fh.fileno())


class TurtleProcess:
    """:func:`turtle_file` of the N-Triples file's first ``size`` bytes, run by a new Python
    process beside this one. Not a forked child: a fork shares this process's pages and keeps
    its own copy of each one this process changes meanwhile (writing the JSON-LD changes most:
    about 400 MB at 10,000 actors); a new process holds only what pyoxigraph needs. It imports
    this very graphkit, wherever it lies.

    ``wait()`` raises ``RuntimeError`` with the process's last line of error if it failed;
    ``stop()`` ends it if it still runs (a failed build leaves no helper behind).
    """

    def __init__(self, nt: Path, target: Path, size: int) -> None:
        here = str(Path(__file__).resolve().parent.parent)
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": here + (os.pathsep + path if path else "")}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from graphkit.exports import turtle_file; "
                                   "turtle_file(*sys.argv[1:])", str(nt), str(target),
             str(size)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=env)

    def wait(self) -> None:
        _, err = self.process.communicate()
        if self.process.returncode != 0:  # the previous exports stay, one line says why
            said = err.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError("writing the Turtle export failed: "
                               + (said[-1] if said else f"exit code {self.process.returncode}"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


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
