"""``graphkit import``: records made by a script (JSON Lines or CSV) checked with the data folder
they join, and written into it only if the whole folder then passes.

The file is read as if it stood in ``DATA/actors/`` or ``DATA/relations/`` (the same checks as a
YAML file, every problem naming the file and line the user gave), and then written there as
JSON Lines (``DATA/KIND/NAME.jsonl``), atomically: on any error nothing is written.

>>> import shutil, tempfile
>>> from pathlib import Path
>>> data = Path(tempfile.mkdtemp()) / "data"
>>> _ = shutil.copytree("tests/cases/base", data)
>>> bulk = data.parent / "bulk.csv"
>>> _ = bulk.write_text("type,member,organisation,start,source,quote\\n"
...     "membership,dprk,arf,2000-07-27,public-page,The DPRK joined the ARF in 2000.\\n")
>>> result = import_file(bulk, data)
>>> result.report.ok, result.records, result.target.relative_to(data).as_posix()
(True, 1, 'relations/bulk.jsonl')
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .files import shown_as
from .problems import Problem, Report

FORMATS = ("jsonl", "csv")


@dataclass
class ImportResult:
    report: Report
    kind: str = ""
    target: Path | None = None
    records: int = 0
    written: bool = False
    notes: list[str] = field(default_factory=list)


def import_file(path: Path, data: Path, fmt: str | None = None, kind: str | None = None,
                name: str | None = None, replace: bool = False, write: bool = True,
                shown: str | None = None) -> ImportResult:
    """Check the records of ``path`` (``fmt``: jsonl or csv, by default from its extension)
    with the data folder ``data``, and write them into ``data/KIND/NAME.jsonl`` if nothing is
    wrong (``write`` False: only check). ``kind`` (actors or relations) is told by the records'
    ``type`` when not given."""
    from .dataset import load_dataset
    from .model import load_model
    from .safe_read import read_text

    shown = shown or str(path)
    report = Report()
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        report.add(Problem(shown, 0, "", f"cannot tell the format of '{path.name}'",
                           "pass --format jsonl or --format csv"))
        return ImportResult(report)
    text, problems = read_text(path, shown)
    if text is None:
        report.extend(problems)
        return ImportResult(report)
    model = load_model()
    records = _records(text, shown, fmt, model, report)
    kind = kind or _kind(records, model, shown, report)
    if kind is None:
        return ImportResult(report)
    target = data / kind / f"{name or path.stem}.jsonl"
    result = ImportResult(report, kind, target, len(records))
    if target.exists() and not replace:
        report.add(Problem(shown, 0, "", f"{target} exists already",
                           "pass --replace to replace it, or --name to import under another name"))
        return result
    if not report.ok:
        return result
    # the folder as it will be: its files (the one replaced left out) and the imported file
    # (a copy named for its format, which picks the reader whatever the file is called)
    with tempfile.TemporaryDirectory(prefix="graphkit-import-") as staged:
        as_read = Path(staged) / f"{path.stem}.{fmt}"
        as_read.write_text(text, encoding="utf-8")
        _, checked = load_dataset(data, shown_as(data), extra=[(kind, as_read, shown)],
                                  skip=[target] if replace else [])
        report.extend(checked.problems)
    if report.ok and write:
        lines = text if fmt == "jsonl" else "".join(
            json.dumps(record, ensure_ascii=False) + "\n" for _, record in records)
        from .exports import write_atomic

        target.parent.mkdir(parents=True, exist_ok=True)
        text = lines if lines.endswith("\n") or not lines else lines + "\n"
        write_atomic(target.parent, {target.name: text.encode("utf-8")})
        result.written = True
    return result


def _records(text: str, shown: str, fmt: str, model, report: Report) -> list[tuple[int, dict]]:
    """(line, record) of each record, for telling the kind; the located checks come later."""
    if fmt == "csv":
        from .csv_source import csv_rows

        rows, problems = csv_rows(text, shown, model)
        report.extend(problems)
        return rows
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            value = json.loads(line) if line.strip() else None
        except ValueError:
            continue  # reported, located, when the file is checked
        if isinstance(value, dict):
            out.append((number, value))
    return out


def _kind(records: list[tuple[int, dict]], model, shown: str, report: Report) -> str | None:
    """``actors`` or ``relations``, told by the records' types."""
    relation = sum(1 for _, r in records if r.get("type") in model.relations)
    actor = sum(1 for _, r in records if r.get("type") in model.actor_types and "id" in r)
    if relation and not actor:
        return "relations"
    if actor and not relation:
        return "actors"
    report.add(Problem(shown, 0, "", "cannot tell whether the records are actors or relations"
                       + (f" ({actor} look like actors, {relation} like relations)"
                          if actor and relation else ""),
                       "pass --kind actors or --kind relations"))
    return None
