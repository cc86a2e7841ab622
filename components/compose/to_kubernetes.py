"""Compose -> Kubernetes manifests (plain dicts), kompose's rules where they serve users, better where not.

Where we differ from kompose (https://kompose.io/conversion/) and why:
- `deploy.replicas` with `restart_policy: on-failure` stays a Deployment with those replicas
  (kompose emits a bare Pod and loses the replicas); the restart difference is a warning.
- A service without ports still gets a Service, so it is reachable by its compose name. We make it
  headless (clusterIP: None): a ClusterIP Service needs at least one port, while a headless one
  resolves the name straight to the pod IPs, on whatever port the process listens on.
- `node.role == worker` becomes a required node affinity: no node-role.kubernetes.io/control-plane
  label (kompose drops it); other node.* constraints map to the well-known node labels.
- Named volumes become PersistentVolumeClaims, env_file a ConfigMap, healthcheck liveness and
  readiness probes, deploy.resources requests/limits, labels annotations, and the
  `kompose.service.type` label picks the Service type.
Every field we cannot map produces a warning naming it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from components import safeload
from components.compose import kompose_labels
from components.compose._common import dns_label, field_path, present, warn_unmapped_extras
from components.compose.kompose_labels import KomposeLabels, ProbeLabels
from components.compose.model import ComposeProject, Conversion, Healthcheck, Service
from components.compose.units import ceil_seconds

TARGET = "Kubernetes"
SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer",
                 "headless": "Headless"}
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
#: a service label asking for its env_file as ConfigMaps (envFrom) instead of inline env
ENV_FILE_LABEL = "dockyard.env_file"
CONFIG_MAP_LIMIT = 1 << 20  # a ConfigMap holds at most 1 MiB
# Swarm node attributes that have a well-known Kubernetes node label
# (https://kubernetes.io/docs/reference/labels-annotations-taints/).
_NODE_ATTRS = {"node.hostname": "kubernetes.io/hostname", "node.platform.os": "kubernetes.io/os",
               "node.platform.arch": "kubernetes.io/arch"}
_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm"}
_QUALIFIED = re.compile(
    r"^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?\Z")
_LABEL_VALUE = re.compile(r"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?\Z")
# Extras with a Kubernetes equivalent (the rest are warned about).
_MAPPED_EXTRAS = {"pull_policy", "sysctls", "network_mode"}
_PULL = {"always": "Always", "never": "Never", "missing": "IfNotPresent", "if_not_present": "IfNotPresent"}


@dataclass
class KubernetesConversion(Conversion):
    """`objects`: manifests in apply order (Namespace, ConfigMaps, Secrets, PVCs, then per
    service its Service and Deployment/DaemonSet)."""

    objects: list[dict] = field(default_factory=list)


def quantity_cpu(cpus: float) -> str:
    """0.5 -> "500m", 2 -> "2"."""
    milli = round(cpus * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def quantity_memory(size: int) -> str:
    """Bytes as the largest exact binary unit: 52428800 -> "50Mi"."""
    for unit, mult in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if size and size % mult == 0:
            return f"{size // mult}{unit}"
    return str(size)


def _meta(name: str, namespace: str | None, labels: dict, annotations: dict | None = None) -> dict:
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def _probe(hc: Healthcheck | None, labels: ProbeLabels | None = None) -> dict | None:
    """A probe from a compose healthcheck, its handler and timings overridden by kompose labels.

    The handler: the labels' http_get/tcp_port/test, else the healthcheck's test; None if neither.
    """
    labels = labels or ProbeLabels()
    if labels.http_get_port:
        handler = {"httpGet": {"path": labels.http_get_path or "/", "port": labels.http_get_port}}
    elif labels.tcp_port:
        handler = {"tcpSocket": {"port": labels.tcp_port}}
    elif labels.test:
        handler = {"exec": {"command": list(labels.test)}}
    elif hc is not None and hc.test:
        command = list(hc.test[1:]) if hc.test[0] == "CMD" else ["/bin/sh", "-c", hc.test[1]]
        handler = {"exec": {"command": command}}
    else:
        return None
    hc = hc or Healthcheck()

    def pick(label, compose, default):
        return label if label is not None else compose if compose is not None else default

    # Docker's defaults: interval 30s, timeout 30s, retries 3, start period 0
    probe = {**handler,
             "periodSeconds": ceil_seconds(pick(labels.interval, hc.interval, 30), 1),
             "timeoutSeconds": ceil_seconds(pick(labels.timeout, hc.timeout, 30), 1),
             "failureThreshold": max(1, pick(labels.retries, hc.retries, 3))}
    start = pick(labels.start_period, hc.start_period, None)
    if start:
        probe["initialDelaySeconds"] = ceil_seconds(start)
    return probe


def _affinity_terms(svc: Service, conv: Conversion) -> tuple[list[dict], list[dict]]:
    """Placement constraints -> (matchExpressions of one required node selector term, tolerations)."""
    exprs: list[dict] = []
    tolerations: list[dict] = []
    for i, c in enumerate(svc.deploy.placement.constraints):
        attr, op, value = c.split(" ", 2)
        path = field_path(svc, "deploy", "placement", "constraints", i)
        if attr == "node.role":
            if value not in ("worker", "manager"):
                conv.warn(path, f"{c!r}: node.role is worker or manager; not mapped to {TARGET}")
                continue
            on_control_plane = (value == "manager") == (op == "==")
            exprs.append({"key": CONTROL_PLANE_LABEL, "operator": "Exists" if on_control_plane else "DoesNotExist"})
            if on_control_plane:
                tolerations.append({"key": CONTROL_PLANE_LABEL, "operator": "Exists", "effect": "NoSchedule"})
        elif attr.startswith("node.labels."):
            key = attr[len("node.labels."):]
            if not _QUALIFIED.match(key) or not _LABEL_VALUE.match(value):
                conv.warn(path, f"{c!r}: not a valid Kubernetes node label; not mapped to {TARGET}")
                continue
            exprs.append({"key": key, "operator": "In" if op == "==" else "NotIn", "values": [value]})
        elif attr in _NODE_ATTRS:
            if attr == "node.platform.arch":
                value = _ARCH.get(value, value)
            exprs.append({"key": _NODE_ATTRS[attr], "operator": "In" if op == "==" else "NotIn",
                          "values": [value]})
        else:
            conv.warn(path, f"{c!r}: no Kubernetes node label for {attr}; not mapped to {TARGET}")
    return exprs, tolerations


class _Converter:
    def __init__(self, project: ComposeProject, namespace: str | None, published_service_type: str,
                 volume_size: str, storage_class: str | None, env_file_config_map: bool = False,
                 service_groups: bool = False):
        self.p = project
        self.service_groups = service_groups
        self.env_file_config_map = env_file_config_map
        self.kl = KomposeLabels()  # the kompose labels of the service being converted
        self.groups: dict[str, list[Service]] = {}  # kompose.service.group -> its services
        self.ns = namespace
        self.default_type = published_service_type
        self.volume_size = volume_size
        self.storage_class = storage_class
        self.out = KubernetesConversion()
        self.instance = dns_label(project.name)
        self.claims: dict[str, str] = {}  # compose volume key -> claim name
        self.config_maps: dict[str, str] = {}
        self.secret_objs: dict[str, str] = {}

    def labels(self, svc: Service | None = None) -> dict:
        out = {"app.kubernetes.io/part-of": self.instance, "app.kubernetes.io/managed-by": "dockyard"}
        if svc is not None:
            out.update(self.selector(svc))
        return out

    def selector(self, svc: Service) -> dict:
        return {"app.kubernetes.io/name": dns_label(svc.name), "app.kubernetes.io/instance": self.instance}

    def annotations(self, svc: Service) -> dict:
        out = {}
        for source, labels in (("labels", svc.labels), ("deploy.labels", svc.deploy.labels)):
            for key, value in labels.items():
                if _QUALIFIED.match(key):
                    out[key] = value
                else:
                    self.out.warn(field_path(svc, *source.split("."), key),
                                  "not a valid Kubernetes annotation key; not mapped")
        return out

    # -- project-level objects ------------------------------------------------------------------

    def claim(self, name: str, labels: dict | None = None, annotations: dict | None = None) -> str:
        """A ReadWriteOnce claim; kompose.volume.size / storage-class-name of the service override."""
        size = self.kl.volume_size or self.volume_size
        storage_class = self.kl.storage_class or self.storage_class
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
        if storage_class:
            spec["storageClassName"] = storage_class
        self.out.objects.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                 "metadata": _meta(name, self.ns, labels or self.labels(), annotations),
                                 "spec": spec})
        return name

    def claim_for(self, key: str) -> str:
        if key in self.claims:
            return self.claims[key]
        vol = self.p.volumes[key]
        if vol.external:
            name = vol.name_override or key
            self.out.warn(f"volumes.{key}.external", f"assumed to be an existing PersistentVolumeClaim {name!r}")
            self.claims[key] = name
            return name
        name = dns_label(vol.name_override or key, 253)
        if vol.driver:
            self.out.warn(f"volumes.{key}.driver", f"not mapped to {TARGET} (the cluster's storage class decides)")
        if vol.driver_opts:
            self.out.warn(f"volumes.{key}.driver_opts", f"not mapped to {TARGET}")
        self.claim(name, None, {k: v for k, v in vol.labels.items() if _QUALIFIED.match(k)})
        self.claims[key] = name
        return name

    def file_object(self, kind: str, key: str) -> str | None:
        """A ConfigMap (configs) or Secret (secrets) holding the object's data under the key "content"."""
        cache = self.config_maps if kind == "config" else self.secret_objs
        if key in cache:
            return cache[key]
        obj = (self.p.configs if kind == "config" else self.p.secrets)[key]
        top = f"{kind}s.{key}"
        if obj.external:
            name = obj.name_override or key
            what = "ConfigMap" if kind == "config" else "Secret"
            self.out.warn(f"{top}.external", f"assumed to be an existing {what} {name!r} with the key 'content'")
            cache[key] = name
            return name
        data = obj.read_bytes()
        if data is None:
            self.out.warn(f"{top}.environment", f"not mapped to {TARGET} (the value would come from the shell)")
            cache[key] = None
            return None
        name = dns_label(f"{kind}-{obj.name_override or key}", 253)
        meta = _meta(name, self.ns, self.labels())
        if kind == "config":
            try:
                body = {"data": {"content": data.decode("utf-8")}}
            except UnicodeDecodeError:
                body = {"binaryData": {"content": base64.b64encode(data).decode()}}
            manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, **body}
        else:
            manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque",
                        "data": {"content": base64.b64encode(data).decode()}}
        self.out.objects.append(manifest)
        cache[key] = name
        return name

    def claim_template(self, name: str) -> dict:
        """A StatefulSet volumeClaimTemplate: one claim per replica."""
        spec = {"accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": self.kl.volume_size or self.volume_size}}}
        if self.kl.storage_class or self.storage_class:
            spec["storageClassName"] = self.kl.storage_class or self.storage_class
        return {"metadata": {"name": name}, "spec": spec}

    def bind_config_map(self, svc: Service, name: str, m, index: int, vpath: str, at: tuple = ()):
        """kompose.volume.type: configMap: the bind source's file, or the files of its directory,
        in a ConfigMap `<service>-cm<N>`; returns (volume, subPath) or None with a warning.

        The files are read here, so the source and every file in it (symlinks followed) must lie
        in the project (components/projectfiles.py): ComposeError, exit 2, otherwise."""
        from components.compose.loader import fmt_path
        from components.projectfiles import OutsideProject, ProjectFiles

        allowed = self.p.files or ProjectFiles.of(self.p.path.parent)
        try:
            source = allowed.resolve(m.source)
            files = ([source] if source.is_file() else
                     sorted(f for f in source.iterdir() if f.is_file()) if source.is_dir() else [])
            for f in files:
                allowed.resolve(f, str(source / f.name) if f.parent == source else str(f))
        except OutsideProject as exc:
            raise self.p.error(f"{fmt_path(at)}: kompose.volume.type configMap: {exc}", *at) from None
        if not files:
            self.out.warn(vpath, f"kompose.volume.type configMap: {m.source} has no files to ship; not mapped")
            return None
        if sum(f.stat().st_size for f in files) > CONFIG_MAP_LIMIT:
            self.out.warn(vpath, f"kompose.volume.type configMap: {m.source} is over a ConfigMap's 1 MiB; "
                          "not mapped")
            return None
        data, binary = {}, {}
        for f in files:
            raw = safeload.read_bytes(f)
            try:
                data[f.name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                binary[f.name] = base64.b64encode(raw).decode()
        cm_name = dns_label(f"{name}-cm{index}", 253)
        manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(cm_name, self.ns, self.labels(svc))}
        if data:
            manifest["data"] = data
        if binary:
            manifest["binaryData"] = binary
        self.out.objects.append(manifest)
        if source.is_file():
            target = PurePosixPath(m.target).name
            return ({"name": cm_name, "configMap": {"name": cm_name, "items": [{"key": source.name, "path": target}]}},
                    target)
        return {"name": cm_name, "configMap": {"name": cm_name}}, None

    def env_file_maps(self, svc: Service, name: str) -> list[dict]:
        """One ConfigMap per env_file, named `<service>-<file name>` as kompose names it."""
        from components.compose.loader import read_env_file

        refs = []
        for path in svc.env_file_paths:
            data = {}
            for key, value in read_env_file(path).items():
                if value is None:
                    value = svc.env_file.get(key)
                if value is None:
                    self.out.warn(field_path(svc, "env_file"), f"{key} has no value in {path.name}; not mapped")
                    continue
                data[key] = value
            cm_name = dns_label(f"{name}-{path.name}", 253)
            if cm_name not in {o["metadata"]["name"] for o in self.out.objects if o["kind"] == "ConfigMap"}:
                self.out.objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": _meta(cm_name, self.ns, self.labels(svc)), "data": data})
            refs.append({"configMapRef": {"name": cm_name}})
        return refs

    # -- per service ------------------------------------------------------------------------------

    def service_type(self, svc: Service) -> str:
        raw = self.kl.service_type
        if raw is None and self.kl.node_port:
            return "NodePort"
        if raw is None:
            if svc.deploy.endpoint_mode == "dnsrr":
                return "Headless"
            return self.default_type if any(p.published for p in svc.ports) else "ClusterIP"
        kind = SERVICE_TYPES.get(raw.lower())
        if kind is None:
            self.out.warn(field_path(svc, "labels", "kompose.service.type"),
                          f"{raw!r} is not one of {', '.join(SERVICE_TYPES.values())}; using ClusterIP")
            return "ClusterIP"
        return kind

    def service(self, svc: Service, name: str, annotations: dict) -> dict:
        ports, seen = [], set()
        for port in list(svc.ports) + list(svc.expose):
            number = port.published or port.target
            proto = port.protocol.upper()
            if (number, proto) in seen:
                continue
            seen.add((number, proto))
            ports.append({"name": f"{port.protocol}-{number}", "port": number, "targetPort": port.target,
                          "protocol": proto})
        kind = self.service_type(svc)
        if self.kl.node_port and ports:
            if kind == "NodePort":
                ports[0]["nodePort"] = self.kl.node_port
            else:
                self.out.warn(field_path(svc, "labels", "kompose.service.nodeport.port"),
                              f"only used with a NodePort Service (this one is {kind}); ignored")
        if self.kl.controller == "StatefulSet" and kind == "ClusterIP":
            kind = "Headless"  # a StatefulSet's governing Service (serviceName) is headless
        spec: dict = {"selector": self.selector(svc)}
        if kind == "Headless" or not ports:
            if not ports and kind not in ("ClusterIP", "Headless"):
                self.out.warn(field_path(svc, "labels", "kompose.service.type"),
                              f"{kind} needs ports; the service has none, so it gets a headless Service")
            spec["clusterIP"] = "None"
        else:
            spec["type"] = kind
        if ports:
            spec["ports"] = ports
        return {"apiVersion": "v1", "kind": "Service",
                "metadata": _meta(name, self.ns, self.labels(svc), annotations), "spec": spec}

    def container(self, svc: Service, name: str, pod: dict) -> dict:
        conv = self.out
        image = svc.image
        if "build" in svc.extras:
            conv.warn(field_path(svc, "build"), f"not mapped to {TARGET}: build and push the image, then set image")
        if image is None:
            image = name
        c: dict = {"name": name, "image": image,
                   **present({"command": svc.entrypoint, "args": svc.command, "workingDir": svc.working_dir})}
        pull = svc.extras.get("pull_policy")
        if self.kl.pull_policy:
            c["imagePullPolicy"] = self.kl.pull_policy
        elif pull:
            if pull in _PULL:
                c["imagePullPolicy"] = _PULL[pull]
            else:
                conv.warn(field_path(svc, "pull_policy"), f"{pull!r} not mapped to {TARGET}")
        # ports
        cports, seen = [], set()
        for i, port in enumerate(list(svc.ports) + list(svc.expose)):
            if port.host_ip and port.mode != "host":
                conv.warn(field_path(svc, "ports", i), f"host_ip {port.host_ip} not mapped to {TARGET} "
                          "(Services listen on every node address)")
            key = (port.target, port.protocol)
            if key in seen:
                continue
            seen.add(key)
            cp = {"containerPort": port.target, "protocol": port.protocol.upper()}
            if port.mode == "host" and port.published:
                cp["hostPort"] = port.published
                if port.host_ip:
                    cp["hostIP"] = port.host_ip
            cports.append(cp)
        if cports:
            c["ports"] = cports
        # environment: env_file inline (or, when asked, one ConfigMap per file through envFrom),
        # then environment, which wins as in compose
        inline = dict(svc.environment)
        if svc.env_file:
            if self.env_file_config_map or svc.labels.get(ENV_FILE_LABEL, "").lower() == "configmap":
                c["envFrom"] = self.env_file_maps(svc, name)
            else:
                inline = svc.all_environment
        if inline:
            env = []
            for key, value in inline.items():
                if value is None:
                    conv.warn(field_path(svc, "environment", key),
                              f"has no value in the compose file; set to an empty string on {TARGET}")
                    value = ""
                env.append({"name": key, "value": value})
            c["env"] = env
        # healthcheck -> liveness probe (as kompose) and readiness probe (the same, unless the
        # kompose.service.healthcheck.readiness.* labels say otherwise or disable it)
        hc = svc.healthcheck
        if hc is not None and hc.disable:
            hc = None
        kl = self.kl
        liveness = _probe(hc, kl.liveness) if not kl.liveness.disable else None
        readiness = None
        if not kl.readiness.disable:
            readiness = _probe(hc, kl.readiness) if kl.readiness.handler else liveness
            if readiness is not None and readiness is liveness and kl.readiness.given:
                readiness = _probe(hc, ProbeLabels(**{**kl.liveness.__dict__, **{
                    k: v for k, v in kl.readiness.__dict__.items() if v not in (None, False)}}))
        if liveness:
            c["livenessProbe"] = liveness
        if readiness:
            c["readinessProbe"] = dict(readiness)
        if hc is not None and hc.test is None and liveness is None:
            conv.warn(field_path(svc, "healthcheck"), f"no test: the image's HEALTHCHECK is not visible to "
                      f"{TARGET}; no probes")
        if hc is not None and hc.start_interval is not None:
            conv.warn(field_path(svc, "healthcheck", "start_interval"), f"not mapped to {TARGET}")
        # resources
        res = svc.deploy.resources
        resources: dict = {}
        for part, spec in (("limits", res.limits), ("requests", res.reservations)):
            values = {}
            if spec.cpus is not None:
                values["cpu"] = quantity_cpu(spec.cpus)
            if spec.memory is not None:
                values["memory"] = quantity_memory(spec.memory)
            ephemeral = kl.ephemeral_limit if part == "limits" else kl.ephemeral_request
            if ephemeral:
                values["ephemeral-storage"] = ephemeral
            if values:
                resources[part] = values
            compose_part = "limits" if part == "limits" else "reservations"
            for extra in ("pids", "devices", "generic_resources"):
                if getattr(spec, extra):
                    conv.warn(field_path(svc, "deploy", "resources", compose_part, extra), f"not mapped to {TARGET}")
        if resources:
            c["resources"] = resources
        # security context
        sc: dict = {}
        if svc.user is not None:
            m = re.fullmatch(r"(\d+)(?::(\d+))?", svc.user)
            if m:
                sc["runAsUser"] = int(m.group(1))
                if m.group(2):
                    sc["runAsGroup"] = int(m.group(2))
            else:
                conv.warn(field_path(svc, "user"), f"{svc.user!r}: {TARGET} needs a numeric user id; not mapped")
        sc.update(present({"privileged": svc.privileged, "readOnlyRootFilesystem": svc.read_only}))
        caps = {}
        if svc.cap_add:
            caps["add"] = [x.upper().removeprefix("CAP_") for x in svc.cap_add]
        if svc.cap_drop:
            caps["drop"] = [x.upper().removeprefix("CAP_") for x in svc.cap_drop]
        if caps:
            sc["capabilities"] = caps
        if sc:
            c["securityContext"] = sc
        c.update(present({"tty": svc.tty, "stdin": svc.stdin_open}))
        # mounts: named volumes are claims; tmpfs an in-memory emptyDir; bind mounts and anonymous
        # volumes become a new claim each (kompose's rule) unless kompose.volume.type says
        # configMap (the files are shipped), hostPath, or emptyDir.
        mounts, volumes = [], []
        vtype = kl.volume_type
        counters = {"claim": 0, "cm": 0}
        for i, m in enumerate(svc.volumes):
            vpath = f"{field_path(svc, 'tmpfs' if m.type == 'tmpfs' else 'volumes')} ({m.target})"
            sub_path = None
            if m.type == "tmpfs":
                vol = {"name": f"tmpfs-{i}", "emptyDir": {"medium": "Memory"}}
                if m.tmpfs_size:
                    vol["emptyDir"]["sizeLimit"] = quantity_memory(m.tmpfs_size)
            elif vtype == "emptyDir":
                vol = {"name": f"{name}-empty{i}", "emptyDir": {}}
            elif vtype == "hostPath" and m.type == "bind":
                # guardrails flag hostPath volumes (docs/guardrails.md); the label asks for one
                vol = {"name": f"{name}-hostpath{i}", "hostPath": {"path": m.source}}
            elif vtype == "configMap" and m.type == "bind":
                made = self.bind_config_map(svc, name, m, counters["cm"], vpath, ("services", svc.name, "volumes", i))
                if made is None:
                    continue
                vol, sub_path = made
                counters["cm"] += 1
            else:
                if vtype in ("hostPath", "configMap"):
                    conv.warn(vpath, f"kompose.volume.type {vtype} needs a bind mount (a host path); "
                              "a claim instead")
                if m.type == "bind" or m.source is None:
                    claim = dns_label(f"{name}-claim{counters['claim']}", 253)
                    counters["claim"] += 1
                    if m.type == "bind":
                        conv.warn(vpath, f"bind mount of {m.source}: a new empty claim {claim!r} on {TARGET} "
                                  "(the host's files are not copied; kompose.volume.type: configMap ships them)")
                    if self.kl.controller == "StatefulSet":
                        self.templates.append(self.claim_template(claim))
                        vol = {"name": claim}
                    else:
                        vol = {"name": claim, "persistentVolumeClaim": {"claimName": self.claim(claim, self.labels(svc))}}
                elif self.kl.controller == "StatefulSet" and not self.p.volumes[m.source].external:
                    tname = dns_label(self.p.volumes[m.source].name_override or m.source)
                    if tname not in {t["metadata"]["name"] for t in self.templates}:
                        self.templates.append(self.claim_template(tname))
                    vol = {"name": tname}
                else:
                    claim = self.claim_for(m.source)
                    vol = {"name": dns_label(f"vol-{m.source}"), "persistentVolumeClaim": {"claimName": claim}}
                    replicas = svc.deploy.replicas if svc.deploy.mode == "replicated" else None
                    if svc.deploy.mode == "global" or (replicas or 1) > 1:
                        conv.warn(vpath, f"volume {m.source!r} becomes a ReadWriteOnce claim: pods on different "
                                  "nodes cannot share it")
                if m.read_only and "persistentVolumeClaim" in vol:
                    vol["persistentVolumeClaim"]["readOnly"] = True
            if len(vol) > 1 and vol["name"] not in {v["name"] for v in volumes}:
                volumes.append(vol)
            mount = {"name": vol["name"], "mountPath": m.target}
            if sub_path:
                mount["subPath"] = sub_path
            if m.read_only:
                mount["readOnly"] = True
            mounts.append(mount)
        for kind, refs in (("config", svc.configs), ("secret", svc.secrets)):
            for ref in refs:
                obj_name = self.file_object(kind, ref.source)
                if obj_name is None:
                    conv.warn(field_path(svc, kind + "s") + f" ({ref.source})", f"not mapped to {TARGET}")
                    continue
                # one volume per config/secret; one item (file) per distinct target name
                vname = dns_label(f"{kind}-{ref.source}")
                vol = next((v for v in volumes if v["name"] == vname), None)
                if vol is None:
                    vol = {"name": vname, **({"configMap": {"name": obj_name, "items": []}} if kind == "config"
                                             else {"secret": {"secretName": obj_name, "items": []}})}
                    volumes.append(vol)
                items = vol["configMap" if kind == "config" else "secret"]["items"]
                path = PurePosixPath(ref.target).name or "content"
                item = next((it for it in items if it["path"] == path), None)
                if item is None:
                    item = {"key": "content", "path": path}
                    items.append(item)
                if ref.mode is not None:
                    item["mode"] = ref.mode
                mounts.append({"name": vname, "mountPath": ref.target, "subPath": path, "readOnly": True})
                if ref.uid is not None or ref.gid is not None:
                    conv.warn(field_path(svc, kind + "s") + f" ({ref.source})",
                              f"uid/gid not mapped to {TARGET} (files belong to the pod's fsGroup)")
        if mounts:
            c["volumeMounts"] = mounts
        if volumes:
            pod["volumes"] = volumes
        return c

    def convert_service(self, svc: Service) -> None:
        conv = self.out
        name = dns_label(svc.name)
        if name != svc.name:
            conv.warn(field_path(svc), f"named {name!r} on {TARGET} (compose name {svc.name!r} is not a DNS label)")
        annotations = self.annotations(svc)
        self.kl = kompose_labels.read(svc, conv)
        self.templates = []  # StatefulSet volumeClaimTemplates
        if self.kl.group and self.service_groups:
            self.groups.setdefault(self.kl.group, []).append(svc)
        elif self.kl.group:
            conv.warn(field_path(svc, "labels", "kompose.service.group"),
                      "used only when service groups are asked for (as kompose's --service-group-mode=label): "
                      "dockyard convert --service-groups, or serviceGroups: true on the app")
        # pod-level settings
        pod: dict = {}
        container = self.container(svc, name, pod)
        pod = {"containers": [container], **pod}
        if self.kl.pull_secret:
            pod["imagePullSecrets"] = [{"name": self.kl.pull_secret}]
        if svc.hostname:
            pod["hostname"] = dns_label(svc.hostname)
        if svc.stop_grace_period is not None:
            pod["terminationGracePeriodSeconds"] = ceil_seconds(svc.stop_grace_period)
        if svc.extra_hosts:
            by_ip: dict[str, list[str]] = {}
            for host, ip in svc.extra_hosts.items():
                if ip == "host-gateway":
                    conv.warn(field_path(svc, "extra_hosts", host), f"host-gateway not mapped to {TARGET}")
                    continue
                by_ip.setdefault(ip, []).append(host)
            if by_ip:
                pod["hostAliases"] = [{"ip": ip, "hostnames": hosts} for ip, hosts in by_ip.items()]
        network_mode = svc.extras.get("network_mode")
        if network_mode == "host":
            pod["hostNetwork"] = True
        elif network_mode:
            conv.warn(field_path(svc, "network_mode"), f"{network_mode!r} not mapped to {TARGET} (only host is)")
        sysctls = svc.extras.get("sysctls")
        if sysctls:
            items = sysctls.items() if isinstance(sysctls, dict) else (s.partition("=")[::2] for s in sysctls)
            pod["securityContext"] = {"sysctls": [{"name": k, "value": str(v)} for k, v in items]}
        exprs, tolerations = _affinity_terms(svc, conv)
        if exprs:
            pod["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": exprs}]}}}
        if tolerations:
            pod["tolerations"] = tolerations
        placement = svc.deploy.placement
        if placement.preferences:
            pod["topologySpreadConstraints"] = []
            for i, pref in enumerate(placement.preferences):
                key = pref.removeprefix("node.labels.")
                if pref == key or not _QUALIFIED.match(key):
                    conv.warn(field_path(svc, "deploy", "placement", "preferences", i),
                              f"spread over {pref!r} not mapped to {TARGET} (only node.labels.* are)")
                    continue
                pod["topologySpreadConstraints"].append({
                    "maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": self.selector(svc)}})
            if not pod["topologySpreadConstraints"]:
                del pod["topologySpreadConstraints"]
        if placement.max_replicas_per_node is not None:
            conv.warn(field_path(svc, "deploy", "placement", "max_replicas_per_node"), f"not mapped to {TARGET}")
        self.warn_unmapped(svc)

        template = {"metadata": {"labels": self.labels(svc)}, "spec": pod}
        if svc.labels:
            pod_annotations = {k: v for k, v in svc.labels.items() if _QUALIFIED.match(k)}
            if pod_annotations:
                template["metadata"]["annotations"] = pod_annotations
        meta = _meta(name, self.ns, self.labels(svc), annotations)
        deploy = svc.deploy
        controller = self.kl.controller or ("DaemonSet" if deploy.mode == "global" else "Deployment")
        if controller != "DaemonSet" and deploy.mode == "global":
            conv.warn(field_path(svc, "deploy", "mode"), f"global: kompose.controller.type makes a {controller}")
        if controller == "DaemonSet" and deploy.replicas is not None and deploy.mode != "global":
            conv.warn(field_path(svc, "deploy", "replicas"), "not used: a DaemonSet runs one pod per node")
        if controller == "DaemonSet":
            spec = {"selector": {"matchLabels": self.selector(svc)}, "template": template}
            uc = deploy.update_config
            if uc is not None and uc.parallelism:
                spec["updateStrategy"] = {"type": "RollingUpdate",
                                          "rollingUpdate": {"maxUnavailable": uc.parallelism}}
            workload = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta, "spec": spec}
        else:
            spec = {"replicas": 1 if deploy.replicas is None else deploy.replicas,
                    "selector": {"matchLabels": self.selector(svc)}, "template": template}
            strategy = self.strategy(svc)
            if strategy:
                spec["strategy"] = strategy
            if controller == "StatefulSet":
                spec["serviceName"] = name
                spec.pop("strategy", None)
                if self.templates:
                    spec["volumeClaimTemplates"] = self.templates
            workload = {"apiVersion": "apps/v1", "kind": controller, "metadata": meta, "spec": spec}
        service = self.service(svc, name, annotations)
        self.out.objects.append(service)
        self.out.objects.append(workload)
        if self.kl.expose:
            self.ingress(svc, name, service)

    def ingress(self, svc: Service, name: str, service: dict) -> None:
        """kompose.service.expose: an Ingress to the Service's first port, one rule per host[/path]."""
        ports = service["spec"].get("ports")
        if not ports:
            self.out.warn(field_path(svc, "labels", "kompose.service.expose"),
                          "the service has no ports to expose; no Ingress")
            return
        backend = {"service": {"name": name, "port": {"number": ports[0]["port"]}}}
        rules = []
        for host, path in self.kl.expose:
            rule = {"http": {"paths": [{"path": path, "pathType": "Prefix", "backend": backend}]}}
            if host:
                rule = {"host": host, **rule}
            rules.append(rule)
        spec: dict = {"rules": rules}
        if self.kl.ingress_class:
            spec = {"ingressClassName": self.kl.ingress_class, **spec}
        if self.kl.tls_secret:
            hosts = [h for h, _ in self.kl.expose if h]
            spec["tls"] = [{**({"hosts": hosts} if hosts else {}), "secretName": self.kl.tls_secret}]
        self.out.objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                                 "metadata": _meta(name, self.ns, self.labels(svc)), "spec": spec})

    def merge_group(self, group: str, members: list[Service]) -> None:
        """kompose.service.group: the members' containers in one pod (one workload named after the
        group, settings of its first member); each member keeps its Service, which selects that pod."""
        label = "kompose.service.group"
        if len(members) < 2:
            self.out.warn(field_path(members[0], "labels", label), f"{group!r} has one service; nothing to group")
            return
        names = [dns_label(m.name) for m in members]
        workloads = [o for o in self.out.objects if o["kind"] in ("Deployment", "DaemonSet", "StatefulSet")
                     and o["metadata"]["name"] in names]
        kinds = {w["kind"] for w in workloads}
        replicas = {w["spec"].get("replicas") for w in workloads}
        if len(kinds) > 1 or len(replicas) > 1:
            self.out.warn(field_path(members[0], "labels", label), f"{group!r}: its services differ in controller "
                          "or replicas; not grouped (each stays its own pod)")
            return
        first = workloads[0]
        pod = first["spec"]["template"]["spec"]
        ports: dict[tuple, str] = {}
        for w in workloads:
            for c in w["spec"]["template"]["spec"]["containers"]:
                for p in c.get("ports", []):
                    key = (p["containerPort"], p["protocol"])
                    if key in ports and ports[key] != c["name"]:
                        self.out.warn(field_path(members[0], "labels", label),
                                      f"{group!r}: {c['name']} and {ports[key]} both listen on {key[0]}/{key[1]} "
                                      "in one pod; not grouped")
                        return
                    ports[key] = c["name"]
        for w in workloads[1:]:
            other = w["spec"]["template"]["spec"]
            pod["containers"].extend(other["containers"])
            known = {v["name"] for v in pod.get("volumes", [])}
            for v in other.get("volumes", []):
                if v["name"] not in known:
                    pod.setdefault("volumes", []).append(v)
            self.out.objects.remove(w)
        gname = dns_label(group)
        selector = {"app.kubernetes.io/name": gname, "app.kubernetes.io/instance": self.instance}
        first["metadata"]["name"] = gname
        first["metadata"]["labels"] = {**self.labels(), **selector}
        first["spec"]["selector"] = {"matchLabels": dict(selector)}
        first["spec"]["template"]["metadata"]["labels"] = {**self.labels(), **selector}
        if first["kind"] == "StatefulSet":
            first["spec"]["serviceName"] = names[0]
        for o in self.out.objects:
            if o["kind"] == "Service" and o["metadata"]["name"] in names:
                o["spec"]["selector"] = dict(selector)
        for spread in pod.get("topologySpreadConstraints", []):
            spread["labelSelector"] = {"matchLabels": dict(selector)}

    def strategy(self, svc: Service) -> dict | None:
        uc = svc.deploy.update_config
        if uc is None:
            return None
        step = uc.parallelism if uc.parallelism is not None else 1
        step = "100%" if step == 0 else step  # 0 means all at once in swarm
        if uc.order == "start-first":
            rolling = {"maxSurge": step, "maxUnavailable": 0}
        else:
            rolling = {"maxSurge": 0, "maxUnavailable": step}
        return {"type": "RollingUpdate", "rollingUpdate": rolling}

    def warn_unmapped(self, svc: Service) -> None:
        conv = self.out
        d = svc.deploy
        if d.restart_policy is not None:
            rp = d.restart_policy
            if rp.condition != "any":
                conv.warn(field_path(svc, "deploy", "restart_policy", "condition"),
                          f"{rp.condition}: {TARGET} restarts the containers of a Deployment or DaemonSet "
                          "after any exit (restartPolicy Always)")
            for attr in ("delay", "max_attempts", "window"):
                if getattr(rp, attr) is not None:
                    conv.warn(field_path(svc, "deploy", "restart_policy", attr),
                              f"not mapped to {TARGET} (the kubelet's back-off decides)")
        if svc.restart in ("no",) or (svc.restart or "").startswith("on-failure"):
            conv.warn(field_path(svc, "restart"), f"{svc.restart}: {TARGET} restarts the containers of a "
                      "Deployment or DaemonSet after any exit (restartPolicy Always)")
        if d.update_config is not None:
            for attr in ("delay", "failure_action", "monitor", "max_failure_ratio"):
                if getattr(d.update_config, attr) is not None:
                    conv.warn(field_path(svc, "deploy", "update_config", attr), f"not mapped to {TARGET}")
            if d.mode == "global" and d.update_config.order == "start-first":
                conv.warn(field_path(svc, "deploy", "update_config", "order"),
                          f"start-first not mapped for a DaemonSet on {TARGET}")
        if d.rollback_config is not None:
            conv.warn(field_path(svc, "deploy", "rollback_config"),
                      f"not mapped to {TARGET} (roll back with `kubectl rollout undo`)")
        if d.endpoint_mode == "dnsrr" and (svc.labels.get("kompose.service.type") or "").lower() not in ("", "headless"):
            conv.warn(field_path(svc, "deploy", "endpoint_mode"), "ignored: kompose.service.type decides")
        if any(n != "default" for n in svc.networks):
            conv.warn(field_path(svc, "networks"), f"not mapped to {TARGET} (pods share one network and reach "
                      "each other by service name)")
        if any(n.aliases or n.ipv4_address for n in svc.networks.values()):
            conv.warn(field_path(svc, "networks"), f"aliases and fixed addresses not mapped to {TARGET}")
        if svc.depends_on:
            conv.warn(field_path(svc, "depends_on"), f"not mapped to {TARGET} (pods start independently; "
                      "readiness probes gate traffic)")
        if svc.stop_signal:
            conv.warn(field_path(svc, "stop_signal"), f"not mapped to {TARGET}")
        if svc.extras.get("container_name"):
            conv.warn(field_path(svc, "container_name"), f"not mapped to {TARGET} (pods get generated names; "
                      "the Service keeps the compose name)")
        warn_unmapped_extras(svc, conv, TARGET, _MAPPED_EXTRAS | {"build", "container_name"})

    def run(self, create_namespace: bool) -> KubernetesConversion:
        if create_namespace and self.ns:
            self.out.objects.append({"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": self.ns, "labels": self.labels()}})
        for svc in self.p.services.values():
            self.convert_service(svc)
        for group, members in self.groups.items():
            self.merge_group(group, members)
        self.out.warnings[:0] = list(self.p.warnings)
        # shared objects first (a Deployment needs its claims and config maps), then the rest
        first = ("Namespace", "ConfigMap", "Secret", "PersistentVolumeClaim")
        self.out.objects.sort(key=lambda o: first.index(o["kind"]) if o["kind"] in first else len(first))
        return self.out


def to_kubernetes(project: ComposeProject, *, namespace: str | None = None, create_namespace: bool = False,
                  published_service_type: str = "ClusterIP", volume_size: str = "1Gi",
                  storage_class: str | None = None, env_file_config_map: bool = False,
                  service_groups: bool = False) -> KubernetesConversion:
    """Kubernetes manifests for every compose service, plus warnings naming each unmapped field.

    `published_service_type` is the Service type of a service with published ports and no
    kompose.service.type label (kompose's default, ClusterIP; a cluster component may pass
    LoadBalancer or NodePort). `volume_size` is the request of each PVC.
    `env_file_config_map`: env_file contents as one ConfigMap per file, referenced with envFrom (as
    kompose does); by default they are inline `env` entries. A service asks for it alone with the
    label ``dockyard.env_file: configmap``. `service_groups`: services sharing a
    kompose.service.group label run as one pod (kompose's --service-group-mode=label). kompose's labels (components/compose/kompose_labels.py)
    are honoured per service.
    """
    if published_service_type not in ("ClusterIP", "NodePort", "LoadBalancer"):
        raise ValueError(f"published_service_type {published_service_type!r}")
    return _Converter(project, namespace, published_service_type, volume_size, storage_class,
                      env_file_config_map, service_groups).run(create_namespace)
