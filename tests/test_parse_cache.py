"""The parsed-data cache: a second build of unchanged data reads no file again; a changed file,
and only it, is read again; what comes out is the same as without the cache, errors included."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from conftest import CASES, compose_case, run
from graphkit.dataset import load_dataset
from graphkit.parse_cache import ParseCache


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRAPHKIT_CACHE", str(folder))
    return folder


def _load(data: Path):
    ds, report = load_dataset(data, "data")
    return ds, [str(p) for p in report.problems]


def _facts(ds) -> list[tuple]:
    return [(f.key, f.record.path, f.record.line) for f in ds.facts]


def test_files_another_process_parsed_are_loaded_meanwhile_and_the_same(tmp_path, cache,
                                                                      monkeypatch):
    """Where files are shared out, the build loads those another process parsed between its
    own: 120 files give the records one process gives, and each of the build's looks for a
    file not yet parsed costs one look (not one per file left: with thousands of files that
    would be millions)."""
    import graphkit.dataset
    from graphkit.forks import can_fork

    if not can_fork():
        pytest.skip("needs fork and a second core")
    data = compose_case(tmp_path, None)
    base = (data / "relations" / "base.yaml").read_text().split("\n\n")[0]
    for n in range(120):  # each file its own founding year: each a relation of its own
        (data / "relations" / f"more-{n:03}.yaml").write_text(
            base.replace('"1993-06"', f'"{1800 + n}"') + "\n", encoding="utf-8")
    monkeypatch.setenv("GRAPHKIT_CACHE", "off")
    alone, problems = _load(data)
    monkeypatch.setenv("GRAPHKIT_CACHE", str(cache))
    monkeypatch.setattr(graphkit.dataset, "PARALLEL_PARSE_FROM", 1)
    looks = []
    get = ParseCache.get
    monkeypatch.setattr(ParseCache, "get", lambda self, key: looks.append(key) or get(self, key))
    shared, again = _load(data)
    assert _facts(shared) == _facts(alone) and again == problems
    assert len(alone.parsed) == len(shared.parsed) == 122
    # one look per file before parsing, at most one per file parsed here and one per file
    # found, one per file at the end: 4 per file at most
    assert len(looks) <= 4 * 122, len(looks)


@pytest.mark.parametrize("shared", [False, True, "no scratch"],
                         ids=["one process", "shared out", "shared out, no scratch file"])
def test_unchanged_files_are_not_read_again_and_a_changed_one_is(tmp_path, cache, shared,
                                                                 monkeypatch):
    """Also where the files are shared out among processes (large data): each is stored by a
    helper that parsed it, or for the build's own share by a child forked once they are read,
    and the next build finds every one; so too where that child cannot be had (no room for
    its answer in the temporary folder: the build's own share is stored by the build)."""
    import graphkit.dataset
    import graphkit.forks

    if shared:
        monkeypatch.setattr(graphkit.dataset, "PARALLEL_PARSE_FROM", 1)
    if shared == "no scratch":
        from graphkit.scratch import ScratchError

        def no_room(*args):
            raise ScratchError(OSError(28, "No space left on device"))

        monkeypatch.setattr(graphkit.forks, "in_child", no_room)
    data = compose_case(tmp_path, None)
    (data / "relations" / "more.yaml").write_text(
        (data / "relations" / "base.yaml").read_text().split("\n\n")[0]
        .replace('"1993-06"', '"1993"') + "\n", encoding="utf-8")
    first, problems = _load(data)
    assert sorted(first.parsed) == ["data/actors/base.yaml", "data/relations/base.yaml",
                                    "data/relations/more.yaml"]
    second, again = _load(data)
    assert second.parsed == []
    assert _facts(second) == _facts(first) and again == problems
    assert sorted(second.actors) == sorted(first.actors)

    path = data / "relations" / "more.yaml"
    path.write_text(path.read_text().replace('"1993"', '"1994"'), encoding="utf-8")
    third, _ = _load(data)
    assert third.parsed == ["data/relations/more.yaml"]
    assert "founding.cscap.1994" in {f.key for f in third.facts}
    assert "founding.cscap.1993" not in {f.key for f in third.facts}


def test_names_in_quotes_are_looked_for_again_only_in_a_changed_file(tmp_path, cache,
                                                                    monkeypatch):
    """The warning that a quote names none of a relation's participants is kept per file: the
    next build looks again only at a changed file's quotes, and at every file's once an
    actor's names change; each time the warnings are a build's without the cache."""
    import graphkit.checks as checks

    data = compose_case(tmp_path, None)
    more = data / "relations" / "more.yaml"
    more.write_text('- type: membership\n  member: malaysia\n  organisation: asean\n'
                    '  start: "1967"\n  sources:\n    - source: public-page\n'
                    '      quote: "A founding member of the Association."\n', encoding="utf-8")
    looked = []
    real = checks._check_naming

    def spy(ds, citations, ids, path, matchers, problems):
        looked.append(path)
        real(ds, citations, ids, path, matchers, problems)

    def load() -> list[str]:
        looked.clear()
        _, problems = _load(data)
        seen = list(looked)
        monkeypatch.setenv("GRAPHKIT_CACHE", "off")
        try:
            assert _load(data)[1] == problems  # as without the cache
        finally:
            monkeypatch.setenv("GRAPHKIT_CACHE", str(cache))
        looked[:] = seen
        return problems

    monkeypatch.setattr(checks, "_check_naming", spy)
    warning = ("data/relations/more.yaml:7: quote: the quote names none of the participants "
               "(malaysia, asean) by any name or alias")
    first = load()
    assert sorted(set(looked)) == ["data/relations/base.yaml", "data/relations/more.yaml"]
    assert any(p.startswith(warning) for p in first)
    assert load() == first and looked == []
    more.write_text(more.read_text().replace('"1967"', '"1967-08"'), encoding="utf-8")
    assert any(p.startswith(warning) for p in load())
    assert looked == ["data/relations/more.yaml"]
    actors = data / "actors" / "base.yaml"
    actors.write_text(actors.read_text().replace("aliases: [ASEAN]",
                                                 "aliases: [ASEAN, the Association]"),
                      encoding="utf-8")
    assert not any(p.startswith(warning) for p in load())  # the alias names ASEAN there
    assert sorted(set(looked)) == ["data/relations/base.yaml", "data/relations/more.yaml"]


def test_problems_come_back_from_the_cache_located_as_before(tmp_path, cache):
    data = compose_case(tmp_path, CASES / "invalid" / "end-before-start")
    first = run("validate", "--data", str(data))
    second = run("validate", "--data", str(data))
    assert first.returncode == second.returncode == 1
    assert "dates.yaml:5: end: end 1999 is before start 2000-07" in second.stderr
    assert second.stderr == first.stderr
    # base actors and relations, dates.yaml; the names in the quotes of the relations' files
    assert len(list(cache.glob("*.pickle"))) == 5


def test_the_cache_can_be_turned_off_and_a_broken_entry_is_read_anew(tmp_path, cache,
                                                                     monkeypatch):
    data = compose_case(tmp_path, None)
    _load(data)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    ds, _ = _load(data)
    assert len(ds.parsed) == 2 and len(ds.facts) > 0
    monkeypatch.setenv("GRAPHKIT_CACHE", "off")
    assert len(_load(data)[0].parsed) == 2 and len(_load(data)[0].parsed) == 2


def test_a_folder_others_may_write_to_is_not_used(tmp_path):
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    os.chmod(folder, 0o777)
    (folder / "x.pickle").write_bytes(pickle.dumps("planted"))
    assert ParseCache(folder).folder is None and ParseCache(folder).get("x") is None
    os.chmod(folder, 0o700)
    assert ParseCache(folder).get("x") == "planted"


def test_a_change_of_model_reads_every_file_again(tmp_path, cache):
    from graphkit.model import ONTOLOGY_DIR

    data = compose_case(tmp_path, None)
    assert run("validate", "--data", str(data), process=True,
               env={"GRAPHKIT_CACHE": str(cache)}).returncode == 0
    entries = len(list(cache.glob("*.pickle")))
    ontology = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY_DIR, ontology)
    with open(ontology / "model.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the model's fingerprint\n")
    assert run("validate", "--data", str(data), process=True,
               env={"GRAPHKIT_CACHE": str(cache), "GRAPHKIT_ONTOLOGY": str(ontology)}
               ).returncode == 0
    # the actors' file, the relations' file and the names in its quotes, then as many anew
    assert entries == 3 and len(list(cache.glob("*.pickle"))) == 2 * entries


def test_a_copy_of_the_folder_is_read_from_the_cache_under_its_own_name(tmp_path, cache):
    data = compose_case(tmp_path / "a", CASES / "invalid" / "end-before-start")
    copy = tmp_path / "b" / "data"
    shutil.copytree(data, copy)
    _, problems = load_dataset(data, "old")
    ds, renamed = load_dataset(copy, "new")
    assert ds.parsed == []
    assert {f.record.path for f in ds.facts} <= {"new/relations/base.yaml",
                                                 "new/relations/dates.yaml"}
    assert {a.path for a in ds.actors.values()} == {"new/actors/base.yaml"}
    assert "new/relations/dates.yaml:5: end: end 1999 is before start 2000-07 (swap them or " \
           "correct one)" in [str(p) for p in renamed.problems]
    assert not any(str(p).startswith("old/") for p in renamed.problems)
