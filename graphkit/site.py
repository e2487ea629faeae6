"""The graph as a reference work: a static site with a page for every actor, every source
document and every relation kind, and an index that searches every name and alias. It opens
by double-click (``index.html``), serves as it is from any static host (and from
``graphkit serve`` at ``/site/``), links only within itself and fetches nothing.

- ``index.html``: every actor, with search by any name or alias (accents and case ignored) and
  filters by type; the search index is a script (``assets/index.js``), so it works from a file.
- ``actors/ID.html``: names, type, country, description; its measures with their rank; its
  brokerage roles; a small ego map (inline SVG); its relations grouped by kind with dates,
  tracks, roles, and each source with its quote and link.
- ``sources/ID.html``: a document and every relation it supports, with the quote.
- ``kinds/KIND.html``: a relation kind, what the model says of it, and every relation of it.

The same graph gives the same bytes (nothing dated, everything sorted).

>>> import tempfile
>>> from pathlib import Path
>>> from graphkit.dataset import load_dataset
>>> from graphkit.facts import graph_of
>>> out = Path(tempfile.mkdtemp()) / "site"
>>> written = write_site(graph_of(load_dataset(Path("tests/cases/base"))[0]), out)
>>> sorted(p.name for p in (out / "actors").iterdir())[:3], (out / "index.html").is_file()
(['arf.html', 'asean.html', 'cscap.html'], True)
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Callable

from .facts import Fact, Graph
from .html_safe import script_json

CSS = """\
body { font-family: sans-serif; font-size: 14px; color: #222; margin: 0; line-height: 1.45; }
header { background: #f4f4f4; border-bottom: 1px solid #ddd; padding: 8px 18px; }
header a { color: #333; margin-right: 14px; text-decoration: none; font-weight: bold; }
main { max-width: 980px; padding: 12px 18px 40px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 16px; margin: 22px 0 6px; }
.muted { color: #777; } .kv { margin: 2px 0; } .kv b { display: inline-block; min-width: 110px; }
table { border-collapse: collapse; margin: 6px 0; } td, th { padding: 3px 8px; text-align: left;
  border-bottom: 1px solid #eee; vertical-align: top; } th { background: #fafafa; }
.rel { margin: 8px 0 14px; } .quote { font-style: italic; border-left: 3px solid #ccc;
  padding-left: 8px; margin: 3px 0 1px 14px; } .src { margin-left: 14px; font-size: 13px; color: #555; }
.chip { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px;
  background: #eef; margin-left: 4px; } .adversarial { background: #fdd; }
#q { width: 320px; padding: 5px; font-size: 14px; } #types label { margin-right: 10px; white-space: nowrap; }
ul.actors { columns: 3; padding-left: 18px; } ul.actors li { break-inside: avoid; }
svg text { font-size: 10px; font-family: sans-serif; }
"""

SEARCH_JS = r"""(function () {
  "use strict";
  function plain(t) { return t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  var q = document.getElementById("q"), list = document.getElementById("list");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#types input"));
  var rows = Array.prototype.slice.call(list.querySelectorAll("li"));
  var names = {};
  (window.GK_INDEX || []).forEach(function (a) { names[a.id] = plain([a.name, a.id].concat(a.aliases).join(" | ")); });
  function apply() {
    var t = plain(q.value.trim()), on = {}, shown = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    rows.forEach(function (li) {
      var ok = on[li.getAttribute("data-type")] && (!t || names[li.getAttribute("data-id")].indexOf(t) >= 0);
      li.style.display = ok ? "" : "none"; if (ok) shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " actors";
  }
  q.addEventListener("input", apply); boxes.forEach(function (b) { b.addEventListener("change", apply); });
  apply();
})();
"""


def write_site(g: Graph, out: Path, measures: dict[str, dict] | None = None,
               roles: dict[str, dict] | None = None, title: str = "graphkit") -> list[Path]:
    """Write the site of ``g`` into ``out``, replacing it whole only once every page is
    written. ``measures``: actor -> row of the actors' view's measures; ``roles``: actor ->
    row of the directed view's (brokerage). Returns the files written."""
    return stage_site(out, site_pages(g, measures, roles, title)).commit()


def site_pages(g: Graph, measures: dict[str, dict] | None = None,
               roles: dict[str, dict] | None = None, title: str = "graphkit",
               blocks: dict[int, str] | None = None) -> dict[str, Callable[[], str]]:
    """Every file of the site: its path inside the site, and a function rendering its text
    (called by :func:`stage_site`, on every core where it can fork). ``blocks``: the
    relations' :func:`relation_blocks`, where already made."""
    blocks = blocks if blocks is not None else relation_blocks(g)
    return {**reference_pages(g, title, blocks), **actor_pages(g, measures, roles, title, blocks)}


def reference_pages(g: Graph, title: str, blocks: dict[int, str]
                    ) -> dict[str, Callable[[], str]]:
    """The pages that need no measure: the index and its assets, a page per source document
    and per relation kind (see :func:`site_pages`)."""
    from markupsafe import Markup

    from .relation_html import RelationHtml
    from .render_map import page

    model, relations, common = g.model, RelationHtml(g), _common(g, title)
    by_source: dict[str, list[tuple[Fact, object]]] = defaultdict(list)
    by_kind: dict[str, list[Fact]] = defaultdict(list)
    for f in g.facts:
        by_kind[f.kind].append(f)
        for c in (f.record.sources if f.record is not None else []):
            by_source[c.source].append((f, c))
    types = sorted({a.type for a in g.actors.values()})
    index_js = "window.GK_INDEX = " + script_json([
        {"id": a.id, "name": a.label, "aliases": a.aliases, "type": a.type}
        for a in sorted(g.actors.values(), key=lambda a: a.id)]) + ";\n"
    files: dict[str, Callable[[], str]] = {
        "assets/site.css": lambda: CSS, "assets/search.js": lambda: SEARCH_JS,
        "assets/index.js": lambda: index_js}
    actors = _by_label(g)
    files["index.html"] = lambda: page(
        "site_index.html", root="", actors=actors, types=types,
        counts={t: sum(1 for a in actors if a.type == t) for t in types},
        facts=len(g.facts), sources=len(g.sources), **common)

    def source_page(sid: str, src) -> str:
        cited = sorted(by_source.get(sid, []), key=lambda fc: _order(fc[0]))
        return page("site_source.html", root="../", s=src, sid=sid, count=len(cited),
                    cited=Markup("".join(relations.citing(f, c) for f, c in cited)), **common)

    def kind_page(kind: str, spec) -> str:
        facts = sorted(by_kind.get(kind, []), key=_order)
        return page("site_kind.html", root="../", spec=spec, count=len(facts),
                    blocks=Markup("".join(blocks[id(f)] for f in facts)), **common)

    for sid, src in sorted(g.sources.items()):
        files[f"sources/{sid}.html"] = lambda sid=sid, src=src: source_page(sid, src)
    for kind, spec in model.relations.items():
        files[f"kinds/{kind}.html"] = lambda kind=kind, spec=spec: kind_page(kind, spec)
    return files


def actor_pages(g: Graph, measures: dict[str, dict] | None, roles: dict[str, dict] | None,
                title: str, blocks: dict[int, str]) -> dict[str, Callable[[], str]]:
    """A page per actor: what :func:`reference_pages` leaves, the part that shows the
    measures (``measures``: actor -> row of the actors' view) and the brokerage roles
    (``roles``: actor -> row of the directed view)."""
    from markupsafe import Markup, escape

    from .metrics.registry import published
    from .relation_html import RelationHtml
    from .render_map import page

    measures, roles = measures or {}, roles or {}
    model, relations, common = g.model, RelationHtml(g), _common(g, title)
    ego = _EgoMaps(g, measures)
    by_actor: dict[str, list[Fact]] = defaultdict(list)
    for f in g.facts:
        for a in set(f.actors()):
            by_actor[a].append(f)
    shown = [m for m in published() if any(m.name in r for r in measures.values())]
    ranks = {m.name: _ranks(measures, m.name, m.rank) for m in shown}
    heads = {m.name: f'<tr><td title="{escape(m.doc)}">{escape(m.label)}</td><td>' for m in shown}

    def standing(actor: str) -> Markup:
        """The rows of the actor's measures: value, and rank among all actors."""
        row, out = measures.get(actor, {}), []
        for m in shown:
            value = row.get(m.name)
            if value is None:
                continue
            rank = ranks[m.name].get(actor)
            of = (f"{rank} of {len(ranks[m.name])}{' (1: lowest)' if m.rank == 'low' else ''}"
                  if rank else "")
            shown_value = "%.4f" % value if isinstance(value, float) else escape(value)
            out.append(f"{heads[m.name]}{shown_value}</td><td>{of}</td></tr>\n")
        return Markup("".join(out))

    def actor_page(a) -> str:
        facts = sorted(by_actor.get(a.id, []), key=_order)
        shown_as = _as_seen_from(relations, a.id, blocks)
        groups = [(model.relations[k].label, len(of), Markup("".join(map(shown_as, of))))
                  for k in model.relations if (of := [f for f in facts if f.kind == k])]
        return page("site_actor.html", root="../", a=a, groups=groups, g=g,
                    measures=standing(a.id), roles=_roles(roles.get(a.id, {})),
                    ego=ego.svg(a.id, facts), **common)

    return {f"actors/{a.id}.html": (lambda a=a: actor_page(a)) for a in _by_label(g)}


def _common(g: Graph, title: str) -> dict:
    """What every page's frame shows; ``header``: its links, for a page at the site's root
    ("") and for one a folder down ("../"), made once."""
    from markupsafe import Markup, escape

    model = g.model
    header = {root: Markup(f'<a href="{root}index.html">{escape(title)}: actors</a>' + "".join(
        f'<a href="{root}kinds/{escape(k)}.html">{escape(k)}</a>' for k in model.relations))
        for root in ("", "../")}
    return {"title": title, "header": header,
            "type_label": lambda t: model.actor_types[t].label if t in model.actor_types else t}


def _by_label(g: Graph) -> list:
    return sorted(g.actors.values(), key=lambda a: (a.label.casefold(), a.id))


def stage_site(out: Path, pages: dict[str, Callable[[], str]], staged=None,
               processes: int | None = None):
    """Render ``pages`` into a folder beside ``out``: an :class:`graphkit.exports.StagedFolder`
    to ``commit()`` (it replaces ``out`` whole) or ``discard()``; given ``staged`` (what an
    earlier call returned), the pages are added to it. The pages are dealt to forked
    processes, one per core (or ``processes``), each writing its own files; a page whose bytes
    ``out`` already holds keeps its file (:meth:`graphkit.exports.StagedFolder.put`)."""
    from .exports import StagedFolder
    from .forks import fork_map

    staged = staged if staged is not None else StagedFolder(out)
    try:
        for folder in sorted({Path(rel).parent for rel in pages}):
            (staged.path / folder).mkdir(parents=True, exist_ok=True)

        def write(rel: str) -> None:
            staged.put(rel, pages[rel]().encode("utf-8"))

        fork_map(write, sorted(pages), processes, least=PAGES_PER_PROCESS)
        staged.files = sorted({*staged.files, *pages})
    except BaseException:
        staged.discard()
        raise
    return staged


#: pages below which one process renders the whole site (a fork costs more than it saves)
PAGES_PER_PROCESS = 200


def _order(f: Fact) -> tuple:
    return (f.start.text if f.start else "9999", f.key)


def _ranks(measures: dict, name: str, order: str | None) -> dict[str, int]:
    """Each actor's rank by ``name`` (1: the highest value, or the lowest for ``order``
    "low"); no ranks for a measure that is a label (a community number)."""
    if order is None:
        return {}
    sign = -1 if order == "high" else 1
    values = sorted(((r[name], a) for a, r in measures.items()
                     if isinstance(r.get(name), (int, float))),
                    key=lambda va: (sign * va[0], va[1]))
    return {a: i + 1 for i, (_, a) in enumerate(values)}


def _roles(row: dict) -> list[tuple[str, int, float | None]]:
    from .metrics.brokerage import ROLES

    return [(r, row[r], row.get(f"{r}_ratio")) for r in ROLES if row.get(r)]


def relation_blocks(g: Graph, processes: int | None = None) -> dict[int, str]:
    """Each relation's block (:meth:`graphkit.relation_html.RelationHtml.block`), rendered once
    for every page that lists it (at 10,000 actors, rendering it once per page took most of the
    site's time); keyed by the ``id()`` of its fact in ``g``; HTML as plain text, joined by
    the pages before they are marked safe. ``processes``: as :func:`stage_site`."""
    from .forks import fork_map
    from .relation_html import RelationHtml

    block = RelationHtml(g).block
    texts = fork_map(lambda f: str(block(f)), g.facts, processes, least=PAGES_PER_PROCESS)
    return {id(f): t for f, t in zip(g.facts, texts)}


def _as_seen_from(relations, actor: str, html: dict[int, str]):
    """The blocks as ``actor``'s page shows them: its own name in bold, not a link to itself."""
    from .relation_html import text

    link, bold = relations.link(actor), f"<b>{text(relations.g.label(actor))}</b>"
    return lambda f: html[id(f)].replace(link, bold)


class _EgoMaps:
    """Each actor's small map: the actor and its neighbours on a circle (the most central
    first, at most ``limit``), each linked to its page; edges coloured by relation kind. What
    every map of a neighbour repeats (its link, name and colour) is made once."""

    SIZE, R, CX, CY = 560, 160, 280, 250

    def __init__(self, g: Graph, measures: dict, limit: int = 24) -> None:
        self.g, self.measures, self.limit = g, measures, limit
        self._nodes: dict[str, tuple[str, str, str]] = {}
        self._circles: dict[int, list[tuple[float, float]]] = {}

    def svg(self, actor: str, facts: list[Fact]) -> str:
        from xml.sax.saxutils import escape

        g, cx, cy, size = self.g, self.CX, self.CY, self.SIZE
        kinds: dict[str, set[str]] = defaultdict(set)
        for f in facts:
            for a, b, _ in g.edges(f):
                if actor in (a, b) and a != b:
                    kinds[b if a == actor else a].add(f.kind)
        near = sorted(kinds, key=lambda x: (-(self.measures.get(x, {}).get("betweenness") or 0),
                                            g.label(x)))
        more = len(near) - self.limit
        near = near[:self.limit]
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
                 f'viewBox="0 0 {size} {size}" role="img" aria-label="{escape(g.label(actor))} '
                 'and its neighbours">']
        points = list(zip(near, self._circle(len(near))))
        for x, (px, py) in points:
            color = g.model.relations[min(kinds[x])].style.color
            parts.append(f'<line x1="{cx}" y1="{cy}" x2="{px:.1f}" y2="{py:.1f}" '
                         f'stroke="{color}" stroke-width="1.4" opacity="0.8"/>')
        for x, (px, py) in points:
            href, circle, label = self._node(x)
            right = px >= cx
            parts.append(f'<a href={href}><circle cx="{px:.1f}" cy="{py:.1f}" {circle}'
                         f'</circle><text x="{px + (8 if right else -8):.1f}" y="{py + 3:.1f}" '
                         f'text-anchor="{"start" if right else "end"}">{label}</text></a>')
        info = g.actors[actor]
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="11" fill="{g.model.style(info.type).color}" '
                     f'stroke="#222" stroke-width="1.2"/><text x="{cx}" y="{cy + 26}" '
                     f'text-anchor="middle" font-weight="bold">{escape(_short(info.label, 40))}'
                     '</text>')
        if more > 0:
            parts.append(f'<text x="{cx}" y="{size - 6}" text-anchor="middle" fill="#777">and '
                         f'{more} more (listed below)</text>')
        parts.append("</svg>")
        return "".join(parts)

    def _node(self, x: str) -> tuple[str, str, str]:
        """A neighbour's link (quoted), the rest of its circle's tag, its short label."""
        if x not in self._nodes:
            from xml.sax.saxutils import escape, quoteattr

            info = self.g.actors.get(x)
            color = self.g.model.style(info.type).color if info else "#999"
            label = self.g.label(x)
            self._nodes[x] = (quoteattr(x + ".html"), f'r="6" fill="{color}" stroke="#555" '
                              f'stroke-width="0.6"><title>{escape(label)}</title>',
                              escape(_short(label)))
        return self._nodes[x]

    def _circle(self, n: int) -> list[tuple[float, float]]:
        if n not in self._circles:
            self._circles[n] = [
                (self.CX + self.R * math.cos(2 * math.pi * i / max(1, n) - math.pi / 2),
                 self.CY + self.R * math.sin(2 * math.pi * i / max(1, n) - math.pi / 2))
                for i in range(n)]
        return self._circles[n]


def _short(text: str, n: int = 26) -> str:
    return text if len(text) <= n else text[:n - 1] + "\u2026"
