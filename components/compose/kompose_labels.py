"""kompose's service labels, read once for the Kubernetes converter (``dockyard convert`` and ComposeApp).

The list and meaning are kompose's user guide (https://github.com/kubernetes/kompose,
docs/user-guide.md "Labels", and pkg/transformer/kubernetes/k8sutils.go for the
ephemeral-storage deploy labels; read 2026-12-02). A label may sit in `labels` or in
`deploy.labels` (kompose reads both); `labels` wins. Every other `kompose.*` label gets a
warning naming it. Values are checked here, so the converter only reads typed fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from components.compose._common import field_path
from components.compose.model import Conversion, Service
from components.compose.units import INT32_MAX, parse_duration

PREFIX = "kompose."
PROBE_KEYS = ("test", "http_get_path", "http_get_port", "tcp_port", "interval", "timeout", "retries",
              "start_period", "disable")
KNOWN = {
    "kompose.service.type", "kompose.service.expose", "kompose.service.expose.tls-secret",
    "kompose.service.expose.ingress-class-name", "kompose.service.nodeport.port",
    "kompose.volume.type", "kompose.volume.size", "kompose.volume.storage-class-name",
    "kompose.controller.type", "kompose.image-pull-secret", "kompose.image-pull-policy",
    "kompose.service.group", "kompose.ephemeral-storage.request", "kompose.ephemeral-storage.limit",
    *(f"kompose.service.healthcheck.{kind}.{key}" for kind in ("liveness", "readiness") for key in PROBE_KEYS),
}
VOLUME_TYPES = {"configmap": "configMap", "emptydir": "emptyDir", "hostpath": "hostPath",
                "persistentvolumeclaim": "persistentVolumeClaim"}
CONTROLLERS = {"deployment": "Deployment", "daemonset": "DaemonSet", "statefulset": "StatefulSet"}
PULL_POLICIES = {"always": "Always", "ifnotpresent": "IfNotPresent", "never": "Never"}
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?\Z")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\Z")


@dataclass
class ProbeLabels:
    test: list[str] | None = None  # exec command
    http_get_path: str | None = None
    http_get_port: int | None = None
    tcp_port: int | None = None
    interval: float | None = None
    timeout: float | None = None
    retries: int | None = None
    start_period: float | None = None
    disable: bool = False

    @property
    def handler(self) -> bool:
        return bool(self.test or self.http_get_port or self.tcp_port)

    @property
    def given(self) -> bool:
        return any(getattr(self, k) not in (None, False) for k in PROBE_KEYS)


@dataclass
class KomposeLabels:
    service_type: str | None = None  # raw value; the converter maps it
    expose: list[tuple[str | None, str]] = field(default_factory=list)  # (host or None, path)
    tls_secret: str | None = None
    ingress_class: str | None = None
    node_port: int | None = None
    volume_type: str | None = None
    volume_size: str | None = None
    storage_class: str | None = None
    controller: str | None = None
    pull_secret: str | None = None
    pull_policy: str | None = None
    group: str | None = None
    ephemeral_request: str | None = None
    ephemeral_limit: str | None = None
    liveness: ProbeLabels = field(default_factory=ProbeLabels)
    readiness: ProbeLabels = field(default_factory=ProbeLabels)


def _bool(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.strip().lower())


def _port(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= 65535 else None


def read(svc: Service, conv: Conversion) -> KomposeLabels:
    """The kompose labels of a service; a warning for each unknown or invalid one (which is ignored)."""
    raw: dict[str, tuple[str, str]] = {}
    for source, labels in (("deploy.labels", svc.deploy.labels), ("labels", svc.labels)):
        for key, value in labels.items():
            if key.startswith(PREFIX):
                raw[key] = (source, "" if value is None else str(value))
    out = KomposeLabels()

    def bad(key, why):
        source = raw[key][0]
        conv.warn(field_path(svc, *source.split("."), key), f"{why}; ignored")

    for key, (_source, value) in raw.items():
        if key not in KNOWN:
            bad(key, "kompose label not supported by Dockyard")
            continue
        name = key[len(PREFIX):]
        v = value.strip()
        if name == "service.type":
            out.service_type = v
        elif name == "service.expose":
            out.expose = _expose(v)
            if out.expose is None:
                out.expose = []
                bad(key, f"{v!r} is not 'true' or a comma-separated list of host[/path]")
        elif name == "service.expose.tls-secret":
            out.tls_secret = v if _DNS_SUBDOMAIN.match(v) else bad(key, f"{v!r} is not a Secret name")
        elif name == "service.expose.ingress-class-name":
            out.ingress_class = v if _DNS_SUBDOMAIN.match(v) else bad(key, f"{v!r} is not an IngressClass name")
        elif name == "service.nodeport.port":
            port = _port(v)
            out.node_port = port if port and 30000 <= port <= 32767 else bad(
                key, f"{v!r} is not in the default node port range 30000-32767")
        elif name == "volume.type":
            out.volume_type = VOLUME_TYPES.get(v.lower()) or bad(
                key, f"{v!r} is not one of {', '.join(VOLUME_TYPES.values())}")
        elif name in ("volume.size", "ephemeral-storage.request", "ephemeral-storage.limit"):
            if not _QUANTITY.match(v):
                bad(key, f"{v!r} is not a Kubernetes quantity such as 1Gi")
            else:
                setattr(out, {"volume.size": "volume_size", "ephemeral-storage.request": "ephemeral_request",
                              "ephemeral-storage.limit": "ephemeral_limit"}[name], v)
        elif name == "volume.storage-class-name":
            out.storage_class = v if _DNS_SUBDOMAIN.match(v) else bad(key, f"{v!r} is not a StorageClass name")
        elif name == "controller.type":
            out.controller = CONTROLLERS.get(v.lower()) or bad(
                key, f"{v!r} is not one of deployment, daemonset, statefulset")
        elif name == "image-pull-secret":
            out.pull_secret = v if _DNS_SUBDOMAIN.match(v) else bad(key, f"{v!r} is not a Secret name")
        elif name == "image-pull-policy":
            out.pull_policy = PULL_POLICIES.get(v.lower()) or bad(key, f"{v!r} is not Always, IfNotPresent or Never")
        elif name == "service.group":
            out.group = v
        else:  # service.healthcheck.<kind>.<key>
            _, _, kind, probe_key = name.split(".", 3)
            probe = out.liveness if kind == "liveness" else out.readiness
            error = _probe_value(probe, probe_key, v)
            if error:
                bad(key, error)
    return out


def _expose(value: str) -> list[tuple[str | None, str]] | None:
    if value.lower() == "true":
        return [(None, "/")]
    out = []
    for item in value.split(","):
        item = item.strip()
        host, slash, path = item.partition("/")
        if not _DNS_SUBDOMAIN.match(host.lower()) or host != host.lower():
            return None
        out.append((host, "/" + path if slash else "/"))
    return out or None


def _probe_value(probe: ProbeLabels, key: str, v: str) -> str | None:
    if key == "test":
        import shlex

        try:
            words = shlex.split(v.strip("[]").replace(",", " ")) if v.startswith("[") else None
        except ValueError:
            return f"{v!r} cannot be split into words"
        if words and words[0] in ("CMD", "CMD-SHELL"):
            probe.test = ["/bin/sh", "-c", " ".join(words[1:])] if words[0] == "CMD-SHELL" else words[1:]
        elif words:
            probe.test = words
        else:
            probe.test = ["/bin/sh", "-c", v]
        return None
    if key == "http_get_path":
        if not v.startswith("/"):
            return f"{v!r} is not a path starting with /"
        probe.http_get_path = v
        return None
    if key in ("http_get_port", "tcp_port"):
        port = _port(v)
        if port is None:
            return f"{v!r} is not a port number"
        setattr(probe, key, port)
        return None
    if key == "retries":
        if not (v.isascii() and v.isdigit()) or not 1 <= int(v) <= INT32_MAX:
            return f"{v!r} is not a whole number from 1 to {INT32_MAX}"
        probe.retries = int(v)
        return None
    if key == "disable":
        flag = _bool(v)
        if flag is None:
            return f"{v!r} is not true or false"
        probe.disable = flag
        return None
    try:  # interval, timeout, start_period
        setattr(probe, key, parse_duration(v))
    except ValueError as exc:
        return str(exc)
    return None
