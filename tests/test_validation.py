"""Every class of curation error, as the user sees it: file, line, field, message and hint.

Each folder in ``tests/cases/invalid/`` holds YAML files laid over the small valid data folder
``tests/cases/base/`` and ``expected.txt``: the exact report ``graphkit validate`` prints, with
``{data}`` standing for the data folder. All problems of a run come in one report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES, compose_case, run
from graphkit.cli import main

INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_exact_messages(case: Path, tmp_path: Path) -> None:
    data = compose_case(tmp_path, case)
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    expected = (case / "expected.txt").read_text(encoding="utf-8").replace("{data}", str(data))
    assert result.exit_code == 1
    assert result.stderr == expected
    assert "Traceback" not in result.stderr


def test_base_case_is_valid(base_data: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--data", str(base_data)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: 6 actors, 4 relations, 2 sources")


def test_every_error_of_a_run_is_reported_once_sorted(tmp_path: Path) -> None:
    """Six errors in three files: all reported, by file then line, then a count; exit 1."""
    data = compose_case(tmp_path, CASES / "invalid" / "many-errors-at-once")
    result = run("validate", "--data", str(data))
    errors = [line for line in result.stderr.splitlines() if ": " in line
              and not line.endswith("[warning]")]
    assert result.returncode == 1
    assert len(errors) == 6
    assert errors == sorted(errors, key=lambda l: (l.split(":")[0], int(l.split(":")[1])))
    assert result.stderr.rstrip().endswith("6 errors; nothing written.")


def test_quote_with_folded_quote_marks_warns_with_the_documents_text(tmp_path: Path) -> None:
    data = compose_case(tmp_path, None)
    rel = data / "relations" / "extra.yaml"
    rel.write_text(
        '- type: tie\n  parties: [asean, dprk]\n  nature: engagement\n  sources:\n'
        '    - source: track2-doc\n      quote: "ASEAN\'s \\"middle-man\\" role"\n',
        encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 0, result.stderr
    assert (f"{data}/relations/extra.yaml:6: quote: quote matches only with its quote marks "
            "folded (the document reads: ASEAN’s “middle-man” role) [warning]") in result.stderr


def test_documents_folder_absent_is_a_warning_not_an_error(tmp_path: Path) -> None:
    data = compose_case(tmp_path, None)
    (data / "sources.yaml").write_text(
        (data / "sources.yaml").read_text().replace("../documents", "../nowhere"))
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 0
    assert "quotes from shared documents were not checked" in result.stderr


def test_missing_data_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope'}: data folder not found" in result.stderr
