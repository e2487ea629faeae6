"""Read records from JSON Lines: one record per line, for data sets made by scripts.

A file ``actors/NAME.jsonl`` or ``relations/NAME.jsonl`` holds one JSON object per line, with
the same fields as a YAML record (``sources`` a list of objects with ``source`` and ``quote``).
Each record becomes a :class:`Decoded` mapping: the values as :mod:`json` decodes them, every one
on the record's line, which :mod:`graphkit.records` reads as it reads YAML's located nodes, so
every check and every message is the same, each naming ``FILE:LINE``. Values are read as text,
as from YAML: ``1993`` and ``"1993"`` are the same date.

>>> doc, problems = parse_jsonl('{"id": "cscap", "aliases": ["CSCAP"]}\\n\\n{"id": 7}\\n', "x.jsonl")
>>> [(m.items["id"], m.line) for m in doc.items], problems
([('cscap', 1), (7, 3)], [])
>>> _, problems = parse_jsonl('{"id": "a", "id": "b"}\\n[1]\\n{"id": \\n', "x.jsonl")
>>> for p in problems: print(p)
x.jsonl:1: id: duplicate key 'id' (keep one: JSON readers would silently use the last)
x.jsonl:2: record: expected a JSON object on each line, found a list
x.jsonl:3: json: not JSON: Expecting value (column 8)
"""

from __future__ import annotations

import json

from .problems import Problem
from types import MappingProxyType

from .yaml_source import Mapping, Sequence

_KINDS = {list: "a list", str: "a string", int: "a number", float: "a number",
          bool: "true or false", type(None): "null"}


def parse_jsonl(text: str, shown_as: str) -> tuple[Sequence, list[Problem]]:
    """The records of JSON Lines ``text`` as one sequence of :class:`Decoded` records, and the
    problems (each line is read on its own: a bad line is a problem and the others are still
    read)."""
    records: list[Decoded] = []
    problems: list[Problem] = []
    duplicates: list[str] = []  # the keys the line being read repeats
    decode = json.JSONDecoder(object_pairs_hook=lambda pairs: _object(pairs, duplicates)).decode
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        duplicates.clear()
        try:
            value = decode(line)
        except ValueError as exc:
            column = getattr(exc, "colno", None)
            reason = getattr(exc, "msg", str(exc))
            problems.append(Problem(shown_as, number, "json", f"not JSON: {reason}"
                                    + (f" (column {column})" if column else "")))
            continue
        for key in dict.fromkeys(duplicates):
            problems.append(Problem(shown_as, number, key, f"duplicate key '{key}'",
                                    "keep one: JSON readers would silently use the last"))
        if not isinstance(value, dict):
            problems.append(Problem(shown_as, number, "record", "expected a JSON object on each "
                                    f"line, found {_KINDS.get(type(value), 'a value')}"))
            continue
        records.append(Decoded(value, number))
    return Sequence(records, 1), problems


def _object(pairs: list[tuple], duplicates: list[str]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            duplicates.append(key)
        out[key] = value
    return out


class Decoded(Mapping):
    """A record decoded from JSON Lines or from a row of CSV: ``items`` holds the values as
    decoded (strings, numbers, true and false, null as None, lists and objects as ``list`` and
    ``dict``), every key on the record's ``line``. They are read where they are
    (:func:`graphkit.records.scalar`): no located node is made for each value (at 100,000
    actors, making them took about 6 of the 10 microseconds each relation took to parse).

    >>> Decoded({"id": "cscap"}, 4).key_lines.get("id", 4)
    4
    """

    __slots__ = ()

    def __init__(self, items: dict, line: int) -> None:
        self.items, self.line, self.key_lines = items, line, _ON_ITS_LINE


_ON_ITS_LINE = MappingProxyType({})  # no key has a line of its own: each is on the record's
