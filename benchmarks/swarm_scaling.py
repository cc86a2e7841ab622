"""Swarm preview cost against cluster size: `dockyard preview STACK --set swarm.workers=N`.

For N = 3, 30 and 100 workers (median of 5 runs each, wall time and peak RSS of the child),
plus the number of resources each preview declares. The bootstrap graph's depth does not grow
with N (tests/swarm/test_swarm_mock.py checks that); this shows what the width costs. Measures
only: no asserts.

    .venv/bin/python benchmarks/swarm_scaling.py [STACK ...] [--workers 3 30 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.preview import median_of  # noqa: E402  (one timing implementation)

DEFAULT_WORKERS = (3, 30, 100)


def preview_cmd(stack: str, workers: int) -> list[str]:
    return [sys.executable, "-m", "dockyard", "preview", stack, "--json", "--set", f"swarm.workers={workers}"]


def resource_count(stack: str, workers: int) -> int:
    out = subprocess.run(preview_cmd(stack, workers), cwd=ROOT, capture_output=True, text=True, check=True)
    return len(json.loads(out.stdout)["resources"])


def swarm_scaling(stack: str = "local", workers=DEFAULT_WORKERS, runs: int = 5) -> list[dict]:
    """One row per worker count: median wall seconds, peak RSS MiB, resources declared."""
    rows = []
    for n in workers:
        seconds, mib = median_of(preview_cmd(stack, n), runs)
        rows.append({"stack": stack, "workers": n, "preview_s": seconds, "preview_mib": mib,
                     "resources": resource_count(stack, n)})
    return rows


def table(rows: list[dict]) -> str:
    head = f"{'stack':<12}{'workers':>8}{'resources':>11}{'preview s':>11}{'s/100 res':>11}{'MiB':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        per = 100 * r["preview_s"] / r["resources"]
        lines.append(f"{r['stack']:<12}{r['workers']:>8}{r['resources']:>11}{r['preview_s']:>11.2f}"
                     f"{per:>11.2f}{r['preview_mib']:>7.0f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stacks", nargs="*", default=["local"], help="stacks with a swarm (default: local)")
    ap.add_argument("--workers", type=int, nargs="+", default=list(DEFAULT_WORKERS))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rows = [row for s in args.stacks for row in swarm_scaling(s, args.workers, args.runs)]
    print(table(rows))


if __name__ == "__main__":
    main()
