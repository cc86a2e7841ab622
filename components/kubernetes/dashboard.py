"""The cluster's web UI: Headlamp, reachable only through ``kubectl port-forward``, logged in read-only.

kubernetes/dashboard, which Dockyard installed before, was archived in January 2026 and its Helm
repository (kubernetes.github.io/dashboard) answers 404, so `pulumi up` with ``dashboard: true``
failed and the chart got no more security fixes. Its maintained successor is Headlamp
(kubernetes-sigs/headlamp, a Kubernetes SIG UI project). Facts from kubernetes-sigs/headlamp at
tag headlamp-helm-0.45.0 (commit 6d2b42cc71d4, read 2026-12-02): charts/headlamp/Chart.yaml
(chart ``headlamp`` 0.45.0), charts/headlamp/README.md (repository
https://kubernetes-sigs.github.io/headlamp/, access with ``kubectl port-forward svc/<release>
8080:80``), charts/headlamp/values.yaml and templates/, docs/installation/in-cluster/index.md.

Read-only login, nothing exposed:

* the chart binds its own service account to ``cluster-admin`` by default
  (``clusterRoleBinding.create: true``, ``clusterRoleName: cluster-admin``); that is turned off.
  Headlamp in-cluster sends each request with the token the user logged in with
  (``config.unsafeUseServiceAccountToken`` stays false), so its own account needs no rights;
* you log in with a short-lived token of ``headlamp-viewer``, a service account of ours bound to
  the built-in ``view`` ClusterRole (read-only, no Secrets), requested per login with
  ``kubectl create token`` and never stored;
* the Service stays ClusterIP, with no Ingress or HTTPRoute: reach it with ``kubectl
  port-forward``, on the machine that holds the kubeconfig.

Why the Helm chart (pulumi_kubernetes.helm.v3.Release, one resource the offline preview mocks)
rather than typed objects like SockShop: the chart is upstream's supported install and carries
its own security context and plugin wiring; the objects we add (namespace, service account,
binding) are typed and validated offline.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

NAMESPACE = "headlamp"
RELEASE = "headlamp"  # the chart names its Service after the release (it contains the chart's name)
CHART = "headlamp"
CHART_VERSION = "0.45.0"
CHART_REPO = "https://kubernetes-sigs.github.io/headlamp/"
VIEWER = "headlamp-viewer"
LOCAL_PORT = 8080

# Chart values set explicitly, so that a change of chart defaults cannot expose Headlamp or give
# it more rights (values.yaml of chart 0.45.0).
VALUES = {
    "clusterRoleBinding": {"create": False},  # default: the chart's account bound to cluster-admin
    "config": {"unsafeUseServiceAccountToken": False, "enableHelm": False},
    "service": {"type": "ClusterIP"},
    "ingress": {"enabled": False},
    "httpRoute": {"enabled": False},
}

PORT_FORWARD_COMMAND = f"kubectl -n {NAMESPACE} port-forward svc/{RELEASE} {LOCAL_PORT}:80"
TOKEN_COMMAND = f"kubectl -n {NAMESPACE} create token {VIEWER}"
URL = f"http://localhost:{LOCAL_PORT}/"


def manifests() -> list[dict]:
    """Our own objects: the namespace and a read-only service account for logging in."""
    labels = {"app.kubernetes.io/managed-by": "dockyard", "app.kubernetes.io/part-of": "headlamp"}
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
    """Headlamp's chart plus a read-only login; outputs the URL and the two commands to reach it."""

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
        self.url = pulumi.Output.from_input(URL)
        self.port_forward_command = pulumi.Output.from_input(PORT_FORWARD_COMMAND)
        self.token_command = pulumi.Output.from_input(TOKEN_COMMAND)
        self.register_outputs({"url": self.url, "portForwardCommand": self.port_forward_command,
                               "tokenCommand": self.token_command})
