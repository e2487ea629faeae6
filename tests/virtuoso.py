"""A private Virtuoso for tests: Debian's ``virtuoso-opensource`` started on 127.0.0.1 with free
ports and its database, logs and temporary files in a folder of the test's own, then stopped.

    with running_virtuoso(tmp_path) as virtuoso:
        requests.put(f"{virtuoso.crud_url}?graph={iri}", data=body, headers=...,
                     auth=HTTPDigestAuth(virtuoso.user, virtuoso.password))

Only the standard library is used here, so importing this module never fails; callers skip when
:func:`virtuoso_binary` returns ``None``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

HOST = "127.0.0.1"

#: Where Debian puts the server and its sample configuration (the first that exists wins).
BINARY_CANDIDATES = ("/usr/bin/virtuoso-t", "/usr/local/bin/virtuoso-t",
                     "/opt/virtuoso-opensource/bin/virtuoso-t")
INI_CANDIDATES = ("/etc/virtuoso-opensource-7/virtuoso.ini",
                  "/usr/share/virtuoso-opensource-7/virtuoso.ini",
                  "/etc/virtuoso-opensource-6.1/virtuoso.ini",
                  "/usr/share/virtuoso-opensource-6.1/virtuoso.ini",
                  "/var/lib/virtuoso-opensource-7/db/virtuoso.ini",
                  "/opt/virtuoso-opensource/database/virtuoso.ini")


@dataclass(frozen=True)
class Virtuoso:
    """How to reach a running server; ``dba``/``dba`` is a fresh database's administrator."""

    http_url: str
    sparql_url: str
    crud_url: str
    user: str = "dba"
    password: str = "dba"
    log: Path | None = None


def virtuoso_binary() -> str | None:
    """The path of ``virtuoso-t`` if it is installed, else ``None``."""
    found = shutil.which("virtuoso-t")
    if found:
        return found
    for candidate in BINARY_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def sample_ini() -> Path | None:
    """The packaged sample ``virtuoso.ini``, if one is installed."""
    for candidate in INI_CANDIDATES:
        if os.path.isfile(candidate):
            return Path(candidate)
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


_SECTION = re.compile(r"^\s*\[([^\]]+)\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=")


def rewrite_ini(text: str, settings: dict[str, dict[str, str]]) -> str:
    """``text`` with every ``key = value`` of ``settings`` (by section) set, all else kept.

    Virtuoso's ini repeats some keys and uses ``;`` comments after values, which configparser
    does not round-trip, so this edits lines: a setting replaces each line that assigns that key
    in that section (comment lines untouched) and is appended to its section, or to a new section
    at the end, when the sample does not have it. Keys and sections match case-insensitively.
    """
    wanted = {section.lower(): {key.lower(): (key, value) for key, value in keys.items()}
              for section, keys in settings.items()}
    done: set[tuple[str, str]] = set()
    out: list[str] = []
    section = ""

    def close_section() -> None:
        for low, (key, value) in wanted.get(section, {}).items():
            if (section, low) not in done:
                out.append(f"{key} = {value}")
                done.add((section, low))

    for line in text.splitlines():
        header = _SECTION.match(line)
        if header:
            blanks = 0
            while out and not out[-1].strip():  # appended keys go before the blank lines
                out.pop()
                blanks += 1
            close_section()
            out.extend([""] * blanks)
            section = header.group(1).strip().lower()
            out.append(line)
            continue
        key = _KEY.match(line)
        if key and key.group(1).lower() in wanted.get(section, {}):
            name, value = wanted[section][key.group(1).lower()]
            out.append(f"{name} = {value}")
            done.add((section, key.group(1).lower()))
            continue
        out.append(line)
    close_section()
    for low_section, keys in wanted.items():
        missing = [(low, kv) for low, kv in keys.items() if (low_section, low) not in done]
        if missing:
            original = next(s for s in settings if s.lower() == low_section)
            out.extend(["", f"[{original}]"])
            out.extend(f"{key} = {value}" for _, (key, value) in missing)
    return "\n".join(out) + "\n"


def write_ini(tmp: Path, sql_port: int, http_port: int, sample: Path,
              extra: dict[str, dict[str, str]] | None = None) -> Path:
    """A copy of ``sample`` at ``tmp/virtuoso.ini`` with every file and port of its own, and
    ``extra`` settings (by section) on top."""
    db = tmp / "db"
    temp = tmp / "temp"
    for folder in (db, temp):
        folder.mkdir(parents=True, exist_ok=True)
    text = sample.read_text(encoding="utf-8", errors="replace")
    vad = re.search(r"^\s*VADInstallDir\s*=\s*([^;\s]+)", text, re.MULTILINE | re.IGNORECASE)
    allowed = [".", str(tmp)] + ([vad.group(1).rstrip("/")] if vad else [])
    server_root = re.search(r"^\s*ServerRoot\s*=\s*([^;\s]+)", text, re.MULTILINE | re.IGNORECASE)
    if server_root is None or not os.path.isdir(server_root.group(1)):
        (tmp / "vsp").mkdir(exist_ok=True)
        root = str(tmp / "vsp")
    else:
        root = server_root.group(1)
    settings = {
        "Database": {
            "DatabaseFile": str(db / "virtuoso.db"),
            "ErrorLogFile": str(db / "virtuoso.log"),
            "LockFile": str(db / "virtuoso.lck"),
            "TransactionFile": str(db / "virtuoso.trx"),
            "xa_persistent_file": str(db / "virtuoso.pxa"),
        },
        "TempDatabase": {
            "DatabaseFile": str(db / "virtuoso-temp.db"),
            "TransactionFile": str(db / "virtuoso-temp.trx"),
        },
        "Parameters": {
            "ServerPort": f"{HOST}:{sql_port}",
            "DisableUnixSocket": "1",
            "DirsAllowed": ", ".join(allowed),
            "TempDir": str(temp),
            "TempSesDir": str(temp),
        },
        "HTTPServer": {
            "ServerPort": f"{HOST}:{http_port}",
            "ServerRoot": root,
        },
        "URIQA": {"DefaultHost": f"{HOST}:{http_port}"},
    }
    for section, keys in (extra or {}).items():
        same = next((s for s in settings if s.lower() == section.lower()), section)
        settings.setdefault(same, {}).update({key: str(value) for key, value in keys.items()})
    ini = tmp / "virtuoso.ini"
    ini.write_text(rewrite_ini(text, settings), encoding="utf-8")
    return ini


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"(no log: {error})"
    return "\n".join(text.splitlines()[-lines:])


def _answers(sparql_url: str, wait: float) -> bool:
    """Whether the SPARQL endpoint answers a trivial query within ``wait`` seconds."""
    query = urllib.parse.urlencode({"query": "ASK { }"})
    request = urllib.request.Request(f"{sparql_url}?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=wait) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_virtuoso(tmp: Path, timeout: float = 60,
                     settings: dict[str, dict[str, str]] | None = None) -> Iterator[Virtuoso]:
    """A fresh Virtuoso with its database in ``tmp``, serving HTTP on 127.0.0.1, stopped on exit.

    ``settings`` overrides more of the sample ini by section, e.g.
    ``{"SPARQL": {"ResultSetMaxRows": "1000000"}}``: the sample's ``ResultSetMaxRows = 10000``
    silently truncates SELECT and CONSTRUCT results, and Graph Store GETs, at about 10,000 rows.

    Raises :class:`RuntimeError` (with the end of the server's log) when ``virtuoso-t`` or its
    sample configuration is missing, or when the server exits or does not answer SPARQL within
    ``timeout`` seconds.
    """
    binary = virtuoso_binary()
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    sample = sample_ini()
    if sample is None:
        raise RuntimeError(f"no sample virtuoso.ini found in any of {', '.join(INI_CANDIDATES)}")
    tmp = Path(tmp).resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    sql_port = free_port()
    http_port = free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = write_ini(tmp, sql_port, http_port, sample, settings)
    log = tmp / "virtuoso-stdout.log"
    http_url = f"http://{HOST}:{http_port}"
    server = Virtuoso(http_url=http_url, sparql_url=f"{http_url}/sparql",
                      crud_url=f"{http_url}/sparql-graph-crud-auth", log=log)
    with open(log, "wb") as out:
        process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=tmp,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not _answers(server.sparql_url, max(0.2, min(5.0, deadline - time.monotonic()))):
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with status {process.returncode} before "
                                   f"answering at {server.sparql_url}; its log ({log}) ends:\n"
                                   f"{_tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not answer at {server.sparql_url} within "
                                   f"{timeout:g} s; its log ({log}) ends:\n{_tail(log)}")
            time.sleep(0.25)
        yield server
    finally:
        _stop(process)
