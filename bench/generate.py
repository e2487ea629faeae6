"""Generate a synthetic dataset in graphkit's YAML format, for benchmarks.

    python bench/generate.py --actors 10000 --relations 60000 --out bench/data/10k

Actors are spread over the model's types; relations over its kinds with valid participants,
dates at mixed precision, tracks, issues and one or two citations each, so the whole pipeline
(YAML, checks, RDF, SHACL, exports) does its real work. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphkit.model import load_model  # noqa: E402

FILES = 20  # actors and relations are split over this many files each, like curated data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=1000)
    ap.add_argument("--relations", type=int, default=5000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generate(args.actors, args.relations, args.out, args.seed)


def generate(n_actors: int, n_relations: int, out: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    model = load_model()
    types = list(model.actor_types)
    weights = {"state": 8, "person": 20, "think-tank": 10, "forum": 6, "igo": 3}
    actors: dict[str, list[str]] = {t: [] for t in types}
    (out / "actors").mkdir(parents=True, exist_ok=True)
    (out / "relations").mkdir(parents=True, exist_ok=True)
    chunks: list[list[str]] = [[] for _ in range(FILES)]
    for i in range(n_actors):
        t = rng.choices(types, [weights.get(x, 2) for x in types])[0]
        aid = f"{t}-{i:06d}"
        actors[t].append(aid)
        chunks[i % FILES].append(
            f"- id: {aid}\n  name: Synthetic {t} {i}\n  type: {t}\n"
            f"  aliases: [S{i:06d}, Alias {i} of {t}]\n"
            f"  description: A generated {t} for benchmarks.\n")
    for n, chunk in enumerate(chunks):
        (out / "actors" / f"actors-{n:02d}.yaml").write_text("\n".join(chunk), encoding="utf-8")

    issues = [f"issue-{i:03d}" for i in range(50)]
    (out / "issues.yaml").write_text("".join(
        f"- id: {i}\n  label: Synthetic issue {i}\n" for i in issues), encoding="utf-8")
    sources = [f"source-{i:04d}" for i in range(max(10, n_relations // 50))]
    (out / "sources.yaml").write_text("sources:\n" + "".join(
        f"  - id: {s}\n    title: Synthetic source {s}\n    publisher: graphkit bench\n"
        f"    url: https://example.org/{s}\n    date: \"2024-0{1 + k % 9}\"\n"
        for k, s in enumerate(sources)), encoding="utf-8")

    kinds = list(model.relations.values())
    pools: dict[tuple[str, str], list[str]] = {}
    chunks = [[] for _ in range(FILES)]
    for j in range(n_relations):
        kind = rng.choice(kinds)
        lines = [f"- type: {kind.name}"]
        for _ in range(100):  # bounded: a part-of drawn the wrong way round is drawn again
            roles = _draw(kind, actors, pools, rng)
            if kind.name != "part-of" or _number(roles["part"][0]) > _number(roles["whole"][0]):
                break  # parts numbered above their wholes: no part-of cycle
        named = []
        for role, picks in roles.items():
            if picks:
                lines.append(f"  {role}: [{', '.join(picks)}]")
                named += [f"S{_number(a):06d}" for a in picks]
        for name, cf in kind.concepts.items():
            lines.append(f"  {name}: {rng.choice(sorted(model.schemes[cf.scheme]))}")
        if kind.issues_property:
            lines.append(f"  issues: [{rng.choice(issues)}]")
        if kind.track_required or rng.random() < 0.3:
            lines.append(f"  track: \"{rng.choice(['1', '1.5', '2'])}\"")
        year = rng.randint(1967, 2025)
        r = rng.random()
        start = f"{year}" if r < 0.5 else f"{year}-{rng.randint(1, 12):02d}" if r < 0.8 \
            else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lines.append(f"  start: \"{start}\"")
        if rng.random() < 0.3:
            lines.append(f"  end: \"{min(2026, year + rng.randint(0, 20))}\"")
        lines.append(f"  key: r{j}")
        lines.append("  sources:")
        for _ in range(1 + (rng.random() < 0.3)):
            lines.append(f"    - source: {rng.choice(sources)}\n"
                         f"      quote: \"Synthetic quote {j}: {' and '.join(named)} in this "
                         f"{kind.name}.\"")
        chunks[j % FILES].append("\n".join(lines) + "\n")
    for n, chunk in enumerate(chunks):
        (out / "relations" / f"relations-{n:02d}.yaml").write_text("\n".join(chunk),
                                                                   encoding="utf-8")


def _draw(kind, actors: dict, pools: dict, rng: random.Random) -> dict[str, list[str]]:
    """Participants for each role of ``kind``, none twice."""
    used: set[str] = set()
    roles = {}
    for role, spec in kind.roles.items():
        pool = pools.get((kind.name, role))
        if pool is None:
            pool = pools[(kind.name, role)] = [a for t in sorted(spec.types) for a in actors[t]]
        count = spec.min if spec.max == 1 or spec.min > 1 else max(spec.min, 1)
        picks: list[str] = []
        while len(picks) < count:
            a = rng.choice(pool)
            if a not in used:
                picks.append(a)
                used.add(a)
        roles[role] = picks
    return roles


def _number(actor: str) -> int:
    return int(actor[-6:])


if __name__ == "__main__":
    main()
