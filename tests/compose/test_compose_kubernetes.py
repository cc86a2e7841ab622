"""Compose -> Kubernetes: field by field, every warning, and strict OpenAPI validation of every object."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import kubernetes_validate
import pytest

from components.compose import load_compose, to_kubernetes

HERE = Path(__file__).parent
FIX = HERE / "fixtures"
ROOT = HERE.parent.parent
K8S_VERSION = "1.37.0"  # the newest schema kubernetes-validate ships (see kubernetes_validate.latest_version)

COMPOSE_FILES = sorted(FIX.glob("*.yml")) + sorted((ROOT / "apps").glob("*/docker-compose.yml"))


def convert(path, **kw):
    return to_kubernetes(load_compose(path, environ={}), **kw)


def find(objects, kind, name):
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def pod(objects, name, kind="Deployment"):
    return find(objects, kind, name)["spec"]["template"]["spec"]



def test_schema_version_is_current():
    assert kubernetes_validate.latest_version() == K8S_VERSION


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name if p.parent == FIX else str(p.parent.name))
@pytest.mark.parametrize("namespace", [None, "apps"])
def test_every_object_validates_strictly(path, namespace):
    result = convert(path, namespace=namespace, create_namespace=True)
    assert result.objects
    for obj in result.objects:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        if namespace and obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace


def test_strict_validation_catches_unknown_fields():
    """The validator really is strict: the guard above would catch a misspelt field."""
    obj = copy.deepcopy(find(convert(ROOT / "apps/cluster/docker-compose.yml").objects, "Deployment", "cluster"))
    obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_books_app_is_a_six_replica_deployment_and_its_service():
    result = convert(ROOT / "apps/cluster/docker-compose.yml")
    assert [(o["kind"], o["metadata"]["name"]) for o in result.objects] == [
        ("Service", "cluster"), ("Deployment", "cluster")]
    dep = find(result.objects, "Deployment", "cluster")
    assert dep["spec"]["replicas"] == 6  # kompose emits a bare Pod here
    spec = dep["spec"]["template"]["spec"]
    assert spec["containers"][0]["image"] == "russmckendrick/cluster:latest"
    assert spec["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    # node.role == worker: keep off control-plane nodes (kompose drops the constraint)
    assert spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"}]}]}
    svc = find(result.objects, "Service", "cluster")
    assert svc["spec"]["ports"] == [{"name": "tcp-80", "port": 80, "targetPort": 80, "protocol": "TCP"}]
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert all(labels[k] == v for k, v in svc["spec"]["selector"].items())
    assert result.warnings == ["services.cluster.deploy.restart_policy.condition: on-failure: Kubernetes restarts "
                               "the containers of a Deployment or DaemonSet after any exit (restartPolicy Always)"]


@pytest.fixture(scope="module")
def full():
    return convert(FIX / "full.yml", namespace="shop", create_namespace=True)


def test_object_order_shared_objects_first(full):
    kinds = [o["kind"] for o in full.objects]
    assert kinds[0] == "Namespace"
    last_shared = max(i for i, k in enumerate(kinds) if k in ("ConfigMap", "Secret", "PersistentVolumeClaim"))
    first_workload = min(i for i, k in enumerate(kinds) if k in ("Service", "Deployment", "DaemonSet"))
    assert last_shared < first_workload
    assert [(o["kind"], o["metadata"]["name"]) for o in full.objects if o["kind"] in
            ("Service", "Deployment", "DaemonSet")] == [
        ("Service", "web"), ("Deployment", "web"), ("Service", "worker"), ("DaemonSet", "worker"),
        ("Service", "db"), ("Deployment", "db")]


def test_container_command_env_and_probes(full):
    c = pod(full.objects, "web")["containers"][0]
    assert c["image"] == "example/web:1.2"
    assert c["command"] == ["/bin/tini", "--"]  # compose entrypoint
    assert c["args"] == ["serve", "--port", "8080", "--verbose"]  # compose command
    assert c["workingDir"] == "/srv"
    # env_file inline by default, environment wins (MODE), as compose merges them
    assert c["env"] == [{"name": "API_URL", "value": "http://api:8080"}, {"name": "GREETING", "value": "hello world"},
                        {"name": "MODE", "value": "production"}, {"name": "EMPTY", "value": ""},
                        {"name": "FROM_SHELL", "value": ""}]
    assert "envFrom" not in c
    # asked for: one ConfigMap per env file (named as kompose names it) through envFrom
    asked = to_kubernetes(load_compose(FIX / "full.yml", environ={}), env_file_config_map=True)
    c = pod(asked.objects, "web")["containers"][0]
    assert c["env"] == [{"name": "MODE", "value": "production"}, {"name": "EMPTY", "value": ""},
                        {"name": "FROM_SHELL", "value": ""}]
    assert c["envFrom"] == [{"configMapRef": {"name": "web-web-env"}}]
    cm = find(asked.objects, "ConfigMap", "web-web-env")
    assert cm["data"] == {"API_URL": "http://api:8080", "GREETING": "hello world", "MODE": "from-env-file"}
    c = pod(full.objects, "web")["containers"][0]
    probe = {"exec": {"command": ["wget", "-q", "-O-", "http://localhost:8080/health"]},
             "periodSeconds": 90, "timeoutSeconds": 10, "failureThreshold": 5, "initialDelaySeconds": 40}
    assert c["livenessProbe"] == probe and c["readinessProbe"] == probe
    db = pod(full.objects, "db")["containers"][0]
    # CMD-SHELL runs through a shell; Docker's defaults fill timeout (30s) and retries (3)
    assert db["livenessProbe"] == {"exec": {"command": ["/bin/sh", "-c", "pg_isready -U postgres"]},
                                   "periodSeconds": 10, "timeoutSeconds": 30, "failureThreshold": 3}
    assert db["env"][2] == {"name": "PGPORT", "value": "5432"}


def test_resources_and_security(full):
    c = pod(full.objects, "web")["containers"][0]
    assert c["resources"] == {"limits": {"cpu": "500m", "memory": "512Mi"},
                              "requests": {"cpu": "250m", "memory": "128Mi"}}
    assert c["securityContext"] == {"runAsUser": 1000, "runAsGroup": 1000, "readOnlyRootFilesystem": True,
                                    "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}
    assert pod(full.objects, "worker", "DaemonSet")["containers"][0]["securityContext"] == {"privileged": True}


def test_ports_and_services(full):
    c = pod(full.objects, "web")["containers"][0]
    assert {(p["containerPort"], p["protocol"], p.get("hostPort")) for p in c["ports"]} == {
        (8080, "TCP", None), (8443, "TCP", None), (9000, "UDP", None), (9001, "UDP", None), (7000, "TCP", 17000)}
    web = find(full.objects, "Service", "web")
    assert [(p["port"], p["targetPort"], p["protocol"]) for p in web["spec"]["ports"]] == [
        (80, 8080, "TCP"), (8443, 8443, "TCP"), (9000, 9000, "UDP"), (9001, 9001, "UDP"), (17000, 7000, "TCP")]
    assert len({p["name"] for p in web["spec"]["ports"]}) == 5
    # no ports: still a Service, headless, so the compose name resolves
    worker = find(full.objects, "Service", "worker")
    assert worker["spec"]["clusterIP"] == "None" and "ports" not in worker["spec"]
    # kompose.service.type: headless with an exposed port
    db = find(full.objects, "Service", "db")
    assert db["spec"]["clusterIP"] == "None"
    assert db["spec"]["ports"] == [{"name": "tcp-5432", "port": 5432, "targetPort": 5432, "protocol": "TCP"}]


def test_global_is_a_daemonset(full):
    ds = find(full.objects, "DaemonSet", "worker")
    assert "replicas" not in ds["spec"]
    assert ds["spec"]["template"]["spec"]["containers"][0]["args"] == ["worker", "--queue", "jobs"]


def test_deploy_placement_and_update(full):
    dep = find(full.objects, "Deployment", "web")
    assert dep["spec"]["replicas"] == 3
    assert dep["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 0}}
    spec = dep["spec"]["template"]["spec"]
    terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchExpressions": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"},
        {"key": "zone", "operator": "In", "values": ["eu-1a"]},
        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]
    assert spec["topologySpreadConstraints"] == [{
        "maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": dep["spec"]["selector"]["matchLabels"]}}]
    assert spec["hostname"] == "web"
    assert spec["terminationGracePeriodSeconds"] == 20
    assert spec["hostAliases"] == [{"ip": "169.254.169.254", "hostnames": ["metadata"]}]


def test_labels_become_annotations(full):
    dep = find(full.objects, "Deployment", "web")
    svc = find(full.objects, "Service", "web")
    expected = {"com.example.team": "web", "com.example.tier": "frontend"}
    assert dep["metadata"]["annotations"] == expected and svc["metadata"]["annotations"] == expected
    assert dep["spec"]["template"]["metadata"]["annotations"] == {"com.example.team": "web"}


def test_volumes_claims_configs_secrets(full):
    assert find(full.objects, "PersistentVolumeClaim", "static")["spec"] == {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    assert find(full.objects, "PersistentVolumeClaim", "dbdata")["metadata"]["annotations"] == {
        "com.example.backup": "daily"}
    spec = pod(full.objects, "web")
    vols = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["mountPath"]: m for m in spec["containers"][0]["volumeMounts"]}
    assert vols[mounts["/srv/static"]["name"]]["persistentVolumeClaim"] == {"claimName": "static", "readOnly": True}
    assert mounts["/srv/static"]["readOnly"] is True
    # bind mount and anonymous volume: a new claim each, named as kompose names them (warned for the bind)
    assert vols[mounts["/srv/site"]["name"]]["persistentVolumeClaim"] == {"claimName": "web-claim0"}
    assert vols[mounts["/var/cache/web"]["name"]]["persistentVolumeClaim"] == {"claimName": "web-claim1"}
    assert find(full.objects, "PersistentVolumeClaim", "web-claim1")["spec"]["resources"] == {
        "requests": {"storage": "1Gi"}}
    assert vols[mounts["/tmp"]["name"]]["emptyDir"] == {"medium": "Memory", "sizeLimit": "64Mi"}
    conf = mounts["/etc/nginx/conf.d/site.conf"]
    items = vols[conf["name"]]["configMap"]["items"]
    assert {"key": "content", "path": "site.conf", "mode": 0o440} in items
    assert conf["subPath"] == "site.conf"
    assert mounts["/nginx_conf"]["subPath"] == "nginx_conf"
    cm = find(full.objects, "ConfigMap", vols[conf["name"]]["configMap"]["name"])
    assert cm["data"] == {"content": "server { listen 8080; }\n"}
    sec_mount = mounts["/run/secrets/db_password"]
    secret = find(full.objects, "Secret", vols[sec_mount["name"]]["secret"]["secretName"])
    assert base64.b64decode(secret["data"]["content"]) == b"s3cret\n"
    db_mounts = {m["mountPath"] for m in pod(full.objects, "db")["containers"][0]["volumeMounts"]}
    assert db_mounts == {"/var/lib/postgresql/data", "/run/secrets/pg_pass"}


def test_full_warnings(full):
    assert set(full.warnings) == {
        "services.web.ports[1]: host_ip 127.0.0.1 not mapped to Kubernetes (Services listen on every node address)",
        "services.web.environment.FROM_SHELL: has no value in the compose file; set to an empty string on Kubernetes",
        "services.web.volumes (/srv/static): volume 'static' becomes a ReadWriteOnce claim: pods on different "
        "nodes cannot share it",
        f"services.web.volumes (/srv/site): bind mount of {(FIX / 'site').resolve()}: a new empty claim "
        "'web-claim0' on Kubernetes (the host's files are not copied; kompose.volume.type: configMap ships them)",
        "services.web.deploy.placement.max_replicas_per_node: not mapped to Kubernetes",
        "services.web.deploy.restart_policy.condition: on-failure: Kubernetes restarts the containers of a "
        "Deployment or DaemonSet after any exit (restartPolicy Always)",
        "services.web.deploy.restart_policy.delay: not mapped to Kubernetes (the kubelet's back-off decides)",
        "services.web.deploy.restart_policy.max_attempts: not mapped to Kubernetes (the kubelet's back-off decides)",
        "services.web.deploy.restart_policy.window: not mapped to Kubernetes (the kubelet's back-off decides)",
        "services.web.deploy.update_config.delay: not mapped to Kubernetes",
        "services.web.deploy.update_config.failure_action: not mapped to Kubernetes",
        "services.web.deploy.update_config.monitor: not mapped to Kubernetes",
        "services.web.deploy.update_config.max_failure_ratio: not mapped to Kubernetes",
        "services.web.deploy.rollback_config: not mapped to Kubernetes (roll back with `kubectl rollout undo`)",
        "services.web.networks: not mapped to Kubernetes (pods share one network and reach each other by service name)",
        "services.web.networks: aliases and fixed addresses not mapped to Kubernetes",
        "services.web.depends_on: not mapped to Kubernetes (pods start independently; readiness probes gate traffic)",
        "services.worker.restart: on-failure:4: Kubernetes restarts the containers of a Deployment or DaemonSet "
        "after any exit (restartPolicy Always)",
        "services.worker.networks: not mapped to Kubernetes (pods share one network and reach each other by "
        "service name)",
        "services.worker.logging: not mapped to Kubernetes",
        "services.worker.ulimits: not mapped to Kubernetes",
        "services.worker.init: not mapped to Kubernetes",
        "services.db.secrets (db_password): uid/gid not mapped to Kubernetes (files belong to the pod's fsGroup)",
        "services.db.networks: not mapped to Kubernetes (pods share one network and reach each other by service name)",
    }


def test_unmapped_fields_each_warn():
    result = convert(FIX / "unmapped.yml")
    warned = {w.split(": ", 1)[0] for w in result.warnings}
    expected = {
        "services.odd_one", "services.odd_one.labels.bad key!", "services.odd_one.build",
        "services.odd_one.healthcheck.start_interval", "services.odd_one.deploy.resources.limits.pids",
        "services.odd_one.deploy.resources.reservations.generic_resources", "services.odd_one.user",
        "volumes.data.driver", "volumes.data.driver_opts",
        "services.odd_one.deploy.placement.constraints[0]", "services.odd_one.deploy.placement.constraints[1]",
        "services.odd_one.deploy.placement.preferences[0]", "services.odd_one.deploy.endpoint_mode",
        "services.odd_one.networks", "services.odd_one.stop_signal", "services.odd_one.container_name",
        "services.odd_one.dns", "services.odd_one.dns_search", "services.odd_one.devices", "services.odd_one.pid",
        "services.odd_one.ipc", "services.odd_one.security_opt", "services.odd_one.shm_size",
        "services.odd_one.group_add", "services.odd_one.platform", "services.odd_one.links",
        "services.odd_one.mem_limit", "services.odd_one.cpus",
        "services.other.environment.UNSET", "volumes.ext.external", "configs.ext_conf.external",
        "secrets.from_env.environment", "services.other.secrets (from_env)",
        "services.other.deploy.restart_policy.condition", "services.other.restart", "services.other.networks",
    }
    assert warned == expected
    objs = result.objects
    # mapped despite the odd name: odd_one -> odd-one, tty/stdin, pull policy, sysctls, NodePort label
    c = pod(objs, "odd-one")["containers"][0]
    assert c["tty"] is True and c["stdin"] is True and c["imagePullPolicy"] == "Always"
    assert c["image"] == "example/odd:1"
    assert pod(objs, "odd-one")["securityContext"] == {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]}
    assert find(objs, "Service", "odd-one")["spec"]["type"] == "NodePort"
    assert "bad key!" not in find(objs, "Deployment", "odd-one")["metadata"]["annotations"]
    # external volume and config are referenced by name, not created
    other = pod(objs, "other")
    assert {"persistentVolumeClaim": {"claimName": "shared-claim"}}.items() <= next(
        v for v in other["volumes"] if "persistentVolumeClaim" in v).items()
    assert any(v.get("configMap", {}).get("name") == "ext_conf" for v in other["volumes"])
    assert not [o for o in objs if o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == "shared-claim"]
    assert not [o for o in objs if o["kind"] == "Secret"]  # from_env is not materialised


@pytest.mark.parametrize("label,expected", [
    ("LoadBalancer", {"type": "LoadBalancer"}), ("nodeport", {"type": "NodePort"}),
    ("ClusterIP", {"type": "ClusterIP"}), ("headless", {"clusterIP": "None"}),
])
def test_kompose_service_type_label(compose_file, label, expected):
    path = compose_file(f"""
        services:
          web:
            image: nginx
            ports: ["8080:80"]
            labels:
              kompose.service.type: {label}
    """)
    svc = find(convert(path).objects, "Service", "web")["spec"]
    assert {k: svc.get(k) for k in expected} == expected


def test_unknown_service_type_warns(compose_file):
    path = compose_file("""
        services:
          web:
            image: nginx
            ports: ["80"]
            labels: ["kompose.service.type=Ingress"]
    """)
    result = convert(path)
    assert find(result.objects, "Service", "web")["spec"]["type"] == "ClusterIP"
    assert result.warnings == ["services.web.labels.kompose.service.type: 'Ingress' is not one of ClusterIP, "
                               "NodePort, LoadBalancer, Headless; using ClusterIP"]


def test_published_service_type_option(compose_file):
    path = compose_file("""
        services:
          web:
            image: nginx
            ports: ["80:80"]
          api:
            image: api
            expose: [8080]
    """)
    objs = convert(path, published_service_type="LoadBalancer").objects
    assert find(objs, "Service", "web")["spec"]["type"] == "LoadBalancer"
    assert find(objs, "Service", "api")["spec"]["type"] == "ClusterIP"  # not published
    with pytest.raises(ValueError):
        convert(path, published_service_type="Ingress")


def test_manager_constraints_and_not_equal(compose_file):
    path = compose_file("""
        services:
          a:
            image: x
            deploy:
              placement:
                constraints: ["node.role == manager", "node.labels.disk != hdd", "node.platform.arch == x86_64"]
          b:
            image: x
            deploy:
              placement:
                constraints: ["node.role != worker"]
    """)
    objs = convert(path).objects
    a = pod(objs, "a")
    assert a["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0][
        "matchExpressions"] == [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"},
        {"key": "disk", "operator": "NotIn", "values": ["hdd"]},
        {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]
    assert a["tolerations"] == [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                                 "effect": "NoSchedule"}]
    b = pod(objs, "b")
    assert b["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0][
        "matchExpressions"] == [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]


def test_update_order_stop_first_and_dnsrr(compose_file):
    path = compose_file("""
        services:
          a:
            image: x
            ports: ["80"]
            deploy:
              endpoint_mode: dnsrr
              update_config: {parallelism: 0}
    """)
    objs = convert(path).objects
    assert find(objs, "Deployment", "a")["spec"]["strategy"]["rollingUpdate"] == {
        "maxSurge": 0, "maxUnavailable": "100%"}
    assert find(objs, "Service", "a")["spec"]["clusterIP"] == "None"  # dnsrr: no virtual IP


def test_volume_size_and_storage_class(compose_file):
    path = compose_file("""
        services:
          db:
            image: postgres
            volumes: ["data:/var/lib/postgresql/data"]
        volumes:
          data: {}
    """)
    pvc = find(convert(path, volume_size="10Gi", storage_class="fast").objects, "PersistentVolumeClaim", "data")
    assert pvc["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert pvc["spec"]["storageClassName"] == "fast"


def test_loader_warnings_come_first(compose_file):
    path = compose_file("""
        services:
          a:
            image: "x:${TAG}"
    """)
    result = to_kubernetes(load_compose(path, environ={}))
    assert result.warnings[0] == "services.a.image: variable TAG is not set; using an empty string"


def test_network_mode(compose_file):
    path = compose_file("""
        services:
          agent:
            image: x
            network_mode: host
          sidecar:
            image: x
            network_mode: "service:agent"
    """)
    result = convert(path)
    assert pod(result.objects, "agent")["hostNetwork"] is True
    assert "hostNetwork" not in pod(result.objects, "sidecar")
    assert result.warnings == ["services.sidecar.network_mode: 'service:agent' not mapped to Kubernetes (only host is)"]
