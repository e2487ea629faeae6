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
from typing import Callable, Iterable, Sequence

from .dataset import Dataset, load_dataset
from .forks import stop
from .problems import Report
from .timings import Stages


SHACL_AUTO_LIMIT = 300_000  # triples: SHACL takes about 1 s per 25,000 triples beyond this
SITE_AUTO_LIMIT = 5_000  # actors: the build writes the site up to this many unless told
MAP_ACTORS = 1_000  # the build's map draws at most this many actors, the most central
MEASURE_IN_CHILD_FROM = 2_000  # actors: from here the measures run beside the making of the triples
#: relations: from here a build without the site lets go of their records once the triples are
#: made (the 100k build's peak: 12.1 -> 10.1 GB; below, the 11 microseconds a relation it takes
#: are not worth it)
RELEASE_RECORDS_FROM = 200_000


@dataclass
class BuildResult:
    report: Report
    dataset: Dataset | None = None
    triples: list = field(default_factory=list)  # unique tuples in N-Triples order
    lines: Sequence[str] = field(default_factory=list)  # their N-Triples lines (NTLines)
    notes: list[str] = field(default_factory=list)  # what the run chose to skip, and why
    metric_rows: list[dict] = field(default_factory=list)  # graphkit.metrics.registry rows
    graph: object = None  # the graphkit.facts.Graph the measures ran on
    pending: object = None  # a SHACL validation running in a child process
    beside: object = None  # waits for check()'s beside_measures(graph, rows), made elsewhere
    stages: Stages = field(default_factory=Stages)  # where the time went
    released: dict | None = None  # what summary() counts of the relations, once they are let go

    def finish_shacl(self) -> None:
        """Wait for a SHACL validation started in the background and add its problems."""
        if self.pending is not None:
            wait, self.pending = self.pending, None
            with self.stages("validate with SHACL (the rest of it)"):
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
        counts = self.released or _relation_counts(ds)
        return {
            "actors": dict(sorted(Counter(a.type for a in ds.actors.values()).items())),
            "relations": counts["relations"],
            "sources": len(ds.sources),
            "issues": len(ds.issues),
            "citations": counts["citations"],
            "triples": len(self.lines),
        }

    def release_records(self) -> None:
        """Let go of the relations' records and facts (what the triples were made from): the
        rest of a build without the site needs neither, and at 100,000 actors they hold
        gigabytes. :meth:`summary` still counts them; ``dataset.relations``, ``dataset.facts``
        and ``graph.facts`` are left empty."""
        ds = self.dataset
        self.released = _relation_counts(ds)
        for facts in (ds.relations, ds.facts, getattr(self.graph, "facts", [])):
            facts.clear()  # in place: a forked child's waiter still holds the graph here


def _relation_counts(ds: Dataset) -> dict:
    return {"relations": dict(sorted(Counter(r.kind for r in ds.relations).items())),
            "citations": sum(len(r.sources) for r in ds.relations)}


def _collector_paused(function: Callable) -> Callable:
    """``function`` run with Python's cycle collector off, what it made then frozen
    (``gc.freeze``: no later collection walks it). Reading the records and making the triples
    make millions of objects that live on, and almost no garbage cycles (549 objects after
    :func:`check` of the 10k set): each collection of the young objects walked ten million of
    them for nothing, 2.5 to 3 s each at 100,000 actors. Forked children collect as usual
    (:mod:`graphkit.forks`)."""
    import functools
    import gc

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.freeze()
            if enabled:
                gc.enable()

    return paused


@_collector_paused
def check(data: Path, shown_as: str | None = None, shacl: bool | None = None,
          progress: Callable[[Iterable], Iterable] | None = None,
          metrics: bool = False, background: bool = False, rdf: bool = True,
          beside_measures: Callable[[object, list[dict]], object] | None = None,
          keep_records: Callable[[Dataset], bool] | None = None,
          meanwhile: Callable[["BuildResult", Callable[[], bool]], None] | None = None
          ) -> BuildResult:
    """Load and check ``data``, build its triples and validate them with SHACL.

    ``shacl`` None (the default) validates graphs up to ``SHACL_AUTO_LIMIT`` triples and notes
    the skip beyond it (the loader has already checked every record the shapes describe);
    True always validates, False never. ``metrics`` adds the network measures of every actor
    (:mod:`graphkit.metrics.publish`) to the graph. ``background``: SHACL runs in a child
    process while the caller goes on (:meth:`BuildResult.finish_shacl` waits for it).
    ``rdf`` False (with neither SHACL nor metrics) stops after the records' checks: the
    analysis commands need the records, not the triples. ``beside_measures(graph, rows)``
    (the build's map) is made in another process as soon as the measures are known: in the
    measures' own where they run in one (a child forked later would keep a copy of every page
    this process changes meanwhile); ``result.beside`` waits for it. ``keep_records(ds)``
    False: the relations' records and facts are let go once the triples are made
    (:meth:`BuildResult.release_records`). ``meanwhile(result, done)`` runs once the triples
    are made if the measures are computed in another process and were not ready when the
    ordering of the triples began (``done()`` says whether they are ready now): the build
    writes ahead what the measures do not change, here while they run, then in a forked
    process while they are added.
    """
    clock = Stages()
    started: list = []  # the graph and the waiters of the measures, once started

    def start_measures(ds: Dataset) -> bool:
        """True: the measures run beside the checks (in another process where it forks)."""
        from .facts import graph_of

        graph = graph_of(ds)
        started[:] = [graph, *measure_later(graph, then=beside_measures)]
        return True

    with clock("read and check the records"):
        # from MEASURE_IN_CHILD_FROM actors the measures start in another process as soon as
        # the relations are resolved, beside the checks that only look for problems
        ds, report = load_dataset(data, shown_as, progress, facts_made=(
            lambda ds: start_measures(ds) if len(ds.actors) >= MEASURE_IN_CHILD_FROM else None)
            if metrics else None)
    result = BuildResult(report, ds, stages=clock)
    if not report.ok or not (rdf or metrics or shacl is not False):
        for waiter in started[1:]:
            stop(waiter)  # the build fails: its measures are not wanted
        return result
    from .to_rdf import canonical, merge_canonical, to_triples

    if metrics:
        if not started:
            with clock("measure the actors"):
                start_measures(ds)
        result.graph, measured, result.beside = started
    from .forks import ready

    locate = None  # where SHACL's findings are curated, known before the records are let go
    with clock("make the triples, in N-Triples order"):
        made = to_triples(ds)
        if keep_records is not None and not keep_records(ds):
            # SHACL runs when asked, or by default on at most SHACL_AUTO_LIMIT distinct triples:
            # never once RELEASE_RECORDS_FROM relations are let go (each relation has two
            # triples of its own at least), so the locator is made only when it may be needed
            if shacl or shacl is None and len(made) <= SHACL_AUTO_LIMIT:
                from .shapes import locator

                locate = locator(ds)
            result.release_records()
        measures_in = metrics and ready(measured)
        if measures_in:  # known already: ordered with the rest instead of merged in after
            made += _metrics(result, measured())
        result.lines, result.triples = canonical(made)
        del made
    if metrics and not measures_in:
        if meanwhile is not None:
            with clock("write the JSON-LD the measures leave alone, meanwhile"):
                meanwhile(result, lambda: ready(measured))
        with clock("measure the actors (the rest of it)"):
            published = _metrics(result, measured())
        with clock("add the measures to the triples"):
            result.lines, result.triples = merge_canonical(
                (result.lines, result.triples), canonical(published))
    if shacl is None:
        shacl = len(result.lines) <= SHACL_AUTO_LIMIT
        if not shacl:
            result.notes.append(
                f"SHACL validation skipped for {len(result.lines):,} triples (above "
                f"{SHACL_AUTO_LIMIT:,}); the records were checked; pass --shacl to run it too")
    if shacl:
        from .shapes import locator, validate_lines

        locate = locate or locator(ds)
        if background:
            result.pending = _shacl_in_child(result.lines, locate)
        else:
            with clock("validate with SHACL"):
                report.extend(validate_lines(result.lines, locate))
    return result


def _shacl_in_child(lines: list[str], locate) -> Callable[[], list]:
    """SHACL in a forked process (here where it cannot fork): a function waiting for its
    problems, a crash of the child being one problem, not an exception."""
    from .forks import in_child
    from .problems import Problem
    from .shapes import validate_lines

    wait = in_child(validate_lines, lines, locate)

    def problems() -> list:
        try:
            return wait()
        except Exception as exc:  # noqa: BLE001 - reported as a problem of the build
            return [Problem("SHACL", 0, "", f"validation failed: {exc}")]

    return problems


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
    return remembered(v.graph, f"{view} {sorted(only or ())}", lambda: metric_table(
        v.graph, Context(groups=groups, grouping="asean", only=only)))


def remembered(network, what: str, compute: Callable[[], tuple[list[dict], dict]]
               ) -> tuple[list[dict], dict]:
    """``compute()``, the measures ``what`` of ``network``, kept in the parsed-data cache under
    a hash of the network (every node and edge with its attributes, in order), of the measures'
    code (graphkit's, the plug-ins ``GRAPHKIT_MEASURES`` names) and of the libraries' versions:
    a build whose network did not change (a quote fixed, a source added, ``--force``) does not
    measure it again (at 10,000 actors 4 s of CPU)."""
    import hashlib
    import pickle

    from .parse_cache import ParseCache

    cache = ParseCache.default()
    if cache.folder is None:
        return compute()
    shape = pickle.dumps((network.is_directed(), list(network.nodes(data=True)),
                          list(network.edges(data=True))), protocol=pickle.HIGHEST_PROTOCOL)
    key = ParseCache.key(hashlib.sha256(shape).hexdigest(), f"measures {what}",
                         _measures_fingerprint())
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.put(key, found)
    return found


def _measures_fingerprint() -> str:
    """A hash of what shapes the measures besides the network: graphkit/metrics/, the
    plug-ins, networkx's and igraph's versions."""
    import hashlib
    import os

    from .build_stamp import versions

    h = hashlib.sha256()
    folder = Path(__file__).resolve().parent / "metrics"
    plugins = [Path(p) for p in os.environ.get("GRAPHKIT_MEASURES", "").split(os.pathsep) if p]
    for path in sorted(folder.glob("*.py")) + plugins:
        try:
            h.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError as exc:
            h.update(f"{path}: {exc.errno}".encode())
    h.update(versions(("networkx", "igraph", "numpy")).encode())
    return h.hexdigest()


def brokerage_roles(g) -> dict[str, dict]:
    """Each actor's brokerage roles in the directed view as of today (what its site page
    shows), computing no other measure."""
    from .metrics.brokerage import ROLES

    wanted = frozenset(ROLES) | {f"{r}_ratio" for r in ROLES}
    return {r["id"]: r for r in measure(g, "directed", wanted)[0]}


def measure_later(g, view: str = "actors",
                  then: Callable[[object, list[dict]], object] | None = None
                  ) -> tuple[Callable[[], tuple[list[dict], dict]], Callable[[], object] | None]:
    """:func:`measure` started now, in a forked process for a graph of at least
    ``MEASURE_IN_CHILD_FROM`` actors (here for a smaller one, where a fork costs more than it
    saves), and ``then(g, rows)`` after it in that process (in a forked one started once the
    measures are known, for a small graph): two functions returning their results once ready
    (the second None without ``then``)."""
    from .forks import in_child, in_child_steps

    if len(g.actors) >= MEASURE_IN_CHILD_FROM:
        steps = in_child_steps(lambda: measure(g, view),
                               *([lambda found: then(g, found[0])] if then else []))
        return steps[0], (steps[1] if then else None)
    found = measure(g, view)
    return (lambda: found), (in_child(then, g, found[0]) if then else None)


def _metrics(result: BuildResult, measured: tuple[list[dict], dict]) -> list:
    """Keep the measures of the actors' view of the present; return them as triples."""
    from .metrics.publish import metric_triples

    rows, meta = measured
    result.metric_rows = rows
    for name in ("betweenness", "closeness"):
        if meta.get(name, "exact") != "exact":
            result.notes.append(f"metrics: {name} {meta[name]}")
    return metric_triples(rows)


def build(data: Path, out: Path, shown_as: str | None = None, shacl: bool | None = None,
          progress: Callable[[Iterable], Iterable] | None = None,
          metrics: bool = True, site: bool | None = None) -> BuildResult:
    """Check ``data`` and, only if it has no error, write the exports into ``out`` atomically:
    graph.ttl, graph.nt, graph.jsonld and (with ``metrics``) metrics.csv, the interactive map
    network.html and (with ``site``) the static site site/. ``site`` None (the default) writes
    the site for up to ``SITE_AUTO_LIMIT`` actors and notes the skip beyond (``graphkit site``
    writes it at any size)."""
    from .export_pieces import PieceStore
    from .exports import JsonLdAhead, PARALLEL_FROM, write_exports

    extra: dict = {}
    staged = None
    reuse = PieceStore.default(out)  # the previous exports' pieces, copied where unchanged
    ahead = JsonLdAhead(out, reuse.found.get("graph.jsonld"))
    try:
        result = check(data, shown_as, shacl, progress, metrics, background=True,
                       beside_measures=_draw,
                       keep_records=lambda ds: (len(ds.relations) < RELEASE_RECORDS_FROM
                                                or metrics and _site_wanted(site, ds)),
                       meanwhile=lambda result, done: (
                           ahead.write(result.triples, result.lines, done)
                           if len(result.lines) >= PARALLEL_FROM else None))
    except BaseException as exc:
        ahead.close()
        reuse.close()
        from .scratch import ScratchError

        if isinstance(exc, ScratchError):
            raise WriteError(str(exc)) from None
        raise
    if result.beside is not None:
        extra["network.html"] = result.beside
    if not result.ok:
        ahead.close()
        reuse.close()
        result.finish_shacl()
        _collect(extra)
        return result

    try:
        if metrics:  # made while SHACL runs in the background
            from .metrics.publish import metrics_csv

            extra["metrics.csv"] = metrics_csv(result.metric_rows)
            rows = {r["id"]: r for r in result.metric_rows}
            if site is None:
                site = _site_wanted(site, result.dataset)
                if not site:
                    result.notes.append(
                        f"site not written for {len(result.dataset.actors):,} actors (above "
                        f"{SITE_AUTO_LIMIT:,}; {out}/site is left as it was); pass --site, or "
                        "run 'graphkit site -o DIR'")
            if site:
                from .site import site_pages, stage_site

                with result.stages("write the site"):
                    staged = stage_site(out / "site", site_pages(
                        result.graph, rows, brokerage_roles(result.graph)))
        result.finish_shacl()
        if not result.ok:
            return result
        with result.stages("write the graph, the table and the map"):
            result.written = write_exports(out, result.triples, result.lines, extra=extra,
                                           ahead=ahead, reuse=reuse)
        if staged is not None:
            staged.commit()
            staged = None
            result.written.append(out / "site")
    except (OSError, RuntimeError) as exc:
        raise WriteError(f"could not write the exports into {out}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    finally:
        ahead.close()
        reuse.close()
        result.finish_shacl()
        if staged is not None:
            staged.discard()
        _collect(extra)
    return result


def _site_wanted(site: bool | None, ds: Dataset) -> bool:
    """Whether the build writes the site: as told, or up to ``SITE_AUTO_LIMIT`` actors."""
    return site if site is not None else len(ds.actors) <= SITE_AUTO_LIMIT


def _draw(graph, rows: list[dict]) -> bytes:
    """The build's map (in another process: see :func:`check`)."""
    from .map_data import map_data
    from .render_map import render

    return render(map_data(graph, {r["id"]: r for r in rows}, most=MAP_ACTORS)).encode("utf-8")


def _collect(extra: dict) -> None:
    """Wait for every file still being made in another process (a failed check or write
    leaves no child behind); their own failures give way to the build's."""
    for made in extra.values():
        if callable(made):
            try:
                made()
            except Exception:  # noqa: BLE001 - the build's own error is reported
                pass


class WriteError(Exception):
    """The exports could not be written (a full disk, a folder without permission...); the
    previous exports are unchanged."""
