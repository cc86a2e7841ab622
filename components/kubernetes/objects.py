"""Declare plain Kubernetes manifest dicts as typed pulumi_kubernetes resources.

SockShop, the dashboard and ComposeApp all build manifests as plain dicts (camelCase keys, as in
YAML) so that tests can validate the very same dicts offline against the Kubernetes OpenAPI
schema. This module is the one place that turns such a dict into a typed resource
(``pulumi_kubernetes.apps.v1.Deployment(metadata=..., spec=...)``): no ``yaml.ConfigFile``, whose
``kubernetes:yaml:decode`` invoke needs a real engine and previews as nothing.
"""

from __future__ import annotations

import copy
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


def _pod_spec_path(kind: str) -> tuple[str, ...] | None:
    """Where a kind keeps its pod spec (Kubernetes API reference: Pod, workloads, CronJob)."""
    if kind == "Pod":
        return ("spec",)
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        return ("spec", "template", "spec")
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    return None


def _pinned(manifest: dict) -> dict:
    """The manifest with every container image by tag resolved to its digest (components/images.py),
    so a tag moved upstream shows in the preview as a changed image; the input stays untouched."""
    path = _pod_spec_path(manifest.get("kind", ""))
    if path is None:
        return manifest
    from components.images import pin_image

    out = copy.deepcopy(manifest)
    spec = out
    for part in path:
        spec = (spec or {}).get(part)
    for field in ("initContainers", "containers"):
        for container in (spec or {}).get(field) or []:
            if isinstance(container.get("image"), str):
                container["image"] = pin_image(container["image"])
    return out


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
    seen: set[tuple[str, str]] = set()
    for manifest in manifests:
        kind, _, name = key(manifest)
        if (kind, name) in seen:  # Pulumi names are <prefix>-<name>, unique per type
            raise ValueError(f"two {kind} objects named {name!r} in one batch ({prefix})")
        seen.add((kind, name))
        resource_class(manifest["apiVersion"], kind)
    declared: dict[tuple[str, str, str], pulumi.CustomResource] = {}
    namespaces: dict[str, pulumi.CustomResource] = {}
    for manifest in manifests:
        kind, namespace, name = key(manifest)
        cls = resource_class(manifest["apiVersion"], kind)
        kwargs = {_snake(k): v for k, v in _pinned(manifest).items() if k not in ("apiVersion", "kind")}
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


def plain(value):
    """Typed output objects (ServiceSpec, ServiceStatus) as plain dicts and lists."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return {k: plain(v) for k, v in vars(value).items()}


def _url(spec: dict | None, status: dict | None, node_address: str) -> str | None:
    spec, status = spec or {}, status or {}
    ports = spec.get("ports") or []
    if not ports:
        return None
    if spec.get("type") == "LoadBalancer":
        ingress = (status.get("load_balancer") or status.get("loadBalancer") or {}).get("ingress") or []
        host = (ingress[0].get("ip") or ingress[0].get("hostname")) if ingress else None
        port = ports[0].get("port")
    elif spec.get("type") == "NodePort":
        host = node_address
        port = ports[0].get("node_port") or ports[0].get("nodePort")
    else:
        return None
    if not host or not port:
        return None
    port = int(port)
    return f"http://{host}/" if port == 80 else f"http://{host}:{port}/"


def service_url(service, node_address: str = "localhost") -> pulumi.Output:
    """The URL of a LoadBalancer (its ingress address) or NodePort (``node_address``) Service."""
    return pulumi.Output.all(service.spec, service.status).apply(
        lambda v: _url(plain(v[0]), plain(v[1]), node_address)
    )
