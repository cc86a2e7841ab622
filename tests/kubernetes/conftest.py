"""Shared helpers of the Kubernetes tests: offline schema validation of manifest dicts."""

from __future__ import annotations

import pytest

kubernetes_validate = pytest.importorskip("kubernetes_validate")

# A current Kubernetes version: the newest schema the installed kubernetes-validate ships, and
# never older than 1.30 (requirements-dev.txt pins kubernetes-validate>=1.30).
K8S_VERSION = kubernetes_validate.latest_version()
assert tuple(int(x) for x in K8S_VERSION.split(".")[:2]) >= (1, 30), K8S_VERSION


def schema_errors(manifest: dict) -> str | None:
    """None if ``manifest`` is valid in strict mode (unknown fields are errors), else a short reason."""
    try:
        kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path)
        return f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}: {path}: {exc.message}"
    except kubernetes_validate.SchemaNotFoundError as exc:
        return exc.message
    return None


@pytest.fixture
def validate_manifests():
    def check(manifests):
        manifests = list(manifests)
        assert manifests, "nothing to validate"
        errors = [e for e in map(schema_errors, manifests) if e]
        assert not errors, "\n".join(errors)
        return len(manifests)

    return check
