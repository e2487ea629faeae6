"""Progress on stderr, shown only when stderr is a terminal and the work is large enough to wait for."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable, TypeVar

T = TypeVar("T")
LARGE_BYTES = 2_000_000  # below this a build takes about a second: no bar


def wanted(data: Path) -> bool:
    if not sys.stderr.isatty():
        return False
    total = sum(p.stat().st_size for p in data.rglob("*.yaml")) if data.is_dir() else 0
    return total >= LARGE_BYTES


def bar(items: list[T], label: str) -> Iterable[T]:
    import click

    with click.progressbar(items, label=label, file=sys.stderr,
                           item_show_func=lambda x: x[1].name if x else "") as it:
        yield from it


def stage(text: str) -> None:
    import click

    click.echo(text, err=True)
