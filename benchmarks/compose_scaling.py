"""Compose cost against file size: `dockyard convert` on N services and on a port range of N ports.

For N services (each publishing one port) and for one service publishing a range of N ports,
the median wall time and peak RSS of `python -m dockyard convert FILE` (median of 3 runs) and
the seconds per 1,000 services or ports, which stays flat when cost is linear.
tests/compose/test_compose_scale.py bounds the same growth by operation counts; this measures
only: no asserts.

    .venv/bin/python benchmarks/compose_scaling.py [--services 1000 4000 10000] [--ports 4000 16000 65535]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.preview import median_of  # noqa: E402  (one timing implementation)


def services_file(n: int) -> str:
    return "services:\n" + "".join(
        f"  s{i}:\n    image: nginx:1.27\n    ports:\n      - \"{10000 + i % 50000}:80\"\n" for i in range(n))


def ports_file(n: int) -> str:
    return f'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "1-{n}:1-{n}"\n'


def scaling(kind: str, sizes, runs: int) -> list[dict]:
    make = services_file if kind == "services" else ports_file
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"{kind}-{n}.yml"
            path.write_text(make(n))
            seconds, mib = median_of([sys.executable, "-m", "dockyard", "convert", str(path)], runs)
            rows.append({"kind": kind, "n": n, "s": seconds, "mib": mib})
    return rows


def table(rows: list[dict]) -> str:
    head = f"{'kind':<10}{'n':>8}{'convert s':>11}{'s/1000':>9}{'MiB':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['kind']:<10}{r['n']:>8}{r['s']:>11.2f}{1000 * r['s'] / r['n']:>9.3f}{r['mib']:>7.0f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, nargs="+", default=[1000, 4000, 10000])
    ap.add_argument("--ports", type=int, nargs="+", default=[4000, 16000, 65535])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(table(scaling("services", args.services, args.runs) + scaling("ports", args.ports, args.runs)))


if __name__ == "__main__":
    main()
