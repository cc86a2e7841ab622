"""Declare plain Kubernetes manifest dicts as typed pulumi_kubernetes resources.

SockShop, the dashboard and ComposeApp all build manifests as plain dicts (camelCase keys, as in
YAML) so that tests can validate the very same dicts offline against the Kubernetes OpenAPI
schema. This module is the one place that turns such a dict into a typed resource
(``pulumi_kubernetes.apps.v1.Deployment(metadata=..., spec=...)``): no ``yaml.ConfigFile``, whose
``kubernetes:yaml:decode`` invoke needs a real engine and previews as nothing.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable

import pulumi

# (apiVersion, kind) -> (pulumi_kubernetes submodule, class name)
KINDS: dict[tuple[str, str], tuple[str, str]] = {
    ("v1", "Namespace"): ("core.v1", "Namespace"),
    ("v1", "Service"): ("core.v1", "Service"),
    ("v1", "ServiceAccount"): ("core.v1", "ServiceAccount"),
    ("v1", "ConfigMap"): ("core.v1", "ConfigMap"),
    ("v1", "Secret"): ("core.v1", "Secret"),
    ("v1", "PersistentVolumeClaim"): ("core.v1", "PersistentVolumeClaim"),
    ("v1", "Pod"): ("core.v1", "Pod"),
    ("apps/v1", "Deployment"): ("apps.v1", "Deployment"),
    ("apps/v1", "StatefulSet"): ("apps.v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"): ("apps.v1", "DaemonSet"),
    ("batch/v1", "Job"): ("batch.v1", "Job"),
    ("batch/v1", "CronJob"): ("batch.v1", "CronJob"),
    ("rbac.authorization.k8s.io/v1", "Role"): ("rbac.v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ("rbac.v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("rbac.v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ("rbac.v1", "ClusterRoleBinding"),
    ("networking.k8s.io/v1", "Ingress"): ("networking.v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"): ("networking.v1", "NetworkPolicy"),
    ("policy/v1", "PodDisruptionBudget"): ("policy.v1", "PodDisruptionBudget"),
}

# Top-level fields that hold secret material: kept secret in state and outputs.
_SECRET_FIELDS = {"Secret": ("data", "stringData")}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def resource_class(api_version: str, kind: str):
    """The typed pulumi_kubernetes class of a manifest; unknown kinds are a programming error."""
    try:
        module, cls = KINDS[(api_version, kind)]
    except KeyError:
        raise ValueError(f"no typed resource for {api_version} {kind}: add it to KINDS") from None
    return getattr(importlib.import_module(f"pulumi_kubernetes.{module}"), cls)


def key(manifest: dict) -> tuple[str, str, str]:
    """(kind, namespace, name) of a manifest; namespace is '' for cluster-scoped objects."""
    meta = manifest.get("metadata", {})
    return manifest["kind"], meta.get("namespace", ""), meta["name"]


def declare(
    manifests: Iterable[dict],
    prefix: str,
    opts: pulumi.ResourceOptions,
) -> dict[tuple[str, str, str], pulumi.CustomResource]:
    """Declare each manifest as its typed resource, named ``<prefix>-<name>`` in Pulumi.

    Namespaced objects depend on a Namespace declared in the same batch, so the namespace is
    created first and deleted last. Secret data is wrapped as a Pulumi secret.
    """
    manifests = list(manifests)
    declared: dict[tuple[str, str, str], pulumi.CustomResource] = {}
    namespaces: dict[str, pulumi.CustomResource] = {}
    for manifest in manifests:
        kind, namespace, name = key(manifest)
        if any(k[0] == kind and k[2] == name for k in declared):
            raise ValueError(f"two {kind} objects named {name!r} in one batch ({prefix})")
        cls = resource_class(manifest["apiVersion"], kind)
        kwargs = {_snake(k): v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
        secret_fields = [f for f in _SECRET_FIELDS.get(kind, ()) if f in manifest]
        for field in secret_fields:
            kwargs[_snake(field)] = pulumi.Output.secret(kwargs[_snake(field)])
        depends = [namespaces[namespace]] if namespace in namespaces else []
        res = cls(
            f"{prefix}-{name}",
            **kwargs,
            opts=pulumi.ResourceOptions(
                depends_on=depends,
                additional_secret_outputs=secret_fields or None,
            ).merge(opts),
        )
        declared[(kind, namespace, name)] = res
        if kind == "Namespace":
            namespaces[name] = res
    return declared
