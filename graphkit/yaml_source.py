"""Read curated YAML keeping the line of every value, rejecting duplicate keys.

Scalars are kept as the text the curator wrote, so YAML 1.1's surprises (``1993`` an int,
``2023-01-17`` a date, ``NO`` a boolean) never reach the data: each field is converted by its own
rule later, from the text.

>>> doc, problems = parse_text("- id: cscap\\n  aliases: [CSCAP]\\n", "x.yaml")
>>> doc.items[0].items["aliases"].items[0].text, doc.items[0].items["aliases"].line
('CSCAP', 2)
>>> _, problems = parse_text("a: 1\\na: 2\\n", "x.yaml")
>>> print(problems[0])
x.yaml:2: a: duplicate key 'a', first at line 1 (keep one: YAML would silently use the last)
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

import yaml

from .problems import Problem

try:  # the C loader is several times faster; the pure one is the fallback
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class Scalar:
    """A scalar as written, with its line; ``null`` for an empty or ``~`` value."""

    __slots__ = ("text", "line", "null")
    kind = "scalar"

    def __init__(self, text: str, line: int, null: bool = False):
        self.text, self.line, self.null = text, line, null


class Sequence:
    __slots__ = ("items", "line")
    kind = "list"

    def __init__(self, items: list, line: int):
        self.items, self.line = items, line


class Mapping:
    """Keys in file order, each value a node; ``key_lines`` gives each key's own line."""

    __slots__ = ("items", "line", "key_lines")
    kind = "mapping"

    def __init__(self, items: dict, line: int, key_lines: dict | None = None):
        self.items, self.line = items, line
        self.key_lines = key_lines if key_lines is not None else {}


Node = Union[Scalar, Sequence, Mapping]


def parse_file(path: Path, shown_as: str) -> tuple[Node | None, list[Problem]]:
    """Parse ``path``; problems name the file as ``shown_as`` (its path as the user sees it).
    A file that cannot be read (see :mod:`graphkit.safe_read`) is a problem, not an exception."""
    from .safe_read import read_text

    text, problems = read_text(path, shown_as)
    if text is None:
        return None, problems
    return parse_text(text, shown_as)


def parse_text(text: str, shown_as: str) -> tuple[Node | None, list[Problem]]:
    """Parse YAML text into located nodes; returns the root (None if empty) and the problems.

    Builds the nodes straight from the C parser's event stream: several times faster than
    composing PyYAML's own node graph, and it keeps each scalar's text as written.
    """
    problems: list[Problem] = []
    try:
        root = _compose(yaml.parse(text, Loader=_Loader), shown_as, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, [Problem(shown_as, line, "yaml", f"not valid YAML: {message}",
                              "check indentation, colons and quotes")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown_as, 0, "yaml", f"not valid YAML: {exc}")]
    return root, problems


_SCALAR, _SEQ_START, _MAP_START = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
_SEQ_END, _MAP_END, _ALIAS = yaml.SequenceEndEvent, yaml.MappingEndEvent, yaml.AliasEvent
_DOC_START = yaml.DocumentStartEvent


def _no_anchor(event, shown_as: str, problems: list[Problem]) -> None:
    problems.append(Problem(shown_as, event.start_mark.line + 1, "yaml",
                            f"YAML anchor '&{event.anchor}' not accepted in curated data",
                            "write each value out where it is used"))


def _compose(events, shown_as: str, problems: list[Problem]) -> Node | None:
    """Located nodes from parser events: one pass over a stack of open collections.

    Written as one flat loop on purpose: it runs once per YAML token (millions on large data).
    """
    root: Node | None = None
    documents = 0
    stack: list = []  # open collections
    keys: list = []  # per open collection: its pending mapping key (text, line), or None
    parent = None
    for event in events:
        cls = event.__class__
        if cls is _SCALAR:
            value = event.value
            node = Scalar(value, event.start_mark.line + 1,
                          event.implicit[0] and value in _NULLS)
            if event.anchor:
                _no_anchor(event, shown_as, problems)
        elif cls is _MAP_START:
            node = Mapping({}, event.start_mark.line + 1, {})
            if event.anchor:
                _no_anchor(event, shown_as, problems)
        elif cls is _SEQ_START:
            node = Sequence([], event.start_mark.line + 1)
            if event.anchor:
                _no_anchor(event, shown_as, problems)
        elif cls is _MAP_END or cls is _SEQ_END:
            stack.pop()
            keys.pop()
            parent = stack[-1] if stack else None
            continue
        elif cls is _ALIAS:
            problems.append(Problem(shown_as, event.start_mark.line + 1, "yaml",
                                    f"YAML alias '*{event.anchor}' not accepted in curated data",
                                    "write the value out where it is used"))
            node = Scalar("", event.start_mark.line + 1, True)
        elif cls is _DOC_START:
            documents += 1
            if documents > 1:
                problems.append(Problem(shown_as, event.start_mark.line + 1, "yaml",
                                        "a second YAML document begins here; a file holds one",
                                        "remove the '---' line, or move what follows to a file "
                                        "of its own"))
                break
            continue
        else:
            continue  # stream and document ends
        # attach the node to its parent
        if parent is None:
            root = node
        elif parent.__class__ is Sequence:
            parent.items.append(node)
        else:
            key = keys[-1]
            if key is None:  # this node is a key
                if node.__class__ is Scalar:
                    keys[-1] = (node.text, node.line)
                else:
                    problems.append(Problem(shown_as, node.line, "yaml",
                                            "a key must be a plain word"))
                    keys[-1] = (None, node.line)
            else:
                keys[-1] = None
                text, line = key
                if text is None:
                    pass
                elif text in parent.items:
                    problems.append(Problem(shown_as, line, text,
                                            f"duplicate key '{text}', first at line "
                                            f"{parent.key_lines[text]}",
                                            "keep one: YAML would silently use the last"))
                else:
                    parent.items[text] = node
                    parent.key_lines[text] = line
        if cls is _MAP_START or cls is _SEQ_START:
            stack.append(node)
            keys.append(None)
            parent = node
    return root


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
