"""What the ``graphkit`` commands share: the ``--data`` option and its default, and the way a
command prints a run's problems or stops with a message."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

DATA = click.Path(file_okay=False, path_type=Path)
MAX_PER_FILE = 20  # problems shown per file and severity; the rest are counted


def _resolve_data(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    from .files import data_folder

    folder, note = data_folder(value)
    if note:
        click.echo(f"note: {note}", err=True)
    return folder


def data_option(f):
    """``--data FOLDER``: the curated YAML; by default ./data, else the shipped data."""
    return click.option("--data", "data", type=DATA, default=None, callback=_resolve_data,
                        help="Folder with sources.yaml, issues.yaml, actors/ and relations/ "
                             "[default: ./data where it exists, otherwise the data shipped "
                             "with graphkit].")(f)


_KEPT: list = []
KEEP_UNTIL_EXIT = False  # set by graphkit.cli.run, which ends the process without freeing


def keep_until_exit(*objects) -> None:
    """Hold ``objects`` (a build's triples, a site's graph) until the process ends: under the
    console command, which ends it at once, freeing them one by one on the way out of the
    command took 2 s at 10,000 actors. Elsewhere (tests, a Python caller) it does nothing."""
    if KEEP_UNTIL_EXIT:
        _KEPT.extend(objects)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``graphkit: message`` on stderr and exit with ``code``."""
    click.echo(f"graphkit: {message}", err=True)
    sys.exit(code)


def no_actor(text: str, hint: str) -> NoReturn:
    """The one message for a name that finds no actor."""
    fail(f"no actor named '{text}'" + (f" ({hint})" if hint else ""))


def finish(result, show_all: bool = False) -> list[str]:
    """Print the errors and warnings (at most MAX_PER_FILE of each per file unless
    ``show_all``) and the notes; exit 1 on errors. Returns the lines printed."""
    from .problems import capped

    report = result.report
    printed = []
    for line in capped(report.errors, None if show_all else MAX_PER_FILE):
        click.echo(line, err=True)
    for line in capped(report.warnings, None if show_all else MAX_PER_FILE):
        click.echo(line, err=True)
        printed.append(line)
    if not report.ok:
        n = len(report.errors)
        click.secho(f"{n} error{'s' if n != 1 else ''}; nothing written.", fg="red", err=True)
        sys.exit(1)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
        printed.append(f"note: {note}")
    return printed
