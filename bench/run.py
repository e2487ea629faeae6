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
    """Memory of ``pid`` and all its descendants, in KiB: the sum of their proportional set sizes
    (Linux /proc smaps_rollup), so pages a forked child shares with its parent count once."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def measure(args: list[str], every: float | None = 0.25, timeout: float = 3600
            ) -> tuple[float, int, str]:
    """Wall seconds, peak memory of the process tree (MiB; 0 when ``every`` is None) and the
    output's last line, for one run of a command. Reading /proc/*/smaps_rollup costs CPU on a
    large process, so timings are taken from runs that do not sample (``every=None``)."""
    with tempfile.TemporaryFile(mode="w+") as log:  # a file, not a pipe: never blocks the child
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True)
        peak = 0
        deadline = started + timeout
        while proc.poll() is None and time.perf_counter() < deadline:  # bounded by the timeout
            if every is not None:
                peak = max(peak, tree_rss_kib(proc.pid))
            time.sleep(every or 0.01)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        wall = time.perf_counter() - started
        log.seek(0)
        out = log.read()
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
        build = [str(GRAPHKIT), "build", "--out", str(out)]
        walls = sorted(measure(build, every=None)[0] for _ in range(args.repeat))
        rows.append(("shipped data (`graphkit build`)", "on", triples_of(out),
                     f"{walls[len(walls) // 2]:.2f} (median of {len(walls)})",
                     measure(build, every=0.02)[1]))
        for size in args.sizes:
            actors, relations = SIZES[size]
            data = HERE / "data" / size
            if not (data / "sources.yaml").exists():
                subprocess.run([sys.executable, str(HERE / "generate.py"), "--actors", str(actors),
                                "--relations", str(relations), "--out", str(data)], check=True)
            mib = sum(p.stat().st_size for p in data.rglob("*.yaml")) / 2**20
            build = [str(GRAPHKIT), "build", "--data", str(data), "--out", str(out)]
            if size == "100k":  # one run: sparse sampling barely slows it
                wall, peak, _ = measure(build, every=2.0)
            else:
                wall = measure(build, every=None)[0]
                peak = measure(build)[1]
            rows.append((f"generated {size}: {actors:,} actors, {relations:,} relations "
                         f"({mib:.0f} MiB YAML)", "auto (skipped)" if triples_of(out) > 300_000
                         else "on", triples_of(out), f"{wall:.1f}", peak))
            if triples_of(out) <= 300_000 or size == "100k":
                continue  # SHACL runs by default; at 100k it needs more memory than 24 GB
            validate = [str(GRAPHKIT), "validate", "--data", str(data), "--shacl"]
            wall, peak = measure(validate, every=None)[0], measure(validate)[1]
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
        write_section(MARK_START, MARK_END, text)


def write_section(start: str, end: str, text: str) -> None:
    """Replace what stands between the markers ``start`` and ``end`` in bench/README.md."""
    readme = HERE / "README.md"
    body = readme.read_text(encoding="utf-8")
    body = re.sub(re.escape(start) + ".*?" + re.escape(end),
                  lambda _: start + "\n" + text + "\n" + end, body, flags=re.S)
    readme.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
