"""How SwarmCluster wires the healing steps for `pulumi up` (mock engine, preview off).

The real-engine tests (test_swarm_healing.py) show what each script does when it runs; these
show that the component makes Pulumi run them in the safe order and again when they must:
probes before manager-1's bootstrap, the bootstrap's later runs as its update (never its create),
the probes again when manager-1's engine changes, the swarm's identity handed to every join, the
converge wait after the services, the provisioning marker on cloud nodes only, and one Docker
endpoint for the local nodes. Expected values come from the issue and CONTRACTS.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components import config as C
from components.errors import ConfigError
from components.projectfiles import ProjectFiles
from components.swarm import SwarmCluster, SwarmClusterArgs
from dockyard.engine import Secret

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = {"aws:region": "us-east-1"}
CMD_LOCAL = "command:local:Command"
CMD_REMOTE = "command:remote:Command"
MARKER = "/var/lib/dockyard/provisioned"  # CONTRACTS.md, "Provisioning marker"


def run_swarm(mock_engine, swarm: dict, stack="test", allow: tuple = ()):
    raw = {"swarm": swarm, **({"allowFilesOutsideProject": [str(a) for a in allow]} if allow else {})}
    cfg = C.validate(raw, PROVIDERS, project_dir=ROOT)
    return mock_engine.run(lambda: SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, stack, project_dir=ROOT)),
                           stack=stack, config=dict(PROVIDERS))


def reveal(value):
    return value.value if isinstance(value, Secret) else value


def test_probes_feed_manager_1_and_run_again_when_it_is_replaced(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "local", "managers": 3, "workers": 1, "stacks": []})
    init = result.get(CMD_LOCAL, "swarm-init")
    probes = [result.get(CMD_LOCAL, f"swarm-manager-{i}-probe") for i in (2, 3)]
    assert not [r for r in result.of_type(CMD_LOCAL) if r.name in ("swarm-manager-1-probe", "swarm-worker-1-probe")]
    m1 = result.get("docker:index/container:Container", "swarm-manager-1")
    for probe in probes:
        assert "STEP=probe\n" in probe.inputs["create"]
        # A fresh manager-1 (new container or VM id) makes every probe run again.
        assert m1.id in probe.inputs["triggers"]
        assert probe.urn in init.dependencies
        assert "stdout" in probe.secret_outputs and probe.inputs["logging"] == "stderr"  # tokens
    # The probe lines reach the bootstrap on stdin, as a secret.
    assert isinstance(init.inputs["stdin"], Secret)
    assert init.inputs["stdin"].value == "".join(p.outputs["stdout"].value for p in probes)
    # First run: create may initialise; every later run is the update, which never initialises
    # a second swarm while two other managers are configured.
    assert "FIRST=yes\n" in init.inputs["create"] and "MANAGERS=3\n" in init.inputs["create"]
    assert "FIRST=no\n" in init.inputs["update"] and "MANAGERS=3\n" in init.inputs["update"]
    # manager-1's own engine change is a trigger of the bootstrap: with `update` set, pulumi-command
    # runs the update (not the create) on a trigger change (its CommandArgs.triggers doc).
    assert m1.id in init.inputs["triggers"]


def test_joins_carry_the_swarm_identity_and_every_manager_address(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "aws", "managers": 3, "workers": 2, "size": "t3.micro",
                                     "stacks": []})
    boot = json.loads(reveal(result.get(CMD_REMOTE, "swarm-init").outputs["stdout"]))
    ips = [result.get("aws:ec2/networkInterface:NetworkInterface", f"swarm-manager-{i}-eni").outputs["privateIp"]
           for i in (1, 2, 3)]
    for node in ("manager-2", "manager-3", "worker-1", "worker-2"):
        join = result.get(CMD_REMOTE, f"swarm-{node}-join")
        text = join.inputs["create"]
        assert not isinstance(text, Secret)  # the cluster ID is not secret; the tokens stay on stdin
        assert f"CLUSTER={boot['clusterId']}\n" in text
        assert f"MANAGER_IDS={' '.join(boot['managerIds'])}\n" in text
        others = [ip for ip in ips if f"ADDR={ip}\n" not in text]
        assert f"JOIN_ADDRS='{' '.join(others)}'\n" in text
        assert boot["workerToken"] not in text and boot["managerToken"] not in text


@pytest.mark.parametrize("cloud,marker", [("local", ""), ("digitalocean", MARKER)])
def test_cloud_scripts_wait_for_provisioning_local_ones_do_not(mock_engine, cloud, marker):
    result = run_swarm(mock_engine, {"cloud": cloud, "managers": 3, "workers": 1})
    cmd = CMD_LOCAL if cloud == "local" else CMD_REMOTE
    commands = result.of_type(cmd)
    assert {c.name.rsplit("-", 1)[-1] for c in commands} >= {"probe", "init", "join", "reconcile", "converge"}
    for c in commands:
        if c.name.endswith("-tls"):
            continue  # the DockerHost's TLS delivery (components/hosts), which the marker waits for
        # leave and forget run their script when Pulumi deletes them
        text = c.inputs["delete"] if c.name.endswith(("-leave", "-forget")) else c.inputs["create"]
        assert f"MARKER={marker}\n" in text or f"MARKER='{marker}'\n" in text, c.name


def test_converge_waits_for_every_service_after_the_stack(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "local", "managers": 1, "workers": 2,
                                     "rolloutTimeoutSeconds": 120})
    converge = result.get(CMD_LOCAL, "swarm-converge")
    service = result.get("docker:index/service:Service")
    assert service.urn in converge.dependencies
    text = converge.inputs["create"]
    # apps/cluster/docker-compose.yml: 6 replicas of the cluster service, stack "cluster".
    assert "SERVICES=cluster_cluster=6\n" in text and "CONVERGE_SECONDS=120\n" in text
    # A changed service spec changes the converge command, so a rollout is waited for again.
    other = run_swarm(mock_engine, {"cloud": "local", "managers": 1, "workers": 2, "rolloutTimeoutSeconds": 120,
                                    "stacks": [{"name": "cluster", "compose": "tests/swarm/fixtures/cluster-v2.yml"}]})
    assert other.get(CMD_LOCAL, "swarm-converge").inputs["create"] != text


def test_no_stacks_no_converge(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "local", "stacks": []})
    assert not [r for r in result.of_type(CMD_LOCAL) if r.name == "swarm-converge"]


# --- local stack (issue 10) ----------------------------------------------------------------------------


def test_endpoint_from_docker_host_env():
    ep = C.docker_endpoint({"DOCKER_HOST": "tcp://10.0.0.5:2376", "DOCKER_TLS_VERIFY": "1",
                            "DOCKER_CERT_PATH": "/certs"})
    assert (ep.host, ep.cert_path) == ("tcp://10.0.0.5:2376", "/certs")
    assert ep.cli_args() == ["--host", "tcp://10.0.0.5:2376", "--tlsverify", "--tlscacert=/certs/ca.pem",
                             "--tlscert=/certs/cert.pem", "--tlskey=/certs/key.pem"]


def test_endpoint_from_the_current_context(tmp_path):
    import hashlib

    docker_dir = tmp_path / ".docker"
    # docker/cli stores a context under contexts/meta/<sha256 of its name>/meta.json.
    meta = docker_dir / "contexts" / "meta" / hashlib.sha256(b"colima").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": "colima", "Metadata": {},
                                                "Endpoints": {"docker": {"Host": "unix:///home/u/.colima/docker.sock",
                                                                         "SkipTLSVerify": False}}}))
    (docker_dir / "config.json").write_text(json.dumps({"currentContext": "colima"}))
    ep = C.docker_endpoint({}, home=tmp_path)
    assert ep.host == "unix:///home/u/.colima/docker.sock" and ep.cert_path is None
    # DOCKER_CONTEXT wins over config.json, DOCKER_HOST over both.
    assert C.docker_endpoint({"DOCKER_CONTEXT": "default"}, home=tmp_path).host == "unix:///var/run/docker.sock"
    assert C.docker_endpoint({"DOCKER_HOST": "unix:///x.sock"}, home=tmp_path).host == "unix:///x.sock"
    with pytest.raises(ConfigError, match="docker context 'gone' cannot be read"):
        C.docker_endpoint({"DOCKER_CONTEXT": "gone"}, home=tmp_path)


def test_arm64_machine_warns_about_amd64_only_images():
    swarm = C.SwarmConfig(cloud="local")
    warnings = C._check_local_swarm(swarm, ProjectFiles.of(ROOT), machine="arm64")
    assert len(warnings) == 1
    assert "arm64" in warnings[0] and "russmckendrick/cluster:latest" in warnings[0]
    assert C._check_local_swarm(swarm, ProjectFiles.of(ROOT), machine="x86_64") == []


def test_local_port_offset_is_configurable_and_checked(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "local", "localPortOffset": 0})
    ports = result.get("docker:index/container:Container", "swarm-manager-1").inputs["ports"]
    assert (80, 80) in {(p["internal"], p["external"]) for p in ports}
    with pytest.raises(ConfigError, match=r"dockyard:swarm.localPortOffset: 65500 moves published port 80"):
        C.validate({"swarm": {"cloud": "local", "localPortOffset": 65500}}, project_dir=ROOT)


def test_dind_image_is_a_maintained_major():
    from components.swarm.local import DIND_IMAGE

    # docker-library/official-images library/docker (read 2026-12-02) builds 29.x only.
    assert DIND_IMAGE == "docker:29-dind"


def test_requirements_ask_for_the_pulumi_docker_the_code_uses():
    """ServiceConfig's data_raw (components/compose/to_swarm.py) first shipped in pulumi-docker
    5.1.0 (the 5.0.0 wheel's ServiceConfigArgs has data, labels and name only; read 2026-12-02)."""
    import re

    import pulumi_docker

    line = next(x for x in (ROOT / "requirements.txt").read_text().splitlines() if x.startswith("pulumi-docker"))
    low = tuple(int(v) for v in re.search(r">=([\d.]+)", line).group(1).split("."))
    assert low >= (5, 1) and "<6" in line
    assert "data_raw" in pulumi_docker.ServiceConfigArgs.__init__.__code__.co_varnames


def test_one_shot_jobs_are_not_waited_for(mock_engine, tmp_path):
    compose = tmp_path / "jobs.yml"
    compose.write_text("services:\n"
                       "  web:\n    image: nginx:1.27\n    deploy: {replicas: 2}\n"
                       "  migrate:\n    image: alpine:3.20\n    deploy: {restart_policy: {condition: none}}\n")
    result = run_swarm(mock_engine, {"cloud": "local", "stacks": [{"name": "app", "compose": str(compose)}]},
                       allow=(tmp_path,))
    text = result.get(CMD_LOCAL, "swarm-converge").inputs["create"]
    # A task that is never restarted ends: only the long-running service is waited for.
    assert "SERVICES=app_web=2\n" in text


def test_scaled_away_nodes_leave_from_themselves_then_manager_1_removes_them(mock_engine):
    """Pulumi deletes a dropped node's commands after every update (so after the reconcile has
    drained it), dependents first, all before the node's host: leave (on the node) must depend on
    forget (on manager-1), which depends on the node's join; each carries the node's own ID."""
    result = run_swarm(mock_engine, {"cloud": "local", "managers": 1, "workers": 2})
    join = result.get(CMD_LOCAL, "swarm-worker-2-join")
    forget = result.get(CMD_LOCAL, "swarm-worker-2-forget")
    leave = result.get(CMD_LOCAL, "swarm-worker-2-leave")
    node_id = join.outputs["stdout"].strip()  # what the join printed: the node's swarm ID
    assert join.urn in forget.dependencies and forget.urn in leave.dependencies
    container = result.get("docker:index/container:Container", "swarm-worker-2")
    manager = result.get("docker:index/container:Container", "swarm-manager-1")
    assert container.urn in leave.dependencies and manager.urn in forget.dependencies
    assert "STEP=leave\n" in leave.inputs["delete"] and "STEP=forget\n" in forget.inputs["delete"]
    assert "swarm leave" in leave.inputs["delete"] and "node rm" in forget.inputs["delete"]
    ids = {line for line in (leave.inputs["delete"] + forget.inputs["delete"]).splitlines()
           if line.startswith("NODE_ID=")}
    assert node_id and ids == {f"NODE_ID={node_id}"}, ids
