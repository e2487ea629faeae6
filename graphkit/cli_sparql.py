"""The SPARQL commands: query, serve, push. They register on the ``graphkit`` group defined in
:mod:`graphkit.cli`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import main

GRAPH = click.option("--graph", "graph_file", default=Path("exports/graph.nt"),
                     show_default=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="The built graph to query (.nt, .ttl, .jsonld); "
                          "'graphkit build' writes it.")


def _require(graph_file: Path) -> Path:
    """``graph_file``, or a message saying how to make it and exit 1."""
    if not graph_file.exists():
        click.echo(f"graphkit: no graph at {graph_file}: run 'graphkit build' first, or give "
                   "--graph FILE", err=True)
        sys.exit(1)
    return graph_file


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{v}': write NAME=VALUE, e.g. forum=ARF",
                                     param_hint="--param")
        out[name.strip()] = value.strip()
    return out


@main.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "tsv", "xml",
                                                    "turtle", "jsonld", "nt"]),
              default="table", show_default=True,
              help="table: aligned text with prefixed names; csv, tsv, json, xml: the W3C "
                   "SPARQL results formats; turtle, jsonld, nt: for CONSTRUCT and DESCRIBE.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A named query's parameter (repeatable).")
@click.option("--list", "list_them", is_flag=True, help="List the named queries.")
@GRAPH
def query(query, fmt, params, list_them, graph_file) -> None:
    """Run a SPARQL query over the built graph: a named query from queries/, a .rq file, or
    the query's text. The project's prefixes (gk:, actor:, org:, schema:, skos:...) need no
    PREFIX lines.

    \b
    Examples:
      graphkit query --list
      graphkit query members-as-of --param forum=EAS --param year=2011
      graphkit query mediators-between -p a="North Korea" -p b="South Korea"
      graphkit query my-query.rq --format csv > answer.csv
      graphkit query "SELECT ?name WHERE { actor:cscap skos:altLabel ?name }"
    """
    from .named_queries import bind, load_named
    from .problems import did_you_mean
    from .sparql import SHORT_NAMES, QueryError, load_store, media_types, run, serialize, \
        table_rows
    from .tables import render

    named = load_named()
    if list_them:
        for q in named.values():
            args = " ".join(f"[{p.name}={p.default}]" for p in q.params)
            click.echo(f"{q.name} {args}\n    {q.title}: {q.answers}")
        return
    if not query:
        raise click.UsageError("give a query: a name from 'graphkit query --list', a .rq file "
                               "or the query's text")
    given = _params(params)
    looks_like_text = any(ch in query for ch in " {\n")
    path = Path(query)
    if query in named:
        nq = named[query]
    elif not looks_like_text and path.suffix == ".rq" and path.exists():
        nq = parse_file(path)
    elif looks_like_text:
        nq = None
    else:
        click.echo(f"graphkit query: no named query or file '{query}' "
                   f"({did_you_mean(query, named, 'named queries')})", err=True)
        sys.exit(2)
    store = load_store(_require(graph_file))
    try:
        if nq is None:
            if given:
                raise QueryError("--param applies to named queries and .rq files with "
                                 "'# param:' lines")
            answer = run(store, query)
        else:
            answer = run(store, bind(nq, store, given))
        if fmt == "table":
            if answer.kind == "graph":
                click.echo(serialize(answer, "text/turtle").decode("utf-8"), nl=False)
                return
            rows = list(table_rows(answer))
            click.echo(render(rows, "table", columns=answer.variables or ["answer"]))
            click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)
            return
        media = SHORT_NAMES[fmt]
        if media not in media_types(answer):
            raise QueryError(f"--format {fmt} does not fit a "
                             f"{'CONSTRUCT/DESCRIBE' if answer.kind == 'graph' else 'SELECT/ASK'}"
                             " query (results: table, csv, tsv, json, xml; graphs: table, "
                             "turtle, jsonld, nt)")
        sys.stdout.buffer.write(serialize(answer, media))
    except QueryError as exc:
        click.echo(f"graphkit query: {exc}", err=True)
        sys.exit(1)


def parse_file(path: Path):
    """A .rq file as a named query; one without a header is a plain query with no parameters."""
    from .named_queries import NamedQuery, parse
    from .sparql import QueryError

    try:
        return parse(path)
    except QueryError:
        if path.read_text(encoding="utf-8").lstrip().startswith("# title:"):
            raise
        return NamedQuery(path.stem, path, path.read_text(encoding="utf-8"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=int, default=7878, show_default=True, help="0 picks a free port.")
@GRAPH
@click.option("--map", "map_file", default=Path("exports/network.html"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The map served at /map.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Queries answered at once (one process each).")
@click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True,
              help="Seconds a query may run before it is stopped (503).")
@click.option("--max-result-mb", "max_mb", type=click.FloatRange(0.001), default=50.0,
              show_default=True, help="Largest answer sent, in MB (422 beyond).")
@click.option("--quiet", is_flag=True, help="Do not log each request.")
def serve(host, port, graph_file, map_file, workers, timeout, max_mb, quiet) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 Protocol endpoint, with a page to
    type queries and the network map.

    \b
    GET or POST /sparql; answers by content negotiation (SPARQL JSON, XML, CSV, TSV;
    Turtle, JSON-LD, N-Triples for CONSTRUCT and DESCRIBE). Updates are refused.
    Examples:
      graphkit serve                      # http://127.0.0.1:7878/
      graphkit serve --port 8000 --timeout 30 --workers 4
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' \\
           http://127.0.0.1:7878/sparql
    """
    import signal

    from .server import make_server

    def stop(*_) -> None:
        raise KeyboardInterrupt  # so that the finally below stops the workers

    signal.signal(signal.SIGTERM, stop)
    _require(graph_file)
    server, pool = make_server(graph_file, host, port, workers, timeout,
                               int(max_mb * 1_000_000), map_file, quiet)
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"graphkit: serving {graph_file} ({pool.triples:,} triples) at "
               f"http://{bound_host}:{bound_port}/sparql (query page: "
               f"http://{bound_host}:{bound_port}/); Ctrl-C stops", err=False)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()


@main.command()
@click.option("--endpoint", required=True,
              help="The store's Graph Store Protocol address, e.g. "
                   "http://localhost:8890/sparql-graph-crud-auth (Virtuoso), "
                   "http://localhost:3030/ds/data (Fuseki).")
@click.option("--graph", "graph_iri", default="https://w3id.org/graphkit/graph",
              show_default=True, help="The named graph to replace.")
@click.option("--file", "graph_file", default=Path("exports/graph.nt"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The export to send (.nt, .ttl or .jsonld).")
@click.option("--user", default=None, help="Account name, if the store asks for one.")
@click.option("--password", default=None, envvar="GRAPHKIT_PASSWORD",
              help="Its password (or set GRAPHKIT_PASSWORD).")
def push(endpoint, graph_iri, graph_file, user, password) -> None:
    """Publish the built graph into a named graph of a triple store, replacing what the named
    graph held (SPARQL 1.1 Graph Store HTTP Protocol, PUT), so pushing again duplicates
    nothing.

    \b
    Examples:
      graphkit push --endpoint http://localhost:8890/sparql-graph-crud-auth --user dba
      graphkit push --endpoint http://localhost:3030/ds/data --graph https://example.org/g
    """
    from .push import PushError, push as put

    _require(graph_file)
    if user and password is None:
        password = click.prompt(f"password for {user}", hide_input=True)
    try:
        done = put(graph_file, endpoint, graph_iri, user, password)
    except PushError as exc:
        click.echo(f"graphkit push: {exc}", err=True)
        sys.exit(1)
    click.echo(f"pushed {graph_file} ({done.bytes:,} bytes) into <{done.graph}> at {endpoint} "
               f"({done.status})")
