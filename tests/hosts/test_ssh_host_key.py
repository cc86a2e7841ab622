"""The SSH host key Dockyard generates is the one the host serves, and the pin refuses any other.

Two clients, both against a real sshd: ``pinned_dial`` (tests/hosts/pinned_dial/main.go) checks
the key with golang.org/x/crypto/ssh exactly as pulumi-command's remote connection does with
``connection.hostKey`` set (the code path of every SSH command Dockyard runs), fed the value in
pulumi_tls's ``public_key_openssh`` form; OpenSSH checks the ``sshKnownHosts`` line of the
``hosts`` output (the operator's own ssh).

Real tools: OpenSSH's sshd, started on 127.0.0.1 in a private mount namespace whose /etc/ssh holds
exactly what the rendered cloud-init document installs (the ed25519 key from ``ssh_keys`` and the
``HostKey`` drop-in), plus a stray ECDSA key as an image or Flatcar's sshd-keygen would leave one.
The client pins the way pulumi-command does with ``connection.hostKey`` (one fixed key, and that
key's algorithm as the only one offered: provider/pkg/provider/remote/connection.go, read
2026-12-02): OpenSSH with that key alone in its known_hosts, StrictHostKeyChecking=yes and
HostKeyAlgorithms set to the key's type.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from components.hosts.host import known_hosts_line
from components.hosts.provisioning import SSH_HOST_KEY, SSH_HOSTKEY_DROPIN, Provision, render
from tests.conftest import require, require_tool


def keygen(path: Path, kind: str = "ed25519") -> tuple[str, str]:
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "", "-f", str(path)], check=True)
    return path.read_text(), path.with_suffix(".pub").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sshd(tmp_path):
    """A real sshd serving the host key of a rendered Ubuntu document; yields (port, pub, client key)."""
    require_tool("sshd", "ssh", "ssh-keygen", "unshare", reason="Debian packages openssh-server, openssh-client")
    require(os.geteuid() == 0, "root is needed for a private mount namespace and sshd")
    sshd_bin = shutil.which("sshd")
    host_priv, host_pub = keygen(tmp_path / "generated_host_key")
    doc = yaml.safe_load(render(Provision("web-1", "digitalocean", "ubuntu", "root", 22, "unused", host_priv,
                                          host_pub)))
    etc = tmp_path / "etc-ssh"
    (etc / "sshd_config.d").mkdir(parents=True)
    # What cloud-init's ssh module and write_files put there, from the document itself.
    key_file = etc / Path(SSH_HOST_KEY).name
    key_file.write_text(doc["ssh_keys"]["ed25519_private"])
    key_file.chmod(0o600)
    (etc / (key_file.name + ".pub")).write_text(doc["ssh_keys"]["ed25519_public"])
    dropin = next(f for f in doc["write_files"] if f["path"] == SSH_HOSTKEY_DROPIN)
    (etc / "sshd_config.d" / Path(SSH_HOSTKEY_DROPIN).name).write_text(dropin["content"])
    stray = etc / "ssh_host_ecdsa_key"  # a key Dockyard did not make: must not be served
    keygen(stray, "ecdsa")
    client_priv, client_pub = keygen(tmp_path / "client")
    (tmp_path / "authorized_keys").write_text(client_pub)
    port = _free_port()
    # Ubuntu's sshd_config starts with the same Include line.
    (etc / "sshd_config").write_text(
        "Include /etc/ssh/sshd_config.d/*.conf\n"
        f"Port {port}\nListenAddress 127.0.0.1\n"
        f"AuthorizedKeysFile {tmp_path / 'authorized_keys'}\n"
        "StrictModes no\nUsePAM no\nPidFile none\nPermitRootLogin prohibit-password\n")
    script = (f"mount --make-rprivate / && mount --bind {etc} /etc/ssh && mount -t tmpfs tmpfs /run && "
              f"mkdir -p /run/sshd && exec {sshd_bin} -D -e -f /etc/ssh/sshd_config")
    proc = subprocess.Popen(["unshare", "-m", "sh", "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("sshd did not start: " + (proc.stdout.read() if proc.poll() is not None else ""))
                time.sleep(0.1)
        yield port, host_pub, tmp_path / "client"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def pinned_ssh(tmp_path: Path, port: int, client_key: Path, pinned_key: str, *extra: str) -> subprocess.CompletedProcess:
    known = tmp_path / f"known_hosts_{abs(hash(pinned_key))}"
    known.write_text(known_hosts_line("127.0.0.1", port, pinned_key) + "\n")
    algorithm = pinned_key.split()[0]
    cmd = ["ssh", "-F", "/dev/null", "-p", str(port), "-i", str(client_key), "-o", "BatchMode=yes",
           "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known}",
           "-o", "GlobalKnownHostsFile=/dev/null", "-o", f"HostKeyAlgorithms={algorithm}",
           "-o", "ConnectTimeout=10", *extra, "root@127.0.0.1", "echo pinned-ok"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={**os.environ, "SSH_AUTH_SOCK": ""})


@pytest.fixture(scope="module")
def pinned_dial(tmp_path_factory):
    """Build the Go client against Debian's golang.org/x/crypto (GOPATH mode, offline)."""
    require_tool("go", reason="Debian packages golang-go, golang-golang-x-crypto-dev")
    gopath = "/usr/share/gocode"
    require(Path(gopath, "src/golang.org/x/crypto/ssh").is_dir(), "Debian package golang-golang-x-crypto-dev")
    out = tmp_path_factory.mktemp("pinned_dial")
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": gopath, "GOCACHE": str(out / "cache"),
           "GOFLAGS": "", "CGO_ENABLED": "0"}
    src = Path(__file__).parent / "pinned_dial" / "main.go"
    built = subprocess.run(["go", "build", "-o", str(out / "pinned_dial"), str(src)], env=env, capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    return out / "pinned_dial"


def provider_dial(binary: Path, tmp_path: Path, port: int, client_key: Path, host_key: str):
    """Dial the way the provider does, with ``host_key`` as pulumi_tls gives public_key_openssh
    ("<type> <base64>\n", no comment)."""
    pinned = tmp_path / f"host_key_{abs(hash(host_key))}"
    pinned.write_text(" ".join(host_key.split()[:2]) + "\n")
    return subprocess.run([str(binary), f"127.0.0.1:{port}", "root", str(client_key), str(pinned), "echo pinned-ok"],
                          capture_output=True, text=True, timeout=60)


def test_provider_connection_succeeds_with_the_pinned_key(sshd, pinned_dial, tmp_path):
    port, host_pub, client = sshd
    out = provider_dial(pinned_dial, tmp_path, port, client, host_pub)
    assert (out.returncode, out.stdout.strip()) == (0, "pinned-ok"), out.stderr


def test_provider_connection_with_a_different_key_is_refused(sshd, pinned_dial, tmp_path):
    port, _host_pub, client = sshd
    _, other_pub = keygen(tmp_path / "another_hosts_key")
    out = provider_dial(pinned_dial, tmp_path, port, client, other_pub)
    assert out.returncode != 0 and "pinned-ok" not in out.stdout
    assert "host key mismatch" in out.stderr, out.stderr
    _, ecdsa_pub = keygen(tmp_path / "ecdsa_pin", "ecdsa")  # the host's stray ecdsa key is never offered
    out = provider_dial(pinned_dial, tmp_path, port, client, ecdsa_pub)
    assert out.returncode != 0 and "pinned-ok" not in out.stdout


def test_pinned_connection_succeeds_with_the_generated_host_key(sshd, tmp_path):
    port, host_pub, client = sshd
    out = pinned_ssh(tmp_path, port, client, host_pub)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pinned-ok"


def test_a_different_host_key_is_refused(sshd, tmp_path):
    port, _host_pub, client = sshd
    _, other_pub = keygen(tmp_path / "another_hosts_key")
    out = pinned_ssh(tmp_path, port, client, other_pub)
    assert out.returncode != 0
    assert "pinned-ok" not in out.stdout
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in out.stderr or "Host key verification failed" in out.stderr


def test_only_the_generated_key_is_served(sshd, tmp_path):
    """The stray ECDSA key in /etc/ssh is not offered: the HostKey drop-in limits sshd to ours."""
    port, _host_pub, client = sshd
    _, ecdsa_pub = keygen(tmp_path / "ecdsa_probe", "ecdsa")
    out = pinned_ssh(tmp_path, port, client, ecdsa_pub)
    assert out.returncode != 0
    assert "no matching host key type found" in out.stderr, out.stderr
