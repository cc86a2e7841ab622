"""Compose -> swarm service specs for pulumi_docker: field by field, warnings, and the real SDK's arg names."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest

from components.compose import load_compose, to_swarm
from components.errors import ComposeError

HERE = Path(__file__).parent
FIX = HERE / "fixtures"
ROOT = HERE.parent.parent
MIB = 1024 * 1024
NS = {"label": "com.docker.stack.namespace", "value": "shop"}


def convert(path, **kw):
    return to_swarm(load_compose(path, environ={}), **kw)



def test_books_stack():
    result = convert(ROOT / "apps/cluster/docker-compose.yml")
    assert result.stack == "cluster"
    assert result.services == {"cluster": {
        "name": "cluster_cluster",
        "task_spec": {
            "container_spec": {"image": "russmckendrick/cluster:latest",
                               "labels": [{"label": "com.docker.stack.namespace", "value": "cluster"}]},
            "restart_policy": {"condition": "on-failure"},
            "placement": {"constraints": ["node.role == worker"]},
            "networks_advanceds": [{"name": "cluster_default", "aliases": ["cluster"]}],
        },
        "labels": [{"label": "com.docker.stack.namespace", "value": "cluster"}],
        "mode": {"replicated": {"replicas": 6}},
        "endpoint_spec": {"ports": [{"target_port": 80, "published_port": 80, "protocol": "tcp",
                                     "publish_mode": "ingress"}]},
    }}
    assert result.networks == {"default": {"name": "cluster_default", "driver": "overlay",
                                           "labels": [{"label": "com.docker.stack.namespace", "value": "cluster"}]}}
    assert result.warnings == []


@pytest.fixture(scope="module")
def full():
    return convert(FIX / "full.yml")


def test_service_level_fields(full):
    web = full.services["web"]
    assert web["name"] == "shop_web"
    assert web["mode"] == {"replicated": {"replicas": 3}}
    assert web["labels"] == [{"label": "com.example.tier", "value": "frontend"}, NS]
    assert web["update_config"] == {"parallelism": 2, "delay": "10s", "failure_action": "rollback",
                                    "monitor": "30s", "max_failure_ratio": "0.25", "order": "start-first"}
    assert web["rollback_config"] == {"parallelism": 1, "order": "stop-first"}
    assert web["endpoint_spec"] == {"mode": "vip", "ports": [
        {"target_port": 8080, "published_port": 80, "protocol": "tcp", "publish_mode": "ingress"},
        {"target_port": 8443, "published_port": 8443, "protocol": "tcp", "publish_mode": "ingress"},
        {"target_port": 9000, "published_port": 9000, "protocol": "udp", "publish_mode": "ingress"},
        {"target_port": 9001, "published_port": 9001, "protocol": "udp", "publish_mode": "ingress"},
        {"target_port": 7000, "published_port": 17000, "protocol": "tcp", "publish_mode": "host"}]}
    assert full.services["worker"]["mode"] == {"global_": True}
    assert full.services["db"]["mode"] == {"replicated": {"replicas": 1}}


def test_task_spec(full):
    task = full.services["web"]["task_spec"]
    assert task["restart_policy"] == {"condition": "on-failure", "delay": "5s", "max_attempts": 3, "window": "120s"}
    assert task["placement"] == {
        "constraints": ["node.role == worker", "node.labels.zone == eu-1a", "node.platform.os == linux"],
        "prefs": ["spread=node.labels.zone"], "max_replicas": 2}
    assert task["resources"] == {"limits": {"nano_cpus": 500_000_000, "memory_bytes": 512 * MIB},
                                 "reservation": {"nano_cpus": 250_000_000, "memory_bytes": 128 * MIB}}
    assert task["networks_advanceds"] == [{"name": "shop_front", "aliases": ["web", "www"]},
                                          {"name": "shop_back", "aliases": ["web"]}]
    worker = full.services["worker"]["task_spec"]
    assert worker["log_driver"] == {"name": "json-file", "options": {"max-size": "10m"}}
    assert worker["restart_policy"] == {"condition": "on-failure", "max_attempts": 4}  # from restart: on-failure:4


def test_container_spec(full):
    cs = full.services["web"]["task_spec"]["container_spec"]
    assert cs["image"] == "example/web:1.2"
    assert cs["commands"] == ["/bin/tini", "--"]
    assert cs["args"] == ["serve", "--port", "8080", "--verbose"]
    assert cs["env"] == {"API_URL": "http://api:8080", "GREETING": "hello world", "MODE": "production",
                         "EMPTY": "", "FROM_SHELL": ""}
    assert cs["labels"] == [{"label": "com.example.team", "value": "web"}, NS]
    assert cs["healthcheck"] == {"tests": ["CMD", "wget", "-q", "-O-", "http://localhost:8080/health"],
                                 "interval": "90s", "timeout": "10s", "start_period": "40s", "retries": 5}
    assert (cs["dir"], cs["user"], cs["hostname"], cs["read_only"]) == ("/srv", "1000:1000", "web", True)
    assert cs["stop_grace_period"] == "20s"
    assert cs["cap_adds"] == ["NET_BIND_SERVICE"] and cs["cap_drops"] == ["ALL"]
    assert cs["hosts"] == [{"host": "metadata", "ip": "169.254.169.254"}]
    assert cs["mounts"] == [
        {"type": "volume", "target": "/srv/static", "read_only": True, "source": "shop_static",
         "volume_options": {"labels": [NS]}},
        {"type": "bind", "target": "/srv/site", "source": str((FIX / "site").resolve())},
        {"type": "volume", "target": "/var/cache/web"},
        {"type": "tmpfs", "target": "/tmp", "tmpfs_options": {"size_bytes": 64 * MIB}},
    ]
    conf, secret = full.configs["nginx_conf"]["name"], full.secrets["db_password"]["name"]
    assert re.fullmatch(r"shop_nginx_conf-[0-9a-f]{12}", conf)
    assert re.fullmatch(r"shop_db_password-[0-9a-f]{12}", secret)
    assert cs["configs"] == [
        {"config_id": conf, "config_name": conf, "file_name": "/nginx_conf"},
        {"config_id": conf, "config_name": conf,
         "file_name": "/etc/nginx/conf.d/site.conf", "file_mode": 0o440}]
    assert cs["secrets"] == [{"secret_id": secret, "secret_name": secret,
                              "file_name": "/run/secrets/db_password"}]
    db = full.services["db"]["task_spec"]["container_spec"]
    assert db["healthcheck"] == {"tests": ["CMD-SHELL", "pg_isready -U postgres"], "interval": "10s"}
    assert db["secrets"][0]["file_uid"] == "999"
    assert full.services["worker"]["task_spec"]["container_spec"]["init"] is True


def test_networks_configs_secrets(full):
    assert full.networks == {
        "front": {"name": "shop_front", "driver": "overlay", "labels": [NS]},
        "back": {"name": "shop_back", "driver": "overlay", "labels": [NS], "attachable": True}}
    assert full.configs == {"nginx_conf": {"name": full.object_names[("config", "nginx_conf")],
                                           "data_raw": "server { listen 8080; }\n", "labels": [NS]}}
    assert set(full.secrets) == {"db_password"}
    assert base64.b64decode(full.secrets["db_password"]["data"]) == b"s3cret\n"
    assert full.object_names[("volume", "dbdata")] == "shop_dbdata"


def test_full_warnings(full):
    assert full.warnings == [
        "services.web.environment.FROM_SHELL: has no value in the compose file; set to an empty string on swarm",
        "services.web.ports[1]: host_ip 127.0.0.1 not mapped to swarm (published ports listen on every node address)",
        "services.web.depends_on: not mapped to swarm: swarm starts services independently (docker stack deploy "
        "ignores it too)",
        "services.worker.privileged: not mapped to swarm: swarm services cannot run privileged",
        "services.worker.ulimits: not mapped to swarm",
    ]


def test_unmapped_fields_each_warn():
    result = convert(FIX / "unmapped.yml")
    warned = {w.split(": ", 1)[0] for w in result.warnings}
    assert warned == {
        "services.odd_one.build", "services.odd_one.healthcheck.start_interval",
        "services.odd_one.deploy.resources.limits.pids", "services.odd_one.deploy.resources.reservations.generic_resources",
        "networks.back.driver", "services.odd_one.networks.back.ipv4_address", "services.odd_one.privileged",
        "services.odd_one.tty", "services.odd_one.stdin_open", "services.odd_one.container_name",
        "services.odd_one.devices", "services.odd_one.pid", "services.odd_one.ipc", "services.odd_one.security_opt",
        "services.odd_one.shm_size", "services.odd_one.pull_policy", "services.odd_one.links",
        "services.odd_one.mem_limit", "services.odd_one.cpus", "services.other.environment.UNSET",
        "secrets.from_env.environment", "services.other.secrets (from_env)", "services.other.restart",
    }
    odd = result.services["odd_one"]
    cs = odd["task_spec"]["container_spec"]
    assert cs["sysctl"] == {"net.core.somaxconn": "1024"}
    assert cs["groups"] == ["audio"]
    assert cs["dns_config"] == {"nameservers": ["1.1.1.1"], "searches": ["example.com"]}
    assert cs["stop_signal"] == "SIGUSR1" and cs["user"] == "nobody"
    assert odd["task_spec"]["placement"]["platforms"] == [{"os": "linux", "architecture": "arm64"}]
    assert odd["endpoint_spec"]["mode"] == "dnsrr"
    assert cs["mounts"][0]["volume_options"]["driver_name"] == "local"
    assert cs["mounts"][0]["volume_options"]["driver_options"] == {"type": "nfs"}
    other = result.services["other"]
    assert other["task_spec"]["restart_policy"] == {"condition": "none"}
    # external objects keep their names and are not created
    assert other["task_spec"]["container_spec"]["mounts"][0]["source"] == "shared-claim"
    assert other["task_spec"]["container_spec"]["configs"][0]["config_name"] == "ext_conf"
    assert result.configs == {} and result.secrets == {}
    assert result.networks["back"]["driver"] == "overlay"


@pytest.mark.parametrize("restart,policy", [
    ("always", {"condition": "any"}), ("unless-stopped", {"condition": "any"}), ("no", {"condition": "none"}),
    ("on-failure", {"condition": "on-failure"}), ("on-failure:2", {"condition": "on-failure", "max_attempts": 2}),
])
def test_restart_becomes_restart_policy(compose_file, restart, policy):
    path = compose_file(f"""
        services:
          a:
            image: x
            restart: "{restart}"
    """)
    assert convert(path).services["a"]["task_spec"]["restart_policy"] == policy


def test_stack_name_and_ids(compose_file, tmp_path):
    path = compose_file("""
        services:
          a:
            image: x
            networks: [n]
            configs: [c]
            secrets: [s]
        networks:
          n: {}
        configs:
          c: {content: hi}
        secrets:
          s: {file: ./s.txt}
    """)
    (tmp_path / "s.txt").write_text("pw")
    result = convert(path, stack="demo", network_ids={"n": "id-n"}, config_ids={"c": "id-c"},
                     secret_ids={"s": "id-s"})
    task = result.services["a"]["task_spec"]
    assert result.services["a"]["name"] == "demo_a"
    assert task["networks_advanceds"] == [{"id": "id-n", "aliases": ["a"]}]
    assert task["container_spec"]["configs"][0]["config_id"] == "id-c"
    assert task["container_spec"]["secrets"][0]["secret_id"] == "id-s"
    assert result.networks["n"]["name"] == "demo_n"


def test_dnsrr_with_ingress_port_is_an_error(compose_file):
    path = compose_file("""
        services:
          a:
            image: x
            deploy:
              endpoint_mode: dnsrr
            ports:
              - "80:80"
    """)
    with pytest.raises(ComposeError) as info:
        convert(path)
    assert info.value.line == 7
    assert "endpoint_mode dnsrr" in info.value.message


def test_rollback_failure_action_rollback_is_an_error(compose_file):
    path = compose_file("""
        services:
          a:
            image: x
            deploy:
              rollback_config:
                failure_action: rollback
    """)
    with pytest.raises(ComposeError) as info:
        convert(path)
    assert info.value.line == 6


def test_build_only_service_is_an_error(compose_file):
    path = compose_file("""
        services:
          a:
            build: .
    """)
    with pytest.raises(ComposeError, match="needs an image") as info:
        convert(path)
    assert info.value.line == 2


def _snake_keys(value, path="", free=("env", "sysctl", "options", "driver_options", "driverOptions")):
    """Keys that still contain '_' after the SDK translated them (user-named maps excluded)."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if "_" in k:
                out.append(f"{path}.{k}")
            if k not in free:
                out += _snake_keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _snake_keys(v, f"{path}[{i}]")
    return out


def test_specs_are_pulumi_docker_args(mock_engine):
    """Pass the specs to the real pulumi_docker classes: every key must be one the SDK knows."""
    project = load_compose(FIX / "full.yml", environ={})
    first = to_swarm(project)

    def program():
        import pulumi_docker as docker

        nets = {k: docker.Network(f"net-{k}", **v) for k, v in first.networks.items()}
        cfgs = {k: docker.ServiceConfig(f"cfg-{k}", **v) for k, v in first.configs.items()}
        secs = {k: docker.Secret(f"sec-{k}", **v) for k, v in first.secrets.items()}
        final = to_swarm(project, network_ids={k: n.id for k, n in nets.items()},
                         config_ids={k: c.id for k, c in cfgs.items()},
                         secret_ids={k: s.id for k, s in secs.items()})
        for key, spec in final.services.items():
            docker.Service(f"svc-{key}", **spec)

    result = mock_engine.run(program)
    services = result.of_type("docker:index/service:Service")
    assert len(services) == 3
    web = result.get("docker:index/service:Service", "svc-web").inputs
    assert web["taskSpec"]["containerSpec"]["image"] == "example/web:1.2"
    assert web["mode"] == {"replicated": {"replicas": 3}}
    assert web["taskSpec"]["resources"]["limits"]["nanoCpus"] == 500_000_000
    assert web["endpointSpec"]["ports"][0]["publishedPort"] == 80
    worker = result.get("docker:index/service:Service", "svc-worker").inputs
    assert worker["mode"] == {"global": True}
    for svc in services:
        assert _snake_keys(svc.inputs) == [], svc.name
    # the ids of the created objects reached the services
    net_ids = {r.id for r in result.of_type("docker:index/network:Network")}
    assert {n["id"] for n in web["taskSpec"]["networksAdvanceds"]} <= net_ids
    assert len(result.of_type("docker:index/serviceConfig:ServiceConfig")) == 1
    assert len(result.of_type("docker:index/secret:Secret")) == 1


def _check_typed(value, typed_name: str, path: str, errors: list) -> None:
    """Every key of `value` is a field of pulumi_docker's TypedDict `typed_name`, recursively."""
    import re

    import pulumi_docker._inputs as inputs

    fields = getattr(inputs, typed_name).__annotations__
    for key, sub in value.items():
        if key not in fields:
            errors.append(f"{path}.{key} (not in {typed_name})")
            continue
        refs = re.findall(r"ForwardRef\('(\w+ArgsDict)'\)", str(fields[key]))
        items = sub if isinstance(sub, list) else [sub]
        for item in items:
            if isinstance(item, dict) and refs:
                _check_typed(item, refs[0], f"{path}.{key}", errors)


SERVICE_TOP = {"task_spec": "ServiceTaskSpecArgsDict", "mode": "ServiceModeArgsDict",
               "update_config": "ServiceUpdateConfigArgsDict", "rollback_config": "ServiceRollbackConfigArgsDict",
               "endpoint_spec": "ServiceEndpointSpecArgsDict", "labels": "ServiceLabelArgsDict"}


@pytest.mark.parametrize("fixture", ["full.yml", "unmapped.yml", "three.yml"])
def test_every_key_is_a_pulumi_docker_field(fixture):
    import inspect

    import pulumi_docker

    result = convert(FIX / fixture)
    errors: list = []
    service_params = set(inspect.signature(pulumi_docker.ServiceArgs.__init__).parameters) - {"__self__"}
    for key, spec in result.services.items():
        assert set(spec) <= service_params
        for top, value in spec.items():
            if top in SERVICE_TOP:
                for item in value if isinstance(value, list) else [value]:
                    _check_typed(item, SERVICE_TOP[top], f"services.{key}.{top}", errors)
    network_params = set(inspect.signature(pulumi_docker.NetworkArgs.__init__).parameters)
    for spec in result.networks.values():
        assert set(spec) <= network_params
    config_params = set(inspect.signature(pulumi_docker.ServiceConfigArgs.__init__).parameters)
    for spec in result.configs.values():
        assert set(spec) <= config_params
    secret_params = set(inspect.signature(pulumi_docker.SecretArgs.__init__).parameters)
    for spec in result.secrets.values():
        assert set(spec) <= secret_params
    assert errors == []


def _config_and_secret_names(tmp_path, conf: str, secret: str):
    tmp_path.mkdir()
    for name in ("full.yml", "web.env"):
        shutil.copy(FIX / name, tmp_path / name)
    (tmp_path / "nginx.conf").write_text(conf)
    (tmp_path / "db_password.txt").write_text(secret)
    result = convert(tmp_path / "full.yml", stack="shop")
    names = (result.configs["nginx_conf"]["name"], result.secrets["db_password"]["name"])
    # every service mounts the object by the name it is created with
    db = result.services["db"]["task_spec"]["container_spec"]["secrets"][0]
    assert (db["secret_id"], db["secret_name"], db["file_name"]) == (names[1], names[1], "/run/secrets/pg_pass")
    return names


def test_configs_and_secrets_are_named_by_content(tmp_path):
    """Swarm configs and secrets cannot change in place and their names are unique: a changed file
    must give a new name (old and new coexist while the service moves), the same file the same one."""
    before = _config_and_secret_names(tmp_path / "a", "server { listen 8080; }\n", "s3cret\n")
    same = _config_and_secret_names(tmp_path / "b", "server { listen 8080; }\n", "s3cret\n")
    conf_changed = _config_and_secret_names(tmp_path / "c", "server { listen 9090; }\n", "s3cret\n")
    secret_changed = _config_and_secret_names(tmp_path / "d", "server { listen 8080; }\n", "rotated\n")
    assert same == before
    assert conf_changed[0] != before[0] and conf_changed[1] == before[1]
    assert secret_changed[1] != before[1] and secret_changed[0] == before[0]
    for name in before + conf_changed + secret_changed:
        assert name.startswith(("shop_nginx_conf-", "shop_db_password-"))
