"""KubernetesCluster: one config, five ways to get a cluster (EKS, AKS, GKE, DOKS, existing).

Replaces ``eksctl create cluster``, ``az aks create``, ``gcloud container clusters create`` and
``doctl kubernetes cluster create``. Each cloud lives in its own module (eks.py, aks.py, gke.py,
doks.py, existing.py) and is imported only when a stack uses it, so a local-k8s stack never
loads pulumi_aws, pulumi_azure_native or pulumi_gcp. Every module returns the same
:class:`ClusterParts`; this component turns them into the secret ``kubeconfig`` output and the
pulumi_kubernetes Provider that apps deploy through.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pulumi

MODULES = {"eks": "eks", "aks": "aks", "gke": "gke", "doks": "doks", "existing": "existing"}

# Default node sizes: big enough for sock-shop (its requests add up to ~1.1 vCPU and ~2.2 GiB).
DEFAULT_NODE_SIZES = {
    "eks": "m5.large",  # eksctl's default
    "aks": "Standard_D2s_v3",
    "gke": "e2-medium",  # gcloud's default
    "doks": "s-2vcpu-4gb",
}


@dataclass
class ClusterArgs:
    """What a cluster module needs: the validated ``kubernetes`` config and the stack's context.

    ``cluster``: eks | aks | gke | doks | existing. ``region``: where to create it (already
    defaulted from the provider config). ``admin_cidrs``: who may reach the cluster's API where
    the cloud can restrict it.
    """

    cluster: str
    node_count: int = 2
    node_size: str | None = None
    version: str | None = None
    region: str | None = None
    admin_cidrs: list[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    context: str | None = None
    kubeconfig_text: str | None = None  # existing: the file named by the stack, reduced to the context
    admins: list[str] = field(default_factory=list)
    project: str | None = None  # gcp project (workload identity pool)
    tags: dict[str, str] = field(default_factory=dict)
    control_plane_firewall: bool = False  # doks: the invite-only control-plane firewall

    @property
    def size(self) -> str | None:
        return self.node_size or DEFAULT_NODE_SIZES.get(self.cluster)

    @property
    def api_cidrs(self) -> list[str]:
        """The IPv4 blocks of admin_cidrs: EKS, AKS, GKE and DOKS restrict their API endpoints
        by IPv4 only (config validation refuses a managed cluster with no IPv4 admin CIDR)."""
        import ipaddress

        return [c for c in self.admin_cidrs if ipaddress.ip_network(c, strict=False).version == 4]

    @property
    def api_open_to_all(self) -> bool:
        return "0.0.0.0/0" in self.api_cidrs


@dataclass
class ClusterParts:
    """What every cluster module hands back.

    ``kubeconfig``: the kubeconfig text (made secret here, whatever the module did).
    ``provider_args``: extra pulumi_kubernetes.Provider arguments (``context`` for existing).
    ``node_address``: host that reaches a NodePort (``localhost`` for Docker Desktop).
    ``outputs``: extra, non-secret outputs (cluster name, endpoint, version).
    """

    kubeconfig: Any
    provider_args: dict = field(default_factory=dict)
    node_address: str = "localhost"
    local: bool = False
    outputs: dict = field(default_factory=dict)


class KubernetesCluster(pulumi.ComponentResource):
    """A cluster of the configured kind, its secret kubeconfig and a Provider for apps."""

    kubeconfig: pulumi.Output[str]
    provider: pulumi.ProviderResource

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        if args.cluster not in MODULES:
            raise ValueError(f"unknown cluster type {args.cluster!r}; one of {', '.join(MODULES)}")
        super().__init__("dockyard:index:KubernetesCluster", name, None, opts)
        module = importlib.import_module(f"components.kubernetes.{MODULES[args.cluster]}")
        parts: ClusterParts = module.create(self, name, args)

        import pulumi_kubernetes as k8s

        self.kind = args.cluster
        self.local = parts.local
        self.node_address = parts.node_address
        self.kubeconfig = pulumi.Output.secret(parts.kubeconfig)
        provider_args = dict(parts.provider_args)
        if parts.kubeconfig is not None:
            provider_args["kubeconfig"] = self.kubeconfig
        self.provider = k8s.Provider(
            f"{name}-k8s",
            **provider_args,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.outputs = dict(parts.outputs)
        self.register_outputs({"kubeconfig": self.kubeconfig, **self.outputs})
