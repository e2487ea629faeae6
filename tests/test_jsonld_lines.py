"""Work shared from both ends with a new process: the JSON-LD made from the run's lines
(graphkit.jsonld_lines), the Turtle's helper met by the build (graphkit.claims)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import REPO
from graphkit import exports
from graphkit.claims import Claims
from graphkit.export_pieces import chunk_starts
from graphkit.forks import graphkit_process
from graphkit.jsonld_lines import jsonld_piece_of_lines, lines_process_can_run
from graphkit.namespaces import ACTOR, PREFIXES
from graphkit.nt_lines import nt_data
from graphkit.to_rdf import Lit, canonical

needs_two_cores = pytest.mark.skipif(not lines_process_can_run(),
                                     reason="no second core, or not POSIX: no such process")


def _pieces_agree(triples, lines) -> int:
    """Each chunk's JSON-LD from its lines is the one from its triples; how many chunks."""
    starts = chunk_starts(triples)
    bounds = [*starts, len(triples)]
    memo_t: tuple[dict, dict] = ({}, {})
    memo_l: tuple[dict, dict] = ({}, {})
    for a, b in zip(bounds, bounds[1:]):
        assert (jsonld_piece_of_lines(nt_data(lines, a, b), memo_l)
                == exports.jsonld_piece(triples, a, b, memo_t))
    return len(starts)


def test_json_ld_from_the_lines_is_the_json_ld_from_the_triples(shipped) -> None:
    """Every chunk of the shipped graph: the same bytes from its N-Triples as from its
    triples."""
    assert _pieces_agree(shipped.triples, shipped.lines) > 100


def test_json_ld_from_the_lines_of_hostile_literals() -> None:
    """Literals N-Triples writes as they are but JSON escapes (a tab, other control
    characters), those both escape (a quote, a backslash, line breaks), text beyond ASCII,
    a literal that looks like the end of a line, datatypes, language tags, several types and
    values of one predicate: the same bytes either way."""
    a, b = ACTOR + "a", ACTOR + "b"
    label, note = PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "note"
    odd = ["tab\there", "bell\x07 and \x1f and \x00", 'a "quote" and a \\ backslash',
           "line\nbreak\r\nand back", "caf\u00e9 \u6771\u4eac \U0001f30f \u2028 sep",
           'ends like a line" .', "\\n not a line break", "", " ", "\\"]
    triples = [(a, PREFIXES["rdf"] + "type", PREFIXES["gk"] + "Actor"),
               (a, PREFIXES["rdf"] + "type", PREFIXES["org"] + "Organization"),
               (a, PREFIXES["schema"] + "startDate", Lit("1994-07-25", PREFIXES["xsd"] + "date")),
               (a, PREFIXES["gk"] + "x", Lit("1", "http://example.org/not#ours")),
               (b, label, Lit("B", None, "en-GB")), (b, label, Lit("B\tB", None, "fr")),
               (b, note, "http://example.org/x#y"), (b, note, ACTOR + "a")]
    triples += [(b, PREFIXES["skos"] + "altLabel", Lit(text)) for text in odd]
    triples += [(a, note, Lit(text, None, "en")) for text in odd]
    lines, ordered = canonical(triples)
    assert _pieces_agree(ordered, lines) >= 1
    whole = jsonld_piece_of_lines(nt_data(lines))
    assert whole == exports.jsonld_piece(ordered, 0, len(ordered))
    assert b"\\t" in whole and b"\\u0007" in whole


@needs_two_cores
def test_two_processes_taking_from_both_ends_make_every_chunk(tmp_path: Path) -> None:
    """A new process takes chunks from the last while this one takes them from the first, as
    fast as each can: every chunk is made, the other process makes every one after this
    one's last, and at most two are made by both. Several times over, the meeting point
    moving."""
    count = 200_000
    shares = []
    for round_ in range(4):
        claims = Claims.new(count)
        made_there = tmp_path / f"there-{round_}"
        other = graphkit_process(
            "import os, sys\n"
            "from graphkit.claims import Claims\n"
            "claims = Claims(os.fdopen(int(sys.argv[1]), 'r+b'))\n"
            "made = []\n"
            "for k in range(int(sys.argv[2]) - 1, -1, -1):\n"
            "    if not claims.take_back(k):\n"
            "        break\n"
            "    made.append(k)\n"
            "open(sys.argv[3], 'w').write(' '.join(map(str, made)))\n",
            [str(claims.fileno()), str(count), str(made_there)], pass_fds=[claims.fileno()])
        deadline = time.monotonic() + 30
        while claims.back > count - 1 - 5_000 * round_ and time.monotonic() < deadline:
            time.sleep(0.001)  # the other process gets further each round before this starts
        made_here, last = [], None
        for k in range(count):
            more = claims.take_front(k)
            made_here.append(k)
            if not more:
                last = k
                break
        assert other.wait(timeout=60) == 0
        there = [int(k) for k in made_there.read_text().split()]
        claims.close()
        assert set(made_here) | set(there) == set(range(count))
        assert len(set(made_here) & set(there)) <= 2
        assert last is not None and set(range(last + 1, count)) <= set(there)
        shares.append(len(there))
    assert min(shares) > 0 and max(shares) < count


def test_the_build_and_the_turtle_helper_meet_wherever_each_got(shipped, tmp_path: Path) -> None:
    """The Turtle's helper takes its chunks from the first, the build from the last once it
    is free: where the build came first it made them all (the helper at most one), where the
    helper had ended it made none; the Turtle is the same either way."""
    import io

    chunks = exports._Chunks(shipped.triples, shipped.lines)
    taken = list(range(len(chunks.names)))
    whole = exports.turtle(shipped.lines)
    with exports.Staging(tmp_path / "out") as stage:
        nt = stage.path("graph.nt")
        with open(nt, "wb") as fh:
            chunks.write(fh)
        for build_first in (True, False):
            helper = exports.TurtleProcess(stage, nt, chunks, taken)
            if build_first:
                mine = helper.rest(stage.path(".mine"))
            with open(nt, "rb") as fh:
                for k in taken:
                    helper.written(k, fh)
            helper.all_written()
            if not build_first:
                helper.process.wait()
                mine = helper.rest(stage.path(".mine"))
            helped = helper.wait()
            if build_first:
                assert len(mine.index) == len(taken) and len(helped.index) <= 1
            else:
                assert not mine.index and len(helped.index) == len(taken)
            out = io.BytesIO()
            chunks.write_turtle(out, [mine, helped])
            assert out.getvalue() == whole
            for pieces in (mine, helped):
                pieces.close()
            helper.stop()
        stage._discard()


@needs_two_cores
def test_a_large_graph_shares_its_json_ld_with_a_process_reading_its_lines(
        tmp_path: Path, monkeypatch) -> None:
    """A graph too large for a forked JSON-LD process (here the shipped data, every limit
    at 0), its lines in a scratch file: a new process names the run's chunks and makes their
    JSON-LD from the last one backwards while the build makes them from the first. Both
    made pieces of the file, and the exports are byte for byte the committed ones. A process
    killed as it starts costs only time: the build makes its pieces, the bytes the same."""
    from graphkit import build as building
    from graphkit import forks, jsonld_lines, to_rdf
    from graphkit.build import build
    from test_build import digest

    monkeypatch.setattr(to_rdf, "SPILL_FROM", 0)
    monkeypatch.setattr(building, "MEASURE_IN_CHILD_FROM", 0)
    for name in ("PARALLEL_FROM", "JSONLD_FORK_FROM", "JSONLD_FORK_BELOW"):
        monkeypatch.setattr(exports, name, 0)
    monkeypatch.setattr(forks, "ready", lambda waiter: False)  # the measures not in yet
    real_piece, real_read = exports.jsonld_piece, jsonld_lines.JsonLdLines.read
    made_here, read_there, started = [], [], []

    def slowly(*args):  # the build's pieces take long enough for the other process to start
        made_here.append(1)
        time.sleep(0.01)
        return real_piece(*args)

    def read(self, name):
        read_there.append(real_read(self, name))
        return read_there[-1]

    real_init, real_stop = jsonld_lines.JsonLdLines.__init__, jsonld_lines.JsonLdLines.stop
    said = []

    def init(self, *args):
        real_init(self, *args)
        started.append(self)

    def stop(self):
        said.append(self.failure())
        real_stop(self)

    monkeypatch.setattr(exports, "jsonld_piece", slowly)
    monkeypatch.setattr(jsonld_lines.JsonLdLines, "read", read)
    monkeypatch.setattr(jsonld_lines.JsonLdLines, "__init__", init)
    monkeypatch.setattr(jsonld_lines.JsonLdLines, "stop", stop)
    result = build(REPO / "data", tmp_path / "out", "data")
    assert result.ok and len(started) == 1
    assert digest(tmp_path / "out") == digest(REPO / "exports")
    there = sum(piece is not None for piece in read_there)
    assert there > 5 and len(made_here) > 8  # each side made some of the run
    assert said == [""]  # it said nothing on its standard error

    def killed(self, *args):
        real_init(self, *args)
        self.process.kill()
        started.append(self)

    monkeypatch.setattr(jsonld_lines.JsonLdLines, "__init__", killed)
    read_there.clear()
    result = build(REPO / "data", tmp_path / "killed", "data")
    assert result.ok and len(started) == 2
    assert not any(piece is not None for piece in read_there)
    assert digest(tmp_path / "killed") == digest(REPO / "exports")


def test_the_turtle_helper_writes_the_file_itself_only_when_every_chunk_is_new(
        shipped, tmp_path: Path, monkeypatch) -> None:
    """A first build's Turtle helper writes graph.ttl itself (the prefixes, then its chunks),
    and the build adds the chunks it took after them; a rebuild's helper writes only the
    chunks that changed, into a scratch file, and the build copies the rest from the previous
    file. Both files are the Turtle of their graph, and the rebuild found its pieces."""
    from graphkit.export_pieces import PieceStore
    from graphkit.namespaces import GK

    monkeypatch.setattr(exports, "PARALLEL_FROM", 0)
    out, keep = tmp_path / "out", tmp_path / "keep"
    lines, triples = shipped.lines, shipped.triples
    targets = []
    real = exports.TurtleProcess.__init__

    def init(self, stage, nt, chunks, taken, into=None):
        targets.append((into is not None, len(taken), len(chunks.names)))
        real(self, stage, nt, chunks, taken, into)

    monkeypatch.setattr(exports.TurtleProcess, "__init__", init)
    exports.write_exports(out, triples, lines, ["nt", "ttl"], reuse=PieceStore(out, keep))
    assert (out / "graph.ttl").read_bytes() == exports.turtle(lines)
    relation = next(line for line in lines
                    if line.startswith("<https://w3id.org/graphkit/id/relation/"))
    added = canonical([(relation.split(" ", 1)[0][1:-1], GK + "note", Lit("new"))])
    from graphkit.to_rdf import merge_canonical

    merged_lines, merged = merge_canonical((lines, triples), added)
    store = PieceStore(out, keep)
    exports.write_exports(out, merged, merged_lines, ["nt", "ttl"], reuse=store)
    store.close()
    assert (out / "graph.ttl").read_bytes() == exports.turtle(merged_lines)
    (first, taken, count), (again, changed, _) = targets
    assert first and taken == count > 100
    assert not again and changed == 1
