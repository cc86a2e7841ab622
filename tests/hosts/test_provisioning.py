"""First-boot documents: real validators (cloud-init schema, ignition-validate) and their content."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
from urllib.parse import unquote

import pytest
import yaml

from components.hosts.provisioning import Provision, daemon_config, render
from tests.conftest import require_tool

CLOUDS = ["digitalocean", "aws", "azure", "gcp"]
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5dGVzdGtleXRlc3RrZXl0ZXN0a2V5 ops@example"
PEM = "-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n"
SECRET_KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIdummy\n-----END EC PRIVATE KEY-----\n"


def provision(os_: str, cloud: str = "aws", user: str | None = None, port: int = 22) -> Provision:
    user = user or ("core" if os_ == "flatcar" else "ubuntu")
    return Provision("web-1", cloud, os_, user, port, KEY, PEM, PEM.replace("dummy", "server"), SECRET_KEY)


UBUNTU_CASES = [provision("ubuntu", c, u, p) for c, u, p in itertools.product(CLOUDS, ["ubuntu", "root", "ops"], [22, 2222])]
FLATCAR_CASES = [provision("flatcar", c, u, p) for c, u, p in itertools.product(CLOUDS, ["core", "ops"], [22, 2222])]


def _ids(cases):
    return [f"{p.cloud}-{p.ssh_user}-{p.ssh_port}" for p in cases]


def _validate(cmd: list[str], text: str, tmp_path, suffix: str) -> subprocess.CompletedProcess:
    f = tmp_path / f"doc{suffix}"
    f.write_text(text)
    return subprocess.run([*cmd, str(f)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("p", UBUNTU_CASES, ids=_ids(UBUNTU_CASES))
def test_cloud_init_passes_schema(p, tmp_path):
    require_tool("cloud-init", reason="Debian package cloud-init")
    out = _validate(["cloud-init", "schema", "--config-file"], render(p), tmp_path, ".yaml")
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("p", FLATCAR_CASES, ids=_ids(FLATCAR_CASES))
def test_ignition_passes_validate(p, tmp_path):
    require_tool("ignition-validate", reason="Debian package ignition")
    out = _validate(["ignition-validate"], render(p), tmp_path, ".json")
    assert out.returncode == 0, out.stdout + out.stderr


def test_validators_reject_a_broken_document(tmp_path):
    """The validators really judge what we hand them (a pass is not a no-op)."""
    require_tool("cloud-init", "ignition-validate")
    bad_ci = "#cloud-config\npackages: 5\nwrite_files: {path: 3}\n"
    assert _validate(["cloud-init", "schema", "--config-file"], bad_ci, tmp_path, ".yaml").returncode != 0
    doc = json.loads(render(provision("flatcar")))
    doc["storage"]["files"][0]["mode"] = "0644"  # a string where Ignition wants an integer
    assert _validate(["ignition-validate"], json.dumps(doc), tmp_path, ".json").returncode != 0


# --- what the documents say ----------------------------------------------------------------------


def _cloud_files(text: str) -> dict[str, dict]:
    doc = yaml.safe_load(text)
    return {f["path"]: f for f in doc["write_files"]}


def _ignition_files(text: str) -> dict[str, tuple[int, str]]:
    doc = json.loads(text)
    out = {}
    for f in doc["storage"]["files"]:
        src = f["contents"]["source"]
        head, _, data = src.partition(",")
        body = base64.b64decode(data).decode() if head.endswith(";base64") else unquote(data)
        out[f["path"]] = (f["mode"], body)
    return out


@pytest.mark.parametrize("cloud", CLOUDS)
def test_ubuntu_writes_tls_daemon_config_and_keys(cloud):
    p = provision("ubuntu", cloud)
    text = render(p)
    assert text.startswith("#cloud-config\n")
    files = _cloud_files(text)
    daemon = json.loads(files["/etc/docker/daemon.json"]["content"])
    assert daemon["hosts"] == ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"]
    assert daemon["labels"] == [f"provider={cloud}"]
    assert daemon["tlsverify"] is True
    for key in ("tlscacert", "tlscert", "tlskey"):
        assert daemon[key] in files, f"{key} points at a file the document does not write"
    assert files[daemon["tlskey"]]["content"] == SECRET_KEY
    assert files[daemon["tlskey"]]["permissions"] == "0600"
    assert files[daemon["tlscacert"]]["content"] == PEM
    dropin = files["/etc/systemd/system/docker.service.d/10-dockyard.conf"]["content"]
    lines = dropin.splitlines()
    assert lines[:2] == ["[Service]", "ExecStart="]  # clears the vendor `-H fd://`
    assert "-H" not in lines[2] and "--host" not in lines[2]
    assert "2375" not in text


def test_ubuntu_installs_docker_from_dockers_repository():
    doc = yaml.safe_load(render(provision("ubuntu")))
    assert "docker-ce" in doc["packages"]
    source = doc["apt"]["sources"]["docker.list"]
    assert "https://download.docker.com/linux/ubuntu" in source["source"]
    assert len(source["keyid"]) == 40  # a full fingerprint, not a short key id


def test_ubuntu_user_and_ssh_port():
    doc = yaml.safe_load(render(provision("ubuntu", user="ops", port=2222)))
    ops = [u for u in doc["users"] if isinstance(u, dict) and u["name"] == "ops"][0]
    assert ops["ssh_authorized_keys"] == [KEY]
    assert "docker" in ops["groups"]
    files = {f["path"]: f["content"] for f in doc["write_files"]}
    assert "ListenStream=2222" in files["/etc/systemd/system/ssh.socket.d/10-dockyard-port.conf"]
    root = yaml.safe_load(render(provision("ubuntu", user="root")))
    assert root["disable_root"] is False and root["ssh_authorized_keys"] == [KEY]
    default_port = yaml.safe_load(render(provision("ubuntu")))
    assert not any("ssh.socket" in f["path"] for f in default_port["write_files"])


@pytest.mark.parametrize("cloud", CLOUDS)
def test_flatcar_ignition_content(cloud):
    text = render(provision("flatcar", cloud, user="core", port=2222))
    doc = json.loads(text)
    assert doc["ignition"]["version"].startswith("3.")
    files = _ignition_files(text)
    mode, body = files["/etc/docker/daemon.json"]
    daemon = json.loads(body)
    assert daemon["labels"] == [f"provider={cloud}"] and daemon["tlsverify"] is True
    assert "hosts" not in daemon  # sockets come from systemd (-H fd://); hosts would conflict
    assert files[daemon["tlskey"]] == (0o600, SECRET_KEY)
    assert files[daemon["tlscacert"]][1] == PEM
    units = {u["name"]: u for u in doc["systemd"]["units"]}
    assert "ListenStream=2376" in units["docker-tls-tcp.socket"]["contents"]
    assert units["docker-tls-tcp.socket"]["enabled"] is True
    assert units["docker.service"]["dropins"], "docker.service needs its drop-in"
    assert "docker-tls-tcp.socket" in units["docker.service"]["dropins"][0]["contents"]
    assert "ListenStream=2222" in units["sshd.socket"]["dropins"][0]["contents"]
    assert doc["passwd"]["users"] == [{"name": "core", "sshAuthorizedKeys": [KEY]}]
    assert "2375" not in text


def test_daemon_config_never_uses_2375():
    with pytest.raises(ValueError):
        daemon_config("aws", tcp="tcp://0.0.0.0:2375")


def test_unknown_os_is_refused():
    with pytest.raises(ValueError):
        render(provision("windows"))
