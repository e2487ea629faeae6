"""Benchmark `graphkit build` at 100,000 actors, from YAML and from JSON Lines, and record it in
bench/README.md:

    python bench/large.py            # print the table
    python bench/large.py --write    # also write it into bench/README.md

The generated 100k set (bench/generate.py: 100,000 actors, 600,000 relations) is made once in
bench/data/100k, and a copy with every file as JSON Lines (the same records: each YAML record
read with every scalar as text, as graphkit reads it, one JSON object a line) in
bench/data/100k-jsonl. Each build runs once, in a fresh process, with an empty parsed-data cache,
its memory (the whole process tree's proportional set size) sampled every 2 s, and prints its
stages (`--timings`). Targets (issue 14): 100k within 180 s and 6 GB; from JSON Lines, 90 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (GRAPHKIT, _stages, cold, generated, measure, stage_names,  # noqa: E402
                 triples_of, write_section)


def as_json_lines(data: Path, out: Path) -> Path:
    """``data`` with each record file rewritten as JSON Lines (registry and issues as they are)."""
    import shutil

    import yaml

    if (out / "sources.yaml").exists():
        return out
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    for name in ("sources.yaml", "issues.yaml"):
        tmp.mkdir(parents=True, exist_ok=True)
        shutil.copy(data / name, tmp / name)
    for kind in ("actors", "relations"):
        (tmp / kind).mkdir(parents=True)
        for path in sorted((data / kind).glob("*.yaml")):
            records = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CBaseLoader)
            lines = (json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
            (tmp / kind / f"{path.stem}.jsonl").write_text("\n".join(lines) + "\n",
                                                          encoding="utf-8")
    tmp.rename(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    yaml_data = generated("100k")
    jsonl_data = as_json_lines(yaml_data, HERE / "data" / "100k-jsonl")
    rows, stages = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "out", Path(tmp) / "cache"
        for name, data in (("YAML", yaml_data), ("JSON Lines", jsonl_data)):
            wall, peak, output = measure(
                [str(GRAPHKIT), "build", "--data", str(data), "--out", str(out), "--timings"],
                every=2.0, env=cold(cache))
            mib = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 2**20
            rows.append((name, mib, triples_of(out), wall, peak))
            stages.append((name, _stages(output)))
    names = stage_names(stages)
    text = "\n".join(
        [f"Measured {time.strftime('%Y-%m-%d')} on this machine (2 cores): `graphkit build` of "
         "the generated 100,000 actors and 600,000 relations, one fresh process each, empty "
         "parsed-data cache, memory of the process tree sampled every 2 s (SHACL and the site "
         "are skipped at this size by default; the measures and the map are included).", "",
         "| data | size | triples | time | target | peak memory | target |",
         "|---|---:|---:|---:|---:|---:|---:|"]
        + [f"| {name} | {mib:,.0f} MiB | {triples:,} | {wall:.0f} s | "
           f"{'180' if name == 'YAML' else '90'} s: {'met' if wall <= (180 if name == 'YAML' else 90) else 'NOT met'} | "
           f"{peak:,} MiB | 6 GB: {'met' if peak <= 6 * 1024 else 'NOT met'} |"
           for name, mib, triples, wall, peak in rows]
        + ["", "| stage | " + " | ".join(n for n, _ in stages) + " |",
           "|---|" + "---:|" * len(stages)]
        + [f"| {n} | " + " | ".join(f"{found[n]:.1f}" if n in found else "" for _, found in stages)
           + " |" for n in names])
    print(text)
    if args.write:
        write_section("<!-- large:start -->", "<!-- large:end -->", text)


if __name__ == "__main__":
    main()
