"""The interactive map in a real headless Chromium (Debian's chromium, driven by Playwright),
with every request outside the file blocked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run

MAP = REPO / "exports" / "network.html"


class Page:
    """A page of the map with outside requests blocked and recorded, console errors kept."""

    def __init__(self, browser, path: Path, width: int = 1600, height: int = 1000):
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []  # alert(), confirm(): a script that should never run
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-stabilized='1']", timeout=30_000)

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def drawn(self) -> tuple[int, int]:
        return tuple(self.js("[graphkitMap.network.body.nodeIndices.length, "
                             "graphkitMap.network.body.edgeIndices.length]"))

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def page(browser):
    """One page of the shipped map for the module (at the 1400x900 of a laptop screen); each
    test leaves the controls as it found them."""
    p = Page(browser, MAP, 1400, 900)
    yield p
    p.close()


@pytest.fixture(scope="module")
def expected(shipped):
    from graphkit.facts import graph_of

    return map_data(graph_of(shipped.dataset), {r["id"]: r for r in shipped.metric_rows})


def map_data(*args):
    from graphkit.map_data import map_data as build

    return build(*args)


def test_loads_offline_without_errors_or_outside_requests(page) -> None:
    assert page.errors == [] and page.dialogs == []
    assert page.outside == []
    html = MAP.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html


def folded(expected) -> int:
    return sum(1 for e in expected.edges if e.get("fold"))


def test_drawn_nodes_and_edges_match_the_graph_with_global_bodies_folded(page, expected) -> None:
    """The first screen folds the memberships of the global bodies (the UN, ASEM...); the
    control unfolds them, and every relation is drawn."""
    assert folded(expected) > 100 and page.js("graphkitMap.state.fold") is True
    nodes, edges = page.drawn()
    assert edges == len(expected.edges) - folded(expected)
    page.page.uncheck("#fold")
    try:
        assert page.drawn() == (len(expected.nodes), len(expected.edges))
        assert page.page.inner_text("#status") == \
            f"{len(expected.nodes)} actors, {len(expected.edges)} relations shown"
    finally:
        page.page.check("#fold")


def label_boxes(page) -> list[dict]:
    """Every label vis-network draws, measured on the rendered map: its on-screen font size
    and box (the text's width measured by the page's own canvas)."""
    return page.js("""(() => {
        const m = graphkitMap, net = m.network, s = net.getScale(), out = [];
        const ctx = document.createElement("canvas").getContext("2d");
        net.body.nodeIndices.forEach(id => {
          const n = m.nodes.get(id); if (!n.label) return;
          const px = n.font.size * s, b = net.body.nodes[id];
          ctx.font = px + "px sans-serif";
          const w = ctx.measureText(n.label).width, p = net.canvasToDOM({x: b.x, y: b.y});
          const top = p.y + b.options.size * s + (n.font.vadjust || 0) * s;
          out.push({id: id, px: px, x1: p.x - w / 2, x2: p.x + w / 2, y1: top,
                    y2: top + px * 1.2});
        });
        return out; })()""")


def test_first_screen_labels_are_legible_and_do_not_overlap(page, expected) -> None:
    """At fit to screen on 1400x900: every label drawn is at least 11 px and no two overlap;
    the most central actors are among those labelled; zooming in shows more."""
    page.page.click("#fit")
    page.page.wait_for_timeout(300)
    boxes = label_boxes(page)
    assert len(boxes) >= 40
    assert min(b["px"] for b in boxes) >= 11
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and \
                b["y1"] < a["y2"]
            assert not overlap, (a["id"], b["id"])
    central = sorted((n for n in expected.nodes if isinstance(n.get("size"), float)),
                     key=lambda n: -n["size"])[:5]
    assert {n["id"] for n in central} <= {b["id"] for b in boxes}
    page.js("graphkitMap.network.moveTo({scale: graphkitMap.network.getScale() * 3})")
    page.js("graphkitMap.placeLabels()")
    zoomed = page.js("graphkitMap.nodes.get().filter(n => n.label).length")
    page.page.click("#fit")
    page.page.wait_for_timeout(300)
    assert zoomed != len(boxes) or zoomed > 0


def test_every_edge_is_visible_and_tracks_are_told_apart_at_any_zoom(page) -> None:
    page.page.click("#fit")
    page.page.wait_for_timeout(300)
    found = page.js("""(() => { const net = graphkitMap.network, s = net.getScale();
        return net.body.edgeIndices.map(id => { const e = graphkitMap.edges.get(id);
          return [e.gk.track, e.width * s, e.dashes ? e.dashes.map(d => d * s) : null]; }); })()""")
    assert found and min(w for _, w, _ in found) >= 1.0
    dashes = {t: d for t, _, d in found if t in ("2", "1.5")}
    assert dashes["2"] and dashes["1.5"] and dashes["2"] != dashes["1.5"]
    assert min(dashes["2"] + dashes["1.5"]) >= 2  # each dash and gap at least 2 px on screen
    assert all(d is None for t, _, d in found if t in ("", "1"))


def test_hover_highlights_neighbours_and_dims_the_rest(page) -> None:
    page.js("graphkitMap.network.selectNodes(['cscap']); "
            "graphkitMap.network.body.emitter.emit('selectNode', {nodes: ['cscap'], edges: []});"
            " null")
    try:
        shown = page.js("""(() => { const m = graphkitMap, out = {};
            m.network.body.nodeIndices.forEach(id => { out[id] = m.nodes.get(id).opacity; });
            return out; })()""")
        neighbours = set(page.js("graphkitMap.network.getConnectedNodes('cscap')"))
        assert shown["cscap"] == 1 and all(shown[n] == 1 for n in neighbours)
        assert all(v < 0.5 for n, v in shown.items() if n not in neighbours | {"cscap"})
        assert page.page.get_attribute("#details", "data-showing") == "node:cscap"
    finally:
        page.js("graphkitMap.network.unselectAll(); "
                "graphkitMap.network.body.emitter.emit('deselectNode', {nodes: []}); null")
    assert all(v in (None, 1) for v in page.js("graphkitMap.nodes.map(n => n.opacity)"))


def test_legend_counts_follow_the_filters(page, expected) -> None:
    def count(kind: str) -> int:
        return int(page.page.inner_text(f"#kinds [data-kind='{kind}'] .count"))

    memberships = count("membership")
    assert memberships == sum(1 for e in expected.edges if e["kind"] == "membership"
                              and not e.get("fold"))
    page.page.uncheck("#types input[value='state']")
    try:
        assert count("membership") < memberships
        assert int(page.page.inner_text("#types [data-type='state'] .count")) == 0
    finally:
        page.page.check("#types input[value='state']")
    assert count("membership") == memberships


def test_relation_filter_hides_those_relations(page, expected) -> None:
    before = page.drawn()[1]
    memberships = count_visible(page, "membership")
    page.page.uncheck("#kinds input[value='membership']")
    try:
        assert page.drawn()[1] == before - memberships
        assert page.js("graphkitMap.edges.get().filter(e => e.gk.kind === 'membership' && "
                       "graphkitMap.network.body.edgeIndices.includes(e.id)).length") == 0
    finally:
        page.page.check("#kinds input[value='membership']")


def count_visible(page, kind: str) -> int:
    return page.js(f"graphkitMap.network.body.edgeIndices.filter(id => "
                   f"graphkitMap.edges.get(id).gk.kind === '{kind}').length")


def test_actor_type_filter_hides_actors_and_their_relations(page, expected) -> None:
    page.page.uncheck("#types input[value='person']")
    try:
        ids = page.js("graphkitMap.network.body.nodeIndices")
        people = {n["id"] for n in expected.nodes if n["type"] == "person"}
        assert not people & set(ids)
    finally:
        page.page.check("#types input[value='person']")


@pytest.mark.parametrize("text", ["DPRK", "north korea", "Pyongyang", "Nort Korea",
                                  "PYONGYANG", "north-korea"])
def test_search_forgives_case_accents_and_typos(page, text) -> None:
    page.page.fill("#search", text)
    page.page.press("#search", "Enter")
    assert page.js("graphkitMap.network.getSelectedNodes()") == ["dprk"]
    assert page.page.inner_text("#search-result") == \
        "found: Democratic People's Republic of Korea"
    assert page.page.get_attribute("#details", "data-showing") == "node:dprk"


def test_search_ignores_diacritics(page) -> None:
    page.page.fill("#search", "Turkiye")
    page.page.press("#search", "Enter")
    assert page.js("graphkitMap.network.getSelectedNodes()") == ["turkiye"]


def test_focus_control_keeps_the_selected_actor_and_its_steps(page) -> None:
    page.page.fill("#search", "CSCAP")
    page.page.press("#search", "Enter")
    page.page.click("#focus-row button[data-hops='1']")
    try:
        ids = set(page.js("graphkitMap.network.body.nodeIndices"))
        neighbours = set(page.js("graphkitMap.network.getConnectedNodes('cscap')"))
        assert ids == neighbours | {"cscap"}
        one = len(ids)
        page.page.click("#focus-row button[data-hops='2']")
        assert len(page.js("graphkitMap.network.body.nodeIndices")) > one
        assert "2 steps out" in page.page.inner_text("#focus-label")
    finally:
        page.page.click("#focus-row button[data-hops='0']")
        page.js("graphkitMap.network.unselectAll()")
        page.page.click("#fit")


def test_hovering_a_relation_shows_its_source_quote(page, expected) -> None:
    """A real mouse hover over the middle of an edge: vis-network's tooltip and the details
    panel both show the source's quote."""
    lonely = [e for e in expected.edges if e["kind"] == "affiliation"
              and e["from"] == "amitav-acharya"][0]
    quote = lonely["sources"][0]["quote"]
    point = page.js(f"""(() => {{
        const n = graphkitMap.network;
        n.fit({{nodes: ["{lonely['from']}", "{lonely['to']}"], animation: false}});
        const p = n.getPositions(["{lonely['from']}", "{lonely['to']}"]);
        const a = p["{lonely['from']}"], b = p["{lonely['to']}"];
        const dom = n.canvasToDOM({{x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}});
        const box = document.getElementById("network").getBoundingClientRect();
        return [box.left + dom.x, box.top + dom.y];
    }})()""")
    page.page.mouse.move(point[0] - 30, point[1] - 30)
    page.page.mouse.move(*point, steps=5)
    page.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    assert quote in page.page.inner_text("div.vis-tooltip")
    assert page.page.get_attribute("#details", "data-showing") == f"edge:{lonely['id']}"
    assert quote in page.page.inner_text("#details")
    page.page.mouse.move(5, 5)
    page.page.click("#fit")


def test_year_control_hides_a_relation_that_began_later(page, expected) -> None:
    """Timor-Leste joined ASEAN on 26 October 2025: its membership edge is drawn for "all
    years" and for 2025, not for 2020 (when it was not even an observer)."""
    joined = [e for e in expected.edges if e["kind"] == "membership" and e["from"] ==
              "timor-leste" and e["to"] == "asean" and e["start"] == "2025-10-26"][0]

    def drawn_at(year: str) -> bool:
        page.js(f"""(() => {{ const y = document.getElementById("year");
                    y.value = {year}; y.dispatchEvent(new Event("input")); }})()""")
        return page.js(f"graphkitMap.network.body.edgeIndices.includes('{joined['id']}')")

    page.page.uncheck("#fold")  # ASEAN's memberships are not folded; show every edge anyway
    try:
        assert drawn_at("y.max")
        assert drawn_at("2025")
        assert not drawn_at("2020")
        assert page.page.inner_text("#year-label").startswith("as of 2020")
        assert page.drawn()[1] < len(expected.edges)
    finally:
        drawn_at("y.max")
        page.page.check("#fold")


def test_physics_can_be_switched_on_and_off(page) -> None:
    assert page.js("graphkitMap.network.physics.physicsEnabled") is False  # off once stable
    page.page.check("#physics")
    assert page.js("graphkitMap.network.physics.physicsEnabled") is True
    page.page.uncheck("#physics")
    assert page.js("graphkitMap.network.physics.physicsEnabled") is False


def test_screenshot_for_the_readme(page, tmp_path) -> None:
    """The first screen at 1400x900. Set GRAPHKIT_UPDATE_DOCS=1 to regenerate docs/map.png
    from the real map."""
    page.page.click("#fit")
    page.page.wait_for_timeout(300)
    shot = tmp_path / "map.png"
    page.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    if os.environ.get("GRAPHKIT_UPDATE_DOCS"):
        shutil.copyfile(shot, REPO / "docs" / "map.png")
    assert (REPO / "docs" / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_view_command_ego_map(browser, tmp_path) -> None:
    out = tmp_path / "dprk.html"
    result = run("view", "--focus", "North Korea", "--hops", "1", "--relations",
                 "membership,mediation,mission", "-o", str(out))
    assert result.returncode == 0, result.stderr
    p = Page(browser, out)
    try:
        kinds = set(p.js("graphkitMap.edges.map(e => e.gk.kind)"))
        assert kinds <= {"membership", "mediation", "mission"}
        ids = set(p.js("graphkitMap.nodes.getIds()"))
        assert "dprk" in ids and {"arf", "cscap", "malaysia"} <= ids
        assert p.errors == [] and p.outside == []
    finally:
        p.close()


def test_view_command_errors() -> None:
    result = run("view", "--relations", "membershp", "-o", "/dev/null")
    assert result.returncode == 2 and "unknown relation kind" in result.stderr
    result = run("view", "--focus", "Pyongyng", "-o", "/dev/null")
    assert result.returncode == 1 and "did you mean 'dprk'?" in result.stderr


def test_large_map_starts_from_computed_positions_and_settles(browser, tmp_path) -> None:
    """Above 400 actors the layout is computed in Python and only polished in the browser
    (bench/map.py times 2,000 actors); the same data still gives the same bytes."""
    import subprocess
    import sys

    from graphkit.render_map import ITERATION_BUDGET, MIN_ITERATIONS, SEEDED_LAYOUT_FROM

    data = tmp_path / "data"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--actors", "450",
                    "--relations", "1000", "--out", str(data)], check=True)
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for out in (first, second):
        result = run("view", "--data", str(data), "-o", str(out))
        assert result.returncode == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    p = Page(browser, first)
    try:
        assert p.errors == [] and p.outside == []
        starts = p.js("graphkitMap.nodes.get().filter(n => typeof n.x === 'number').length")
        n = len(p.js("graphkitMap.nodes.getIds()"))
        assert starts == n > SEEDED_LAYOUT_FROM
        assert p.js("graphkitMap.network.physics.options.stabilization.iterations") == \
            max(MIN_ITERATIONS, min(500, ITERATION_BUDGET // n))
        assert p.js("graphkitMap.network.layoutEngine.options.improvedLayout") is False
    finally:
        p.close()


PAYLOADS = ["<!--<script>", "</script><script>alert(1)</script>", "<img src=x onerror=alert(2)>",
            "\"><svg onload=alert(3)>", "${alert(4)}", "{{7*7}}", "'; alert(5); //",
            "line\u2028separator", "<![CDATA[", "]]>"]


def test_curated_text_cannot_break_or_script_the_map(browser, tmp_path) -> None:
    """Classic HTML and script payloads in every text a curator writes: the map still loads and
    draws every actor, runs none of them, and shows each as plain text."""
    from conftest import compose_case

    data = compose_case(tmp_path, None)
    p = " ".join(PAYLOADS)
    (data / "actors" / "payloads.yaml").write_text(f"""\
- id: eas
  name: 'East Asia Summit {p.replace("'", "''")}'
  type: forum
  aliases: {json_list(PAYLOADS)}
  description: '{p.replace("'", "''")}'
  note: '{p.replace("'", "''")}'
""", encoding="utf-8")
    (data / "relations" / "payloads.yaml").write_text(f"""\
- type: mediation
  mediator: eas
  parties: [dprk, rok]
  issues: [inter-korean-peace-process]
  place: '{p.replace("'", "''")}'
  outcome: '{p.replace("'", "''")}'
  description: '{p.replace("'", "''")}'
  note: '{p.replace("'", "''")}'
  sources:
    - source: public-page
      quote: 'The East Asia Summit mediates. {p.replace("'", "''")}'
      note: '{p.replace("'", "''")}'
""", encoding="utf-8")
    registry = (data / "sources.yaml").read_text(encoding="utf-8")
    (data / "sources.yaml").write_text(registry.replace(
        "title: A public page", f"title: 'A public page {p.replace(chr(39), chr(39) * 2)}'"),
        encoding="utf-8")
    out = tmp_path / "payloads.html"
    result = run("view", "--data", str(data), "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = Page(browser, out)
    try:
        assert page.errors == [] and page.outside == []
        assert page.drawn()[0] == 7
        page.page.fill("#search", "East Asia Summit")
        page.page.press("#search", "Enter")
        shown = page.page.inner_text("#details")
        assert "East Asia Summit <!--<script>" in shown
        assert "<img src=x onerror=alert(2)>" in shown
        assert page.js("document.querySelectorAll('#details img, #details svg, "
                       "#details script').length") == 0
        page.page.hover("#details")
        assert page.dialogs == []
    finally:
        page.close()


def json_list(items: list[str]) -> str:
    import json

    return json.dumps(items, ensure_ascii=False)


def test_the_builds_map_holds_the_most_central_actors_and_says_how_many_are_left_out(
        tmp_path, monkeypatch) -> None:
    """Above ``MAP_ACTORS`` the build's map draws the most central actors and says how many it
    left out; above ``SITE_AUTO_LIMIT`` actors the build skips the site and says so."""
    import csv
    import json

    from conftest import compose_case
    from graphkit import build

    monkeypatch.setattr(build, "MAP_ACTORS", 3)
    monkeypatch.setattr(build, "SITE_AUTO_LIMIT", 3)
    data, out = compose_case(tmp_path, None), tmp_path / "out"
    result = run("build", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"note: site not written for 6 actors (above 3; {out}/site is left as it was)" \
        in result.stderr
    assert not (out / "site").exists()
    html = (out / "network.html").read_text(encoding="utf-8")
    drawn = [n["id"] for n in json.loads(html.split("var NODES = ", 1)[1].split(";\n", 1)[0])]
    with open(out / "metrics.csv", encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: (-float(r["betweenness"]), r["id"]))
    assert sorted(drawn) == sorted(r["id"] for r in rows[:3])
    assert "showing the 3 actors highest by betweenness of 6 (3 left out)" in html
