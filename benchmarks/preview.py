"""Preview cost per stack against its floor.

The floor of a stack is a bare interpreter importing the same Pulumi SDK modules (packages and
submodules) the stack's preview imports: what no implementation could avoid. The budget (issue 2) is floor + 1 s.
Median of 5 runs each; wall time and peak RSS of the child process. Measures only: no asserts.

    .venv/bin/python benchmarks/preview.py [STACK ...] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dockyard import stackfile  # noqa: E402

_PROBE = (
    "import sys, json; sys.path.insert(0, {root!r});"
    "from dockyard import preview; preview.preview({stack!r}, {sets!r});"
    "print(json.dumps(sorted(m for m in list(sys.modules) if m.split('.')[0].startswith('pulumi'))))"
)


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    return wall, usage.ru_maxrss / 1024


def median_of(cmd: list[str], runs: int) -> tuple[float, float]:
    samples = [measure(cmd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def sdk_packages(stack: str, sets: list[str]) -> list[str]:
    code = _PROBE.format(root=str(ROOT), stack=stack, sets=sets)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(stack: str, runs: int, sets: list[str] | None = None) -> dict:
    sets = sets or []
    packages = sdk_packages(stack, sets)
    # Same collector policy as `dockyard preview` (no cyclic GC in a short-lived process), so
    # the floor is what importing these modules costs at best.
    floor_code = f"import gc, importlib\ngc.disable()\nfor m in {packages!r}: importlib.import_module(m)"
    floor_cmd = [sys.executable, "-c", floor_code]
    preview_cmd = [sys.executable, "-m", "dockyard", "preview", stack, "--json"]
    for s in sets:
        preview_cmd += ["--set", s]
    floor_s, floor_mb = median_of(floor_cmd, runs)
    prev_s, prev_mb = median_of(preview_cmd, runs)
    return {"stack": stack, "sets": sets, "packages": packages, "floor_s": floor_s, "preview_s": prev_s,
            "overhead_s": prev_s - floor_s, "floor_mib": floor_mb, "preview_mib": prev_mb}


def _top(modules: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules})


def table(rows: list[dict]) -> str:
    head = f"{'stack':<22}{'floor s':>9}{'preview s':>11}{'over s':>8}{'budget':>8}{'floor MiB':>11}{'preview MiB':>13}  SDKs"
    lines = [head, "-" * len(head)]
    for r in rows:
        label = r["stack"] + (" " + ",".join(r["sets"]) if r["sets"] else "")
        ok = "ok" if r["overhead_s"] <= 1.0 else "OVER"
        lines.append(f"{label:<22}{r['floor_s']:>9.2f}{r['preview_s']:>11.2f}{r['overhead_s']:>8.2f}{ok:>8}"
                     f"{r['floor_mib']:>11.0f}{r['preview_mib']:>13.0f}  {' '.join(_top(r['packages']))}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stacks", nargs="*", help="stacks (default: all in stacks/)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rows = [bench(s, args.runs) for s in (args.stacks or stackfile.list_stacks(ROOT))]
    print(table(rows))


if __name__ == "__main__":
    main()
