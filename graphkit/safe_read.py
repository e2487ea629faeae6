"""Reading the curator's files so that no file-system fault escapes as a traceback or a hang:
a broken or looping symbolic link, a folder or a FIFO where a file should be, a file or folder
that cannot be read, a file too large or not UTF-8 each become one problem naming the path.

>>> text, problems = read_text(Path("tests/cases/base/issues.yaml"), "issues.yaml")
>>> text.startswith("- id:"), problems
(True, [])
>>> read_text(Path("tests/cases"), "cases")[1][0].message
'is a folder, not a file'
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .problems import Problem

MAX_FILE_BYTES = 20_000_000  # a curated file larger than this is refused, not parsed
_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device"}


def _fault(path: Path, shown: str, exc: OSError, what: str = "file") -> Problem:
    if exc.errno == errno.ELOOP:
        return Problem(shown, 0, "file", "symbolic link loop", "point the link at a real file")
    if exc.errno == errno.ENOENT and path.is_symlink():
        return Problem(shown, 0, "file", f"broken symbolic link: it points to "
                                     f"'{os.readlink(path)}', which does not exist",
                       "fix or remove the link")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Problem(shown, 0, "file", f"cannot read the {what}: permission denied",
                       "check its permissions: chmod u+r" + ("x" if what == "folder" else ""))
    return Problem(shown, 0, "file", f"cannot read the {what}: {exc.strerror or exc}")


def read_text(path: Path, shown: str,
              limit: int = MAX_FILE_BYTES) -> tuple[str | None, list[Problem]]:
    """The UTF-8 text of the regular file at ``path``, or None and the problem saying why."""
    try:
        info = path.stat()
    except OSError as exc:
        return None, [_fault(path, shown, exc)]
    if stat.S_ISDIR(info.st_mode):
        return None, [Problem(shown, 0, "file", "is a folder, not a file",
                              "rename it, or move it out of the data folder")]
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        return None, [Problem(shown, 0, "file", f"is {kind}, not a regular file",
                              "replace it with the file itself")]
    if info.st_size > limit:
        return None, [Problem(shown, 0, "file", f"is {info.st_size:,} bytes; at most {limit:,} "
                                            "are read", "split it into several files")]
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        return None, [_fault(path, shown, exc)]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, [Problem(shown, line, "file", f"not UTF-8 text (byte {exc.start}: "
                                               f"{exc.reason})", "save the file as UTF-8")]


def record_files(folder: Path, shown: str) -> tuple[list[Path], list[Problem]]:
    """The ``*.yaml`` and ``*.jsonl`` entries of ``folder``, sorted (each read later by
    :func:`read_text`); a folder that exists but cannot be listed is a problem, not an empty
    folder."""
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [_fault(folder, shown, exc, "folder")]
    problems = [Problem(os.path.join(shown, n), 0, "file", "not read: graphkit reads *.yaml and *.jsonl files",
                        f"rename it to {n[:-4]}.yaml", severity="warning")
                for n in names if n.endswith(".yml")]
    return [folder / n for n in names if n.endswith((".yaml", ".jsonl"))], problems
