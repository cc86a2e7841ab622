"""Provisioning documents for a Docker host: cloud-init for Ubuntu, Ignition v3 for Flatcar.

The VM configures itself on first boot from user data: Docker Engine, the daemon config, the
SSH host key the program generated (so every SSH connection Dockyard makes can pin it) and the
systemd changes are all in the document. The renderers are pure functions of plain values (tests
feed them to `cloud-init schema` and `ignition-validate`); :func:`user_data` wraps them for Pulumi
Outputs and marks the result secret, because it holds the SSH host private key.

What is NOT in user data: the Docker TLS material (CA, server certificate and key). User data is
readable from the cloud's metadata service and is read on first boot only, so certificates in it
would leak the server key to containers and tie every renewal to a new VM (issues 10 and 11).
:func:`tls_delivery_script` writes them over the pinned SSH connection after boot, and again on
each renewal, restarting dockerd in place. Until they arrive dockerd does not start (a
ConditionPathExists on the key): there is never a window without TLS.

Provisioning is done when ``/var/lib/dockyard/provisioned`` exists (:data:`PROVISIONED_MARKER`):
the last step (cloud-init runcmd on Ubuntu, a systemd oneshot on Flatcar) writes it after dockerd
started with TLS for the last time. The swarm scripts wait for it.

Listening: dockerd serves the unix socket and tcp 2376 with ``tlsverify`` (mutual TLS), never 2375.
"""

from __future__ import annotations

import base64
import json
import shlex
from dataclasses import dataclass

import pulumi
import yaml

DOCKER_TLS_PORT = 2376
TLS_DIR = "/etc/docker/tls"
UNIX_SOCKET = "unix:///var/run/docker.sock"

# Docker's apt repository signing key, fingerprint as published at
# https://docs.docker.com/engine/install/ubuntu/ ("9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88").
# Pinning the fingerprint makes the key fetch independent of the transport it comes over.
DOCKER_APT_KEY_FINGERPRINT = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"

PROVISIONED_MARKER = "/var/lib/dockyard/provisioned"
FINISH_SCRIPT = "/etc/dockyard/finish-provisioning"
SSH_HOST_KEY = "/etc/ssh/ssh_host_ed25519_key"
SSH_HOSTKEY_DROPIN = "/etc/ssh/sshd_config.d/10-dockyard-hostkey.conf"
METADATA_IP = "169.254.169.254"
METADATA_GUARD_UNIT = "dockyard-metadata-guard.service"
#: seconds the last provisioning step waits for the TLS material delivered over SSH
TLS_WAIT_SECONDS = 1800

# Clouds whose metadata service hands user data (which holds the SSH host private key) to any
# local process that asks, containers included: DigitalOcean (no authentication at all,
# docs.digitalocean.com/reference/api/metadata/, read 2026-12-02) and GCP (only a
# `Metadata-Flavor: Google` header, cloud.google.com/compute/docs/metadata/querying-metadata,
# read 2026-12-02). AWS needs an IMDSv2 token whose PUT response has hop limit 1 (the instance's
# metadata_options in components/hosts/aws.py), which a container on a bridge network never
# receives; Azure's IMDS does not serve customData at all (learn.microsoft.com, "Azure Instance
# Metadata Service": customData is not exposed, read 2026-12-02).
METADATA_GUARD_CLOUDS = ("digitalocean", "gcp")

# Ignition spec version: Flatcar reads 3.x configs; 3.3.0 is the newest the Debian
# `ignition-validate` (2.14) knows, and Flatcar stable accepts it.
IGNITION_VERSION = "3.3.0"


@dataclass(frozen=True)
class TlsFiles:
    """Where the daemon's CA, certificate and key live."""

    ca: str = f"{TLS_DIR}/ca.pem"
    cert: str = f"{TLS_DIR}/server-cert.pem"
    key: str = f"{TLS_DIR}/server-key.pem"


def daemon_config(cloud: str, *, files: TlsFiles = TlsFiles(), tcp: str | None = f"tcp://0.0.0.0:{DOCKER_TLS_PORT}",
                  unix: str = UNIX_SOCKET) -> dict:
    """/etc/docker/daemon.json: mutual TLS and the docker-machine label ``provider=<cloud>``.

    ``tcp=None`` leaves ``hosts`` out: on Flatcar systemd hands dockerd its sockets (``-H fd://``
    in the vendor unit) and a ``hosts`` key would conflict with that flag.
    """
    cfg = {
        "labels": [f"provider={cloud}"],
        "tls": True,
        "tlscacert": files.ca,
        "tlscert": files.cert,
        "tlskey": files.key,
        "tlsverify": True,
    }
    if tcp is not None:
        if tcp.rsplit(":", 1)[-1] == "2375":
            raise ValueError("the unencrypted Docker port 2375 is never used")
        cfg["hosts"] = [unix, tcp]
    return cfg


@dataclass(frozen=True)
class Provision:
    """Plain inputs of one host's first-boot document. No TLS material: see the module docstring."""

    host: str
    cloud: str
    os: str
    ssh_user: str
    ssh_port: int
    ssh_public_key: str
    ssh_host_private_key: str  # OpenSSH ed25519 private key (pulumi_tls private_key_openssh)
    ssh_host_public_key: str  # its one-line public key, the value every SSH connection pins

    @property
    def guards_metadata(self) -> bool:
        return self.cloud in METADATA_GUARD_CLOUDS


# The Ubuntu docker.service starts `dockerd -H fd:// --containerd=...`; with `hosts` in
# daemon.json dockerd refuses to start ("directives specified both as a flag and in the
# configuration file"), so the drop-in clears ExecStart and starts dockerd without -H, as
# https://docs.docker.com/engine/daemon/remote-access/ describes for daemon.json.
UBUNTU_DOCKER_DROPIN = (
    "[Service]\n"
    "ExecStart=\n"
    "ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n"
)

# dockerd starts only once its TLS material is there (delivered over SSH after boot): before
# that a start is skipped, not failed, so the docker-ce package's postinst does not fail either.
TLS_CONDITION = f"ConditionPathExists={TlsFiles().key}\n"


def docker_unit_dropin(os: str, guard: bool) -> str:
    """docker.service drop-in: start only with TLS, after the metadata guard where there is one."""
    unit = "[Unit]\n" + TLS_CONDITION
    if os == "flatcar":
        unit += "Requires=docker-tls-tcp.socket\nAfter=docker-tls-tcp.socket\n"
    if guard:
        unit += f"Wants={METADATA_GUARD_UNIT}\nAfter={METADATA_GUARD_UNIT}\n"
    return unit + ("\n" + UBUNTU_DOCKER_DROPIN if os == "ubuntu" else "")


# Containers must not read user data (it holds the SSH host private key) from the metadata
# service. Their packets to 169.254.169.254 arrive on a bridge (docker0, docker_gwbridge) and are
# forwarded; the host's own requests (cloud-init, the cloud's agent) leave through OUTPUT and are
# not affected. The raw table's PREROUTING sees every arriving packet before routing and is a
# chain Docker never flushes (it only adds its own rules there), so the rule holds whatever
# dockerd does to FORWARD and DOCKER-USER, and it is in place before docker.service starts.
# Containers with `network_mode: host` share the host's stack and are not covered (docs/hosts.md).
METADATA_GUARD_RULE = f"-t raw -I PREROUTING -d {METADATA_IP}/32 -j DROP"


def metadata_guard_command() -> str:
    check = METADATA_GUARD_RULE.replace(" -I ", " -C ", 1)
    return f"iptables {check} 2>/dev/null || iptables {METADATA_GUARD_RULE}"


def metadata_guard_unit() -> str:
    return (
        "[Unit]\n"
        "Description=Dockyard: containers may not reach the cloud metadata service\n"
        "Before=docker.service\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        "RemainAfterExit=yes\n"
        f"ExecStart=/bin/sh -c {shlex.quote(metadata_guard_command())}\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
    )


def finish_script() -> str:
    """The last provisioning step, on both OSes: wait (bounded) for the TLS material, start
    dockerd with it, wait for it to answer, then write the marker."""
    files = TlsFiles()
    tries = TLS_WAIT_SECONDS // 2
    return (
        "#!/bin/sh\n"
        "# Dockyard: the last provisioning step. The TLS material comes over SSH after boot.\n"
        "set -u\n"
        "i=0\n"
        f"until [ -s {files.ca} ] && [ -s {files.cert} ] && [ -s {files.key} ]; do\n"
        f"  i=$((i + 1)); if [ \"$i\" -gt {tries} ]; then echo 'dockyard: no TLS material arrived' >&2; exit 1; fi\n"
        "  sleep 2\n"
        "done\n"
        "systemctl restart docker\n"
        "i=0\n"
        "until docker info >/dev/null 2>&1; do\n"
        "  i=$((i + 1)); if [ \"$i\" -gt 90 ]; then echo 'dockyard: dockerd does not answer' >&2; exit 1; fi\n"
        "  sleep 2\n"
        "done\n"
        f"mkdir -p {PROVISIONED_MARKER.rsplit('/', 1)[0]}\n"
        f"touch {PROVISIONED_MARKER}\n"
    )


def tls_delivery_script(ca_pem: str, server_cert_pem: str) -> str:
    """Run as the SSH user with the server key on stdin: install the TLS material (atomically, the
    key last) and, once provisioning is done, restart dockerd with it and wait until it answers.
    Before that, the last provisioning step starts dockerd (finish_script). Idempotent: unchanged
    material restarts nothing. Prints ``tls: changed`` or ``tls: unchanged``."""
    files = TlsFiles()
    ca, cert, key = (f.rsplit("/", 1)[1] for f in (files.ca, files.cert, files.key))
    body = (
        "set -eu\n"
        "umask 077\n"
        f"dir={TLS_DIR}\n"
        'mkdir -p "$dir"\n'
        'new=$(mktemp -d "$dir/.new.XXXXXX")\n'
        'trap \'rm -rf "$new"\' EXIT\n'
        f'cat > "$new/{key}"\n'
        f'printf %s {shlex.quote(ca_pem)} > "$new/{ca}"\n'
        f'printf %s {shlex.quote(server_cert_pem)} > "$new/{cert}"\n'
        f'chmod 0644 "$new/{ca}" "$new/{cert}"\n'
        f'chmod 0600 "$new/{key}"\n'
        "changed=0\n"
        f"for f in {ca} {cert} {key}; do\n"
        '  cmp -s "$new/$f" "$dir/$f" || changed=1\n'
        "done\n"
        'if [ "$changed" = 0 ]; then echo "tls: unchanged"; exit 0; fi\n'
        f"for f in {ca} {cert} {key}; do  # the key last: the finish script waits for all three\n"
        '  mv -f "$new/$f" "$dir/$f"\n'
        "done\n"
        f"if [ -e {PROVISIONED_MARKER} ]; then\n"
        "  systemctl restart docker\n"
        "  i=0\n"
        "  until docker info >/dev/null 2>&1; do\n"
        '    i=$((i + 1)); if [ "$i" -gt 90 ]; then echo "dockyard: dockerd does not answer" >&2; exit 1; fi\n'
        "    sleep 2\n"
        "  done\n"
        "fi\n"
        'echo "tls: changed"\n'
    )
    return "sudo -n sh -c " + shlex.quote(body)


def _ssh_socket_dropin(port: int) -> str:
    # Ubuntu 24.04 and Flatcar start sshd from a socket unit: the port lives in ListenStream.
    return f"[Socket]\nListenStream=\nListenStream={port}\n"


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (PEM, unit files) as literal blocks, so the document reads like the files."""


_Dumper.add_representer(
    str,
    lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None),
)


def ubuntu_cloud_init(p: Provision) -> str:
    """A #cloud-config document that installs Docker Engine and configures its TLS API."""
    guard = p.guards_metadata
    write_files = [
        {"path": "/etc/docker/daemon.json", "permissions": "0644", "owner": "root:root",
         "content": json.dumps(daemon_config(p.cloud), indent=2, sort_keys=True) + "\n"},
        {"path": "/etc/systemd/system/docker.service.d/10-dockyard.conf", "permissions": "0644",
         "owner": "root:root", "content": docker_unit_dropin("ubuntu", guard)},
        {"path": SSH_HOSTKEY_DROPIN, "permissions": "0644", "owner": "root:root",
         "content": f"HostKey {SSH_HOST_KEY}\n"},
        {"path": FINISH_SCRIPT, "permissions": "0755", "owner": "root:root", "content": finish_script()},
    ]
    runcmd = [["systemctl", "daemon-reload"]]
    if guard:
        write_files.append({"path": f"/etc/systemd/system/{METADATA_GUARD_UNIT}", "permissions": "0644",
                            "owner": "root:root", "content": metadata_guard_unit()})
        runcmd.append(["systemctl", "enable", "--now", METADATA_GUARD_UNIT])
    if p.ssh_port != 22:
        write_files += [
            {"path": "/etc/ssh/sshd_config.d/10-dockyard-port.conf", "permissions": "0644",
             "content": f"Port {p.ssh_port}\n"},
            {"path": "/etc/systemd/system/ssh.socket.d/10-dockyard-port.conf", "permissions": "0644",
             "content": _ssh_socket_dropin(p.ssh_port)},
        ]
        runcmd.append(["sh", "-c", "systemctl restart ssh.socket || systemctl restart ssh"])
    # The last step: dockerd (re)started with the TLS material, then the provisioning marker.
    runcmd += [["systemctl", "enable", "docker"], [FINISH_SCRIPT]]

    doc: dict = {
        # Docker Engine from Docker's own apt repository (docker-ce), the source
        # docs.docker.com/engine/install/ubuntu recommends: current Engine releases and their
        # security fixes as soon as Docker ships them. Ubuntu's docker.io lives in universe and
        # trails upstream; docker-machine also installed upstream Docker (get.docker.com).
        "apt": {
            "sources": {
                "docker.list": {
                    "source": "deb [signed-by=$KEY_FILE] https://download.docker.com/linux/ubuntu $RELEASE stable",
                    "keyid": DOCKER_APT_KEY_FINGERPRINT,
                }
            }
        },
        "package_update": True,
        "packages": ["docker-ce", "docker-ce-cli", "containerd.io"],
        "write_files": write_files,
        "runcmd": runcmd,
        # The host key the program generated: the only one sshd serves, and the one every SSH
        # connection of Dockyard pins. The image's keys are deleted; cloud-init makes a key of a
        # listed type only when its file is missing (cc_ssh), so listing ed25519 alone makes none
        # (the schema wants at least one entry: cloud-init schema refuses []).
        "ssh_deletekeys": True,
        "ssh_genkeytypes": ["ed25519"],
        "ssh_keys": {"ed25519_private": p.ssh_host_private_key, "ed25519_public": p.ssh_host_public_key},
    }
    if p.ssh_user == "root":
        doc["disable_root"] = False
        doc["ssh_authorized_keys"] = [p.ssh_public_key]
    else:
        doc["groups"] = ["docker"]
        # Only our user: listing "default" as well would define the image's default user twice
        # when sshUser is that user (ubuntu), and add an unused account otherwise.
        doc["users"] = [
            {
                "name": p.ssh_user,
                "groups": "docker",
                "shell": "/bin/bash",
                "sudo": "ALL=(ALL) NOPASSWD:ALL",
                "lock_passwd": True,
                "ssh_authorized_keys": [p.ssh_public_key],
            },
        ]
    return "#cloud-config\n" + yaml.dump(doc, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=1000)


def _data_url(text: str) -> str:
    return "data:;base64," + base64.b64encode(text.encode()).decode()


def _ignition_file(path: str, text: str, mode: int) -> dict:
    return {"path": path, "mode": mode, "overwrite": True, "contents": {"source": _data_url(text)}}


# Flatcar ships Docker and starts it with `-H fd://` from socket units. Following Flatcar's
# "Customizing Docker" guide (flatcar.org/docs/latest/container-runtimes/customizing-docker/),
# a second socket unit serves 2376 and dockerd wraps that TCP listener in TLS; the unix socket
# keeps coming from docker.socket. The drop-in makes docker.service pull the TLS socket in.
FLATCAR_TLS_SOCKET = (
    "[Unit]\n"
    "Description=Docker API with mutual TLS\n"
    "\n"
    "[Socket]\n"
    f"ListenStream={DOCKER_TLS_PORT}\n"
    "BindIPv6Only=both\n"
    "Service=docker.service\n"
    "\n"
    "[Install]\n"
    "WantedBy=sockets.target\n"
)
FLATCAR_FINISH_UNIT = (
    "[Unit]\n"
    "Description=Dockyard: start dockerd with TLS and mark provisioning done\n"
    f"ConditionPathExists=!{PROVISIONED_MARKER}\n"
    "Wants=network-online.target\n"
    "After=network-online.target docker.socket docker-tls-tcp.socket\n"
    "\n"
    "[Service]\n"
    "Type=oneshot\n"
    "RemainAfterExit=yes\n"
    "TimeoutStartSec=infinity\n"
    f"ExecStart={FINISH_SCRIPT}\n"
    "\n"
    "[Install]\n"
    "WantedBy=multi-user.target\n"
)


def flatcar_ignition(p: Provision) -> str:
    """An Ignition v3 config (JSON) for Flatcar Container Linux."""
    guard = p.guards_metadata
    storage_files = [
        _ignition_file("/etc/docker/daemon.json",
                       json.dumps(daemon_config(p.cloud, tcp=None), indent=2, sort_keys=True) + "\n", 0o644),
        # Flatcar's sshd-keygen makes only the key types that are missing; the drop-in makes sshd
        # serve ours alone, the one every SSH connection of Dockyard pins (Flatcar's sshd reads
        # /etc/ssh/sshd_config.d/*.conf: flatcar/scripts#945, read 2026-12-02).
        _ignition_file(SSH_HOST_KEY, p.ssh_host_private_key, 0o600),
        _ignition_file(f"{SSH_HOST_KEY}.pub", p.ssh_host_public_key, 0o644),
        _ignition_file(SSH_HOSTKEY_DROPIN, f"HostKey {SSH_HOST_KEY}\n", 0o644),
        _ignition_file(FINISH_SCRIPT, finish_script(), 0o755),
    ]
    units = [
        {"name": "docker-tls-tcp.socket", "enabled": True, "contents": FLATCAR_TLS_SOCKET},
        {"name": "docker.service", "enabled": True,
         "dropins": [{"name": "10-dockyard.conf", "contents": docker_unit_dropin("flatcar", guard)}]},
        {"name": "dockyard-provisioned.service", "enabled": True, "contents": FLATCAR_FINISH_UNIT},
    ]
    if guard:
        units.append({"name": METADATA_GUARD_UNIT, "enabled": True, "contents": metadata_guard_unit()})
    if p.ssh_port != 22:
        units.append({"name": "sshd.socket",
                      "dropins": [{"name": "10-dockyard-port.conf", "contents": _ssh_socket_dropin(p.ssh_port)}]})
    user: dict = {"name": p.ssh_user, "sshAuthorizedKeys": [p.ssh_public_key]}
    if p.ssh_user != "core":  # core already exists and is in the docker and sudo groups
        user["groups"] = ["docker", "sudo"]
    doc = {
        "ignition": {"version": IGNITION_VERSION},
        "passwd": {"users": [user]},
        "storage": {"files": storage_files},
        "systemd": {"units": units},
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def render(p: Provision) -> str:
    """The first-boot document for the host's OS."""
    if p.os == "ubuntu":
        return ubuntu_cloud_init(p)
    if p.os == "flatcar":
        return flatcar_ignition(p)
    raise ValueError(f"unknown os {p.os!r}: ubuntu or flatcar")


def user_data(*, host: str, cloud: str, os: str, ssh_user: str, ssh_port: int,
              ssh_public_key: pulumi.Input[str], ssh_host_private_key: pulumi.Input[str],
              ssh_host_public_key: pulumi.Input[str]) -> pulumi.Output[str]:
    """:func:`render` over Outputs; secret because it embeds the SSH host private key. Nothing
    here depends on the TLS certificates, so a renewal never changes user data."""
    doc = pulumi.Output.all(ssh_public_key, ssh_host_private_key, ssh_host_public_key).apply(
        lambda v: render(Provision(host, cloud, os, ssh_user, ssh_port, v[0], v[1], v[2]))
    )
    return pulumi.Output.secret(doc)
