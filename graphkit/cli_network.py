"""The network commands: metrics, bridges, brokers, evolution, export. They register on the
``graphkit`` group defined in :mod:`graphkit.cli`."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import click

from .cli_options import data_option, no_actor

VIEW_HELP = ("actors (every relation between states, organisations and people, undirected), "
             "all (with agreements, policies, events, publications), directed, membership, "
             "states, forums, influence, affiliation")


def graph_options(f):
    """--data / --graph, --view and --as-of, shared by every network command."""
    from .views import VIEWS

    f = click.option("--as-of", "as_of", default="present", show_default=True,
                     help="A date (YYYY, YYYY-MM, YYYY-MM-DD: the graph as it stood on it), "
                          "'present' (relations with no end date) or 'all'.")(f)
    f = click.option("--view", type=click.Choice(VIEWS), default="actors", show_default=True,
                     help=VIEW_HELP)(f)
    f = click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True,
                                                               path_type=Path),
                     help="Analyse an exported graph (.ttl, .nt, .jsonld) instead of --data.")(f)
    return data_option(f)


def checked(data: Path, metrics: bool = False):
    """The data folder checked and turned into triples (no SHACL); on errors, print them all
    and exit 1."""
    from .build import check

    result = check(data, str(data), shacl=False, metrics=metrics)
    if not result.ok:
        for p in result.report.errors:
            click.echo(str(p), err=True)
        click.secho(f"{len(result.report.errors)} errors in {data}; run 'graphkit validate'",
                    fg="red", err=True)
        sys.exit(1)
    return result


def load(data: Path, graph_file: Path | None):
    """The graph's relations and actors, from an export file or from the data folder."""
    from .views import graph_from_file, relations_from_triples

    if graph_file is not None:
        return graph_from_file(graph_file)
    result = checked(data)
    return relations_from_triples(result.triples, result.dataset.model)


def view_of(g, view: str, as_of: str):
    from .dates import DateError
    from .views import make_view

    try:
        v = make_view(g, view, as_of)
    except DateError as exc:
        raise click.BadParameter(f"{exc}; write YYYY, YYYY-MM, YYYY-MM-DD, 'present' or 'all'",
                                 param_hint="--as-of") from None
    for note in v.notes:
        click.echo(f"note: {note}", err=True)
    return v


def actor(g, text: str) -> str:
    from .views import find

    found, hint = find(g, text)
    if found is None:
        no_actor(text, hint)
    return found


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]),
                      default="table", show_default=True)


@click.command()
@graph_options
@click.option("--groups", type=click.Choice(["asean", "track", "type", "country"]),
              default="asean", show_default=True,
              help="Node attribute whose values are the groups of Gould-Fernandez brokerage "
                   "(directed views).")
@click.option("--top", type=int, default=0, help="Only the first N rows.")
@click.option("--sort", default="betweenness", show_default=True, help="Column to sort by.")
@click.option("--pivots", type=int, default=None,
              help="Estimate betweenness from this many pivot sources (default: exact up to "
                   "20,000 nodes).")
@FORMAT
def metrics(data, graph_file, view, as_of, groups, top, sort, pivots, fmt) -> None:
    """Centrality, structural holes, brokerage, cut points and communities, one row per actor.

    \b
    Examples:
      graphkit metrics --top 15
      graphkit metrics --view directed --groups asean --sort liaison_ratio --top 10
      graphkit metrics --view states --as-of 2005 --format csv > states-2005.csv
    """
    from .metrics.table import metric_table
    from .tables import render

    v = view_of(load(data, graph_file), view, as_of)
    if v.graph.number_of_nodes() == 0:
        click.echo("no actors in this view at that date", err=True)
        return
    rows, meta = metric_table(v.graph, groups=groups, k=pivots, sort=sort)
    click.echo(f"view {v.name} as of {v.as_of}: {meta['nodes']} actors, {meta['edges']} ties; "
               f"betweenness {meta['betweenness']}; modularity {meta['modularity']:.3f}",
               err=True)
    rows = rows[:top] if top else rows
    columns = None
    if fmt == "table":
        columns = [c for c in ("id", "type", "group", "degree", "betweenness", "closeness",
                               "pagerank", "constraint", "effective_size", "efficiency",
                               "hierarchy", "cut_point", "community") if c in rows[0]]
        if v.graph.is_directed():
            from .metrics import ROLES

            columns += [f"{r}_ratio" for r in ROLES]
    click.echo(render(rows, fmt, columns))


@click.command()
@click.argument("name")
@graph_options
@click.option("--top", type=int, default=20, show_default=True, help="At most N pairs (0: all).")
@FORMAT
def bridges(name, data, graph_file, view, as_of, top, fmt) -> None:
    """The pairs whose shortest paths run through NAME, most dependent first.

    \b
    share: NAME's share of the pair's shortest paths; distance: their distance in hops;
    distance_without: their distance once NAME is removed (inf: NAME is their only link).
    Examples:
      graphkit bridges ASEAN
      graphkit bridges cscap --view directed --as-of 2000
    """
    from .metrics import who_bridges
    from .tables import render

    g = load(data, graph_file)
    v = view_of(g, view, as_of)
    who = actor(g, name)
    if who not in v.graph:
        click.echo(f"'{who}' is not in the {view} view as of {v.as_of}", err=True)
        sys.exit(1)
    rows = who_bridges(v.graph, who, limit=top or None)
    labels = g.actors.labels
    from .metrics.bridging import cut_off_by

    pieces = cut_off_by(v.graph, who)
    if len(pieces) > 1:
        small = sorted(labels.get(x, x) for piece in pieces[1:] for x in piece)
        shown = "; ".join(small[:12]) + (f"; and {len(small) - 12} more" if len(small) > 12 else "")
        click.echo(f"removing {labels.get(who, who)} splits its component into "
                   f"{len(pieces)} pieces; it alone links the rest to: {shown}", err=True)
    rows = [{"a": labels.get(r["a"], r["a"]), "b": labels.get(r["b"], r["b"]), **{
        k: r[k] for k in ("share", "distance", "distance_without")}} for r in rows]
    click.echo(render(rows, fmt, ["a", "b", "share", "distance", "distance_without"], digits=3))


@click.command()
@click.argument("first")
@click.argument("second")
@graph_options
@FORMAT
def brokers(first, second, data, graph_file, view, as_of, fmt) -> None:
    """Who lies between FIRST and SECOND: every actor on their shortest paths, ranked.

    \b
    Examples:
      graphkit brokers "North Korea" "South Korea"
      graphkit brokers cscap arf --view directed
    """
    from .metrics import brokers_between
    from .tables import render

    g = load(data, graph_file)
    v = view_of(g, view, as_of)
    a, b = actor(g, first), actor(g, second)
    for x in (a, b):
        if x not in v.graph:
            click.echo(f"'{x}' is not in the {view} view as of {v.as_of}", err=True)
            sys.exit(1)
    rows = brokers_between(v.graph, a, b)
    if not rows:
        click.echo(f"no path from '{a}' to '{b}', or they are adjacent", err=True)
    labels = g.actors.labels
    out = [{"broker": labels.get(r["broker"], r["broker"]), "id": r["broker"],
            "share": r["share"], "distance": r["distance"],
            "distance_without": r["distance_without"]} for r in rows]
    click.echo(render(out, fmt, ["broker", "id", "share", "distance", "distance_without"],
                      digits=3))


@click.command()
@click.option("--metric", required=True, help="A metric column, e.g. betweenness, degree.")
@click.option("--actors", default="", help="Comma-separated ids or names (default: the top 5 "
                                             "in the last year).")
@click.option("--from", "first", type=int, required=True, help="First year.")
@click.option("--to", "last", type=int, required=True, help="Last year.")
@click.option("-o", "--out", "stem", type=click.Path(path_type=Path), default=None,
              help="Write OUT.csv, OUT.png and OUT.svg [default: evolution-METRIC].")
@data_option
@click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True,
                                                       path_type=Path))
@click.option("--view", default="actors", show_default=True, help=VIEW_HELP)
def evolution(metric, actors, first, last, stem, data, graph_file, view) -> None:
    """A metric per year (the graph as of each 31 December), as CSV and a line plot.

    \b
    Example:
      graphkit evolution --metric betweenness --from 1993 --to 2025 \\
          --actors asean,cscap,arf,un,united-states -o exports/evolution-betweenness
    """
    from .evolution import plot, rows, top_actors, yearly
    from .exports import write_atomic
    from .metrics.table import METRICS
    from .tables import render

    if first > last:
        raise click.BadParameter("--from must not be after --to")
    if metric not in METRICS + ("in_degree", "out_degree"):
        raise click.BadParameter(f"unknown metric '{metric}'; one of: {', '.join(METRICS)}",
                                 param_hint="--metric")
    g = load(data, graph_file)
    notes: list[str] = []
    series = yearly(g, view, metric, first, last, notes=notes)
    if notes:
        years = [n.split(":", 1)[0] for n in notes]
        click.echo(f"note: {metric} estimated in {len(notes)} of {last - first + 1} years "
                   f"({years[0]}-{years[-1]}):{notes[-1].split(':', 1)[1]}", err=True)
    chosen = [actor(g, a) for a in actors.split(",") if a.strip()] or top_actors(series)
    stem = stem or Path(f"evolution-{metric}")
    table = render(rows(series, chosen), "csv", ["year"] + chosen)
    written = write_atomic(stem.parent if str(stem.parent) else Path("."),
                           {stem.name + ".csv": (table + "\n").encode("utf-8")})
    written += plot(series, chosen, g.actors.labels, metric, view, stem)
    for path in written:
        click.echo(f"wrote {path}")


RDF_FORMATS = ("ttl", "nt", "jsonld")
NETWORK_FORMATS = ("graphml", "gexf", "csv", "kumu")


@click.command()
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS + NETWORK_FORMATS),
              required=True, help="ttl, nt, jsonld: the whole RDF graph, as the build writes "
                                  "it; graphml, gexf, csv, kumu: a network view.")
@graph_options
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (for csv, NAME.csv gives NAME-nodes.csv and "
                   "NAME-edges.csv).")
def export(fmt, data, graph_file, view, as_of, out) -> None:
    """Write the graph for another tool: the RDF graph (Turtle, N-Triples, JSON-LD) for a
    triple store, or a network view (the graph the metrics run on) for Gephi (GEXF, with
    time intervals for its timeline), yEd or Cytoscape (GraphML), spreadsheets (CSV node and
    edge lists) or Kumu (a JSON blueprint).

    \b
    Examples:
      graphkit export --format gexf --view actors --as-of all -o actors.gexf
      graphkit export --format graphml --view states --as-of 2010 -o states-2010.graphml
      graphkit export --format csv --view membership -o membership.csv
      graphkit export --format kumu -o graphkit-kumu.json
      graphkit export --format ttl -o graph.ttl
    """
    from . import network_exports as nx_out
    from .exports import write_atomic

    ctx = click.get_current_context()
    if fmt in RDF_FORMATS:
        for name in ("view", "as_of", "graph_file"):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"--{name.replace('_', '-')} applies to the network "
                                       f"formats ({', '.join(NETWORK_FORMATS)}); the RDF graph "
                                       "carries every relation with its dates (filter it in "
                                       "SPARQL, e.g. 'graphkit query members-as-of')")
        files = {out.name: _rdf(data, fmt)}
        summary = ""
    else:
        from .model import load_model

        v = view_of(load(data, graph_file), view, as_of)
        if fmt == "csv":
            stem = out.name.removesuffix(".csv")
            files = {f"{stem}-{k}.csv": b for k, b in nx_out.csv_tables(v.graph).items()}
        elif fmt == "kumu":
            labels = {k: t.label for k, t in load_model().actor_types.items()}
            files = {out.name: nx_out.kumu(v.graph, labels)}
        else:
            files = {out.name: getattr(nx_out, fmt)(v.graph)}
        summary = (f" ({v.graph.number_of_nodes()} nodes, {v.graph.number_of_edges()} edges; "
                   f"view {view}, as of {v.as_of})")
    for path in write_atomic(out.parent, files):
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes){summary}")


def _rdf(data: Path, fmt: str) -> bytes:
    """The RDF graph of ``data`` with its measures, exactly as ``graphkit build`` writes it."""
    from .exports import jsonld, ntriples, turtle

    result = checked(data, metrics=True)
    if fmt == "ttl":
        return turtle(result.lines)
    if fmt == "nt":
        return ntriples(result.lines)
    return jsonld(result.triples)


@click.command()
@graph_options
@click.option("--top", type=int, default=20, show_default=True, help="At most N rows per list.")
def cuts(data, graph_file, view, as_of, top) -> None:
    """Articulation points (and what their removal cuts off), bridges and local bridges.

    \b
    A local bridge ties two actors who share no contact; its span is how far apart they would
    be without it (inf: it is a bridge).
    Example:
      graphkit cuts --view actors --as-of 2010
    """
    from .metrics.bridging import cut_points
    from .tables import render

    g = load(data, graph_file)
    v = view_of(g, view, as_of)
    found = cut_points(v.graph)
    labels = g.actors.labels
    points = sorted(((k, p) for k, p in found.items() if not str(k).startswith("_")),
                    key=lambda kp: (-sum(kp[1][1:]), str(kp[0])))
    click.echo("articulation points (pieces their removal leaves, largest first):")
    click.echo(render([{"actor": labels.get(k, k), "id": k, "pieces": len(p),
                        "cut_off": sum(p[1:]), "sizes": " ".join(map(str, p))}
                       for k, p in points[:top or None]], "table"))
    for key, title in (("_bridges", "bridges"), ("_local_bridges", "local bridges")):
        rows = [{"a": labels.get(e[0], e[0]), "b": labels.get(e[1], e[1]),
                 **({"span": e[2]} if len(e) > 2 else {})} for e in found[key]]
        if key == "_local_bridges":  # those that are not also bridges first, longest span first
            rows.sort(key=lambda r: (r["span"] is None or math.isinf(r["span"]),
                                     -(r["span"] or 0)))
        click.echo(f"\n{title} ({len(rows)}):")
        click.echo(render(rows[:top or None], "table"))


@click.command("view")
@data_option
@click.option("--focus", default=None, help="Only this actor (id, name or alias) and its "
                                            "neighbourhood.")
@click.option("--hops", type=int, default=1, show_default=True,
              help="With --focus: how many steps out.")
@click.option("--as-of", "as_of", default="all", show_default=True,
              help="Only relations active at this date (YYYY...), 'present', or 'all'; the "
                   "page's year control works within it.")
@click.option("--relations", default="", help="Comma-separated relation kinds to show "
                                               "(default: all).")
@click.option("--size-by", "size_by", default="betweenness", show_default=True,
              help="Metric that sizes the nodes (measured in the 'actors' view).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("network.html"), show_default=True)
def view(data, focus, hops, as_of, relations, size_by, out) -> None:
    """Write the interactive network map: one HTML file that works offline.

    \b
    Filters by relation and actor type, search by any name or alias, a year control, physics
    on or off; hover or click for details and sources.
    Examples:
      graphkit view -o map.html
      graphkit view --focus "North Korea" --hops 2 -o dprk.html
      graphkit view --relations membership,mediation --as-of 2010 --size-by degree
    """
    from .map_data import map_data
    from .metrics.table import METRICS, single_metric
    from .render_map import render, write
    from .views import make_view, relations_from_triples

    if size_by not in METRICS:
        raise click.BadParameter(f"one of: {', '.join(METRICS)}", param_hint="--size-by")
    result = checked(data)
    ds = result.dataset
    kinds = {k.strip() for k in relations.split(",") if k.strip()}
    unknown = kinds - set(ds.model.relations)
    if unknown:
        raise click.BadParameter(f"unknown relation kind(s) {sorted(unknown)}; one of: "
                                 f"{', '.join(ds.model.relations)}", param_hint="--relations")
    focus_id = None
    if focus:
        from .card import find_actor

        focus_id, hint = find_actor(ds, focus)
        if focus_id is None:
            no_actor(focus, hint)
    g = relations_from_triples(result.triples, ds.model)
    graph = make_view(g, "actors", "present").graph
    values = single_metric(graph, size_by) if graph.number_of_nodes() else {}
    metrics = {a: {size_by: v} for a, v in values.items()}
    try:
        m = map_data(ds, metrics, size_by, focus_id, hops, as_of, kinds or None)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    subtitle = (f"around {ds.actors[focus_id].name}, {hops} step(s)" if focus_id else "") + (
        f"; as of {as_of}" if as_of not in ("all", None) else "")
    path = write(render(m, subtitle=subtitle.strip("; "), size_by=size_by), out)
    click.echo(f"wrote {path} ({len(m.nodes)} actors, {len(m.edges)} relations, "
               f"{path.stat().st_size:,} bytes)")


COMMANDS = [metrics, bridges, brokers, evolution, export, cuts, view]
