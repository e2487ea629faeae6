"""Compare `graphkit build` of this checkout with an earlier revision's, run alternately.

    python bench/ab.py HEAD~1                   # the 10k set, --force, 4 rounds
    python bench/ab.py main --data 1k --rounds 6
    python bench/ab.py a616770 --data shipped --first   # empty parsed-data cache each run
    python bench/ab.py 101a00a --one-more       # a relation copied in one file, another each round
    python bench/ab.py HEAD~1 --data 100k-jsonl --first --rounds 2   # 100k from JSON Lines

This machine's speed moves by 10 to 20% within an hour, so a build timed now and one timed an
hour ago do not compare; this runs the two versions one after the other, round after round (in
turns first: the second of two runs in a row tends to be slower),
each in a fresh process as users run it, and reports for each its wall seconds, its CPU seconds
(the process and every helper it waited for) and its largest process's peak memory. The earlier
revision runs from a temporary git worktree (its graphkit put first on PYTHONPATH), the checkout
as it is, edits included. Both build into their own folder, and the exports are compared at the
end: a change meant to be faster only should leave them byte-identical.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from large import as_json_lines  # noqa: E402
from run import GRAPHKIT, REPO, SIZES, generated, one_more, touched  # noqa: E402

EXPORTS = ("graph.nt", "graph.ttl", "graph.jsonld", "metrics.csv", "network.html")


def timed(args: list[str], env: dict) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user and system, the helpers it waited for included) and
    the peak resident memory in MiB of its largest process, for one run of ``args``."""
    with tempfile.TemporaryFile(mode="w+") as log:  # a file, not a pipe: never blocks the build
        started = time.perf_counter()
        # run from outside the checkout: a helper started with `python -c` would import the
        # checkout's graphkit from the folder it runs in, whichever version is timed
        proc = subprocess.Popen(args, cwd=tempfile.gettempdir(), env=env,
                                stdout=subprocess.DEVNULL, stderr=log, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{log.read()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def summary(runs: list[tuple[float, float, int]]) -> str:
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    return (f"wall {statistics.median(walls):6.2f} s ({min(walls):.2f} to {max(walls):.2f})   "
            f"CPU {statistics.median(cpus):6.2f} s ({min(cpus):.2f} to {max(cpus):.2f})   "
            f"peak {max(r[2] for r in runs):,} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("revision", help="the git revision to compare with (a commit, a branch)")
    ap.add_argument("--data", default="10k", choices=["shipped", *SIZES, "100k-jsonl"],
                    help="100k-jsonl: the 100k set as JSON Lines (bench/large.py)")
    ap.add_argument("--rounds", type=int, default=4, help="runs of each version")
    ap.add_argument("--first", action="store_true",
                    help="time first builds (an empty parsed-data cache each run) instead of "
                         "--force with the cache filled")
    ap.add_argument("--one-more", action="store_true",
                    help="time rebuilds after one change instead: in each round a copy of "
                         "another relation in one file (the round's), none in the uncounted "
                         "first (no --force; each round's network is new to the measures)")
    args = ap.parse_args()
    data = (REPO / "data" if args.data == "shipped"
            else as_json_lines(generated("100k"), HERE / "data" / "100k-jsonl")
            if args.data == "100k-jsonl" else generated(args.data))
    if args.one_more and args.data == "100k-jsonl":
        ap.error("--one-more edits a YAML relations file: not with --data 100k-jsonl")
    edited = touched(data) if args.one_more else None
    original = edited.read_text(encoding="utf-8") if edited else ""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old = tmp / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.revision],
                       cwd=REPO, check=True)
        try:
            versions = {"old": str(old), "new": str(REPO)}
            runs: dict[str, list] = {name: [] for name in versions}
            for k in range(args.rounds + 1):  # a first round, not counted, fills the caches
                if args.one_more:  # both versions build the same change in each round
                    edited.write_text(one_more(original, k) if k else original,
                                      encoding="utf-8")
                for name, code in sorted(versions.items(), reverse=k % 2 == 1):  # ABBA
                    path = os.environ.get("PYTHONPATH")
                    cache = tmp / f"cache-{name}" / (str(k) if args.first else "")
                    env = {**os.environ, "GRAPHKIT_CACHE": str(cache),
                           "PYTHONPATH": code + (os.pathsep + path if path else "")}
                    run = timed([str(GRAPHKIT), "build", "--data", str(data), "--out",
                                 str(tmp / f"out-{name}")]
                                + ([] if args.one_more else ["--force"]), env)
                    if k:
                        runs[name].append(run)
                        print(f"round {k} {name}: {run[0]:.2f} s, CPU {run[1]:.2f} s",
                              flush=True)
            case = ("one file changed, a relation more" if args.one_more
                    else "first builds" if args.first else "--force")
            print(f"\n{args.data}, {case}, "
                  f"{args.rounds} rounds alternating ({args.revision} = old, the checkout = new):")
            for name in versions:
                print(f"  {name}: {summary(runs[name])}")
            differ = [f for f in EXPORTS if not filecmp.cmp(tmp / "out-old" / f,
                                                            tmp / "out-new" / f, shallow=False)]
            print("  exports: " + ("byte-identical" if not differ
                                    else "DIFFER: " + ", ".join(differ)))
        finally:
            if edited:
                edited.write_text(original, encoding="utf-8")
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO,
                           check=False)


if __name__ == "__main__":
    main()
