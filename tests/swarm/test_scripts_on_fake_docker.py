"""The reconcile and converge scripts against a fake ``docker`` that keeps the node table.

The real-engine tests (test_swarm_healing.py) prove the same on dockerd, but need root and network
namespaces and skip elsewhere; these run everywhere and fail when the order or the demotion of
dropped managers is broken: the fake records every change with the manager count after it and
refuses what dockerd refuses (removing a manager, demoting the last one).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from components.swarm import scripts as S

FAKE = Path(__file__).with_name("fake_docker.py")


def node(hostname, role="worker", availability="active", labels=None):
    return {"hostname": hostname, "role": role, "availability": availability, "labels": labels or {},
            "state": "ready"}


@pytest.fixture
def swarm(tmp_path):
    """Run a reconcile script against a node table; returns (returncode, stderr, state)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(f"#!/bin/sh\nexec {sys.executable} -I -S {FAKE} \"$@\"\n")
    docker.chmod(docker.stat().st_mode | stat.S_IEXEC)
    state_file = tmp_path / "swarm.json"

    def run(nodes: dict, specs: list[S.NodeSpec] = (), *, script: str | None = None, services: dict | None = None):
        state_file.write_text(json.dumps({"self": "id-m1", "nodes": nodes, "services": services or {}, "log": []}))
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_SWARM": str(state_file),
               "DOCKER_HOST": "unix:///fake.sock"}
        script = script or S.reconcile_script("manager-1", specs, wait_seconds=5)
        proc = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stdout + proc.stderr, json.loads(state_file.read_text())

    return run


def test_one_change_that_promotes_and_demotes_promotes_first(swarm):
    nodes = {"id-m1": node("manager-1", "manager"), "id-m2": node("manager-2", "manager"),
             "id-m3": node("manager-3", "manager"), "id-w1": node("worker-1")}
    specs = [S.NodeSpec("manager-1", "self", "manager"), S.NodeSpec("manager-2", "id-m2", "manager"),
             S.NodeSpec("manager-3", "id-m3", "worker"), S.NodeSpec("worker-1", "id-w1", "manager")]
    rc, out, st = swarm(nodes, specs)
    assert rc == 0, out
    changes = [entry[:-1] for entry in st["log"]]
    assert changes == [["promote", "worker-1"], ["demote", "manager-3"]]
    # The manager count never dips below the three the change starts and ends with.
    assert min(entry[-1] for entry in st["log"]) == 3
    assert st["nodes"]["id-w1"]["role"] == "manager" and st["nodes"]["id-m3"]["role"] == "worker"


def test_managers_dropped_from_the_config_are_demoted_one_at_a_time_then_drained(swarm):
    """Dropped managers are demoted one at a time (quorum holds), every dropped node is drained, and
    the entries of nodes that are down (lost or replaced hosts) are removed, each only once demoted;
    a node still up leaves by itself later (leave_script/forget_script, when Pulumi deletes it)."""
    nodes = {"id-m1": node("manager-1", "manager"), **{f"id-m{i}": node(f"manager-{i}", "manager")
                                                        for i in range(2, 6)},
             "id-w1": node("worker-1"), "id-w2": node("worker-2")}
    for down in ("id-m4", "id-m5"):
        nodes[down]["state"] = "down"
    specs = [S.NodeSpec("manager-1", "self", "manager"), S.NodeSpec("worker-1", "id-w1")]
    rc, out, st = swarm(nodes, specs)
    assert rc == 0, out
    log = st["log"]
    dropped = {f"manager-{i}" for i in range(2, 6)}
    assert sorted(e[1] for e in log if e[0] == "demote") == sorted(dropped)
    # One manager fewer per step (5, 4, 3, 2, 1 managers), all demoted before any node is removed.
    assert [e[-1] for e in log if e[0] == "demote"] == [4, 3, 2, 1]
    first_rm = next(i for i, e in enumerate(log) if e[0] == "rm")
    assert all(i < first_rm for i, e in enumerate(log) if e[0] == "demote")
    assert {e[1] for e in log if e[0] == "update" and e[2:4] == ["--availability", "drain"]} == dropped | {"worker-2"}
    assert {e[1] for e in log if e[0] == "rm"} == {"manager-4", "manager-5"}
    assert set(st["nodes"]) == {"id-m1", "id-w1", "id-m2", "id-m3", "id-w2"}
    assert all(n["role"] == "worker" for k, n in st["nodes"].items() if k != "id-m1")


def test_replicas_zero_is_waited_for_as_zero_tasks(swarm, mock_engine, tmp_path):
    """`replicas: 0` scales a swarm service to zero: the rollout wait expects 0 of 0, not one task."""
    from components import config as C
    from components.swarm import SwarmCluster, SwarmClusterArgs

    root = Path(__file__).resolve().parents[2]
    compose = tmp_path / "zero.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n    deploy: {replicas: 2}\n"
                       "  worker:\n    image: busybox:1.36\n    deploy: {replicas: 0}\n")
    cfg = C.validate({"swarm": {"cloud": "local", "stacks": [{"name": "app", "compose": str(compose)}]},
                      "allowFilesOutsideProject": [str(tmp_path)]}, {}, project_dir=root)
    result = mock_engine.run(lambda: SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, "test", project_dir=root)),
                             stack="test", config={})
    text = result.get("command:local:Command", "swarm-converge").inputs["create"]
    assert "SERVICES='app_web=2 app_worker=0'\n" in text
    # On an engine where web runs 2/2 and worker 0/0 (docker service ls), the wait ends at once.
    rc, out, _ = swarm({"id-m1": node("manager-1", "manager")},
                       script=re.sub(r"CONVERGE_SECONDS=\d+", "CONVERGE_SECONDS=3", text),
                       services={"app_web": [2, 2], "app_worker": [0, 0]})
    assert rc == 0 and "converged" in out, out
