"""The test suite's one mock engine and shared guards.

The engine itself lives in dockyard/engine.py because `dockyard preview` runs the real program
through it too: tests and previews share one implementation. Tests reach it only through the
``mock_engine`` fixture below.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dockyard import engine as _engine  # noqa: E402


def _import_every_module() -> None:
    """Import all of Dockyard once, on the main thread, before any test runs.

    pytest rewrites the plugin's package on first import with ast.parse, and CPython 3.11's AST
    converter keeps one recursion counter for all threads (python/cpython#106905): a module imported
    lazily by two engine threads at once fails with "AST constructor recursion depth mismatch".
    Programs still import per-cloud modules lazily; the tests that check that run in subprocesses.
    """
    import importlib
    import pkgutil

    for package in ("dockyard", "components", "guardrails"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            if not info.name.endswith(".__main__"):
                importlib.import_module(info.name)


_import_every_module()

# Dockyard's public pytest plugin (dockyard_stack, dockyard_program; docs/testing.md): registered by
# the pytest11 entry point once Dockyard is installed, and here for a checkout whose install predates it.
pytest_plugins = ["dockyard.pytest_plugin"]

STRICT_TOOLS = os.environ.get("DOCKYARD_STRICT_TOOLS") == "1"


def require_tool(*names: str, reason: str = "") -> None:
    """Skip when a tool is missing; under DOCKYARD_STRICT_TOOLS=1 (CI) a missing tool fails."""
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    msg = f"missing tool(s): {', '.join(missing)}" + (f" ({reason})" if reason else "")
    if STRICT_TOOLS:
        pytest.fail(msg + " — DOCKYARD_STRICT_TOOLS=1 requires it")
    pytest.skip(msg)


def require(condition: bool, msg: str) -> None:
    """Like require_tool for other preconditions (root, kernel features)."""
    if condition:
        return
    if STRICT_TOOLS:
        pytest.fail(msg + " — DOCKYARD_STRICT_TOOLS=1 requires it")
    pytest.skip(msg)


class MockEngine:
    """Handle on the shared engine; ``run`` executes a program and returns its registrations."""

    Secret = _engine.Secret

    @staticmethod
    def run(program, **kwargs) -> _engine.Result:
        return _engine.run(program, **kwargs)


@pytest.fixture
def mock_engine():
    yield MockEngine()
    if _engine.failed_runs():
        # A failed run leaves cycles of dead tasks and frames; collect them now, not at a random
        # point later (CPython 3.11's compiler crashes when a collection runs inside it).
        import gc

        gc.collect(1)


class ApplyGuard:
    """Assertions placed inside ``Output.apply`` must run: the guard fails the test if not.

    Under preview mode an unknown output skips the apply that holds the assertion and the test
    passes without checking anything; the guard turns that into a failure.
    """

    def __init__(self):
        self.pending: list[str] = []
        self.ran: list[str] = []

    def check(self, output, fn, label: str = "apply"):
        self.pending.append(label)

        def run(value):
            fn(value)
            self.ran.append(label)
            return value

        return output.apply(run)

    def missing(self) -> list[str]:
        left = list(self.pending)
        for label in self.ran:
            if label in left:
                left.remove(label)
        return left


@pytest.fixture
def apply_guard():
    guard = ApplyGuard()
    yield guard
    missing = guard.missing()
    if missing:
        pytest.fail(f"assertions inside apply never ran: {missing}")
