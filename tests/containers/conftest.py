"""Shared pieces of the managed-containers tests: run apps through the real config loader."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def run_apps(mock_engine):
    """Run `dockyard:containers` = apps through config.load() and build_containers, as __main__ does."""

    def run(apps, *, secrets=None, region="eu-west-1", location="northeurope", allow_outside=()):
        config = {"dockyard:containers": apps, "aws:region": region, "azure-native:location": location}
        if allow_outside:  # compose files in a test's tmp_path, outside the project
            config["dockyard:allowFilesOutsideProject"] = [str(p) for p in allow_outside]
        config.update(secrets or {})

        def program():
            from components import config as stack_config
            from components.containers.build import build_containers

            cfg = stack_config.load()
            pulumi.export("containers", build_containers(cfg))

        return mock_engine.run(program, config=config, secret_keys=list(secrets or {}))

    return run



def clear_text(value) -> str:
    """The value as JSON with every Secret rendered as [secret]: what is visible without unwrapping."""
    import json

    return json.dumps(value, default=repr, sort_keys=True)
