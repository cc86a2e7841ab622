"""Bad Kubernetes config or compose input: one line naming the key path or FILE:LINE, exit 2.

Each case runs the real program (__main__.py) with only a `dockyard:kubernetes` config, as
`pulumi up` would, and checks the program exits 2 with one line before declaring anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from k8s_helpers import write_file

CLUSTER_APP = "apps/cluster/docker-compose.yml"
AWS = {"aws:region": "us-east-1"}


def bad_compose(tmp_path: Path) -> str:
    return write_file(tmp_path, "bad-compose.yml", """\
        services:
          web:
            image: nginx:1.27
            ports:
              - "eighty"
        """)


def kubeconfig(tmp_path: Path) -> str:
    return write_file(tmp_path, "kubeconfig",
                      "apiVersion: v1\nkind: Config\ncontexts:\n- name: kind-dev\n  context: {cluster: c, user: u}\n")


def existing(**kw):
    return {"cluster": "existing", **kw}


# (case id, kubernetes config (a callable gets tmp_path), other config, key path or file:line, a word)
CASES = [
    ("unknown-cluster", {"cluster": "openshift"}, {}, "dockyard:kubernetes.cluster", "existing"),
    ("node-count-zero", {"cluster": "eks", "nodeCount": 0}, AWS, "dockyard:kubernetes.nodeCount", "1"),
    ("firewall-without-doks", {"cluster": "eks", "controlPlaneFirewall": True}, AWS,
     "dockyard:kubernetes.controlPlaneFirewall", "doks"),
    ("context-without-existing", {"cluster": "doks", "context": "docker-desktop"}, {},
     "dockyard:kubernetes", "existing"),
    ("kubeconfig-without-existing", {"cluster": "doks", "kubeconfig": "/tmp/x"}, {}, "dockyard:kubernetes", "existing"),
    ("app-neither", existing(apps=["wordpress"]), {}, "dockyard:kubernetes.apps[0]", "sock-shop"),
    ("app-not-a-mapping", existing(apps=[7]), {}, "dockyard:kubernetes.apps[0]", "sock-shop"),
    ("app-no-compose", existing(apps=[{"name": "web"}]), {}, "dockyard:kubernetes.apps[0].compose", "required"),
    ("app-unknown-key", existing(apps=[{"name": "web", "compose": CLUSTER_APP, "replicas": 3}]), {},
     "dockyard:kubernetes.apps[0].replicas", "unknown"),
    ("compose-missing", existing(apps=[{"name": "web", "compose": "nope.yml"}]), {},
     "dockyard:kubernetes.apps[0].compose", "not found"),
    ("compose-invalid", lambda t: existing(apps=[{"name": "web", "compose": bad_compose(t)}]),
     lambda t: {"dockyard:allowFilesOutsideProject": [str(t)]},  # the file is in tmp_path
     lambda t: f"{bad_compose(t)}:5", "port"),
    ("namespace-clash", existing(apps=["sock-shop", {"name": "shop", "namespace": "sock-shop", "compose": CLUSTER_APP}]),
     {}, "dockyard:kubernetes.apps[1]", "already used"),
    ("dashboard-namespace-clash", existing(dashboard=True, apps=[
        {"name": "ui", "namespace": "headlamp", "compose": CLUSTER_APP}]), {},
     "dockyard:kubernetes.apps[0]", "dashboard"),
    ("duplicate-app-name", existing(apps=[{"name": "web", "compose": CLUSTER_APP},
                                          {"name": "web", "namespace": "web2", "compose": CLUSTER_APP}]), {},
     "dockyard:kubernetes.apps[1].name", "duplicate"),
    ("duplicate-sock-shop", existing(apps=["sock-shop", "sock-shop"]), {}, "dockyard:kubernetes.apps[1]", "twice"),
    ("node-size-other-cloud", {"cluster": "aks", "nodeSize": "t3.large"}, {"azure-native:location": "westeurope"},
     "dockyard:kubernetes.nodeSize", "aws"),
    ("admins-not-eks", {"cluster": "doks", "admins": ["arn:aws:iam::123456789012:role/a"]}, {},
     "dockyard:kubernetes.admins", "eks"),
    ("admins-not-arn", {"cluster": "eks", "admins": ["alice"]}, AWS, "dockyard:kubernetes.admins[0]", "ARN"),
    ("eks-region", {"cluster": "eks", "region": "eu-west-1"}, AWS, "dockyard:kubernetes.region", "aws:region"),
    ("eks-needs-aws-region", {"cluster": "eks"}, {"aws:region": ""}, "aws:region", "required"),
    ("service-type", existing(apps=["sock-shop"], sockShop={"serviceType": "Ingress"}), {},
     "dockyard:kubernetes.sockShop.serviceType", "NodePort"),
    ("node-port", existing(sockShop={"nodePort": 8080}), {}, "dockyard:kubernetes.sockShop.nodePort", "30000"),
    ("node-count-on-existing", existing(nodeCount=3), {}, "dockyard:kubernetes.nodeCount", "existing"),
    ("version-on-existing", existing(version="1.33"), {}, "dockyard:kubernetes.version", "existing"),
    ("kubeconfig-missing", existing(kubeconfig="/nonexistent/kubeconfig"), {},
     "dockyard:kubernetes.kubeconfig", "not found"),
    ("context-not-in-kubeconfig", lambda t: existing(kubeconfig=kubeconfig(t), context="docker-desktop"), {},
     "dockyard:kubernetes.context", "kind-dev"),
]


@pytest.mark.parametrize("case, kubernetes, other, where, word", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_exit_2(run_kubernetes, tmp_path, capsys, case, kubernetes, other, where, word):
    kubernetes = kubernetes(tmp_path) if callable(kubernetes) else kubernetes
    where = where(tmp_path) if callable(where) else where
    other = other(tmp_path) if callable(other) else other
    with pytest.raises(SystemExit) as exc:
        run_kubernetes(kubernetes, config=other)
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {where}: "), lines[0]
    assert word in lines[0]
