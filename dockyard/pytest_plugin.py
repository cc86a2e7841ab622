"""Dockyard's pytest plugin: fixtures over :mod:`dockyard.testing` (docs/testing.md).

Installing Dockyard registers it through the ``pytest11`` entry point, so any test suite gets:

* ``dockyard_stack(stack, set=..., config=...)``: :func:`dockyard.testing.run_stack` on the
  project ``dockyard_project_dir`` names; results are shared within the session for the same
  stack, overrides and config (the program runs once), each call gets its own copy;
* ``dockyard_program(fn, config=..., mocks=...)``: :func:`dockyard.testing.run_program`;
* ``dockyard_project_dir``: the nearest directory holding a Pulumi.yaml above the test file, or the
  ``dockyard_project`` ini option (relative to the rootdir); override the fixture to choose another.

Every fixture name starts with ``dockyard_``, so none collides with a suite's own fixtures.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from dockyard import testing

_CACHE = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("dockyard_project", "Dockyard: the project directory (holding Pulumi.yaml) that "
                  "dockyard_stack runs, relative to the rootdir (default: the nearest one above the test file)",
                  default="")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_CACHE] = {}


class StackRunner:
    """``dockyard_stack(stack, *, set=(), config=None, mocks=None, invokes=None, strict=False)``:
    run a stack of ``project_dir`` (see :func:`dockyard.testing.run_stack`)."""

    def __init__(self, project_dir: Path, cache: dict):
        self.project_dir = project_dir
        self._cache = cache

    def __call__(
        self,
        stack: str,
        *,
        set: Iterable[str] | Mapping[str, Any] = (),  # noqa: A002 - named like the CLI's --set
        config: Mapping[str, Any] | None = None,
        mocks: Mapping[str, testing.ResourceMock] | None = None,
        invokes: Mapping[str, testing.InvokeMock] | None = None,
        strict: bool = False,
    ) -> testing.StackResult:
        overrides = testing._assignments(set)
        if mocks or invokes:  # functions: no key to share the result under
            return testing.run_stack(stack, set=overrides, config=config, project_dir=self.project_dir,
                                     mocks=mocks, invokes=invokes, strict=strict)
        key = (str(self.project_dir), stack, tuple(overrides),
               None if config is None else json.dumps(config, sort_keys=True, default=str), strict)
        if key not in self._cache:
            self._cache[key] = testing.run_stack(stack, set=overrides, config=config,
                                                 project_dir=self.project_dir, strict=strict)
        shared = self._cache[key]
        # A fresh StackResult: a test that modifies its values does not change another test's.
        return testing.StackResult(shared._engine_result, shared._config, shared._project_dir)


@pytest.fixture
def dockyard_project_dir(request: pytest.FixtureRequest) -> Path:
    """The Dockyard project ``dockyard_stack`` runs (a directory holding Pulumi.yaml)."""
    option = request.config.getini("dockyard_project")
    if option:
        return (request.config.rootpath / option).resolve()
    return testing.find_project_dir(request.path)


def _collect_after_runs() -> None:
    """A run leaves cycles of dead tasks and frames (more when it raised): collect them at the
    test's end, not at a random later point (CPython 3.11's compiler crashes when a collection that
    runs finalizers happens inside it, e.g. while pytest rewrites a module's assertions). The engine
    pauses the collector during a run, so what it left is still in the young generations."""
    from dockyard import engine

    engine.failed_runs()  # reset: collected here
    gc.collect(1)


@pytest.fixture
def dockyard_stack(dockyard_project_dir: Path, request: pytest.FixtureRequest) -> Iterator[StackRunner]:
    """Run a stack of the project: ``dockyard_stack("production", set=["swarm.workers=5"])``."""
    yield StackRunner(dockyard_project_dir, request.config.stash[_CACHE])
    _collect_after_runs()


@pytest.fixture
def dockyard_program() -> Iterator[Callable[..., testing.StackResult]]:
    """Run a function of yours under the mocks: ``dockyard_program(fn, config={...}, mocks={...})``."""
    yield testing.run_program
    _collect_after_runs()
