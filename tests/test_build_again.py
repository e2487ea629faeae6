"""A build with nothing to do: it says so, reprints its report and touches no export; any change
to what it reads, or to what it wrote, builds again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import compose_case, run

UP_TO_DATE = "nothing changed since the last build into"


def files(out: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``out``: its modification time and bytes."""
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(out.rglob("*")) if p.is_file()}


def build(data: Path, out: Path, *more: str):
    result = run("build", "--data", str(data), "--out", str(out), *more)
    assert result.returncode == 0, result.stderr
    return result


def test_an_unchanged_build_writes_nothing_and_prints_the_same_report(tmp_path) -> None:
    data, out = compose_case(tmp_path, None), tmp_path / "exports"
    first = build(data, out)
    assert UP_TO_DATE not in first.stdout
    before = files(out)
    again = build(data, out)
    assert UP_TO_DATE in again.stdout and "'--force' builds anyway" in again.stdout
    assert files(out) == before  # not rewritten: the same bytes and modification times
    report = [line for line in first.stdout.splitlines() if not line.startswith("done in")]
    kept = [line.replace("kept ", "wrote ", 1) for line in again.stdout.splitlines()[:-1]]
    assert kept == report  # the summary and every file, as the first build listed them


def change_a_relation(data: Path, out: Path) -> None:
    path = data / "relations" / "base.yaml"
    text = path.read_text()
    assert 'place: Kuala Lumpur' in text
    path.write_text(text.replace("place: Kuala Lumpur", "place: \"Kuala Lumpur, Malaysia\"", 1))


def add_a_comment(data: Path, out: Path) -> None:  # bytes changed, facts not: builds anyway
    path = data / "actors" / "base.yaml"
    path.write_text("# reviewed\n" + path.read_text())


def add_a_file(data: Path, out: Path) -> None:
    (data / "actors" / "more.yaml").write_text("[]\n")


def change_a_source_document(data: Path, out: Path) -> None:
    doc = next((data.parent / "documents").glob("*.txt"))
    doc.write_text(doc.read_text() + "\nA line added.\n")


def touch_an_export(data: Path, out: Path) -> None:
    (out / "graph.ttl").write_text((out / "graph.ttl").read_text())


def delete_a_site_page(data: Path, out: Path) -> None:
    next((out / "site" / "actors").glob("*.html")).unlink()


def remove_the_exports(data: Path, out: Path) -> None:
    shutil.rmtree(out)


CHANGES = [change_a_relation, add_a_comment, add_a_file, change_a_source_document,
           touch_an_export, delete_a_site_page, remove_the_exports]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_any_change_to_the_inputs_or_the_exports_builds_again(change, tmp_path) -> None:
    data, out = compose_case(tmp_path, None), tmp_path / "exports"
    build(data, out)
    change(data, out)
    again = build(data, out)
    assert UP_TO_DATE not in again.stdout
    assert f"wrote {out}/graph.ttl" in again.stdout
    fresh = tmp_path / "fresh"
    build(data, fresh, "--force")
    assert files(out).keys() == files(fresh).keys()
    assert all(files(out)[k][1] == v[1] for k, v in files(fresh).items())


def test_other_options_or_force_build_again(tmp_path) -> None:
    data, out = compose_case(tmp_path, None), tmp_path / "exports"
    build(data, out)
    assert UP_TO_DATE not in build(data, out, "--no-site").stdout
    assert UP_TO_DATE in build(data, out, "--no-site").stdout
    assert UP_TO_DATE not in build(data, out, "--no-site", "--force").stdout


def test_warnings_are_printed_again(tmp_path) -> None:
    data, out = compose_case(tmp_path, None), tmp_path / "exports"
    (data / "sources.yaml").write_text(
        (data / "sources.yaml").read_text().replace("../documents", "../nowhere"))
    first = build(data, out)
    warning = "quotes from shared documents were not checked"
    assert warning in first.stderr
    again = build(data, out)
    assert UP_TO_DATE in again.stdout and warning in again.stderr
    shutil.copytree(data.parent / "documents", data.parent / "nowhere")  # now they are there
    third = build(data, out)
    assert UP_TO_DATE not in third.stdout and warning not in third.stderr


def test_without_a_cache_every_build_builds(tmp_path) -> None:
    data, out = compose_case(tmp_path, None), tmp_path / "exports"
    for _ in range(2):
        result = run("build", "--data", str(data), "--out", str(out),
                     env={"GRAPHKIT_CACHE": "off"})
        assert result.returncode == 0 and UP_TO_DATE not in result.stdout
