"""The Kubernetes dashboard, reachable only through ``kubectl proxy``, logged in read-only.

The book installed the dashboard with ``--enable-skip-login``, which lets anyone who reaches it
act as the dashboard's own service account. Here nothing is exposed outside the cluster (the
chart's Kong gateway stays a ClusterIP service, no ingress) and there is no skip-login: you log
in with a short-lived token of the ``dashboard-viewer`` service account, which is bound to the
built-in ``view`` ClusterRole (read-only, and no Secrets).

Why the Helm chart (pulumi_kubernetes.helm.v3.Release) rather than typed objects like SockShop:
since dashboard 7.0 upstream ships only a Helm chart; the plain manifest (recommended.yaml)
stopped at v2.7.0 (2022). The chart is five containers behind a Kong gateway with its own
generated configuration, which we would otherwise have to re-create and track by hand. The
objects we add ourselves (namespace, service account, binding) are typed and validated offline.
Facts from kubernetes/dashboard (README.md, charts/kubernetes-dashboard/Chart.yaml and values.yaml,
docs/user/accessing-dashboard/README.md, commit 2f3f7b01a3e2).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

NAMESPACE = "kubernetes-dashboard"
RELEASE = "kubernetes-dashboard"
CHART = "kubernetes-dashboard"
CHART_VERSION = "7.13.0"
CHART_REPO = "https://kubernetes.github.io/dashboard/"
VIEWER = "dashboard-viewer"
PROXY_SERVICE = f"{RELEASE}-kong-proxy"  # the chart names Kong's proxy after the release

# Chart values we set explicitly so that a change of chart defaults cannot expose the dashboard.
VALUES = {
    "app": {"ingress": {"enabled": False}},
    "kong": {"proxy": {"type": "ClusterIP"}},
}


def proxy_url(port: int = 8001) -> str:
    """The dashboard through ``kubectl proxy --port=<port>``."""
    return (f"http://localhost:{port}/api/v1/namespaces/{NAMESPACE}/services/"
            f"https:{PROXY_SERVICE}:443/proxy/")


TOKEN_COMMAND = f"kubectl -n {NAMESPACE} create token {VIEWER}"


def manifests() -> list[dict]:
    """Our own objects: the namespace and a read-only service account for logging in."""
    labels = {"app.kubernetes.io/managed-by": "dockyard", "app.kubernetes.io/part-of": "kubernetes-dashboard"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": dict(labels)}},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": VIEWER, "namespace": NAMESPACE, "labels": dict(labels)},
            # The token is requested per login (`kubectl create token`), never mounted or stored.
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": VIEWER, "labels": dict(labels)},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "ServiceAccount", "name": VIEWER, "namespace": NAMESPACE}],
        },
    ]


@dataclass
class DashboardArgs:
    provider: pulumi.ProviderResource | None = None


class Dashboard(pulumi.ComponentResource):
    """The dashboard chart plus a read-only login; outputs the proxy URL and the token command."""

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:Dashboard", name, None, opts)
        import pulumi_kubernetes as k8s

        from components.kubernetes.objects import declare

        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        objects = declare(manifests(), name, child)
        namespace = objects[("Namespace", "", NAMESPACE)]
        self.release = k8s.helm.v3.Release(
            name,
            name=RELEASE,
            chart=CHART,
            version=CHART_VERSION,
            repository_opts={"repo": CHART_REPO},
            namespace=NAMESPACE,
            create_namespace=False,
            values=VALUES,
            atomic=True,
            cleanup_on_fail=True,
            opts=pulumi.ResourceOptions(depends_on=[namespace]).merge(child),
        )
        self.url = pulumi.Output.from_input(proxy_url())
        self.token_command = pulumi.Output.from_input(TOKEN_COMMAND)
        self.register_outputs({"url": self.url, "tokenCommand": self.token_command})
