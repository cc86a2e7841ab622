"""The dashboard: read-only login, nothing exposed, upstream's Helm chart with pinned inputs.

Expected values are upstream facts from kubernetes/dashboard (Chart.yaml 7.13.0, the Helm
repository in README.md, the kubectl proxy URL in docs/user/accessing-dashboard/README.md).
"""

from __future__ import annotations

import pytest

from components.kubernetes import dashboard


def test_own_objects_validate(validate_manifests):
    assert validate_manifests(dashboard.manifests()) == 3


def test_viewer_is_bound_to_the_read_only_view_role():
    objs = {o["kind"]: o for o in dashboard.manifests()}
    sa = objs["ServiceAccount"]
    crb = objs["ClusterRoleBinding"]
    assert sa["metadata"]["namespace"] == "kubernetes-dashboard"
    assert sa["automountServiceAccountToken"] is False
    assert crb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
    assert crb["subjects"] == [{"kind": "ServiceAccount", "name": sa["metadata"]["name"],
                                "namespace": "kubernetes-dashboard"}]
    # no long-lived token Secret: tokens are requested per login
    assert "Secret" not in objs


@pytest.fixture
def local_with_dashboard(run_kubernetes):
    return run_kubernetes({"cluster": "existing", "dashboard": True})


def test_helm_release_inputs(local_with_dashboard):
    r = local_with_dashboard
    (release,) = r.of_type("kubernetes:helm.sh/v3:Release")
    i = release.inputs
    assert i["chart"] == "kubernetes-dashboard"
    assert i["version"] == "7.13.0"
    assert i["repositoryOpts"] == {"repo": "https://kubernetes.github.io/dashboard/"}
    assert i["namespace"] == "kubernetes-dashboard"
    assert i["name"] == "kubernetes-dashboard"  # the proxy service is named after the release
    assert i["values"]["kong"]["proxy"]["type"] == "ClusterIP"
    assert i["values"]["app"]["ingress"]["enabled"] is False
    assert "skip" not in repr(i).lower(), "no skip-login of any kind"
    ns = r.get("kubernetes:core/v1:Namespace")
    assert ns.urn in release.dependencies
    assert release.provider == r.get("pulumi:providers:kubernetes").urn


def test_outputs_document_kubectl_proxy_access(local_with_dashboard):
    out = local_with_dashboard.outputs["kubernetes"]["dashboard"]
    assert out["url"] == ("http://localhost:8001/api/v1/namespaces/kubernetes-dashboard/services/"
                          "https:kubernetes-dashboard-kong-proxy:443/proxy/")
    assert out["tokenCommand"] == "kubectl -n kubernetes-dashboard create token dashboard-viewer"

