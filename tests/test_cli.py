"""The command as users run it: help with examples, version, and actor cards."""

from __future__ import annotations

import re

import pytest

from conftest import run
from graphkit import __version__

COMMANDS = ["validate", "build", "show", "shapes", "metrics", "bridges", "brokers",
            "evolution", "export", "cuts", "view", "query", "serve", "push"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout
    assert f"graphkit {command}" in result.stdout


def test_top_level_help_and_version() -> None:
    result = run("--help", process=True)
    assert result.returncode == 0
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command
    assert run("--version", process=True).stdout.strip() == f"graphkit, version {__version__}"


def test_python_dash_m_runs_the_command_as_the_console_script_does(tmp_path) -> None:
    """`python -m graphkit.cli build` works as `graphkit build` does (it stopped with a
    NameError: the module ran its command before defining the build's collector settings)."""
    import subprocess
    import sys

    from conftest import REPO

    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "graphkit.cli", "build", "--data",
                             str(REPO / "data"), "--out", str(out), "--no-site", "--no-metrics",
                             "--no-shacl"], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "done in" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["graph.jsonld", "graph.nt", "graph.ttl"]

@pytest.mark.parametrize("name", ["DPRK", "North Korea", "pyongyang", "dprk",
                                  "Democratic People's Republic of Korea"])
def test_show_finds_an_actor_by_id_name_or_alias_in_any_case(name: str) -> None:
    result = run("show", name)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == "Democratic People's Republic of Korea  [dprk]"


def test_show_card_lists_relations_with_dates_and_sources() -> None:
    text = run("show", "cscap").stdout
    assert "type:        Track-2 network" in text
    assert "founding (" in text
    assert "1993-06" in text and "place: Kuala Lumpur" in text
    assert "[polity-prober-cscap]" in text
    assert "influence (" in text and "Track 2" in text


def test_show_unknown_actor_suggests_the_closest() -> None:
    result = run("show", "cscp")
    assert result.returncode == 1
    assert result.stderr.strip() == "graphkit: no actor named 'cscp' (did you mean 'cscap'?)"


def test_the_shipped_data_installed_is_placed_as_the_repository_keeps_it(tmp_path,
                                                                          monkeypatch) -> None:
    """An installed graphkit reads its shipped data from inside the package (site-packages):
    its problems, map and site place each record under ``data/`` as the repository does, so
    its build writes the checkout's files (.ci/run compares a real wheel's with exports/)."""
    import shutil

    from conftest import compose_case
    from graphkit import files

    data = compose_case(tmp_path, None)
    installed = tmp_path / "site-packages" / "graphkit" / "data"
    shutil.copytree(data, installed)
    monkeypatch.setattr(files, "installed_copy", lambda folder: folder == installed)
    result = run("build", "--data", str(installed), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "network.html").read_text(encoding="utf-8")
    assert '"where":"data/relations/base.yaml:' in page
    assert "site-packages" not in page
    assert files.shown_as(data) == str(data)
