"""Shared fixtures: the repository, the shipped data, and small data folders built from cases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# the parsed-data cache of this test run (each worker its own), never the user's
os.environ.setdefault("GRAPHKIT_CACHE", __import__("tempfile").mkdtemp(prefix="graphkit-cache-"))

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
SHARED_SOURCES = REPO.parent / "shared" / "sources"
GRAPHKIT = Path(sys.executable).parent / "graphkit"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def compose_case(tmp: Path, overlay: Path | None) -> Path:
    """A data folder at ``tmp/data``: the base case with ``overlay``'s files put over it.

    The test documents sit beside it at ``tmp/documents`` (the base's ``documents_dir``).
    """
    data = tmp / "data"
    shutil.copytree(CASES / "base", data)
    shutil.copytree(CASES / "documents", tmp / "documents")
    if overlay is not None:
        for path in sorted(overlay.rglob("*.yaml")):
            target = data / path.relative_to(overlay)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return data


def run(*args: str, cwd: Path = REPO, env: dict | None = None,
        process: bool = False) -> subprocess.CompletedProcess:
    """Run ``graphkit ARGS`` in ``cwd`` and return its exit status, stdout and stderr.

    With ``process`` (or an ``env``), the installed ``graphkit`` command runs in a process of
    its own, as a user runs it (the tests of start-up, environment, exit codes and the wheel do
    so). Otherwise the same command line runs through click in this process, which skips the
    start-up and reuses a data folder already checked in the session (``cli_network.checked``);
    an exception there fails the test with its traceback rather than becoming an exit status.
    """
    if process or env is not None:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([str(GRAPHKIT), *args], cwd=cwd, capture_output=True, text=True,
                              env=full_env, timeout=120)
    from click.testing import CliRunner

    from graphkit.cli import main

    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False, prog_name="graphkit",
                                    terminal_width=200)
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["graphkit", *args], result.exit_code, result.stdout,
                                       result.stderr)


class Served:
    """A ``graphkit serve`` process: its /sparql address, and its log (stderr) once stopped."""

    def __init__(self, *args: str, cwd: Path = REPO, log: Path | None = None) -> None:
        self.log_path = log
        err = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen([str(GRAPHKIT), "serve", "--port", "0", *args], cwd=cwd,
                                     stdout=subprocess.PIPE, stderr=err, text=True)
        line = self.proc.stdout.readline()  # printed once the workers hold the graph
        if "serving" not in line:
            self.stop()
            raise AssertionError(f"graphkit serve did not start: {line!r} {self.log()}")
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0]
        self.port = int(self.url.rsplit(":", 1)[1].split("/", 1)[0])

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8") if self.log_path else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)


@pytest.fixture
def base_data(tmp_path: Path) -> Path:
    return compose_case(tmp_path, None)


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """The shipped data built once (no exports written): the checked dataset and its triples."""
    from graphkit.build import check

    result = check(REPO / "data", "data", metrics=True)
    assert result.ok, "\n".join(map(str, result.report.errors))
    return result


@pytest.fixture(scope="session")
def graph():
    """The shipped graph as plain rdflib reads it: exports/graph.ttl (test_build checks that
    the file is current)."""
    import rdflib

    return rdflib.Graph().parse(REPO / "exports" / "graph.ttl")


@pytest.fixture(scope="module")
def browser():
    """Debian's headless chromium driven by Playwright (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("GRAPHKIT_REQUIRE_BROWSER"):
            pytest.fail(f"chromium not found at {CHROMIUM} (.ci/run installs it)")
        pytest.skip(f"chromium not installed at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def stage_times(stderr: str) -> list[tuple[str, float]]:
    """The stages a command's ``--timings`` printed (name, seconds), checked to add up to the
    "in all" line that ends them."""
    stages = [line.split(" s  ", 1) for line in stderr.splitlines() if " s  " in line]
    times = [(name, float(seconds)) for seconds, name in stages]
    assert times and times[-1][0] == "in all" and all(s >= 0 for _, s in times)
    assert abs(sum(s for _, s in times[:-1]) - times[-1][1]) < 0.05
    return times[:-1]
