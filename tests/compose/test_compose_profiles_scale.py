"""Compose profiles, an unclosed `${VAR`, and `replicas: 0` on every target (issues 11/12/13).

The expected behaviour is Docker Compose's (https://docs.docker.com/compose/how-tos/profiles/,
read 2026-12-02; `docker compose config` 2.40 checked by hand): a service that lists profiles
runs only when one of them is active, COMPOSE_PROFILES activates them, "*" activates all, a
service may not depend on a disabled one, and a disabled service is still parsed. `${` without
`}` is "invalid interpolation format". tests/compose/test_compose_oracle.py checks the same
files against the real binary where it runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.compose import load_compose, to_ecs, to_kubernetes, to_swarm
from components.errors import ComposeError

ROOT = Path(__file__).resolve().parents[2]

PROFILED = """
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
  debug:
    image: busybox:1.36
    profiles: [debug, tools]
    env_file: not-there.env
  admin:
    image: adminer:4
    profiles: [admin]
"""


def names(project):
    return sorted(project.services)


def test_services_of_inactive_profiles_are_left_out_with_a_warning(compose_file):
    project = load_compose(compose_file(PROFILED), environ={})
    assert names(project) == ["web"]
    # a disabled service's env_file is not read (docker compose config accepts this file)
    assert any(w.startswith("services.debug: not deployed") and "debug, tools" in w for w in project.warnings)
    assert any(w.startswith("services.admin: not deployed") for w in project.warnings)
    k8s = to_kubernetes(project)
    assert {o["metadata"]["name"] for o in k8s.objects if o["kind"] == "Deployment"} == {"web"}
    assert set(to_swarm(project, stack="s").services) == {"web"}
    assert set(to_ecs(project).services) == {"web"}


def test_compose_profiles_from_the_environment_and_the_argument(compose_file):
    path = compose_file(PROFILED.replace("    env_file: not-there.env\n", ""))
    assert names(load_compose(path, environ={"COMPOSE_PROFILES": "admin"})) == ["admin", "web"]
    assert names(load_compose(path, environ={"COMPOSE_PROFILES": "tools, admin"})) == ["admin", "debug", "web"]
    assert names(load_compose(path, environ={"COMPOSE_PROFILES": "admin"}, profiles=["debug"])) == ["debug", "web"]
    assert names(load_compose(path, environ={}, profiles=["*"])) == ["admin", "debug", "web"]


def test_active_profile_reads_its_env_file(compose_file):
    path = compose_file(PROFILED)
    with pytest.raises(ComposeError, match="not-there.env"):
        load_compose(path, environ={}, profiles=["debug"])


def test_depending_on_a_disabled_service_is_refused(compose_file):
    path = compose_file("""
        services:
          web:
            image: nginx:1.27
            depends_on: [db]
          db:
            image: postgres:16
            profiles: [db]
        """)
    with pytest.raises(ComposeError, match=r"docker-compose.yml:4: .*undefined service 'db'"):
        load_compose(path, environ={})
    assert names(load_compose(path, environ={}, profiles=["db"])) == ["db", "web"]


def test_a_disabled_service_is_still_parsed(compose_file):
    path = compose_file("""
        services:
          web:
            image: nginx:1.27
          backup:
            image: busybox:1.36
            profiles: [ops]
            volumes: ["${BACKUP_DIR}:/backup"]
        """)
    with pytest.raises(ComposeError, match="docker-compose.yml:7"):
        load_compose(path, environ={})


@pytest.mark.parametrize("text", ["image: \"${TAG\"", "image: \"nginx:${TAG:-1\"", "environment: {A: \"x${\"}"])
def test_unclosed_variable_is_refused(compose_file, text):
    path = compose_file(f"services:\n  web:\n    {text}\n" + ("    image: nginx\n" if "image" not in text else ""))
    with pytest.raises(ComposeError) as err:
        load_compose(path, environ={"TAG": "1"})
    assert err.value.line == 3
    assert "invalid interpolation format" in err.value.message
    assert "\n" not in str(err.value)


def test_escaped_dollar_brace_is_literal(compose_file):
    path = compose_file("services:\n  web:\n    image: nginx\n    command: echo $${HOME\n")
    assert load_compose(path, environ={}).services["web"].command == ["echo", "${HOME"]


def dockyard(*args):
    return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin"})


def test_convert_profile_option_and_unclosed_variable_exit_2(tmp_path):
    path = tmp_path / "compose.yml"
    path.write_text(PROFILED.replace("    env_file: not-there.env\n", ""))
    run = dockyard("convert", str(path))
    assert run.returncode == 0, run.stderr
    kinds = [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(run.stdout)]
    assert ("Deployment", "web") in kinds and ("Deployment", "admin") not in kinds
    assert "services.admin: not deployed" in run.stderr
    run = dockyard("convert", str(path), "--profile", "admin")
    kinds = [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(run.stdout)]
    assert ("Deployment", "admin") in kinds and ("Deployment", "debug") not in kinds
    run = dockyard("convert", str(path), "--profile", "no good")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and run.stderr.startswith("error: --profile:")
    bad = tmp_path / "bad.yml"
    bad.write_text("services:\n  web:\n    image: ${TAG\n")
    run = dockyard("convert", str(bad))
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"error: {bad}:3: ") and run.stderr.count("\n") == 1


# --- profiles from the stack config -------------------------------------------------------------


def test_stack_config_profiles_reach_compose_app(tmp_path):
    from components import config as C
    from components.kubernetes.build import plan

    (tmp_path / "app.yml").write_text(PROFILED.replace("    env_file: not-there.env\n", "").replace(
        "    profiles: [admin]\n", "    profiles: [admin]\n    labels: {kompose.service.group: g}\n").replace(
        "    ports: [\"8080:80\"]\n", "    ports: [\"8080:80\"]\n    labels: {kompose.service.group: g}\n"))
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "docker-desktop",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "docker-desktop", "context": {"cluster": "c", "user": "u"}}]}))
    raw = {"kubernetes": {"cluster": "existing", "kubeconfig": str(kubeconfig), "context": "docker-desktop",
                          "apps": [{"name": "shop", "compose": str(tmp_path / "app.yml"), "profiles": ["admin"],
                                   "serviceGroups": True}]}}
    cfg = C.validate(raw, {}, project_dir=tmp_path)
    assert cfg.kubernetes.apps[0].profiles == ["admin"]
    p = plan(cfg, "dev")
    (app,) = p.compose_apps
    deployments = {o["metadata"]["name"]: o for o in app.objects if o["kind"] == "Deployment"}
    # the admin profile is active, and serviceGroups puts web and admin (group g) in one pod
    assert list(deployments) == ["g"]
    assert [c["name"] for c in deployments["g"]["spec"]["template"]["spec"]["containers"]] == ["web", "admin"]


@pytest.mark.parametrize("where", [
    lambda p: {"swarm": {"cloud": "local", "stacks": [{"name": "s", "compose": "app.yml", "profiles": p}]}},
    lambda p: {"containers": [{"name": "a", "platform": "fargate", "compose": "app.yml", "service": "web",
                               "profiles": p}]},
])
def test_profile_names_are_validated(tmp_path, where):
    from components import config as C
    from components.errors import ConfigError

    (tmp_path / "app.yml").write_text(PROFILED)
    with pytest.raises(ConfigError, match=r"profiles.*profile 'bad name'"):
        C.validate(where(["bad name"]), {"aws:region": "eu-west-1"}, project_dir=tmp_path)


# --- replicas: 0 ----------------------------------------------------------------------------------

ZERO = """
services:
  worker:
    image: busybox:1.36
    deploy:
      replicas: 0
  legacy:
    image: busybox:1.36
    scale: 0
  extra:
    image: busybox:1.36
    profiles: [extra]
"""


def test_replicas_zero_is_scale_to_zero_on_swarm_and_kubernetes(compose_file):
    project = load_compose(compose_file(ZERO), environ={})
    swarm = to_swarm(project, stack="s")
    for name in ("worker", "legacy"):
        assert swarm.services[name]["mode"] == {"replicated": {"replicas": 0}}
    deployments = {o["metadata"]["name"]: o for o in to_kubernetes(project).objects if o["kind"] == "Deployment"}
    assert deployments["worker"]["spec"]["replicas"] == 0
    assert deployments["legacy"]["spec"]["replicas"] == 0
    assert to_ecs(project).services["worker"].desired_count == 0


def test_replicas_zero_on_a_swarm_stack_and_a_compose_app(tmp_path, mock_engine):
    """Through the components, as `pulumi up` declares them."""
    from components.kubernetes.compose_app import plan

    path = tmp_path / "zero.yml"
    path.write_text(ZERO)
    deployments = {o["metadata"]["name"]: o["spec"]["replicas"] for o in plan("z", path).objects
                   if o["kind"] == "Deployment"}
    assert deployments == {"worker": 0, "legacy": 0}

    from components import config as C
    from components.swarm.cluster import SwarmCluster, SwarmClusterArgs

    stack = {"name": "z", "compose": str(path), "profiles": ["extra"]}
    cfg = C.validate({"swarm": {"cloud": "local", "stacks": [stack]},
                      "allowFilesOutsideProject": [str(tmp_path)]}, {}, project_dir=ROOT)

    def program():
        SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, "test", project_dir=ROOT))

    result = mock_engine.run(program, stack="test", config={})
    modes = {r.name: r.inputs["mode"] for r in result.of_type("docker:index/service:Service")}
    assert modes == {"swarm-z-worker": {"replicated": {"replicas": 0}},
                     "swarm-z-legacy": {"replicated": {"replicas": 0}},
                     "swarm-z-extra": {"replicated": {"replicas": 1}}}  # its profile is active


def test_fargate_desired_count_zero_from_config_and_compose(tmp_path, mock_engine):
    from components import config as C
    from components.containers.build import build_containers

    path = tmp_path / "zero.yml"
    path.write_text(ZERO)
    apps = [{"name": "cfg0", "platform": "fargate", "image": "nginx:1.27", "replicas": 0},
            {"name": "cmp0", "platform": "fargate", "compose": str(path), "service": "worker"}]

    def program():
        build_containers(C.load())

    result = mock_engine.run(program, config={"dockyard:containers": apps, "aws:region": "eu-west-1",
                                              "dockyard:allowFilesOutsideProject": [str(tmp_path)]})
    counts = {r.name.split("-")[0]: r.inputs["desiredCount"] for r in result.of_type("aws:ecs/service:Service")}
    assert counts == {"cfg0": 0, "cmp0": 0}


def test_app_service_cannot_scale_to_zero(tmp_path, mock_engine):
    from components import config as C
    from components.containers.build import build_containers
    from components.errors import ConfigError

    with pytest.raises(ConfigError, match=r"dockyard:containers\[0\]\.replicas: .*at least 1"):
        C.validate({"containers": [{"name": "a", "platform": "appservice", "image": "nginx:1.27",
                                    "replicas": 0}]}, {"azure-native:location": "westeurope"}, project_dir=ROOT)
    path = tmp_path / "zero.yml"
    path.write_text(ZERO)
    apps = [{"name": "web", "platform": "appservice", "compose": str(path), "service": "worker"}]

    def program():
        build_containers(C.load())

    result = mock_engine.run(program, config={"dockyard:containers": apps, "azure-native:location": "westeurope",
                                              "dockyard:allowFilesOutsideProject": [str(tmp_path)]})
    plan_ = result.get("azure-native:web:AppServicePlan")
    assert plan_.inputs["sku"]["capacity"] == 1
    assert any("services.worker.deploy.replicas: 0" in w and "cannot scale to zero" in w for w in result.warnings)
