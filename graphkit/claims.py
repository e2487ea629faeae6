"""Chunks of work taken from both ends by two processes, so that both end together.

A helper process takes chunks from one end of a list while the build takes them from the other,
each as it is free: neither waits for the other, however fast each one runs, and no share
needs to be guessed beforehand. The Turtle's helper takes its chunks from the first
(:class:`graphkit.exports.TurtleProcess`), the JSON-LD's from the last
(:class:`graphkit.jsonld_lines.JsonLdLines`).
"""

from __future__ import annotations

import mmap
import struct
import tempfile
from typing import BinaryIO


class Claims:
    """Chunks ``0 .. count - 1`` taken by two processes, one from each end, in a small file
    both map: ``front`` is one past the last chunk the front side took, ``back`` the last one
    the back side took. A side writes its claim, then reads the other's.

    The front side makes every chunk it takes, and stops after the first one the back side
    had taken too. The back side makes a chunk only if the front side had not taken it, and
    stops otherwise. So every chunk after the front's last is made by the back side, whatever
    the order in which the two see each other's writes (no lock is needed): at worst two
    chunks are made twice, where the two meet.

    >>> claims = Claims.new(4)
    >>> claims.take_back(3), claims.take_front(0), claims.take_back(2), claims.take_front(1)
    (True, True, True, True)
    >>> claims.take_front(2)  # the back side has it too: made at the front all the same, the last
    False
    >>> claims.take_back(1)  # the front side has it: not made at the back
    False
    """

    def __init__(self, file: BinaryIO, count: int | None = None, front: int = 0) -> None:
        """The claims in ``file``: written anew for ``count`` chunks, the front side having
        taken those before ``front``; as they stand without ``count`` (the other side's)."""
        self.file = file
        if count is not None:
            file.write(struct.pack("<ii", front, count).ljust(mmap.PAGESIZE, b"\0"))
            file.flush()
        self.map = mmap.mmap(file.fileno(), mmap.PAGESIZE)

    @classmethod
    def new(cls, count: int, front: int = 0) -> "Claims":
        """Claims of ``count`` chunks in a new scratch file (a process started with its
        descriptor maps the same one: :meth:`fileno`)."""
        return cls(tempfile.TemporaryFile(), count, front)

    def fileno(self) -> int:
        return self.file.fileno()

    @property
    def front(self) -> int:
        return struct.unpack_from("<i", self.map, 0)[0]

    @property
    def back(self) -> int:
        return struct.unpack_from("<i", self.map, 4)[0]

    def take_front(self, k: int) -> bool:
        """Take chunk ``k`` from the front (to be made): False once the back side has it too
        (the front side then stops after making it)."""
        struct.pack_into("<i", self.map, 0, k + 1)
        return self.back > k

    def take_back(self, k: int) -> bool:
        """Take chunk ``k`` from the back: True if the front side had not, so it is to be
        made here."""
        struct.pack_into("<i", self.map, 4, k)
        return self.front <= k

    def close(self) -> None:
        self.map.close()
        self.file.close()
