"""Benchmark the network measures (issue #3) and record them in bench/README.md.

    python bench/metrics.py --write

Measures, each in a fresh process (wall time and peak memory of the process):
- every measure of `graphkit metrics` on the shipped data (view "all"), computation only;
- the same on the generated 10k set (bench/generate.py), exact betweenness by igraph;
- betweenness at 10k: igraph exact, igraph from 500 pivots, networkx from 500 pivots;
- a 30-year `evolution` series of betweenness at 10k (pivot estimates on the large years).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import REPO, generated, write_section  # noqa: E402

MARK_START, MARK_END = "<!-- metrics:start -->", "<!-- metrics:end -->"

CASE = r'''
import json, resource, sys, time
from pathlib import Path
from graphkit.build import check
from graphkit.facts import graph_of
from graphkit.views import make_view
r = check(Path(sys.argv[1]), shacl=False)
g = graph_of(r.dataset)
G = make_view(g, "all").graph
what = sys.argv[2]
t = time.perf_counter()
note = ""
if what == "all":
    from graphkit.metrics.registry import metric_table
    rows, meta = metric_table(G)
    note = meta["betweenness"]
elif what == "igraph-exact":
    from graphkit.metrics import fast
    fast.betweenness(G)
elif what == "igraph-500":
    from graphkit.metrics import fast
    fast.betweenness(G, k=500)
    from graphkit.metrics.centrality import pivot_error_bound
    note = f"error bound ±{pivot_error_bound(len(G), 500):.3f} (95%)"
elif what == "networkx-500":
    import networkx as nx
    nx.betweenness_centrality(G, k=500, seed=1)
elif what == "evolution":
    from graphkit.evolution import yearly
    notes = []
    yearly(g, "all", "betweenness", 1996, 2025, notes=notes)
    note = f"{len(notes)} of 30 years estimated from 500 pivots"
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "nodes": len(G), "edges": G.number_of_edges(),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "note": note}))
'''


def run(data: Path, what: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CASE, str(data), what], cwd=REPO,
                         capture_output=True, text=True, timeout=3600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    data10k = generated("10k")
    cases = [("shipped data: every measure", REPO / "data", "all"),
             ("10k: every measure", data10k, "all"),
             ("10k: betweenness, igraph exact", data10k, "igraph-exact"),
             ("10k: betweenness, igraph 500 pivots", data10k, "igraph-500"),
             ("10k: betweenness, networkx 500 pivots", data10k, "networkx-500"),
             ("10k: evolution of betweenness, 1996-2025", data10k, "evolution")]
    lines = [f"Measured {time.strftime('%Y-%m-%d')}; computation only (the graph is built "
             "first, outside the timing); peak memory of the whole process.", "",
             "| case | nodes | edges | seconds | peak MiB | note |", "|---|---:|---:|---:|---:|---|"]
    for label, data, what in cases:
        r = run(data, what)
        lines.append(f"| {label} | {r['nodes']:,} | {r['edges']:,} | {r['seconds']:.2f} | "
                     f"{r['peak_mib']:,} | {r['note']} |")
        print(lines[-1], flush=True)
    if args.write:
        write_section(MARK_START, MARK_END, "\n".join(lines))


if __name__ == "__main__":
    main()
