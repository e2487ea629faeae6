"""Where a build's time goes across processes: each process's CPU, second by second.

    python bench/timeline.py                          # the 10k set, first build (empty cache)
    python bench/timeline.py --data 100k-jsonl        # 100k from JSON Lines
    python bench/timeline.py --data 10k --force       # the parsed-data cache filled first
    python bench/timeline.py --data 10k --every 0.5 --buckets 2

The build runs the installed `graphkit` command in a fresh process, as users do. Every
``--every`` seconds the CPU seconds of the build's process and of each process it started (the
forked workers, the Turtle helper) are read from ``/proc/PID/stat`` (Linux only). It prints:

- the whole run: wall, CPU (user and system, from ``wait4``: every helper waited for
  included), the floor that CPU sets on this machine's cores, and the idle core-seconds
  between the two;
- each process: when it was first and last seen, its CPU and its page faults (a process's
  last moments between two samples are not seen: the totals above hold them);
- a timeline in ``--buckets``-second steps: the build's process, every other process, and
  how much of the cores was idle. A stretch where only the build's process works is where
  work could move to another core; none idle, the CPU itself must shrink.

The sampling reads a few small files a second: it costs the build nothing measurable.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from large import as_json_lines  # noqa: E402
from run import GRAPHKIT, REPO, SIZES, generated, tree  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Seen:
    """One process of the build as sampled: its name, when it was first and last seen, its
    CPU seconds (user, system) and minor page faults at the last sample, and the CPU seconds
    it took in each sampling step (time of the sample, seconds)."""

    name: str
    first: float
    last: float = 0.0
    user: float = 0.0
    system: float = 0.0
    faults: int = 0
    steps: list[tuple[float, float]] = field(default_factory=list)


def stat(pid: int) -> tuple[float, float, int] | None:
    """User and system CPU seconds and minor page faults of ``pid`` (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2:].split()  # after "pid (name) "
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS, int(fields[7])


def name_of(pid: int, root: int, started: float) -> str:
    """What a process is: the build, the Turtle helper (a new Python process), or a process
    the build forked (named by when it was first seen)."""
    if pid == root:
        return f"build ({pid})"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            command = fh.read()
    except OSError:
        command = b""
    if b"turtle_pieces" in command:
        return f"Turtle helper ({pid})"
    return f"forked at {started:.0f} s ({pid})"


def sample(args: list[str], env: dict, every: float, timeout: float
           ) -> tuple[float, float, float, dict[int, Seen], str]:
    """Run ``args``; its wall seconds, user and system CPU (all it waited for), what each
    process did, sampled every ``every`` seconds, and what it printed on its standard error."""
    seen: dict[int, Seen] = {}
    with tempfile.TemporaryFile(mode="w+") as log:  # a file, not a pipe: never blocks the build
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=tempfile.gettempdir(), env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
        deadline = started + timeout
        status = None
        while status is None and time.perf_counter() < deadline:  # bounded by the timeout
            time.sleep(every)
            now = time.perf_counter() - started
            for pid in tree(proc.pid):
                found = stat(pid)
                if found is None:
                    continue
                s = seen.get(pid)
                if s is None:
                    s = seen[pid] = Seen(name_of(pid, proc.pid, now), now)
                took = max(0.0, found[0] + found[1] - s.user - s.system)  # no -0.0
                s.last, (s.user, s.system, s.faults) = now, found
                s.steps.append((now, took))
            done, status_now, usage = os.wait4(proc.pid, os.WNOHANG)
            if done:
                status = status_now
        if status is None:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            raise SystemExit(f"the build took longer than {timeout:.0f} s: stopped")
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{log.read()[-2000:]}")
        log.seek(0)
        said = log.read()
    return wall, usage.ru_utime, usage.ru_stime, seen, said


def report(wall: float, user: float, system: float, seen: dict[int, Seen], buckets: float,
           cores: int) -> str:
    """The run, each process and the timeline, as text."""
    cpu = user + system
    lines = [f"wall {wall:.1f} s; CPU {cpu:.1f} s (user {user:.1f}, system {system:.1f}); "
             f"floor on {cores} cores {cpu / cores:.1f} s; idle core-seconds "
             f"{max(0.0, cores * wall - cpu):.1f}", "",
             f"{'process':<28} {'seen from':>9} {'to':>7} {'user':>7} {'system':>7} "
             f"{'faults':>10}"]
    for s in sorted(seen.values(), key=lambda s: s.first):
        lines.append(f"{s.name:<28} {s.first:8.1f}s {s.last:6.1f}s {s.user:6.1f}s "
                     f"{s.system:6.1f}s {s.faults:>10,}")
    root = min(seen.values(), key=lambda s: s.first) if seen else None
    steps = int(wall // buckets) + 1
    mine, others = [0.0] * steps, [0.0] * steps
    for s in seen.values():
        for at, took in s.steps:
            k = min(int(at // buckets), steps - 1)
            (mine if s is root else others)[k] += took
    lines += ["", f"{'seconds':>15} {'build':>6} {'others':>6} {'idle':>6}   (core-seconds)"]
    for k in range(steps):
        span = min(buckets, wall - k * buckets)
        idle = max(0.0, cores * span - mine[k] - others[k])
        lines.append(f"{k * buckets:6.1f} to {min((k + 1) * buckets, wall):5.1f} "
                     f"{mine[k]:6.1f} {others[k]:6.1f} {idle:6.1f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="10k", choices=["shipped", *SIZES, "100k-jsonl"],
                    help="100k-jsonl: the 100k set as JSON Lines (bench/large.py)")
    ap.add_argument("--force", action="store_true",
                    help="fill the parsed-data cache with a first build, then time a build "
                         "with --force (the default times a first build, with an empty cache)")
    ap.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    ap.add_argument("--buckets", type=float, default=5.0, help="seconds a line of the timeline")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before it gives up")
    ap.add_argument("--timings", action="store_true",
                    help="also print the build's own stage times (graphkit build --timings)")
    args = ap.parse_args()
    if not Path("/proc/self/stat").exists():
        raise SystemExit("bench/timeline.py reads /proc: it runs on Linux only")
    data = (REPO / "data" if args.data == "shipped"
            else as_json_lines(generated("100k"), HERE / "data" / "100k-jsonl")
            if args.data == "100k-jsonl" else generated(args.data))
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "GRAPHKIT_CACHE": str(cache)}
        build = [str(GRAPHKIT), "build", "--data", str(data), "--out", str(Path(tmp) / "out")]
        if args.force:
            subprocess.run(build, env=env, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        else:
            shutil.rmtree(cache, ignore_errors=True)
        wall, user, system, seen, said = sample(
            build + (["--force"] if args.force else []) + (["--timings"] if args.timings else []),
            env, args.every, args.timeout)
    print(f"{args.data}, {'--force' if args.force else 'first build'}:")
    if args.timings:
        print("\n".join(line for line in said.splitlines() if " s  " in line) + "\n")
    print(report(wall, user, system, seen, args.buckets, os.cpu_count() or 1))


if __name__ == "__main__":
    main()
