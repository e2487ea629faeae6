"""The ``graphkit`` command. Heavy libraries are imported inside the commands, so start-up is quick."""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import click

from . import __version__, cli_network, cli_sparql
from .cli_options import (DATA, MAX_PER_FILE, data_option, fail, finish, keep_until_exit,
                          no_actor)
from .files import shown_as


def _size(path: Path) -> str:
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        return f"{len(files):,} files, {sum(p.stat().st_size for p in files):,} bytes"
    return f"{path.stat().st_size:,} bytes"


def _progress(data: Path):
    from . import progress

    if not progress.wanted(data):
        return None
    return lambda files: progress.bar(list(files), "reading data")


class Main(click.Group):
    """The command group; a model that cannot be loaded is a message, not a traceback."""

    def invoke(self, ctx):
        from .model import InvalidModel

        try:
            return super().invoke(ctx)
        except InvalidModel as exc:
            click.echo(f"graphkit: {exc}", err=True)
            sys.exit(1)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="graphkit")
def main() -> None:
    """graphkit: the knowledge graph of Asia-Pacific security diplomacy.

    \b
    Curate facts as YAML in data/, check them, and export a SPARQL-queryable graph.
    Example:
      graphkit build            # check data/ and write exports/graph.{ttl,nt,jsonld}
      graphkit show DPRK        # an actor's card with every relation and its sources
    """


@main.command()
@data_option
@click.option("--shacl/--no-shacl", default=None,
              help="Validate the built graph against ontology/shapes.ttl "
                   "[default: when it has at most 300,000 triples].")
@click.option("--all", "show_all", is_flag=True,
              help=f"Show every problem (default: the first {MAX_PER_FILE} errors and warnings "
                   "of each file, and a count of the rest).")
def validate(data: Path, shacl: bool | None, show_all: bool) -> None:
    """Check the curated data and report every problem at once.

    \b
    Each problem reads  path:line: field: message (hint), e.g.
      data/relations/arf.yaml:42: member: unknown actor 'cscp' (did you mean 'cscap'?)
    Exit status 1 if any error was found. Nothing is written.
    Example:
      graphkit validate --data data
    """
    from .build import check

    result = check(data, shown_as(data), shacl=shacl, progress=_progress(data))
    finish(result, show_all)
    s = result.summary()
    click.echo(f"ok: {sum(s['actors'].values())} actors, {sum(s['relations'].values())} relations, "
               f"{s['sources']} sources, {s['triples']} triples"
               + ("" if result.notes or shacl is False else "; conforms to ontology/shapes.ttl"))


@main.command()
@data_option
@click.option("--out", "out", type=DATA, default=Path("exports"), show_default=True,
              help="Folder the exports are written to.")
@click.option("--shacl/--no-shacl", default=None,
              help="Validate the graph against ontology/shapes.ttl before writing "
                   "[default: when it has at most 300,000 triples].")
@click.option("--metrics/--no-metrics", default=True, show_default=True,
              help="Measure every actor (centrality, structural holes...) into the graph and "
                   "metrics.csv, and draw network.html.")
@click.option("--site/--no-site", default=None,
              help="Write the static site (a page per actor, source and relation kind) into "
                   "OUT/site/ (with --metrics) [default: when there are at most 5,000 actors; "
                   "'graphkit site' writes it at any size].")
@click.option("--force", is_flag=True,
              help="Build even when nothing changed since the last build into OUT (by default "
                   "such a build only says so, at once).")
@click.option("--timings", is_flag=True,
              help="Print on stderr where the time went, stage by stage.")
def build(data: Path, out: Path, shacl: bool | None, metrics: bool, site: bool | None,
          force: bool, timings: bool) -> None:
    """Check the data and write graph.ttl, graph.nt, graph.jsonld, metrics.csv, the
    interactive map network.html and the static site site/.

    \b
    The exports are written atomically: if any check fails, nothing in --out changes.
    The same data always gives byte-identical files, so when nothing it reads has changed
    (data, source documents, model, graphkit) and the exports are as it wrote them, the
    build prints its report again and writes nothing (--force builds anyway).
    Example:
      graphkit build --data data --out exports
    """
    from .build_stamp import Stamps, inputs_key

    started = time.perf_counter()
    stamps = Stamps.default()
    key = inputs_key(data, {"shacl": shacl, "metrics": metrics, "site": site})
    stamp = None if force else stamps.unchanged(out, key)
    if stamp is not None:
        for line in stamp["warned"]:
            click.echo(line, err=True)
        for line in stamp["printed"]:
            click.echo(line.replace("wrote ", "kept ", 1) if line.startswith("wrote ") else line)
        click.echo(f"nothing changed since the last build into {out}: kept its exports "
                   f"('--force' builds anyway); done in {time.perf_counter() - started:.2f} s")
        return
    from .build import WriteError, build as run

    gc.set_threshold(*BUILD_COLLECTOR_THRESHOLDS)
    try:
        result = run(data, out, shown_as(data), shacl=shacl, progress=_progress(data),
                     metrics=metrics, site=site)
    except WriteError as exc:
        click.secho(f"graphkit build: {exc}; the files in {out} are unchanged.", fg="red",
                    err=True)
        sys.exit(1)
    keep_until_exit(result)
    warned = finish(result)
    s = result.summary()
    model = result.dataset.model
    printed = []
    for title, counts, labels in (("actors", s["actors"], model.actor_types),
                                  ("relations", s["relations"], model.relations)):
        printed.append(f"{title} ({sum(counts.values())}):")
        for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            printed.append(f"  {n:>5}  {labels[kind].label}")
    printed.append(f"sources: {s['sources']}   citations: {s['citations']}   "
                   f"issues: {s['issues']}   triples: {s['triples']}")
    printed += [f"wrote {path} ({_size(path)})" for path in result.written]
    for line in printed:
        click.echo(line)
    stamps.record(out, key, result.written, printed, warned, result.dataset.documents.folder)
    if timings:
        for line in result.stages.table():
            click.echo(line, err=True)
    click.echo(f"done in {time.perf_counter() - started:.2f} s")


@main.command()
@click.argument("actor")
@data_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def show(actor: str, data: Path, fmt: str) -> None:
    """Show ACTOR's card: names, type, and every relation with its id, the file and line it
    is curated at, its dates and sources.

    \b
    ACTOR is an id, a name or an alias, in any case. A relation's id is what
    'graphkit query sources-of -p relation=ID' takes.
    Examples:
      graphkit show dprk
      graphkit show "North Korea"
      graphkit show Pyongyang --format json
    """
    import json

    from .card import card_data, render_card
    from .dataset import load_dataset
    from .facts import graph_of

    ds, report = load_dataset(data, shown_as(data))
    g = graph_of(ds)
    found, hint = g.find(actor)
    if found is None:
        no_actor(actor, hint)
    if not report.ok:
        click.secho(f"warning: the data has {len(report.errors)} errors; "
                    "run 'graphkit validate'", fg="yellow", err=True)
    if fmt == "json":
        click.echo(json.dumps(card_data(g, found), ensure_ascii=False, indent=1))
        return
    where = {a.id: f"{a.path}:{a.line}" for a in ds.actors.values()}
    click.echo(render_card(g, found, where))


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default=None,
              help="The file's format [default: from its extension].")
@click.option("--kind", type=click.Choice(["actors", "relations"]), default=None,
              help="What the records are [default: told by their 'type'].")
@click.option("--name", default=None, help="The name it takes in DATA/KIND/ [default: FILE's].")
@click.option("--replace", is_flag=True, help="Replace a file of that name.")
@click.option("--check", "only_check", is_flag=True, help="Only check; write nothing.")
def import_(file: Path, data: Path, fmt: str | None, kind: str | None, name: str | None,
            replace: bool, only_check: bool) -> None:
    """Check records made by a script (JSON Lines: an object per line; or CSV: a row per
    record) with the data folder, and add them to it as DATA/KIND/NAME.jsonl.

    \b
    The records have the fields of a YAML record and pass the same checks; every problem
    names FILE:LINE. Nothing is written unless the whole folder then passes.
    In CSV, list fields (roles, issues, aliases) separate values with '|'; citations are
    the columns source, quote (lang, implicit, source_note), then source_2, quote_2...
    Examples:
      graphkit import memberships.csv --data data
      graphkit import actors.jsonl --data data --check
    """
    from importlib import resources

    from .importer import import_file

    if Path(str(resources.files("graphkit"))).resolve() in data.resolve().parents:
        fail("import writes into a data folder of your own: pass --data FOLDER")
    result = import_file(file, data, fmt, kind, name, replace, write=not only_check)
    finish(result)
    verb = "checked" if only_check else "imported"
    what = result.kind if result.records != 1 else result.kind[:-1]
    click.echo(f"{verb} {result.records:,} {what} from {file}"
               + ("" if only_check else f" into {result.target}"))


@main.command()
@data_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def stats(data: Path, fmt: str) -> None:
    """How well the data covers its field: relations by kind, track and decade; the share
    dated, with two or more sources, and at each confidence level.

    \b
    Example:
      graphkit stats
    """
    import json

    from .dataset import load_dataset
    from .facts import graph_of
    from .stats import coverage, report

    ds, problems = load_dataset(data, shown_as(data))
    if not problems.ok:
        click.secho(f"warning: the data has {len(problems.errors)} errors; "
                    "run 'graphkit validate'", fg="yellow", err=True)
    s = coverage(graph_of(ds))
    click.echo(json.dumps(s, indent=1) if fmt == "json" else report(s))


@main.command()
@click.option("--check", is_flag=True, help="Only report whether ontology/shapes.ttl is current.")
def shapes(check: bool) -> None:
    """Regenerate ontology/shapes.ttl from ontology/model.yaml.

    \b
    Example:
      graphkit shapes --check
    """
    from .model import load_model
    from .shapes import SHAPES_FILE, generate_shapes

    text = generate_shapes(load_model())
    current = SHAPES_FILE.read_text(encoding="utf-8") if SHAPES_FILE.exists() else ""
    if check:
        if text != current:
            click.echo("ontology/shapes.ttl is stale; run 'graphkit shapes'", err=True)
            sys.exit(1)
        click.echo("ontology/shapes.ttl is current")
        return
    from .exports import write_atomic

    write_atomic(SHAPES_FILE.parent, {SHAPES_FILE.name: text.encode("utf-8")})
    click.echo(f"wrote {SHAPES_FILE}")


for _command in cli_network.COMMANDS + cli_sparql.COMMANDS:
    main.add_command(_command)


#: the cycle collector's thresholds for a command: it runs after 100,000 new objects rather than
#: 700, and sweeps the older generations less often. A command makes millions of long-lived
#: objects (records, facts, triples) and few cycles; with the default it spent about a third of
#: reading the 10k set's records walking them again and again (7.2 s against 3.9 s with the
#: collector off), and the 10k build took 3 to 5 s longer, for the same peak memory.
COLLECTOR_THRESHOLDS = (100_000, 50, 100)
#: ``graphkit build`` waits for 10 million: the 10k build still spent 2.2 s in 71 collections
#: with 100,000 (now 0.005 s), and the 100k one from JSON Lines took 418 s against 334 s, for
#: the same peak memory (2026-11-30). Not every command: the views ``graphkit evolution`` drops
#: year after year hold reference cycles that only a collection frees (20 years of the 10k set:
#: 1,011 MB at the peak with these against 751 MB).
BUILD_COLLECTOR_THRESHOLDS = (10_000_000, 50, 100)


def run() -> None:
    """The ``graphkit`` console command: :func:`main`, then the process ends at once. Output is
    flushed and exit handlers run (forked workers are ended), but the objects a large graph
    leaves are not freed one by one on the way out (seconds at 10,000 actors)."""
    import atexit
    import os

    from . import cli_options
    from .scratch import ScratchError

    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    cli_options.KEEP_UNTIL_EXIT = True
    try:
        main()
        code = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except ScratchError as exc:  # any command: no room in the temporary folder
        print(f"graphkit: {exc}", file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover (tests run it in another process)
    run()  # last: the command's settings above are defined by then
