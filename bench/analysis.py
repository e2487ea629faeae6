"""Benchmark the site, `changes` and `diff`, and record them in bench/README.md:

    python bench/analysis.py --write

- site: `graphkit site` on the shipped data and on generated sets of 2,000 and 10,000 actors
  (bench/generate.py): wall time and size on disk (targets: 10 s and 30 s);
- changes: `graphkit changes --from 2000 --to 2020` on the 10,000-actor set;
- diff: `graphkit diff OLD NEW` between the 10,000-actor set and a copy with 1% of its
  relation files changed.
Each command runs in its own process, timed whole (median of 3 for the shipped data, 1 run for
the generated sets), with an empty parsed-data cache (the site also again with it filled); peak memory is the process's maximum resident size (getrusage of the
child). Targets for changes and diff on 10k: under 60 s and 2 GB each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
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

GRAPHKIT = str(Path(sys.executable).parent / "graphkit")


CACHE = HERE / "out" / "cache"


def timed(*args: str, cached: bool = False) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB of the child, its stdout's last line; with an empty
    parsed-data cache unless ``cached`` (then with what the previous run left in it)."""
    if not cached:
        shutil.rmtree(CACHE, ignore_errors=True)
    env = {**os.environ, "GRAPHKIT_CACHE": str(CACHE)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    done = subprocess.run([GRAPHKIT, *args], capture_output=True, text=True, cwd=REPO, env=env)
    took = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"{args}: {done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return took, max(peak, before) / 1024, last


def dataset(actors: int, relations: int) -> Path:
    out = HERE / "data" / f"site-{actors}"
    if not (out / "sources.yaml").exists():
        generate(actors, relations, out)
    return out


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    rows = []
    cases = [("shipped data", REPO / "data", 10.0, 3)]
    cases += [(f"generated, {actors:,} actors", dataset(actors, relations), target, 1)
              for actors, relations, target in ((2_000, 10_000, 10.0), (10_000, 60_000, 30.0))]
    for name, data, target, repeat in cases:
        site = out_dir / ("site-shipped" if data == REPO / "data" else data.name)
        first = statistics.median(timed("site", "--data", str(data), "-o", str(site))[0]
                                  for _ in range(repeat))
        again = statistics.median(timed("site", "--data", str(data), "-o", str(site),
                                        cached=True)[0] for _ in range(repeat))
        rows.append((name, first, again, size(site), len(list(site.rglob("*.html"))), target))
    big = dataset(10_000, 60_000)
    changes = timed("changes", "--data", str(big), "--from", "2000", "--to", "2020",
                    "--top", "5")
    other = out_dir / "diff-10k"
    if other.exists():
        shutil.rmtree(other)
    shutil.copytree(big, other)
    for path in sorted((other / "relations").glob("*.yaml"))[:1]:
        text = path.read_text(encoding="utf-8").split("\n- ")
        path.write_text("\n- ".join(text[:len(text) * 9 // 10]), encoding="utf-8")
    diff = timed("diff", str(big), str(other))
    text = (f"Measured {time.strftime('%Y-%m-%d')} on this machine (2 cores), each command a fresh "
            "process, first with an empty parsed-data cache (the target is judged on it), then "
            "again with the data unchanged.\n\n| site of | pages | size | time | again | target |"
            "\n|---|---:|---:|---:|---:|---:|\n")
    text += "\n".join(f"| {name} | {pages:,} | {nbytes / 1e6:.1f} MB | {took:.1f} s | "
                      f"{again:.1f} s | {target:g} s: {'met' if took <= target else 'NOT met'} |"
                      for name, took, again, nbytes, pages, target in rows)
    text += ("\n\n| command, on the 10,000-actor set | time | peak memory | target |\n"
             "|---|---:|---:|---|\n")
    for name, (took, peak, _) in (("`changes --from 2000 --to 2020`", changes),
                                  ("`diff OLD NEW` (one relation file cut by a tenth)", diff)):
        ok = took <= 60 and peak <= 2048
        text += (f"| {name} | {took:.1f} s | {peak:,.0f} MB | 60 s, 2 GB: "
                 f"{'met' if ok else 'NOT met'} |\n")
    print(text)
    if args.write:
        write_section("<!-- analysis:start -->", "<!-- analysis:end -->", text.rstrip())


if __name__ == "__main__":
    main()
