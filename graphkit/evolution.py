"""A measure year by year: the graph as it stood on 31 December of each year.

>>> from pathlib import Path
>>> from graphkit.build import check
>>> from graphkit.views import relations_from_triples
>>> g = relations_from_triples(check(Path("tests/cases/base"), shacl=False).triples)
>>> series = yearly(g, "all", "degree", 1966, 1968)
>>> [(year, values.get("malaysia")) for year, values in series]
[(1966, None), (1967, 0.2), (1968, 0.2)]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .metrics.table import single_metric
from .views import Graph, make_view

EXACT_UP_TO = 3000  # nodes: beyond this, yearly betweenness comes from PIVOTS pivots
PIVOTS = 500


def yearly(g: Graph, view: str, metric: str, first: int, last: int,
           k: int | None = None, notes: list | None = None) -> list[tuple[int, dict]]:
    """``[(year, {actor: value})]`` for each year from ``first`` to ``last``; an actor absent
    from the graph that year has no value (None). Betweenness of graphs above ``EXACT_UP_TO``
    nodes is estimated from ``PIVOTS`` pivots unless ``k`` says otherwise; ``notes`` collects
    what was estimated."""
    from .metrics.centrality import pivot_error_bound

    out = []
    for year in range(first, last + 1):
        v = make_view(g, view, dt.date(year, 12, 31))
        n = v.graph.number_of_nodes()
        if n == 0:
            out.append((year, {}))
            continue
        pivots = k if k is not None else (PIVOTS if n > EXACT_UP_TO else None)
        if metric == "betweenness" and pivots is not None and pivots < n and notes is not None:
            notes.append(f"{year}: betweenness estimated from {pivots} pivots, within "
                         f"±{pivot_error_bound(n, pivots):.3f} with 95% probability")
        out.append((year, single_metric(v.graph, metric, k=pivots)))
    return out


def top_actors(series: list[tuple[int, dict]], n: int = 5) -> list[str]:
    """The ``n`` actors with the highest value in the last year that has values."""
    for _, values in reversed(series):
        ranked = sorted((a for a, v in values.items() if isinstance(v, (int, float))),
                        key=lambda a: (-values[a], a))
        if ranked:
            return ranked[:n]
    return []


def rows(series: list[tuple[int, dict]], actors: list[str]) -> list[dict]:
    return [{"year": year, **{a: values.get(a) for a in actors}} for year, values in series]


def plot(series: list[tuple[int, dict]], actors: list[str], labels: dict[str, str],
         metric: str, view: str, stem: Path) -> list[Path]:
    """A line per actor, written as ``stem.png`` and ``stem.svg`` (deterministic bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "graphkit"
    years = [year for year, _ in series]
    fig, ax = plt.subplots(figsize=(9, 5), dpi=100)
    for a in actors:
        ax.plot(years, [values.get(a) if values.get(a) is not None else float("nan")
                        for _, values in series], marker="o", markersize=3,
                label=labels.get(a, a))
    ax.set_xlabel("year (as of 31 December)")
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(f"{metric.replace('_', ' ')} in the '{view}' view, {years[0]}-{years[-1]}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    from .exports import Staging

    stem.parent.mkdir(parents=True, exist_ok=True)
    with Staging(stem.parent) as stage:
        for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            tmp = stage.path(f"{stem.name}.{ext}")
            fig.savefig(tmp, format=ext, metadata=meta)
    plt.close(fig)
    return stage.commit()
