"""Several real dockerd, each in its own network namespace: a swarm lab for the script tests.

Layout (measured recipe in /work/shared/ENVIRONMENT.md): a hub namespace holds a bridge; every
node namespace has ``eth0`` (a veth whose peer is on the bridge) with 10.231.0.(11+i)/24 and no
default route, so traffic never leaves namespaces this lab created. Each dockerd runs in a private
mount namespace (``ip netns exec`` remounts /sys and loses the cgroup mounts, so they are mounted
again), with its own UTS name (distinct node hostnames), its own key.json (per-node identity, via
``--config-file``), a per-node directory bind-mounted over /var/lib/docker (libnetwork writes
``lb_<netid>`` there whatever ``--data-root`` says), ``--cgroup-parent`` and
``--swarm-default-advertise-addr``.

Everything the lab starts or writes is torn down in :meth:`SwarmLab.close`: the dockerd processes
(by PID; SIGTERM also stops the containerd each one started), the namespaces (which removes the
veths and the bridge), and the node directories (vfs layers are large).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SUBNET = "10.231.0"


def _run(*cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


def _cgroup_mounts() -> list[str]:
    """Shell lines that re-create the host's cgroup mounts (read from /proc/1/mountinfo)."""
    lines = []
    for raw in Path("/proc/1/mountinfo").read_text().splitlines():
        pre, _, post = raw.partition(" - ")
        fields, post_fields = pre.split(), post.split()
        mnt, fstype = fields[4], post_fields[0]
        if not mnt.startswith("/sys/fs/cgroup"):
            continue
        if fstype == "tmpfs" and mnt == "/sys/fs/cgroup":
            lines.insert(0, "mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup")
        elif fstype in ("cgroup", "cgroup2"):
            opts = post_fields[2]
            lines.append(f"mkdir -p {mnt} && mount -t {fstype} -o {shlex.quote(opts)} {fstype} {mnt}")
    return lines


@dataclass
class Node:
    name: str
    ip: str
    dir: Path
    netns: str
    proc: subprocess.Popen | None = None
    #: images loaded into this engine (a replaced engine has none)
    images: set = field(default_factory=set)

    @property
    def sock(self) -> Path:
        return self.dir / "docker.sock"

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_HOST"] = f"unix://{self.sock}"
        return env


class SwarmLab:
    def __init__(self, names: list[str]):
        self.tag = f"dy{os.getpid() % 100000}"
        self.base = Path(tempfile.mkdtemp(prefix="dysw-", dir="/tmp"))
        self.hub = f"{self.tag}-hub"
        self.nodes = [
            Node(name, f"{SUBNET}.{11 + i}", self.base / f"n{i}", f"{self.tag}-n{i}")
            for i, name in enumerate(names)
        ]
        self.made_var_lib_docker = False
        self.namespaces: list[str] = []

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        _run("ip", "netns", "add", self.hub)
        self.namespaces.append(self.hub)
        _run("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        _run("ip", "-n", self.hub, "link", "set", "br0", "up")
        if not Path("/var/lib/docker").exists():
            os.makedirs("/var/lib/docker")
            self.made_var_lib_docker = True
        self._cgroups = _cgroup_mounts()
        for i, node in enumerate(self.nodes):
            self._plug(i, node)
            self._launch(node)
        for node in self.nodes:
            self._wait_up(node)

    def _plug(self, i: int, node: Node) -> None:
        """The node's namespace, its veth to the hub's bridge and its address."""
        _run("ip", "netns", "add", node.netns)
        self.namespaces.append(node.netns)
        _run("ip", "link", "add", f"{self.tag}v{i}", "netns", self.hub, "type", "veth",
             "peer", "name", "eth0", "netns", node.netns)
        _run("ip", "-n", self.hub, "link", "set", f"{self.tag}v{i}", "master", "br0", "up")
        _run("ip", "-n", node.netns, "addr", "add", f"{node.ip}/24", "dev", "eth0")
        _run("ip", "-n", node.netns, "link", "set", "eth0", "up")
        _run("ip", "-n", node.netns, "link", "set", "lo", "up")

    def _launch(self, node: Node) -> None:
        """A fresh dockerd for the node (new data directories: a new engine identity)."""
        for sub in ("data", "exec", "varlib"):
            (node.dir / sub).mkdir(parents=True, exist_ok=True)
        (node.dir / "daemon.json").write_text(
            json.dumps({"deprecated-key-path": str(node.dir / "key.json")})
        )
        dockerd = [
            "dockerd", "--config-file", str(node.dir / "daemon.json"),
            "--iptables=false", "--ip-masq=false", "--bridge=none", "--storage-driver=vfs",
            "--data-root", str(node.dir / "data"), "--exec-root", str(node.dir / "exec"),
            "--pidfile", str(node.dir / "docker.pid"), "-H", f"unix://{node.sock}",
            "--cgroup-parent", f"/{self.tag}-{node.name}",
            "--swarm-default-advertise-addr", node.ip,
        ]
        inner = "\n".join([
            "set -e",
            *self._cgroups,
            f"mount --bind {node.dir / 'varlib'} /var/lib/docker",
            f"hostname {shlex.quote(node.name)}",
            "exec " + " ".join(shlex.quote(a) for a in dockerd),
        ])
        log = open(node.dir / "dockerd.log", "a")
        node.proc = subprocess.Popen(
            ["ip", "netns", "exec", node.netns, "unshare", "--mount", "--uts",
             "--propagation", "private", "sh", "-c", inner],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    # -- day-2: lose, replace and add engines -----------------------------------------------------

    def stop(self, node: Node) -> None:
        """The node's host goes away: its dockerd stops (by PID)."""
        if node.proc and node.proc.poll() is None:
            node.proc.send_signal(signal.SIGTERM)
            try:
                node.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(node.proc.pid, signal.SIGKILL)
                node.proc.wait(timeout=10)

    def replace(self, node: Node, new_ip: str | None = None) -> Node:
        """A fresh engine in the node's place (a replaced VM): same name, empty state,
        the same address or ``new_ip``."""
        self.stop(node)
        for sub in ("data", "exec", "varlib"):
            shutil.rmtree(node.dir / sub, ignore_errors=True)
        (node.dir / "key.json").unlink(missing_ok=True)
        (node.dir / "docker.sock").unlink(missing_ok=True)
        node.images.clear()
        if new_ip and new_ip != node.ip:
            _run("ip", "-n", node.netns, "addr", "del", f"{node.ip}/24", "dev", "eth0")
            _run("ip", "-n", node.netns, "addr", "add", f"{new_ip}/24", "dev", "eth0")
            node.ip = new_ip
        self._launch(node)
        self._wait_up(node)
        return node

    def add(self, name: str) -> Node:
        """One more engine (a node added by a scale-up)."""
        i = len(self.nodes)
        node = Node(name, f"{SUBNET}.{11 + i}", self.base / f"n{i}", f"{self.tag}-n{i}")
        self.nodes.append(node)
        self._plug(i, node)
        self._launch(node)
        self._wait_up(node)
        return node

    def _wait_up(self, node: Node, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if node.proc.poll() is not None:
                raise RuntimeError(f"dockerd of {node.name} exited: {self.log(node)}")
            if node.sock.exists() and self.docker(node, "info", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"dockerd of {node.name} did not start: {self.log(node)}")

    def log(self, node: Node) -> str:
        try:
            return (node.dir / "dockerd.log").read_text()[-3000:]
        except OSError:
            return ""

    def close(self) -> None:
        for node in self.nodes:
            if node.proc and node.proc.poll() is None:
                node.proc.send_signal(signal.SIGTERM)
        for node in self.nodes:
            if node.proc:
                try:
                    node.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(node.proc.pid, signal.SIGKILL)
                    node.proc.wait(timeout=10)
        self._remove_cgroups()
        for ns in reversed(self.namespaces):
            _run("ip", "netns", "delete", ns, check=False)
        shutil.rmtree(self.base, ignore_errors=True)
        if self.made_var_lib_docker:
            try:
                os.rmdir("/var/lib/docker")
            except OSError:
                pass

    def _remove_cgroups(self) -> None:
        """The per-node cgroups dockerd made under --cgroup-parent, in every hierarchy (deepest first)."""
        for node in self.nodes:
            for hierarchy in Path("/sys/fs/cgroup").iterdir():
                top = hierarchy / f"{self.tag}-{node.name}"
                if not top.is_dir():
                    continue
                for path in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                    try:
                        path.rmdir()
                    except OSError:
                        pass
                try:
                    top.rmdir()
                except OSError:
                    pass

    # -- helpers --------------------------------------------------------------------------------

    def docker(self, node: Node, *args: str, check: bool = True, input: str | None = None):
        res = subprocess.run(["docker", *args], env=node.env, capture_output=True, text=True,
                             input=input, timeout=120)
        if check and res.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args)} on {node.name}: {res.stderr}")
        return res

    def run_script(self, node: Node, script: str, stdin: str | None = None, shell: str = "bash"):
        """Run a generated script the way pulumi_command would: its text given to a shell."""
        return subprocess.Popen([shell, "-c", script], env=node.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def load_busybox_image(self, tag: str = "dockyard-busybox:1", nodes: list[Node] | None = None) -> str:
        """A FROM-scratch image: /bin/busybox (busybox-static) plus applet links, on every node
        (or ``nodes``) that does not have it yet (a replaced engine starts without images)."""
        tar = self.base / "rootfs.tar"
        if not tar.exists():
            root = self.base / "rootfs"
            (root / "bin").mkdir(parents=True)
            shutil.copy2(shutil.which("busybox"), root / "bin" / "busybox")
            # What the generated scripts call besides the docker CLI (Alpine, the dind image, has these).
            for applet in ("sh", "sleep", "httpd", "hostname", "cat", "ls", "id", "sed", "grep", "cut", "tail"):
                os.symlink("busybox", root / "bin" / applet)
            _run("tar", "-C", str(root), "-cf", str(tar), ".")
        for node in nodes if nodes is not None else self.nodes:
            if tag not in node.images:
                self.docker(node, "import", "--change", "ENV PATH=/bin", str(tar), tag)
                node.images.add(tag)
        return tag
        root = self.base / "rootfs"
        (root / "bin").mkdir(parents=True)
        shutil.copy2(shutil.which("busybox"), root / "bin" / "busybox")
        # What the generated scripts call besides the docker CLI (Alpine, the dind image, has these).
        for applet in ("sh", "sleep", "httpd", "hostname", "cat", "ls", "id", "sed", "grep", "cut", "tail"):
            os.symlink("busybox", root / "bin" / applet)
        tar = self.base / "rootfs.tar"
        _run("tar", "-C", str(root), "-cf", str(tar), ".")
        for node in self.nodes:
            self.docker(node, "import", "--change", "ENV PATH=/bin", str(tar), tag)
        self._image = tag
        return tag
