"""The shell that runs on a host, run for real: TLS delivery, the last provisioning step (the
marker) and the metadata guard.

The delivery and finish scripts run in private mount namespaces whose /etc and /var/lib are this
test's own directories (the paths in the scripts are the real ones), with ``sudo``,
``systemctl`` and ``docker`` stand-ins that log their calls. The metadata guard's iptables command
runs in a network namespace acting as the host, between a "container" namespace and one that
owns 169.254.169.254: traffic never leaves namespaces the test created.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from components.hosts.provisioning import (
    FINISH_SCRIPT,
    METADATA_IP,
    PROVISIONED_MARKER,
    Provision,
    TlsFiles,
    metadata_guard_command,
    render,
    tls_delivery_script,
)
from tests.conftest import require, require_tool

CA = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
CERT1 = "-----BEGIN CERTIFICATE-----\nSERVER-1\n-----END CERTIFICATE-----\n"
CERT2 = "-----BEGIN CERTIFICATE-----\nSERVER-2 renewed\n-----END CERTIFICATE-----\n"
KEY1 = "-----BEGIN EC PRIVATE KEY-----\nKEY-1\n-----END EC PRIVATE KEY-----\n"
KEY2 = "-----BEGIN EC PRIVATE KEY-----\nKEY-2\n-----END EC PRIVATE KEY-----\n"

STUBS = {
    "sudo": '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n',
    "systemctl": '#!/bin/sh\necho "systemctl $*" >> "$CALLS"\n',
    "docker": '#!/bin/sh\necho "docker $*" >> "$CALLS"\n',
}


class Host:
    """A host's /etc and /var/lib as directories of the test, and a way to run shell in them."""

    def __init__(self, root: Path):
        self.root = root
        self.etc, self.varlib, self.bin = root / "etc", root / "varlib", root / "bin"
        for d in (self.etc, self.varlib, self.bin):
            d.mkdir()
        for name, text in STUBS.items():
            (self.bin / name).write_text(text)
            (self.bin / name).chmod(0o755)
        self.calls = root / "calls"
        self.calls.touch()
        self.calls.chmod(0o666)

    def path(self, absolute: str) -> Path:
        for prefix, local in (("/etc/", self.etc), ("/var/lib/", self.varlib)):
            if absolute.startswith(prefix):
                return local / absolute[len(prefix):]
        raise ValueError(absolute)

    def _argv(self, command: str) -> list[str]:
        inner = (f"mount --make-rprivate / && mount --bind {self.etc} /etc && mount --bind {self.varlib} /var/lib"
                 f" && exec sh -c {shlex.quote(command)}")
        return ["unshare", "-m", "sh", "-c", inner]

    def _env(self) -> dict[str, str]:
        return {"PATH": f"{self.bin}:/usr/sbin:/usr/bin:/sbin:/bin", "CALLS": str(self.calls)}

    def popen(self, command: str) -> subprocess.Popen:
        return subprocess.Popen(self._argv(command), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self._env())

    def run(self, command: str, stdin: str = "") -> tuple[int, str, str]:
        out = subprocess.run(self._argv(command), input=stdin, capture_output=True, text=True, env=self._env(),
                             timeout=60)
        return out.returncode, out.stdout, out.stderr

    def log(self) -> list[str]:
        return self.calls.read_text().splitlines()


@pytest.fixture
def host(tmp_path):
    require_tool("unshare", "cmp", "mktemp")
    require(os.geteuid() == 0, "root is needed for private mount namespaces")
    h = Host(tmp_path)
    # The finish script as the rendered Ubuntu document writes it.
    doc = yaml.safe_load(render(Provision("web-1", "aws", "ubuntu", "ubuntu", 22, "k", "hk", "hp")))
    finish = next(f for f in doc["write_files"] if f["path"] == FINISH_SCRIPT)
    target = h.path(FINISH_SCRIPT)
    target.parent.mkdir(parents=True)
    target.write_text(finish["content"])
    target.chmod(int(finish["permissions"], 8))
    return h


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_first_boot_then_renewal(host):
    files = TlsFiles()
    marker = host.path(PROVISIONED_MARKER)

    # 1. First boot: the last provisioning step waits for the TLS material; nothing starts dockerd.
    finish = host.popen(FINISH_SCRIPT)
    time.sleep(2.5)
    assert finish.poll() is None, "the finish script must wait for the TLS material"
    assert host.log() == [] and not marker.exists()

    # 2. The delivery over SSH arrives: files installed, the key private; provisioning not done yet,
    #    so the delivery leaves the start to the finish script.
    rc, out, err = host.run(tls_delivery_script(CA, CERT1), stdin=KEY1)
    assert rc == 0, err
    assert out.strip() == "tls: changed"
    assert host.path(files.key).read_text() == KEY1 and host.path(files.cert).read_text() == CERT1
    assert host.path(files.ca).read_text() == CA
    assert oct(host.path(files.key).stat().st_mode & 0o777) == "0o600"
    assert oct(host.path(files.cert).stat().st_mode & 0o777) == "0o644"
    assert not list(host.path(files.key).parent.glob(".new.*")), "the staging folder is removed"

    # 3. The finish script starts dockerd with it, waits for it, and only then writes the marker.
    assert finish.wait(timeout=30) == 0, finish.stderr.read()
    assert marker.exists()
    assert host.log()[:2] == ["systemctl restart docker", "docker info"]

    # 4. The same material again (a `pulumi up` with nothing renewed): nothing restarts.
    before = host.log()
    rc, out, err = host.run(tls_delivery_script(CA, CERT1), stdin=KEY1)
    assert (rc, out.strip()) == (0, "tls: unchanged"), err
    assert host.log() == before

    # 5. Renewal (new certificate and key): installed, and dockerd restarts in place.
    rc, out, err = host.run(tls_delivery_script(CA, CERT2), stdin=KEY2)
    assert (rc, out.strip()) == (0, "tls: changed"), err
    assert host.path(files.cert).read_text() == CERT2 and host.path(files.key).read_text() == KEY2
    assert host.log()[len(before):][:2] == ["systemctl restart docker", "docker info"]


def test_delivery_refuses_to_run_half(host):
    """A failure (here: no writable TLS folder) fails the command instead of restarting dockerd."""
    host.path("/etc/docker").write_text("not a folder")
    rc, out, _err = host.run(tls_delivery_script(CA, CERT1), stdin=KEY1)
    assert rc != 0 and "tls: changed" not in out
    assert host.log() == []


# --- the metadata guard ---------------------------------------------------------------------------


def _ns(name: str, *cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", name, *cmd], capture_output=True, text=True, check=check,
                          timeout=30, **kw)


PROBE = ("import socket,sys\n"
         "s=socket.socket(); s.settimeout(2)\n"
         "try:\n    s.connect((sys.argv[1], 80)); print('reached')\n"
         "except OSError as e:\n    print('blocked', e)\n")


@pytest.fixture
def namespaces():
    require_tool("ip", "iptables", reason="Debian packages iproute2, iptables")
    require(os.geteuid() == 0, "root is needed for network namespaces")
    tag = uuid.uuid4().hex[:6]
    names = {k: f"dy-{k}-{tag}" for k in ("host", "ctr", "md")}
    server = None
    try:
        for n in names.values():
            subprocess.run(["ip", "netns", "add", n], check=True)
        h, c, m = names["host"], names["ctr"], names["md"]
        subprocess.run(["ip", "link", "add", f"hc{tag}", "netns", h, "type", "veth", "peer", "name", f"ch{tag}",
                        "netns", c], check=True)
        subprocess.run(["ip", "link", "add", f"hm{tag}", "netns", h, "type", "veth", "peer", "name", f"mh{tag}",
                        "netns", m], check=True)
        for ns, dev, addr in ((h, f"hc{tag}", "172.31.250.1/24"), (c, f"ch{tag}", "172.31.250.2/24"),
                              (h, f"hm{tag}", "169.254.0.1/16"), (m, f"mh{tag}", f"{METADATA_IP}/16")):
            _ns(ns, "ip", "addr", "add", addr, "dev", dev)
            _ns(ns, "ip", "link", "set", dev, "up")
        for ns in names.values():
            _ns(ns, "ip", "link", "set", "lo", "up")
        _ns(c, "ip", "route", "add", "default", "via", "172.31.250.1")
        _ns(m, "ip", "route", "add", "172.31.250.0/24", "via", "169.254.0.1")
        _ns(h, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        server = subprocess.Popen(["ip", "netns", "exec", m, sys.executable, "-m", "http.server", "80", "--bind",
                                   METADATA_IP], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert _wait_for(lambda: "reached" in _ns(h, sys.executable, "-c", PROBE, METADATA_IP).stdout, 10)
        yield names
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        for n in names.values():
            subprocess.run(["ip", "netns", "del", n], capture_output=True)


def test_metadata_guard_blocks_containers_not_the_host(namespaces):
    h, c = namespaces["host"], namespaces["ctr"]
    assert "reached" in _ns(c, sys.executable, "-c", PROBE, METADATA_IP).stdout  # open before the guard
    for _ in range(2):  # the unit may run at every boot: idempotent
        _ns(h, "sh", "-c", metadata_guard_command())
    rules = _ns(h, "iptables", "-t", "raw", "-S", "PREROUTING").stdout.splitlines()
    assert sum(METADATA_IP in r for r in rules) == 1, rules
    assert "blocked" in _ns(c, sys.executable, "-c", PROBE, METADATA_IP).stdout  # a container: dropped
    assert "reached" in _ns(h, sys.executable, "-c", PROBE, METADATA_IP).stdout  # the host (cloud-init, agents)
