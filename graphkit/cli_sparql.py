"""The SPARQL commands: query, serve, push. They register on the ``graphkit`` group defined in
:mod:`graphkit.cli`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_options import fail


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


@click.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "tsv", "xml",
                                                    "turtle", "jsonld", "nt"]),
              default="table", show_default=True,
              help="table: aligned text with prefixed names; csv, tsv, json, xml: the W3C "
                   "SPARQL results formats; turtle, jsonld, nt: for CONSTRUCT and DESCRIBE.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A named query's parameter (repeatable).")
@click.option("--list", "list_them", is_flag=True, help="List the named queries.")
@click.option("--prefixes", "show_prefixes", is_flag=True,
              help="Print the PREFIX lines of graphkit's prefixes, to paste into a query.")
@GRAPH
def query(query, fmt, params, list_them, show_prefixes, graph_file) -> None:
    """Run a SPARQL query over the built graph: a named query from queries/, a .rq file, or
    the query's text. Here the project's prefixes (gk:, actor:, org:, schema:, skos:...) need
    no PREFIX lines; elsewhere, paste 'graphkit query --prefixes' above the query (the named
    queries carry their own, so they run unchanged in any store).

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

    if show_prefixes:
        from .namespaces import SPARQL_PREFIXES

        click.echo(SPARQL_PREFIXES, nl=False)
        return
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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=int, default=7878, show_default=True, help="0 picks a free port.")
@GRAPH
@click.option("--map", "map_file", default=Path("exports/network.html"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The map served at /map.")
@click.option("--site", "site_dir", default=Path("exports/site"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The site served at /site/.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Queries answered at once (one process each).")
@click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True,
              help="Seconds a query may run before it is stopped (503).")
@click.option("--max-memory-mb", "memory_mb", type=click.IntRange(16), default=512,
              show_default=True,
              help="Megabytes a query may take beyond the loaded graph before it is stopped "
                   "(503; its worker is replaced).")
@click.option("--max-result-mb", "max_mb", type=click.FloatRange(0.001), default=50.0,
              show_default=True, help="Largest answer sent, in MB (422 beyond).")
@click.option("--read-timeout", type=click.FloatRange(0.5), default=10.0, show_default=True,
              help="Seconds a request may take to arrive whole (408 beyond).")
@click.option("--idle-timeout", type=click.FloatRange(0.5), default=30.0, show_default=True,
              help="Seconds an idle connection is kept open.")
@click.option("--max-connections", type=click.IntRange(1), default=100, show_default=True,
              help="Open connections at most; more wait to be accepted.")
@click.option("--allow-service", "services", multiple=True, metavar="IRI",
              help="Let SERVICE reach this endpoint (repeatable; by default a query with "
                   "SERVICE is refused, so the server contacts no other address).")
@click.option("--quiet", is_flag=True, help="Log only problems, not each request.")
def serve(host, port, graph_file, map_file, site_dir, workers, timeout, memory_mb, max_mb,
          read_timeout, idle_timeout, max_connections, services, quiet) -> None:
    """Serve the built graph as a read-only SPARQL 1.1 Protocol endpoint, with a page to
    type queries and the network map.

    \b
    GET or POST /sparql; answers by content negotiation (SPARQL JSON, XML, CSV, TSV;
    Turtle, JSON-LD, N-Triples for CONSTRUCT and DESCRIBE). Updates and SERVICE are refused;
    each query is bounded in time, memory and answer size (README: "Security").
    Examples:
      graphkit serve                      # http://127.0.0.1:7878/
      graphkit serve --port 8000 --timeout 30 --workers 4
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' \\
           http://127.0.0.1:7878/sparql
    """
    import signal

    from .query_pool import Limits
    from .server import Settings, make_server

    def stop(*_) -> None:
        raise KeyboardInterrupt  # so that the finally below stops the workers

    signal.signal(signal.SIGTERM, stop)
    _require(graph_file)
    settings = Settings(workers, Limits(timeout, memory_mb, int(max_mb * 1_000_000),
                                        frozenset(services)),
                        read_timeout, idle_timeout, max_connections, quiet)
    try:
        server, pool = make_server(graph_file, host, port, settings, map_file, site_dir)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    where = f"http://{server.effective_host}:{server.effective_port}"
    click.echo(f"graphkit: serving {graph_file} ({pool.triples:,} triples) at {where}/sparql "
               f"(query page: {where}/; map: {where}/map; site: {where}/site/); Ctrl-C stops")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        pool.close()


def _refuse_password(ctx: click.Context, param: click.Parameter, value) -> None:
    if value is not None:
        raise click.BadParameter("a password on the command line shows in 'ps' and in shell "
                                 "history: set GRAPHKIT_PASSWORD, put it in ~/.netrc, or type "
                                 "it at the prompt", param_hint="--password")


@click.command()
@click.option("--endpoint", required=True,
              help="The store's Graph Store Protocol address, e.g. "
                   "http://localhost:8890/sparql-graph-crud-auth (Virtuoso), "
                   "http://localhost:3030/ds/data (Fuseki).")
@click.option("--graph", "graph_iri", default="https://w3id.org/graphkit/graph",
              show_default=True, help="The named graph to replace.")
@click.option("--file", "graph_file", default=Path("exports/graph.nt"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The export to send (.nt, .ttl or .jsonld).")
@click.option("--user", default=None,
              help="Account name, used only if the store asks for credentials (default: the "
                   "login ~/.netrc holds for the store's host).")
@click.option("--timeout", type=click.FloatRange(1), default=300.0, show_default=True,
              help="Seconds the whole push may take, however slowly the store answers.")
@click.option("--connect-timeout", type=click.FloatRange(0.1), default=10.0,
              show_default=True, help="Seconds to wait for a connection.")
@click.option("--password", hidden=True, expose_value=False, callback=_refuse_password)
def push(endpoint, graph_iri, graph_file, user, timeout, connect_timeout) -> None:
    """Publish the built graph into a named graph of a triple store, replacing what the named
    graph held (SPARQL 1.1 Graph Store HTTP Protocol, PUT), so pushing again duplicates
    nothing.

    \b
    Credentials are sent only if the store asks for them (Basic or Digest, as it asks).
    The password comes from GRAPHKIT_PASSWORD, else ~/.netrc (machine HOST login USER
    password PASSWORD), else a prompt; never from the command line.
    Examples:
      graphkit push --endpoint http://localhost:8890/sparql-graph-crud-auth --user dba
      GRAPHKIT_PASSWORD=... graphkit push --endpoint https://store.example.org/data --user me
      graphkit push --endpoint http://localhost:3030/ds/data --graph https://example.org/g
    """
    import os

    from .push import PushError, netrc_login, push as put

    _require(graph_file)

    def credentials(scheme: str):
        saved = netrc_login(endpoint)
        name = user or (saved[0] if saved else None)
        if name is None:
            return None
        password = os.environ.get("GRAPHKIT_PASSWORD")
        if password is None and saved and saved[0] == name:
            password = saved[1]
        if password is None:
            password = click.prompt(f"password for {name} at {endpoint} ({scheme})",
                                    hide_input=True, err=True)
        return name, password

    try:
        done = put(graph_file, endpoint, graph_iri, credentials, timeout, connect_timeout,
                   warn=lambda text: click.echo(f"warning: {text}", err=True))
    except PushError as exc:
        fail(f"push: {exc}")
    click.echo(f"pushed {graph_file} ({done.bytes:,} bytes) into <{done.graph}> at {endpoint} "
               f"({done.status}" + (f"; {done.scheme} authentication" if done.scheme else
                                    "; no credentials asked or sent") + ")")


COMMANDS = [query, serve, push]
