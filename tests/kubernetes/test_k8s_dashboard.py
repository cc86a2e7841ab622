"""The dashboard is Headlamp: read-only login, nothing exposed, upstream's Helm chart with pinned inputs.

kubernetes/dashboard was archived in January 2026 and its Helm repository answers 404; its
successor is Headlamp (kubernetes-sigs/headlamp). Expected values are upstream facts from
kubernetes-sigs/headlamp at tag headlamp-helm-0.45.0 (read 2026-12-02): charts/headlamp/Chart.yaml
(name headlamp, version 0.45.0), charts/headlamp/README.md (repository
https://kubernetes-sigs.github.io/headlamp/, `kubectl port-forward svc/<release> 8080:80`),
charts/headlamp/values.yaml (clusterRoleBinding.create: true with cluster-admin by default;
service.type ClusterIP, port 80; ingress and httpRoute off; unsafeUseServiceAccountToken false),
templates/_helpers.tpl (a release name containing "headlamp" is the Service's name).
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
    assert sa["metadata"]["namespace"] == "headlamp"
    assert sa["automountServiceAccountToken"] is False
    assert crb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
    assert crb["subjects"] == [{"kind": "ServiceAccount", "name": sa["metadata"]["name"], "namespace": "headlamp"}]
    # no long-lived token Secret: tokens are requested per login
    assert "Secret" not in objs


@pytest.fixture
def local_with_dashboard(run_kubernetes):
    return run_kubernetes({"cluster": "existing", "dashboard": True})


def test_headlamp_helm_release_inputs(local_with_dashboard):
    r = local_with_dashboard
    # The remote Helm release is one resource (its objects render inside it), mocked offline.
    (release,) = r.of_type("kubernetes:helm.sh/v3:Release")
    i = release.inputs
    assert i["chart"] == "headlamp"
    assert i["version"] == "0.45.0"
    assert i["repositoryOpts"] == {"repo": "https://kubernetes-sigs.github.io/headlamp/"}
    assert "kubernetes.github.io/dashboard" not in repr(i)  # the archived repository answers 404
    assert i["namespace"] == "headlamp"
    assert i["name"] == "headlamp"  # the Service is named after the release
    values = i["values"]
    # The chart's own account is not made cluster-admin; users act with their own token.
    assert values["clusterRoleBinding"]["create"] is False
    assert values["config"]["unsafeUseServiceAccountToken"] is False
    assert values["service"]["type"] == "ClusterIP"
    assert values["ingress"]["enabled"] is False and values["httpRoute"]["enabled"] is False
    assert "cluster-admin" not in repr(i)
    ns = r.get("kubernetes:core/v1:Namespace")
    assert ns.inputs["metadata"]["name"] == "headlamp"
    assert ns.urn in release.dependencies
    assert release.provider == r.get("pulumi:providers:kubernetes").urn
    assert not [t for t in r.types() if "dashboard" in t.lower() and t != "dockyard:index:Dashboard"]


def test_outputs_document_port_forward_access_and_the_read_only_token(local_with_dashboard):
    out = local_with_dashboard.outputs["kubernetes"]["dashboard"]
    assert out["portForwardCommand"] == "kubectl -n headlamp port-forward svc/headlamp 8080:80"
    assert out["url"] == "http://localhost:8080/"
    assert out["tokenCommand"] == "kubectl -n headlamp create token headlamp-viewer"
