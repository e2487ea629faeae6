"""Where a build's time goes: the wall time of each stage, as the main process lives it (work
done meanwhile in other processes shows as the time spent waiting for it).

>>> clock = Stages()
>>> with clock("read"):
...     pass
>>> [name for name, _ in clock.times]
['read']
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator


class Stages:
    """Named stages and their wall seconds, in the order they ran."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.times.append((name, time.perf_counter() - started))

    def table(self) -> list[str]:
        """The stages as lines ``  12.34 s  name``, and their total."""
        lines = [f"{seconds:8.2f} s  {name}" for name, seconds in self.times]
        return lines + [f"{sum(s for _, s in self.times):8.2f} s  in all"]
