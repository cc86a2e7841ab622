"""The swarm heals itself (issue 11): the real scripts, run twice, against real dockerd.

Each case forms a swarm with the scripts a config generates (the "before" `pulumi up`), changes
the engines the way a cloud would (a VM replaced by a fresh engine, with the same address or a
new one; hosts added; a node in a foreign swarm), then runs the scripts the changed config
generates (the "after" `pulumi up`) and checks the swarm on the engines themselves.

:class:`Deployment` runs the steps in the order components/swarm/cluster.py wires them for
pulumi_command (probes on managers 2..N, manager-1's bootstrap with the probe lines on stdin,
manager joins one after another, worker joins in parallel, the reconcile). It runs every step on
every `up`, as a run where all their inputs changed would: the steps are idempotent, and which
step Pulumi reruns is tested on the mock engine (test_swarm_mock.py). One lab of seven engines
serves every case; each case starts from engines that are in no swarm.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from components.swarm import scripts as S
from tests.conftest import require, require_tool

pytestmark = pytest.mark.realengine

ENGINES = ["manager-1", "manager-2", "manager-3", "manager-4", "manager-5", "worker-1", "worker-2"]


@pytest.fixture(scope="module")
def lab():
    require_tool("dockerd", "docker", "ip", "unshare", "busybox", "bash", "tar",
                 reason="multi-node swarm in network namespaces")
    require(os.geteuid() == 0, "network namespaces and dockerd need root")
    from tests.swarm.netns_lab import SwarmLab

    lab = SwarmLab(ENGINES)
    try:
        lab.start()
        yield lab
    finally:
        lab.close()


@pytest.fixture
def clean(lab):
    """Every engine up and in no swarm (a case may have stopped or replaced some)."""
    for node in lab.nodes:
        if node.proc is None or node.proc.poll() is not None:
            lab.replace(node)
    for node in lab.nodes:
        lab.docker(node, "swarm", "leave", "--force", check=False)
    return lab


def node_of(lab, name):
    return next(n for n in lab.nodes if n.name == name)


def sh(lab, node, script, stdin=""):
    proc = lab.run_script(node, script)
    out, err = proc.communicate(stdin, timeout=600)
    return proc.returncode, out, err


class Deployment:
    """What `pulumi up` runs for a swarm config, in the component's order, with its state."""

    def __init__(self, lab):
        self.lab = lab
        self.created = False  # the bootstrap command exists: later runs are its update
        self.boot: dict = {}
        self.ids: dict[str, str] = {}
        self.log: list[str] = []
        self.names: list[str] = []  # the nodes of the previous run
        self.ids_before: dict[str, str] = {}
        self.deleted: dict[str, tuple[str, str]] = {}  # node -> (its leave's stdout, its forget's)

    def up(self, managers: int, workers: int, nodes: dict | None = None, wait: int = 60):
        lab, nodes = self.lab, nodes or {}
        names = [f"manager-{i}" for i in range(1, managers + 1)] + [f"worker-{i}" for i in range(1, workers + 1)]
        m1 = node_of(lab, "manager-1")
        # 1. probes on the other managers, their lines on the bootstrap's stdin
        probes = []
        for name in names[1:managers]:
            rc, out, err = sh(lab, node_of(lab, name), S.probe_script(name, wait_seconds=wait))
            assert rc == 0, err
            probes.append(out)
        rc, out, err = sh(lab, m1, S.bootstrap_script("manager-1", m1.ip, managers=managers,
                                                      first=not self.created, wait_seconds=wait),
                          stdin="".join(probes))
        self.log.append(err)
        if rc != 0:
            return rc, err
        self.created = True
        self.boot = json.loads(out)
        for token in (self.boot["managerToken"], self.boot["workerToken"]):
            assert token not in err
        addrs = [node_of(lab, n).ip for n in names[:managers]]

        def join(name):
            node = node_of(lab, name)
            token = self.boot["managerToken" if name.startswith("manager") else "workerToken"]
            return sh(lab, node, S.join_script(name, node.ip, addrs, cluster_id=self.boot["clusterId"],
                                               manager_ids=self.boot["managerIds"], wait_seconds=wait),
                      stdin=token + "\n")

        self.ids = {"manager-1": self.boot["nodeId"]}
        for name in names[1:managers]:  # one after another
            rc, out, err = join(name)
            self.log.append(err)
            assert rc == 0, err
            self.ids[name] = out.strip()
        results = {}
        threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, join(n))) for n in names[managers:]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for name in names[managers:]:
            rc, out, err = results[name]
            self.log.append(err)
            assert rc == 0, err
            self.ids[name] = out.strip()
        specs = []
        for name in names:
            spec = nodes.get(name, {})
            specs.append(S.NodeSpec(name, "self" if name == "manager-1" else self.ids[name],
                                    spec.get("role", name.split("-")[0]), spec.get("availability", "active"),
                                    spec.get("labels", {})))
        rc, out, err = sh(lab, m1, S.reconcile_script("manager-1", specs, wait_seconds=wait))
        self.log.append(err)
        assert rc == 0, out + err
        self.reconciled = out
        # Pulumi's deletions come after every create and update, dependents first: for each node
        # the config dropped, its leave command (on the node, its host still running), then its
        # forget command (on manager-1), then its host.
        self.deleted = {}
        for name in [n for n in self.names if n not in names and n != "manager-1"]:
            rc, left, err = sh(lab, node_of(lab, name), S.leave_script(name, self.ids_before[name], wait_seconds=wait))
            self.log.append(err)
            assert rc == 0, left + err
            rc, forgot, err = sh(lab, m1, S.forget_script("manager-1", self.ids_before[name], wait_seconds=wait))
            self.log.append(err)
            assert rc == 0, forgot + err
            self.deleted[name] = (left.strip(), forgot.strip())
        self.names, self.ids_before = names, dict(self.ids)
        return 0, out


def swarm_nodes(lab, via="manager-1"):
    """hostname -> list of node entries, as a manager sees them."""
    node = node_of(lab, via)
    out: dict[str, list] = {}
    for nid in lab.docker(node, "node", "ls", "-q").stdout.split():
        info = json.loads(lab.docker(node, "node", "inspect", nid).stdout)[0]
        out.setdefault(info["Description"]["Hostname"], []).append(info)
    return out


def cluster_of(lab, name):
    return lab.docker(node_of(lab, name), "info", "--format", "{{.Swarm.Cluster.ID}}").stdout.strip()


def wait_for(predicate, timeout=90, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def all_ready(lab, names):
    def check():
        state = swarm_nodes(lab)
        return sorted(state) == sorted(names) and all(
            len(v) == 1 and v[0]["Status"]["State"] == "ready" for v in state.values())
    return check


class ManagerWatch:
    """Samples (managers, reachable managers) from a manager while a step runs."""

    def __init__(self, lab, via):
        self.lab, self.node, self.samples = lab, node_of(lab, via), []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            res = self.lab.docker(self.node, "node", "ls", "--filter", "role=manager", "--format",
                                  "{{.ManagerStatus}}", check=False)
            if res.returncode == 0:
                st = res.stdout.split()
                self.samples.append((len(st), sum(s in ("Leader", "Reachable") for s in st)))
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


# --- manager-1 replaced ----------------------------------------------------------------------------


@pytest.mark.parametrize("new_address", [False, True], ids=["same-address", "new-address"])
def test_fresh_manager_1_joins_the_existing_swarm(clean, new_address):
    lab = clean
    d = Deployment(lab)
    assert d.up(managers=3, workers=1, nodes={"worker-1": {"labels": {"zone": "a"}}})[0] == 0
    cluster, old_id = d.boot["clusterId"], d.boot["nodeId"]
    m1 = node_of(lab, "manager-1")
    lab.replace(m1, new_ip="10.231.0.41" if new_address else None)
    try:
        before = len(d.log)
        rc, out = d.up(managers=3, workers=1, nodes={"worker-1": {"labels": {"zone": "a"}}})
        assert rc == 0, out
        # manager-1 joined the swarm the others hold: no second swarm was initialised.
        assert d.boot["clusterId"] == cluster and d.boot["nodeId"] != old_id
        assert {cluster_of(lab, n) for n in ("manager-1", "manager-2", "manager-3")} == {cluster}
        assert "initialised" not in "".join(d.log[before:])
        assert "node manager-1, step init: joined the swarm through 10.231.0.1" in "".join(d.log[before:])
        # The stale entry of the old manager-1 was demoted and removed by the reconcile.
        assert f"manager-1 ({old_id}) not in the config: removed" in out
        wait_for(all_ready(lab, ["manager-1", "manager-2", "manager-3", "worker-1"]), what="4 nodes ready")
        state = swarm_nodes(lab)
        assert [e["ID"] for e in state["manager-1"]] == [d.boot["nodeId"]]
        assert state["manager-1"][0]["Spec"]["Role"] == "manager"
        assert state["manager-1"][0]["Status"]["Addr"] == m1.ip
        # A third run changes nothing.
        assert d.up(managers=3, workers=1, nodes={"worker-1": {"labels": {"zone": "a"}}})[1].strip() == "unchanged"
    finally:
        if new_address:  # back to the lab's address for the next case
            lab.replace(m1, new_ip="10.231.0.11")


# --- any node replaced -------------------------------------------------------------------------------


def test_replaced_worker_and_manager_get_labels_and_availability_again(clean):
    lab = clean
    d = Deployment(lab)
    want = {"worker-1": {"labels": {"zone": "a", "disk": "ssd"}}, "worker-2": {"availability": "pause"},
            "manager-2": {"labels": {"tier": "control"}}}
    assert d.up(managers=3, workers=2, nodes=want)[0] == 0
    old = dict(d.ids)
    for name in ("worker-1", "worker-2", "manager-2"):
        lab.replace(node_of(lab, name))
    rc, out = d.up(managers=3, workers=2, nodes=want)
    assert rc == 0, out
    for name in ("worker-1", "worker-2", "manager-2"):
        assert d.ids[name] != old[name]
        assert f"{name} ({old[name]}) not in the config: removed" in out
    wait_for(all_ready(lab, ["manager-1", "manager-2", "manager-3", "worker-1", "worker-2"]), what="5 nodes ready")
    state = {k: v[0] for k, v in swarm_nodes(lab).items()}
    assert state["worker-1"]["Spec"]["Labels"] == {"zone": "a", "disk": "ssd"}
    assert state["worker-2"]["Spec"]["Availability"] == "pause"
    assert state["manager-2"]["Spec"]["Labels"] == {"tier": "control"}
    assert state["manager-2"]["Spec"]["Role"] == "manager"
    assert state["manager-2"]["ManagerStatus"]["Reachability"] == "reachable"


# --- scale down and up -------------------------------------------------------------------------------


def test_workers_scaled_down_are_drained_and_removed(clean):
    lab = clean
    d = Deployment(lab)
    assert d.up(managers=1, workers=2)[0] == 0
    m1 = node_of(lab, "manager-1")
    image = lab.load_busybox_image(nodes=[m1, node_of(lab, "worker-1"), node_of(lab, "worker-2")])
    lab.docker(m1, "network", "create", "-d", "overlay", "dy-heal")
    lab.docker(m1, "service", "create", "--detach", "--name", "healme", "--replicas", "4",
               "--network", "dy-heal", "--endpoint-mode", "dnsrr", "--no-resolve-image",
               "--stop-grace-period", "1s", "--constraint", "node.role==worker", image, "sleep", "3600")

    def running_on():
        out = lab.docker(m1, "service", "ps", "healme", "--filter", "desired-state=running",
                         "--format", "{{.Node}} {{.CurrentState}}").stdout
        return sorted(line.split()[0] for line in out.splitlines() if " Running" in line)

    try:
        wait_for(lambda: set(running_on()) == {"worker-1", "worker-2"} and len(running_on()) == 4,
                 what="tasks on both workers")
        w2 = d.ids["worker-2"]
        rc, out = d.up(managers=1, workers=1)
        assert rc == 0, out
        # The reconcile drained it and waited until its tasks ran elsewhere; it did not remove
        # the entry of a node that is still up (no `docker node rm --force` of a live node) ...
        assert f"changed: worker-2 ({w2}) not in the config: drained" in out.splitlines()
        assert "removed" not in out
        # ... then worker-2 itself left the swarm (`docker swarm leave` on the node) and, once
        # it was down, manager-1 removed its entry.
        assert d.deleted == {"worker-2": ("left", f"removed: worker-2 ({w2})")}
        w2_engine = lab.docker(node_of(lab, "worker-2"), "info", "--format", "{{.Swarm.LocalNodeState}}")
        assert w2_engine.stdout.strip() == "inactive"
        # it is gone from the swarm, and the service runs all its tasks on the remaining worker.
        assert "worker-2" not in swarm_nodes(lab)
        wait_for(lambda: running_on() == ["worker-1"] * 4, what="4 tasks on worker-1")
    finally:
        lab.docker(m1, "service", "rm", "healme", check=False)
        lab.docker(m1, "network", "rm", "dy-heal", check=False)


def test_managers_scale_1_3_5_and_back_to_1_one_at_a_time(clean):
    lab = clean
    d = Deployment(lab)
    assert d.up(managers=1, workers=1)[0] == 0
    cluster = d.boot["clusterId"]
    for n in (3, 5):
        rc, out = d.up(managers=n, workers=1)
        assert rc == 0, out
        wait_for(lambda n=n: sum(1 for v in swarm_nodes(lab).values()
                                 if v[0].get("ManagerStatus", {}).get("Reachability") == "reachable") == n,
                 what=f"{n} reachable managers")
        assert {cluster_of(lab, f"manager-{i}") for i in range(1, n + 1)} == {cluster}
    # 5 -> 1: managers-2..5 demoted one at a time while up, quorum held at every sample.
    with ManagerWatch(lab, "manager-1") as watch:
        rc, out = d.up(managers=1, workers=1)
    assert rc == 0, out
    demoted = [line for line in out.splitlines() if line.endswith("not in the config: demoted")]
    assert len(demoted) == 4
    # then each left the swarm from itself, and manager-1 removed its entry
    assert sorted(d.deleted) == [f"manager-{i}" for i in range(2, 6)]
    assert all(left == "left" and forgot.startswith("removed: ") for left, forgot in d.deleted.values())
    counts = [c for c, _ in watch.samples]
    assert counts[0] == 5 and counts[-1] == 1
    # The count only goes down, and at every sample a majority of the managers is reachable.
    assert all(b <= a for a, b in zip(counts, counts[1:], strict=False)), counts
    assert all(reach > total // 2 for total, reach in watch.samples), [s for s in watch.samples if s[1] <= s[0] // 2]
    assert sorted(swarm_nodes(lab)) == ["manager-1", "worker-1"]


def test_promote_and_demote_in_one_change_promotes_first(clean):
    lab = clean
    d = Deployment(lab)
    assert d.up(managers=3, workers=2)[0] == 0
    wait_for(lambda: sum(1 for v in swarm_nodes(lab).values()
                         if v[0].get("ManagerStatus", {}).get("Reachability") == "reachable") == 3,
             what="3 reachable managers")
    swap = {"manager-3": {"role": "worker"}, "worker-1": {"role": "manager"}}
    with ManagerWatch(lab, "manager-1") as watch:
        rc, out = d.up(managers=3, workers=2, nodes=swap)
    assert rc == 0, out
    lines = out.splitlines()
    assert lines.index("changed: worker-1 role worker -> manager") < lines.index("changed: manager-3 role manager -> worker")
    # Never fewer than 3 reachable managers during the change.
    assert watch.samples and min(reach for _, reach in watch.samples) >= 3, watch.samples
    state = {k: v[0] for k, v in swarm_nodes(lab).items()}
    assert state["worker-1"]["Spec"]["Role"] == "manager" and state["manager-3"]["Spec"]["Role"] == "worker"


# --- foreign and stale swarms --------------------------------------------------------------------------


def test_node_in_another_swarm_leaves_it_and_joins(clean):
    lab = clean
    w2 = node_of(lab, "worker-2")
    # worker-2 manages a swarm of its own; worker-1 is a worker of it.
    lab.docker(w2, "swarm", "init", "--advertise-addr", w2.ip)
    foreign = cluster_of(lab, "worker-2")
    token = lab.docker(w2, "swarm", "join-token", "-q", "worker").stdout.strip()
    w1 = node_of(lab, "worker-1")
    lab.docker(w1, "swarm", "join", "--token", token, "--advertise-addr", w1.ip, f"{w2.ip}:2377")
    d = Deployment(lab)
    rc, out = d.up(managers=1, workers=2)
    assert rc == 0, out
    log = "".join(d.log)
    assert "node worker-1, step join: in another swarm" in log and "node worker-2, step join: in another swarm" in log
    assert d.boot["clusterId"] != foreign
    wait_for(all_ready(lab, ["manager-1", "worker-1", "worker-2"]), what="3 nodes ready")


def test_only_manager_replaced_new_swarm_and_workers_leave_the_stale_one(clean):
    lab = clean
    d = Deployment(lab)
    assert d.up(managers=1, workers=2)[0] == 0
    stale = d.boot["clusterId"]
    lab.replace(node_of(lab, "manager-1"))
    rc, out = d.up(managers=1, workers=2)
    assert rc == 0, out
    log = "".join(d.log)
    assert d.boot["clusterId"] != stale
    assert "the swarm's only manager was replaced" in log
    assert log.count("in another swarm than") == 2  # both workers were in the stale swarm
    wait_for(all_ready(lab, ["manager-1", "worker-1", "worker-2"]), what="3 nodes ready")


def test_replacing_every_manager_at_once_is_refused(clean):
    lab = clean
    d = Deployment(lab)
    assert d.up(managers=3, workers=1)[0] == 0
    cluster = d.boot["clusterId"]
    for name in ("manager-1", "manager-2", "manager-3"):
        lab.replace(node_of(lab, name))
    rc, err = d.up(managers=3, workers=1)
    assert rc == 1
    assert "every manager was replaced at once" in err and "Refusing to initialise a second swarm" in err
    # Nothing was initialised: all three fresh engines are in no swarm, the worker is untouched.
    for name in ("manager-1", "manager-2", "manager-3"):
        assert lab.docker(node_of(lab, name), "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "inactive"
    assert lab.docker(node_of(lab, "worker-1"), "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "active"
    assert cluster


# --- provisioning marker (issue 10) -------------------------------------------------------------------


def test_scripts_wait_for_the_provisioning_marker(clean, tmp_path):
    lab = clean
    m1 = node_of(lab, "manager-1")
    marker = tmp_path / "provisioned"
    script = S.bootstrap_script("manager-1", m1.ip, managers=1, wait_seconds=20, marker=str(marker))
    proc = lab.run_script(m1, script)
    time.sleep(3)
    # No marker yet: the script has not touched the engine.
    assert proc.poll() is None
    assert lab.docker(m1, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "inactive"
    marker.write_text("")
    out, err = proc.communicate("", timeout=120)
    assert proc.returncode == 0, err
    assert json.loads(out)["clusterId"]
    # No marker at all: a clear failure after the bound, and nothing done.
    w1 = node_of(lab, "worker-1")
    missing = tmp_path / "never"
    proc = lab.run_script(w1, S.join_script("worker-1", w1.ip, [m1.ip], wait_seconds=3, marker=str(missing)))
    out, err = proc.communicate("SWMTKN-1-x\n", timeout=60)
    assert proc.returncode == 1
    assert f"node worker-1, step join: provisioning did not finish within 3s: {missing} does not exist" in err
    assert lab.docker(w1, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "inactive"


# --- a rollout whose tasks never start fails (issue 10) -----------------------------------------------


def test_converge_fails_when_tasks_never_start(clean):
    lab = clean
    d = Deployment(lab)
    assert d.up(managers=1, workers=1)[0] == 0
    m1 = node_of(lab, "manager-1")
    image = lab.load_busybox_image(nodes=[m1, node_of(lab, "worker-1")])
    lab.docker(m1, "service", "create", "--detach", "--name", "dy_ok", "--replicas", "2", "--no-resolve-image",
               "--stop-grace-period", "1s", image, "sleep", "3600")
    # No node has this platform: what an amd64-only image meets on arm64 nodes.
    lab.docker(m1, "service", "create", "--detach", "--name", "dy_never", "--no-resolve-image",
               "--constraint", "node.platform.arch==s390x", image, "sleep", "3600")
    try:
        rc, out, err = sh(lab, m1, S.converge_script("manager-1", {"dy_ok": 2}, timeout_seconds=60))
        assert rc == 0 and out.strip() == "converged", err
        rc, out, err = sh(lab, m1, S.converge_script("manager-1", {"dy_ok": 2, "dy_never": 1}, timeout_seconds=5))
        assert rc == 1
        assert "step converge: services did not converge within 5s: dy_never (0/1 running)" in err
        assert "no suitable node" in err
    finally:
        lab.docker(m1, "service", "rm", "dy_ok", "dy_never", check=False)
