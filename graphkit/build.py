"""The main job: data folder -> checked records -> RDF graph -> SHACL -> exports, atomically.

>>> import tempfile
>>> from pathlib import Path
>>> result = build(Path("tests/cases/base"), Path(tempfile.mkdtemp()))
>>> result.ok, sorted(p.name for p in result.written)
(True, ['graph.jsonld', 'graph.nt', 'graph.ttl', 'metrics.csv', 'network.html', 'site'])
>>> result.summary()["relations"]
{'founding': 1, 'influence': 1, 'mediation': 1, 'membership': 1}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .dataset import Dataset, load_dataset
from .problems import Report


SHACL_AUTO_LIMIT = 300_000  # triples: SHACL takes about 1 s per 25,000 triples beyond this
SITE_AUTO_LIMIT = 5_000  # actors: the build writes the site up to this many unless told
MAP_ACTORS = 1_000  # the build's map draws at most this many actors, the most central


@dataclass
class BuildResult:
    report: Report
    dataset: Dataset | None = None
    triples: list = field(default_factory=list)  # unique tuples in N-Triples order
    lines: list[str] = field(default_factory=list)  # their N-Triples lines, sorted
    notes: list[str] = field(default_factory=list)  # what the run chose to skip, and why
    metric_rows: list[dict] = field(default_factory=list)  # graphkit.metrics.registry rows
    graph: object = None  # the graphkit.facts.Graph the measures ran on
    pending: object = None  # a SHACL validation running in a child process

    def finish_shacl(self) -> None:
        """Wait for a SHACL validation started in the background and add its problems."""
        if self.pending is not None:
            wait, self.pending = self.pending, None
            self.report.extend(wait())
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok

    def summary(self) -> dict:
        """Counts users see after a build: actors by type, relations by type, sources, triples."""
        ds = self.dataset
        if ds is None:
            return {}
        return {
            "actors": dict(sorted(Counter(a.type for a in ds.actors.values()).items())),
            "relations": dict(sorted(Counter(r.kind for r in ds.relations).items())),
            "sources": len(ds.sources),
            "issues": len(ds.issues),
            "citations": sum(len(r.sources) for r in ds.relations),
            "triples": len(self.lines),
        }


def check(data: Path, shown_as: str | None = None, shacl: bool | None = None,
          progress: Callable[[Iterable], Iterable] | None = None,
          metrics: bool = False, background: bool = False, rdf: bool = True) -> BuildResult:
    """Load and check ``data``, build its triples and validate them with SHACL.

    ``shacl`` None (the default) validates graphs up to ``SHACL_AUTO_LIMIT`` triples and notes
    the skip beyond it (the loader has already checked every record the shapes describe);
    True always validates, False never. ``metrics`` adds the network measures of every actor
    (:mod:`graphkit.metrics.publish`) to the graph. ``background``: SHACL runs in a child
    process while the caller goes on (:meth:`BuildResult.finish_shacl` waits for it).
    ``rdf`` False (with neither SHACL nor metrics) stops after the records' checks: the
    analysis commands need the records, not the triples.
    """
    ds, report = load_dataset(data, shown_as, progress)
    result = BuildResult(report, ds)
    if not report.ok or not (rdf or metrics or shacl is not False):
        return result
    from .to_rdf import canonical, to_triples

    triples = to_triples(ds)
    if metrics:
        triples += _metrics(result, triples)
    result.lines, result.triples = canonical(triples)
    if shacl is None:
        shacl = len(result.lines) <= SHACL_AUTO_LIMIT
        if not shacl:
            result.notes.append(
                f"SHACL validation skipped for {len(result.lines):,} triples (above "
                f"{SHACL_AUTO_LIMIT:,}); the records were checked; pass --shacl to run it too")
    if shacl:
        from .exports import _can_fork
        from .shapes import locator, validate_lines

        if background and _can_fork():
            result.pending = _in_child(validate_lines, result.lines, locator(ds))
        else:
            report.extend(validate_lines(result.lines, locator(ds)))
    return result


def _in_child(function, *args):
    """Run ``function(*args)`` in a forked process; return a function that waits for its
    list of problems (a crash of the child is one problem, not an exception)."""
    import multiprocessing

    from .problems import Problem

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:  # pragma: no cover (runs in the child)
        try:
            send.send(function(*args))
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            send.send([Problem("SHACL", 0, "", f"validation failed: {exc}")])

    process = ctx.Process(target=child, daemon=True)
    process.start()
    send.close()

    def wait() -> list:
        try:
            found = receive.recv()
        except EOFError:
            found = [Problem("SHACL", 0, "", f"the validation process ended with exit code "
                                             f"{process.exitcode}")]
        process.join()
        return found

    return wait


def measure(g, view: str = "actors", only: frozenset | None = None
            ) -> tuple[list[dict], dict]:
    """The measures of every actor in ``view`` as of today (those in ``only`` if given),
    brokerage groups by ASEAN's side (what the build publishes, the map sizes nodes by and the
    site ranks actors by)."""
    from .metrics.registry import Context, metric_table
    from .views import make_view

    v = make_view(g, view, "present")
    if v.graph.number_of_nodes() == 0:
        return [], {"betweenness": "exact"}
    groups = {n: d["asean"] for n, d in v.graph.nodes(data=True)}
    return metric_table(v.graph, Context(groups=groups, grouping="asean", only=only))


def brokerage_roles(g) -> dict[str, dict]:
    """Each actor's brokerage roles in the directed view as of today (what its site page
    shows), computing no other measure."""
    from .metrics.brokerage import ROLES

    wanted = frozenset(ROLES) | {f"{r}_ratio" for r in ROLES}
    return {r["id"]: r for r in measure(g, "directed", wanted)[0]}


def _metrics(result: BuildResult, triples: list) -> list:
    """Measure the actors' view of the present and return the measures as triples."""
    from .facts import graph_of
    from .metrics.publish import metric_triples

    g = graph_of(result.dataset)
    result.graph = g
    rows, meta = measure(g)
    result.metric_rows = rows
    if meta["betweenness"] != "exact":
        result.notes.append(f"metrics: betweenness {meta['betweenness']}")
    return metric_triples(rows)


def build(data: Path, out: Path, shown_as: str | None = None, shacl: bool | None = None,
          progress: Callable[[Iterable], Iterable] | None = None,
          metrics: bool = True, site: bool | None = None) -> BuildResult:
    """Check ``data`` and, only if it has no error, write the exports into ``out`` atomically:
    graph.ttl, graph.nt, graph.jsonld and (with ``metrics``) metrics.csv, the interactive map
    network.html and (with ``site``) the static site site/. ``site`` None (the default) writes
    the site for up to ``SITE_AUTO_LIMIT`` actors and notes the skip beyond (``graphkit site``
    writes it at any size)."""
    result = check(data, shown_as, shacl, progress, metrics, background=True)
    if not result.ok:
        result.finish_shacl()
        return result
    from .exports import write_exports

    extra, pages = {}, None
    try:
        if metrics:  # made while SHACL runs in the background
            from .map_data import map_data
            from .metrics.publish import metrics_csv
            from .render_map import render

            extra["metrics.csv"] = metrics_csv(result.metric_rows)
            rows = {r["id"]: r for r in result.metric_rows}
            extra["network.html"] = render(map_data(result.graph, rows, most=MAP_ACTORS)
                                           ).encode("utf-8")
            if site is None:
                site = len(result.dataset.actors) <= SITE_AUTO_LIMIT
                if not site:
                    result.notes.append(
                        f"site not written for {len(result.dataset.actors):,} actors (above "
                        f"{SITE_AUTO_LIMIT:,}; {out}/site is left as it was); pass --site, or "
                        "run 'graphkit site -o DIR'")
            if site:
                from .site import site_files

                pages = site_files(result.graph, rows, brokerage_roles(result.graph))
    finally:
        result.finish_shacl()
    if not result.ok:
        return result
    try:
        result.written = write_exports(out, result.triples, result.lines, extra=extra)
        if pages is not None:
            from .site import write_files

            write_files(out / "site", pages)
            result.written.append(out / "site")
    except (OSError, RuntimeError) as exc:
        raise WriteError(f"could not write the exports into {out}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    return result


class WriteError(Exception):
    """The exports could not be written (a full disk, a folder without permission...); the
    previous exports are unchanged."""
