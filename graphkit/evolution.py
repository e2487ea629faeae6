"""A measure year by year: the graph as it stood on 31 December of each year.

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> g = graph_of(load_dataset(Path("tests/cases/base"))[0])
>>> series = yearly(g, "all", "degree", 1966, 1968)
>>> [(year, values.get("malaysia")) for year, values in series]
[(1966, None), (1967, 0.2), (1968, 0.2)]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .facts import Graph
from .filters import Filter
from .metrics.registry import Context, single
from .views import make_view


def yearly(g: Graph, view: str, metric: str, first: int, last: int,
           k: int | None = None, notes: list | None = None,
           flt: Filter | None = None) -> list[tuple[int, dict]]:
    """``[(year, {actor: value})]`` for each year from ``first`` to ``last``; an actor absent
    from the graph that year has no value (None). Betweenness follows the one rule for a
    series of graphs (:func:`graphkit.metrics.centrality.betweenness_pivots`) unless ``k``
    says otherwise; ``notes`` collects what was estimated."""
    from .metrics.centrality import betweenness_note, betweenness_pivots

    flt = flt or Filter()
    out = []
    for year in range(first, last + 1):
        v = make_view(g, view, Filter(**{**flt.__dict__, "as_of": dt.date(year, 12, 31)}))
        n = v.graph.number_of_nodes()
        if n == 0:
            out.append((year, {}))
            continue
        pivots = betweenness_pivots(n, k, series=True)
        if metric == "betweenness" and pivots is not None and notes is not None:
            notes.append(f"{year}: betweenness {betweenness_note(n, pivots)}")
        out.append((year, single(v.graph, metric, Context(pivots=pivots))))
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
         metric: str, view: str, stem: Path,
         marks: list[tuple[int, str]] | None = None) -> list[Path]:
    """A line per actor, written as ``stem.png`` and ``stem.svg`` (deterministic bytes); whole
    years on the axis; ``marks``: (year, text) drawn as a dotted line with its text, for the
    years whose changes moved the measure most."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    plt.rcParams["svg.hashsalt"] = "graphkit"
    years = [year for year, _ in series]
    marks = marks or []
    fig, ax = plt.subplots(figsize=(10, 5 + 0.15 * len(marks)), dpi=100)
    for a in actors:
        ax.plot(years, [values.get(a) if values.get(a) is not None else float("nan")
                        for _, values in series], marker="o", markersize=3,
                label=labels.get(a, a))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    top = ax.get_ylim()[1]
    for i, (year, text) in enumerate(marks, 1):
        ax.axvline(year, color="#888888", linestyle=":", linewidth=1)
        ax.annotate(str(i), (year, top), xytext=(2, -2), textcoords="offset points",
                    fontsize=8, color="#555555", va="top")
    ax.set_xlabel("year (as of 31 December)")
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(f"{metric.replace('_', ' ')} in the '{view}' view, {years[0]}-{years[-1]}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    footnotes = "\n".join(f"{i}  {text}" for i, (_, text) in enumerate(marks, 1))
    if footnotes:  # what moved the measure most in each marked year, under the axes
        fig.text(0.01, 0.01, footnotes, fontsize=7, color="#555555", va="bottom")
    fig.tight_layout(rect=(0, 0.03 * len(marks), 1, 1))
    from .exports import Staging

    stem.parent.mkdir(parents=True, exist_ok=True)
    with Staging(stem.parent) as stage:
        for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            tmp = stage.path(f"{stem.name}.{ext}")
            fig.savefig(tmp, format=ext, metadata=meta)
    plt.close(fig)
    return stage.commit()
