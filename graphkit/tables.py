"""Rows of results as a text table, CSV or JSON: one formatter for every command that prints
rows.

>>> print(render([{"id": "cscap", "betweenness": 0.123456}], "table"))
id     betweenness
-----  -----------
cscap       0.1235
"""

from __future__ import annotations

import csv
import io
import json
import math

FORMATS = ("table", "csv", "json")


def _cell(value, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        return f"{value:.{digits}f}"
    return str(value)


def render(rows: list[dict], fmt: str = "table", columns: list[str] | None = None,
           digits: int = 4) -> str:
    """``rows`` as ``fmt``: an aligned text table (numbers right-aligned), CSV or JSON."""
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == "json":
        clean = [{c: (None if isinstance(r.get(c), float) and math.isinf(r[c]) else r.get(c))
                  for c in columns} for r in rows]
        return json.dumps(clean, ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(r.get(c), 6) for c in columns])
        return out.getvalue().rstrip("\n")
    cells = [[_cell(r.get(c), digits) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
               and rows for c in columns]
    lines = ["  ".join(c.ljust(w) if not num else c.rjust(w)
                       for c, w, num in zip(columns, widths, numeric)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join(v.rjust(w) if num else v.ljust(w)
                               for v, w, num in zip(row, widths, numeric)).rstrip())
    return "\n".join(lines)
