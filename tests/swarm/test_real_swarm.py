"""The generated swarm scripts against three real dockerd, each in its own network namespace.

This is the part the mock engine cannot check: that the init, join and reconcile scripts the
SwarmCluster hands pulumi_command really form a swarm, are idempotent, and apply promote,
demote, drain and labels. The scripts run as text given to a shell (bash, dash and busybox sh:
cloud nodes run them in an SSH login shell, local Docker-in-Docker nodes in Alpine's sh), with
``DOCKER_HOST`` pointing at each node's unix socket, tokens on stdin as the component passes them.

What this sandbox cannot run (see /work/shared/ENVIRONMENT.md): the kernel has no IPVS, so the
routing mesh (``-p 80:80`` ingress publishing) and VIP service names do not work here; the drain
test therefore uses an overlay network with ``--endpoint-mode dnsrr`` and no published port. The
SSH transport (remote.Command) and Docker-in-Docker containers are not exercised either: the
script text is the same, only the transport differs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from components.swarm import scripts as S
from tests.conftest import require, require_tool

pytestmark = pytest.mark.realengine

NAMES = ["manager-1", "worker-1", "worker-2"]


@pytest.fixture(scope="module")
def lab():
    require_tool("dockerd", "docker", "ip", "unshare", "busybox", "bash", "tar",
                 reason="multi-node swarm in network namespaces")
    require(os.geteuid() == 0, "network namespaces and dockerd need root")
    from tests.swarm.netns_lab import SwarmLab

    lab = SwarmLab(NAMES)
    try:
        lab.start()
        yield lab
    finally:
        lab.close()


def run(lab, node, script, stdin=None, shell="bash"):
    proc = lab.run_script(node, script, shell=shell)
    out, err = proc.communicate(stdin, timeout=300)
    return proc.returncode, out, err


def node_of(lab, name):
    return next(n for n in lab.nodes if n.name == name)


def form(lab, shell="bash"):
    """init on manager-1, then both workers join in parallel, as the component orders them."""
    m = node_of(lab, "manager-1")
    rc, out, err = run(lab, m, S.init_script("manager-1", m.ip), shell=shell)
    assert rc == 0, err
    tokens = json.loads(out)
    procs = {}
    for n in lab.nodes[1:]:
        p = lab.run_script(n, S.join_script(n.name, n.ip, m.ip), shell=shell)
        p.stdin.write(tokens["workerToken"] + "\n")
        p.stdin.close()
        procs[n.name] = p
    ids = {}
    for name, p in procs.items():
        out, err = p.stdout.read(), p.stderr.read()
        assert p.wait(timeout=300) == 0, err
        assert tokens["workerToken"] not in out + err
        ids[name] = out.strip()
    return tokens, ids, out, err


@pytest.fixture(scope="module")
def formed(lab):
    return form(lab)


def specs(ids, **wanted):
    """NodeSpecs for the three nodes; wanted[name] = (role, availability, labels)."""
    base = {"manager-1": ("manager", "active", {}), "worker-1": ("worker", "active", {}),
            "worker-2": ("worker", "active", {})}
    base.update(wanted)
    return [S.NodeSpec(name, "self" if name == "manager-1" else ids[name], *base[name]) for name in NAMES]


def nodes_state(lab):
    m = node_of(lab, "manager-1")
    ids = lab.docker(m, "node", "ls", "-q").stdout.split()
    out = {}
    for nid in ids:
        info = json.loads(lab.docker(m, "node", "inspect", nid).stdout)[0]
        out[info["Description"]["Hostname"]] = info
    return out


def wait_for(predicate, timeout=60, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def reconcile(lab, nodes, shell="bash"):
    rc, out, err = run(lab, node_of(lab, "manager-1"), S.reconcile_script("manager-1", nodes), shell=shell)
    assert rc == 0, err
    return out


def test_three_nodes_ready_with_configured_roles(lab, formed):
    tokens, ids, _, _ = formed
    assert tokens["workerToken"].startswith("SWMTKN-") and tokens["managerToken"].startswith("SWMTKN-")
    out = reconcile(lab, specs(ids, **{"worker-1": ("worker", "active", {"zone": "a", "disk": "ssd"})}))
    assert "changed: worker-1 label zone=a" in out
    wait_for(lambda: all(s["Status"]["State"] == "ready" for s in nodes_state(lab).values()),
             what="three nodes Ready")
    state = nodes_state(lab)
    assert sorted(state) == NAMES
    assert {n: s["Spec"]["Role"] for n, s in state.items()} == {
        "manager-1": "manager", "worker-1": "worker", "worker-2": "worker"}
    assert state["worker-1"]["Spec"]["Labels"] == {"zone": "a", "disk": "ssd"}
    # Each node advertises its own private address.
    assert {n: s["Status"]["Addr"] for n, s in state.items() if n != "manager-1"} == {
        "worker-1": "10.231.0.12", "worker-2": "10.231.0.13"}
    assert state["manager-1"]["ManagerStatus"]["Addr"] == "10.231.0.11:2377"


def test_second_run_changes_nothing(lab, formed):
    tokens, ids, _, _ = formed
    wanted = specs(ids, **{"worker-1": ("worker", "active", {"zone": "a", "disk": "ssd"})})
    reconcile(lab, wanted)
    before = {n: (s["Spec"], s["Version"]["Index"]) for n, s in nodes_state(lab).items()}
    tokens2, ids2, _, err = form(lab)  # init and joins again
    assert tokens2 == tokens and ids2 == ids
    assert "already part of the swarm: nothing to do" in err
    assert reconcile(lab, wanted).strip() == "unchanged"
    after = {n: (s["Spec"], s["Version"]["Index"]) for n, s in nodes_state(lab).items()}
    assert after == before


@pytest.mark.parametrize("shell", ["dash", "busybox"])
def test_scripts_are_posix_sh(lab, formed, shell):
    """Alpine (dind nodes) has busybox sh, Debian's /bin/sh is dash: both must run the scripts."""
    if shutil.which(shell) is None:
        require_tool(shell)
    tokens, ids, _, _ = formed
    sh = [shell] if shell == "dash" else ["busybox", "sh"]
    m = node_of(lab, "manager-1")
    proc = subprocess.run(
        [*sh, "-c", S.reconcile_script("manager-1", specs(ids, **{
            "worker-1": ("worker", "active", {"zone": "a", "disk": "ssd"})}))],
        env=m.env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "unchanged"


def test_promote_demote_and_labels_follow_the_config(lab, formed):
    _, ids, _, _ = formed
    # 1 -> 3 managers (a config may not hold an even number), label removed and changed.
    out = reconcile(lab, specs(ids, **{"worker-1": ("manager", "active", {"zone": "b"}),
                                       "worker-2": ("manager", "active", {})}))
    assert "changed: worker-1 role worker -> manager" in out
    assert "changed: worker-2 role worker -> manager" in out
    assert "changed: worker-1 label -disk" in out
    wait_for(lambda: all(s.get("ManagerStatus", {}).get("Reachability") == "reachable"
                         for s in nodes_state(lab).values()), what="three reachable managers")
    assert nodes_state(lab)["worker-1"]["Spec"]["Labels"] == {"zone": "b"}
    # 3 -> 1 managers, and worker-2 paused.
    out = reconcile(lab, specs(ids, **{"worker-2": ("worker", "pause", {})}))
    assert "changed: worker-1 role manager -> worker" in out
    assert "changed: worker-2 role manager -> worker" in out
    assert "changed: worker-2 availability active -> pause" in out
    state = nodes_state(lab)
    assert {n: s["Spec"]["Role"] for n, s in state.items()} == {
        "manager-1": "manager", "worker-1": "worker", "worker-2": "worker"}
    assert state["worker-1"]["Spec"]["Labels"] == {}
    assert state["worker-2"]["Spec"]["Availability"] == "pause"
    # activate
    assert "changed: worker-2 availability pause -> active" in reconcile(lab, specs(ids))
    assert nodes_state(lab)["worker-2"]["Spec"]["Availability"] == "active"


def test_drain_moves_tasks_off_the_node(lab, formed):
    _, ids, _, _ = formed
    reconcile(lab, specs(ids))
    image = lab.load_busybox_image()
    m = node_of(lab, "manager-1")
    lab.docker(m, "network", "create", "-d", "overlay", "dy-drain")
    # No IPVS here: dnsrr endpoint mode and no published port (see the module docstring).
    lab.docker(m, "service", "create", "--detach", "--name", "drainme", "--replicas", "4",
               "--network", "dy-drain", "--endpoint-mode", "dnsrr", "--no-resolve-image",
               "--stop-grace-period", "1s", "--constraint", "node.role==worker", image, "sleep", "3600")

    def running_on():
        out = lab.docker(m, "service", "ps", "drainme", "--filter", "desired-state=running",
                         "--format", "{{.Node}} {{.CurrentState}}").stdout
        return [line.split()[0] for line in out.splitlines() if " Running" in line]

    wait_for(lambda: len(running_on()) == 4 and set(running_on()) == {"worker-1", "worker-2"},
             timeout=90, what="4 tasks running on both workers")
    out = reconcile(lab, specs(ids, **{"worker-1": ("worker", "drain", {})}))
    assert "changed: worker-1 availability active -> drain" in out
    wait_for(lambda: running_on() == ["worker-2"] * 4, timeout=90, what="tasks moved off worker-1")
    worker1 = node_of(lab, "worker-1")
    wait_for(lambda: lab.docker(worker1, "ps", "-q").stdout.strip() == "", timeout=60,
             what="no containers left on worker-1")
    # Back to active; a second reconcile changes nothing.
    reconcile(lab, specs(ids))
    assert reconcile(lab, specs(ids)).strip() == "unchanged"
    lab.docker(m, "service", "rm", "drainme")


STATIC_DOCKER_CLI = "/usr/local/bin/docker"


def test_local_runner_transport(lab, formed, mock_engine, monkeypatch):
    """The local (Docker-in-Docker) runner: `docker exec -i <node> sh -c <script>`, token on stdin.

    A dind node cannot run here (nothing can be pulled), so a busybox container stands in for it:
    it holds a static docker CLI and the node's own socket, as a dind container has its CLI and
    dockerd. The interpreter is the one the component hands pulumi_command, the script the one it
    generates; the outer `docker exec` goes to the node's engine as it would go to the laptop's.
    """
    from pathlib import Path

    from components import config as C
    from components.swarm import SwarmCluster, SwarmClusterArgs

    cli = Path(STATIC_DOCKER_CLI)
    # A dynamically linked ELF names its loader (ld-linux) in the PT_INTERP header near the start.
    static = cli.is_file() and b"ld-linux" not in cli.open("rb").read(8192)
    require(static, f"a statically linked docker CLI at {STATIC_DOCKER_CLI} to mount into a FROM-scratch container")
    _, ids, _, _ = formed
    root = Path(__file__).resolve().parents[2]
    image = lab.load_busybox_image()
    interpreters = {}
    for name in ("manager-1", "worker-1"):
        node = node_of(lab, name)
        # The endpoint is resolved once from DOCKER_HOST and written into the interpreter, so the
        # exec reaches this engine whatever the environment the command later runs in.
        monkeypatch.setenv("DOCKER_HOST", f"unix://{node.sock}")
        cfg = C.validate({"swarm": {"cloud": "local", "stacks": []}}, project_dir=root)
        result = mock_engine.run(lambda cfg=cfg: SwarmCluster("swarm", SwarmClusterArgs.from_config(
            cfg, "local", project_dir=root)))
        cmd = result.get("command:local:Command", "swarm-init" if name == "manager-1" else f"swarm-{name}-join")
        interpreter = cmd.inputs["interpreter"]
        assert interpreter[:3] == ["docker", "--host", f"unix://{node.sock}"]
        assert interpreter[3:5] == ["exec", "-i"] and interpreter[6:] == ["sh", "-c"]
        interpreters[name] = interpreter
        lab.docker(node, "run", "-d", "--name", interpreter[5], "--network", "none",
                   "-v", f"{STATIC_DOCKER_CLI}:/bin/docker:ro", "-v", f"{node.sock}:/var/run/docker.sock",
                   image, "sleep", "3600")
    monkeypatch.delenv("DOCKER_HOST")
    m1, w1 = node_of(lab, "manager-1"), node_of(lab, "worker-1")
    init_i, join_i = interpreters["manager-1"], interpreters["worker-1"]
    # No DOCKER_HOST in the commands' environment: the interpreter alone picks the engine.
    m1_env = {k: v for k, v in m1.env.items() if k != "DOCKER_HOST"}
    w1_env = {k: v for k, v in w1.env.items() if k != "DOCKER_HOST"}
    # init inside the "node": already a manager, prints the same tokens.
    proc = subprocess.run([*init_i, S.init_script("manager-1", m1.ip)], env=m1_env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    tokens = json.loads(proc.stdout)
    # join inside the "node", the token through docker exec's stdin: already joined, same ID.
    proc = subprocess.run([*join_i, S.join_script("worker-1", w1.ip, m1.ip)], env=w1_env,
                          input=tokens["workerToken"] + "\n", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ids["worker-1"]
    assert "node worker-1, step join: already part of the swarm" in proc.stderr
    proc = subprocess.run([*join_i, S.join_script("worker-1", w1.ip, m1.ip)], env=w1_env, input="",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "no swarm join token on stdin" in proc.stderr
    # reconcile inside manager-1's "node".
    proc = subprocess.run([*init_i, S.reconcile_script("manager-1", specs(ids))], env=m1_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "unchanged"
    for node, name in ((m1, init_i[5]), (w1, join_i[5])):
        lab.docker(node, "rm", "-f", name)


# Nodes dropped from the config (drained, then removed) and the other day-2 cases:
# tests/swarm/test_swarm_healing.py.


def test_failures_name_node_and_step(lab, formed):
    _, ids, _, _ = formed
    w2 = node_of(lab, "worker-2")
    # A worker cannot reconcile: the message names node and step.
    rc, _, err = run(lab, w2, S.reconcile_script("worker-2", specs(ids)))
    assert rc == 1
    assert "dockyard swarm: node worker-2, step reconcile: not a swarm manager" in err
    # No token on stdin.
    rc, _, err = run(lab, w2, S.join_script("worker-2", w2.ip, "10.231.0.11"), stdin="")
    assert rc == 1 and "node worker-2, step join: no swarm join token on stdin" in err
    # dockerd unreachable: bounded wait, then a message naming node and step.
    env_missing = dict(w2.env, DOCKER_HOST=f"unix://{lab.base}/nothing.sock")
    proc = subprocess.run(["bash", "-c", S.init_script("manager-9", "10.231.0.99", wait_seconds=2)],
                          env=env_missing, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "dockyard swarm: node manager-9, step init: dockerd did not answer within 2s" in proc.stderr
    # A node already in the swarm as a worker refuses to init a second swarm.
    rc, _, err = run(lab, w2, S.init_script("worker-2", w2.ip))
    assert rc == 1 and "already part of a swarm as a worker" in err
