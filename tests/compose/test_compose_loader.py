"""load_compose: normalisation of good files, and errors naming file and line for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.compose import load_compose
from components.compose.model import FileRef, Port, ServiceNetwork, VolumeMount
from components.errors import ComposeError, InputError

HERE = Path(__file__).parent
FIX = HERE / "fixtures"
ROOT = HERE.parent.parent
MIB = 1024 * 1024


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle` (found independently of the loader)."""
    seen = 0
    for no, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return no
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="module")
def full():
    return load_compose(FIX / "full.yml", environ={})


def test_cluster_app_is_the_books_app():
    p = load_compose(ROOT / "apps/cluster/docker-compose.yml", environ={})
    assert p.name == "cluster"
    assert list(p.services) == ["cluster"]
    svc = p.services["cluster"]
    assert svc.image == "russmckendrick/cluster:latest"
    assert svc.ports == [Port(target=80, published=80)]
    assert svc.deploy.replicas == 6
    assert svc.deploy.mode == "replicated"
    assert svc.deploy.restart_policy.condition == "on-failure"
    assert svc.deploy.placement.constraints == ["node.role == worker"]
    assert svc.networks == {"default": ServiceNetwork()}
    assert p.networks["default"].implicit


def test_project_name_from_file(full):
    assert full.name == "shop"


def test_command_and_entrypoint(full):
    web, worker = full.services["web"], full.services["worker"]
    assert web.command == ["serve", "--port", "8080", "--verbose"]  # shlex, quotes removed
    assert web.entrypoint == ["/bin/tini", "--"]
    assert worker.command == ["worker", "--queue", "jobs"]
    assert worker.entrypoint is None


def test_environment_and_env_file(full):
    web, db = full.services["web"], full.services["db"]
    assert web.environment == {"MODE": "production", "EMPTY": "", "FROM_SHELL": None}
    assert web.env_file == {"API_URL": "http://api:8080", "GREETING": "hello world", "MODE": "from-env-file"}
    assert web.env_file_paths == [(FIX / "web.env").resolve()]
    assert web.all_environment["MODE"] == "production"  # environment beats env_file
    assert web.all_environment["GREETING"] == "hello world"
    assert db.environment == {"POSTGRES_DB": "shop", "POSTGRES_PASSWORD_FILE": "/run/secrets/db_password",
                              "PGPORT": "5432"}


def test_ports_short_and_long(full):
    assert full.services["web"].ports == [
        Port(target=8080, published=80),
        Port(target=8443, published=8443, host_ip="127.0.0.1"),
        Port(target=9000, published=9000, protocol="udp"),
        Port(target=9001, published=9001, protocol="udp"),
        Port(target=7000, published=17000, mode="host"),
    ]
    assert full.services["db"].expose == [Port(target=5432)]


def test_healthcheck(full):
    hc = full.services["web"].healthcheck
    assert hc.test == ["CMD", "wget", "-q", "-O-", "http://localhost:8080/health"]
    assert (hc.interval, hc.timeout, hc.start_period, hc.retries) == (90.0, 10.0, 40.0, 5)
    db = full.services["db"].healthcheck
    assert db.test == ["CMD-SHELL", "pg_isready -U postgres"]
    assert db.interval == 10.0 and db.timeout is None


def test_deploy(full):
    d = full.services["web"].deploy
    assert d.replicas == 3 and d.mode == "replicated" and d.endpoint_mode == "vip"
    assert d.labels == {"com.example.tier": "frontend"}
    assert d.placement.constraints == ["node.role == worker", "node.labels.zone == eu-1a", "node.platform.os == linux"]
    assert d.placement.preferences == ["node.labels.zone"]
    assert d.placement.max_replicas_per_node == 2
    rp = d.restart_policy
    assert (rp.condition, rp.delay, rp.max_attempts, rp.window) == ("on-failure", 5.0, 3, 120.0)
    uc = d.update_config
    assert (uc.parallelism, uc.delay, uc.failure_action, uc.monitor, uc.max_failure_ratio, uc.order) == (
        2, 10.0, "rollback", 30.0, 0.25, "start-first")
    assert (d.rollback_config.parallelism, d.rollback_config.order) == (1, "stop-first")
    assert d.resources.limits.cpus == 0.5 and d.resources.limits.memory == 512 * MIB
    assert d.resources.reservations.cpus == 0.25 and d.resources.reservations.memory == 128 * MIB
    assert full.services["worker"].deploy.mode == "global"
    assert full.services["worker"].deploy.replicas is None


def test_labels_from_merge_key(full):
    assert full.services["web"].labels == {"com.example.team": "web"}
    assert full.services["db"].labels == {"kompose.service.type": "headless"}


def test_volumes(full):
    assert full.services["web"].volumes == [
        VolumeMount(type="volume", source="static", target="/srv/static", read_only=True),
        VolumeMount(type="bind", source=str((FIX / "site").resolve()), target="/srv/site"),
        VolumeMount(type="volume", target="/var/cache/web"),
        VolumeMount(type="tmpfs", target="/tmp", tmpfs_size=64 * MIB),
    ]
    assert set(full.volumes) == {"static", "dbdata"}
    assert full.volumes["dbdata"].labels == {"com.example.backup": "daily"}


def test_networks(full):
    web = full.services["web"]
    assert web.networks == {"front": ServiceNetwork(aliases=["www"]), "back": ServiceNetwork()}
    assert full.networks["back"].attachable and full.networks["back"].driver == "overlay"
    assert "default" not in full.networks  # every service names its networks


def test_configs_and_secrets(full):
    web, db = full.services["web"], full.services["db"]
    assert web.configs == [FileRef(source="nginx_conf", target="/nginx_conf"),
                           FileRef(source="nginx_conf", target="/etc/nginx/conf.d/site.conf", mode=0o440)]
    assert web.secrets == [FileRef(source="db_password", target="/run/secrets/db_password")]
    assert db.secrets == [FileRef(source="db_password", target="/run/secrets/pg_pass", uid="999")]
    assert full.configs["nginx_conf"].read_bytes() == b"server { listen 8080; }\n"
    assert full.secrets["db_password"].read_bytes() == b"s3cret\n"


def test_other_service_fields(full):
    web, worker = full.services["web"], full.services["worker"]
    assert web.depends_on == ["db"]
    assert (web.hostname, web.working_dir, web.user, web.read_only) == ("web", "/srv", "1000:1000", True)
    assert web.cap_add == ["NET_BIND_SERVICE"] and web.cap_drop == ["ALL"]
    assert web.stop_grace_period == 20.0
    assert web.extra_hosts == {"metadata": "169.254.169.254"}
    assert worker.restart == "on-failure:4" and worker.privileged
    assert worker.extras == {"init": True, "logging": {"driver": "json-file", "options": {"max-size": "10m"}},
                             "ulimits": {"nofile": {"soft": 20000, "hard": 40000}}}


def test_line_numbers_follow_the_file(full):
    f = FIX / "full.yml"
    assert full.line("services", "web", "deploy", "replicas") == line_of(f, "replicas: 3")
    assert full.line("services", "web", "ports", 2) == line_of(f, '"9000-9001:9000-9001/udp"')
    assert full.where("services", "db", "image") == f"{f}:{line_of(f, 'image: postgres:16')}"
    # a path beyond the file falls back to the deepest existing key
    assert full.line("services", "db", "deploy", "replicas") == line_of(f, "  db:")


def test_yaml_12_scalars(compose_file):
    path = compose_file("""
        services:
          web:
            image: nginx
            ports:
              - 80:80
              - 2222:22
            environment:
              FLAG: yes
              OFF: off
              COUNT: 010
    """)
    svc = load_compose(path, environ={}).services["web"]
    assert svc.ports == [Port(target=80, published=80), Port(target=22, published=2222)]  # not base 60
    assert svc.environment == {"FLAG": "yes", "OFF": "off", "COUNT": "8"}


def test_interpolation(compose_file, tmp_path):
    (tmp_path / ".env").write_text("TAG=1.5\n")
    path = compose_file("""
        services:
          web:
            image: "nginx:${TAG}"
            command: echo $$HOME ${GREETING:-hi} ${MISSING}
            environment:
              A: ${UNSET-fallback}
              B: ${SET:+yes}
    """)
    p = load_compose(path, environ={"SET": "1", "TAG": "2"})
    svc = p.services["web"]
    assert svc.image == "nginx:2"
    assert svc.command == ["echo", "$HOME", "hi"]
    assert svc.environment == {"A": "fallback", "B": "yes"}
    assert p.warnings == ["services.web.command: variable MISSING is not set; using an empty string"]
    # without environ: .env beside the file supplies TAG
    assert load_compose(path).services["web"].image.startswith("nginx:")


def test_env_file_optional_and_dict_form(compose_file, tmp_path):
    (tmp_path / "a.env").write_text("# comment\nA=1\nB='raw $x'\nexport C=\"two\\nlines\"\nD\n")
    path = compose_file("""
        services:
          web:
            image: nginx
            env_file:
              - a.env
              - path: missing.env
                required: false
    """)
    svc = load_compose(path, environ={}).services["web"]
    assert svc.env_file == {"A": "1", "B": "raw $x", "C": "two\nlines", "D": None}


def test_short_syntax_variants(compose_file):
    path = compose_file("""
        services:
          web:
            image: nginx
            ports:
              - "3000"
              - "3000-3001"
              - "127.0.0.1::5000"
              - "[::1]:6001:6001"
              - 8080
              - target: 53
                protocol: udp
            volumes:
              - /just/a/target
              - ~/cache:/cache:rw
            secrets:
              - source: s
                target: /etc/s.txt
            configs:
              - source: c
                target: /etc/c.txt
                mode: "0400"
        secrets:
          s:
            environment: TOKEN
        configs:
          c:
            content: hello
    """)
    p = load_compose(path, environ={})
    svc = p.services["web"]
    assert svc.ports == [Port(target=3000), Port(target=3000), Port(target=3001),
                         Port(target=5000, host_ip="127.0.0.1"), Port(target=6001, published=6001, host_ip="::1"),
                         Port(target=8080), Port(target=53, protocol="udp")]
    assert svc.volumes[0] == VolumeMount(type="volume", target="/just/a/target")
    assert svc.volumes[1].type == "bind" and svc.volumes[1].source == str(Path("~/cache").expanduser())
    assert svc.secrets == [FileRef(source="s", target="/etc/s.txt")]
    assert svc.configs == [FileRef(source="c", target="/etc/c.txt", mode=0o400)]
    assert p.configs["c"].read_bytes() == b"hello"
    assert p.secrets["s"].read_bytes() is None


def test_healthcheck_disable_forms(compose_file):
    path = compose_file("""
        services:
          a:
            image: x
            healthcheck:
              test: ["NONE"]
          b:
            image: x
            healthcheck:
              disable: true
    """)
    p = load_compose(path, environ={})
    assert p.services["a"].healthcheck.disable and p.services["a"].healthcheck.test is None
    assert p.services["b"].healthcheck.disable


# (compose text, needle marking the expected error line or None for no line, message fragment)
BAD = [
    ("services:\n  web:\n    image: nginx\n   ports: [80]\n", "   ports", "malformed YAML"),
    ("services:\n  web:\n    image: [nginx\n", None, "malformed YAML"),
    ("servics:\n  web:\n    image: nginx\n", "servics", "unknown top-level key 'servics' (did you mean 'services'?)"),
    ("services:\n  web:\n    imgae: nginx\n", "imgae", "services.web.imgae: unknown service key 'imgae' (did you mean 'image'?)"),
    ("services:\n  web:\n    image: nginx\n    deploy:\n      replica: 2\n", "replica:", "services.web.deploy.replica: unknown key 'replica' (did you mean 'replicas'?)"),
    ("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: six\n", "replicas", "services.web.deploy.replicas: expected integer, got string"),
    ("services:\n  web:\n    image: 42\n", "image", "services.web.image: expected string, got integer"),
    ("services:\n  web:\n    image: nginx\n    ports:\n      - \"80:http\"\n", "80:http", "services.web.ports[0]: expected a container port number, got 'http'"),
    ("services:\n  web:\n    image: nginx\n    ports:\n      - \"70000:80\"\n", "70000", "published port 70000 out of range 1-65535"),
    ("services:\n  web:\n    image: nginx\n    ports:\n      - \"80:80/icmp\"\n", "80/icmp", "unknown protocol 'icmp'"),
    ("services:\n  web:\n    image: nginx\n    ports:\n      - \"8000-8001:80\"\n", "8000-8001", "published port range"),
    ("services:\n  web:\n    image: nginx\n    ports:\n      - target: 80\n        mode: bridge\n", "mode: bridge", "services.web.ports[0].mode: 'bridge' is not one of ingress, host"),
    ("services:\n  web:\n    image: nginx\n    healthcheck:\n      test: curl x\n      interval: ten seconds\n", "interval", "services.web.healthcheck.interval: expected a duration"),
    ("services:\n  web:\n    image: nginx\n    stop_grace_period: 10\n    deploy:\n      restart_policy:\n        delay: 5x\n", "delay", "services.web.deploy.restart_policy.delay: expected a duration"),
    ("services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          memory: 12q\n", "memory", "services.web.deploy.resources.limits.memory: expected a size"),
    ("services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          cpus: lots\n", "cpus", "expected a number of CPUs"),
    ("services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits: {memory: 1G}\n        reservations: {memory: 2G}\n", "reservations", "reservation exceeds the limit"),
    ("services:\n  web:\n    image: nginx\n  web:\n    image: httpd\n", "  web:\n    image: httpd", "duplicate key 'web'"),
    ("services:\n  web:\n    image: nginx\n    volumes:\n      - data:/data\n", "data:/data", "named volume 'data' is not declared"),
    ("services:\n  web:\n    image: nginx\n    volumes:\n      - ./x:relative\n", "./x", "must be absolute"),
    ("services:\n  web:\n    image: nginx\n    networks: [front]\n", "networks", "network 'front' is not declared"),
    ("services:\n  web:\n    image: nginx\n    secrets: [pw]\n", "secrets", "secret 'pw' is not declared"),
    ("services:\n  web:\n    image: nginx\n    configs:\n      - source: conf\n", "source: conf", "config 'conf' is not declared"),
    ("services:\n  web:\n    image: nginx\n    depends_on: [db]\n", "depends_on", "depends on undefined service 'db'"),
    ("services:\n  web:\n    image: nginx\n    env_file: nope.env\n", "env_file", "env file 'nope.env' not found"),
    ("services:\n  web:\n    environment: [A=1]\n", "web:", "services.web: a service needs an image"),
    ("services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        constraints: [node.role worker]\n", "constraints", "cannot parse constraint 'node.role worker'"),
    ("services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [RUN, x]\n", "test", "starts with CMD, CMD-SHELL or NONE"),
    ("services:\n  web:\n    image: nginx\n    deploy:\n      restart_policy:\n        condition: sometimes\n", "condition", "'sometimes' is not one of none, on-failure, any"),
    ("services:\n  web:\n    image: nginx\n    command: echo 'unbalanced\n", "command", "cannot split into words"),
    ("services:\n  web:\n    image: nginx\nconfigs:\n  c:\n    file: c.txt\n    content: x\n", "  c:", "exactly one of file, content, environment or external"),
    ("services:\n  web:\n    image: nginx\nsecrets:\n  s:\n    file: nope.txt\n", "file: nope", "secret file 'nope.txt' not found"),
    ("services:\n  web:\n    image: nginx\n    restart: sometimes\n", "restart", "services.web.restart: 'sometimes' does not match"),
    ("services:\n  bad name:\n    image: nginx\n", "bad name", "invalid name 'bad name'"),
    ("services:\n  web:\n    image: nginx\n    command: ${NOPE:?set NOPE}\n", "command", "required variable NOPE is missing: set NOPE"),
    ("services: {}\n", "services", "no services defined"),
    ("- services\n", "- services", "expected a mapping at the top level, got a list"),
    ("version: '3'\n", None, "missing required key 'services'"),
]


@pytest.mark.parametrize("text,needle,fragment", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_files_name_file_and_line(tmp_path, text, needle, fragment):
    path = tmp_path / "docker-compose.yml"
    path.write_text(text)
    with pytest.raises(ComposeError) as info:
        load_compose(path, environ={})
    err = info.value
    assert isinstance(err, InputError)
    assert fragment in err.message
    assert err.file == str(path)
    if needle is None:
        assert str(err).startswith(f"{path}")
        return
    lines = text.splitlines()
    if "\n" in needle:  # a two-line needle pins which occurrence is meant
        expected = next(i for i in range(len(lines)) if "\n".join(lines[i:i + 2]) == needle) + 1
    else:
        expected = next(i for i, line in enumerate(lines, start=1) if needle in line)
        assert err.line == expected, str(err)
        assert str(err).startswith(f"{path}:{expected}: ")


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(ComposeError, match="compose file not found") as info:
        load_compose(tmp_path / "nope.yml")
    assert info.value.line is None and str(info.value) == f"{tmp_path / 'nope.yml'}: compose file not found"
    (tmp_path / "empty.yml").write_text("# nothing\n")
    with pytest.raises(ComposeError, match="empty"):
        load_compose(tmp_path / "empty.yml")
    with pytest.raises(ComposeError, match="directory"):
        load_compose(tmp_path)


def test_bad_env_file_line_is_in_the_env_file(compose_file, tmp_path):
    (tmp_path / "bad.env").write_text("OK=1\n\nnot valid=2\n")
    path = compose_file("""
        services:
          web:
            image: nginx
            env_file: bad.env
    """)
    with pytest.raises(ComposeError) as info:
        load_compose(path, environ={})
    assert info.value.file == str((tmp_path / "bad.env").resolve())
    assert info.value.line == 3
    assert "invalid variable name 'not valid'" in info.value.message


def test_scale_is_replicas(compose_file):
    path = compose_file("""
        services:
          a:
            image: x
            scale: 4
          b:
            image: x
            scale: 2
            deploy:
              replicas: 3
    """)
    with pytest.raises(ComposeError, match="scale 2 differs from deploy.replicas 3") as info:
        load_compose(path, environ={})
    assert info.value.line == 7
    path.write_text(path.read_text().replace("replicas: 3", "replicas: 2"))
    p = load_compose(path, environ={})
    assert p.services["a"].deploy.replicas == 4 and p.services["b"].deploy.replicas == 2
    assert "scale" not in p.services["a"].extras


def test_project_error_helper(full):
    err = full.error("services.web.image: not allowed here", "services", "web", "image")
    assert isinstance(err, ComposeError)
    assert err.line == line_of(FIX / "full.yml", "image: example/web:1.2")
    assert str(err) == f"{FIX / 'full.yml'}:{err.line}: services.web.image: not allowed here"


@pytest.mark.parametrize("name", ["full.yml", "unmapped.yml", "three.yml"])
def test_model_holds_plain_data_only(name):
    """Converters hand model values to yaml.safe_dump and Pulumi: no YAML-marked containers leak."""
    import dataclasses

    from components.compose.yamlmarks import MarkedDict, MarkedList

    leaks = []

    def walk(value, path):
        if isinstance(value, (MarkedDict, MarkedList)):
            leaks.append(path)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name != "lines":
                    walk(getattr(value, f.name), f"{path}.{f.name}")
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}[{k}]")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")

    walk(load_compose(FIX / name, environ={}), "project")
    assert leaks == []


def test_global_with_replicas_is_accepted_as_docker_compose_does(compose_file):
    """`docker compose config` accepts it (tests/compose/corpus/global-replicas.yml); a warning says it is ignored."""
    from components.compose import to_kubernetes, to_swarm

    project = load_compose(compose_file(
        "services:\n  web:\n    image: nginx\n    deploy:\n      mode: global\n      replicas: 2\n"), environ={})
    assert project.warnings == ["services.web.deploy.replicas: ignored: a global service runs one task per node"]
    assert to_swarm(project, stack="s").services["web"]["mode"] == {"global_": True}
    assert [o["kind"] for o in to_kubernetes(project).objects] == ["Service", "DaemonSet"]
