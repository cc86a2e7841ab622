"""Compose -> ECS on Fargate: one container definition and task size per compose service.

What the retired Docker Compose ECS integration did, as data: each compose service becomes its own
ECS service (one essential container, awsvpc networking, so hostPort == containerPort), reachable
by its compose name through Cloud Map (the component's job), and services with published ports go
behind the load balancer. The container definition uses the JSON field names of the ECS API
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html); the
caller supplies logConfiguration (its log group and region) and serialises the list to JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from components.compose._common import field_path, present, resolved_environment, warn_unmapped_extras
from components.compose.fargate_sizes import DEFAULT_FARGATE_SIZE, FARGATE_CPU_MEMORY, smallest_fargate_size
from components.compose.model import ComposeProject, Conversion, Port, Service
from components.compose.units import ceil_seconds

TARGET = "ECS"
MIB = 1 << 20
# ECS healthCheck limits (API_HealthCheck): interval 5-300 s, timeout 2-60 s, retries 1-10,
# startPeriod 0-300 s; Docker defaults where compose leaves a value out.
_HC_LIMITS = {"interval": (5, 300, 30), "timeout": (2, 60, 5), "retries": (1, 10, 3), "startPeriod": (0, 300, None)}
FARGATE_MAX_STOP_TIMEOUT = 120  # seconds (API_ContainerDefinition stopTimeout on Fargate)
_MAPPED_EXTRAS = {"init", "ulimits"}
_UNSUPPORTED = {
    "hostname": "awsvpc tasks take the hostname ECS gives them",
    "privileged": "Fargate does not run privileged containers",
    "extra_hosts": "awsvpc tasks do not support extraHosts",
    "stop_signal": "ECS has no stop signal setting",
    "depends_on": "separate ECS services start independently; Cloud Map resolves the names",
    "configs": "not mapped (ECS has no config files; bake them into the image or use environment)",
    "secrets": "not mapped (ECS secrets are Secrets Manager or SSM ARNs: use the app's secretEnv)",
}


@dataclass(frozen=True)
class EcsService:
    """One compose service as an ECS service on Fargate."""

    name: str
    container_definition: dict  # ECS JSON shape (camelCase)
    cpu: int  # task CPU units, a valid Fargate size
    memory: int  # task memory MiB, valid with cpu
    desired_count: int
    ports: list[Port]  # container ports; the ones with `published` go behind the load balancer

    @property
    def published_ports(self) -> list[Port]:
        return [p for p in self.ports if p.published is not None]


@dataclass
class EcsConversion(Conversion):
    services: dict[str, EcsService] = field(default_factory=dict)


def _clamp(conv, path, name, value, unit=""):
    lo, hi, _ = _HC_LIMITS[name]
    if value < lo or value > hi:
        fixed = min(max(value, lo), hi)
        conv.warn(path, f"{value}{unit} is outside ECS's {lo}-{hi}{unit}; using {fixed}{unit}")
        return fixed
    return value


def _health_check(svc: Service, conv: EcsConversion) -> dict | None:
    hc = svc.healthcheck
    if hc is None or hc.disable:
        return None
    if hc.test is None:
        conv.warn(field_path(svc, "healthcheck"), f"no test: the image's HEALTHCHECK is not visible to {TARGET}")
        return None
    out: dict = {"command": list(hc.test)}
    for key, attr in (("interval", "interval"), ("timeout", "timeout"), ("startPeriod", "start_period")):
        value = getattr(hc, attr)
        if value is None:
            default = _HC_LIMITS[key][2]
            if default is not None:
                out[key] = default
            continue
        out[key] = _clamp(conv, field_path(svc, "healthcheck", attr), key, ceil_seconds(value), "s")
    out["retries"] = (_clamp(conv, field_path(svc, "healthcheck", "retries"), "retries", hc.retries)
                      if hc.retries is not None else _HC_LIMITS["retries"][2])
    if hc.start_interval is not None:
        conv.warn(field_path(svc, "healthcheck", "start_interval"), f"not mapped to {TARGET}")
    return out


def fargate_size(svc: Service, conv: EcsConversion, project: ComposeProject) -> tuple[int, int]:
    """Task cpu/memory from deploy.resources (limits, else reservations), rounded up to a Fargate size."""
    res = svc.deploy.resources
    cpus = res.limits.cpus if res.limits.cpus is not None else res.reservations.cpus
    memory = res.limits.memory if res.limits.memory is not None else res.reservations.memory
    if cpus is None and memory is None:
        return DEFAULT_FARGATE_SIZE
    want_cpu = (cpus or 0) * 1024
    want_mem = (memory or 0) / MIB
    size = smallest_fargate_size(want_cpu, want_mem)
    if size is None:
        top = max(FARGATE_CPU_MEMORY)
        raise project.error(
            f"services.{svc.name}.deploy.resources: cpus {cpus} / memory {math.ceil(want_mem)} MiB exceeds the "
            f"largest Fargate task ({top} CPU units = {top // 1024} vCPU, {FARGATE_CPU_MEMORY[top][-1]} MiB)",
            "services", svc.name, "deploy", "resources")
    asked = []
    if cpus is not None:
        asked.append(f"cpus {cpus:g} ({want_cpu:g} CPU units)")
    if memory is not None:
        asked.append(f"memory {want_mem:g} MiB")
    if cpus is None or memory is None or size != (want_cpu, want_mem):
        conv.warn(field_path(svc, "deploy", "resources"),
                  f"{' and '.join(asked)} rounded up to the Fargate size {size[0]} CPU units / {size[1]} MiB")
    return size


def _container(svc: Service, conv: EcsConversion, project: ComposeProject, log_configuration: dict | None) -> dict:
    if svc.image is None:
        raise project.error(f"services.{svc.name}: ECS needs an image (it cannot build)", "services", svc.name)
    if "build" in svc.extras:
        conv.warn(field_path(svc, "build"), f"not mapped to {TARGET}: build and push the image, then set image")
    c: dict = {"name": svc.name, "image": svc.image, "essential": True}
    mappings, seen = [], set()
    for i, port in enumerate(list(svc.ports) + list(svc.expose)):
        if port.host_ip:
            conv.warn(field_path(svc, "ports", i), f"host_ip {port.host_ip} not mapped to {TARGET}")
        if port.protocol == "sctp":
            conv.warn(field_path(svc, "ports", i), f"{port.target}/sctp not mapped to {TARGET} (tcp and udp only)")
            continue
        if (port.target, port.protocol) in seen:
            continue
        seen.add((port.target, port.protocol))
        # awsvpc: the task has its own address, the host port must equal the container port
        mappings.append({"containerPort": port.target, "hostPort": port.target, "protocol": port.protocol})
    c["portMappings"] = mappings
    env = resolved_environment(svc, conv, TARGET)
    c["environment"] = [{"name": k, "value": v} for k, v in sorted(env.items())]
    c.update(present({"entryPoint": svc.entrypoint, "command": svc.command, "workingDirectory": svc.working_dir,
                      "user": svc.user, "readonlyRootFilesystem": svc.read_only, "pseudoTerminal": svc.tty,
                      "interactive": svc.stdin_open, "dockerLabels": dict(svc.labels)}))
    if svc.stop_grace_period is not None:
        stop = ceil_seconds(svc.stop_grace_period)
        if stop > FARGATE_MAX_STOP_TIMEOUT:
            conv.warn(field_path(svc, "stop_grace_period"),
                      f"{stop}s exceeds Fargate's {FARGATE_MAX_STOP_TIMEOUT}s; using {FARGATE_MAX_STOP_TIMEOUT}s")
            stop = FARGATE_MAX_STOP_TIMEOUT
        c["stopTimeout"] = stop
    health = _health_check(svc, conv)
    if health:
        c["healthCheck"] = health
    linux: dict = {}
    if svc.cap_add:
        allowed = [x.upper().removeprefix("CAP_") for x in svc.cap_add]
        if any(x != "SYS_PTRACE" for x in allowed):
            conv.warn(field_path(svc, "cap_add"), "Fargate adds only SYS_PTRACE; other capabilities not mapped")
        allowed = [x for x in allowed if x == "SYS_PTRACE"]
        if allowed:
            linux.setdefault("capabilities", {})["add"] = allowed
    if svc.cap_drop:
        linux.setdefault("capabilities", {})["drop"] = [x.upper().removeprefix("CAP_") for x in svc.cap_drop]
    if svc.extras.get("init"):
        linux["initProcessEnabled"] = True
    if linux:
        c["linuxParameters"] = linux
    ulimits = svc.extras.get("ulimits")
    if ulimits:
        out = []
        for name, spec in ulimits.items():
            if isinstance(spec, dict):
                soft, hard = spec.get("soft"), spec.get("hard")
            else:
                soft = hard = spec
            if not isinstance(soft, int) or not isinstance(hard, int):
                conv.warn(field_path(svc, "ulimits", name), f"not mapped to {TARGET} (expected numbers)")
                continue
            out.append({"name": name, "softLimit": soft, "hardLimit": hard})
        if out:
            c["ulimits"] = out
    if log_configuration is not None:
        c["logConfiguration"] = log_configuration
    return c


def _warn_unmapped(svc: Service, conv: EcsConversion) -> None:
    for key, why in _UNSUPPORTED.items():
        if getattr(svc, key):
            conv.warn(field_path(svc, key), why if why.startswith("not mapped") else f"not mapped to {TARGET}: {why}")
    for m in svc.volumes:
        kind = "tmpfs" if m.type == "tmpfs" else "volumes"
        conv.warn(f"{field_path(svc, kind)} ({m.target})", f"not mapped to {TARGET} (Fargate tasks get "
                  "ephemeral storage only; Dockyard does not create EFS volumes)")
    if any(n != "default" for n in svc.networks):
        conv.warn(field_path(svc, "networks"), f"not mapped to {TARGET} (services share the VPC and reach each "
                  "other by compose name through Cloud Map)")
    d = svc.deploy
    if d.mode == "global":
        conv.warn(field_path(svc, "deploy", "mode"), "global not mapped to Fargate (no nodes); one task")
    if d.placement.constraints or d.placement.preferences or d.placement.max_replicas_per_node is not None:
        conv.warn(field_path(svc, "deploy", "placement"), "not mapped to Fargate (AWS places tasks)")
    if d.restart_policy is not None:
        conv.warn(field_path(svc, "deploy", "restart_policy"), f"not mapped to {TARGET} (the ECS service "
                  "replaces every stopped task)")
    if svc.restart is not None and svc.restart not in ("always", "unless-stopped"):
        conv.warn(field_path(svc, "restart"), f"{svc.restart}: the ECS service replaces every stopped task")
    if d.update_config is not None:
        conv.warn(field_path(svc, "deploy", "update_config"), f"not mapped to {TARGET} (rolling deployments "
                  "with the circuit breaker)")
    if d.rollback_config is not None:
        conv.warn(field_path(svc, "deploy", "rollback_config"), f"not mapped to {TARGET} (the circuit breaker "
                  "rolls back)")
    if d.endpoint_mode is not None:
        conv.warn(field_path(svc, "deploy", "endpoint_mode"), f"not mapped to {TARGET}")
    if d.labels:
        conv.warn(field_path(svc, "deploy", "labels"), f"not mapped to {TARGET} (labels become dockerLabels)")
    for part, spec in (("limits", d.resources.limits), ("reservations", d.resources.reservations)):
        for extra in ("pids", "devices", "generic_resources"):
            if getattr(spec, extra):
                conv.warn(field_path(svc, "deploy", "resources", part, extra), f"not mapped to {TARGET}")
    if svc.extras.get("logging"):
        conv.warn(field_path(svc, "logging"), f"not mapped to {TARGET} (logs go to CloudWatch through awslogs)")
    warn_unmapped_extras(svc, conv, TARGET, _MAPPED_EXTRAS | {"build", "logging"})


def to_ecs(project: ComposeProject, *, services: Iterable[str] | None = None,
           log_configuration: dict | Callable[[str], dict] | None = None) -> EcsConversion:
    """ECS container definitions and Fargate sizes for `services` (default: all), plus warnings.

    `log_configuration` is the container's logConfiguration, e.g. {"logDriver": "awslogs",
    "options": {"awslogs-group": ..., "awslogs-region": ..., "awslogs-stream-prefix": ...}}, or a
    function of the service name returning one. Values must be plain (call this inside an apply
    when they are Outputs). An unknown service name raises ComposeError.
    """
    conv = EcsConversion()
    names = list(project.services) if services is None else list(services)
    for name in names:
        if name not in project.services:
            raise project.error(f"no service {name!r} (services: {', '.join(project.services)})", "services")
        svc = project.services[name]
        log = log_configuration(name) if callable(log_configuration) else log_configuration
        container = _container(svc, conv, project, log)
        cpu, memory = fargate_size(svc, conv, project)
        _warn_unmapped(svc, conv)
        desired = 1 if svc.deploy.mode == "global" or svc.deploy.replicas is None else svc.deploy.replicas
        ports = [p for p in list(svc.ports) + list(svc.expose) if p.protocol != "sctp"]
        conv.services[name] = EcsService(name=name, container_definition=container, cpu=cpu, memory=memory,
                                         desired_count=desired, ports=ports)
    conv.warnings[:0] = list(project.warnings)
    return conv
