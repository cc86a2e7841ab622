"""The shipped Kubernetes stacks: each previews its cluster and sock-shop, and every Kubernetes
object it would send validates against the Kubernetes OpenAPI schema (strict).

Only the stack's `dockyard:kubernetes` key (with provider config and adminCidrs) is used, so these
tests do not depend on the stack's hosts, swarm or containers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dockyard.engine import Secret

ROOT = Path(__file__).resolve().parents[2]
STACKS = {"local-k8s": "existing", "aws-dev": "eks", "azure-dev": "aks", "gcp-dev": "gke", "do-dev": "doks"}
KEEP = ("dockyard:kubernetes", "dockyard:adminCidrs", "aws:region", "azure-native:location", "gcp:project", "gcp:region")
CLUSTER_TYPES = {
    "existing": None,
    "eks": "eks:index:Cluster",
    "aks": "azure-native:containerservice:ManagedCluster",
    "gke": "gcp:container/cluster:Cluster",
    "doks": "digitalocean:index/kubernetesCluster:KubernetesCluster",
}


def stack_config(stack: str) -> dict:
    doc = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return {k: v for k, v in doc["config"].items() if k in KEEP}


def run_stack(mock_engine, stack: str):
    import os
    import runpy

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        return mock_engine.run(lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"),
                               stack=stack, config=stack_config(stack))
    finally:
        os.chdir(here)


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_stack_shows_its_cluster_and_sock_shop(mock_engine, validate_manifests, stack):
    kind = STACKS[stack]
    assert stack_config(stack)["dockyard:kubernetes"]["cluster"] == kind
    r = run_stack(mock_engine, stack)
    (cluster,) = r.of_type("dockyard:index:KubernetesCluster")
    if CLUSTER_TYPES[kind]:
        (cloud,) = r.of_type(CLUSTER_TYPES[kind])
        assert cloud.parent == cluster.urn
    (shop,) = r.of_type("dockyard:index:SockShop")
    # the apps wait for the whole cluster (node group or pool included), not just its endpoint
    cluster_parts = {c.urn for c in r.children(cluster.urn) if c.custom or c.remote}
    assert cluster_parts and cluster_parts <= set(shop.dependencies)
    out = r.outputs["kubernetes"]
    assert out["cluster"] == kind
    assert out["sockShop"]["url"].startswith("http://")
    assert isinstance(r.outputs["kubeconfig"], Secret)

    objects = [{k: v for k, v in x.inputs.items()} for x in r.resources
               if x.type.startswith("kubernetes:") and x.type != "kubernetes:helm.sh/v3:Release"]
    assert validate_manifests(objects) >= 30

    lb = [o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "front-end-lb"][0]
    if kind == "existing":
        assert lb["spec"]["type"] == "NodePort" and lb["spec"]["ports"][0]["nodePort"] == 30001
        assert out["sockShop"]["url"] == "http://localhost:30001/"
    else:
        assert lb["spec"]["type"] == "LoadBalancer"


def test_local_k8s_runs_the_cluster_app_and_the_dashboard(mock_engine):
    r = run_stack(mock_engine, "local-k8s")
    (app,) = r.of_type("dockyard:index:ComposeApp")
    assert app.name == "cluster"
    deps = {d.inputs["metadata"]["name"]: d for d in r.of_type("kubernetes:apps/v1:Deployment")}
    assert deps["cluster"].inputs["spec"]["replicas"] == 6
    assert deps["cluster"].parent == app.urn
    assert r.of_type("kubernetes:helm.sh/v3:Release")


@pytest.mark.parametrize("stack", ["local-k8s", "aws-dev"])
def test_preview_is_deterministic(mock_engine, stack):
    a = run_stack(mock_engine, stack)
    b = run_stack(mock_engine, stack)
    assert [(x.urn, x.inputs) for x in a.resources] == [(x.urn, x.inputs) for x in b.resources]
