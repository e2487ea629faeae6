"""A build copies the Turtle and JSON-LD of unchanged chunks from the exports it wrote last:
the same bytes as writing everything anew, and nothing taken from a file that changed since."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import compose_case
from graphkit import export_pieces, exports
from graphkit.build import build
from graphkit.export_pieces import PieceStore
from graphkit.namespaces import ACTOR, CITE, GK, REL
from graphkit.to_rdf import Lit, canonical

NAMES = ("graph.jsonld", "graph.nt", "graph.ttl")


@pytest.fixture
def made(monkeypatch) -> dict[str, list]:
    """The chunks whose Turtle and JSON-LD are made (not copied), as they are made."""
    seen: dict[str, list] = {"ttl": [], "jsonld": []}
    body, piece = exports.turtle_body, exports.jsonld_piece
    monkeypatch.setattr(exports, "turtle_body", lambda data: seen["ttl"].append(data) or body(data))
    monkeypatch.setattr(exports, "jsonld_piece",
                        lambda *a, **k: seen["jsonld"].append(a[1:3]) or piece(*a, **k))
    return seen


def write(folder: Path, triples: list, store: PieceStore | None) -> dict[str, bytes]:
    lines, triples = canonical(triples)
    exports.write_exports(folder, triples, lines, reuse=store)
    if store is not None:
        store.close()
    return {name: (folder / name).read_bytes() for name in NAMES}


def changed(triples: list) -> list:
    """The graph with a literal added to a relation, a citation's triples gone, an actor's
    label changed and a new subject."""
    relation = next(t[0] for t in triples if t[0].startswith(REL))
    citation = next(t[0] for t in triples if t[0].startswith(CITE))
    label = next(t for t in triples if t[0].startswith(ACTOR) and t[1].endswith("#label"))
    out = [t for t in triples if t[0] != citation and t != label]
    return out + [(relation, GK + "note", Lit("added")), (label[0], label[1], Lit("renamed")),
                  (ACTOR + "zz-new", GK + "note", Lit("new"))]


def test_only_the_changed_chunks_are_written_again(shipped, tmp_path, made) -> None:
    store = PieceStore(tmp_path / "out", tmp_path / "cache")
    write(tmp_path / "out", shipped.triples, store)
    chunks = len(export_pieces.chunk_starts(shipped.triples))
    assert len(made["ttl"]) == len(made["jsonld"]) == chunks > 100  # nothing to copy at first
    made["ttl"].clear(), made["jsonld"].clear()

    new = changed(shipped.triples)
    again = write(tmp_path / "out", new, PieceStore(tmp_path / "out", tmp_path / "cache"))
    assert 3 <= len(made["ttl"]) <= 4 and len(made["jsonld"]) == len(made["ttl"])
    assert any(b"zz-new" in data for data in made["ttl"])
    assert again == write(tmp_path / "fresh", new, None)  # the same bytes as anew


def test_nothing_is_copied_from_a_file_changed_since(shipped, tmp_path, made) -> None:
    """A previous export rewritten (another size or time) is not read; one whose piece was
    altered in place, its size and time kept, gives that piece anew (its CRC-32 differs)."""
    out = tmp_path / "out"
    write(out, shipped.triples, PieceStore(out, tmp_path / "cache"))
    expected = {name: (out / name).read_bytes() for name in NAMES}

    ttl = out / "graph.ttl"
    ttl.write_bytes(ttl.read_bytes().replace(b"gk:", b"GK:", 1))
    made["ttl"].clear(), made["jsonld"].clear()
    assert write(out, shipped.triples, PieceStore(out, tmp_path / "cache")) == expected
    assert len(made["ttl"]) > 100 and not made["jsonld"]

    info = os.stat(out / "graph.jsonld")
    with open(out / "graph.jsonld", "r+b") as fh:  # one byte of one node, in place
        fh.seek(info.st_size // 2)
        byte = fh.read(1)
        fh.seek(info.st_size // 2)
        fh.write(b"X" if byte != b"X" else b"Y")
    os.utime(out / "graph.jsonld", ns=(info.st_atime_ns, info.st_mtime_ns))
    made["ttl"].clear(), made["jsonld"].clear()
    assert write(out, shipped.triples, PieceStore(out, tmp_path / "cache")) == expected
    assert len(made["jsonld"]) == 1 and not made["ttl"]


def test_pieces_of_other_code_or_no_cache_are_not_used(shipped, tmp_path, made,
                                                       monkeypatch) -> None:
    out = tmp_path / "out"
    write(out, shipped.triples, PieceStore(out, tmp_path / "cache"))
    monkeypatch.setattr(export_pieces, "fingerprint", lambda: "another graphkit")
    assert PieceStore(out, tmp_path / "cache").open() == {}
    monkeypatch.undo()
    assert set(PieceStore(out, tmp_path / "cache").found) == {"graph.jsonld", "graph.ttl"}
    store = PieceStore(out, None)  # GRAPHKIT_CACHE=off
    store.save({"graph.ttl": {}})
    assert store.found == {}


def test_a_build_after_an_edit_writes_what_a_build_from_nothing_writes(tmp_path,
                                                                       monkeypatch) -> None:
    """`graphkit build` twice into a folder, the data edited in between (a note added to a
    relation): the second build's exports are byte for byte those of a build into an
    empty folder, with every chunk but the edited ones copied (a chunk per subject here)."""
    monkeypatch.setattr(export_pieces, "CHUNK_EVERY", 1)
    data = compose_case(tmp_path, None)
    out = tmp_path / "out"
    assert build(data, out, str(data), site=False).ok
    relations = data / "relations" / "base.yaml"
    text = relations.read_text(encoding="utf-8")
    relations.write_text(text.replace('  start: "1993-06"\n',
                                      '  start: "1993-06"\n  note: "Edited."\n', 1),
                         encoding="utf-8")
    found = PieceStore.default(out).open()
    assert set(found) == {"graph.jsonld", "graph.ttl"}
    for pieces in found.values():
        pieces.close()
    again = build(data, out, str(data), site=False)
    assert again.ok
    fresh = build(data, tmp_path / "fresh", str(data), site=False)
    for name in (*NAMES, "metrics.csv", "network.html"):
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    assert b"Edited." in (out / "graph.ttl").read_bytes()
    assert fresh.ok
