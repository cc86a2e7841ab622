"""Shared helpers of the Kubernetes tests: offline schema validation, running the real program."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

try:
    import kubernetes_validate
except ImportError:  # pragma: no cover - installed from requirements-dev.txt
    kubernetes_validate = None

ROOT = Path(__file__).resolve().parents[2]


def k8s_version() -> str:
    """A current Kubernetes version: the newest schema the installed kubernetes-validate ships
    (requirements-dev.txt asks for >= 1.30)."""
    version = kubernetes_validate.latest_version()
    assert tuple(int(x) for x in version.split(".")[:2]) >= (1, 30), version
    return version


def schema_errors(manifest: dict) -> str | None:
    """None if ``manifest`` is valid in strict mode (unknown fields are errors), else a short reason."""
    try:
        kubernetes_validate.validate(manifest, k8s_version(), strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path)
        return f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}: {path}: {exc.message}"
    except kubernetes_validate.SchemaNotFoundError as exc:
        return exc.message
    return None


@pytest.fixture
def validate_manifests():
    """Validate manifest dicts against the Kubernetes OpenAPI schema; skips without the validator
    locally, fails under DOCKYARD_STRICT_TOOLS=1 (CI)."""
    if kubernetes_validate is None:
        msg = "missing Python package kubernetes-validate (requirements-dev.txt)"
        if os.environ.get("DOCKYARD_STRICT_TOOLS") == "1":
            pytest.fail(msg + " — DOCKYARD_STRICT_TOOLS=1 requires it")
        pytest.skip(msg)

    def check(manifests):
        manifests = list(manifests)
        assert manifests, "nothing to validate"
        errors = [e for e in map(schema_errors, manifests) if e]
        assert not errors, "\n".join(errors)
        return len(manifests)

    return check

PROVIDER_CONFIG = {
    "eks": {"aws:region": "us-east-1"},
    "aks": {"azure-native:location": "westeurope"},
    "gke": {"gcp:project": "dockyard-test", "gcp:region": "europe-west1"},
    "doks": {},
    "existing": {},
}


def manifest_of(reg) -> dict:
    """The Kubernetes object a typed resource registration sends to the cluster."""
    return {k: v for k, v in reg.inputs.items() if not k.startswith("__")}


@pytest.fixture
def run_kubernetes(mock_engine):
    """Run the real program (__main__.py) with only a `dockyard:kubernetes` config."""
    import os
    import runpy

    def run(kubernetes: dict, *, stack: str = "test", admin_cidrs=None, config: dict | None = None):
        config = {"dockyard:kubernetes": kubernetes, **PROVIDER_CONFIG.get(kubernetes.get("cluster"), {}),
                  **(config or {})}
        if admin_cidrs is not None:
            config["dockyard:adminCidrs"] = admin_cidrs
        here = os.getcwd()
        os.chdir(ROOT)
        try:
            return mock_engine.run(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"),
                                   stack=stack, config=config)
        finally:
            os.chdir(here)

    return run

