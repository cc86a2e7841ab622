"""DockerHost: one VM with a mutual-TLS Docker API, the successor of `docker-machine create`.

How a host comes up, on every cloud (the driver module does the cloud-specific parts):

1. its addresses are allocated first, as their own resources (DigitalOcean reserved IP, AWS
   Elastic IP on an ENI, Azure static public IP and NIC, GCP static external and internal
   addresses), so their IPs are known before the VM exists (except with
   ``Placement.ephemeral_public_ip`` on AWS: the VM's own IPs, not SANs);
2. DockerTls issues the server certificate with those IPs as SANs (an address change re-issues it:
   no stale x509 errors);
3. the firewall is created with SSH and 2376 open to ``admin_cidrs`` only, plus whatever the
   caller asks for (``extra_ingress``, ``peers``);
4. the VM boots with cloud-init (Ubuntu) or Ignition (Flatcar) user data, a Pulumi secret that
   holds the SSH host key generated here (ed25519), and no certificate;
5. a remote command over SSH, pinned to that host key, installs the CA, the server certificate
   and its key and starts dockerd with them. A renewed or re-issued certificate re-runs it, which
   restarts dockerd in place: a certificate never replaces a VM (components/hosts/provisioning.py).
   The operator's machine must reach the host's SSH port (``admin_cidrs``), as for the TLS API.
6. later runs: the VM keeps an unpinned image (``image_ignore_changes``), and each driver says in
   a comment whether its VM is replaced delete-first (a fixed name, an attached pre-made
   interface) or created first (docs/hosts.md, "Upgrades and replacements").

Reuse (e.g. swarm nodes, components/swarm/): build a :class:`DockerHostArgs` directly::

    node = DockerHost("manager-1", DockerHostArgs(
        config=HostConfig(name="manager-1", cloud="aws", size="t3.small"),
        admin_cidrs=["198.51.100.0/24"],
        ssh_public_key=key.public_key_openssh,          # or None: the host generates a key pair
        location=Location(aws_region="us-east-1"),
        tls_ca=cluster_ca,                              # one DockerCa for all nodes (optional)
        extra_ingress=[PortRule("tcp", "80", ("0.0.0.0/0",), "published http")],
        peers=PeerGroup("swarm-dev", [PortRule("tcp", "2377"), PortRule("tcp", "7946"),
                                      PortRule("udp", "7946"), PortRule("udp", "4789")],
                        aws_security_group_id=cluster_sg.id),
        placement=Placement(subnet_id=subnet.id),
    ), opts=pulumi.ResourceOptions(parent=self))
    node.public_ip, node.private_ip, node.docker_host        # Outputs
    node.ca_cert_pem, node.client_cert_pem, node.client_key_pem (secret)
    node.ssh_host_public_key, node.ssh_connection     # pin the host key in your own SSH commands

Peers: every host carrying the same :class:`PeerGroup` may reach the others on its rules. Per
cloud: DigitalOcean tags the droplet with ``name`` and its firewall admits ``source_tags``; GCP
adds the network tag ``name`` and a firewall rule from that source tag; AWS attaches
``aws_security_group_id`` (a security group the caller creates, one per cluster) to each member
and admits traffic whose source is that group; Azure adds each NIC to
``azure_application_security_group_id`` (an ASG the caller creates) and the NSG admits it.
"""

from __future__ import annotations

import importlib
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.hosts import provisioning
from components.tls import DockerCa, DockerTls, DockerTlsArgs

DOCKER_TLS_PORT = provisioning.DOCKER_TLS_PORT
FORBIDDEN_PORTS = (2375,)  # the unencrypted Docker API
PROTOCOLS = ("tcp", "udp", "icmp", "esp")

# Ubuntu 24.04 LTS (Noble Numbat) is the current LTS; docker-machine's default image was stale.
UBUNTU_RELEASE = "24.04"

DRIVERS = {
    "digitalocean": "components.hosts.digitalocean",
    "aws": "components.hosts.aws",
    "azure": "components.hosts.azure",
    "gcp": "components.hosts.gcp",
}


@dataclass(frozen=True)
class PortRule:
    """One inbound rule. ``ports``: "2376", "8000-8100" or None (all ports; icmp and esp have none).
    ``sources``: CIDRs (IPv4 or IPv6); ignored inside a PeerGroup, where the group is the source."""

    protocol: str
    ports: str | None = None
    sources: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self):
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol {self.protocol!r}: use one of {', '.join(PROTOCOLS)}")
        if self.ports is not None:
            lo, hi = port_range(self.ports)
            if self.protocol in ("icmp", "esp"):
                raise ValueError(f"{self.protocol} has no ports")
            for forbidden in FORBIDDEN_PORTS:
                if lo <= forbidden <= hi:
                    raise ValueError(f"port {forbidden} (the unencrypted Docker API) is never opened")
        object.__setattr__(self, "sources", tuple(str(ipaddress.ip_network(s, strict=False)) for s in self.sources))

    @property
    def port_bounds(self) -> tuple[int, int] | None:
        return port_range(self.ports) if self.ports is not None else None


def port_range(ports: str) -> tuple[int, int]:
    lo, _, hi = str(ports).partition("-")
    a, b = int(lo), int(hi or lo)
    if not 1 <= a <= b <= 65535:
        raise ValueError(f"port range {ports!r} is not within 1-65535")
    return a, b


@dataclass(frozen=True)
class PeerGroup:
    """Hosts of one cluster that may reach each other on ``rules`` (see module docstring)."""

    name: str
    rules: Sequence[PortRule]
    aws_security_group_id: pulumi.Input[str] | None = None
    azure_application_security_group_id: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class Placement:
    """Where the host's network interface goes; None everywhere means the host's own network
    (DigitalOcean: the region's default VPC; AWS: the default VPC; Azure and GCP: a network the
    host creates, because GCP's default network opens SSH and RDP to the world)."""

    network_id: pulumi.Input[str] | None = None  # DO vpc_uuid, AWS vpc_id, GCP network, Azure vnet id
    subnet_id: pulumi.Input[str] | None = None  # AWS subnet, Azure subnet id, GCP subnetwork
    resource_group_name: pulumi.Input[str] | None = None  # Azure
    zone: str | None = None  # AWS availability zone, GCP zone, Azure zone ("1")
    # Azure: load balancer backend pools (ids) the NIC joins; NIC-based, because inbound NAT
    # rules cannot target IP-based pools (used by components/swarm/azure_net.py).
    azure_lb_backend_pool_ids: Sequence[pulumi.Input[str]] = ()
    # Azure: inbound NAT rules (version 1, ids) that target this NIC (components/swarm/azure_net.py:
    # SSH to each manager through its own load balancer port).
    azure_lb_inbound_nat_rule_ids: Sequence[pulumi.Input[str]] = ()
    # AWS and DigitalOcean: no Elastic IP / reserved IP, the VM's own public IP instead (swarm
    # workers; an account has 5 Elastic IPs per region, 3 DigitalOcean reserved IPs). Its IPs are
    # known only with the VM, so the server certificate names localhost/127.0.0.1 only: reach its
    # 2376 over SSH (docker_host is ssh://user@ip) or on the host itself, not by IP.
    ephemeral_public_ip: bool = False


@dataclass(frozen=True)
class Location:
    """Provider settings a driver needs (from components.config.ProviderConfig)."""

    aws_region: str | None = None
    azure_location: str | None = None
    gcp_project: str | None = None
    gcp_region: str | None = None

    @classmethod
    def from_providers(cls, providers: Any) -> Location:
        return cls(providers.aws_region, providers.azure_location, providers.gcp_project, providers.gcp_region)


@dataclass
class DockerHostArgs:
    """Inputs of DockerHost. ``config`` is a components.config.HostConfig (validated, defaults
    filled); the other fields are what a caller such as the swarm adds."""

    config: Any
    admin_cidrs: Sequence[str] = ("0.0.0.0/0",)
    ssh_public_key: pulumi.Input[str] | None = None
    location: Location = field(default_factory=Location)
    extra_ingress: Sequence[PortRule] = ()
    peers: PeerGroup | None = None
    placement: Placement = field(default_factory=Placement)
    tls_ca: DockerCa | None = None
    # The private half of ``ssh_public_key`` for Dockyard's own SSH commands (TLS delivery, swarm
    # bootstrap); None: the operator's SSH agent (SSH_AUTH_SOCK). Ignored when ssh_public_key is
    # None (the host generates a pair and uses it).
    ssh_private_key: pulumi.Input[str] | None = None
    # DigitalOcean refuses to register one public key twice ("SSH Key is already in use"). Hosts
    # given the same key (object or text) share one registration automatically; this overrides it
    # with the fingerprint of a digitalocean.SshKey the caller made (see digitalocean_ssh_key()).
    digitalocean_ssh_key: pulumi.Input[str] | None = None


def inbound_rules(config: Any, admin_cidrs: Sequence[str], extra: Sequence[PortRule] = ()) -> list[PortRule]:
    """Every CIDR-sourced inbound rule of a host: SSH and the TLS Docker API from ``admin_cidrs``,
    then the caller's extras. Peer rules are separate (their source is a group, not a CIDR)."""
    admins = tuple(admin_cidrs)
    rules = [
        PortRule("tcp", str(config.ssh_port), admins, "ssh from adminCidrs"),
        PortRule("tcp", str(DOCKER_TLS_PORT), admins, "docker api (mutual tls) from adminCidrs"),
    ]
    return rules + list(extra)


def split_families(cidrs: Sequence[str]) -> tuple[list[str], list[str]]:
    """(IPv4 CIDRs, IPv6 CIDRs): AWS, GCP and Azure want them in separate fields or rules."""
    v4 = [c for c in cidrs if ipaddress.ip_network(c).version == 4]
    v6 = [c for c in cidrs if ipaddress.ip_network(c).version == 6]
    return v4, v6


@dataclass
class Addresses:
    """What a driver allocates before the VM: IPs as Outputs (private may be None; public is None
    only for an ephemeral public address, whose IPs the driver's machine_addresses() gives)."""

    public_ip: pulumi.Output[str] | None
    private_ip: pulumi.Output[str] | None = None
    ipv6: pulumi.Output[str] | None = None
    dns_name: pulumi.Output[str] | None = None  # the public DNS name the cloud gives the address


def generated_ssh_key(name: str, opts: pulumi.ResourceOptions | None = None):
    """An ED25519 key pair for hosts when no sshPublicKey is configured; its private key is secret."""
    import pulumi_tls as tls

    return tls.PrivateKey(name, algorithm="ED25519", opts=opts)


def digitalocean_ssh_key(name: str, public_key: pulumi.Input[str],
                         opts: pulumi.ResourceOptions | None = None) -> pulumi.Output[str]:
    """Register one public key with DigitalOcean for several droplets; returns its fingerprint."""
    import pulumi_digitalocean as do

    return do.SshKey(name, name=f"dockyard-{name}", public_key=public_key, opts=opts).fingerprint


class DockerHost(pulumi.ComponentResource):
    """A VM with Docker Engine, a firewall, an SSH key and a mutual-TLS API on 2376.

    Attributes (Outputs): public_ip, private_ip (None where the cloud cannot know it before the VM
    exists), internal_ip (the private address in every case), docker_host (tcp://IP:2376; with
    Placement.ephemeral_public_ip ssh://user@IP, and public_ip/private_ip are the VM's own),
    ssh_user, ssh_port, ca_cert_pem, server_cert_pem, client_cert_pem, client_key_pem (secret), ssh_private_key (secret; None when a public key
    was given), ssh_host_public_key (the host's ed25519 SSH host key, OpenSSH one-line form),
    ssh_connection (pulumi_command ConnectionArgs pinned to that key), summary (the `hosts`
    stack-output entry), credentials (secret {ca, cert, key}).
    ``tls`` is the DockerTls child, ``machine`` the VM resource and ``tls_delivery`` the command
    that installs the TLS material on it.
    """

    def __init__(self, name: str, args: DockerHostArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:DockerHost", name, None, opts)
        cfg = args.config
        if args.placement.ephemeral_public_ip and cfg.cloud not in ("aws", "digitalocean"):
            raise ValueError(f"{name}: Placement.ephemeral_public_ip is implemented on aws and digitalocean only")
        child = pulumi.ResourceOptions(parent=self)
        self.config = cfg

        self.ssh_private_key: pulumi.Output[str] | None = None
        ssh_public_key, connect_key = args.ssh_public_key, args.ssh_private_key
        if ssh_public_key is None:
            key = generated_ssh_key(f"{name}-ssh-key", opts=child)
            ssh_public_key = key.public_key_openssh
            self.ssh_private_key = connect_key = pulumi.Output.secret(key.private_key_openssh)
        # The host's own SSH host key, made here so that every connection can pin it (no trust
        # on first use); its private half is secret and reaches the VM only in user data.
        host_key = generated_ssh_key(f"{name}-ssh-host-key", opts=child)
        self.ssh_host_public_key: pulumi.Output[str] = host_key.public_key_openssh

        driver_mod = importlib.import_module(DRIVERS[cfg.cloud])  # imported only when used
        rules = inbound_rules(cfg, args.admin_cidrs, args.extra_ingress)
        driver = driver_mod.Driver(name, cfg, args, self, rules)
        addresses: Addresses = driver.addresses()

        self.tls = DockerTls(
            name,
            DockerTlsArgs.from_config(
                cfg.name, cfg.tls, public_ip=addresses.public_ip, private_ip=addresses.private_ip,
                dns_names=[addresses.dns_name] if addresses.dns_name is not None else [],
                extra_ips=[addresses.ipv6] if addresses.ipv6 is not None else [], ca=args.tls_ca,
            ),
            opts=child,
        )
        user_data = provisioning.user_data(
            host=cfg.name, cloud=cfg.cloud, os=cfg.os, ssh_user=cfg.ssh_user, ssh_port=cfg.ssh_port,
            ssh_public_key=ssh_public_key, ssh_host_private_key=pulumi.Output.secret(host_key.private_key_openssh),
            ssh_host_public_key=host_key.public_key_openssh,
        )
        self.machine = driver.machine(user_data=user_data, ssh_public_key=ssh_public_key)

        if addresses.public_ip is None:
            # Ephemeral public address: the VM's own IPs, after it exists (no cycle), not SANs;
            # the TLS API is reached through SSH (the docker group's unix socket) or on the host.
            addresses = driver.machine_addresses(self.machine)
            port = "" if cfg.ssh_port == 22 else f":{cfg.ssh_port}"
            self.docker_host = addresses.public_ip.apply(lambda ip: f"ssh://{cfg.ssh_user}@{_url_host(ip)}{port}")
        else:
            self.docker_host = addresses.public_ip.apply(lambda ip: f"tcp://{_url_host(ip)}:{DOCKER_TLS_PORT}")
        self.public_ip = addresses.public_ip
        self.private_ip = addresses.private_ip
        self.ssh_connection = ssh_connection(addresses.public_ip, cfg.ssh_user, cfg.ssh_port, connect_key,
                                             self.ssh_host_public_key)
        self.tls_delivery = self._deliver_tls(name)
        # The private address even where it is known only once the VM exists (DigitalOcean):
        # what cluster members use to reach each other. Not a SAN in that case.
        self.internal_ip = addresses.private_ip if addresses.private_ip is not None else driver.internal_ip()
        self.ssh_user = cfg.ssh_user
        self.ssh_port = cfg.ssh_port
        self.ca_cert_pem = self.tls.ca_cert_pem
        self.server_cert_pem = self.tls.server_cert_pem
        self.client_cert_pem = self.tls.client_cert_pem
        self.client_key_pem = self.tls.client_key_pem
        self.summary = pulumi.Output.all(addresses.public_ip, self.docker_host, self.ssh_host_public_key).apply(
            lambda v: {"ip": v[0], "dockerHost": v[1], "sshUser": cfg.ssh_user, "sshPort": cfg.ssh_port,
                       "sshKnownHosts": known_hosts_line(v[0], cfg.ssh_port, v[2]),
                       "cloud": cfg.cloud, "os": cfg.os, "size": cfg.size}
        )
        self.credentials = pulumi.Output.secret(
            pulumi.Output.all(self.ca_cert_pem, self.client_cert_pem, self.client_key_pem).apply(
                lambda v: {"ca": v[0], "cert": v[1], "key": v[2]}
            )
        )
        self.register_outputs({"publicIp": self.public_ip, "dockerHost": self.docker_host,
                               "sshHostPublicKey": self.ssh_host_public_key, "summary": self.summary})

    def _deliver_tls(self, name: str):
        """The CA, server certificate and key, written over the pinned SSH connection; dockerd
        restarts in place when they change. Triggered by the certificates' content (a renewal or
        a re-issue: a new key always comes with a new certificate) and by a replaced VM."""
        import pulumi_command as command

        script = pulumi.Output.all(self.tls.ca_cert_pem, self.tls.server_cert_pem).apply(
            lambda v: provisioning.tls_delivery_script(v[0], v[1]))
        return command.remote.Command(
            f"{name}-tls",
            connection=self.ssh_connection,
            create=script,
            stdin=pulumi.Output.secret(self.tls.server_key_pem),
            add_previous_output_in_env=False,
            triggers=[self.machine.id, self.tls.ca_cert_pem, self.tls.server_cert_pem],
            # It handles the server key: whatever it prints stays secret too.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.machine],
                                        additional_secret_outputs=["stdout", "stderr"]),
        )


#: how often pulumi_command dials a VM that is still booting before it gives up
SSH_DIAL_ERROR_LIMIT = 30


def ssh_connection(host: pulumi.Input[str], user: str, port: int, private_key: pulumi.Input[str] | None,
                   host_key: pulumi.Input[str]):
    """How Dockyard reaches a host over SSH: the host key pinned. pulumi-command (>= 1.1, hostKey) parses
    ``host_key`` as an authorized_keys line and accepts only that key (ssh.FixedHostKey, with the
    key's algorithm as the only one negotiated: pulumi/pulumi-command
    provider/pkg/provider/remote/connection.go, read 2026-12-02); without it every host key is
    accepted. ``private_key`` None: the operator's SSH agent (SSH_AUTH_SOCK)."""
    import pulumi_command as command

    return command.remote.ConnectionArgs(
        host=host, user=user, port=port, private_key=private_key,
        dial_error_limit=SSH_DIAL_ERROR_LIMIT,  # the VM may still be booting
        host_key=host_key,
    )


def known_hosts_line(ip: str, port: int, host_key: str) -> str:
    """The host's line for an OpenSSH known_hosts file (``[ip]:port`` when the port is not 22)."""
    where = ip if port == 22 else f"[{ip}]:{port}"
    return f"{where} {' '.join(host_key.split()[:2])}"


def _url_host(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


def image_ignore_changes(config: Any, *image_properties: str) -> list[str]:
    """The VM's ``ignore_changes``: its image property (and what follows from the image) when the
    user did not pin ``image``.

    An unpinned image is a moving reference (the newest Canonical AMI from ec2.getAmi, Azure's
    ``latest`` version, a GCE image family, a DigitalOcean slug) or Dockyard's default, which a
    newer Dockyard may change. Either would replace a running host on some later ``pulumi up``.
    Ignored, Pulumi keeps the image recorded in the stack's state at the first ``up``, for every
    later update and also for a replacement the host needs for another reason: the engine copies
    the old inputs of ignored properties into the new goal state (pulumi/pulumi
    pkg/resource/deploy/step_generator.go, processIgnoreChanges; the ignoreChanges page of
    pulumi.com/docs/iac/concepts/options/, pulumi/docs#16161; read 2026-12-03). A pinned
    ``image`` is not ignored: changing it replaces the host, which is how a user asks for an
    upgrade (docs/hosts.md, "Upgrades")."""
    return [] if config.image else list(image_properties)


def tags_list(tags: dict[str, str], *extra: str) -> list[str]:
    """Tags for clouds that take plain strings (DigitalOcean tags, GCP network tags)."""
    # DigitalOcean tags allow letters, digits, ':', '-' and '_' (255 characters).
    out = [re.sub(r"[^A-Za-z0-9:_-]", "-", f"{k}:{v}" if v else k)[:255] for k, v in sorted(tags.items())]
    return list(dict.fromkeys([*out, *extra]))


def build_hosts(cfg: Any) -> dict[str, DockerHost]:
    """The stack's `hosts` entries as DockerHosts, and their stack outputs.

    Outputs: ``hosts`` (name -> ip, dockerHost, sshUser, sshPort, sshKnownHosts, cloud, os, size),
    ``hostCredentials`` (secret: name -> ca, cert, key) and, when no sshPublicKey is configured,
    ``sshPrivateKey`` (secret) of the one key pair generated for all hosts.
    """
    ssh_public_key, ssh_private_key = cfg.ssh_public_key, None
    if ssh_public_key is None:
        key = generated_ssh_key("hosts-ssh-key")
        ssh_public_key = key.public_key_openssh
        ssh_private_key = pulumi.Output.secret(key.private_key_openssh)
        pulumi.export("sshPrivateKey", ssh_private_key)
    location = Location.from_providers(cfg.providers)
    hosts = {
        h.name: DockerHost(h.name, DockerHostArgs(config=h, admin_cidrs=list(cfg.admin_cidrs),
                                                  ssh_public_key=ssh_public_key, ssh_private_key=ssh_private_key,
                                                  location=location))
        for h in cfg.hosts
    }
    pulumi.export("hosts", {name: host.summary for name, host in hosts.items()})
    pulumi.export("hostCredentials", pulumi.Output.secret({name: host.credentials for name, host in hosts.items()}))
    return hosts
