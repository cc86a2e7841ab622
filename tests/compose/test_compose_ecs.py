"""Compose -> ECS container definitions and Fargate sizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.compose import load_compose, to_ecs
from components.compose.fargate_sizes import is_valid_fargate_size
from components.errors import ComposeError

HERE = Path(__file__).parent
FIX = HERE / "fixtures"
ROOT = HERE.parent.parent
LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/dockyard/app", "awslogs-region": "us-east-1",
                                            "awslogs-stream-prefix": "app"}}
# Required by the ECS API for a Fargate container definition as Dockyard writes it
REQUIRED = {"name", "image", "essential", "portMappings", "environment", "logConfiguration"}


def convert(path, **kw):
    return to_ecs(load_compose(path, environ={}), **kw)



def test_books_app_on_fargate():
    result = convert(ROOT / "apps/cluster/docker-compose.yml", log_configuration=LOGS)
    svc = result.services["cluster"]
    assert svc.container_definition == {
        "name": "cluster", "image": "russmckendrick/cluster:latest", "essential": True,
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
        "environment": [], "logConfiguration": LOGS}
    assert (svc.cpu, svc.memory) == (256, 512)  # nothing asked: the smallest task, no warning
    assert svc.desired_count == 6
    assert [(p.published, p.target) for p in svc.published_ports] == [(80, 80)]
    assert result.warnings == [
        "services.cluster.deploy.placement: not mapped to Fargate (AWS places tasks)",
        "services.cluster.deploy.restart_policy: not mapped to ECS (the ECS service replaces every stopped task)"]


def test_three_services_sizes_and_health():
    result = convert(FIX / "three.yml", log_configuration=lambda name: {**LOGS, "options": {
        **LOGS["options"], "awslogs-stream-prefix": name}})
    assert list(result.services) == ["front", "api", "cache"]
    front, api, cache = (result.services[n] for n in ("front", "api", "cache"))
    # 0.3 vCPU / 600 MiB -> 512 units needs at least 1024 MiB
    assert (front.cpu, front.memory) == (512, 1024)
    # only memory 3 GiB: the cheapest size holding it
    assert (api.cpu, api.memory) == (512, 3072)
    assert (cache.cpu, cache.memory) == (256, 512)
    for s in result.services.values():
        assert is_valid_fargate_size(s.cpu, s.memory)
        d = s.container_definition
        assert REQUIRED <= set(d)
        assert d["logConfiguration"]["options"]["awslogs-stream-prefix"] == s.name
        for m in d["portMappings"]:
            assert m["hostPort"] == m["containerPort"]
    assert front.desired_count == 2
    assert [p.target for p in front.published_ports] == [3000] and front.published_ports[0].published == 80
    assert api.published_ports == [] and [p.target for p in api.ports] == [8080]  # internal, via Cloud Map
    assert front.container_definition["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f http://localhost:3000/ || exit 1"],
        "interval": 5, "timeout": 60, "retries": 10}
    assert front.container_definition["environment"] == [{"name": "API_URL", "value": "http://api:8080"}]
    assert result.warnings == [
        "services.front.healthcheck.interval: 2s is outside ECS's 5-300s; using 5s",
        "services.front.healthcheck.timeout: 90s is outside ECS's 2-60s; using 60s",
        "services.front.healthcheck.retries: 20 is outside ECS's 1-10; using 10",
        "services.front.deploy.resources: cpus 0.3 (307.2 CPU units) and memory 600 MiB rounded up to the "
        "Fargate size 512 CPU units / 1024 MiB",
        "services.api.deploy.resources: memory 3072 MiB rounded up to the Fargate size 512 CPU units / 3072 MiB",
        "services.api.depends_on: not mapped to ECS: separate ECS services start independently; Cloud Map "
        "resolves the names",
    ]
    json.dumps([s.container_definition for s in result.services.values()])  # serialisable as ECS wants


def test_full_container_definition():
    result = convert(FIX / "full.yml")
    web = result.services["web"].container_definition
    assert web["entryPoint"] == ["/bin/tini", "--"] and web["command"] == ["serve", "--port", "8080", "--verbose"]
    assert web["environment"] == [  # sorted by name; environment beats env_file
        {"name": "API_URL", "value": "http://api:8080"}, {"name": "EMPTY", "value": ""},
        {"name": "FROM_SHELL", "value": ""}, {"name": "GREETING", "value": "hello world"},
        {"name": "MODE", "value": "production"}]
    assert web["healthCheck"] == {"command": ["CMD", "wget", "-q", "-O-", "http://localhost:8080/health"],
                                  "interval": 90, "timeout": 10, "startPeriod": 40, "retries": 5}
    assert (web["workingDirectory"], web["user"], web["readonlyRootFilesystem"]) == ("/srv", "1000:1000", True)
    assert web["stopTimeout"] == 20
    assert web["dockerLabels"] == {"com.example.team": "web"}
    assert web["linuxParameters"] == {"capabilities": {"drop": ["ALL"]}}
    assert {m["containerPort"] for m in web["portMappings"]} == {8080, 8443, 9000, 9001, 7000}
    assert "logConfiguration" not in web  # none supplied
    # 0.5 vCPU with 512 MiB is not a Fargate pair: 512 units start at 1024 MiB
    assert (result.services["web"].cpu, result.services["web"].memory) == (512, 1024)
    worker = result.services["worker"].container_definition
    assert worker["linuxParameters"] == {"initProcessEnabled": True}
    assert worker["ulimits"] == [{"name": "nofile", "softLimit": 20000, "hardLimit": 40000}]
    db = result.services["db"].container_definition
    assert db["healthCheck"] == {"command": ["CMD-SHELL", "pg_isready -U postgres"], "interval": 10,
                                 "timeout": 5, "retries": 3}
    assert result.services["worker"].desired_count == 1
    warned = {w.split(": ", 1)[0] for w in result.warnings}
    assert {"services.web.configs", "services.web.secrets", "services.web.volumes (/srv/static)",
            "services.web.tmpfs (/tmp)", "services.web.networks", "services.web.deploy.placement",
            "services.web.deploy.update_config", "services.web.deploy.rollback_config", "services.web.hostname",
            "services.web.extra_hosts", "services.web.cap_add", "services.web.deploy.labels",
            "services.web.deploy.endpoint_mode", "services.web.ports[1]", "services.worker.privileged",
            "services.worker.deploy.mode", "services.worker.restart", "services.worker.logging",
            "services.db.secrets"} <= warned


def test_unmapped_fields_each_warn():
    result = convert(FIX / "unmapped.yml")
    warned = {w.split(": ", 1)[0] for w in result.warnings}
    assert warned == {
        "services.odd_one.build", "services.odd_one.ports[0]", "services.odd_one.healthcheck.start_interval",
        "services.odd_one.privileged", "services.odd_one.stop_signal", "services.odd_one.volumes (/data)",
        "services.odd_one.networks", "services.odd_one.deploy.placement", "services.odd_one.deploy.endpoint_mode",
        "services.odd_one.deploy.resources.limits.pids",
        "services.odd_one.deploy.resources.reservations.generic_resources", "services.odd_one.container_name",
        "services.odd_one.dns", "services.odd_one.dns_search", "services.odd_one.sysctls", "services.odd_one.devices",
        "services.odd_one.pid", "services.odd_one.ipc", "services.odd_one.security_opt", "services.odd_one.shm_size",
        "services.odd_one.group_add", "services.odd_one.platform", "services.odd_one.pull_policy",
        "services.odd_one.links", "services.odd_one.mem_limit", "services.odd_one.cpus",
        "services.other.environment.UNSET", "services.other.configs", "services.other.secrets",
        "services.other.volumes (/ext)", "services.other.networks", "services.other.deploy.restart_policy",
        "services.other.restart",
    }
    odd = result.services["odd_one"].container_definition
    assert odd["portMappings"] == []  # sctp dropped
    assert odd["pseudoTerminal"] is True and odd["interactive"] is True


def test_service_selection_and_unknown_name():
    project = load_compose(FIX / "three.yml", environ={})
    assert list(to_ecs(project, services=["api"]).services) == ["api"]
    with pytest.raises(ComposeError, match="no service 'nope'"):
        to_ecs(project, services=["nope"])


def test_too_big_for_fargate_is_an_error(compose_file):
    path = compose_file("""
        services:
          big:
            image: x
            deploy:
              resources:
                limits:
                  cpus: "17"
                  memory: 8G
    """)
    with pytest.raises(ComposeError) as info:
        convert(path)
    assert info.value.line == 5
    assert "exceeds the largest Fargate task" in info.value.message


def test_exact_size_no_warning_and_stop_timeout_cap(compose_file):
    path = compose_file("""
        services:
          app:
            image: x
            stop_grace_period: 5m
            cap_add: [SYS_PTRACE]
            deploy:
              resources:
                limits: {cpus: "1", memory: 2G}
    """)
    result = convert(path)
    app = result.services["app"]
    assert (app.cpu, app.memory) == (1024, 2048)
    assert app.container_definition["stopTimeout"] == 120
    assert app.container_definition["linuxParameters"] == {"capabilities": {"add": ["SYS_PTRACE"]}}
    assert result.warnings == ["services.app.stop_grace_period: 300s exceeds Fargate's 120s; using 120s"]
