"""Benchmark `graphkit build` and record the figures in bench/README.md.

    python bench/run.py                 # shipped data, then generated 1k and 10k sets
    python bench/run.py --sizes 1k      # only some generated sizes (1k, 10k, 100k)
    python bench/run.py --write         # also rewrite the results table in bench/README.md

Each case runs the installed `graphkit` command in a fresh process, as users do, and samples
the resident memory of the whole process tree (the build forks one helper for the Turtle export
on large graphs) every 20 ms. Generated data sets are made once in bench/data/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GRAPHKIT = Path(sys.executable).parent / "graphkit"
SIZES = {"1k": (1_000, 5_000), "10k": (10_000, 60_000), "100k": (100_000, 600_000)}
MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"


def tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def measure(args: list[str], timeout: float = 1800) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS (MiB) and the output's last line for one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    peak = 0
    deadline = started + timeout
    while proc.poll() is None and time.perf_counter() < deadline:  # bounded by the timeout
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
    out = proc.communicate()[0]
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out[-2000:]}")
    return wall, peak // 1024, out.strip().splitlines()[-1] if out.strip() else ""


def triples_of(out_dir: Path) -> int:
    with open(out_dir / "graph.nt", "rb") as fh:
        return sum(1 for _ in fh)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", default=["1k", "10k"], choices=list(SIZES))
    ap.add_argument("--repeat", type=int, default=5, help="runs of the shipped-data build")
    ap.add_argument("--write", action="store_true", help="update the table in bench/README.md")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        runs = [measure([str(GRAPHKIT), "build", "--out", str(out)]) for _ in range(args.repeat)]
        walls = sorted(r[0] for r in runs)
        rows.append(("shipped data (`graphkit build`, SHACL on)", "", triples_of(out),
                     f"{walls[len(walls) // 2]:.2f} (median of {len(walls)})",
                     max(r[1] for r in runs)))
        for size in args.sizes:
            actors, relations = SIZES[size]
            data = HERE / "data" / size
            if not (data / "sources.yaml").exists():
                subprocess.run([sys.executable, str(HERE / "generate.py"), "--actors", str(actors),
                                "--relations", str(relations), "--out", str(data)], check=True)
            mib = sum(p.stat().st_size for p in data.rglob("*.yaml")) / 2**20
            wall, peak, _ = measure([str(GRAPHKIT), "build", "--data", str(data), "--out",
                                     str(out)])
            rows.append((f"generated {size}: {actors:,} actors, {relations:,} relations "
                         f"({mib:.0f} MiB YAML)", "auto (skipped)" if triples_of(out) > 300_000
                         else "on", triples_of(out), f"{wall:.1f}", peak))
            if triples_of(out) <= 300_000:
                continue
            wall, peak, _ = measure([str(GRAPHKIT), "validate", "--data", str(data), "--shacl"])
            rows.append((f"generated {size}: `graphkit validate --shacl`", "on", triples_of(out),
                         f"{wall:.1f}", peak))
    cpu = platform.processor() or platform.machine()
    table = [f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({cpu}), "
             f"Python {platform.python_version()}.", "",
             "| case | SHACL | triples | wall s | peak MiB (process tree) |",
             "|---|---|---:|---:|---:|"]
    table += [f"| {c} | {s} | {t:,} | {w} | {m:,} |" for c, s, t, w, m in rows]
    text = "\n".join(table)
    print(text)
    if args.write:
        readme = HERE / "README.md"
        body = readme.read_text(encoding="utf-8")
        body = re.sub(re.escape(MARK_START) + ".*?" + re.escape(MARK_END),
                      MARK_START + "\n" + text + "\n" + MARK_END, body, flags=re.S)
        readme.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
