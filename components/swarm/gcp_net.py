"""Swarm networking on GCP: one VPC network and subnetwork for the whole swarm.

DockerHost alone gives each GCP host a network of its own (GCP's default network opens SSH and
RDP to the world); swarm members must share one so they reach each other on their private
addresses. Peers are admitted by network tag (the PeerGroup's name) as on DigitalOcean.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.hosts.host import Placement
from components.swarm.tagged_net import SwarmNetwork as TaggedNetwork

SUBNET_CIDR = "10.44.0.0/24"


class SwarmNetwork(TaggedNetwork):
    def __init__(self, parent: pulumi.Resource, name: str, args, ports):
        super().__init__(parent, name, args, ports)
        opts = pulumi.ResourceOptions(parent=parent)
        providers = args.providers
        project = providers.gcp_project if providers else None
        region = args.config.region or (providers.gcp_region if providers else None)
        self.network = gcp.compute.Network(f"{name}-net", auto_create_subnetworks=False, project=project,
                                           description=f"dockyard swarm {args.stack}", opts=opts)
        self.subnet = gcp.compute.Subnetwork(f"{name}-subnet", network=self.network.id, ip_cidr_range=SUBNET_CIDR,
                                             region=region, project=project, opts=opts)

    def placement(self, index: int, node: str) -> Placement:
        return Placement(network_id=self.network.id, subnet_id=self.subnet.id)

    def private_ip(self, host) -> pulumi.Output[str]:
        return host.private_ip
