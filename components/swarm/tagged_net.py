"""Swarm networking on clouds whose firewalls admit peers by tag (DigitalOcean; GCP builds on it).

DockerHost tags every member with the PeerGroup's name and admits the swarm ports from that tag,
so no extra resource is needed. There is no load balancer here (config refuses loadBalancer on
these clouds): published ports are opened on every node to ``publicCidrs`` and the routing mesh
forwards them to a task; the app URL uses manager-1's public address.

On DigitalOcean only the managers get a reserved IP (manager-1's is the swarm's Docker API
endpoint, so it is in the certificates); workers (``worker-N``, by name, so a promotion in
``nodes:`` never replaces a droplet) use the droplet's own public IPv4
(``Placement.ephemeral_public_ip``): an account gets 3 reserved IPs by default, and do-dev's two
hosts and 1 + 2 nodes would need 5. The swarm joins workers over SSH to that address, advertising
their private one, as on AWS (components/swarm/aws_net.py).
"""

from __future__ import annotations

import pulumi

from components.hosts import PeerGroup, PortRule
from components.hosts.host import Placement


class SwarmNetwork:
    def __init__(self, parent: pulumi.Resource, name: str, args, ports):
        self.parent, self.name, self.args, self.ports = parent, name, args, ports

    def peer_group(self, group: str, rules: list[PortRule]) -> PeerGroup:
        return PeerGroup(group, rules)

    def placement(self, index: int, node: str) -> Placement:
        return Placement(ephemeral_public_ip=node.startswith("worker-"))

    def node_ingress(self, node: str, published: list[PortRule]) -> list[PortRule]:
        return list(published)

    def private_ip(self, host) -> pulumi.Output[str]:
        # DigitalOcean assigns the VPC address when the droplet is created.
        return host.machine.ipv4_address_private

    def finish(self, hosts: dict) -> tuple[pulumi.Output[str], dict]:
        return hosts["manager-1"].public_ip, {}
