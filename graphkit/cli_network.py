"""The network commands: metrics, bridges, brokers, cuts, groups, balance, changes, diff,
evolution, export, view. Each parses its options, calls the library and prints; the filters
every one of them takes are defined once (:func:`network_options`) and applied in one place
(:class:`graphkit.filters.Filter`)."""

from __future__ import annotations

import math
import os
from pathlib import Path

import click

from .cli_options import data_option, fail, keep_until_exit, no_actor
from .files import shown_as

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]),
                      default="table", show_default=True)


def _views_help() -> str:
    from .model import load_model

    return "; ".join(f"{name}: {v.doc}" for name, v in load_model().views.items())


def _groupings() -> list[str]:
    from .model import load_model

    return list(load_model().groupings)


def filter_options(as_of_default: str = "present"):
    """--as-of, --tracks, --relations, --exclude-relations, --drop-undated, --min-confidence."""
    def decorate(f):
        for opt in reversed([
            click.option("--as-of", "as_of", default=as_of_default, show_default=True,
                         help="A date (YYYY, YYYY-MM, YYYY-MM-DD: the graph as it stood on it), "
                              "'present' (relations with no end date) or 'all'."),
            click.option("--tracks", default="", metavar="1,1.5,2",
                         help="Only relations through these tracks (a relation's own track, "
                              "else the highest of its actors')."),
            click.option("--relations", "kinds", default="", metavar="KINDS",
                         help="Only these relation kinds (comma-separated)."),
            click.option("--exclude-relations", "exclude", default="", metavar="KINDS",
                         help="Leave these relation kinds out (comma-separated)."),
            click.option("--drop-undated", is_flag=True,
                         help="Leave out relations with no date (by default they count at "
                              "every date)."),
            click.option("--min-confidence", default="medium", show_default=True,
                         type=click.Choice(["low", "medium", "high"]),
                         help="Leave out relations less certain than this (low: keep the "
                              "claims the public record contradicts)."),
        ]):
            f = opt(f)
        return f
    return decorate


def network_options(f):
    """--data / --graph, --view and the filters, shared by the network commands."""
    f = filter_options()(f)
    f = click.option("--view", default="actors", show_default=True, metavar="VIEW",
                     help="The network view (see 'graphkit views').")(f)
    f = click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True,
                                                               path_type=Path),
                     help="Analyse an exported graph (.ttl, .nt, .jsonld) instead of --data.")(f)
    return data_option(f)


def make_filter(model, as_of, tracks, kinds, exclude, drop_undated, min_confidence):
    from .dates import DateError
    from .filters import Filter, FilterError

    try:
        return Filter.parse(model, as_of, tracks, kinds, exclude, drop_undated, min_confidence)
    except DateError as exc:
        raise click.BadParameter(f"{exc}; write YYYY, YYYY-MM, YYYY-MM-DD, 'present' or 'all'",
                                 param_hint="--as-of") from None
    except FilterError as exc:
        raise click.UsageError(str(exc)) from None


def checked(data: Path, metrics: bool = False):
    """The data folder checked (no SHACL); on errors, print them all and exit 1.

    Within one process (a notebook, a test session driving the commands) an unchanged folder
    is checked once: the result is kept with the size and time of every file it read (the
    data, the model, the documents), and reused only while none of them has changed."""
    from .build import check
    from .cli_options import finish
    from .files import shipped

    key = (str(data.resolve()), metrics, os.environ.get("GRAPHKIT_ONTOLOGY"),
           os.environ.get("GRAPHKIT_MEASURES"))
    kept = _CHECKED.get(key)
    if kept is not None and kept[0] == _fingerprint(*kept[1]):
        return kept[2]
    result = check(data, shown_as(data), shacl=False, metrics=metrics, rdf=metrics)
    if not result.ok:
        finish(result)
    folders = (data, shipped("ontology"), result.dataset.documents.folder)
    if len(_CHECKED) >= 2:  # the memory of two checked datasets at most
        _CHECKED.pop(next(iter(_CHECKED)))
    _CHECKED[key] = (_fingerprint(*folders), folders, result)
    return result


_CHECKED: dict = {}


def _fingerprint(*folders: Path | None) -> tuple:
    """Every file under ``folders`` with its size, modification time and mode."""
    seen = []
    for folder in folders:
        if folder is None or not folder.is_dir():
            seen.append((str(folder), None))
            continue
        for path in sorted(folder.rglob("*")):
            try:
                st = path.lstat()
            except OSError:
                continue
            seen.append((str(path), st.st_size, st.st_mtime_ns, st.st_mode))
    return tuple(seen)


def load(data: Path, graph_file: Path | None):
    """The graph, from an export file or from the data folder."""
    from .facts import graph_of
    from .rdf_read import from_file

    if graph_file is not None:
        try:
            return from_file(graph_file)
        except (ValueError, SyntaxError, OSError) as exc:
            fail(f"cannot read {graph_file}: {exc}")
    return graph_of(checked(data).dataset)


def view_of(g, view: str, flt):
    from .views import make_view

    if view not in g.model.views:
        raise click.BadParameter(f"unknown view '{view}'; one of: {', '.join(g.model.views)}",
                                 param_hint="--view")
    v = make_view(g, view, flt)
    for note in v.notes:
        click.echo(f"note: {note}", err=True)
    return v


def actor(g, text: str) -> str:
    found, hint = g.find(text)
    if found is None:
        no_actor(text, hint)
    return found


def in_view(v, who: str, g) -> None:
    if who not in v.graph:
        fail(f"{g.label(who)} ('{who}') is not in the {v.name} view as of {v.as_of} with "
             "these filters")


def graph_and_view(data, graph_file, view, as_of, tracks, kinds, exclude, drop_undated,
                   min_confidence):
    g = load(data, graph_file)
    flt = make_filter(g.model, as_of, tracks, kinds, exclude, drop_undated, min_confidence)
    return g, flt, view_of(g, view, flt)


def assignments(g, groups: str, as_of, groups_file: Path | None) -> dict:
    """Every actor's group and rule under ``groups`` (with ``groups_file``'s overrides)."""
    from .groups import GroupsFileError, assign, read_override

    if groups not in g.model.groupings:
        raise click.BadParameter(f"unknown grouping '{groups}'; one of: "
                                 f"{', '.join(g.model.groupings)}", param_hint="--groups")
    override = None
    if groups_file is not None:
        try:
            override = read_override(groups_file, g)
        except GroupsFileError as exc:
            for p in exc.problems:
                click.echo(str(p), err=True)
            fail(f"{len(exc.problems)} problems in {groups_file}")
    try:
        return assign(g, groups, as_of, override)
    except ValueError as exc:
        fail(str(exc))


@click.command()
@network_options
@click.option("--groups", default="asean", show_default=True, metavar="GROUPING",
              help="The groups of Gould-Fernandez brokerage on directed views "
                   "('graphkit groups' lists them).")
@click.option("--groups-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A CSV of 'actor,group' rows that override the grouping.")
@click.option("--top", type=int, default=0, help="Only the first N rows.")
@click.option("--sort", default="betweenness", show_default=True, help="Column to sort by.")
@click.option("--pivots", type=int, default=None,
              help="Estimate betweenness and closeness from this many pivot sources "
                   "(default: exact up to 5,000 actors, then 500 pivots; 0: exact at any "
                   "size).")
@FORMAT
def metrics(data, graph_file, view, as_of, tracks, kinds, exclude, drop_undated,
            min_confidence, groups, groups_file, top, sort, pivots, fmt) -> None:
    """Centrality, structural holes, brokerage, cut points and communities, one row per actor.

    \b
    Examples:
      graphkit metrics --top 15
      graphkit metrics --tracks 2 --top 10
      graphkit metrics --view directed --groups asean --sort liaison_ratio --top 10
      graphkit metrics --view states --as-of 2005 --format csv > states-2005.csv
    """
    from .metrics.registry import Context, measures, metric_table
    from .tables import render

    g, flt, v = graph_and_view(data, graph_file, view, as_of, tracks, kinds, exclude,
                               drop_undated, min_confidence)
    directed = v.graph.is_directed()
    known = ["id", "label", "type", "group"] + [m.name for m in measures(directed)]
    if sort not in known:
        raise click.BadParameter(f"'{sort}' is not a column of this view; one of: "
                                 f"{', '.join(known)}", param_hint="--sort")
    if v.graph.number_of_nodes() == 0:
        fail("no actors in this view at that date with these filters")
    group_of = None
    if directed:
        found = assignments(g, groups, flt.as_of, groups_file)
        group_of = {n: found[n].group if n in found else "" for n in v.graph}
    rows, meta = metric_table(v.graph, Context(pivots=pivots, groups=group_of,
                                               grouping=groups), sort=sort)
    click.echo(f"view {v.name} as of {v.as_of}: {meta['nodes']} actors, {meta['edges']} ties; "
               f"betweenness {meta['betweenness']}; closeness {meta['closeness']}; "
               f"modularity {meta['modularity']:.3f}"
               + (f"; groups: {groups}" if directed else ""), err=True)
    for role, why in sorted(meta.get("undefined", {}).items()):
        click.echo(f"note: {role}_ratio is blank: {why}", err=True)
    rows = rows[:top] if top else rows
    columns = None
    if fmt == "table":
        columns = ["id", "type"] + (["group"] if directed else []) + [
            m.name for m in measures(directed) if m.shown]
    click.echo(render(rows, fmt, columns))


@click.command()
@click.argument("name")
@network_options
@click.option("--top", type=int, default=20, show_default=True, help="At most N pairs (0: all).")
@FORMAT
def bridges(name, data, graph_file, view, as_of, tracks, kinds, exclude, drop_undated,
            min_confidence, top, fmt) -> None:
    """The pairs whose shortest paths run through NAME, most dependent first.

    \b
    share: NAME's share of the pair's shortest paths; distance: their distance in hops;
    distance_without: their distance once NAME is removed (inf: NAME is their only link).
    Examples:
      graphkit bridges ASEAN
      graphkit bridges cscap --tracks 2 --as-of 2000
    """
    from .metrics.bridging import cut_off_by, who_bridges
    from .tables import render

    g, flt, v = graph_and_view(data, graph_file, view, as_of, tracks, kinds, exclude,
                               drop_undated, min_confidence)
    who = actor(g, name)
    in_view(v, who, g)
    pieces = cut_off_by(v.graph, who)
    if len(pieces) > 1:
        small = sorted(g.label(x) for piece in pieces[1:] for x in piece)
        shown = "; ".join(small[:12]) + (f"; and {len(small) - 12} more" if len(small) > 12 else "")
        click.echo(f"removing {g.label(who)} splits its component into {len(pieces)} pieces; "
                   f"it alone links the rest to: {shown}", err=True)
    rows = [{"a": g.label(r["a"]), "b": g.label(r["b"]), **{
        k: r[k] for k in ("share", "distance", "distance_without")}}
        for r in who_bridges(v.graph, who, limit=top or None)]
    click.echo(render(rows, fmt, ["a", "b", "share", "distance", "distance_without"], digits=3))


@click.command()
@click.argument("first")
@click.argument("second")
@network_options
@click.option("--ignore-direct", is_flag=True,
              help="Set aside a direct tie between the two, to see who else connects them.")
@FORMAT
def brokers(first, second, data, graph_file, view, as_of, tracks, kinds, exclude, drop_undated,
            min_confidence, ignore_direct, fmt) -> None:
    """Who lies between FIRST and SECOND: every actor on their shortest paths, ranked.

    \b
    Examples:
      graphkit brokers China "United States" --tracks 2
      graphkit brokers "North Korea" "South Korea" --ignore-direct
      graphkit brokers cscap arf --view directed
    """
    from .metrics.bridging import brokers_between
    from .tables import render

    g, flt, v = graph_and_view(data, graph_file, view, as_of, tracks, kinds, exclude,
                               drop_undated, min_confidence)
    a, b = actor(g, first), actor(g, second)
    for x in (a, b):
        in_view(v, x, g)
    rows = brokers_between(v.graph, a, b, ignore_direct=ignore_direct)
    if not rows:
        adjacent = v.graph.has_edge(a, b) or v.graph.has_edge(b, a)
        click.echo(f"{g.label(a)} and {g.label(b)} are tied directly in this view; "
                   "--ignore-direct shows who else connects them" if adjacent and
                   not ignore_direct else f"no path from {g.label(a)} to {g.label(b)} in this "
                   "view", err=True)
    out = [{"broker": g.label(r["broker"]), "id": r["broker"], "share": r["share"],
            "distance": r["distance"], "distance_without": r["distance_without"]}
           for r in rows]
    click.echo(render(out, fmt, ["broker", "id", "share", "distance", "distance_without"],
                      digits=3))


@click.command()
@network_options
@click.option("--top", type=int, default=20, show_default=True, help="At most N rows per list.")
def cuts(data, graph_file, view, as_of, tracks, kinds, exclude, drop_undated, min_confidence,
         top) -> None:
    """Articulation points (and what their removal cuts off), bridges and local bridges.

    \b
    A local bridge ties two actors who share no contact; its span is how far apart they would
    be without it (inf: it is a bridge).
    Example:
      graphkit cuts --view actors --as-of 2010
    """
    from .metrics.bridging import cut_points
    from .tables import render

    g, flt, v = graph_and_view(data, graph_file, view, as_of, tracks, kinds, exclude,
                               drop_undated, min_confidence)
    found = cut_points(v.graph)
    points = sorted(found.points.items(), key=lambda kp: (-sum(kp[1][1:]), str(kp[0])))
    click.echo("articulation points (pieces their removal leaves, largest first):")
    click.echo(render([{"actor": g.label(k), "id": k, "pieces": len(p), "cut_off": sum(p[1:]),
                        "sizes": " ".join(map(str, p))} for k, p in points[:top or None]],
                      "table"))
    for edges, title in ((found.bridges, "bridges"), (found.local_bridges, "local bridges")):
        rows = [{"a": g.label(e[0]), "b": g.label(e[1]),
                 **({"span": e[2]} if len(e) > 2 else {})} for e in edges]
        if title == "local bridges":  # those that are not also bridges first, longest span first
            rows.sort(key=lambda r: (r["span"] is None or math.isinf(r["span"]),
                                     -(r["span"] or 0)))
        click.echo(f"\n{title} ({len(rows)}):")
        click.echo(render(rows[:top or None], "table"))


@click.command()
@data_option
@click.option("--graph", "graph_file", type=click.Path(dir_okay=False, exists=True,
                                                       path_type=Path))
@click.option("--groups", default="asean", show_default=True, metavar="GROUPING",
              help="A grouping of ontology/model.yaml (asean, track, type, country).")
@click.option("--groups-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A CSV of 'actor,group' rows that override the grouping.")
@click.option("--as-of", "as_of", default="present", show_default=True)
@FORMAT
def groups(data, graph_file, groups, groups_file, as_of, fmt) -> None:
    """Each actor's group under a grouping, and the rule that put it there.

    \b
    Examples:
      graphkit groups                       # ASEAN's side today
      graphkit groups --as-of 1995 --format csv > asean-1995.csv
      graphkit groups --groups-file my-groups.csv
    """
    from .facts import parse_as_of
    from .tables import render

    g = load(data, graph_file)
    try:
        when = parse_as_of(as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    found = assignments(g, groups, when, groups_file)
    rows = [{"group": found[a].group, "name": g.label(a), "id": a, "rule": found[a].rule}
            for a in sorted(g.actors, key=lambda a: (found[a].group, g.label(a)))]
    counts = {}
    for r in rows:
        counts[r["group"]] = counts.get(r["group"], 0) + 1
    click.echo(f"grouping {groups} as of {when}: " + ", ".join(
        f"{k} {n}" for k, n in sorted(counts.items())), err=True)
    click.echo(render(rows, fmt, ["group", "name", "id", "rule"]))


@click.command()
@network_options
@click.option("--top", type=int, default=15, show_default=True,
              help="Actors in the most unbalanced triads.")
@FORMAT
def balance(data, graph_file, view, as_of, tracks, kinds, exclude, drop_undated,
            min_confidence, top, fmt) -> None:
    """Structural balance of the signed view: the share of balanced triads (all friends, or
    two friends sharing an enemy) and the actors in the most unbalanced ones (Heider 1946;
    Cartwright and Harary 1956).

    \b
    Example:
      graphkit balance --as-of 2020
    """
    from .metrics.balance import balance as measure
    from .tables import render

    if view == "actors":
        view = "signed"
    g, flt, v = graph_and_view(data, graph_file, view, as_of, tracks, kinds, exclude,
                               drop_undated, min_confidence)
    b = measure(v.graph)
    share = f"{b.share:.3f}" if b.share is not None else "undefined (no triads)"
    click.echo(f"view {v.name} as of {v.as_of}: {b.triads} triads, {b.balanced} balanced; "
               f"balance {share}", err=True)
    rows = [{"actor": g.label(a), "id": a, "unbalanced": n, "triads": b.triads_by_actor[a],
             "example": " / ".join(g.label(x) for x in b.examples[a])}
            for a, n in sorted(b.unbalanced_by_actor.items(), key=lambda kv: (-kv[1], kv[0]))]
    click.echo(render(rows[:top or None], fmt, ["actor", "id", "unbalanced", "triads",
                                                 "example"]))


@click.command()
@click.option("--from", "first", required=True, help="The earlier date (YYYY...).")
@click.option("--to", "last", required=True, help="The later date (YYYY...).")
@click.option("--metric", default="betweenness", show_default=True,
              help="The measure whose moves are explained.")
@click.option("--top", type=int, default=5, show_default=True,
              help="Explain the N actors whose measure moved most.")
@click.option("--per-actor", type=int, default=5, show_default=True,
              help="Changes listed per actor, largest contribution first.")
@click.option("--candidates", type=int, default=None,
              help="Distinct graph changes undone at most (default 200; 20 above 3,000 actors).")
@click.option("--actors", default="", help="Comma-separated ids or names to explain (default: "
              "the --top actors whose measure moved most).")
@network_options
@FORMAT
def changes(first, last, metric, top, per_actor, candidates, actors, data, graph_file, view, as_of,
            tracks, kinds, exclude, drop_undated, min_confidence, fmt) -> None:
    """The relations that began or ended between two dates, and which of them moved a
    measure most for the actors that moved most.

    \b
    Each contribution is the measure at --to less the measure with that one change undone.
    Examples:
      graphkit changes --from 2000 --to 2020
      graphkit changes --from 1990 --to 2000 --metric degree --top 3
      graphkit changes --from 2000 --to 2020 --actors ASEAN
    """
    from .changes import changes as explain
    from .metrics.registry import UnknownMeasure
    from .tables import render

    g = load(data, graph_file)
    flt = make_filter(g.model, as_of, tracks, kinds, exclude, drop_undated, min_confidence)
    if view not in g.model.views:
        raise click.BadParameter(f"unknown view '{view}'", param_hint="--view")
    try:
        report = explain(g, first, last, metric, view, flt, top, per_actor, candidates,
                         [actor(g, a) for a in actors.split(",") if a.strip()] or None)
    except UnknownMeasure as exc:
        raise click.BadParameter(str(exc), param_hint="--metric") from None
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    began = sum(1 for c in report.changes if c.what == "began")
    click.echo(f"{report.first} to {report.last}: {began} relations began, "
               f"{len(report.changes) - began} ended; {report.considered} distinct graph "
               f"changes undone to explain {report.measure} in the {report.view} view", err=True)
    rows = []
    for m in report.moves:
        rows.append({"actor": g.label(m.actor), "id": m.actor, "before": m.before,
                     "after": m.after, "move": m.delta, "contribution": None, "change": ""})
        for c, share in m.contributions:
            rows.append({"actor": "", "id": "", "before": None, "after": None, "move": None,
                         "contribution": share, "change": _change_text(g, c)})
        if m.contributions and abs(m.interaction) > 1e-9:
            rows.append({"actor": "", "id": "", "before": None, "after": None, "move": None,
                         "contribution": m.interaction,
                         "change": "(the changes not listed, and changes acting together)"})
    click.echo(render(rows, fmt, ["actor", "id", "before", "after", "move", "contribution",
                                   "change"]))


def _change_text(g, c) -> str:
    f = c.fact
    who = " / ".join(g.label(a) for a in f.actors())
    when = f.start if c.what == "began" else f.end
    return f"{c.what} {when or ''}: {g.model.relations[f.kind].label} {who} [{f.key}]"


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@data_option
@click.option("--metric", default="betweenness", show_default=True,
              help="The measure whose moves are shown.")
@click.option("--top", type=int, default=10, show_default=True)
@click.option("--summary", is_flag=True,
              help="Only the counts and the measures that moved, not each relation.")
@FORMAT
def diff(old, new, data, metric, top, summary, fmt) -> None:
    """Compare two versions of the data: OLD and NEW are data folders or git revisions
    (NEW defaults to --data). Relations added, removed and changed (ids are content-derived,
    so they match across versions), actors and sources, and the measures that moved most.

    \b
    Examples:
      graphkit diff HEAD~1                 # what the last commit changed
      graphkit diff v0.1 HEAD --metric degree
      graphkit diff ../old-data data
      graphkit diff v0.1 --summary         # counts and the largest moves only
    """
    import shutil

    from .diff import VersionError, checkout, compare
    from .metrics.registry import UnknownMeasure, check_name
    from .tables import render

    try:
        check_name(metric)
    except UnknownMeasure as exc:
        raise click.BadParameter(str(exc), param_hint="--metric") from None
    temps: list = []
    try:
        old_folder, old_name = checkout(old, data, temps)
        new_folder, new_name = checkout(new, data, temps) if new else (data, shown_as(data))
        d = compare(old_folder, new_folder, metric, top, old_name, new_name)
    except VersionError as exc:
        fail(str(exc))
    finally:
        for t in temps:
            shutil.rmtree(t, ignore_errors=True)
    label = lambda a: d.graphs[1].label(a) if a in d.graphs[1].actors else d.graphs[0].label(a)
    rows = ([{"what": "added", "relation": f.key, "detail": f.where()} for f in d.added]
            + [{"what": "removed", "relation": f.key, "detail": ""} for f in d.removed]
            + [{"what": "changed", "relation": b.key, "detail": ", ".join(what) + f" ({b.where()})"}
               for _, b, what in d.changed]
            + [{"what": "actor added", "relation": a, "detail": label(a)} for a in d.actors_added]
            + [{"what": "actor removed", "relation": a, "detail": label(a)}
               for a in d.actors_removed]
            + [{"what": "source added", "relation": s, "detail": ""} for s in d.sources_added]
            + [{"what": "source removed", "relation": s, "detail": ""} for s in d.sources_removed]
            + [{"what": "source changed", "relation": s, "detail": ", ".join(w)}
               for s, w in d.sources_changed])
    click.echo(f"{d.old} -> {d.new}: {len(d.added)} relations added, {len(d.removed)} removed, "
               f"{len(d.changed)} changed; {len(d.actors_added)} actors added, "
               f"{len(d.actors_removed)} removed; {len(d.sources_added)} sources added, "
               f"{len(d.sources_removed)} removed, {len(d.sources_changed)} changed", err=True)
    if summary:
        rows = []
    if fmt == "table":
        if not summary:
            click.echo(render(rows, fmt, ["what", "relation", "detail"]) if rows
                       else "(no changes)")
        if d.moves:
            click.echo(("" if summary else "\n") +
                       f"{metric}, present actors' view: the largest moves")
            click.echo(render([{"actor": label(a), "id": a, "before": x, "after": y,
                                "move": (y or 0) - (x or 0)} for a, x, y in d.moves], fmt))
        return
    number = lambda x: "" if x is None else f"{x:.6f}"
    click.echo(render(rows + [{"what": f"{metric} moved", "relation": a,
                               "detail": f"{number(x)} -> {number(y)}"} for a, x, y in d.moves],
                      fmt, ["what", "relation", "detail"]))


@click.command()
@click.option("--metric", required=True, help="A measure, e.g. betweenness, degree.")
@click.option("--actors", default="", help="Comma-separated ids or names (default: the top 5 "
                                             "in the last year).")
@click.option("--from", "first", type=int, required=True, help="First year.")
@click.option("--to", "last", type=int, required=True, help="Last year.")
@click.option("--marks", type=int, default=3, show_default=True,
              help="Mark the N years whose changes moved the measure most.")
@click.option("-o", "--out", "stem", type=click.Path(path_type=Path), default=None,
              help="Write OUT.csv, OUT.png and OUT.svg [default: evolution-METRIC].")
@network_options
def evolution(metric, actors, first, last, marks, stem, data, graph_file, view, as_of, tracks,
              kinds, exclude, drop_undated, min_confidence) -> None:
    """A measure per year (the graph as of each 31 December), as CSV and a line plot that marks
    the years of the largest moves and the change that moved each most.

    \b
    Example:
      graphkit evolution --metric betweenness --from 1993 --to 2025 \\
          --actors asean,cscap,arf,un,united-states -o exports/evolution-betweenness
    """
    from .changes import changes as explain
    from .evolution import plot, rows, top_actors, yearly
    from .exports import write_atomic
    from .metrics.registry import UnknownMeasure, check_name
    from .tables import render

    if first > last:
        raise click.BadParameter("--from must not be after --to")
    g = load(data, graph_file)
    flt = make_filter(g.model, as_of, tracks, kinds, exclude, drop_undated, min_confidence)
    if view not in g.model.views:
        raise click.BadParameter(f"unknown view '{view}'", param_hint="--view")
    try:
        check_name(metric, g.model.views[view].directed)
    except UnknownMeasure as exc:
        raise click.BadParameter(str(exc), param_hint="--metric") from None
    notes: list[str] = []
    series = yearly(g, view, metric, first, last, notes=notes, flt=flt)
    if notes:
        click.echo(f"note: {metric} estimated in {len(notes)} of {last - first + 1} years "
                   f"({notes[0].split(':')[0]}-{notes[-1].split(':')[0]}): "
                   f"{notes[-1].split(': ', 1)[1]}", err=True)
    chosen = [actor(g, a) for a in actors.split(",") if a.strip()] or top_actors(series)
    marked = []
    for (_, before), (year, after) in zip(series, series[1:]):
        total = sum(abs((after.get(a) or 0) - (before.get(a) or 0)) for a in chosen)
        marked.append((total, year))
    labels = []
    for total, year in sorted(marked, key=lambda ty: (-ty[0], ty[1]))[:marks]:
        if total <= 0:
            continue
        report = explain(g, str(year - 1), str(year), metric, view, flt, per_actor=1,
                         actors=chosen)
        found = [c for m in report.moves for c in m.contributions]
        best = max(found, key=lambda cs: abs(cs[1])) if found else None
        text = f"{year}" + (f": {best[0].what} {g.model.relations[best[0].fact.kind].label} "
                            f"{' / '.join(g.label(a) for a in best[0].fact.actors())}"
                            if best else "")
        text = text if len(text) <= 120 else text[:119].rsplit(" ", 1)[0] + "…"
        labels.append((year, text))
        click.echo(f"mark {text}", err=True)
    stem = stem or Path(f"evolution-{metric}")
    table = render(rows(series, chosen), "csv", ["year"] + chosen)
    written = write_atomic(stem.parent if str(stem.parent) else Path("."),
                           {stem.name + ".csv": (table + "\n").encode("utf-8")})
    written += plot(series, chosen, {a: g.label(a) for a in chosen}, metric, view, stem,
                    sorted(labels))
    for path in written:
        click.echo(f"wrote {path}")


RDF_FORMATS = ("ttl", "nt", "jsonld")
NETWORK_FORMATS = ("graphml", "gexf", "csv", "kumu")


@click.command()
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS + NETWORK_FORMATS),
              required=True, help="ttl, nt, jsonld: the whole RDF graph, as the build writes "
                                  "it; graphml, gexf, csv, kumu: a network view.")
@network_options
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (for csv, NAME.csv gives NAME-nodes.csv and "
                   "NAME-edges.csv).")
def export(fmt, data, graph_file, view, as_of, tracks, kinds, exclude, drop_undated,
           min_confidence, out) -> None:
    """Write the graph for another tool: the RDF graph (Turtle, N-Triples, JSON-LD) for a
    triple store, or a network view (the graph the measures run on, with the measures as node
    attributes) for Gephi (GEXF, with each relation's dates as spells on its timeline), yEd or
    Cytoscape (GraphML), spreadsheets (CSV node and edge lists) or Kumu (a JSON blueprint).

    \b
    Examples:
      graphkit export --format gexf --view actors --as-of all -o actors.gexf
      graphkit export --format graphml --view states --as-of 2010 -o states-2010.graphml
      graphkit export --format csv --view membership --tracks 2 -o membership.csv
      graphkit export --format kumu -o graphkit-kumu.json
      graphkit export --format ttl -o graph.ttl
    """
    from . import network_exports as nx_out
    from .exports import write_atomic

    ctx = click.get_current_context()
    if fmt in RDF_FORMATS:
        for name in ("view", "as_of", "graph_file", "tracks", "kinds", "exclude",
                     "drop_undated", "min_confidence"):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"--{name.replace('_', '-')} applies to the network "
                                       f"formats ({', '.join(NETWORK_FORMATS)}); the RDF graph "
                                       "carries every relation with its dates (filter it in "
                                       "SPARQL, e.g. 'graphkit query members-as-of')")
        files = {out.name: _rdf(data, fmt)}
        summary = ""
    else:
        from .metrics.registry import Context, metric_table

        g, flt, v = graph_and_view(data, graph_file, view, as_of, tracks, kinds, exclude,
                                   drop_undated, min_confidence)
        measured = {}
        if v.graph.number_of_nodes():
            groups = {n: d.get("asean", "") for n, d in v.graph.nodes(data=True)}
            measured = {r["id"]: r for r in metric_table(v.graph, Context(groups=groups))[0]}
        graph = nx_out.with_measures(v.graph, measured)
        if fmt == "csv":
            stem = out.name.removesuffix(".csv")
            files = {f"{stem}-{k}.csv": b for k, b in nx_out.csv_tables(graph).items()}
        elif fmt == "kumu":
            labels = {k: t.label for k, t in g.model.actor_types.items()}
            files = {out.name: nx_out.kumu(graph, labels)}
        else:
            files = {out.name: getattr(nx_out, fmt)(graph)}
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


@click.command("view")
@data_option
@click.option("--focus", default=None, help="Only this actor (id, name or alias) and its "
                                            "neighbourhood.")
@click.option("--hops", type=int, default=1, show_default=True,
              help="With --focus: how many steps out.")
@filter_options(as_of_default="all")
@click.option("--size-by", "size_by", default="betweenness", show_default=True,
              help="The measure that sizes the nodes (measured in the 'actors' view).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("network.html"), show_default=True)
def view(data, focus, hops, as_of, tracks, kinds, exclude, drop_undated, min_confidence,
         size_by, out) -> None:
    """Write the interactive network map: one HTML file that works offline.

    \b
    Filters by relation and actor type, search by any name or alias, a year control, physics
    on or off; hover or click for details and sources.
    Examples:
      graphkit view -o map.html
      graphkit view --focus "North Korea" --hops 2 -o dprk.html
      graphkit view --relations membership,mediation --as-of 2010 --size-by degree
      graphkit view --tracks 2 -o track2.html
    """
    from .facts import graph_of
    from .map_data import map_data
    from .metrics.registry import Context, UnknownMeasure, check_name, metric_table
    from .render_map import render, write
    from .views import make_view

    result = checked(data)
    g = graph_of(result.dataset)
    flt = make_filter(g.model, as_of, tracks, kinds, exclude, drop_undated, min_confidence)
    try:
        check_name(size_by, False)
    except UnknownMeasure as exc:
        raise click.BadParameter(str(exc), param_hint="--size-by") from None
    focus_id = actor(g, focus) if focus else None
    graph = make_view(g, "actors", "present").graph
    groups = {n: d["asean"] for n, d in graph.nodes(data=True)}
    measured = {r["id"]: r for r in metric_table(graph, Context(groups=groups))[0]} \
        if graph.number_of_nodes() else {}
    m = map_data(g, measured, size_by, focus_id, hops, flt)
    subtitle = (f"around {g.label(focus_id)}, {hops} step(s)" if focus_id else "") + (
        f"; as of {flt.label}" if flt.label != "all" else "")
    path = write(render(m, subtitle=subtitle.strip("; "), size_by=size_by,
                        fold=focus_id is None), out)
    click.echo(f"wrote {path} ({len(m.nodes)} actors, {len(m.edges)} relations, "
               f"{path.stat().st_size:,} bytes)")


@click.command("site")
@data_option
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="The folder to write (replaced).")
@click.option("--timings", is_flag=True,
              help="Print on stderr where the time went, stage by stage.")
def site(data, out, timings) -> None:
    """Write the graph as a static site: an index searching every name and alias, a page per
    actor (relations, sources and quotes, measures and their rank, brokerage, a small map),
    per source document and per relation kind. It opens by double-click, fetches nothing, and
    serves as it is from any static host.

    \b
    Example:
      graphkit site -o site && open site/index.html
    """
    import time

    from .build import MEASURE_IN_CHILD_FROM, brokerage_roles, measure_later
    from .facts import graph_of
    from .site import actor_pages, reference_pages, relation_blocks, stage_site
    from .timings import Stages

    started, stage = time.perf_counter(), Stages()
    with stage("read and check the records"):
        g = graph_of(checked(data).dataset)
    keep_until_exit(g)
    # the measures in another process; meanwhile this one makes, alone (a fork would only
    # take a core from the measures), what needs no measure
    with stage("measure the actors"):
        measured, _ = measure_later(g)
    alone = 1 if len(g.actors) >= MEASURE_IN_CHILD_FROM else None
    with stage("brokerage roles, and each relation's block"):
        roles, blocks = brokerage_roles(g), relation_blocks(g, alone)
    keep_until_exit(blocks)
    with stage("the pages of sources and kinds, and the index"):
        staged = stage_site(out, reference_pages(g, "graphkit", blocks), processes=alone)
    try:
        with stage("measure the actors (the rest of it)"):
            rows = {r["id"]: r for r in measured()[0]}
    except BaseException:
        staged.discard()
        raise
    with stage("the pages of actors"):
        staged = stage_site(out, actor_pages(g, rows, roles, "graphkit", blocks), staged)
    with stage("replace the folder"):
        written = staged.commit()
    size = sum(p.stat().st_size for p in written)
    if timings:
        for line in stage.table():
            click.echo(line, err=True)
    click.echo(f"wrote {out}/ ({len(written):,} files, {size:,} bytes) in "
               f"{time.perf_counter() - started:.2f} s")


@click.command("views")
def views() -> None:
    """The network views, as ontology/model.yaml declares them."""
    from .model import load_model

    for name, v in load_model().views.items():
        click.echo(f"{name:<12} {v.doc}")


COMMANDS = [metrics, bridges, brokers, cuts, groups, balance, changes, diff, evolution, export,
            view, site, views]
