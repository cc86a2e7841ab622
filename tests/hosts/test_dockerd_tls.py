"""A real dockerd with the daemon.json the provisioning writes, and certificates issued from the
same parameters DockerTls hands pulumi_tls: mutual TLS must admit our client and nobody else.

The daemon config differs from the one shipped to the VM only in file paths and in the tcp
address (127.0.0.1 and a free port); the test checks that difference itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from components.hosts.provisioning import UNIX_SOCKET, TlsFiles, daemon_config
from components.tls import certificate_parameters
from tests.conftest import require, require_tool
from tests.hosts.certs import issue_chain

pytestmark = pytest.mark.realengine

# Flags ENVIRONMENT.md lists for a dockerd on these machines (no iptables, bridge or overlayfs).
SANDBOX_FLAGS = ["--iptables=false", "--ip-masq=false", "--bridge=none", "--storage-driver=vfs"]
CLOUD = "digitalocean"
SYSTEM_PATHS = [Path("/etc/docker/key.json"), Path("/run/docker/plugins"), Path("/run/docker")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, work: Path, port: int, chain, proc: subprocess.Popen, config: dict):
        self.work, self.port, self.chain, self.proc, self.config = work, port, chain, proc, config

    def client(self, *args: str, tls: list[str] | None = None, host: str | None = None) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.work / "home"),
               "DOCKER_CONFIG": str(self.work / "home" / ".docker")}
        cmd = ["docker", "-H", host or f"tcp://127.0.0.1:{self.port}", *(tls or []), *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)

    def tls_args(self, ca=None, cert=None, key=None) -> list[str]:
        args = ["--tlsverify", "--tlscacert", str(ca or self.chain.ca)]
        if cert:
            args += ["--tlscert", str(cert), "--tlskey", str(key)]
        return args


@pytest.fixture(scope="module", params=["ubuntu", "flatcar"])
def dockerd(request):
    """dockerd with the Ubuntu daemon.json (listeners in ``hosts``) or the Flatcar one (no
    ``hosts``: systemd hands dockerd its sockets there; here -H flags stand in for them)."""
    require_tool("dockerd", "docker", "openssl", "curl", reason="mutual-TLS test against a real dockerd")
    require(os.geteuid() == 0, "dockerd needs root")
    work = Path(tempfile.mkdtemp(prefix="dy-tls-", dir="/tmp"))  # short: socket paths < 108 bytes
    # dockerd 20.10 also writes its identity key and a plugin directory outside its roots.
    outside = [p for p in SYSTEM_PATHS if not p.exists()]
    proc = None
    try:
        params = certificate_parameters("docker-test", public_ip="203.0.113.10", private_ip="10.0.0.10")
        chain = issue_chain(params, work / "pki")
        port = _free_port()
        tcp, unix = f"tcp://127.0.0.1:{port}", f"unix://{work}/docker.sock"
        files = TlsFiles(ca=str(chain.ca), cert=str(chain.server_cert), key=str(chain.server_key))
        flatcar = request.param == "flatcar"
        config = daemon_config(CLOUD, files=files, tcp=None if flatcar else tcp, unix=unix)
        listeners = ["-H", unix, "-H", tcp] if flatcar else []
        (work / "daemon.json").write_text(json.dumps(config))
        log = open(work / "dockerd.log", "wb")
        proc = subprocess.Popen(
            ["dockerd", "--config-file", str(work / "daemon.json"), *listeners, *SANDBOX_FLAGS,
             "--data-root", str(work / "data"), "--exec-root", str(work / "exec"),
             "--pidfile", str(work / "docker.pid")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        daemon = Daemon(work, port, chain, proc, config)
        daemon.os = request.param
        deadline = time.monotonic() + 60
        while True:
            ready = daemon.client("version", host=f"unix://{work}/docker.sock")
            if ready.returncode == 0:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("dockerd did not start:\n" + (work / "dockerd.log").read_text()[-3000:])
            time.sleep(0.2)
        yield daemon
    finally:
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)  # our own dockerd, by its PID; it stops its containerd
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        subprocess.run(["umount", "-R", str(work / "exec")], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        for path in outside:  # only what this dockerd created, deepest first
            if path.is_file():
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def test_config_differs_from_the_shipped_one_only_in_paths_and_address(dockerd):
    shipped = daemon_config(CLOUD, tcp=None) if dockerd.os == "flatcar" else daemon_config(CLOUD)
    if dockerd.os == "flatcar":
        assert "hosts" not in shipped
        shipped = {**shipped, "hosts": [UNIX_SOCKET, "tcp://0.0.0.0:2376"]}  # what the socket units provide
        dockerd.config = {**dockerd.config, "hosts": [f"unix://{dockerd.work}/docker.sock",
                                                      f"tcp://127.0.0.1:{dockerd.port}"]}
    assert set(shipped) == set(dockerd.config)
    differing = {k for k in shipped if shipped[k] != dockerd.config[k]}
    assert differing <= {"tlscacert", "tlscert", "tlskey", "hosts"}
    assert shipped["hosts"] == [UNIX_SOCKET, "tcp://0.0.0.0:2376"]
    assert dockerd.config["hosts"][1] == f"tcp://127.0.0.1:{dockerd.port}"
    assert shipped["tlsverify"] is True and shipped["tls"] is True


def test_client_certificate_gets_docker_info(dockerd):
    c = dockerd.chain
    out = dockerd.client("info", "--format", "{{json .Labels}}",
                         tls=dockerd.tls_args(cert=c.client_cert, key=c.client_key))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [f"provider={CLOUD}"]


def test_server_name_is_verified_by_its_localhost_san(dockerd):
    c = dockerd.chain
    out = dockerd.client("version", "--format", "{{.Server.Version}}", host=f"tcp://localhost:{dockerd.port}",
                         tls=dockerd.tls_args(cert=c.client_cert, key=c.client_key))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()


def _refused(daemon: Daemon, reason: str, curl: list[str] | None = None, **client) -> None:
    """The client fails, and dockerd's log says the handshake failed for ``reason`` (the client
    may see an alert or just a reset, depending on TLS 1.3 timing)."""
    log = daemon.work / "dockerd.log"
    before = len(log.read_text())
    if curl is not None:
        out = subprocess.run(["curl", "-sS", "--max-time", "20", *curl, f"https://127.0.0.1:{daemon.port}/version"],
                             capture_output=True, text=True, timeout=60)
    else:
        out = daemon.client("version", "--format", "{{.Server.Version}}", **client)
    assert out.returncode != 0, out.stdout
    new = ""
    for _ in range(50):  # the log line may land just after the client returns
        new = log.read_text()[before:]
        if "TLS handshake error" in new:
            break
        time.sleep(0.1)
    assert "TLS handshake error" in new and reason in new, new or out.stderr


def test_client_without_certificate_is_refused(dockerd):
    _refused(dockerd, "didn't provide a certificate", tls=dockerd.tls_args())


def test_certificate_from_another_ca_is_refused(dockerd):
    other = issue_chain(certificate_parameters("intruder"), dockerd.work / "other-pki")
    # The Go docker client withholds a certificate the server's CA list does not name...
    _refused(dockerd, "didn't provide a certificate",
             tls=dockerd.tls_args(cert=other.client_cert, key=other.client_key))
    # ...so present it with curl (OpenSSL sends it regardless) to see dockerd reject it.
    _refused(dockerd, "unknown authority", curl=["--cacert", str(dockerd.chain.ca), "--cert",
                                                 str(other.client_cert), "--key", str(other.client_key)])


def test_server_certificate_is_not_a_client_certificate(dockerd):
    # Key usages matter: the server's own certificate (serverAuth only) must not open the API.
    c = dockerd.chain
    _refused(dockerd, "incompatible key usage", tls=dockerd.tls_args(cert=c.server_cert, key=c.server_key))


def test_our_client_still_works_after_the_refusals(dockerd):
    c = dockerd.chain
    out = dockerd.client("version", "--format", "{{.Server.Version}}",
                         tls=dockerd.tls_args(cert=c.client_cert, key=c.client_key))
    assert out.returncode == 0, out.stderr
    # The same request curl made above, with our client certificate: the API answers.
    ok = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", str(c.ca), "--cert", str(c.client_cert),
                         "--key", str(c.client_key), f"https://127.0.0.1:{dockerd.port}/version"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "ApiVersion" in json.loads(ok.stdout), ok.stderr


def test_plain_http_gets_no_api(dockerd):
    out = dockerd.client("version", "--format", "{{.Server.Version}}")
    assert out.returncode != 0
