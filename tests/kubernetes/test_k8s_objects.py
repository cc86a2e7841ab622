"""objects.py: manifest dicts -> typed resources, secrets kept secret, service URLs."""

from __future__ import annotations

import pytest

from components.kubernetes import objects
from dockyard.engine import Secret


def test_typed_resources_and_secret_data(mock_engine):
    import pulumi

    manifests = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "app"},
         "type": "Opaque", "stringData": {"password": "hunter2"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "env", "namespace": "app"},
         "data": {"MODE": "prod"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "x"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
         "subjects": [{"kind": "ServiceAccount", "name": "x", "namespace": "app"}]},
    ]
    r = mock_engine.run(lambda: objects.declare(manifests, "t", pulumi.ResourceOptions()))
    secret = r.get("kubernetes:core/v1:Secret", "t-db")
    assert isinstance(secret.inputs["stringData"], Secret)
    assert isinstance(secret.outputs["stringData"], Secret)
    assert "stringData" in secret.secret_outputs
    cm = r.get("kubernetes:core/v1:ConfigMap", "t-env")
    assert cm.inputs["data"] == {"MODE": "prod"}
    ns = r.get("kubernetes:core/v1:Namespace", "t-app")
    assert ns.urn in cm.dependencies and ns.urn in secret.dependencies
    crb = r.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "t-x")
    assert crb.inputs["roleRef"]["name"] == "view"  # camelCase top-level fields reach the API as such
    assert ns.urn not in crb.dependencies  # cluster-scoped


def test_unknown_kind_and_duplicates_are_programming_errors():
    with pytest.raises(ValueError, match="no typed resource"):
        objects.resource_class("example.com/v1", "Widget")
    dup = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": n}} for n in ("x", "y")]
    with pytest.raises(ValueError, match="two ConfigMap objects named 'a'"):
        objects.declare(dup, "t", None)


@pytest.mark.parametrize("spec, status, url", [
    ({"type": "LoadBalancer", "ports": [{"port": 80}]}, {"loadBalancer": {"ingress": [{"ip": "203.0.113.5"}]}},
     "http://203.0.113.5/"),
    ({"type": "LoadBalancer", "ports": [{"port": 8080}]},
     {"load_balancer": {"ingress": [{"hostname": "a1b2.elb.us-east-1.amazonaws.com"}]}},
     "http://a1b2.elb.us-east-1.amazonaws.com:8080/"),
    ({"type": "LoadBalancer", "ports": [{"port": 80}]}, {"loadBalancer": {}}, None),
    ({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30001}]}, {}, "http://localhost:30001/"),
    ({"type": "ClusterIP", "ports": [{"port": 80}]}, {}, None),
])
def test_service_url(spec, status, url):
    assert objects._url(spec, status, "localhost") == url


def test_every_supported_kind_has_its_typed_class():
    for api_version, kind in objects.KINDS:
        cls = objects.resource_class(api_version, kind)
        assert cls.__name__ == kind
