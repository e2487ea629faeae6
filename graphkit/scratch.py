"""Scratch files in the system's temporary folder (``TMPDIR``), and the readable error when
that folder cannot hold them.

A scratch file is removed as it is made (it has no name), so nothing is left behind whatever
happens to the process. The build keeps a large graph's lines in one
(:mod:`graphkit.nt_lines`), and a forked process's large answer
(:func:`graphkit.forks.in_child_steps`).

>>> with scratch_file() as fh:
...     _ = fh.write(b"lines")
...     _ = fh.seek(0)
...     fh.read()
b'lines'
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import BinaryIO


class ScratchError(OSError):
    """The temporary folder could not hold a scratch file (it does not exist, is not
    writable, or is full): says which folder, and what to do.

    >>> str(ScratchError(OSError(28, "No space left on device")))[:49]
    'the temporary folder could not hold scratch files'
    """

    def __init__(self, cause: OSError, folder: Path | str | None = None) -> None:
        self.cause = cause
        self.folder = str(folder or tempfile.gettempdir())
        super().__init__(
            f"the temporary folder could not hold scratch files: {self.folder} "
            f"({cause.strerror or cause}); a large graph needs room there (about 200 bytes a "
            f"triple): set TMPDIR to a folder that has it")


def scratch_file(folder: Path | None = None) -> BinaryIO:
    """A new scratch file, read and written as bytes, in ``folder`` (the temporary folder by
    default); :class:`ScratchError` where none can be made."""
    try:
        return tempfile.TemporaryFile(dir=folder)
    except OSError as exc:
        raise ScratchError(exc, folder) from None
