"""Hostile input, timed, and recorded in bench/README.md:

    python bench/hostile.py --write

1. A fan-out of unknown names: 3,000 records naming 300 unknown actors, and a file of 3,000
   YAML aliases to a list of those 300 names, over the small test data; `graphkit validate`,
   median of 3 (target: under 2 s).
2. The endpoint's hostile suite (tests/test_server_hostile.py): its request count, outcome and
   wall time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from run import write_section  # noqa: E402


def fan_out(tmp: Path) -> tuple[Path, int]:
    from conftest import compose_case

    data = compose_case(tmp, None)
    names = [f"unknown-body-{i}" for i in range(300)]
    (data / "relations" / "fan.yaml").write_text("".join(
        f"- type: membership\n  member: malaysia\n  organisation: {names[i % 300]}\n"
        f"  sources: [{{source: public-page, quote: \"Malaysia belongs to it.\"}}]\n"
        for i in range(3_000)))
    (data / "relations" / "aliases.yaml").write_text(
        "- &names [" + ", ".join(names) + "]\n"
        + "".join("- type: tie\n  parties: *names\n  nature: cooperation\n" for _ in range(3_000)))
    size = sum(p.stat().st_size for p in (data / "relations").glob("*.yaml"))
    return data, size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    graphkit = Path(sys.executable).parent / "graphkit"
    with tempfile.TemporaryDirectory() as tmp:
        data, size = fan_out(Path(tmp))
        times, last = [], None
        for _ in range(3):
            t = time.perf_counter()
            last = subprocess.run([str(graphkit), "validate", "--data", str(data)],
                                  capture_output=True, text=True, timeout=300)
            times.append(time.perf_counter() - t)
    lines = last.stderr.splitlines()
    t = time.perf_counter()
    suite = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                            "tests/test_server_hostile.py"], cwd=REPO, capture_output=True,
                           text=True, timeout=600)
    suite_s = time.perf_counter() - t
    from test_server_hostile import hostile_requests

    count = len(hostile_requests(1, "http://127.0.0.1:1/sparql"))
    out = (f"Measured {time.strftime('%Y-%m-%d')}.\n\n"
           f"- Fan-out: {size:,} bytes of YAML naming 300 unknown actors 3,000 times and through "
           f"3,000 aliases: `graphkit validate` exits {last.returncode} in "
           f"{statistics.median(times):.2f} s (median of 3; target 2 s), reporting "
           f"{lines[-1].split(';')[0]} in {len(lines)} lines (at most 20 per file, then a count"
           f" of the rest). Each distinct unknown name is looked up for a did-you-mean once.\n"
           f"- Endpoint: tests/test_server_hostile.py sends {count:,} hostile requests from 8 "
           f"threads, then slow, idle and flooding connections, memory bombs and a listed "
           f"SERVICE: {suite.stdout.strip().splitlines()[-1]} in {suite_s:.1f} s; the server "
           f"answered the good query afterwards and its log held no traceback.")
    print(out)
    if args.write:
        write_section("<!-- hostile:start -->", "<!-- hostile:end -->", out)


if __name__ == "__main__":
    main()
