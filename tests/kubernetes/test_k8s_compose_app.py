"""ComposeApp: the book's cluster app (and others) converted by components.compose and deployed.

The conversion rules themselves are tested in tests/compose; here: what ComposeApp adds
(service types per cluster, the single-node placement preference, warnings, URLs) and that what
it declares validates against the Kubernetes schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from k8s_helpers import write_file

from components.kubernetes.compose_app import plan

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_APP = ROOT / "apps" / "cluster" / "docker-compose.yml"
CONTROL_PLANE = "node-role.kubernetes.io/control-plane"


def by_kind(objects, kind):
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_cluster_app_on_a_cloud_cluster(validate_manifests):
    p = plan("cluster", CLUSTER_APP)
    validate_manifests(p.objects)
    assert p.namespace == "cluster"
    assert by_kind(p.objects, "Namespace").keys() == {"cluster"}
    dep = by_kind(p.objects, "Deployment")["cluster"]
    assert dep["spec"]["replicas"] == 6  # deploy.replicas, kept despite restart_policy on-failure
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "russmckendrick/cluster:latest"
    terms = dep["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert {"key": CONTROL_PLANE, "operator": "DoesNotExist"} in terms[0]["matchExpressions"]
    svc = by_kind(p.objects, "Service")["cluster"]
    assert svc["spec"]["type"] == "LoadBalancer"
    assert svc["spec"]["ports"][0]["port"] == 80
    assert any("restart_policy" in w for w in p.warnings)


def test_single_node_cluster_prefers_workers_instead_of_requiring_them(validate_manifests):
    p = plan("cluster", CLUSTER_APP, "demo", service_type="NodePort", single_node=True)
    validate_manifests(p.objects)
    pod = by_kind(p.objects, "Deployment")["cluster"]["spec"]["template"]["spec"]
    node = pod["affinity"]["nodeAffinity"]
    assert "requiredDuringSchedulingIgnoredDuringExecution" not in node
    assert node["preferredDuringSchedulingIgnoredDuringExecution"] == [
        {"weight": 100, "preference": {"matchExpressions": [{"key": CONTROL_PLANE, "operator": "DoesNotExist"}]}}
    ]
    assert by_kind(p.objects, "Service")["cluster"]["spec"]["type"] == "NodePort"
    assert {o["metadata"].get("namespace") for o in p.objects if o["kind"] != "Namespace"} == {"demo"}
    assert any("node.role == worker" in w and "preference" in w for w in p.warnings)


def test_single_node_keeps_other_placement_constraints_required(tmp_path, validate_manifests):
    compose = write_file(tmp_path, "compose.yml", """\
        services:
          web:
            image: nginx:1.27
            deploy:
              placement:
                constraints:
                  - node.role == worker
                  - node.labels.disk == ssd
          db:
            image: redis:7
        """)
    p = plan("shop", compose, single_node=True)
    validate_manifests(p.objects)
    node = by_kind(p.objects, "Deployment")["web"]["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    required = node["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchExpressions"]
    assert required == [{"key": "disk", "operator": "In", "values": ["ssd"]}]
    assert node["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] == 100
    assert "affinity" not in by_kind(p.objects, "Deployment")["db"]["spec"]["template"]["spec"]


def test_compose_app_deploys_through_the_cluster_provider(run_kubernetes):
    r = run_kubernetes({"cluster": "existing", "context": "docker-desktop",
                        "apps": [{"name": "cluster", "compose": "apps/cluster/docker-compose.yml"}]})
    (app,) = r.of_type("dockyard:index:ComposeApp")
    children = r.children(app.urn)
    assert sorted(c.type for c in children) == [
        "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Namespace", "kubernetes:core/v1:Service"]
    provider = r.get("pulumi:providers:kubernetes")
    assert all(c.provider == provider.urn for c in children)
    ns = r.get("kubernetes:core/v1:Namespace")
    dep = r.get("kubernetes:apps/v1:Deployment")
    assert ns.urn in dep.dependencies, "objects wait for their namespace"
    assert dep.inputs["spec"]["replicas"] == 6
    # Docker Desktop serves LoadBalancer services on localhost
    svc = r.get("kubernetes:core/v1:Service")
    assert svc.inputs["spec"]["type"] == "LoadBalancer"
    ip = svc.outputs["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert r.outputs["kubernetes"]["apps"]["cluster"] == {"namespace": "cluster", "urls": {"cluster": f"http://{ip}/"}}
    # the converter's warnings reach the user, naming the file as the stack spells it
    assert any("restart_policy" in w for w in r.warnings)
    assert any("preference" in w for w in r.warnings)
    assert r.warnings and all(w.startswith("apps/cluster/docker-compose.yml: ") for w in r.warnings), r.warnings


def test_other_existing_clusters_get_node_ports(run_kubernetes):
    r = run_kubernetes({"cluster": "existing", "context": "kind-dev",
                        "apps": [{"name": "web", "compose": "apps/cluster/docker-compose.yml", "namespace": "web"}]})
    svc = r.get("kubernetes:core/v1:Service")
    assert svc.inputs["spec"]["type"] == "NodePort"
    assert svc.inputs["metadata"]["namespace"] == "web"


def test_cloud_clusters_keep_the_worker_requirement(run_kubernetes):
    r = run_kubernetes({"cluster": "doks", "apps": [{"name": "cluster", "compose": "apps/cluster/docker-compose.yml"}]})
    pod = r.get("kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]
    assert "requiredDuringSchedulingIgnoredDuringExecution" in pod["affinity"]["nodeAffinity"]


@pytest.mark.parametrize("single_node", [False, True])
def test_plan_is_deterministic(single_node):
    a = plan("cluster", CLUSTER_APP, single_node=single_node)
    b = plan("cluster", CLUSTER_APP, single_node=single_node)
    assert a.objects == b.objects and a.warnings == b.warnings


def test_every_kind_the_converter_emits_is_declared_and_valid(mock_engine, tmp_path, validate_manifests):
    from components.kubernetes.compose_app import ComposeApp, ComposeAppArgs
    from dockyard.engine import Secret

    write_file(tmp_path, "app.env", "LOG_LEVEL=info\n")
    write_file(tmp_path, "db_password.txt", "s3cret\n")
    compose = write_file(tmp_path, "compose.yml", """\
        services:
          web:
            image: nginx:1.27
            env_file: app.env
            labels: {dockyard.env_file: configmap, kompose.service.expose: "shop.example.com"}
            ports: ["8080:80"]
            volumes: ["static:/usr/share/nginx/html"]
            healthcheck:
              test: ["CMD", "wget", "-q", "-O-", "http://localhost/"]
              interval: 30s
          agent:
            image: busybox:1.36
            command: ["sleep", "infinity"]
            deploy:
              mode: global
          db:
            image: postgres:17
            secrets: [db_password]
            volumes: ["pgdata:/var/lib/postgresql/data"]
            labels: {kompose.controller.type: statefulset}
        volumes:
          static: {}
          pgdata: {}
        secrets:
          db_password:
            file: ./db_password.txt
        """)
    p = plan("shop", compose)
    kinds = {o["kind"] for o in p.objects}
    assert {"Namespace", "ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "Deployment", "DaemonSet",
            "StatefulSet", "Ingress"} <= kinds
    validate_manifests(p.objects)

    r = mock_engine.run(lambda: ComposeApp("shop", ComposeAppArgs(plan=p)))
    (app,) = r.of_type("dockyard:index:ComposeApp")
    declared = r.children(app.urn)
    assert len(declared) == len(p.objects)
    assert sorted(c.type.rsplit(":", 1)[1] for c in declared) == sorted(o["kind"] for o in p.objects)
    for secret in r.of_type("kubernetes:core/v1:Secret"):
        payload = {k: v for k, v in secret.inputs.items() if k in ("data", "stringData")}
        assert payload and all(isinstance(v, Secret) for v in payload.values())
        assert "s3cret" not in repr(secret.inputs)
