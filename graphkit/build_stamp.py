"""A build with nothing to do says so at once: what the last build into a folder read and wrote.

After a successful ``graphkit build``, a stamp records a hash of everything the build read (every
file of the data folder and of the source documents the quotes were checked against, the model,
graphkit's own files, the versions of Python and of the libraries that shape the output, the
options and the environment variables graphkit reads), what it printed, and the size and
modification time of every file it wrote. The next build with the same hash, into a folder whose
files are still those written, reprints the report and writes nothing: the exports are already
what the build would write, byte for byte (builds are deterministic). Any edited, added or
removed input, or any touched export, builds again; ``--force`` always does.

Stamps live in the parsed-data cache's folder (``GRAPHKIT_CACHE``; ``off`` turns stamps off
too), as JSON, one per output folder, so exports/ holds only exports.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp()); _ = (out / "graph.nt").write_text("<a> <b> <c> .\\n")
>>> stamps = Stamps(Path(tempfile.mkdtemp()))
>>> stamps.record(out, "k1", [out / "graph.nt"], ["wrote graph.nt"], [])
>>> stamps.unchanged(out, "k1")["printed"], stamps.unchanged(out, "k2")
(['wrote graph.nt'], None)
>>> _ = (out / "graph.nt").write_text("<a> <b> <d> .\\n")
>>> stamps.unchanged(out, "k1") is None
True
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

#: libraries whose version can change a byte of the exports
LIBRARIES = ("rdflib", "pyoxigraph", "pyshacl-turbo", "networkx", "igraph", "jinja2",
             "markupsafe", "pyvis", "PyYAML")
#: environment variables graphkit reads while building
ENVIRONMENT = ("GRAPHKIT_ONTOLOGY", "GRAPHKIT_MEASURES", "GRAPHKIT_DOCUMENTS")


def inputs_key(data: Path, options: dict) -> str:
    """A hash of what a build of ``data`` with ``options`` reads, the source documents aside
    (their folder is named by the data; :meth:`Stamps.unchanged` hashes it)."""
    from .files import shipped

    h = hashlib.sha256()
    h.update(json.dumps({"options": options, "python": sys.version,
                         "env": {k: os.environ.get(k) for k in ENVIRONMENT}},
                        sort_keys=True).encode())
    h.update(versions(LIBRARIES).encode())
    package = Path(__file__).resolve().parent
    for label, folder in (("data", data), ("ontology", shipped("ontology")),
                          ("graphkit", package)):
        h.update(f"[{label}]\0".encode())
        _hash_folder(h, folder)
    return h.hexdigest()


def versions(names: tuple[str, ...]) -> str:
    """The installed versions of the distributions ``names`` (``-`` for one not installed),
    as one text: what keys a cached result to the libraries that shaped it.

    >>> versions(("no-such-distribution",))
    'no-such-distribution=-\\x00'
    """
    from importlib import metadata

    said = []
    for name in names:
        try:
            said.append(f"{name}={metadata.version(name)}\0")
        except metadata.PackageNotFoundError:
            said.append(f"{name}=-\0")
    return "".join(said)


def out_file(folder: Path, out: Path, suffix: str) -> Path:
    """The file in ``folder`` that keeps what was last written into the output folder ``out``
    (a stamp, a pieces index): named by a hash of its resolved path."""
    name = hashlib.sha256(str(Path(out).resolve()).encode("utf-8", "surrogateescape"))
    return folder / f"{name.hexdigest()[:32]}{suffix}"


def folder_hash(folder: Path | None) -> str:
    """A hash of every file under ``folder`` (its path inside it and its bytes)."""
    h = hashlib.sha256()
    if folder is not None:
        _hash_folder(h, folder)
    return h.hexdigest()


def _hash_folder(h, folder: Path, inside: str = "") -> None:
    """Every entry under ``folder``, whatever it is: a file's bytes (through a symbolic link
    too), a link's target, a folder's entries, and what could not be read or is no regular
    file (a broken link, a FIFO, no permission), so that the same hash means the same read."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        h.update(f"{inside}: unreadable folder {exc.errno}\0".encode())
        return
    for entry in entries:
        if entry.name == "__pycache__" or entry.name.endswith(".pyc"):
            continue
        name = f"{inside}/{entry.name}"
        h.update(name.encode("utf-8", "surrogateescape") + b"\0")
        try:
            if entry.is_symlink():
                h.update(b"link:" + os.readlink(entry.path).encode("utf-8", "surrogateescape")
                         + b"\0")
            if entry.is_dir(follow_symlinks=False):
                _hash_folder(h, Path(entry.path), name)
            elif entry.is_dir():
                h.update(b"a linked folder")  # not followed: a link to a parent loops
            elif entry.is_file():
                with open(entry.path, "rb") as fh:
                    h.update(fh.read())
            else:
                h.update(f"special {os.lstat(entry.path).st_mode}".encode())
        except OSError as exc:
            h.update(f"error {exc.errno}".encode())
        h.update(b"\0")


class Stamps:
    """The stamps kept in ``folder`` (None: none are kept; every build builds)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def default(cls) -> "Stamps":
        """Beside the parsed-data cache (:class:`graphkit.parse_cache.ParseCache`)."""
        from .parse_cache import ParseCache

        cache = ParseCache.default().folder
        return cls(cache / "builds" if cache is not None else None)

    def _path(self, out: Path) -> Path:
        return out_file(self.folder, out, ".json")

    def unchanged(self, out: Path, key: str) -> dict | None:
        """The stamp of the last build into ``out`` if it had the inputs ``key``, its
        documents are unchanged and every file it wrote is still there as written; else None."""
        if self.folder is None:
            return None
        try:
            stamp = json.loads(self._path(out).read_text(encoding="utf-8"))
            if stamp.get("key") != key or stamp.get("out") != str(Path(out).resolve()):
                return None
            documents = stamp.get("documents")
            if documents and folder_hash(Path(documents)) != stamp.get("documents_hash"):
                return None
            if _outputs(out, stamp["outputs"]) != stamp["files"]:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return stamp

    def record(self, out: Path, key: str, written: list[Path], printed: list[str],
               warned: list[str], documents: Path | None = None) -> None:
        """Keep the stamp of a successful build (a failure to write it only loses the stamp)."""
        if self.folder is None:
            return
        outputs = sorted(str(Path(p).relative_to(out)) for p in written)
        stamp = {"key": key, "out": str(Path(out).resolve()), "built": time.time(),
                 "documents": str(documents) if documents else None,
                 "documents_hash": folder_hash(documents) if documents else None,
                 "outputs": outputs, "files": _outputs(out, outputs),
                 "printed": printed, "warned": warned}
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(stamp, fh)
            os.replace(tmp, self._path(out))
        except OSError:
            return

    def forget(self, out: Path) -> None:
        """Drop the stamp of ``out`` (a failed build may have changed what it holds)."""
        if self.folder is not None:
            self._path(out).unlink(missing_ok=True)


def _outputs(out: Path, outputs: list[str]) -> list[list]:
    """Every file of ``outputs`` (files, or folders walked whole) under ``out``: its path,
    size and modification time."""
    found = []
    for rel in outputs:
        path = Path(out) / rel
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in paths:
            info = p.stat()
            found.append([str(p.relative_to(out)), info.st_size, info.st_mtime_ns])
    return found
