"""Two versions of the data compared: relations added, removed and changed (relation IRIs are
derived from their content, so the same relation has the same id in both), actors and sources
added, removed and changed, and the measures that moved most because of it.

A version is a data folder, or a git revision of the repository holding the data folder
(``HEAD~1``, a tag, a commit): its ``data/`` is taken with ``git archive``.

>>> from pathlib import Path
>>> d = compare(Path("tests/cases/base"), Path("tests/cases/base"))
>>> d.added, d.removed, d.changed, d.moves
([], [], [], [])
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .facts import Fact, Graph, graph_of


class VersionError(Exception):
    """A version that is neither a data folder nor a git revision, or whose data has errors."""


@dataclass
class Diff:
    old: str
    new: str
    added: list[Fact] = field(default_factory=list)
    removed: list[Fact] = field(default_factory=list)
    changed: list[tuple[Fact, Fact, list[str]]] = field(default_factory=list)  # and what
    actors_added: list[str] = field(default_factory=list)
    actors_removed: list[str] = field(default_factory=list)
    sources_added: list[str] = field(default_factory=list)
    sources_removed: list[str] = field(default_factory=list)
    sources_changed: list[tuple[str, list[str]]] = field(default_factory=list)
    moves: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    measure: str = "betweenness"
    graphs: tuple = ()


def checkout(version: str, data: Path, keep: list) -> tuple[Path, str]:
    """The data folder of ``version`` (a folder, or a git revision of the repository around
    ``data``), and how to name it. Temporary folders are appended to ``keep``."""
    folder = Path(version)
    if folder.is_dir():
        return folder, str(folder)
    repo = _git(["rev-parse", "--show-toplevel"], data.resolve().parent)
    if repo is None:
        raise VersionError(f"'{version}' is not a folder, and {data} is not in a git "
                           "repository to find a revision in")
    top = Path(repo.strip())
    prefix = data.resolve().relative_to(top).as_posix()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{version}^{{commit}}"], top)
    if commit is None:
        raise VersionError(f"'{version}' is neither a folder nor a git revision of {top}")
    tmp = Path(tempfile.mkdtemp(prefix="graphkit-diff-"))
    keep.append(tmp)
    archive = tmp / "data.tar"
    with open(archive, "wb") as out:
        done = subprocess.run(["git", "-C", str(top), "archive", commit.strip(), prefix],
                              stdout=out, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise VersionError(f"revision {version} has no {prefix}/: "
                           f"{done.stderr.decode(errors='replace').strip()}")
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(tmp / "tree", filter="data")
        else:  # pragma: no cover
            tar.extractall(tmp / "tree")
    return tmp / "tree" / prefix, f"{version} ({commit.strip()[:10]})"


def _git(args: list[str], cwd: Path) -> str | None:
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def load(folder: Path, shown: str) -> tuple[Graph, object]:
    from .build import check

    result = check(folder, shown, shacl=False, rdf=False)
    if not result.ok:
        raise VersionError(f"{shown} has {len(result.report.errors)} errors (first: "
                           f"{result.report.errors[0]}); run 'graphkit validate --data {folder}'")
    return graph_of(result.dataset), result.dataset


def _fact_view(f: Fact) -> dict:
    rec = f.record
    return {"end": str(f.end) if f.end else "", "track": f.track or "",
            "confidence": f.confidence or "", "literals": f.literals,
            "description": rec.description if rec else "", "note": rec.note if rec else "",
            "sources": [(c.source, c.quote, c.note, c.lang) for c in (rec.sources if rec else [])]}


def _source_view(s) -> dict:
    return {"title": s.title, "publisher": s.publisher, "url": s.url, "file": s.file,
            "date": str(s.date) if s.date else "", "authors": s.authors, "note": s.note}


def compare(old: Path, new: Path, measure: str = "betweenness", top: int = 10,
            old_name: str = "", new_name: str = "") -> Diff:
    """The differences between the data folders ``old`` and ``new``."""
    from .metrics.registry import Context, single
    from .views import make_view

    g_old, ds_old = load(old, old_name or str(old))
    g_new, ds_new = load(new, new_name or str(new))
    d = Diff(old_name or str(old), new_name or str(new), measure=measure, graphs=(g_old, g_new))
    before = {f.key: f for f in g_old.facts}
    after = {f.key: f for f in g_new.facts}
    d.added = [after[k] for k in sorted(set(after) - set(before))]
    d.removed = [before[k] for k in sorted(set(before) - set(after))]
    for k in sorted(set(before) & set(after)):
        a, b = _fact_view(before[k]), _fact_view(after[k])
        what = [name for name in a if a[name] != b[name]]
        if what:
            d.changed.append((before[k], after[k], what))
    d.actors_added = sorted(set(g_new.actors) - set(g_old.actors))
    d.actors_removed = sorted(set(g_old.actors) - set(g_new.actors))
    d.sources_added = sorted(set(ds_new.sources) - set(ds_old.sources))
    d.sources_removed = sorted(set(ds_old.sources) - set(ds_new.sources))
    for sid in sorted(set(ds_old.sources) & set(ds_new.sources)):
        a, b = _source_view(ds_old.sources[sid]), _source_view(ds_new.sources[sid])
        what = [name for name in a if a[name] != b[name]]
        if what:
            d.sources_changed.append((sid, what))
    if d.added or d.removed or d.changed:
        v_old = single(make_view(g_old, "actors").graph, measure, Context())
        v_new = single(make_view(g_new, "actors").graph, measure, Context())
        actors = set(v_old) | set(v_new)
        ranked = sorted(actors, key=lambda x: (-abs((v_new.get(x) or 0) - (v_old.get(x) or 0)),
                                               x))
        d.moves = [(x, v_old.get(x), v_new.get(x)) for x in ranked[:top]
                   if (v_new.get(x) or 0) != (v_old.get(x) or 0)]
    return d
