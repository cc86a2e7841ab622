"""kompose's labels, honoured by the one converter that `dockyard convert` and ComposeApp share.

Expected values come from kompose's user guide (kubernetes/kompose docs/user-guide.md, read
2026-12-02) and the Kubernetes API: Service types and nodePort, an Ingress per
kompose.service.expose (hosts, paths, TLS secret, class), probes from the healthcheck labels,
volume types, claim size and class, controller type, image pull secret and policy, and
ephemeral-storage. Every other kompose label is a warning naming it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import yaml

from components.compose import load_compose, to_kubernetes

ROOT = Path(__file__).resolve().parents[2]


def convert(compose_file, text, **kw):
    result = to_kubernetes(load_compose(compose_file(text), environ={}), **kw)
    for o in result.objects:
        kubernetes_validate.validate(o, "1.37.0", strict=True)
    return result


def find(objects, kind, name):
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def container(objects, name, kind="Deployment"):
    return find(objects, kind, name)["spec"]["template"]["spec"]["containers"][0]


def test_service_type_node_port_and_ingress(compose_file):
    r = convert(compose_file, """
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80"]
            labels:
              kompose.service.type: nodeport
              kompose.service.nodeport.port: "30080"
              kompose.service.expose: "shop.example.com,www.example.com/api"
              kompose.service.expose.tls-secret: shop-tls
              kompose.service.expose.ingress-class-name: nginx
          api:
            image: example/api:1
            ports: ["9000"]
            labels: {kompose.service.expose: "true"}
        """)
    svc = find(r.objects, "Service", "web")
    assert svc["spec"]["type"] == "NodePort"
    assert svc["spec"]["ports"][0]["nodePort"] == 30080 and svc["spec"]["ports"][0]["port"] == 8080
    ing = find(r.objects, "Ingress", "web")["spec"]
    backend = {"service": {"name": "web", "port": {"number": 8080}}}
    assert ing["ingressClassName"] == "nginx"
    assert ing["rules"] == [
        {"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}},
        {"host": "www.example.com", "http": {"paths": [{"path": "/api", "pathType": "Prefix", "backend": backend}]}}]
    assert ing["tls"] == [{"hosts": ["shop.example.com", "www.example.com"], "secretName": "shop-tls"}]
    # "true": a rule without a host
    api = find(r.objects, "Ingress", "api")["spec"]
    assert api["rules"] == [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
        "service": {"name": "api", "port": {"number": 9000}}}}]}}]
    assert not [w for w in r.warnings if "kompose" in w]


def test_healthcheck_labels_make_http_and_tcp_probes(compose_file):
    r = convert(compose_file, """
        services:
          web:
            image: example/web:1
            healthcheck: {test: ["CMD", "true"], interval: 10s, timeout: 2s, retries: 4}
            labels:
              kompose.service.healthcheck.liveness.http_get_path: /healthz
              kompose.service.healthcheck.liveness.http_get_port: "8080"
              kompose.service.healthcheck.readiness.tcp_port: "8080"
              kompose.service.healthcheck.readiness.interval: 5s
              kompose.service.healthcheck.readiness.start_period: 20s
          db:
            image: postgres:16
            healthcheck: {test: "pg_isready", interval: 15s}
            labels: {kompose.service.healthcheck.readiness.disable: "true"}
          cache:
            image: redis:7
            labels:
              kompose.service.healthcheck.readiness.test: '["CMD", "redis-cli", "ping"]'
              kompose.service.healthcheck.readiness.retries: "2"
        """)
    web = container(r.objects, "web")
    assert web["livenessProbe"] == {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10,
                                    "timeoutSeconds": 2, "failureThreshold": 4}
    assert web["readinessProbe"] == {"tcpSocket": {"port": 8080}, "periodSeconds": 5, "timeoutSeconds": 2,
                                     "failureThreshold": 4, "initialDelaySeconds": 20}
    db = container(r.objects, "db")
    assert db["livenessProbe"]["exec"] == {"command": ["/bin/sh", "-c", "pg_isready"]}
    assert "readinessProbe" not in db
    cache = container(r.objects, "cache")
    assert "livenessProbe" not in cache
    assert cache["readinessProbe"] == {"exec": {"command": ["redis-cli", "ping"]}, "periodSeconds": 30,
                                       "timeoutSeconds": 30, "failureThreshold": 2}


def test_healthcheck_is_liveness_and_readiness_by_default(compose_file):
    r = convert(compose_file, """
        services:
          web:
            image: example/web:1
            healthcheck: {test: ["CMD", "wget", "-qO-", "localhost"], interval: 20s, retries: 2, start_period: 5s}
        """)
    c = container(r.objects, "web")
    probe = {"exec": {"command": ["wget", "-qO-", "localhost"]}, "periodSeconds": 20, "timeoutSeconds": 30,
             "failureThreshold": 2, "initialDelaySeconds": 5}
    assert c["livenessProbe"] == probe and c["readinessProbe"] == probe


def test_volume_types_size_and_storage_class(compose_file, tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.ini").write_text("[app]\nx = 1\n")
    (tmp_path / "conf" / "logo.bin").write_bytes(b"\x89PNG\x00\xff")
    r = convert(compose_file, """
        services:
          web:
            image: nginx:1.27
            volumes: ["./conf:/etc/app", "./conf/app.ini:/etc/app.ini:ro"]
            labels: {kompose.volume.type: configMap}
          scratch:
            image: busybox:1.36
            volumes: ["/var/scratch", "data:/data"]
            labels: {kompose.volume.type: emptyDir}
          node:
            image: busybox:1.36
            volumes: ["/var/log:/host/log:ro"]
            labels: {kompose.volume.type: hostPath}
          db:
            image: postgres:16
            volumes: ["pgdata:/var/lib/postgresql/data", "/srv/backup:/backup"]
            labels: {kompose.volume.size: 20Gi, kompose.volume.storage-class-name: fast-ssd}
        volumes:
          data: {}
          pgdata: {}
        """)
    web = find(r.objects, "Deployment", "web")["spec"]["template"]["spec"]
    assert web["volumes"] == [{"name": "web-cm0", "configMap": {"name": "web-cm0"}},
                              {"name": "web-cm1", "configMap": {"name": "web-cm1",
                                                                "items": [{"key": "app.ini", "path": "app.ini"}]}}]
    assert web["containers"][0]["volumeMounts"] == [
        {"name": "web-cm0", "mountPath": "/etc/app"},
        {"name": "web-cm1", "mountPath": "/etc/app.ini", "subPath": "app.ini", "readOnly": True}]
    cm0 = find(r.objects, "ConfigMap", "web-cm0")
    assert cm0["data"] == {"app.ini": "[app]\nx = 1\n"} and cm0["binaryData"] == {"logo.bin": "iVBORwD/"}
    scratch = find(r.objects, "Deployment", "scratch")["spec"]["template"]["spec"]["volumes"]
    assert [v["emptyDir"] for v in scratch] == [{}, {}]
    node = find(r.objects, "Deployment", "node")["spec"]["template"]["spec"]["volumes"]
    assert node == [{"name": "node-hostpath0", "hostPath": {"path": "/var/log"}}]
    db = find(r.objects, "PersistentVolumeClaim", "pgdata")["spec"]
    assert db["resources"] == {"requests": {"storage": "20Gi"}} and db["storageClassName"] == "fast-ssd"
    assert find(r.objects, "PersistentVolumeClaim", "db-claim0")["spec"]["storageClassName"] == "fast-ssd"


def test_hostpath_converts_and_the_guardrail_flags_it(compose_file):
    sys.path.insert(0, str(ROOT))
    from guardrails import Context, evaluate

    r = convert(compose_file, """
        services:
          node:
            image: busybox:1.36
            volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
            labels: {kompose.volume.type: hostPath}
        """)
    dep = find(r.objects, "Deployment", "node")
    resource = {"urn": "urn:pulumi:t::dockyard::kubernetes:apps/v1:Deployment::node",
                "type": "kubernetes:apps/v1:Deployment", "name": "node", "parent": None, "custom": True,
                "inputs": dep, "dependencies": [], "propertyDependencies": {}, "secretOutputs": []}
    found = evaluate([resource], None, Context.from_json({"adminCidrs": ["198.51.100.0/24"],
                                                         "adminCidrsExplicit": True}))
    assert "k8s-no-hostpath" in {v.rule for v in found}


def test_controller_type_pull_secret_policy_and_ephemeral_storage(compose_file):
    r = convert(compose_file, """
        services:
          agent:
            image: example/agent:1
            labels: {kompose.controller.type: daemonset}
          db:
            image: registry.example.com/db:16
            ports: ["5432"]
            volumes: ["pgdata:/var/lib/postgresql/data"]
            deploy:
              replicas: 0
              labels:
                kompose.ephemeral-storage.request: 1Gi
                kompose.ephemeral-storage.limit: 2Gi
            labels:
              kompose.controller.type: statefulset
              kompose.image-pull-secret: regcred
              kompose.image-pull-policy: Always
        volumes:
          pgdata: {}
        """)
    assert find(r.objects, "DaemonSet", "agent")
    sts = find(r.objects, "StatefulSet", "db")["spec"]
    assert sts["replicas"] == 0 and sts["serviceName"] == "db"
    assert sts["volumeClaimTemplates"] == [{"metadata": {"name": "pgdata"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
    assert not [o for o in r.objects if o["kind"] == "PersistentVolumeClaim"]
    pod = sts["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    c = pod["containers"][0]
    assert c["imagePullPolicy"] == "Always"
    assert c["resources"] == {"limits": {"ephemeral-storage": "2Gi"}, "requests": {"ephemeral-storage": "1Gi"}}
    assert c["volumeMounts"] == [{"name": "pgdata", "mountPath": "/var/lib/postgresql/data"}]
    assert find(r.objects, "Service", "db")["spec"]["clusterIP"] == "None"


def test_other_kompose_labels_and_bad_values_warn_by_name(compose_file):
    r = convert(compose_file, """
        services:
          web:
            image: nginx:1.27
            ports: ["80"]
            labels:
              kompose.hpa.cpu: "80"
              kompose.service.group: sidecar
              kompose.image-pull-policy: Sometimes
              kompose.volume.type: nfs
              kompose.service.nodeport.port: "80"
        """)
    warned = {w.split(": ", 1)[0]: w for w in r.warnings}
    assert "not supported by Dockyard" in warned["services.web.labels.kompose.hpa.cpu"]
    assert "used only when service groups are asked for" in warned["services.web.labels.kompose.service.group"]
    assert "'Sometimes' is not Always, IfNotPresent or Never; ignored" in warned[
        "services.web.labels.kompose.image-pull-policy"]
    assert "'nfs' is not one of" in warned["services.web.labels.kompose.volume.type"]
    assert "30000-32767" in warned["services.web.labels.kompose.service.nodeport.port"]
    assert "imagePullPolicy" not in container(r.objects, "web")


def test_env_file_inline_or_config_map_when_asked(compose_file, tmp_path):
    (tmp_path / "app.env").write_text("LOG_LEVEL=info\nMODE=env-file\n")
    text = """
        services:
          web:
            image: nginx:1.27
            env_file: app.env
            environment: {MODE: compose}
          api:
            image: example/api:1
            env_file: app.env
            labels: {dockyard.env_file: configmap}
        """
    r = convert(compose_file, text)
    assert container(r.objects, "web")["env"] == [{"name": "LOG_LEVEL", "value": "info"},
                                                 {"name": "MODE", "value": "compose"}]
    api = container(r.objects, "api")
    assert api["envFrom"] == [{"configMapRef": {"name": "api-app-env"}}] and "env" not in api
    assert find(r.objects, "ConfigMap", "api-app-env")["data"] == {"LOG_LEVEL": "info", "MODE": "env-file"}


def test_convert_and_compose_app_share_the_conversion(tmp_path):
    """`dockyard convert -n NS` prints exactly the objects ComposeApp declares in NS (plan)."""
    from components.kubernetes.compose_app import plan

    compose = tmp_path / "compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n    ports: ['80']\n    labels:\n"
                       "      kompose.service.expose: shop.example.com\n      kompose.image-pull-policy: Never\n")
    run = subprocess.run([sys.executable, "-m", "dockyard", "convert", str(compose), "-n", "shop"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    printed = list(yaml.safe_load_all(run.stdout))
    assert printed == plan("shop", compose, "shop", service_type="ClusterIP").objects
    assert {o["kind"] for o in printed} == {"Namespace", "Service", "Deployment", "Ingress"}


def test_convert_env_file_configmap_option(tmp_path):
    (tmp_path / "app.env").write_text("LOG_LEVEL=info\n")
    compose = tmp_path / "compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n    env_file: app.env\n")
    run = subprocess.run([sys.executable, "-m", "dockyard", "convert", str(compose), "--env-file-configmap"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(run.stdout)}
    assert docs[("ConfigMap", "web-app-env")]["data"] == {"LOG_LEVEL": "info"}
    c = docs[("Deployment", "web")]["spec"]["template"]["spec"]["containers"][0]
    assert c["envFrom"] == [{"configMapRef": {"name": "web-app-env"}}]


def test_service_group_runs_one_pod_when_asked(compose_file):
    text = """
        services:
          nginx:
            image: nginx:1.27
            ports: ["80:80"]
            volumes: ["logs:/var/log/nginx"]
            labels: {kompose.service.group: web}
          logs:
            image: busybox:1.36
            command: ["tail", "-F", "/var/log/nginx/access.log"]
            volumes: ["logs:/var/log/nginx:ro"]
            labels: {kompose.service.group: web}
        volumes:
          logs: {}
        """
    default = convert(compose_file, text)
    assert {o["metadata"]["name"] for o in default.objects if o["kind"] == "Deployment"} == {"nginx", "logs"}
    r = convert(compose_file, text, service_groups=True)
    (dep,) = [o for o in r.objects if o["kind"] == "Deployment"]
    assert dep["metadata"]["name"] == "web"
    pod = dep["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["nginx", "logs"]
    assert [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]] == ["logs"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()
    # each compose name still resolves: its Service selects the group's pod
    for name in ("nginx", "logs"):
        svc = find(r.objects, "Service", name)
        assert svc["spec"]["selector"].items() <= labels.items()
    assert not [w for w in r.warnings if "service.group" in w]
