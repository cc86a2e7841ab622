"""K3sHost: a single-node k3s cluster on a Dockyard DockerHost, for CI deployments.

Dockyard's DockerHost brings the VM, its firewall (SSH and 2376 from adminCidrs only) and the
mutual-TLS Docker API; this component adds k3s on top, using the host's Docker engine as its
container runtime (``--docker``), opens the Kubernetes API (6443) to the same admin CIDRs, and
exports the cluster's kubeconfig as a secret.

k3s facts (https://get.k3s.io, the install script's usage notes, read 2026-12-02): the script
installs the version in INSTALL_K3S_VERSION as a systemd service; arguments after ``sh -s -`` are
the server's flags; the kubeconfig is written to /etc/rancher/k3s/k3s.yaml and points at
https://127.0.0.1:6443; ``--tls-san`` adds a name or IP to the API server's certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_command as command

from components.hosts import DockerHost, DockerHostArgs, Location, PortRule

K3S_VERSION = "v1.31.4+k3s1"
K3S_API_PORT = 6443
KUBECONFIG_PATH = "/etc/rancher/k3s/k3s.yaml"


@dataclass
class K3sHostArgs:
    """``host``: a components.config.HostConfig (cloud, size...); ``admin_cidrs``: who may reach
    SSH, the Docker API and the Kubernetes API."""

    host: object
    admin_cidrs: Sequence[str]
    location: Location


class K3sHost(pulumi.ComponentResource):
    """Outputs: ``kubeconfig`` (secret, server = the host's public IP), ``docker_host``,
    ``public_ip``; ``host`` is the DockerHost child."""

    def __init__(self, name: str, args: K3sHostArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:platform:K3sHost", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api = PortRule("tcp", str(K3S_API_PORT), tuple(args.admin_cidrs), "kubernetes api from adminCidrs")
        self.host = DockerHost(name, DockerHostArgs(config=args.host, admin_cidrs=list(args.admin_cidrs),
                                                    location=args.location, extra_ingress=[api]), opts=child)
        # DockerHost's SSH connection pins the host's own SSH host key (no trust on first use).
        connection = self.host.ssh_connection
        install = command.remote.Command(
            f"{name}-install-k3s",
            connection=connection,
            create=pulumi.Output.concat(
                f"curl -sfL https://get.k3s.io | sudo INSTALL_K3S_VERSION={K3S_VERSION} sh -s - server --docker ",
                "--tls-san ", self.host.public_ip,
            ),
            # k3s --docker needs dockerd as provisioning leaves it, with its TLS material delivered.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.host.tls_delivery]),
        )
        fetched = command.remote.Command(
            f"{name}-kubeconfig",
            connection=connection,
            create=f"sudo cat {KUBECONFIG_PATH}",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[install], additional_secret_outputs=["stdout"]),
        )
        self.public_ip = self.host.public_ip
        self.docker_host = self.host.docker_host
        self.kubeconfig = pulumi.Output.secret(pulumi.Output.all(fetched.stdout, self.host.public_ip).apply(
            lambda v: v[0].replace(f"https://127.0.0.1:{K3S_API_PORT}", f"https://{v[1]}:{K3S_API_PORT}")
        ))
        self.register_outputs({"kubeconfig": self.kubeconfig, "dockerHost": self.docker_host,
                               "publicIp": self.public_ip})
