"""Benchmark `graphkit serve` under a bounded load on loopback and record it in
bench/README.md.

    python bench/serve.py --write                 # 1, 4, 16 clients x 500 requests
    python bench/serve.py --clients 100 --seconds 30 --write
    python bench/serve.py --graphkit OTHER/graphkit --graph exports/graph.nt   # compare

Starts the server on the shipped graph (its default 2 workers), then for each level of
concurrency runs that many client threads, each sending requests (a named query as GET, answer
as SPARQL JSON, read to the end) one after another: a fixed number each, or as many as fit in
``--seconds`` (at most 100,000 each). Every loop is bounded and every request has a timeout.
Reports throughput and latency percentiles; a request that fails is counted and reported,
never retried.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from run import write_section  # noqa: E402



def load(url: str, clients: int, per_client: int, seconds: float | None = None) -> dict:
    """``clients`` threads × ``per_client`` requests each (or for ``seconds``, at most
    100,000 each); latencies in ms."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds if seconds else None
    sent = [0]

    def client() -> None:
        for _ in range(per_client if deadline is None else 100_000):
            if deadline is not None and time.perf_counter() >= deadline:
                break
            with lock:
                sent[0] += 1
            t = time.perf_counter()
            try:
                req = urllib.request.Request(
                    url, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(req, timeout=30) as r:
                    r.read()
                ok = True
            except OSError as exc:
                ok = False
                with lock:
                    failures.append(str(exc))
            elapsed = (time.perf_counter() - t) * 1000
            if ok:
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")

    return {"clients": clients, "requests": sent[0], "failed": len(failures),
            "per_s": len(lat) / wall, "p50": statistics.median(lat) if lat else float("nan"),
            "p95": pct(95), "p99": pct(99), "max": lat[-1] if lat else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--query", default="members-as-of", help="a named query")
    ap.add_argument("--requests", type=int, default=500, help="requests per client")
    ap.add_argument("--clients", type=int, nargs="*", default=[1, 4, 16])
    ap.add_argument("--seconds", type=float, default=None,
                    help="each level runs this long instead of a fixed number of requests")
    ap.add_argument("--graphkit", default=str(Path(sys.executable).parent / "graphkit"),
                    help="the graphkit command to serve with (another version, to compare)")
    ap.add_argument("--graph", default="exports/graph.nt", help="the graph it serves")
    ap.add_argument("--write", action="store_true", help="record the results in bench/README.md")
    args = ap.parse_args()
    text = (REPO / "queries" / f"{args.query}.rq").read_text(encoding="utf-8")
    proc = subprocess.Popen([args.graphkit, "serve", "--port", "0", "--quiet", "--graph",
                             str(REPO / args.graph), "--map", "/nonexistent"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        endpoint = line.split(" at ", 1)[1].split(" ", 1)[0]
        url = endpoint + "?" + urllib.parse.urlencode({"query": text})
        load(url, 1, 20)  # warm-up
        rows = []
        for c in args.clients:
            r = load(url, c, args.requests, args.seconds)
            print(r, flush=True)
            rows.append(r)
    finally:
        proc.terminate()
        proc.wait(10)
    out = (f"Measured {time.strftime('%Y-%m-%d')}: `graphkit serve` with 2 workers on the "
           f"shipped graph, named query `{args.query}` by GET, SPARQL JSON; each client sends "
           + (f"requests in turn for {args.seconds:g} s" if args.seconds else
              f"{args.requests} requests in turn")
           + " (Python threads in a second process, urllib, a new "
           "connection per request); latency in ms.\n\n"
           "| clients | requests | failed | requests/s | p50 | p95 | p99 | max |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    out += "\n".join(f"| {r['clients']} | {r['requests']:,} | {r['failed']} | {r['per_s']:,.0f} "
                     f"| {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} |"
                     for r in rows)
    print(out)
    if args.write:
        mark = "serve-timed" if args.seconds else "serve"
        write_section(f"<!-- {mark}:start -->", f"<!-- {mark}:end -->", out)


if __name__ == "__main__":
    main()
