"""Curated input that cannot break graphkit: file-system faults, a fan-out of unknown names, and
random mutations of valid files. Each gives located errors naming the path, exit status 1, no
traceback, and a failed build leaves the previous exports byte-identical."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CASES, GRAPHKIT, compose_case, run

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
# root reads any file whatever its permissions: drop the two capabilities that allow it
NO_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def graphkit(*args: str, as_user: bool = False) -> subprocess.CompletedProcess:
    if as_user and ROOT:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        return subprocess.run([*NO_OVERRIDE, str(GRAPHKIT), *args], capture_output=True,
                              text=True, timeout=120)
    return run(*args)


def previous_exports(data: Path, out: Path) -> dict[str, bytes]:
    """Build ``data`` into ``out`` once; the bytes each file holds afterwards."""
    result = run("build", "--data", str(data), "--out", str(out), "--no-metrics")
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_bytes() for p in out.iterdir()}


def break_symlink(data: Path) -> str:
    (data / "actors" / "ghost.yaml").symlink_to("nowhere.yaml")
    return ("{data}/actors/ghost.yaml: file: broken symbolic link: it points to 'nowhere.yaml', "
            "which does not exist (fix or remove the link)")


def loop_symlink(data: Path) -> str:
    (data / "actors" / "loop.yaml").symlink_to("loop.yaml")
    return "{data}/actors/loop.yaml: file: symbolic link loop (point the link at a real file)"


def folder_named_yaml(data: Path) -> str:
    (data / "relations" / "folder.yaml").mkdir()
    return ("{data}/relations/folder.yaml: file: is a folder, not a file (rename it, or move it "
            "out of the data folder)")


def fifo(data: Path) -> str:
    os.mkfifo(data / "relations" / "pipe.yaml")
    return ("{data}/relations/pipe.yaml: file: is a FIFO, not a regular file (replace it with "
            "the file itself)")


def unreadable_file(data: Path) -> str:
    (data / "relations" / "base.yaml").chmod(0)
    return ("{data}/relations/base.yaml: file: cannot read the file: permission denied (check its "
            "permissions: chmod u+r)")


def unreadable_folder(data: Path) -> str:
    (data / "actors").chmod(0)
    return ("{data}/actors: file: cannot read the folder: permission denied (check its "
            "permissions: chmod u+rx)")


def document_not_utf8(data: Path) -> str:
    doc = data.parent / "documents" / "track2.txt"
    before = doc.read_bytes()
    doc.write_bytes(before + "\nCaf\xe9 in Latin-1\n".encode("latin-1"))
    return (f"{{data}}/sources.yaml:4: file: ../documents/track2.txt: not UTF-8 text (byte "
            f"{len(before) + 4}: invalid continuation byte)")


FAULTS = [break_symlink, loop_symlink, folder_named_yaml, fifo, unreadable_file,
          unreadable_folder, document_not_utf8]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.__name__ for f in FAULTS])
def test_a_file_system_fault_is_one_clear_error_and_the_exports_stay(fault, tmp_path) -> None:
    data = compose_case(tmp_path, None)
    out = tmp_path / "exports"
    before = previous_exports(data, out)
    expected = fault(data).replace("{data}", str(data))
    try:
        needs_user = fault in (unreadable_file, unreadable_folder)
        checked = graphkit("validate", "--data", str(data), as_user=needs_user)
        built = graphkit("build", "--data", str(data), "--out", str(out), "--no-metrics",
                         as_user=needs_user)
    finally:
        for p in (data / "actors", data / "relations" / "base.yaml"):
            p.chmod(0o755 if p.is_dir() else 0o644)
    for result in (checked, built):
        assert result.returncode == 1, result.stdout + result.stderr
        errors = [line for line in result.stderr.splitlines() if not line.endswith("[warning]")]
        assert errors[0] == expected
        assert errors[-1] == "1 error; nothing written."
        assert "Traceback" not in result.stderr and "could not write" not in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_exports_that_cannot_be_written_leave_the_old_ones(tmp_path) -> None:
    data = compose_case(tmp_path, None)
    out = tmp_path / "exports"
    before = previous_exports(data, out)
    out.chmod(0o555)
    try:
        result = graphkit("build", "--data", str(data), "--out", str(out), "--no-metrics",
                          "--force", as_user=True)  # the data is unchanged: force the write
    finally:
        out.chmod(0o755)
    assert result.returncode == 1
    assert f"could not write the exports into {out}: Permission denied" in result.stderr
    assert f"the files in {out} are unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_fan_out_of_unknown_names_is_reported_briefly(tmp_path) -> None:
    """3,000 records naming 300 unknown actors, and the same through YAML aliases: each file's
    report shows 20 errors and a count of the rest (bench/README.md times it)."""
    data = compose_case(tmp_path, None)
    names = [f"unknown-body-{i}" for i in range(300)]
    records = "".join(f"- type: membership\n  member: malaysia\n  organisation: {names[i % 300]}\n"
                      f"  sources: [{{source: public-page, quote: \"Malaysia belongs to it.\"}}]\n"
                      for i in range(3_000))
    (data / "relations" / "fan.yaml").write_text(records)
    aliased = "- &names [" + ", ".join(names) + "]\n" + "".join(
        "- type: tie\n  parties: *names\n  nature: cooperation\n" for _ in range(3_000))
    (data / "relations" / "aliases.yaml").write_text(aliased)
    result = run("validate", "--data", str(data))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    fan = [line for line in lines if "/relations/fan.yaml" in line]
    assert len(fan) == 21
    assert fan[-1].endswith("fan.yaml: ... and 2980 more errors in this file")
    assert "unknown actor 'unknown-body-0'" in fan[0]
    assert any("aliases.yaml: ... and" in line for line in lines)
    assert lines[-1].endswith("errors; nothing written.")


# --- random mutations of valid files ---------------------------------------------------------

FILES = ["actors/base.yaml", "relations/base.yaml", "sources.yaml", "issues.yaml"]
ODD = ["", "  ", "- ", ": ", "---", "&a", "*a", "{", "[", "\"", "'", "#", "\t", "\x00", "\ufeff",
       "9999", "-1", "true", "null", "~", "1e309", "0x1F", "\u202e", "\U0001F600", "é", "東京",
       "\\", "<!--", "</script>", "%", "%zz", "https://x y", "..", "/etc/passwd"]


@st.composite
def mutated(draw):
    """A file of the base case and its text after a few random edits."""
    name = draw(st.sampled_from(FILES))
    lines = (CASES / "base" / name).read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "retype",
                                       "insert", "bytes"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][2:]
        elif action == "retype" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            value = draw(st.one_of(st.sampled_from(ODD), st.text(max_size=30),
                                   st.integers().map(str), st.just("[a, b]"),
                                   st.just("{a: 1}")))
            lines[i] = f"{key}: {value}"
        elif action == "insert":
            lines.insert(i, draw(st.one_of(st.sampled_from(ODD), st.text(max_size=40))))
        else:
            lines[i] += draw(st.binary(max_size=8)).decode("latin-1")
    return name, "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=mutated())
def test_mutated_files_give_located_errors_never_a_traceback(case, tmp_path_factory) -> None:
    from graphkit.build import check
    from graphkit.cli_options import finish

    name, text = case
    tmp = tmp_path_factory.mktemp("fuzz")
    data = compose_case(tmp, None)
    (data / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    result = check(data, "data", shacl=True)  # a traceback here fails the test
    for p in result.report.problems:  # each names where, and says what
        assert p.path and p.line >= 0 and p.message, p
        str(p)
    if result.ok:  # what the loader let through, SHACL and the exporters accept too
        from graphkit.exports import write_exports

        write_exports(tmp / "out", result.triples, result.lines)
    else:
        with pytest.raises(SystemExit) as code:
            finish(result)
        assert code.value.code == 1
