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


def test_quotes_must_name_a_participant_or_say_why_not(tmp_path) -> None:
    """A quote that names none of the relation's participants is a warning; 'implicit: true'
    with a note says why it need not; without a note it is an error. An address-like title
    is a warning too."""
    data = compose_case(tmp_path, None)
    (data / "relations" / "quotes.yaml").write_text("""\
- type: membership
  member: dprk
  organisation: arf
  sources:
    - source: public-page
      quote: "The grouping admitted a new participant that year."
- type: membership
  member: rok
  organisation: arf
  sources:
    - source: public-page
      quote: "The grouping admitted another participant that year."
      implicit: true
      note: "The page is about the ARF; the participant is South Korea, named in the title."
- type: membership
  member: malaysia
  organisation: arf
  sources:
    - source: public-page
      quote: "The grouping admitted a founding participant that year."
      implicit: true
""", encoding="utf-8")
    registry = (data / "sources.yaml").read_text(encoding="utf-8")
    (data / "sources.yaml").write_text(registry.replace("title: A public page",
                                                        'title: "[display show w3p]"'),
                                       encoding="utf-8")
    result = run("validate", "--data", str(data))
    lines = result.stderr.splitlines()
    assert result.returncode == 1
    assert f"{data}/relations/quotes.yaml:6: quote: the quote names none of the participants " \
           "(dprk, arf) by any name or alias" in result.stderr
    assert not any("quotes.yaml:12" in line for line in lines)  # implicit, with its reason
    assert f"{data}/relations/quotes.yaml:21: implicit: 'implicit: true' needs a note" in \
        result.stderr
    assert f"{data}/sources.yaml:8: title: title '[display show w3p]' looks copied from the " \
           "address (write the title as the document shows it) [warning]" in lines


def test_quotes_checked_in_several_processes_give_the_same_warnings(tmp_path, monkeypatch
                                                                    ) -> None:
    """Large data has the names in its quotes checked by several processes: the report is the
    one a single process gives."""
    import graphkit.checks as checks
    from graphkit.dataset import load_dataset

    data = compose_case(tmp_path, None)
    (data / "relations" / "quotes.yaml").write_text("".join(f"""\
- type: membership
  member: {member}
  organisation: arf
  start: "{2000 + k}"
  sources:
    - source: public-page
      quote: "The grouping admitted participant number {k} that year."
""" for k, member in enumerate(["dprk", "rok", "malaysia", "dprk", "rok"])), encoding="utf-8")

    def warnings() -> list[str]:
        return [str(p) for p in load_dataset(data)[1].warnings]

    monkeypatch.setenv("GRAPHKIT_CACHE", "off")
    one = warnings()
    monkeypatch.setattr(checks, "NAMING_PER_PROCESS", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    import graphkit.forks as forks

    shares = []
    share = forks.fork_map
    monkeypatch.setattr(forks, "fork_map", lambda *args, **kwargs: shares.append(
        kwargs.get("processes")) or share(*args, **kwargs))
    assert warnings() == one
    assert sum("names none of the participants" in w for w in one) == 5
    # where the caller runs work of its own beside the checks once the facts are made (a
    # build's measures), the names are checked by this process alone: the same warnings
    beside = load_dataset(data, facts_made=lambda ds: True)[1].warnings
    assert [str(p) for p in beside] == one
    assert shares[-1] == 1 and shares[0] == 3, shares


def test_the_shipped_data_has_no_warning() -> None:
    result = run("validate", "--all")
    assert result.returncode == 0, result.stderr
    assert "[warning]" not in result.stderr


def test_stats_reports_coverage() -> None:
    result = run("stats", "--format", "json")
    assert result.returncode == 0, result.stderr
    import json

    s = json.loads(result.stdout)
    assert s["relations"] == sum(s["by_kind"].values()) == sum(s["by_decade"].values())
    assert s["by_kind"]["mediation"] >= 60 and s["by_kind"]["influence"] >= 120
    assert s["actors"] >= 500 and s["relations"] >= 1500
    assert sum(s["by_confidence"].values()) == s["relations"]
    text = run("stats").stdout
    assert "by decade" in text and "2+ sources" in text
