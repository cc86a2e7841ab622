"""From the validated ``kubernetes`` config to a cluster and its apps.

:func:`plan` does everything that can fail on user input (reading a kubeconfig file, converting
compose files, checking namespaces) without declaring a resource; :func:`build_kubernetes` then
declares the KubernetesCluster and, through its Provider, SockShop, each ComposeApp and the
dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from components.config import SOCK_SHOP, KubernetesComposeApp, StackConfig
from components.errors import ConfigError
from components.kubernetes.cluster import ClusterArgs
from components.kubernetes.compose_app import ComposePlan
from components.kubernetes.sockshop import SockShopOptions


@dataclass
class KubernetesPlan:
    name: str
    cluster: ClusterArgs
    sock_shop: SockShopOptions | None = None
    compose_apps: list[ComposePlan] = field(default_factory=list)
    dashboard: bool = False


def cluster_name(stack: str) -> str:
    """A name every cloud accepts (GKE: lowercase, <= 40 characters, starting with a letter)."""
    from components.names import dns_label

    return f"dockyard-{dns_label(stack)}"[:30].rstrip("-")


def plan(cfg: StackConfig, stack: str) -> KubernetesPlan:
    """Check and prepare every input of the cluster and its apps; raises InputError."""
    k = cfg.kubernetes
    providers = cfg.providers
    region = k.region
    if k.cluster == "eks":
        if region and providers.aws_region and region != providers.aws_region:
            raise ConfigError("dockyard:kubernetes.region",
                              f"EKS is created in aws:region ({providers.aws_region}); set aws:region instead "
                              f"of kubernetes.region ({region})")
        region = providers.aws_region
    elif k.cluster == "aks":
        region = region or providers.azure_location
    elif k.cluster == "gke":
        region = region or providers.gcp_region

    if k.cluster == "existing":
        for field_name in ("version", "region", "node_count", "node_size"):
            if field_name in k.model_fields_set:
                alias = type(k).model_fields[field_name].alias or field_name
                raise ConfigError(f"dockyard:kubernetes.{alias}",
                                  "is not used with cluster: existing (the cluster already exists)")

    kubeconfig_text = None
    if k.cluster == "existing" and k.kubeconfig:
        from components.kubernetes.existing import load

        kubeconfig_text = load(k.kubeconfig, k.context)

    args = ClusterArgs(
        cluster=k.cluster,
        node_count=k.node_count,
        node_size=k.node_size,
        version=k.version,
        region=region,
        admin_cidrs=list(cfg.admin_cidrs),
        context=k.context,
        kubeconfig_text=kubeconfig_text,
        admins=list(k.admins),
        project=providers.gcp_project,
        control_plane_firewall=k.control_plane_firewall,
    )
    out = KubernetesPlan(name=cluster_name(stack), cluster=args, dashboard=k.dashboard)
    local = k.cluster == "existing"
    namespaces: dict[str, str] = {}
    if k.dashboard:
        from components.kubernetes.dashboard import NAMESPACE

        namespaces[NAMESPACE] = "dockyard:kubernetes.dashboard"

    def claim(namespace: str, where: str) -> None:
        if namespace in namespaces:
            raise ConfigError(where, f"namespace '{namespace}' is already used by {namespaces[namespace]}")
        namespaces[namespace] = where

    for i, app in enumerate(k.apps):
        where = f"dockyard:kubernetes.apps[{i}]"
        if app == SOCK_SHOP:
            if out.sock_shop is not None:
                raise ConfigError(where, "sock-shop is listed twice")
            opts = k.sock_shop
            out.sock_shop = SockShopOptions(
                namespace=opts.namespace,
                replicas=opts.replicas,
                service_type=opts.service_type or ("NodePort" if local else "LoadBalancer"),
                node_port=opts.node_port,
            )
            claim(opts.namespace, where)
        elif isinstance(app, KubernetesComposeApp):
            from components.kubernetes.compose_app import plan as compose_plan
            from components.kubernetes.existing import LOCALHOST_CONTEXTS

            if any(p.name == app.name for p in out.compose_apps):
                raise ConfigError(f"{where}.name", f"duplicate app name '{app.name}'")
            # Docker Desktop serves LoadBalancer services on localhost; other existing clusters
            # may have no load balancer at all, so they get node ports.
            desktop = local and (k.context or "docker-desktop") in LOCALHOST_CONTEXTS
            service_type = "NodePort" if local and not desktop else "LoadBalancer"
            converted = compose_plan(app.name, cfg_path(app.compose), app.namespace,
                                     service_type=service_type, single_node=local, label=app.compose,
                                     profiles=app.profiles, service_groups=app.service_groups, files=cfg.files)
            claim(converted.namespace, where)
            out.compose_apps.append(converted)
    return out


def cfg_path(path: str) -> Path:
    """Compose paths in the stack file are relative to the project, as the config check reads them:
    the working directory, where Pulumi runs the program (not this package's directory, which is
    site-packages once Dockyard is installed)."""
    p = Path(path)
    return p if p.is_absolute() else Path.cwd() / p


def build_kubernetes(cfg: StackConfig, p: KubernetesPlan | None = None) -> dict:
    """Declare the cluster and its apps; returns the stack outputs of the ``kubernetes`` key.

    ``p`` is the result of :func:`plan`, which the program runs before declaring anything at all,
    so that a bad input never leaves other capabilities half-declared.
    """
    from components.kubernetes.cluster import KubernetesCluster

    p = p or plan(cfg, pulumi.get_stack())
    cluster = KubernetesCluster(p.name, p.cluster)
    outputs: dict = {"cluster": p.cluster.cluster, "name": p.name, "kubeconfig": cluster.kubeconfig,
                     **cluster.outputs}
    app_opts = pulumi.ResourceOptions(depends_on=[cluster])
    if p.sock_shop is not None:
        from components.kubernetes.sockshop import SockShop, SockShopArgs

        shop = SockShop(SOCK_SHOP, SockShopArgs(provider=cluster.provider, options=p.sock_shop,
                                                node_address=cluster.node_address), opts=app_opts)
        outputs["sockShop"] = {"namespace": shop.namespace, "url": shop.url}
    if p.compose_apps:
        from components.kubernetes.compose_app import ComposeApp, ComposeAppArgs

        apps = {}
        for converted in p.compose_apps:
            app = ComposeApp(converted.name, ComposeAppArgs(plan=converted, provider=cluster.provider,
                                                            node_address=cluster.node_address), opts=app_opts)
            apps[converted.name] = {"namespace": app.namespace, "urls": app.urls}
        outputs["apps"] = apps
    if p.dashboard:
        from components.kubernetes.dashboard import Dashboard, DashboardArgs

        dash = Dashboard("dashboard", DashboardArgs(provider=cluster.provider), opts=app_opts)
        outputs["dashboard"] = {"url": dash.url, "portForwardCommand": dash.port_forward_command,
                                "tokenCommand": dash.token_command}
    return outputs
