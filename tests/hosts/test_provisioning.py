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
HOST_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAdummy\n-----END OPENSSH PRIVATE KEY-----\n"
HOST_PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGhvc3RrZXlob3N0a2V5aG9zdGtleWhvc3RrZXlob3N0\n"


def provision(os_: str, cloud: str = "aws", user: str | None = None, port: int = 22) -> Provision:
    user = user or ("core" if os_ == "flatcar" else "ubuntu")
    return Provision("web-1", cloud, os_, user, port, KEY, HOST_KEY, HOST_PUB)


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
def test_ubuntu_writes_tls_daemon_config_but_no_tls_material(cloud):
    p = provision("ubuntu", cloud)
    text = render(p)
    assert text.startswith("#cloud-config\n")
    files = _cloud_files(text)
    daemon = json.loads(files["/etc/docker/daemon.json"]["content"])
    assert daemon["hosts"] == ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"]
    assert daemon["labels"] == [f"provider={cloud}"]
    assert daemon["tlsverify"] is True
    # The certificates and the server key come over SSH after boot (issue 10: user data is
    # readable from the metadata service; issue 11: a renewal must not change user data).
    for key in ("tlscacert", "tlscert", "tlskey"):
        assert daemon[key] not in files
    assert "BEGIN CERTIFICATE" not in text and "EC PRIVATE KEY" not in text
    dropin = files["/etc/systemd/system/docker.service.d/10-dockyard.conf"]["content"]
    # dockerd never starts without its TLS material (skipped, not failed, until it arrives)
    assert f"ConditionPathExists={daemon['tlskey']}" in dropin.splitlines()
    service = dropin[dropin.index("[Service]"):].splitlines()
    assert service[:2] == ["[Service]", "ExecStart="]  # clears the vendor `-H fd://`
    assert "-H" not in service[2] and "--host" not in service[2]
    assert "2375" not in text


@pytest.mark.parametrize("os_", ["ubuntu", "flatcar"])
def test_no_tls_material_in_any_document(os_):
    for cloud in CLOUDS:
        text = render(provision(os_, cloud))
        assert "/etc/docker/tls/server-key.pem" not in _written_paths(os_, text)
        assert "/etc/docker/tls/server-cert.pem" not in _written_paths(os_, text)


def _written_paths(os_: str, text: str) -> set[str]:
    return set(_cloud_files(text) if os_ == "ubuntu" else _ignition_files(text))


def test_ubuntu_installs_the_generated_ssh_host_key_only():
    doc = yaml.safe_load(render(provision("ubuntu")))
    assert doc["ssh_keys"] == {"ed25519_private": HOST_KEY, "ed25519_public": HOST_PUB}
    assert doc["ssh_deletekeys"] is True  # the image's own keys go
    assert doc["ssh_genkeytypes"] == ["ed25519"]  # ours exists: no unpinned key is made
    files = _cloud_files(render(provision("ubuntu")))
    assert files["/etc/ssh/sshd_config.d/10-dockyard-hostkey.conf"]["content"] == \
        "HostKey /etc/ssh/ssh_host_ed25519_key\n"


def test_flatcar_installs_the_generated_ssh_host_key_only():
    files = _ignition_files(render(provision("flatcar")))
    assert files["/etc/ssh/ssh_host_ed25519_key"] == (0o600, HOST_KEY)
    assert files["/etc/ssh/ssh_host_ed25519_key.pub"] == (0o644, HOST_PUB)
    assert files["/etc/ssh/sshd_config.d/10-dockyard-hostkey.conf"][1] == "HostKey /etc/ssh/ssh_host_ed25519_key\n"


def test_ubuntu_marker_is_the_last_provisioning_step():
    doc = yaml.safe_load(render(provision("ubuntu", port=2222)))
    files = _cloud_files(render(provision("ubuntu")))
    assert doc["runcmd"][-1] == ["/etc/dockyard/finish-provisioning"]
    script = files["/etc/dockyard/finish-provisioning"]
    assert script["permissions"] == "0755"
    lines = script["content"].splitlines()
    restart = lines.index("systemctl restart docker")
    assert lines[-1] == "touch /var/lib/dockyard/provisioned" and restart < len(lines) - 1
    # dockerd is restarted nowhere after it (the last restart is the finish script's own)
    assert not any("restart docker" in " ".join(c) for c in doc["runcmd"][:-1])


def test_flatcar_marker_unit():
    doc = json.loads(render(provision("flatcar")))
    units = {u["name"]: u for u in doc["systemd"]["units"]}
    unit = units["dockyard-provisioned.service"]
    assert unit["enabled"] is True
    assert "ExecStart=/etc/dockyard/finish-provisioning" in unit["contents"].splitlines()
    assert "ConditionPathExists=!/var/lib/dockyard/provisioned" in unit["contents"].splitlines()
    mode, script = _ignition_files(render(provision("flatcar")))["/etc/dockyard/finish-provisioning"]
    assert mode == 0o755 and script.splitlines()[-1] == "touch /var/lib/dockyard/provisioned"


@pytest.mark.parametrize("os_", ["ubuntu", "flatcar"])
@pytest.mark.parametrize("cloud", CLOUDS)
def test_metadata_guard_where_the_metadata_service_serves_user_data(os_, cloud):
    """DigitalOcean and GCP hand user data to any local process; AWS (IMDSv2, hop limit 1) and
    Azure (customData is not in IMDS) do not, and their containers keep the metadata service."""
    text = render(provision(os_, cloud))
    guarded = cloud in ("digitalocean", "gcp")
    assert ("169.254.169.254" in text) == guarded
    if os_ == "ubuntu":
        doc = yaml.safe_load(text)
        files = _cloud_files(text)
        assert ("/etc/systemd/system/dockyard-metadata-guard.service" in files) == guarded
        assert (["systemctl", "enable", "--now", "dockyard-metadata-guard.service"] in doc["runcmd"]) == guarded
        dropin = files["/etc/systemd/system/docker.service.d/10-dockyard.conf"]["content"]
    else:
        units = {u["name"]: u for u in json.loads(text)["systemd"]["units"]}
        assert ("dockyard-metadata-guard.service" in units) == guarded
        dropin = units["docker.service"]["dropins"][0]["contents"]
    assert ("After=dockyard-metadata-guard.service" in dropin.splitlines()) == guarded


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
    assert daemon["tlskey"] not in files and daemon["tlscacert"] not in files  # delivered over SSH
    units = {u["name"]: u for u in doc["systemd"]["units"]}
    assert "ListenStream=2376" in units["docker-tls-tcp.socket"]["contents"]
    assert units["docker-tls-tcp.socket"]["enabled"] is True
    assert units["docker.service"]["dropins"], "docker.service needs its drop-in"
    dropin = units["docker.service"]["dropins"][0]["contents"].splitlines()
    assert "Requires=docker-tls-tcp.socket" in dropin
    assert f"ConditionPathExists={daemon['tlskey']}" in dropin
    assert "ListenStream=2222" in units["sshd.socket"]["dropins"][0]["contents"]
    assert doc["passwd"]["users"] == [{"name": "core", "sshAuthorizedKeys": [KEY]}]
    assert "2375" not in text


def test_daemon_config_never_uses_2375():
    with pytest.raises(ValueError):
        daemon_config("aws", tcp="tcp://0.0.0.0:2375")


def test_unknown_os_is_refused():
    with pytest.raises(ValueError):
        render(provision("windows"))


# --- our systemd units, checked by systemd itself -------------------------------------------------


def _verify_unit(tmp_path, name: str, text: str) -> subprocess.CompletedProcess:
    f = tmp_path / name
    f.write_text(text)
    return subprocess.run(["systemd-analyze", "verify", "--man=no", str(f)], capture_output=True, text=True,
                          timeout=60)


def test_units_pass_systemd_analyze_verify(tmp_path):
    require_tool("systemd-analyze", reason="Debian package systemd")
    ubuntu = _cloud_files(render(provision("ubuntu", "digitalocean")))
    guard = ubuntu["/etc/systemd/system/dockyard-metadata-guard.service"]["content"]
    out = _verify_unit(tmp_path, "dockyard-metadata-guard.service", guard)
    assert out.returncode == 0, out.stderr
    flatcar = {u["name"]: u for u in json.loads(render(provision("flatcar", "gcp")))["systemd"]["units"]}
    assert flatcar["dockyard-metadata-guard.service"]["contents"] == guard
    out = _verify_unit(tmp_path, "dockyard-provisioned.service", flatcar["dockyard-provisioned.service"]["contents"])
    # The one complaint allowed: the script it runs is written by the same document, on the VM.
    problems = [line for line in out.stderr.splitlines() if line.strip()]
    assert problems == ["dockyard-provisioned.service: Command /etc/dockyard/finish-provisioning is not "
                        "executable: No such file or directory"], out.stderr
    # systemd-analyze does judge: a broken unit fails
    assert _verify_unit(tmp_path, "broken.service", "[Service]\nExecStart=/bin/sh -c 'x\n").returncode != 0


def test_the_marker_written_is_the_marker_the_swarm_waits_for():
    """CONTRACTS.md: h-hosts writes it, the swarm scripts wait for it; one path on both sides."""
    from components.hosts.provisioning import PROVISIONED_MARKER
    from components.swarm import scripts

    assert scripts.PROVISIONED_MARKER == PROVISIONED_MARKER == "/var/lib/dockyard/provisioned"
    ubuntu = _cloud_files(render(provision("ubuntu")))["/etc/dockyard/finish-provisioning"]["content"]
    flatcar = _ignition_files(render(provision("flatcar")))["/etc/dockyard/finish-provisioning"][1]
    for script in (ubuntu, flatcar):
        assert script.splitlines()[-1] == f"touch {PROVISIONED_MARKER}"
