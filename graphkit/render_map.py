"""The interactive network map: one self-contained HTML file that works offline; and
:func:`page`, the one way graphkit renders its pages (jinja2 templates in ``templates/``).

vis-network's script and style come from the copy pyvis ships (pyvis is pinned, so the map's
library changes only when the pin does); the page is graphkit's own template, because pyvis's
loads Bootstrap (and, in "local" mode, vis-network) from a CDN and shows a blank page offline.
Nodes and edges are written in a fixed order and the layout has a fixed seed, so the same data
gives the same bytes and the same picture. Styles come from the model (``style:`` of each actor
type and relation kind).

>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> from graphkit.map_data import map_data
>>> g = graph_of(load_dataset(Path("tests/cases/base"))[0])
>>> html = render(map_data(g), title="test")
>>> "<script src" in html, "<link" in html, html.count("new vis.Network")
(False, False, 1)
"""

from __future__ import annotations

import json
from functools import lru_cache
import math
from importlib import resources
from pathlib import Path

from .html_safe import script_code, script_json
from .map_data import MapData

TRACK_DASHES = {"2": [8, 5], "1.5": [2, 4]}  # Track 1 and untracked: solid
OPTIONS = {
    "autoResize": True,
    "layout": {"randomSeed": 7, "improvedLayout": True},
    "physics": {
        "enabled": True, "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -80, "centralGravity": 0.015,
                             "springLength": 120, "springConstant": 0.05, "avoidOverlap": 0.6,
                             "damping": 0.5},
        "stabilization": {"enabled": True, "iterations": 500, "updateInterval": 25,
                          "fit": True},
        "maxVelocity": 60, "minVelocity": 1.5, "timestep": 0.45,
    },
    "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": False,
                    "navigationButtons": False, "keyboard": False, "multiselect": False},
    "nodes": {"font": {"size": 14, "face": "sans-serif", "strokeWidth": 3,
                       "strokeColor": "#ffffff"}, "borderWidth": 1,
              "scaling": {"min": 8, "max": 44, "label": {"enabled": False}}},
    "edges": {"smooth": False, "color": {"opacity": 0.55},
              "selectionWidth": 2, "hoverWidth": 1.5},
}


def render(m: MapData, title: str = "graphkit: Asia-Pacific security diplomacy",
           subtitle: str = "", size_by: str = "betweenness", fold: bool = True) -> str:
    """The page's HTML for map data ``m``: vis-network's node and edge objects, the options,
    the legend, in graphkit's template with vis-network's script and style inlined. ``fold``:
    the memberships of global bodies start folded (the full map; an ego map shows them)."""
    top = max((n["size"] for n in m.nodes if isinstance(n.get("size"), (int, float))), default=0)
    nodes = []
    for n in m.nodes:
        value = n.get("size")
        size = 1 + 99 * math.sqrt(value / top) if (
            top and isinstance(value, (int, float)) and value > 0) else 1  # vis scales 1..100
        nodes.append({"id": n["id"], "label": n["label"], "shape": n["shape"],
                      "color": n["color"], "value": round(size, 3),
                      "title": _node_tooltip(n), "gk": n})
    edges = [{"id": e["id"], "from": e["from"], "to": e["to"], "color": e["color"],
              "arrows": "to" if e["directed"] else "",
              "dashes": TRACK_DASHES.get(e["track"], False), "width": e["width"],
              "title": _edge_tooltip(e, m), "gk": e} for e in m.edges]
    options = json.loads(json.dumps(OPTIONS))  # a copy the layout may change
    if len(nodes) > SEEDED_LAYOUT_FROM:
        _seed_positions(nodes, edges, options)
    legend = {
        "types": [{"type": t, "label": label, "shape": shape, "color": color}
                  for t, label, shape, color in m.types],
        "kinds": [{"kind": k, "label": label, "color": color} for k, label, color in m.kinds],
        "tracks": [{"track": "1", "label": "Track 1 or none", "dashes": False},
                   {"track": "1.5", "label": "Track 1.5", "dashes": TRACK_DASHES["1.5"]},
                   {"track": "2", "label": "Track 2", "dashes": TRACK_DASHES["2"]}],
        "sizeBy": size_by, "years": list(m.years), "notes": m.notes,
        "fold": fold and any("fold" in e for e in m.edges), "dashes": TRACK_DASHES,
    }
    return page("map.html", title=title, subtitle=subtitle, vis_js=script_code(_vis("js")),
                vis_css=_vis("css"), nodes=script_json(nodes), edges=script_json(edges),
                options=script_json(options), legend=script_json(legend))


def _vis(ext: str) -> str:
    """vis-network's script or style, from the copy pyvis ships (pinned in pyproject.toml)."""
    lib = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    return (lib / f"vis-network.min.{ext}" if ext == "js" else lib / "vis-network.css"
            ).read_text("utf-8")


def page(template: str, **values) -> str:
    """A page of graphkit's (``graphkit/templates/``), rendered by jinja2 with autoescaping;
    values that are already safe (scripts, styles, JSON for scripts) are marked so by the
    template itself."""
    return _templates().get_template(template).render(**values)


@lru_cache(maxsize=1)
def _templates():
    from jinja2 import Environment, FunctionLoader

    def load(name: str):
        path = resources.files("graphkit") / "templates" / name
        return path.read_text("utf-8") if path.is_file() else None

    return Environment(loader=FunctionLoader(load), autoescape=True, trim_blocks=True,
                       lstrip_blocks=True, keep_trailing_newline=True)


#: above this many nodes the layout starts from positions computed in Python (igraph's
#: Fruchterman-Reingold, in C) and the browser only polishes them: vis-network's physics costs
#: about 25 ms an iteration at 2,000 nodes, so 500 iterations from a random start take 15 s.
SEEDED_LAYOUT_FROM = 400
#: from this many nodes the layout's repulsion uses igraph's grid (nearby nodes only; igraph's
#: own "auto" starts above 1,000, which left the build's 1,000-actor map without it): on that
#: map of the 10k set 0.14 s instead of 2.7 s, the spread of edge lengths about the same (0.138
#: against 0.116, the mean squared deviation from the mean length). Smaller maps keep the exact
#: repulsion, which spaces a leaf from its neighbour enough to point at the edge between them.
GRID_FROM = 1_000
ITERATION_BUDGET = 100_000  # node-iterations of physics in the browser
MIN_ITERATIONS = 50  # at least this many: the start is already laid out, the browser polishes


def _seed_positions(nodes: list[dict], edges: list[dict], options: dict) -> None:
    """Give every node an ``x``/``y`` start and shorten the in-browser stabilisation.

    Positions are scaled so that the mean edge is one spring length long, which is the scale
    vis-network's physics settles at, so the polish does not have to expand or shrink the map.
    """
    import random

    from .metrics.fast import igraph as load_igraph

    igraph = load_igraph()
    index = {n["id"]: i for i, n in enumerate(nodes)}
    pairs = [(index[e["from"]], index[e["to"]]) for e in edges]
    g = igraph.Graph(n=len(nodes), edges=pairs)
    state = random.getstate()
    random.seed(7)  # igraph draws its start from Python's random module: fixed, so same bytes
    try:
        coords = g.layout_fruchterman_reingold(niter=500, grid=len(nodes) >= GRID_FROM).coords
    finally:
        random.setstate(state)
    lengths = [math.dist(coords[a], coords[b]) for a, b in pairs if a != b]
    mean = sum(lengths) / len(lengths) if lengths else 1.0
    spring = options["physics"]["forceAtlas2Based"]["springLength"]
    scale = spring / mean if mean else 1.0
    for n, (x, y) in zip(nodes, coords):
        n["x"], n["y"] = round(x * scale, 1), round(y * scale, 1)
    options["layout"]["improvedLayout"] = False
    options["physics"]["stabilization"]["iterations"] = max(
        MIN_ITERATIONS, min(options["physics"]["stabilization"]["iterations"],
                 ITERATION_BUDGET // len(nodes)))


def _node_tooltip(n: dict) -> str:
    lines = [f"{n['label']} ({n['typeLabel']})"]
    if n["aliases"]:
        lines.append("also: " + ", ".join(n["aliases"]))
    for k in ("betweenness", "degree", "constraint"):
        if k in n["metrics"]:
            lines.append(f"{k}: {n['metrics'][k]:.3f}")
    lines.append(f"{n['edges']} relations")
    return "\n".join(lines)


def _edge_tooltip(e: dict, m: MapData) -> str:
    when = (f"{e['start'] or '?'} to {e['end']}" if e["end"] else
            f"since {e['start']}" if e["start"] else "undated")
    lines = [f"{e['kindLabel']}: {e['from']} -> {e['to']}", when]
    if e["track"]:
        lines.append(f"Track {e['track']}")
    for s in e["sources"]:
        lines.append(f"\u201c{s['quote']}\u201d \u2014 {s['title']}")
    return "\n".join(lines)


def write(html: str, path: Path) -> Path:
    """Write the page atomically."""
    from .exports import write_atomic

    return write_atomic(path.parent, {path.name: html.encode("utf-8")})[0]
