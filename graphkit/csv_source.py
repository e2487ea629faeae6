"""Read records from a CSV table (``graphkit import --format csv``): one record per row.

The header names the fields, as in a YAML record. A cell left empty is a field left out. Fields
that hold lists (a relation's roles and ``issues``; an actor's ``aliases``) take several values
separated by ``|``. A row's citations are the columns ``source``, ``quote`` and, optionally,
``lang``, ``implicit`` and ``source_note``; a second citation ``source_2``, ``quote_2``..., and
so on. Each record keeps the line its row starts on, so every problem names ``FILE:LINE``.

>>> from graphkit.model import load_model
>>> text = ("type,member,organisation,start,source,quote\\n"
...         "membership,malaysia,asean,1967-08-08,public-page,Malaysia is a founding member.\\n")
>>> rows, problems = csv_rows(text, "x.csv", load_model())
>>> rows[0][0], rows[0][1]["member"], rows[0][1]["sources"][0]["source"], problems
(2, ['malaysia'], 'public-page', [])
"""

from __future__ import annotations

import csv
import io
import re

from .model import Model
from .problems import Problem
from .yaml_source import Sequence

CITATION = {"source": "source", "quote": "quote", "lang": "lang", "implicit": "implicit",
            "source_note": "note"}  # column -> citation field
_NUMBERED = re.compile(r"^(source|quote|lang|implicit|source_note)_([2-9]|[1-9][0-9])$")


def list_fields(model: Model) -> frozenset[str]:
    """The fields whose cells hold ``|``-separated lists."""
    roles = {role for kind in model.relations.values() for role in kind.roles}
    many = {name for name, f in model.actor_fields.items() if f.many}
    return frozenset(roles | many | {"issues"})


def csv_rows(text: str, shown_as: str, model: Model) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Each row as (the line it starts on, the record as YAML would give it), and the problems."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(shown_as, 1, "", "empty CSV file", "write a header row of field "
                                                               "names, then a row per record")]
    except csv.Error as exc:
        return [], [Problem(shown_as, 1, "csv", f"not CSV: {exc}")]
    header = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for column, name in enumerate(header, 1):
        if not name:
            problems.append(Problem(shown_as, 1, f"column {column}", "a column without a name",
                                    "name every column after a field of the record"))
        elif name in seen:
            problems.append(Problem(shown_as, 1, name, f"column '{name}' appears twice (columns "
                                                       f"{seen[name]} and {column})"))
        seen.setdefault(name, column)
    lists = list_fields(model)
    rows = []
    line = 2
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(shown_as, start, "csv", f"not CSV: {exc}"))
            break
        line = start
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append(Problem(shown_as, line, "", f"{len(row)} cells for "
                                                        f"{len(header)} columns",
                                    "quote a cell holding a comma with double quotes"))
            continue
        rows.append((line, _record(dict(zip(header, row)), lists)))
    return rows, problems


def parse_csv(text: str, shown_as: str, model: Model) -> tuple[Sequence, list[Problem]]:
    """The rows of ``text`` as records read like YAML's (:class:`graphkit.jsonl_source.Decoded`)."""
    from .jsonl_source import Decoded

    rows, problems = csv_rows(text, shown_as, model)
    return Sequence([Decoded(record, line) for line, record in rows], 1), problems


def _record(cells: dict[str, str], lists: frozenset[str]) -> dict:
    record: dict = {}
    citations: dict[int, dict] = {}
    for name, raw in cells.items():
        value = raw.strip()
        if not name or not value:
            continue
        numbered = _NUMBERED.match(name)
        if name in CITATION or numbered:
            column, n = (numbered.group(1), int(numbered.group(2))) if numbered else (name, 1)
            citations.setdefault(n, {})[CITATION[column]] = value
        elif name in lists:
            record[name] = [v.strip() for v in value.split("|") if v.strip()]
        else:
            record[name] = value
    if citations:
        record["sources"] = [citations[n] for n in sorted(citations)]
    return record
