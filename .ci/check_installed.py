"""Run with the python of a venv Dockyard was `pip install`-ed into, from outside the checkout:
every file of the runtime packages in the checkout (code, mocks, price books, data) must have
been installed, the packages must come from site-packages, and the pytest plugin's entry point
must be registered. Usage: check_installed.py CHECKOUT"""

import importlib
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

PACKAGES = ("dockyard", "components", "guardrails")


def main(checkout: Path) -> int:
    problems = []
    tracked = subprocess.run(["git", "-C", str(checkout), "ls-files", *PACKAGES], capture_output=True,
                             text=True, check=True).stdout.split()
    for pkg in PACKAGES:
        installed = Path(importlib.import_module(pkg).__file__).parent
        if checkout.resolve() in installed.resolve().parents:
            problems.append(f"{pkg} is imported from the checkout ({installed}), not the installed package")
        for rel in tracked:
            if rel.startswith(pkg + "/") and not (installed.parent / rel).is_file():
                problems.append(f"{rel} is in the checkout but was not installed")
    plugins = {ep.value for ep in entry_points(group="pytest11")}
    if "dockyard.pytest_plugin" not in plugins:
        problems.append("the pytest11 entry point dockyard.pytest_plugin is not registered")
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    print(f"installed package check: {len(tracked)} files, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
