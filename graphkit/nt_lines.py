"""Sorted N-Triples lines held as their UTF-8 bytes, with where each line ends.

Every export is written from the graph's lines in N-Triples order (:func:`graphkit.to_rdf.canonical`).
Held as Python strings they cost 29% more than their text (at 100,000 actors 3.1 GB for
12.5 million lines), all at once; here they are bytes, in memory for a small graph and in a
scratch file from ``SPILL_FROM`` lines (removed when closed, in the system's temporary folder:
``TMPDIR``), read back where a line or a run of lines is asked for. The build's process holds
8 bytes a line, for where it ends; the system's file cache keeps what it can of the rest.
:class:`NTLines` is a sequence of ``str`` like the list it replaces.

>>> w = LinesWriter()
>>> w.add(['<a> <p> "b" .\\n', '<a> <p> <c> .\\n'])
>>> lines = w.done()
>>> len(lines), lines[1], lines.data(0, 1)
(2, '<a> <p> <c> .', b'<a> <p> "b" .\\n')
>>> lines == ['<a> <p> "b" .', '<a> <p> <c> .']
True
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, compress, islice
from operator import not_
from pathlib import Path
from typing import Iterator

from .scratch import ScratchError, scratch_file

#: lines: from here they are ordered a block at a time and kept in a scratch file; below, all are
#: sorted at once and kept in memory (at 10,000 actors, 1.25 million lines, a scratch file cost
#: 0.4 to 0.7 s of the system's time: its pages of the file cache are new)
SPILL_FROM = 2_000_000


class NTLines(Sequence):
    """N-Triples lines (without their line breaks) as a read-only sequence of ``str``, held as
    bytes: ``data(start, stop)`` gives the N-Triples of ``lines[start:stop]`` (each line with
    its ``\\n``) without making a string of each.

    The bytes may lie in several places (``extents``): lines merged into others
    (:func:`graphkit.to_rdf.merge_canonical`) refer to the runs they did not change where they
    already are, instead of copying them."""

    __hash__ = None  # type: ignore[assignment] - equal to lists, so not hashable

    def __init__(self, ends: array, extents: list[tuple[int, object, int]]) -> None:
        self.ends = ends  # where each line ends in the lines' bytes, its line break included
        # (where a run of those bytes begins, the buffer or file holding it, where in there)
        self.extents = extents
        self._starts = [e[0] for e in extents]

    @property
    def spilled(self) -> bool:
        """Whether some of the lines are in a scratch file."""
        return any(not isinstance(store, bytes) for _, store, _ in self.extents)

    def __len__(self) -> int:
        return len(self.ends)

    def offset(self, i: int) -> int:
        """Where line ``i`` begins among the lines' bytes (``len(self)``: where they end)."""
        return self.ends[i - 1] if i > 0 else 0

    def data(self, start: int = 0, stop: int | None = None) -> bytes:
        """The N-Triples of ``lines[start:stop]``, a line each."""
        n = len(self.ends)
        stop = n if stop is None else max(0, min(stop, n))
        start = max(0, min(start, stop))
        parts = [store[at:at + length] if isinstance(store, bytes)
                 else _pread(store.fileno(), length, at)
                 for length, store, at in self.extents_of(start, stop)]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def extents_of(self, start: int, stop: int) -> Iterator[tuple[int, object, int]]:
        """The places of ``lines[start:stop]``'s bytes: (length, buffer or file, offset)."""
        a, b = self.offset(start), self.offset(stop)
        k = bisect_right(self._starts, a) - 1
        while a < b:
            begins, store, at = self.extents[k]
            ends = self._starts[k + 1] if k + 1 < len(self._starts) else b
            take = min(b, ends) - a
            yield take, store, at + a - begins
            a += take
            k += 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self.ends))
            if step != 1:
                return list(self)[i]
            return self.data(start, stop).decode("utf-8").split("\n")[:-1]
        if i < 0:
            i += len(self.ends)
        if not 0 <= i < len(self.ends):
            raise IndexError("line index out of range")
        return self.data(i, i + 1)[:-1].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        for at in range(0, len(self.ends), 65_536):
            yield from self[at:at + 65_536]

    def __eq__(self, other) -> bool:
        if isinstance(other, NTLines):
            return len(self) == len(other) and self.data() == other.data()
        if isinstance(other, (list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        where = "in a scratch file" if self.spilled else "in memory"
        return f"<NTLines: {len(self):,} lines {where}>"


class LinesWriter:
    """Builds :class:`NTLines` from runs of lines added in order (:meth:`add`: their bytes
    written in memory, or in a scratch file if ``spill``, in ``folder``: the system's temporary
    folder by default) and runs of other :class:`NTLines` (:meth:`copy`: referred to where
    they are, not copied)."""

    def __init__(self, spill: bool = False, folder: Path | None = None) -> None:
        self.ends = array("q")
        self.at = 0  # the lines' bytes so far
        self.extents: list[tuple[int, object, int]] = []
        self.file = scratch_file(folder) if spill else None
        self.folder = folder
        self.written = 0  # bytes written into the file
        self._writes: list = []  # the writes under way, by a thread (a write lets others run)
        self._writer = None

    def add(self, lines: list[str]) -> None:
        """Append ``lines``: N-Triples lines, each ending with its line break."""
        if not lines:
            return
        text = "".join(lines)
        data = text.encode("utf-8")
        lengths = list(map(len, lines))
        if len(data) != len(text):  # not all ASCII: those lines' lengths in bytes
            for k in compress(range(len(lines)), map(not_, map(str.isascii, lines))):
                lengths[k] = len(lines[k].encode("utf-8"))
        self.ends.extend(islice(accumulate(lengths, initial=self.at), 1, None))
        if self.file is None:
            self._refer(len(data), data, 0)
        else:
            self._refer(len(data), self.file, self.written)
            self._write(data, self.written)
            self.written += len(data)

    def _write(self, data: bytes, at: int) -> None:
        """Write ``data`` at ``at`` in the scratch file by the writer's thread (the next lines
        are made meanwhile: a write into new pages of the file cache took as long as making
        them), at most 4 writes waiting."""
        if self._writer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._writer = ThreadPoolExecutor(1, thread_name_prefix="graphkit-lines")
        while len(self._writes) >= 4:
            try:
                self._writes.pop(0).result()
            except OSError as exc:
                self._written()  # the others ended too, the thread with them
                raise ScratchError(exc, self.folder) from None
        self._writes.append(self._writer.submit(_pwrite, self.file.fileno(), data, at))

    def _written(self) -> None:
        """Wait for every write; raise the first failure (:class:`ScratchError`)."""
        try:
            for write in self._writes:
                write.result()
        except OSError as exc:
            raise ScratchError(exc, self.folder) from None
        finally:
            self._writes.clear()
            if self._writer is not None:
                self._writer.shutdown()
                self._writer = None

    def copy(self, source: NTLines, start: int, stop: int) -> None:
        """Append ``source[start:stop]``, referring to their bytes where they are."""
        if stop <= start:
            return
        shift = self.at - source.offset(start)
        ends = source.ends[start:stop]
        if shift:
            import numpy as np

            ends = array("q", (np.frombuffer(ends, dtype=np.int64) + shift).tobytes())
        self.ends.extend(ends)
        for length, store, at in source.extents_of(start, stop):
            self._refer(length, store, at)

    def _refer(self, length: int, store, at: int) -> None:
        """The next ``length`` of the lines' bytes are at ``at`` in ``store``."""
        if self.extents:
            begins, last, there = self.extents[-1]
            if last is store and there + self.at - begins == at:
                self.at += length  # right after the previous run there: the same extent
                return
        self.extents.append((self.at, store, at))
        self.at += length

    def done(self) -> NTLines:
        """The lines added, as a sequence (the writer is not used after)."""
        self._written()
        return NTLines(self.ends, self.extents)


def _pread(fd: int, count: int, offset: int) -> bytes:
    """``count`` bytes from ``offset`` of the file ``fd`` (all of them: a read may give less)."""
    parts = []
    while count > 0:
        part = os.pread(fd, count, offset)
        if not part:
            raise OSError(f"a scratch file of the graph's lines ended early, at byte {offset}")
        parts.append(part)
        count -= len(part)
        offset += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _pwrite(fd: int, data: bytes, offset: int) -> None:
    """Write all of ``data`` at ``offset`` of the file ``fd`` (a write may take less)."""
    view = memoryview(data)
    while view:
        done = os.pwrite(fd, view, offset)
        view, offset = view[done:], offset + done


def nt_data(lines: Sequence[str], start: int = 0, stop: int | None = None) -> bytes:
    """The N-Triples of ``lines[start:stop]`` (an :class:`NTLines` or a list of ``str``), a
    line each.

    >>> nt_data(['<a> <p> <c> .', '<a> <p> <d> .'], 1)
    b'<a> <p> <d> .\\n'
    """
    if isinstance(lines, NTLines):
        return lines.data(start, stop)
    part = lines[start:stop]
    return ("\n".join(part) + "\n").encode("utf-8") if part else b""
