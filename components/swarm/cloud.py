"""Cloud swarm nodes: one DockerHost per node (components/hosts; its TLS, firewall and VM code).

What the swarm adds to each host, through DockerHost's hooks:

* a PeerGroup with the swarm ports (2377/tcp, 7946/tcp+udp, 4789/udp) — members only;
* published ports (from the stacks' compose files) open to ``publicCidrs``: on every node
  directly, or only towards the cloud load balancer when ``loadBalancer`` is true;
* a Placement per node where the cloud needs one (AWS: nodes spread over the default VPC's
  availability zones; Azure: one resource group and VNet for the whole swarm).

Per-cloud networking lives in components/swarm/<cloud>_net.py, imported only for that cloud.
Scripts run over SSH with pulumi_command's remote.Command, on the node's own connection
(DockerHost.ssh_connection): its SSH host key pinned (join tokens travel over it), with the key
pair generated for the swarm, or, when ``sshPublicKey`` is configured, with the operator's SSH
agent (SSH_AUTH_SOCK). A node's commands run after its TLS material is installed (they depend on
the whole DockerHost, the TLS delivery command included).
"""

from __future__ import annotations

import importlib

import pulumi
import pulumi_command as command

from components.hosts import DockerHost, DockerHostArgs, Location, PortRule, generated_ssh_key
from components.swarm.nodes import ManagerApi, NodeSet, SwarmNode
from components.swarm.scripts import PROVISIONED_MARKER, SWARM_PORTS
from components.tls import DockerCa, certificate_parameters

#: seconds a script waits for provisioning (its marker) and dockerd: first boot installs Docker
CLOUD_WAIT_SECONDS = 900

NET_MODULES = {
    "aws": "components.swarm.aws_net",
    "azure": "components.swarm.azure_net",
    "digitalocean": "components.swarm.tagged_net",
    "gcp": "components.swarm.gcp_net",
}


def swarm_peer_rules() -> list[PortRule]:
    return [PortRule(proto, str(port), (), f"swarm {port}/{proto} between members")
            for port, proto in SWARM_PORTS]


def published_rules(ports, cidrs) -> list[PortRule]:
    """The firewall rules of the published (port, protocol) pairs: one rule per run of consecutive
    ports of a protocol, so a compose range "30000-30999" is one rule, not a thousand (every
    firewall Dockyard writes takes a range, and clouds cap the rules of a group: 60 inbound per
    AWS security group, "Amazon VPC quotas", read 2026-12-03)."""
    runs: list[list] = []  # [first, last, protocol]
    last_of: dict[str, list] = {}
    for port, proto in sorted(ports):
        run = last_of.get(proto)
        if run is not None and run[1] == port - 1:
            run[1] = port
            continue
        run = last_of[proto] = [port, port, proto]
        runs.append(run)
    out = []
    for lo, hi, proto in runs:
        text = str(lo) if lo == hi else f"{lo}-{hi}"
        out.append(PortRule(proto, text, tuple(cidrs), f"published {text}/{proto} from publicCidrs"))
    return out


def host_config(stack: str, node: str, cfg):
    from components.config import HostConfig
    from components.names import dns_label, swarm_node_host_name

    label = dns_label(stack, 63 - len(node) - 1)
    kwargs = {"name": swarm_node_host_name(stack, node), "cloud": cfg.cloud, "os": cfg.os,
              "tls": cfg.tls, "tags": {"dockyard-swarm": label, "dockyard-node": node}}
    if cfg.size:
        kwargs["size"] = cfg.size
    if cfg.region:
        kwargs["region"] = cfg.region
    # Pinned (swarm.image, swarm.nodes.<node>.image): a changed pin replaces the node. Unpinned:
    # the node keeps the image of its first `up` (components/hosts/host.py, image_ignore_changes).
    if cfg.image_of(node):
        kwargs["image"] = cfg.image_of(node)
    return HostConfig(**kwargs)


def build_cloud_nodes(parent: pulumi.Resource, name: str, args, names: list[str], ports) -> NodeSet:
    cfg = args.config
    child = pulumi.ResourceOptions(parent=parent)
    net = importlib.import_module(NET_MODULES[cfg.cloud]).SwarmNetwork(parent, name, args, ports)

    ssh_public_key, ssh_private_key = args.ssh_public_key, None
    if ssh_public_key is None:
        key = generated_ssh_key(f"{name}-ssh-key", opts=child)
        ssh_public_key, ssh_private_key = key.public_key_openssh, pulumi.Output.secret(key.private_key_openssh)

    ca = DockerCa(f"{name}-ca", certificate_parameters(
        f"dockyard-{args.stack}-swarm", validity_hours=cfg.tls.validity_hours,
        early_renewal_hours=cfg.tls.early_renewal_hours), opts=child)
    location = Location.from_providers(args.providers) if args.providers is not None else Location()
    peers = net.peer_group(f"dockyard-{args.stack}-swarm", swarm_peer_rules())

    hosts: dict[str, DockerHost] = {}
    nodes: list[SwarmNode] = []
    for index, node in enumerate(names):
        host = DockerHost(
            f"{name}-{node}",
            DockerHostArgs(
                config=host_config(args.stack, node, cfg),
                admin_cidrs=list(args.admin_cidrs),
                ssh_public_key=ssh_public_key,
                ssh_private_key=ssh_private_key,
                location=location,
                extra_ingress=net.node_ingress(node, published_rules(ports, cfg.public_cidrs)),
                peers=peers,
                placement=net.placement(index, node),
                tls_ca=ca,
            ),
            opts=child,
        )
        hosts[node] = host
        private_ip = host.private_ip if host.private_ip is not None else net.private_ip(host)
        nodes.append(SwarmNode(node, private_ip, host.public_ip,
                               _runner(parent, host), [host], engine_id=host.machine.id))
    app_host, extra = net.finish(hosts)
    m1 = hosts["manager-1"]
    api = ManagerApi(host=m1.docker_host, ca_pem=m1.ca_cert_pem, cert_pem=m1.client_cert_pem,
                     key_pem=m1.client_key_pem)
    outputs = dict(extra)
    if ssh_private_key is not None:
        outputs["sshPrivateKey"] = ssh_private_key
    return NodeSet(nodes, api, app_host, extra_outputs=outputs, wait_seconds=CLOUD_WAIT_SECONDS,
                   marker=PROVISIONED_MARKER)


def _runner(parent: pulumi.Resource, host: DockerHost):
    connection = host.ssh_connection  # host key pinned; the swarm's key or the operator's agent

    def run(resource_name: str, script, *, update=None, delete=None, stdin=None, secret_stdout: bool = False,
            depends_on=(), triggers=()) -> command.remote.Command:
        return command.remote.Command(
            resource_name,
            connection=connection,
            create=script,
            update=update,
            delete=delete,
            stdin=stdin,
            add_previous_output_in_env=False,
            logging=command.remote.Logging.STDERR if secret_stdout else None,
            # A replaced VM runs the idempotent script again.
            triggers=[host.machine.id, *triggers],
            opts=pulumi.ResourceOptions(
                parent=parent, depends_on=[host, *depends_on],
                additional_secret_outputs=["stdout"] if secret_stdout else None,
            ),
        )

    return run
