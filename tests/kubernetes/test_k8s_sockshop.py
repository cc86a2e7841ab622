"""SockShop against the upstream demo, object by object.

The expected values below were transcribed by hand from microservices-demo/microservices-demo,
deploy/kubernetes/complete-demo.yaml (commit 9dff06fae498), not from components/: a change to
the builder that drifts from upstream fails here. Images upstream leaves floating are pinned:
mongo to 4.4.0 (upstream's helm-chart/values.yaml; MongoDB 6 refuses the carts and orders
services' OP_QUERY find, microservices-demo#900), redis to 7.2-alpine, the RabbitMQ exporter to
v0.29.0 (prometheus-community's chart).
"""

from __future__ import annotations

import pytest

from components.kubernetes import sockshop
from components.kubernetes.sockshop import SockShopOptions, manifests

JAVA = "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false"
APP_SEC = {"runAsNonRoot": True, "runAsUser": 10001, "drop": "all", "add": ["NET_BIND_SERVICE"],
           "readOnlyRootFilesystem": True}
WEB_SEC = {"runAsNonRoot": True, "runAsUser": 10001, "drop": "all", "add": None, "readOnlyRootFilesystem": True}
DB_SEC = {"drop": "all", "add": ["CHOWN", "SETGID", "SETUID"], "readOnlyRootFilesystem": True}
MQ_SEC = {"drop": "all", "add": ["CHOWN", "SETGID", "SETUID", "DAC_OVERRIDE"], "readOnlyRootFilesystem": True}


def http(path, port, delay):
    return {"httpGet": {"path": path, "port": port}, "initialDelaySeconds": delay, "periodSeconds": 3}


# name -> container facts of upstream's Deployment (first container unless noted)
UPSTREAM = {
    "carts": dict(image="weaveworksdemos/carts:0.4.8", ports=[(None, 80)], env={"JAVA_OPTS": JAVA},
                  limits=("300m", "500Mi"), requests=("100m", "200Mi"), sec=APP_SEC, tmp=True),
    "carts-db": dict(image="mongo:4.4.0", ports=[("mongo", 27017)], sec=DB_SEC, tmp=True),
    "catalogue": dict(image="weaveworksdemos/catalogue:0.3.5", ports=[(None, 80)], command=["/app"],
                      args=["-port=80"], limits=("200m", "200Mi"), requests=("100m", "100Mi"), sec=APP_SEC,
                      live=http("/health", 80, 300), ready=http("/health", 80, 180)),
    "catalogue-db": dict(image="weaveworksdemos/catalogue-db:0.3.0", ports=[("mysql", 3306)],
                         env={"MYSQL_ROOT_PASSWORD": "fake_password", "MYSQL_DATABASE": "socksdb"}),
    "front-end": dict(image="weaveworksdemos/front-end:0.3.12", ports=[(None, 8079)], env={"SESSION_REDIS": "true"},
                      limits=("300m", "1000Mi"), requests=("100m", "300Mi"), sec=WEB_SEC,
                      live=http("/", 8079, 300), ready=http("/", 8079, 30)),
    "orders": dict(image="weaveworksdemos/orders:0.4.7", ports=[(None, 80)], env={"JAVA_OPTS": JAVA},
                   limits=("500m", "500Mi"), requests=("100m", "300Mi"), sec=APP_SEC, tmp=True),
    "orders-db": dict(image="mongo:4.4.0", ports=[("mongo", 27017)], sec=DB_SEC, tmp=True),
    "payment": dict(image="weaveworksdemos/payment:0.4.3", ports=[(None, 80)], limits=("200m", "200Mi"),
                    requests=("99m", "100Mi"), sec=APP_SEC,
                    live=http("/health", 80, 300), ready=http("/health", 80, 180)),
    "queue-master": dict(image="weaveworksdemos/queue-master:0.3.1", ports=[(None, 80)], env={"JAVA_OPTS": JAVA},
                         limits=("300m", "500Mi"), requests=("100m", "300Mi")),
    "rabbitmq": dict(image="rabbitmq:3.6.8-management", ports=[("management", 15672), ("rabbitmq", 5672)],
                     sec=MQ_SEC, pod_annotations={"prometheus.io/scrape": "false"}),
    "session-db": dict(image="redis:7.2-alpine", ports=[("redis", 6379)], sec=DB_SEC,
                       pod_annotations={"prometheus.io.scrape": "false"}),
    "shipping": dict(image="weaveworksdemos/shipping:0.4.8", ports=[(None, 80)],
                     env={"ZIPKIN": "zipkin.jaeger.svc.cluster.local", "JAVA_OPTS": JAVA},
                     limits=("300m", "500Mi"), requests=("100m", "300Mi"), sec=APP_SEC, tmp=True),
    "user": dict(image="weaveworksdemos/user:0.4.7", ports=[(None, 80)], env={"mongo": "user-db:27017"},
                 limits=("300m", "200Mi"), requests=("100m", "100Mi"), sec=APP_SEC,
                 live=http("/health", 80, 300), ready=http("/health", 80, 180)),
    "user-db": dict(image="weaveworksdemos/user-db:0.3.0", ports=[("mongo", 27017)], sec=DB_SEC, tmp=True),
}

SCRAPE = {"prometheus.io/scrape": "true"}
# name -> (ports as (port, targetPort, name), annotations) of upstream's Service
UPSTREAM_SERVICES = {
    "carts": ([(80, 80, None)], SCRAPE),
    "carts-db": ([(27017, 27017, None)], {}),
    "catalogue": ([(80, 80, None)], SCRAPE),
    "catalogue-db": ([(3306, 3306, None)], {}),
    "front-end": ([(80, 8079, None)], SCRAPE),
    "orders": ([(80, 80, None)], SCRAPE),
    "orders-db": ([(27017, 27017, None)], {}),
    "payment": ([(80, 80, None)], SCRAPE),
    "queue-master": ([(80, 80, None)], SCRAPE),
    "rabbitmq": ([(5672, 5672, "rabbitmq"), (9090, "exporter", "exporter")],
                 {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}),
    "session-db": ([(6379, 6379, None)], {}),
    "shipping": ([(80, 80, None)], SCRAPE),
    "user": ([(80, 80, None)], SCRAPE),
    "user-db": ([(27017, 27017, None)], {}),
}
STATEFUL = {"carts-db", "catalogue-db", "orders-db", "rabbitmq", "session-db", "user-db"}


def by_kind(objs, kind):
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


@pytest.fixture(scope="module")
def demo():
    return manifests()


def test_every_object_validates_against_the_kubernetes_schema(demo, validate_manifests):
    assert validate_manifests(demo) == 1 + 14 + 15


def test_the_same_microservices_and_databases_as_upstream(demo):
    assert demo[0] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "sock-shop"}}
    assert set(by_kind(demo, "Deployment")) == set(UPSTREAM)
    assert set(by_kind(demo, "Service")) == set(UPSTREAM_SERVICES) | {"front-end-lb"}
    assert {o["metadata"]["namespace"] for o in demo[1:]} == {"sock-shop"}


@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_deployment_matches_upstream(demo, name):
    facts = UPSTREAM[name]
    dep = by_kind(demo, "Deployment")[name]
    assert dep["apiVersion"] == "apps/v1"
    assert dep["spec"]["replicas"] == 1
    assert dep["spec"]["selector"] == {"matchLabels": {"name": name}}
    tmpl = dep["spec"]["template"]
    assert tmpl["metadata"]["labels"] == {"name": name}
    assert tmpl["metadata"].get("annotations", {}) == facts.get("pod_annotations", {})
    pod = tmpl["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"}
    c = pod["containers"][0]
    assert c["name"] == name
    assert c["image"] == facts["image"]
    assert [(p.get("name"), p["containerPort"]) for p in c["ports"]] == facts["ports"]
    assert {e["name"]: e["value"] for e in c.get("env", [])} == facts.get("env", {})
    assert c.get("command") == facts.get("command")
    assert c.get("args") == facts.get("args")
    if "limits" in facts:
        assert c["resources"] == {
            "limits": {"cpu": facts["limits"][0], "memory": facts["limits"][1]},
            "requests": {"cpu": facts["requests"][0], "memory": facts["requests"][1]},
        }
    else:
        assert "resources" not in c
    sec = facts.get("sec")
    if sec is None:
        assert "securityContext" not in c
    else:
        ctx = c["securityContext"]
        assert ctx.get("runAsNonRoot") == sec.get("runAsNonRoot")
        assert ctx.get("runAsUser") == sec.get("runAsUser")
        assert [d.lower() for d in ctx["capabilities"]["drop"]] == [sec["drop"]]
        assert ctx["capabilities"].get("add") == sec["add"]
        assert ctx["readOnlyRootFilesystem"] is True
    assert c.get("livenessProbe") == facts.get("live")
    assert c.get("readinessProbe") == facts.get("ready")
    if facts.get("tmp"):
        assert c["volumeMounts"] == [{"mountPath": "/tmp", "name": "tmp-volume"}]
        assert pod["volumes"] == [{"name": "tmp-volume", "emptyDir": {"medium": "Memory"}}]
    else:
        assert "volumeMounts" not in c and "volumes" not in pod


def test_rabbitmq_runs_its_exporter_beside_it(demo):
    containers = by_kind(demo, "Deployment")["rabbitmq"]["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 2
    exporter = containers[1]
    assert exporter["name"] == "rabbitmq-exporter"
    assert exporter["image"] == "kbudde/rabbitmq-exporter:v0.29.0"
    assert exporter["ports"] == [{"name": "exporter", "containerPort": 9090}]
    # The exporter listens on 9419 by default since 1.0 (prometheus-community's chart); the
    # demo scrapes 9090, so the port is set, not left to the image's default.
    assert exporter["env"] == [{"name": "PUBLISH_PORT", "value": "9090"}]
    assert "securityContext" not in exporter


@pytest.mark.parametrize("name", sorted(UPSTREAM_SERVICES))
def test_service_matches_upstream(demo, name):
    ports, annotations = UPSTREAM_SERVICES[name]
    svc = by_kind(demo, "Service")[name]
    assert svc["spec"]["selector"] == {"name": name}
    assert [(p["port"], p["targetPort"], p.get("name")) for p in svc["spec"]["ports"]] == ports
    assert svc["metadata"].get("annotations", {}) == annotations
    assert svc["metadata"]["labels"] == {"name": name}
    # Only front-end-lb is reachable from outside the cluster (upstream's front-end is a
    # NodePort; ours is internal so that 30001 is opened once, by front-end-lb).
    assert svc["spec"].get("type", "ClusterIP") == "ClusterIP"


def test_front_end_lb_is_a_load_balancer_by_default(demo):
    lb = by_kind(demo, "Service")["front-end-lb"]
    assert lb["spec"]["type"] == "LoadBalancer"
    assert lb["spec"]["selector"] == {"name": "front-end"}
    (port,) = lb["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (80, 8079)
    assert "nodePort" not in port


def test_front_end_lb_on_nodeport_30001_for_local_clusters(validate_manifests):
    objs = manifests(SockShopOptions(service_type="NodePort"))
    validate_manifests(objs)
    lb = by_kind(objs, "Service")["front-end-lb"]
    assert lb["spec"]["type"] == "NodePort"
    assert lb["spec"]["ports"][0]["nodePort"] == 30001
    node_ports = [p.get("nodePort") for s in by_kind(objs, "Service").values() for p in s["spec"]["ports"]]
    assert node_ports.count(30001) == 1


def test_parameters_namespace_replicas_resources(validate_manifests):
    small = {"limits": {"cpu": "150m", "memory": "256Mi"}, "requests": {"cpu": "50m", "memory": "128Mi"}}
    objs = manifests(SockShopOptions(namespace="shop", replicas=3, resources={"carts": small}))
    validate_manifests(objs)
    assert objs[0]["metadata"]["name"] == "shop"
    assert {o["metadata"]["namespace"] for o in objs[1:]} == {"shop"}
    deps = by_kind(objs, "Deployment")
    for name, dep in deps.items():
        # Databases and the queue keep their data in the pod: scaling them would split it.
        assert dep["spec"]["replicas"] == (1 if name in STATEFUL else 3), name
    assert deps["carts"]["spec"]["template"]["spec"]["containers"][0]["resources"] == small
    assert deps["orders"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "500m"

    per_service = by_kind(manifests(SockShopOptions(replicas={"front-end": 4, "carts-db": 0})), "Deployment")
    assert per_service["front-end"]["spec"]["replicas"] == 4
    assert per_service["carts-db"]["spec"]["replicas"] == 0
    assert per_service["carts"]["spec"]["replicas"] == 1


@pytest.mark.parametrize("options, message", [
    (SockShopOptions(replicas={"frontend": 2}), "unknown sock-shop service"),
    (SockShopOptions(resources={"cart": {}}), "unknown sock-shop service"),
    (SockShopOptions(replicas=-1), "replicas"),
    (SockShopOptions(service_type="Ingress"), "service_type"),
    (SockShopOptions(service_type="NodePort", node_port=8080), "30000-32767"),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        manifests(options)


def test_builder_returns_fresh_dicts():
    a = manifests()
    a[1]["spec"]["replicas"] = 99
    a[1]["spec"]["template"]["spec"]["containers"][0]["ports"].append({"containerPort": 1})
    b = manifests()
    assert b[1]["spec"]["replicas"] == 1
    assert len(b[1]["spec"]["template"]["spec"]["containers"][0]["ports"]) == 1


def test_upstream_is_cited():
    assert "microservices-demo/microservices-demo" in sockshop.UPSTREAM


# --- the component under the mock engine -----------------------------------------------------


def test_component_declares_every_object_typed_under_one_provider(mock_engine, validate_manifests):
    import pulumi
    import pulumi_kubernetes as k8s

    from components.kubernetes.sockshop import SockShop, SockShopArgs

    def program():
        provider = k8s.Provider("cluster", context="docker-desktop")
        shop = SockShop("shop", SockShopArgs(provider=provider, options=SockShopOptions(
            namespace="socks", service_type="NodePort", node_port=30080)))
        pulumi.export("url", shop.url)

    r = mock_engine.run(program)
    (component,) = r.of_type("dockyard:index:SockShop")
    children = r.children(component.urn)
    assert sorted({c.type for c in children}) == [
        "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Namespace", "kubernetes:core/v1:Service"]
    assert len(children) == 1 + 14 + 15
    provider = r.get("pulumi:providers:kubernetes")
    ns = r.get("kubernetes:core/v1:Namespace")
    assert ns.inputs["metadata"]["name"] == "socks"
    for c in children:
        assert c.provider == provider.urn
        if c is not ns:
            assert ns.urn in c.dependencies, f"{c.name} must wait for its namespace"
    # what is sent is exactly what validates offline
    validate_manifests([c.inputs for c in children])
    assert {c.inputs["metadata"]["name"] for c in children if c.type.endswith("Deployment")} == set(UPSTREAM)
    assert r.outputs["url"] == "http://localhost:30080/"


def test_component_url_is_the_load_balancer_address(mock_engine):
    import pulumi

    from components.kubernetes.sockshop import SockShop, SockShopArgs

    def program():
        pulumi.export("url", SockShop("shop", SockShopArgs()).url)

    r = mock_engine.run(program)
    lb = r.get("kubernetes:core/v1:Service", "shop-front-end-lb")
    assert lb.inputs["spec"]["type"] == "LoadBalancer"
    address = lb.outputs["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert r.outputs["url"] == f"http://{address}/"


def _tag(image: str) -> str | None:
    name = image.rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else None


def test_every_image_is_pinned_to_a_version_tag(demo):
    # A missing tag means :latest; "latest" and a bare variant ("alpine") move under the demo.
    images = [c["image"] for d in by_kind(demo, "Deployment").values()
              for c in d["spec"]["template"]["spec"]["containers"]]
    assert len(images) == 15  # 14 services, rabbitmq with its exporter
    for image in images:
        tag = _tag(image)
        assert tag and tag not in ("latest", "alpine") and any(ch.isdigit() for ch in tag), image


def test_the_mongo_databases_speak_the_java_driver_3_2_wire_protocol(demo):
    # carts and orders use MongoDB Java driver 3.2.2, which sends find over OP_QUERY: MongoDB
    # 6.0 removed it (microservices-demo#900); the issue asks for 5.0 or older.
    deployments = by_kind(demo, "Deployment")
    for name in ("carts-db", "orders-db"):
        image = deployments[name]["spec"]["template"]["spec"]["containers"][0]["image"]
        repo, tag = image.split(":")
        assert repo == "mongo"
        major, minor = (int(x) for x in tag.split(".")[:2])
        assert (major, minor) <= (5, 0), image
