"""Compose -> Docker swarm service specs shaped for pulumi_docker (what `docker stack deploy` does).

The output is plain dicts whose keys are the Python argument names of pulumi_docker.Service,
Network, ServiceConfig and Secret (pulumi_docker 4.x/5.x `ServiceArgs`, `ServiceTaskSpecArgs`, ...),
so a component passes them straight through: `docker.Service(name, **spec, opts=...)`.
Objects are named `<stack>_<key>` and labelled com.docker.stack.namespace=<stack>, as
`docker stack deploy` names them, so `docker stack ps <stack>` still works; configs and secrets
the stack creates add `-<content hash>` (see `content_name`), and services still mount them at
the compose target. Each service gets
its compose name as a network alias, so services reach each other by compose name.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.compose._common import field_path, present, resolved_environment, warn_unmapped_extras
from components.compose.model import ComposeProject, Conversion, Service, UpdateConfig
from components.compose.units import format_duration

TARGET = "swarm"
STACK_LABEL = "com.docker.stack.namespace"
# Extras the swarm spec has a field for; the rest are warned about.
_MAPPED_EXTRAS = {"init", "sysctls", "dns", "dns_search", "dns_opt", "group_add", "logging", "platform",
                  "isolation"}
# Fields a swarm service has no place for, with the reason users need.
_UNSUPPORTED = {
    "privileged": "swarm services cannot run privileged",
    "tty": "pulumi_docker services have no tty setting",
    "stdin_open": "pulumi_docker services have no stdin setting",
    "depends_on": "swarm starts services independently (docker stack deploy ignores it too)",
}


@dataclass
class SwarmConversion(Conversion):
    """Keyword arguments for pulumi_docker resources, keyed by the compose name.

    services: compose service -> docker.Service kwargs (name, task_spec, mode, update_config,
              rollback_config, endpoint_spec, labels)
    networks: compose network -> docker.Network kwargs, only networks the stack must create
    configs:  compose config -> docker.ServiceConfig kwargs (name, data_raw), only those to create
    secrets:  compose secret -> docker.Secret kwargs (name, data base64), only those to create
    object_names: ("network"|"config"|"secret"|"volume", key) -> the Docker object name used
    """

    stack: str = ""
    services: dict[str, dict] = field(default_factory=dict)
    networks: dict[str, dict] = field(default_factory=dict)
    configs: dict[str, dict] = field(default_factory=dict)
    secrets: dict[str, dict] = field(default_factory=dict)
    object_names: dict[tuple[str, str], str] = field(default_factory=dict)


def _labels(labels: Mapping[str, str]) -> list[dict]:
    return [{"label": k, "value": v} for k, v in labels.items()]


def _duration(seconds: float | None) -> str | None:
    return None if seconds is None else format_duration(seconds)


def _update(uc: UpdateConfig) -> dict:
    return present({"parallelism": uc.parallelism, "delay": _duration(uc.delay), "failure_action": uc.failure_action,
                    "monitor": _duration(uc.monitor),
                    "max_failure_ratio": None if uc.max_failure_ratio is None else str(uc.max_failure_ratio),
                    "order": uc.order})


def _restart_policy(svc: Service) -> dict | None:
    rp = svc.deploy.restart_policy
    if rp is not None:
        return {"condition": rp.condition, **present({"delay": _duration(rp.delay), "max_attempts": rp.max_attempts,
                                                      "window": _duration(rp.window)})}
    # docker stack deploy derives the policy from `restart` when deploy.restart_policy is absent
    # (docker/cli cli/compose/convert/service.go, convertRestartPolicy)
    if svc.restart is None:
        return None
    if svc.restart == "no":
        return {"condition": "none"}
    if svc.restart in ("always", "unless-stopped"):
        return {"condition": "any"}
    _, _, attempts = svc.restart.partition(":")
    out = {"condition": "on-failure"}
    if attempts:
        out["max_attempts"] = int(attempts)
    return out


class _Converter:
    def __init__(self, project: ComposeProject, stack: str, ids: dict[str, Mapping[str, Any]]):
        self.p = project
        self.stack = stack
        self.ids = ids
        self.out = SwarmConversion(stack=stack)

    def object_name(self, kind: str, key: str) -> str:
        obj = {"network": self.p.networks, "volume": self.p.volumes, "config": self.p.configs,
               "secret": self.p.secrets}[kind][key]
        created = {"config": self.out.configs, "secret": self.out.secrets}.get(kind, {})
        if key in created:  # named by its content already
            name = created[key]["name"]
        elif obj.external:
            name = obj.name_override or key
        else:
            name = obj.name_override or f"{self.stack}_{key}"
        self.out.object_names[(kind, key)] = name
        return name

    def content_name(self, kind: str, key: str, data: bytes, labels: list[dict]) -> str:
        """``<name>-<12 hex of sha256(data, labels)>``: a swarm config or secret cannot change in place
        (its data and labels force a new object) and its name is unique, so a changed file gets a new
        object that coexists with the old one until the service has moved to it (create, update the
        service, delete the old one), where a fixed name would fail with "already exists"."""
        digest = hashlib.sha256(data + b"\0" + json.dumps(labels, sort_keys=True).encode()).hexdigest()[:12]
        name = f"{self.out.object_names[(kind, key)]}-{digest}"
        self.out.object_names[(kind, key)] = name
        return name

    def ref(self, kind: str, key: str) -> Any:
        """The id the component passes for an object, else its Docker name (Docker accepts both)."""
        name = self.object_name(kind, key)
        return self.ids.get(kind, {}).get(key, name)

    def network(self, key: str) -> None:
        if key in self.out.networks:
            return
        net = self.p.networks[key]
        name = self.object_name("network", key)
        if net.external:
            return
        driver = net.driver or "overlay"
        if driver != "overlay":
            self.out.warn(f"networks.{key}.driver", f"{driver!r} cannot carry swarm services across nodes; "
                          "using overlay")
            driver = "overlay"
        self.out.networks[key] = {"name": name, "driver": driver,
                                  "labels": _labels({**net.labels, STACK_LABEL: self.stack}),
                                  **present({"attachable": net.attachable, "internal": net.internal,
                                             "options": dict(net.driver_opts)})}

    def file_object(self, kind: str, key: str) -> Any:
        store = self.out.configs if kind == "config" else self.out.secrets
        obj = (self.p.configs if kind == "config" else self.p.secrets)[key]
        name = self.object_name(kind, key)
        if obj.external or key in store:
            return self.ref(kind, key)
        data = obj.read_bytes()
        if data is None:
            self.out.warn(f"{kind}s.{key}.environment", f"not mapped to {TARGET} (the value would come from the "
                          "shell); create it beforehand and mark it external")
            return None
        labels = _labels({**obj.labels, STACK_LABEL: self.stack})
        name = self.content_name(kind, key, data, labels)
        if kind == "config":
            try:
                store[key] = {"name": name, "data_raw": data.decode("utf-8"), "labels": labels}
            except UnicodeDecodeError:
                store[key] = {"name": name, "data": base64.b64encode(data).decode(), "labels": labels}
        else:
            store[key] = {"name": name, "data": base64.b64encode(data).decode(), "labels": labels}
        return self.ref(kind, key)

    def mounts(self, svc: Service) -> list[dict]:
        out = []
        for m in svc.volumes:
            mount: dict = {"type": m.type, "target": m.target}
            if m.read_only:
                mount["read_only"] = True
            if m.type == "volume" and m.source:
                vol = self.p.volumes[m.source]
                mount["source"] = self.object_name("volume", m.source)
                opts: dict = {}
                if not vol.external:
                    opts["labels"] = _labels({**vol.labels, STACK_LABEL: self.stack})
                    if vol.driver:
                        opts["driver_name"] = vol.driver
                    if vol.driver_opts:
                        opts["driver_options"] = dict(vol.driver_opts)
                mount["volume_options"] = opts
            elif m.type == "bind":
                mount["source"] = m.source
            elif m.type == "tmpfs" and m.tmpfs_size:
                mount["tmpfs_options"] = {"size_bytes": m.tmpfs_size}
            out.append(mount)
        return out

    def container_spec(self, svc: Service) -> dict:
        conv = self.out
        if svc.image is None:
            raise self.p.error(f"services.{svc.name}: a swarm service needs an image (swarm cannot build)",
                               "services", svc.name)
        if "build" in svc.extras:
            conv.warn(field_path(svc, "build"), f"not mapped to {TARGET}: swarm runs the image only")
        cs: dict = {"image": svc.image,
                    "labels": _labels({**svc.labels, STACK_LABEL: self.stack})}
        cs.update(present({
            "commands": svc.entrypoint, "args": svc.command, "env": resolved_environment(svc, conv, TARGET),
            "dir": svc.working_dir, "user": svc.user, "hostname": svc.hostname, "read_only": svc.read_only,
            "stop_grace_period": _duration(svc.stop_grace_period),
            "stop_signal": svc.stop_signal, "cap_adds": svc.cap_add, "cap_drops": svc.cap_drop,
            "hosts": [{"host": h, "ip": ip} for h, ip in svc.extra_hosts.items()]}))
        ex = svc.extras
        if "init" in ex:
            cs["init"] = bool(ex["init"])
        if "isolation" in ex:
            cs["isolation"] = ex["isolation"]
        if ex.get("sysctls"):
            s = ex["sysctls"]
            cs["sysctl"] = ({k: str(v) for k, v in s.items()} if isinstance(s, dict)
                            else dict(x.partition("=")[::2] for x in s))
        if "group_add" in ex:
            cs["groups"] = [str(g) for g in ex["group_add"]]
        if any(k in ex for k in ("dns", "dns_search", "dns_opt")):
            def as_list(v):
                return [v] if isinstance(v, str) else list(v or [])
            nameservers = as_list(ex.get("dns"))
            if nameservers:
                dns = {"nameservers": nameservers}
                if ex.get("dns_search"):
                    dns["searches"] = as_list(ex["dns_search"])
                if ex.get("dns_opt"):
                    dns["options"] = list(ex["dns_opt"])
                cs["dns_config"] = dns
            else:
                conv.warn(field_path(svc, "dns_search"), f"not mapped to {TARGET} without dns (nameservers)")
        hc = svc.healthcheck
        if hc is not None:
            h: dict = {}
            if hc.disable:
                h["tests"] = ["NONE"]
            elif hc.test is not None:
                h["tests"] = list(hc.test)
            for attr in ("interval", "timeout", "start_period"):
                if getattr(hc, attr) is not None and not hc.disable:
                    h[attr] = format_duration(getattr(hc, attr))
            if hc.retries is not None and not hc.disable:
                h["retries"] = hc.retries
            if hc.start_interval is not None:
                conv.warn(field_path(svc, "healthcheck", "start_interval"), f"not mapped to {TARGET}")
            if h:
                cs["healthcheck"] = h
        mounts = self.mounts(svc)
        if mounts:
            cs["mounts"] = mounts
        for kind, refs in (("config", svc.configs), ("secret", svc.secrets)):
            entries = []
            for ref in refs:
                ident = self.file_object(kind, ref.source)
                if ident is None:
                    conv.warn(field_path(svc, kind + "s") + f" ({ref.source})", f"not mapped to {TARGET}")
                    continue
                entry = {f"{kind}_id": ident, f"{kind}_name": self.out.object_names[(kind, ref.source)],
                         "file_name": ref.target}
                if ref.uid is not None:
                    entry["file_uid"] = ref.uid
                if ref.gid is not None:
                    entry["file_gid"] = ref.gid
                if ref.mode is not None:
                    entry["file_mode"] = ref.mode
                entries.append(entry)
            if entries:
                cs[kind + "s"] = entries
        return cs

    def convert_service(self, svc: Service) -> dict:
        conv = self.out
        d = svc.deploy
        task: dict = {"container_spec": self.container_spec(svc)}
        rp = _restart_policy(svc)
        if rp:
            task["restart_policy"] = rp
        placement: dict = {}
        if d.placement.constraints:
            placement["constraints"] = list(d.placement.constraints)
        if d.placement.preferences:
            placement["prefs"] = [f"spread={p}" for p in d.placement.preferences]
        if d.placement.max_replicas_per_node is not None:
            placement["max_replicas"] = d.placement.max_replicas_per_node
        platform = svc.extras.get("platform")
        if platform:
            os_, _, arch = platform.partition("/")
            if arch:
                placement["platforms"] = [{"os": os_, "architecture": arch.split("/")[0]}]
            else:
                conv.warn(field_path(svc, "platform"), f"{platform!r}: expected OS/ARCH; not mapped to {TARGET}")
        if placement:
            task["placement"] = placement
        resources: dict = {}
        for part, spec, compose_part in (("limits", d.resources.limits, "limits"),
                                         ("reservation", d.resources.reservations, "reservations")):
            values = {}
            if spec.cpus is not None:
                values["nano_cpus"] = int(round(spec.cpus * 1e9))
            if spec.memory is not None:
                values["memory_bytes"] = spec.memory
            if values:
                resources[part] = values
            for extra in ("pids", "devices", "generic_resources"):
                if getattr(spec, extra):
                    conv.warn(field_path(svc, "deploy", "resources", compose_part, extra), f"not mapped to {TARGET}")
        if resources:
            task["resources"] = resources
        logging = svc.extras.get("logging")
        if logging and logging.get("driver"):
            log = {"name": logging["driver"]}
            if logging.get("options"):
                log["options"] = {k: str(v) for k, v in logging["options"].items()}
            task["log_driver"] = log
        elif logging:
            conv.warn(field_path(svc, "logging", "options"), f"not mapped to {TARGET} without logging.driver")
        nets = []
        for key, sn in svc.networks.items():
            self.network(key)
            ident = self.ref("network", key)
            entry = {"id" if "network" in self.ids else "name": ident,
                     "aliases": [svc.name] + [a for a in sn.aliases if a != svc.name]}
            if sn.ipv4_address:
                conv.warn(field_path(svc, "networks", key, "ipv4_address"), f"not mapped to {TARGET}")
            nets.append(entry)
        if nets:
            task["networks_advanceds"] = nets
        spec: dict = {"name": f"{self.stack}_{svc.name}", "task_spec": task,
                      "labels": _labels({**d.labels, STACK_LABEL: self.stack})}
        if d.mode == "global":
            spec["mode"] = {"global_": True}
        else:
            spec["mode"] = {"replicated": {"replicas": 1 if d.replicas is None else d.replicas}}
        if d.update_config is not None:
            spec["update_config"] = _update(d.update_config)
        if d.rollback_config is not None:
            if d.rollback_config.failure_action == "rollback":
                raise self.p.error(f"services.{svc.name}.deploy.rollback_config.failure_action: rollback is "
                                   "only valid in update_config (use pause or continue)",
                                   "services", svc.name, "deploy", "rollback_config", "failure_action")
            spec["rollback_config"] = _update(d.rollback_config)
        endpoint: dict = {}
        if d.endpoint_mode:
            endpoint["mode"] = d.endpoint_mode
        ports = []
        for i, port in enumerate(svc.ports):
            if port.host_ip:
                conv.warn(field_path(svc, "ports", i), f"host_ip {port.host_ip} not mapped to {TARGET} "
                          "(published ports listen on every node address)")
            if d.endpoint_mode == "dnsrr" and port.mode == "ingress" and port.published:
                raise self.p.error(f"services.{svc.name}.ports[{i}]: an ingress port cannot be published with "
                                   "endpoint_mode dnsrr (use mode: host)", "services", svc.name, "ports", i)
            ports.append({"target_port": port.target, "protocol": port.protocol, "publish_mode": port.mode,
                          **present({"published_port": port.published, "name": port.name})})
        if ports:
            endpoint["ports"] = ports
        if endpoint:
            spec["endpoint_spec"] = endpoint
        self.warn_unmapped(svc)
        return spec

    def warn_unmapped(self, svc: Service) -> None:
        conv = self.out
        for key, why in _UNSUPPORTED.items():
            if getattr(svc, key):
                conv.warn(field_path(svc, key), f"not mapped to {TARGET}: {why}")
        if svc.restart is not None and svc.deploy.restart_policy is not None:
            conv.warn(field_path(svc, "restart"), "ignored: deploy.restart_policy takes precedence on swarm")
        if svc.extras.get("container_name"):
            conv.warn(field_path(svc, "container_name"), f"not mapped to {TARGET}: swarm names tasks itself")
        legacy = {"mem_limit", "mem_reservation", "cpus"}
        warn_unmapped_extras(svc, conv, TARGET, _MAPPED_EXTRAS | legacy | {"build", "container_name"})
        for key in sorted(legacy & set(svc.extras)):
            conv.warn(field_path(svc, key), f"not mapped to {TARGET}: use deploy.resources")

    def run(self) -> SwarmConversion:
        for svc in self.p.services.values():
            self.out.services[svc.name] = self.convert_service(svc)
        self.out.warnings[:0] = list(self.p.warnings)
        return self.out


def to_swarm(project: ComposeProject, *, stack: str | None = None,
             network_ids: Mapping[str, Any] | None = None, config_ids: Mapping[str, Any] | None = None,
             secret_ids: Mapping[str, Any] | None = None) -> SwarmConversion:
    """pulumi_docker kwargs for the stack, plus warnings naming each unmapped field.

    `stack` names the objects (default: the project name). The *_ids mappings (compose key ->
    resource id, a str or a pulumi Output) are placed where Docker wants the id of a network,
    config or secret; without them the Docker object name stands in (valid for Docker, and
    what tests compare). A component typically converts once without ids to learn which
    networks/configs/secrets to create, creates them, then converts again with their ids.
    """
    ids = {k: v for k, v in (("network", network_ids), ("config", config_ids), ("secret", secret_ids))
           if v is not None}
    return _Converter(project, stack or project.name, ids).run()


__all__ = ["SwarmConversion", "to_swarm"]
