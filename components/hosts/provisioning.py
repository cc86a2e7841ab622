"""Provisioning documents for a Docker host: cloud-init for Ubuntu, Ignition v3 for Flatcar.

docker-machine provisioned over SSH after boot, and hung when SSH was slow to come up. Here the
VM configures itself on first boot from user data: the daemon config, the TLS material and the
systemd changes are all in the document. The renderers are pure functions of plain values
(tests feed them to `cloud-init schema` and `ignition-validate`); :func:`user_data` wraps them for
Pulumi Outputs and marks the result secret, because it holds the server's private key.

Listening: dockerd serves the unix socket and tcp 2376 with ``tlsverify`` (mutual TLS), never 2375.
"""

from __future__ import annotations

import base64
import json
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
    """Plain inputs of one host's first-boot document."""

    host: str
    cloud: str
    os: str
    ssh_user: str
    ssh_port: int
    ssh_public_key: str
    ca_pem: str
    server_cert_pem: str
    server_key_pem: str


# The Ubuntu docker.service starts `dockerd -H fd:// --containerd=...`; with `hosts` in
# daemon.json dockerd refuses to start ("directives specified both as a flag and in the
# configuration file"), so the drop-in clears ExecStart and starts dockerd without -H, as
# https://docs.docker.com/engine/daemon/remote-access/ describes for daemon.json.
UBUNTU_DOCKER_DROPIN = (
    "[Service]\n"
    "ExecStart=\n"
    "ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock\n"
)


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
    files = TlsFiles()
    write_files = [
        {"path": files.ca, "permissions": "0644", "owner": "root:root", "content": p.ca_pem},
        {"path": files.cert, "permissions": "0644", "owner": "root:root", "content": p.server_cert_pem},
        {"path": files.key, "permissions": "0600", "owner": "root:root", "content": p.server_key_pem},
        {"path": "/etc/docker/daemon.json", "permissions": "0644", "owner": "root:root",
         "content": json.dumps(daemon_config(p.cloud), indent=2, sort_keys=True) + "\n"},
        {"path": "/etc/systemd/system/docker.service.d/10-dockyard.conf", "permissions": "0644",
         "owner": "root:root", "content": UBUNTU_DOCKER_DROPIN},
    ]
    runcmd = [["systemctl", "daemon-reload"]]
    if p.ssh_port != 22:
        write_files += [
            {"path": "/etc/ssh/sshd_config.d/10-dockyard-port.conf", "permissions": "0644",
             "content": f"Port {p.ssh_port}\n"},
            {"path": "/etc/systemd/system/ssh.socket.d/10-dockyard-port.conf", "permissions": "0644",
             "content": _ssh_socket_dropin(p.ssh_port)},
        ]
        runcmd.append(["sh", "-c", "systemctl restart ssh.socket || systemctl restart ssh"])
    runcmd += [["systemctl", "enable", "docker"], ["systemctl", "restart", "docker"]]

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
FLATCAR_DOCKER_DROPIN = (
    "[Unit]\n"
    "Requires=docker-tls-tcp.socket\n"
    "After=docker-tls-tcp.socket\n"
)


def flatcar_ignition(p: Provision) -> str:
    """An Ignition v3 config (JSON) for Flatcar Container Linux."""
    files = TlsFiles()
    storage_files = [
        _ignition_file(files.ca, p.ca_pem, 0o644),
        _ignition_file(files.cert, p.server_cert_pem, 0o644),
        _ignition_file(files.key, p.server_key_pem, 0o600),
        _ignition_file("/etc/docker/daemon.json",
                       json.dumps(daemon_config(p.cloud, tcp=None), indent=2, sort_keys=True) + "\n", 0o644),
    ]
    units = [
        {"name": "docker-tls-tcp.socket", "enabled": True, "contents": FLATCAR_TLS_SOCKET},
        {"name": "docker.service", "enabled": True,
         "dropins": [{"name": "10-dockyard.conf", "contents": FLATCAR_DOCKER_DROPIN}]},
    ]
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
              ssh_public_key: pulumi.Input[str], ca_pem: pulumi.Input[str],
              server_cert_pem: pulumi.Input[str], server_key_pem: pulumi.Input[str]) -> pulumi.Output[str]:
    """:func:`render` over Outputs; the result is secret because it embeds the server key."""
    doc = pulumi.Output.all(ssh_public_key, ca_pem, server_cert_pem, server_key_pem).apply(
        lambda v: render(Provision(host, cloud, os, ssh_user, ssh_port, v[0], v[1], v[2], v[3]))
    )
    return pulumi.Output.secret(doc)
