"""Benchmark the SPARQL engines on the named queries (issue #5) and record them in
bench/README.md.

    python bench/query.py --write          # oxrdflib is optional: pip install oxrdflib

Each named query in queries/ runs on the shipped graph (exports/graph.nt) in three engines:
rdflib's own SPARQL engine over an in-memory rdflib Graph; rdflib's API over the oxrdflib store
(Oxigraph underneath); and pyoxigraph directly, as `graphkit query` and `graphkit serve` run it.
Every answer is read to the end. The time is the median of --repeat runs after one warm-up;
loading the graph is timed apart. Target: each named query under 50 ms in the engine used.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import write_section  # noqa: E402

MARK_START, MARK_END = "<!-- query:start -->", "<!-- query:end -->"
TARGET_MS = 50


def timed(fn, repeat: int) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="record the results in bench/README.md")
    args = ap.parse_args()

    import rdflib

    from graphkit.named_queries import load_named
    from graphkit.namespaces import SPARQL_PREFIXES
    from graphkit.sparql import load_store, run

    nt = REPO / "exports" / "graph.nt"
    ns = SPARQL_PREFIXES
    t = time.perf_counter()
    g = rdflib.Graph().parse(nt, format="nt")
    load = {"rdflib": time.perf_counter() - t}
    try:
        import oxrdflib  # noqa: F401

        t = time.perf_counter()
        ox_g = rdflib.Graph(store="Oxigraph").parse(nt, format="ox-nt")
        load["oxrdflib"] = time.perf_counter() - t
    except ImportError:
        ox_g = None
    t = time.perf_counter()
    store = load_store(nt)
    load["pyoxigraph"] = time.perf_counter() - t

    rows = []
    for q in load_named().values():
        text = ns + q.text
        r = {"name": q.name,
             "rdflib": timed(lambda text=text: list(g.query(text)), args.repeat)}
        r["oxrdflib"] = timed(lambda text=text: list(ox_g.query(text)), args.repeat) \
            if ox_g else None
        r["pyoxigraph"] = timed(lambda q=q: list(run(store, q.text).result), args.repeat)
        r["rows"] = len(list(run(store, q.text).result))
        rows.append(r)
        print(r, flush=True)

    def ms(v):
        return "n/a" if v is None else f"{v:,.1f}"

    worst = max(r["pyoxigraph"] for r in rows)
    text = (f"Measured {time.strftime('%Y-%m-%d')} on the shipped graph ({len(store):,} triples); "
            f"median of {args.repeat} runs, in ms; loading the graph: rdflib "
            f"{load['rdflib']:.2f} s, oxrdflib "
            f"{load['oxrdflib']:.2f} s, pyoxigraph {load['pyoxigraph']:.2f} s.\n\n"
            if ox_g else "")
    text += ("| named query | rows | rdflib | oxrdflib | pyoxigraph |\n"
             "|---|---:|---:|---:|---:|\n")
    text += "\n".join(f"| {r['name']} | {r['rows']} | {ms(r['rdflib'])} | {ms(r['oxrdflib'])} "
                      f"| {ms(r['pyoxigraph'])} |" for r in rows)
    text += (f"\n\nSlowest named query in pyoxigraph: {worst:.1f} ms (target {TARGET_MS} ms: "
             f"{'met' if worst < TARGET_MS else 'NOT met'}).")
    print(text)
    if args.write:
        write_section(MARK_START, MARK_END, text)


if __name__ == "__main__":
    main()
