"""Benchmark the interactive map (issue #4) and record it in bench/README.md.

    python bench/map.py --write

For the shipped data and a generated dataset of 2,000 actors (bench/generate.py), writes the map
with `graphkit view`, then opens it in headless Chromium (Debian's chromium, driven by
Playwright, every request outside the file blocked) and measures, over three fresh pages each:
- load: from navigation to the page's `load` event (the file parsed, vis-network and the data
  evaluated);
- stabilised: from navigation to `body[data-stabilized='1']`, set when vis-network's stabilisation
  ends and physics is switched off (the layout no longer moves).
Target: the 2,000-node map stabilises within 10 s. The file size is recorded too.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import write_section  # noqa: E402

MARK_START, MARK_END = "<!-- map:start -->", "<!-- map:end -->"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
RUNS = 3
TARGET_S = 10.0


def write_map(data: Path, out: Path) -> tuple[Path, str]:
    """Run `graphkit view` on ``data``; return the file and the command's own summary line."""
    graphkit = Path(sys.executable).parent / "graphkit"
    done = subprocess.run([str(graphkit), "view", "--data", str(data), "-o", str(out)],
                          capture_output=True, text=True, check=True)
    return out, done.stdout.strip()


def time_page(browser, path: Path) -> tuple[float, float, int, int]:
    """Seconds to `load` and to stabilised, and the drawn node and edge counts, for one page."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=60_000)
    loaded = time.perf_counter() - t0
    page.wait_for_selector("body[data-stabilized='1']", timeout=120_000)
    stable = time.perf_counter() - t0
    nodes, edges = page.evaluate("[graphkitMap.network.body.nodeIndices.length, "
                                 "graphkitMap.network.body.edgeIndices.length]")
    page.close()
    if outside:
        raise SystemExit(f"the map asked for outside resources: {outside[:3]}")
    return loaded, stable, nodes, edges


def measure(path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        runs = [time_page(browser, path) for _ in range(RUNS)]
        browser.close()
    return {"load": statistics.median(r[0] for r in runs),
            "stable": statistics.median(r[1] for r in runs),
            "worst": max(r[1] for r in runs), "nodes": runs[0][2], "edges": runs[0][3],
            "bytes": path.stat().st_size}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=2000)
    ap.add_argument("--relations", type=int, default=6000)
    ap.add_argument("--write", action="store_true", help="record the results in bench/README.md")
    args = ap.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    data = HERE / "data" / f"map-{args.actors}"
    if not data.exists():
        generate(args.actors, args.relations, data)
    rows = []
    for label, d in (("shipped data", REPO / "data"), (f"generated, {args.actors:,} actors", data)):
        path, summary = write_map(d, out / f"map-{d.name}.html")
        m = measure(path)
        print(f"{label}: {summary}; {m}", flush=True)
        rows.append(f"| {label} | {m['nodes']:,} | {m['edges']:,} | {m['bytes'] / 1e6:.2f} MB "
                    f"| {m['load']:.2f} s | {m['stable']:.2f} s (worst {m['worst']:.2f} s) |")
    text = ("| map | nodes drawn | edges drawn | file | load | stabilised, median of "
            f"{RUNS} |\n|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows))
    print(text)
    if args.write:
        write_section(MARK_START, MARK_END, text)


if __name__ == "__main__":
    main()
