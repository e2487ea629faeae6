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
import shutil
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
STAGES_START, STAGES_END = "<!-- stages:start -->", "<!-- stages:end -->"


def tree(pid: int) -> list[int]:
    """``pid`` and every process it started, and they started, still running (Linux /proc: the
    children of each of its threads)."""
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return found


def tree_rss_kib(pid: int) -> int:
    """Memory of ``pid`` and all its descendants, in KiB: the sum of their proportional set sizes
    (Linux /proc smaps_rollup), so pages a forked child shares with its parent count once."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def measure(args: list[str], every: float | None = 0.25, timeout: float = 3600,
            env: dict | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak memory of the process tree (MiB; 0 when ``every`` is None) and the
    output (stdout and stderr), for one run of a command. Reading /proc/*/smaps_rollup costs CPU on a
    large process, so timings are taken from runs that do not sample (``every=None``)."""
    with tempfile.TemporaryFile(mode="w+") as log:  # a file, not a pipe: never blocks the child
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, **(env or {})})
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
    return wall, peak // 1024, out


def machine_reference() -> float:
    """This machine's speed now: seconds of bench/README.md's reference in "Targets" (exact
    betweenness on the generated 10k set, bench/metrics.py's "igraph exact")."""
    from metrics import run as measure_network  # (metrics imports this module)

    return measure_network(generated("10k"), "igraph-exact")["seconds"]


def triples_of(out_dir: Path) -> int:
    with open(out_dir / "graph.nt", "rb") as fh:
        return sum(1 for _ in fh)


def cold(cache: Path) -> dict:
    """The environment of a build with an empty parsed-data cache in ``cache``."""
    shutil.rmtree(cache, ignore_errors=True)
    return {"GRAPHKIT_CACHE": str(cache)}


def generated(size: str) -> Path:
    """The generated data set of ``size`` (a key of ``SIZES``), made once in bench/data/."""
    actors, relations = SIZES[size]
    data = HERE / "data" / size
    if not (data / "sources.yaml").exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--actors", str(actors),
                        "--relations", str(relations), "--out", str(data)], check=True)
    return data


def touched(data: Path) -> Path:
    """One file of ``data``'s relations, to which one relation is added (:func:`one_more`)."""
    return sorted((data / "relations").glob("*.yaml"))[0]


def one_more(text: str, nth: int = 0) -> str:
    r"""A relations file's ``text`` with one relation more: a copy of its ``nth`` (its first by
    default) under a key of its own (a new relation node, citation and shortcut: the graph the
    measures run on changes, a tie's weight at least).

    >>> print(one_more('# c\n\n- type: tie\n  parties: [a, b]\n  key: r1\n'))
    # c
    <BLANKLINE>
    - type: tie
      parties: [a, b]
      key: r1
    <BLANKLINE>
    - type: tie
      key: bench-added
      parties: [a, b]
    <BLANKLINE>
    """
    start = -1
    for _ in range(nth + 1):
        start = text.index("- type:", start + 1)
    first = text[start:].split("\n\n", 1)[0].rstrip("\n").split("\n")
    first = [line for line in first if not line.startswith("  key:")]
    first.insert(1, "  key: bench-added")
    return text.rstrip("\n") + "\n\n" + "\n".join(first) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", default=["1k", "10k"], choices=list(SIZES))
    ap.add_argument("--repeat", type=int, default=5, help="runs of the shipped-data build")
    ap.add_argument("--write", action="store_true", help="update the table in bench/README.md")
    args = ap.parse_args()
    rows, stages = [], []
    reference = machine_reference() if "10k" in args.sizes else None
    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "out", Path(tmp) / "cache"
        warm = {"GRAPHKIT_CACHE": str(cache)}
        cases = [("shipped data (`graphkit build`)", REPO / "data")]
        for size in args.sizes:
            actors, relations = SIZES[size]
            data = generated(size)
            mib = sum(p.stat().st_size for p in data.rglob("*.yaml")) / 2**20
            cases.append((f"generated {size}: {actors:,} actors, {relations:,} relations "
                          f"({mib:.0f} MiB YAML)", data))
        for name, data in cases:
            build = [str(GRAPHKIT), "build", "--data", str(data), "--out", str(out)]
            repeat = args.repeat if data == REPO / "data" else 1
            if "100k" in name:  # one run: sparse sampling barely slows it
                first, peak, _ = measure(build, every=2.0, env=cold(cache))
                firsts = [first]
            else:
                firsts = sorted(measure(build, every=None, env=cold(cache))[0]
                                for _ in range(repeat))
                peak = measure(build, env=cold(cache))[1]
            again = sorted(measure(build, every=None, env=warm)[0] for _ in range(repeat))
            forced = sorted(measure(build + ["--force"], every=None, env=warm)[0]
                            for _ in range(repeat))
            stages.append((name.split(":")[0], _stages(
                measure(build + ["--force", "--timings"], every=None, env=warm)[2])))
            triples = triples_of(out)  # of the data as it is, before the relation is added
            changed, text = touched(data), touched(data).read_text(encoding="utf-8")
            try:
                changed.write_text(one_more(text), encoding="utf-8")
                one = measure(build, every=None, env=warm)[0]
            finally:
                changed.write_text(text, encoding="utf-8")
            rows.append((name, "on" if triples <= 300_000 else "auto (skipped)",
                         triples, _median(firsts), _median(again), _median(forced),
                         f"{one:.2f}", peak))
            if triples <= 300_000 or "100k" in name:
                continue  # SHACL runs by default; at 100k it needs more memory than 24 GB
            validate = [str(GRAPHKIT), "validate", "--data", str(data), "--shacl"]
            wall = measure(validate, every=None, env=warm)[0]
            peak = measure(validate, env=warm)[1]
            rows.append((f"{name.split(':')[0]}: `graphkit validate --shacl`", "on",
                         triples, f"{wall:.1f}", "", "", "", peak))
    cpu = platform.processor() or platform.machine()
    table = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores ({cpu}), "
             f"Python {platform.python_version()}"
             + (f", the reference (exact betweenness on the generated 10k set) {reference:.2f} s"
                if reference is not None else "") + ": wall seconds of the whole process (median "
             f"of {args.repeat} on the shipped data), first with an empty parsed-data cache; "
             "again with nothing changed (the build says so and writes nothing); again with "
             "`--force` (the parsed-data cache full, the previous exports' unchanged pieces "
             "copied, everything else done anew); with one relation added to one relations "
             "file (a new relation, so new measures); peak memory of the first.", "",
             "| case | SHACL | triples | first build | nothing changed | `--force` "
             "| one relation added | peak MiB (process tree) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    table += [f"| {c} | {s} | {t:,} | {w} | {a} | {f} | {o} | {m:,} |"
              for c, s, t, w, a, f, o, m in rows]
    text = "\n".join(table)
    names = stage_names(stages)
    stage_table = "\n".join(
        [f"`graphkit build --force --timings`, measured {time.strftime('%Y-%m-%d')}: wall "
         "seconds of each stage as the main process lives it (work done meanwhile in other "
         "processes shows as the wait for it); the process's start and exit are outside.", "",
         "| stage | " + " | ".join(case for case, _ in stages) + " |",
         "|---|" + "---:|" * len(stages)]
        + [f"| {n} | " + " | ".join(f"{found[n]:.2f}" if n in found else "" for _, found in stages)
           + " |" for n in names])
    print(text + "\n\n" + stage_table)
    if args.write:
        write_section(MARK_START, MARK_END, text)
        write_section(STAGES_START, STAGES_END, stage_table)


def stage_names(stages: list[tuple[str, dict[str, float]]]) -> list[str]:
    """The stages of every case, as a table's rows: each case's in its order (a stage only
    some cases have stands after the one before it there), "in all" last.

    >>> stage_names([("a", {"read": 1, "write": 2, "in all": 3}),
    ...              ("b", {"read": 1, "ahead": 1, "write": 2, "in all": 4})])
    ['read', 'ahead', 'write', 'in all']
    """
    names: list[str] = []
    for _, found in stages:
        before = None
        for name in found:
            if name not in names:
                names.insert(names.index(before) + 1 if before is not None else 0, name)
            before = name
    return sorted(names, key=lambda name: name == "in all")


def _stages(output: str) -> dict[str, float]:
    """The stage lines ``--timings`` prints (``  12.34 s  name``), by name."""
    found = {}
    for line in output.splitlines():
        m = re.match(r"\s*(\d+\.\d+) s  (.+)$", line)
        if m:
            found[m.group(2)] = float(m.group(1))
    return found


def _median(walls: list[float]) -> str:
    return f"{sorted(walls)[len(walls) // 2]:.2f}"


def write_section(start: str, end: str, text: str) -> None:
    """Replace what stands between the markers ``start`` and ``end`` in bench/README.md."""
    readme = HERE / "README.md"
    body = readme.read_text(encoding="utf-8")
    if start not in body or end not in body:
        raise SystemExit(f"bench/README.md has no {start} ... {end} section to write into")
    body = re.sub(re.escape(start) + ".*?" + re.escape(end),
                  lambda _: start + "\n" + text + "\n" + end, body, flags=re.S)
    readme.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
