"""SockShop: Weaveworks' sock-shop microservices demo as typed Kubernetes resources.

The book deploys it with ``kubectl apply -f complete-demo.yaml`` and exposes the front end with
``kubectl expose deployment front-end --type=LoadBalancer --name=front-end-lb``. Here the same
objects are built as plain manifest dicts by :func:`manifests` (so tests validate them offline)
and declared as typed pulumi_kubernetes resources by :class:`SockShop` (so the demo previews
offline and can be parametrised: namespace, replicas, resources, service type).

Facts (names, images, ports, env, security contexts, probes, requests/limits, annotations) are
from microservices-demo/microservices-demo, deploy/kubernetes/complete-demo.yaml at commit
9dff06fae4981921caec6a62393a6ebfce4b3e3f (identical to deploy/kubernetes/manifests/). Deliberate
differences, each for a reason:

* the ``front-end`` Service is ClusterIP (upstream: NodePort 30001); the front end is exposed
  once, by ``front-end-lb`` (LoadBalancer by default, NodePort 30001 on local clusters), so a
  cloud cluster does not also open a node port to the world and the two never clash on 30001;
* ``front-end-lb`` serves port 80 (``kubectl expose`` would reuse the container port 8079);
* pods select Linux nodes with ``kubernetes.io/os`` (upstream: the deprecated
  ``beta.kubernetes.io/os``);
* capabilities are dropped as ``ALL``, the spelling Pod Security admission recognises
  (upstream: ``all``, which runtimes treat the same);
* the front-end Deployment carries the ``name`` label like every other one (upstream: none);
* every image is pinned (upstream leaves three floating), so the demo works, not only looks right:
  - ``carts-db`` and ``orders-db`` run ``mongo:4.4.0`` (upstream: ``mongo``, today 6+ or newer).
    The carts and orders services use the MongoDB Java driver 3.2.2, which sends ``find`` over
    OP_QUERY; MongoDB 6 removed that ("Unsupported OP_QUERY command: find",
    microservices-demo/microservices-demo#900, carts#45, carts#47). 4.4.0 is the tag upstream's
    own Helm chart pins for both databases (deploy/kubernetes/helm-chart/values.yaml,
    cartsdb/ordersdb, at commit b1aaa7d3c064dc5192d54937444c43c40f7f7ae5; read 2026-12-02);
  - ``session-db`` runs ``redis:7.2-alpine`` (upstream: ``redis:alpine``, a moving tag);
  - the exporter beside RabbitMQ runs ``kbudde/rabbitmq-exporter:v0.29.0`` (upstream: no tag;
    v0.29.0 is what prometheus-community's prometheus-rabbitmq-exporter chart pins, read
    2026-12-02) with ``PUBLISH_PORT=9090``: releases since 1.0 listen on 9419 by default, while
    the demo's Service and annotation scrape 9090.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Literal

import pulumi

ServiceType = Literal["LoadBalancer", "NodePort", "ClusterIP"]

DEFAULT_NAMESPACE = "sock-shop"
FRONT_END_LB = "front-end-lb"
DEFAULT_NODE_PORT = 30001
UPSTREAM = (
    "https://github.com/microservices-demo/microservices-demo/blob/"
    "9dff06fae4981921caec6a62393a6ebfce4b3e3f/deploy/kubernetes/complete-demo.yaml"
)

_JAVA_OPTS = (
    "-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom "
    "-Dspring.zipkin.enabled=false"
)

# Security context profiles of the upstream demo.
_APP = {"runAsNonRoot": True, "runAsUser": 10001, "drop": True, "add": ["NET_BIND_SERVICE"]}
_WEB = {"runAsNonRoot": True, "runAsUser": 10001, "drop": True, "add": []}
_DB = {"drop": True, "add": ["CHOWN", "SETGID", "SETUID"]}
_MQ = {"drop": True, "add": ["CHOWN", "SETGID", "SETUID", "DAC_OVERRIDE"]}


@dataclass(frozen=True)
class _Container:
    name: str
    image: str
    ports: tuple[tuple[str | None, int], ...]  # (port name or None, containerPort)
    env: tuple[tuple[str, str], ...] = ()
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    limits: tuple[str, str] | None = None  # (cpu, memory)
    requests: tuple[str, str] | None = None
    security: dict | None = None
    health: tuple[str, int, int, int] | None = None  # (path, port, liveness delay, readiness delay)
    tmp_volume: bool = False


@dataclass(frozen=True)
class _Service:
    name: str
    containers: tuple[_Container, ...]
    service_ports: tuple[dict, ...]
    service_annotations: dict = field(default_factory=dict)
    pod_annotations: dict = field(default_factory=dict)
    stateful: bool = False  # a database or queue: one replica, whatever `replicas` says


def _one(name, image, ports, **kw) -> tuple[_Container, ...]:
    return (_Container(name=name, image=image, ports=ports, **kw),)


_SCRAPE = {"prometheus.io/scrape": "true"}
# Pinned where upstream floats (module docstring says why and where each tag comes from).
MONGO = "mongo:4.4.0"
REDIS = "redis:7.2-alpine"
RABBITMQ_EXPORTER = "kbudde/rabbitmq-exporter:v0.29.0"

# The demo, in upstream's order.
SERVICES: tuple[_Service, ...] = (
    _Service("carts", _one("carts", "weaveworksdemos/carts:0.4.8", ((None, 80),),
                           env=(("JAVA_OPTS", _JAVA_OPTS),), limits=("300m", "500Mi"),
                           requests=("100m", "200Mi"), security=_APP, tmp_volume=True),
             ({"port": 80, "targetPort": 80},), _SCRAPE),
    _Service("carts-db", _one("carts-db", MONGO, (("mongo", 27017),), security=_DB, tmp_volume=True),
             ({"port": 27017, "targetPort": 27017},), stateful=True),
    _Service("catalogue", _one("catalogue", "weaveworksdemos/catalogue:0.3.5", ((None, 80),),
                               command=("/app",), args=("-port=80",), limits=("200m", "200Mi"),
                               requests=("100m", "100Mi"), security=_APP,
                               health=("/health", 80, 300, 180)),
             ({"port": 80, "targetPort": 80},), _SCRAPE),
    _Service("catalogue-db", _one("catalogue-db", "weaveworksdemos/catalogue-db:0.3.0", (("mysql", 3306),),
                                  env=(("MYSQL_ROOT_PASSWORD", "fake_password"),
                                       ("MYSQL_DATABASE", "socksdb"))),
             ({"port": 3306, "targetPort": 3306},), stateful=True),
    _Service("front-end", _one("front-end", "weaveworksdemos/front-end:0.3.12", ((None, 8079),),
                               env=(("SESSION_REDIS", "true"),), limits=("300m", "1000Mi"),
                               requests=("100m", "300Mi"), security=_WEB,
                               health=("/", 8079, 300, 30)),
             ({"port": 80, "targetPort": 8079},), _SCRAPE),
    _Service("orders", _one("orders", "weaveworksdemos/orders:0.4.7", ((None, 80),),
                            env=(("JAVA_OPTS", _JAVA_OPTS),), limits=("500m", "500Mi"),
                            requests=("100m", "300Mi"), security=_APP, tmp_volume=True),
             ({"port": 80, "targetPort": 80},), _SCRAPE),
    _Service("orders-db", _one("orders-db", MONGO, (("mongo", 27017),), security=_DB, tmp_volume=True),
             ({"port": 27017, "targetPort": 27017},), stateful=True),
    _Service("payment", _one("payment", "weaveworksdemos/payment:0.4.3", ((None, 80),),
                             limits=("200m", "200Mi"), requests=("99m", "100Mi"), security=_APP,
                             health=("/health", 80, 300, 180)),
             ({"port": 80, "targetPort": 80},), _SCRAPE),
    _Service("queue-master", _one("queue-master", "weaveworksdemos/queue-master:0.3.1", ((None, 80),),
                                  env=(("JAVA_OPTS", _JAVA_OPTS),), limits=("300m", "500Mi"),
                                  requests=("100m", "300Mi")),
             ({"port": 80, "targetPort": 80},), _SCRAPE),
    _Service("rabbitmq",
             (_Container("rabbitmq", "rabbitmq:3.6.8-management",
                         (("management", 15672), ("rabbitmq", 5672)), security=_MQ),
              _Container("rabbitmq-exporter", RABBITMQ_EXPORTER, (("exporter", 9090),),
                         env=(("PUBLISH_PORT", "9090"),))),
             ({"port": 5672, "name": "rabbitmq", "targetPort": 5672},
              {"port": 9090, "name": "exporter", "targetPort": "exporter", "protocol": "TCP"}),
             {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
             {"prometheus.io/scrape": "false"}, stateful=True),
    _Service("session-db", _one("session-db", REDIS, (("redis", 6379),), security=_DB),
             ({"port": 6379, "targetPort": 6379},), {},
             # sic: upstream spells this annotation with dots.
             {"prometheus.io.scrape": "false"}, stateful=True),
    _Service("shipping", _one("shipping", "weaveworksdemos/shipping:0.4.8", ((None, 80),),
                              env=(("ZIPKIN", "zipkin.jaeger.svc.cluster.local"), ("JAVA_OPTS", _JAVA_OPTS)),
                              limits=("300m", "500Mi"), requests=("100m", "300Mi"), security=_APP,
                              tmp_volume=True),
             ({"port": 80, "targetPort": 80},), _SCRAPE),
    _Service("user", _one("user", "weaveworksdemos/user:0.4.7", ((None, 80),),
                          env=(("mongo", "user-db:27017"),), limits=("300m", "200Mi"),
                          requests=("100m", "100Mi"), security=_APP, health=("/health", 80, 300, 180)),
             ({"port": 80, "targetPort": 80},), _SCRAPE),
    _Service("user-db", _one("user-db", "weaveworksdemos/user-db:0.3.0", (("mongo", 27017),),
                             security=_DB, tmp_volume=True),
             ({"port": 27017, "targetPort": 27017},), stateful=True),
)

SERVICE_NAMES: tuple[str, ...] = tuple(s.name for s in SERVICES)


@dataclass
class SockShopOptions:
    """What can be changed without changing the demo.

    ``replicas``: an int scales every stateless service (databases and the queue stay at one
    replica: their data lives in the pod); a dict sets replicas per service name.
    ``resources``: per-service replacement of the first container's ``resources`` block.
    ``service_type``/``node_port``: how ``front-end-lb`` is exposed.
    """

    namespace: str = DEFAULT_NAMESPACE
    replicas: int | dict[str, int] = 1
    resources: dict[str, dict] = field(default_factory=dict)
    service_type: ServiceType = "LoadBalancer"
    node_port: int = DEFAULT_NODE_PORT

    def validate(self) -> None:
        for what, names in (("replicas", self.replicas if isinstance(self.replicas, dict) else {}),
                            ("resources", self.resources)):
            unknown = sorted(set(names) - set(SERVICE_NAMES))
            if unknown:
                raise ValueError(f"{what}: unknown sock-shop service(s) {unknown}; known: {list(SERVICE_NAMES)}")
        counts = self.replicas.values() if isinstance(self.replicas, dict) else [self.replicas]
        if any(not isinstance(n, int) or n < 0 for n in counts):
            raise ValueError(f"replicas must be whole numbers >= 0, got {self.replicas!r}")
        if self.service_type not in ("LoadBalancer", "NodePort", "ClusterIP"):
            raise ValueError(f"service_type must be LoadBalancer, NodePort or ClusterIP, got {self.service_type!r}")
        if not 30000 <= self.node_port <= 32767:
            raise ValueError(f"node_port must be in the NodePort range 30000-32767, got {self.node_port}")

    def replicas_of(self, svc: _Service) -> int:
        if isinstance(self.replicas, dict):
            return self.replicas.get(svc.name, 1)
        return 1 if svc.stateful else self.replicas


# --- manifests -------------------------------------------------------------------------------


def _security_context(profile: dict) -> dict:
    ctx: dict = {}
    if profile.get("runAsNonRoot"):
        ctx["runAsNonRoot"] = True
        ctx["runAsUser"] = profile["runAsUser"]
    caps: dict = {"drop": ["ALL"]}
    if profile["add"]:
        caps["add"] = list(profile["add"])
    ctx["capabilities"] = caps
    ctx["readOnlyRootFilesystem"] = True
    return ctx


def _container(c: _Container, resources: dict | None) -> dict:
    out: dict = {"name": c.name, "image": c.image}
    if c.command:
        out["command"] = list(c.command)
    if c.args:
        out["args"] = list(c.args)
    if c.env:
        out["env"] = [{"name": k, "value": v} for k, v in c.env]
    if resources is not None:
        out["resources"] = copy.deepcopy(resources)
    elif c.limits:
        out["resources"] = {
            "limits": {"cpu": c.limits[0], "memory": c.limits[1]},
            "requests": {"cpu": c.requests[0], "memory": c.requests[1]},
        }
    out["ports"] = [
        {"name": n, "containerPort": p} if n else {"containerPort": p} for n, p in c.ports
    ]
    if c.security:
        out["securityContext"] = _security_context(c.security)
    if c.health:
        path, port, live_delay, ready_delay = c.health
        for probe, delay in (("livenessProbe", live_delay), ("readinessProbe", ready_delay)):
            out[probe] = {"httpGet": {"path": path, "port": port}, "initialDelaySeconds": delay,
                          "periodSeconds": 3}
    if c.tmp_volume:
        out["volumeMounts"] = [{"mountPath": "/tmp", "name": "tmp-volume"}]
    return out


def _deployment(svc: _Service, namespace: str, replicas: int, resources: dict | None) -> dict:
    labels = {"name": svc.name}
    template_meta: dict = {"labels": dict(labels)}
    if svc.pod_annotations:
        template_meta["annotations"] = dict(svc.pod_annotations)
    pod: dict = {
        "containers": [_container(c, resources if i == 0 else None) for i, c in enumerate(svc.containers)],
        "nodeSelector": {"kubernetes.io/os": "linux"},
    }
    if any(c.tmp_volume for c in svc.containers):
        pod["volumes"] = [{"name": "tmp-volume", "emptyDir": {"medium": "Memory"}}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": svc.name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": template_meta, "spec": pod},
        },
    }


def _service(svc: _Service, namespace: str) -> dict:
    meta: dict = {"name": svc.name, "namespace": namespace, "labels": {"name": svc.name}}
    if svc.service_annotations:
        meta["annotations"] = dict(svc.service_annotations)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {"ports": [dict(p) for p in svc.service_ports], "selector": {"name": svc.name}},
    }


def _front_end_lb(options: SockShopOptions) -> dict:
    port: dict = {"name": "http", "port": 80, "targetPort": 8079, "protocol": "TCP"}
    if options.service_type == "NodePort":
        port["nodePort"] = options.node_port
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": FRONT_END_LB, "namespace": options.namespace, "labels": {"name": FRONT_END_LB}},
        "spec": {"type": options.service_type, "ports": [port], "selector": {"name": "front-end"}},
    }


def manifests(options: SockShopOptions | None = None) -> list[dict]:
    """Every object of the demo as a plain manifest dict, namespace first."""
    options = options or SockShopOptions()
    options.validate()
    out = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": options.namespace}}]
    for svc in SERVICES:
        out.append(_deployment(svc, options.namespace, options.replicas_of(svc), options.resources.get(svc.name)))
        out.append(_service(svc, options.namespace))
    out.append(_front_end_lb(options))
    return out


# --- the component ---------------------------------------------------------------------------


@dataclass
class SockShopArgs:
    """``provider``: the cluster's pulumi_kubernetes Provider. ``node_address``: the host that
    reaches a NodePort (``localhost`` for Docker Desktop)."""

    provider: pulumi.ProviderResource | None = None
    options: SockShopOptions = field(default_factory=SockShopOptions)
    node_address: str = "localhost"


class SockShop(pulumi.ComponentResource):
    """The sock-shop demo on one cluster; output ``url`` reaches its front end."""

    url: pulumi.Output[str | None]

    def __init__(self, name: str, args: SockShopArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:SockShop", name, None, opts)
        from components.kubernetes.objects import declare, service_url

        options = args.options
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        self.resources = declare(manifests(options), name, child)
        self.namespace = options.namespace
        lb = self.resources[("Service", options.namespace, FRONT_END_LB)]
        if options.service_type in ("LoadBalancer", "NodePort"):
            self.url = service_url(lb, args.node_address)
        else:
            self.url = pulumi.Output.from_input(f"http://{FRONT_END_LB}.{options.namespace}.svc.cluster.local/")
        self.register_outputs({"url": self.url, "namespace": options.namespace})

