"""`graphkit build`: atomic, deterministic exports, and the committed exports are current."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import REPO, compose_case, run, stage_times
from graphkit import exports
from graphkit.build import build

EXPORTS = ("graph.jsonld", "graph.nt", "graph.ttl", "metrics.csv", "network.html", "site")


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the site's pages included) and its hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """`graphkit build` of the shipped data in two fresh processes at once, with different
    hash seeds: ((folder, stdout), (folder, stdout))."""
    import subprocess

    from conftest import GRAPHKIT

    root = tmp_path_factory.mktemp("builds")
    procs = []
    for name, seed in (("a", "1"), ("b", "4242")):
        procs.append((root / name, subprocess.Popen(
            [str(GRAPHKIT), "build", "--out", str(root / name)], cwd=REPO, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": seed})))
    done = []
    for out, proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        done.append((out, stdout))
    return done


def test_committed_exports_are_current(two_builds) -> None:
    """exports/ holds the build of the shipped data, so people can take the graph without
    installing anything; rebuild with `graphkit build` when this fails."""
    built, committed = digest(two_builds[0][0]), digest(REPO / "exports")
    stale = sorted(k for k in set(built) | set(committed) if built.get(k) != committed.get(k))
    assert not stale, f"exports/ is stale ({stale[:5]}...): run `graphkit build`"


def test_build_is_byte_identical_across_processes_and_hash_seeds(two_builds) -> None:
    """Two builds in fresh processes with different hash seeds write the same bytes."""
    (out1, _), (out2, _) = two_builds
    assert digest(out1) == digest(out2)
    assert sorted(p.name for p in out1.iterdir()) == sorted(EXPORTS)


def test_build_prints_a_summary(two_builds) -> None:
    text = two_builds[0][1]
    assert text.startswith("actors (")
    for line in ("relations (", "sources: ", "wrote ", "graph.ttl", "done in "):
        assert line in text
    assert "membership" in text and "state" in text


def test_failed_build_leaves_previous_exports_untouched(tmp_path: Path) -> None:
    data = compose_case(tmp_path, None)
    out = tmp_path / "exports"
    first = run("build", "--data", str(data), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = digest(out)
    broken = data / "relations" / "broken.yaml"
    broken.write_text("- type: membership\n  member: cscp\n  organisation: asean\n"
                      "  sources:\n    - {source: public-page, quote: \"CSCAP joined ASEAN.\"}\n")
    second = run("build", "--data", str(data), "--out", str(out))
    assert second.returncode == 1
    assert f"{broken}:2: member: unknown actor 'cscp' (did you mean 'cscap'?)" in second.stderr
    assert "nothing written" in second.stderr
    assert "Traceback" not in second.stderr
    assert digest(out) == before  # same files, same bytes, no temporary files left behind


def test_interrupted_write_leaves_targets_untouched(tmp_path: Path, monkeypatch) -> None:
    """A failure while writing (disk full, killed) after some files are staged changes nothing."""
    out = tmp_path / "exports"
    out.mkdir()
    for name in EXPORTS:
        (out / name).write_bytes(b"previous " + name.encode())
    before = digest(out)
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        exports.write_atomic(out, {name: b"new" for name in EXPORTS})
    assert digest(out) == before


def test_build_of_base_case_writes_three_formats(tmp_path: Path) -> None:
    data = compose_case(tmp_path, None)
    result = build(data, tmp_path / "out", str(data))
    assert result.ok
    assert sorted(p.name for p in result.written) == list(EXPORTS)


def test_parallel_turtle_writes_the_same_bytes(shipped, tmp_path: Path, monkeypatch) -> None:
    """The Turtle written by another Python process (on large graphs) gives the same files as
    the inline one."""
    inline = exports.write_exports(tmp_path / "inline", shipped.triples, shipped.lines)
    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    forked = exports.write_exports(tmp_path / "forked", shipped.triples, shipped.lines)
    assert [p.name for p in inline] == [p.name for p in forked]
    assert digest(tmp_path / "inline") == digest(tmp_path / "forked")


def test_the_turtle_helper_imports_this_graphkit_wherever_it_runs(shipped, tmp_path: Path,
                                                                  monkeypatch) -> None:
    """A build run in a folder holding another graphkit (a checkout of another version) has
    its Turtle written by this graphkit's code, not that folder's."""
    other = tmp_path / "elsewhere" / "graphkit"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("raise ImportError('the wrong graphkit')\n")
    monkeypatch.chdir(other.parent)
    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    exports.write_exports(tmp_path / "out", shipped.triples, shipped.lines, ["ttl"])
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == exports.turtle(shipped.lines)


def _whole_turtle(lines: list[str]) -> bytes:
    """pyoxigraph's Turtle of the lines in one go, prefixes in the project's order: what the
    chunked writer must give, made here without it."""
    import pyoxigraph as ox

    from graphkit.namespaces import PREFIXES

    data = ox.serialize(ox.parse(("\n".join(lines) + "\n").encode(),
                                 format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).split(b"\n")
    head = [line for line in data if line.startswith(b"@prefix ")]
    order = [f"@prefix {p}: <{ns}> .".encode() for p, ns in PREFIXES.items()]
    head.sort(key=order.index)
    return b"\n".join(head) + b"\n\n" + b"\n".join(data[len(head):])


@pytest.mark.parametrize("every", [1, 2, 64])
def test_turtle_and_json_ld_in_chunks_are_the_whole_files(shipped, tmp_path: Path, monkeypatch,
                                                          every: int) -> None:
    """The exports written chunk by chunk (down to a chunk per subject) are byte for byte
    pyoxigraph's Turtle of the whole graph and the JSON-LD written in one piece; a chunk always
    begins where a subject does, and at the actors' and the ontology's borders."""
    from graphkit import export_pieces
    from graphkit.namespaces import ACTOR, GK

    lines, triples = shipped.lines, shipped.triples
    monkeypatch.setattr(export_pieces, "CHUNK_EVERY", every)
    starts = export_pieces.chunk_starts(triples)
    subjects = [t[0] for t in triples]
    assert starts[0] == 0 and all(subjects[k] != subjects[k - 1] for k in starts[1:])
    actors = [k for k, s in enumerate(subjects) if s.startswith(ACTOR)]
    ontology = [k for k, s in enumerate(subjects) if s.startswith(GK)]
    assert {actors[0], actors[-1] + 1, ontology[0]} <= set(starts)
    if every == 1:
        assert len(starts) == len(set(subjects))
    else:
        assert len(set(subjects)) / len(starts) > every / 4
    written = exports.write_exports(tmp_path / "out", triples, lines, ["ttl", "jsonld"])
    assert [p.name for p in written] == ["graph.ttl", "graph.jsonld"]
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == _whole_turtle(lines)
    nodes = exports.jsonld_piece(triples, 0, len(triples))  # every node in one piece
    assert (tmp_path / "out" / "graph.jsonld").read_bytes() == exports.jsonld(triples)
    assert nodes in exports.jsonld(triples)
    assert exports.turtle(lines) == _whole_turtle(lines)


def test_json_ld_written_ahead_is_used_only_where_it_still_stands(shipped, tmp_path) -> None:
    """The JSON-LD pieces of the subjects no measure touches (written while the measures run,
    whole or cut short) make the same file as the JSON-LD written in one go; where a triple
    was added inside their run since, the piece of its chunk is not used and the file is still
    right."""
    from graphkit import export_pieces
    from graphkit.namespaces import ACTOR, GK
    from graphkit.to_rdf import Lit, canonical, merge_canonical

    lines, triples = shipped.lines, shipped.triples
    whole = exports.jsonld(triples)
    asked = []
    for done in (lambda: False, lambda: asked.append(1) or True):
        ahead = exports.JsonLdAhead(tmp_path)
        ahead.write(triples, lines, done)
        assert ahead.count > 1_000 and ahead.pieces.index
        written = exports.write_exports(tmp_path / "out", triples, lines, ["jsonld"],
                                        ahead=ahead)
        assert written[0].read_bytes() == whole
        ahead.close()
    assert asked == [1]  # cut short at the first asking: 8 chunks written ahead

    ahead = exports.JsonLdAhead(tmp_path)
    ahead.write(triples, lines, lambda: False)
    actor = next(t[0] for t in triples if t[0].startswith(ACTOR))  # lines added before the run:
    before = merge_canonical((lines, triples), canonical([(actor, GK + "x", Lit("1")),
                                                          (actor, GK + "y", Lit("2"))]))
    assert ahead.chunks(before[1], before[0]) == export_pieces.chunk_starts(before[1])
    assert ahead.chunks(triples, lines) == export_pieces.chunk_starts(triples)
    # the run's names are taken as they were made (its bytes are where they were), and they
    # are the names of the merged graph's chunks: the N-Triples' SHA-256 of each
    starts = ahead.chunks(before[1], before[0])
    known = ahead.names_of(before[0], starts)
    assert len(known) == len(ahead.starts) > 10
    chunks = exports._Chunks(before[1], before[0], starts)
    assert all(chunks.names[k] == name for k, name in known.items())
    assert exports._Chunks(before[1], before[0], starts, known).names == chunks.names
    assert ahead.names_of(list(before[0]), starts) == {}  # lines with no places: none taken
    made = []
    real = exports.jsonld_piece

    def counted(*args, **kwargs):
        made.append(args[1:3])
        return real(*args, **kwargs)

    at = next(k for k, line in enumerate(lines) if line.startswith("<https://w3id.org/graphkit/id/relation/"))
    inside = lines[at + 10].split(" ", 1)[0][1:-1]
    for added in ((inside, GK + "note", Lit("new")), (inside, "http://0", Lit("new"))):
        merged = merge_canonical((lines, triples), canonical([added]))
        made.clear()
        exports.jsonld_piece = counted
        try:
            written = exports.write_exports(tmp_path / "out", merged[1], merged[0], ["jsonld"],
                                            ahead=ahead)
        finally:
            exports.jsonld_piece = real
        assert written[0].read_bytes() == exports.jsonld(merged[1])
        assert any(a <= merged[1].index(added) < b for a, b in made)  # its chunk made anew
        assert ahead.chunks(merged[1], merged[0]) is None  # the run no longer holds
        assert ahead.names_of(merged[0], export_pieces.chunk_starts(merged[1])) == {}
        chunks = len(export_pieces.chunk_starts(merged[1]))  # the others taken from ahead:
        assert len(made) == chunks - len(ahead.pieces.index) + 1  # those outside its run
        assert len(ahead.pieces.index) > 10 * (len(made) - 1)
    ahead.close()


def test_json_ld_ahead_forks_the_rest_once_the_measures_are_in(shipped, tmp_path,
                                                              monkeypatch) -> None:
    """Once the measures are in, a forked process makes the JSON-LD of the rest of the run
    while the build goes on: the file is the same, and the chunks' names it made are those
    the build would make; not in a rebuild, where the previous export holds the chunks seen
    before the fork. A process that dies is not waited for in vain: the build makes its
    pieces itself, and the file is still the same."""
    monkeypatch.setattr(exports, "JSONLD_FORK_FROM", 0)
    lines, triples = shipped.lines, shipped.triples
    whole = exports.jsonld(triples)
    for crash in (False, True):
        if crash:  # as if killed, with nothing said
            monkeypatch.setattr(exports, "_jsonld_pieces", lambda *args: os._exit(3))
        ahead = exports.JsonLdAhead(tmp_path)
        ahead.write(triples, lines, lambda: True)
        assert ahead.forked is not None
        assert 0 < ahead.count < ahead.run[1] - ahead.run[0]  # 8 chunks here, the rest forked
        starts = ahead.chunks(triples, lines)
        known = ahead.names_of(lines, starts)
        assert len(known) == len(ahead.starts) > 10
        names = exports._Chunks(triples, lines, starts).names
        assert all(names[k] == name for k, name in known.items())
        made = []
        real = exports.jsonld_piece
        monkeypatch.setattr(exports, "jsonld_piece", lambda *args: made.append(1) or real(*args))
        written = exports.write_exports(tmp_path / "out", triples, lines, ["jsonld"],
                                        ahead=ahead)
        monkeypatch.setattr(exports, "jsonld_piece", real)
        assert written[0].read_bytes() == whole
        if crash:  # made here: every chunk but the 8 written ahead
            assert len(made) == len(starts) - 8
        else:  # here, only the chunks outside the run
            assert len(made) == len(starts) - len(ahead.starts)
            assert len(ahead.forked.index) == len(ahead.starts) - 8
        ahead.close()
    # a rebuild: the previous export holds the chunks seen here, so none is forked
    from graphkit.export_pieces import Pieces

    held = Pieces(None, {name: (0, 0, None) for name in exports._Chunks(triples, lines).names})
    ahead = exports.JsonLdAhead(tmp_path, held)
    ahead.write(triples, lines, lambda: True)
    assert ahead.forked is None and ahead.count > 0 and not ahead.pieces.index
    ahead.close()


def _json_ld_forks_read(monkeypatch) -> list:
    """Forks for any JSON-LD left (thresholds at 0); the list of what the build reads from a
    forked process (:class:`exports.JsonLdProcess`), a piece or None each time, filled as it
    reads."""
    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(exports, "JSONLD_FORK_FROM", 0)
    made: list = []
    real = exports.JsonLdProcess.read
    monkeypatch.setattr(exports.JsonLdProcess, "read",
                        lambda self, name: made.append(real(self, name)) or made[-1])
    return made


def _same_files(one: list[Path], other: list[Path]) -> bool:
    return ([p.name for p in one] == [p.name for p in other]
            and all(a.read_bytes() == b.read_bytes() for a, b in zip(one, other)))


def test_a_forked_process_shares_the_json_ld_left_and_the_exports_are_the_same(
        shipped, tmp_path, monkeypatch) -> None:
    """Where much JSON-LD is left to write, a forked process makes the last of it while the
    build writes the N-Triples and the rest: every export is byte for byte the same."""
    plain = exports.write_exports(tmp_path / "plain", shipped.triples, shipped.lines)
    made = _json_ld_forks_read(monkeypatch)
    forked = exports.write_exports(tmp_path / "forked", shipped.triples, shipped.lines)
    assert _same_files(forked, plain)
    assert sum(piece is not None for piece in made) > 10  # pieces the fork made, used


def test_no_json_ld_fork_for_a_graph_too_large_for_one(shipped, tmp_path, monkeypatch) -> None:
    """A graph of ``JSONLD_FORK_BELOW`` triples or more (here: the shipped data's) has no
    forked JSON-LD process, neither while the measures run nor in the write stage: a fork
    there copies more than it saves. The exports are byte for byte the same."""
    plain = exports.write_exports(tmp_path / "plain", shipped.triples, shipped.lines)
    made = _json_ld_forks_read(monkeypatch)
    assert exports.forks_jsonld(len(shipped.lines)) == exports.can_fork()
    monkeypatch.setattr(exports, "JSONLD_FORK_BELOW", len(shipped.lines))
    assert not exports.forks_jsonld(len(shipped.lines))
    ahead = exports.JsonLdAhead(tmp_path)
    ahead.write(shipped.triples, shipped.lines, lambda: True)  # the measures in at once
    assert ahead.forked is None and ahead.count > 0
    written = exports.write_exports(tmp_path / "large", shipped.triples, shipped.lines,
                                    ahead=ahead)
    ahead.close()
    assert made == []  # no forked process to read from
    assert _same_files(written, plain)


def test_json_ld_ahead_without_room_is_written_whole_later(shipped, tmp_path,
                                                           monkeypatch) -> None:
    """No room to write the JSON-LD ahead (a full disk): nothing is kept of it, and the export
    is written whole, the same."""
    import errno
    import tempfile

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    ahead = exports.JsonLdAhead(tmp_path)
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    ahead.write(shipped.triples, shipped.lines, lambda: False)
    monkeypatch.undo()
    assert ahead.count == 0 and not ahead.pieces.index
    written = exports.write_exports(tmp_path / "out", shipped.triples, shipped.lines,
                                    ["jsonld"], ahead=ahead)
    assert written[0].read_bytes() == exports.jsonld(shipped.triples)


def test_a_build_writes_json_ld_ahead_while_the_measures_run(tmp_path, monkeypatch) -> None:
    """A build whose measures run in another process writes the JSON-LD of the subjects they
    leave alone meanwhile (from 2,000 actors and 200,000 triples; here at any size, with the
    measures held back until it is done): its exports are byte for byte a plain build's."""
    from graphkit import build as building
    from graphkit import forks

    plain = build(REPO / "data", tmp_path / "plain", "data")
    monkeypatch.setattr(building, "MEASURE_IN_CHILD_FROM", 0)
    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(forks, "ready", lambda waiter: False)  # the measures are not ready
    wrote = []
    real = exports.JsonLdAhead.write

    def write(self, triples, lines, done):
        real(self, triples, lines, done)
        wrote.append(self.count)

    monkeypatch.setattr(exports.JsonLdAhead, "write", write)
    ahead = build(REPO / "data", tmp_path / "ahead", "data")
    assert ahead.ok and wrote and wrote[0] > 10_000
    assert "write the JSON-LD the measures leave alone, meanwhile" in dict(ahead.stages.times)
    assert digest(tmp_path / "ahead") == digest(tmp_path / "plain") == digest(REPO / "exports")
    assert plain.ok


def test_a_build_whose_lines_are_in_a_scratch_file_writes_the_same_bytes(
        tmp_path, monkeypatch) -> None:
    """From ``SPILL_FROM`` triples (here: any) the graph's lines are ordered a block of whole
    subjects at a time (here 1,000 triples) and kept in a scratch file: with the measures
    merged in after, the JSON-LD written ahead and the Turtle's helper process, the exports are
    byte for byte the committed ones, and the scratch file is gone with the build (none is
    left in the temporary folder). The collector is on again after the build, as before it."""
    import gc
    import tempfile

    from graphkit import build as building
    from graphkit import forks, to_rdf

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(to_rdf, "SPILL_FROM", 0)
    monkeypatch.setattr(to_rdf, "_BLOCK", 1_000)
    monkeypatch.setattr(building, "MEASURE_IN_CHILD_FROM", 0)
    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(forks, "ready", lambda waiter: False)  # measures merged in after
    assert gc.isenabled()
    result = build(REPO / "data", tmp_path / "out", "data")
    assert result.ok and result.lines.spilled and len(result.lines) == result.summary()["triples"]
    assert "add the measures to the triples" in dict(result.stages.times)
    assert digest(tmp_path / "out") == digest(REPO / "exports")
    assert gc.isenabled()
    del result
    assert list(scratch.iterdir()) == []


def test_no_room_for_the_scratch_file_is_a_readable_error_and_the_exports_stay(
        tmp_path, monkeypatch) -> None:
    """A large graph whose lines cannot be kept in the temporary folder (here: it does not
    exist) fails the build with a sentence naming the folder and ``TMPDIR``, and the previous
    exports stay as they were."""
    import tempfile

    from graphkit import to_rdf
    from graphkit.build import WriteError

    out = tmp_path / "out"
    assert build(REPO / "data", out, "data").ok
    before = digest(out)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    monkeypatch.setattr(to_rdf, "SPILL_FROM", 0)
    with pytest.raises(WriteError) as failed:
        build(REPO / "data", out, "data", shacl=False)
    said = str(failed.value)
    assert "temporary folder" in said and "no-such-folder" in said and "TMPDIR" in said
    assert digest(out) == before


def test_a_file_that_cannot_reach_the_disk_leaves_the_exports_untouched(
        shipped, tmp_path: Path, monkeypatch) -> None:
    """Files are flushed to disk by a thread while the next is written; a failure there (an
    I/O error at fsync) fails the whole write: the previous exports stay, no staged file is
    left, and the error is the disk's."""
    import errno

    out = tmp_path / "exports"
    out.mkdir()
    for name in ("graph.jsonld", "graph.nt", "graph.ttl"):
        (out / name).write_bytes(b"previous")
    before = digest(out)
    real = os.fsync
    calls = []

    def failing(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(exports.os, "fsync", failing)
    with pytest.raises(OSError, match="Input/output error"):
        exports.write_exports(out, shipped.triples, shipped.lines)
    assert len(calls) >= 2
    assert digest(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["graph.jsonld", "graph.nt", "graph.ttl"]


def test_failed_parallel_turtle_leaves_targets_untouched(shipped, tmp_path: Path,
                                                         monkeypatch) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    for name in EXPORTS:
        (out / name).write_bytes(b"previous")
    before = digest(out)
    staged = exports.Staging.path

    def full_disk(self, name: str) -> Path:  # the Turtle's process writes into /dev/full
        path = staged(self, name)  # (into graph.ttl itself, where it writes every chunk's)
        if name in (".turtle-pieces", "graph.ttl"):
            path.unlink()
            path.symlink_to("/dev/full")
        return path

    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(exports.Staging, "path", full_disk)
    with pytest.raises(RuntimeError, match="writing the Turtle export failed: .*No space left"):
        exports.write_exports(out, shipped.triples, shipped.lines)
    assert digest(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(EXPORTS)  # nothing staged is left


def test_the_turtle_helper_answers_through_a_file_and_a_cut_answer_is_a_readable_error(
        shipped, tmp_path: Path) -> None:
    """The Turtle's helper process lists the pieces it wrote in a file (a pipe may take a
    large answer in part: under py-spy the 100k build's list was cut at 64 KiB and the build
    ended in a JSON traceback). Whole, the pieces are the Turtle of their chunks; cut, the
    build says which step failed."""
    chunks = exports._Chunks(shipped.triples, shipped.lines)
    out = tmp_path / "out"
    with exports.Staging(out) as stage:
        nt = stage.path("graph.nt")
        taken = list(range(len(chunks.names)))[:5]
        helper = exports.TurtleProcess(stage, nt, chunks, taken)  # before the file is written
        stage.settle(nt, lambda fh: chunks.write(fh, helper.written), "wb")
        pieces = helper.wait()
        assert [pieces.read(chunks.names[k]) for k in taken] == \
            [exports.turtle_body(chunks.nt(k)) for k in taken]
        pieces.close()

        helper = exports.TurtleProcess(stage, nt, chunks, taken)
        with open(nt, "rb") as fh:
            for k in taken:
                helper.written(k, fh)
        helper.all_written()
        helper.process.wait()
        helper.lengths.write_text(helper.lengths.read_text(encoding="utf-8")[:-2],
                                  encoding="utf-8")
        with pytest.raises(RuntimeError, match="writing the Turtle export failed: its "
                                               "helper's list of pieces is unreadable"):
            helper.wait()

        # a helper that ended at once (its file is gone): the chunks sent after are not
        # taken, and the build says why it failed
        helper = exports.TurtleProcess(stage, tmp_path / "gone.nt", chunks, taken)
        helper.process.wait()
        with open(nt, "rb") as fh:
            for k in taken:
                helper.written(k, fh)
        with pytest.raises(RuntimeError, match="writing the Turtle export failed: "
                                               "FileNotFoundError"):
            helper.wait()
        stage._discard()


def test_a_helper_process_ends_once_its_answer_is_made(tmp_path: Path, monkeypatch) -> None:
    """A forked helper with a large answer (the build's map, 4 MB at 10,000 actors) ends as
    soon as it is made, not when the build gets round to reading it, so its memory is freed;
    the answer read later is whole, and the file that carried it had no name to leave behind."""
    import multiprocessing
    import tempfile
    import time

    from graphkit.forks import can_fork, in_child_steps

    if not can_fork():
        pytest.skip("no fork here: the steps run in this process")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rows, page = in_child_steps(lambda: list(range(1000)), lambda found: bytes(4_000_000))
    assert rows() == list(range(1000))
    for _ in range(200):  # at most 10 s
        if not multiprocessing.active_children():
            break
        time.sleep(0.05)
    assert multiprocessing.active_children() == []
    assert page() == bytes(4_000_000)
    assert list(tmp_path.iterdir()) == []


def test_work_shared_with_forked_processes_writes_the_same_bytes(two_builds, tmp_path,
                                                                 monkeypatch) -> None:
    """Measures beside the triples, files parsed and site pages rendered by several processes
    (what large data gets): the same exports as the committed build of the shipped data."""
    import graphkit.build as build_module
    import graphkit.dataset as dataset_module

    monkeypatch.setattr(build_module, "MEASURE_IN_CHILD_FROM", 1)
    monkeypatch.setattr(dataset_module, "PARALLEL_PARSE_FROM", 1)
    monkeypatch.setenv("GRAPHKIT_CACHE", str(tmp_path / "empty-cache"))  # parse every file
    result = build(REPO / "data", tmp_path / "out", "data")
    assert result.ok
    assert digest(tmp_path / "out") == digest(two_builds[0][0])


def test_timings_say_where_the_time_went(tmp_path) -> None:
    data = compose_case(tmp_path, None)
    result = run("build", "--data", str(data), "--out", str(tmp_path / "out"), "--timings")
    assert result.returncode == 0, result.stderr
    names = [name for name, _ in stage_times(result.stderr)]
    assert names[0] == "read and check the records"
    assert {"make the triples, in N-Triples order", "write the site",
            "write the graph, the table and the map"} <= set(names)


def test_a_shacl_violation_stops_the_build_and_leaves_no_process_behind(tmp_path, monkeypatch
                                                                        ) -> None:
    """SHACL, the map and the site's pages run in other processes: a violation found there
    still stops the build before anything is written, and every helper process has ended."""
    import multiprocessing

    from graphkit import shapes
    from graphkit.problems import Problem

    data = compose_case(tmp_path, None)
    out = tmp_path / "exports"
    monkeypatch.setattr(shapes, "validate_graph", lambda data, locate, engine="turbo": [
        Problem("data/relations/base.yaml", 3, "start", "a violation for the test")])
    result = build(data, out, str(data))
    assert not result.ok
    assert [str(p) for p in result.report.errors] == [
        "data/relations/base.yaml:3: start: a violation for the test"]
    assert not out.exists() or not any(out.iterdir())
    assert multiprocessing.active_children() == []


def test_measures_start_once_the_facts_are_made_and_stop_when_a_later_check_fails(
        tmp_path, monkeypatch) -> None:
    """From ``MEASURE_IN_CHILD_FROM`` actors (here: any) the measures start in another process
    as soon as the relations are resolved, before the quotes are looked up: a quote found in
    no document then still fails the build at once, with that error alone, and the measures'
    process (here one that would take a minute) is ended, not waited for."""
    import multiprocessing
    import time

    from graphkit import build as building
    from graphkit.forks import can_fork, in_child_steps

    if not can_fork():
        pytest.skip("no fork here: the measures run in this process, after the checks")
    data = compose_case(tmp_path, None)
    path = data / "relations" / "base.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "CSCAP has effectively functioned as", "CSCAP has always functioned as"),
        encoding="utf-8")
    started = []

    def slow(g):
        time.sleep(60)

    monkeypatch.setattr(building, "MEASURE_IN_CHILD_FROM", 1)
    monkeypatch.setattr(building, "measure_later", lambda g, view="actors", then=None: (
        started.append(len(g.facts)), in_child_steps(lambda: slow(g), lambda _: b""))[1])
    began = time.monotonic()
    result = build(data, tmp_path / "out", "data")
    assert time.monotonic() - began < 30
    assert started == [4]  # started, with every relation's fact
    assert [str(p) for p in result.report.errors] == [
        "data/relations/base.yaml:16: quote: quote not found in track2.txt (copy it verbatim "
        "from the document; white space and curly quotes may differ)"]
    assert not (tmp_path / "out").exists()
    assert multiprocessing.active_children() == []


def test_a_large_build_without_the_site_lets_the_records_go_and_writes_the_same(
        tmp_path, monkeypatch) -> None:
    """From ``RELEASE_RECORDS_FROM`` relations (here: any), a build that writes no site lets go
    of the relations' records once the triples are made (gigabytes at 100,000 actors): its
    exports and its counts are a build's that keeps them, and a SHACL finding is still shown
    at the record it concerns."""
    from graphkit import build as building
    from graphkit import shapes
    from graphkit.namespaces import REL
    from graphkit.problems import Problem

    data = compose_case(tmp_path, None)
    kept = build(data, tmp_path / "kept", str(data), site=False)
    monkeypatch.setattr(building, "RELEASE_RECORDS_FROM", 0)
    let_go = build(data, tmp_path / "let-go", str(data), site=False)
    assert kept.dataset.relations and kept.dataset.facts
    assert let_go.dataset.relations == [] and let_go.dataset.facts == []
    assert let_go.summary() == kept.summary()
    assert digest(tmp_path / "let-go") == digest(tmp_path / "kept")
    assert set(digest(tmp_path / "kept")) == {n for n in EXPORTS if n != "site"}

    fact = kept.dataset.facts[-1]
    monkeypatch.setattr(shapes, "validate_graph", lambda data, locate, engine="turbo": [
        Problem(*locate(REL + fact.key), "start", "a violation for the test")])
    failed = build(data, tmp_path / "shacl", str(data), site=False, shacl=True)
    assert failed.dataset.relations == []
    assert [str(p) for p in failed.report.errors] == [
        f"{fact.record.path}:{fact.record.line}: start: a violation for the test"]
