"""README.md tells the truth: its commands' output, its queries' answers (in plain rdflib and in
pyoxigraph), its counts and its ontology table."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
import rdflib

from conftest import REPO
from graphkit.model import load_model
from graphkit.namespaces import PREFIXES

README = (REPO / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"<!-- query: (\S+) -->\n```sparql\n(.*?)```\n```\n(.*?)```", README, re.S)
# <!-- output: LABEL --> then a block whose first line is `$ graphkit ARGS` (continued by `\`)
OUTPUTS = re.findall(r"<!-- output: (.+?) -->\n```\n\$ graphkit ((?:[^\n]*\\\n)*[^\n]*)\n(.*?)```",
                     README, re.S)
ELISION = "  ..."


def test_readme_has_both_commands() -> None:
    for marker in ("main-command", "test-command"):
        block = re.search(rf"<!-- {marker} -->\n```\n(.+?)\n```\n<!-- /{marker} -->", README)
        assert block, marker
    assert "graphkit build" in re.search(r"<!-- main-command -->\n```\n(.+?)\n", README).group(1)


def test_readme_examples_are_marked() -> None:
    """Every example a reader can run is checked below: the named outputs and the queries."""
    assert len(OUTPUTS) >= 10 and len(QUERIES) >= 3
    assert README.count("<!-- output:") == len(OUTPUTS)
    assert README.count("<!-- query:") == len(QUERIES)


def _shown(stdout: str, stderr: str) -> list[str]:
    """What a terminal shows: the notes on stderr come before the answer on stdout."""
    return [line.rstrip() for line in (stderr + stdout).splitlines()]


def _is_subsequence(wanted: list[str], lines: list[str]) -> bool:
    it = iter(lines)
    return all(any(w == line for line in it) for w in wanted)


@pytest.mark.parametrize("label,args,block", OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_readme_output_is_what_the_command_prints(label, args, block, monkeypatch) -> None:
    """An output block without '  ...' lines is the whole output; with them, its lines appear
    in that order (the elided lines left out)."""
    from click.testing import CliRunner

    from graphkit.cli import main

    argv = shlex.split(args.replace("\\\n", " "))
    if "diff" in argv:
        revision = argv[argv.index("diff") + 1]
        known = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{revision}^{{commit}}"],
                               capture_output=True)
        if known.returncode:
            pytest.skip(f"git history without {revision} (a shallow clone)")
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, argv, catch_exceptions=False, terminal_width=200)
    assert result.exit_code == 0, result.stderr
    shown = _shown(result.stdout, result.stderr)
    wanted = [line.rstrip() for line in block.splitlines()]
    if ELISION in wanted:
        kept = [w for w in wanted if w != ELISION]
        assert _is_subsequence(kept, shown), "\n".join(shown)
    else:
        assert shown == wanted


def _rows(answers, normalise) -> list[str]:
    return [" | ".join(normalise(v) for v in row).rstrip() for row in answers]


@pytest.fixture(scope="module")
def oxigraph_store():
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(REPO / "exports" / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def _short(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(ns) and prefix:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@pytest.mark.parametrize("name,query,answer", QUERIES, ids=[q[0] for q in QUERIES])
def test_readme_query_runs_in_plain_rdflib_and_pyoxigraph(graph, oxigraph_store, name, query,
                                                          answer) -> None:
    """Each README query carries its PREFIX lines and gives the answer printed under it, in a
    plain rdflib Graph read from graph.ttl and in pyoxigraph."""
    import pyoxigraph

    assert query.lstrip().startswith("PREFIX"), "a README query carries its PREFIX lines"
    expected = [line.rstrip() for line in answer.rstrip("\n").splitlines()]

    def from_rdflib(v) -> str:
        return _short(str(v)) if isinstance(v, rdflib.URIRef) else ("" if v is None else str(v))

    def from_oxigraph(v) -> str:
        if v is None:
            return ""
        return _short(v.value) if isinstance(v, pyoxigraph.NamedNode) else v.value

    assert _rows(graph.query(query), from_rdflib) == expected
    assert _rows(oxigraph_store.query(query), from_oxigraph) == expected


def test_readme_counts_are_the_shipped_datas(shipped) -> None:
    s = shipped.summary()
    line = (f"**{sum(s['actors'].values())} actors, {sum(s['relations'].values()):,} relations, "
            f"{s['sources']} sources, {s['citations']:,} citations** ({s['triples']:,} triples)")
    assert line in README


def test_readme_ontology_table_lists_every_relation_kind() -> None:
    for name, kind in load_model().relations.items():
        row = re.search(rf"^\| {re.escape(name)} \| `([^`]+)` \|", README, re.M)
        assert row, name
        iri = PREFIXES[row.group(1).split(":")[0]] + row.group(1).split(":")[1]
        assert iri == kind.class_iri


def test_readme_pictures_exist() -> None:
    for picture in re.findall(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", README):
        assert (REPO / picture).read_bytes()[:4] == b"\x89PNG", picture


def test_readme_error_report_is_the_cases() -> None:
    """The error report shown is the one tests/cases/invalid/NAME/expected.txt pins (and
    tests/test_validation.py checks against graphkit validate)."""
    from conftest import CASES

    shown = re.findall(r"<!-- case: (\S+) -->\n```\n\$ graphkit validate --data my-data\n(.*?)```",
                       README, re.S)
    assert shown
    for name, block in shown:
        expected = (CASES / "invalid" / name / "expected.txt").read_text(encoding="utf-8")
        assert block == expected.replace("{data}", "my-data")
