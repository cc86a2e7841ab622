"""Swarm networking on Azure: one resource group and virtual network for the swarm, an
application security group for its members, and (``loadBalancer: true``) the Docker for Azure
layout: a Standard Load Balancer for the published ports and SSH to the managers through inbound
NAT from port 50000.

* The ASG is the PeerGroup's group: each node's NSG admits the swarm ports from it.
* The load balancer has two NIC-based backend pools — every node, and the managers — joined
  through DockerHost's ``Placement.azure_lb_backend_pool_ids``. NIC-based because an inbound NAT
  rule cannot target an IP-based pool (Microsoft Learn, "Backend pool management", limitations).
* Published ports: one TCP probe and load-balancing rule per port over all nodes (the routing mesh
  answers on every node). A Standard Load Balancer keeps the client's address, so the nodes' NSGs
  admit ``publicCidrs`` on those ports (the probes come from AzureLoadBalancer, which Azure's
  default NSG rules admit).
* SSH: an inbound NAT rule (version 2, on the managers pool) maps frontend ports 50000, 50001, ...
  to port 22 of each manager, as Docker for Azure did; the NSGs already admit 22 from adminCidrs.
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as az

from components.hosts import PeerGroup, PortRule
from components.hosts.host import Placement

VNET_CIDR = "10.43.0.0/16"
SUBNET_CIDR = "10.43.1.0/24"
SSH_NAT_FIRST_PORT = 50000


class SwarmNetwork:
    def __init__(self, parent: pulumi.Resource, name: str, args, ports):
        self.parent, self.name, self.args, self.ports = parent, name, args, ports
        cfg = self.cfg = args.config
        self.opts = pulumi.ResourceOptions(parent=parent)
        self.location = cfg.region or (args.providers.azure_location if args.providers else None)
        self.tags = {"dockyard-swarm": args.stack}
        rg = az.resources.ResourceGroup(f"{name}-rg", location=self.location, tags=self.tags, opts=self.opts)
        self.rg = rg
        vnet = az.network.VirtualNetwork(
            f"{name}-vnet", resource_group_name=rg.name, location=self.location,
            address_space={"address_prefixes": [VNET_CIDR]}, tags=self.tags,
            opts=self.opts.merge(pulumi.ResourceOptions(ignore_changes=["subnets"])))
        self.vnet = vnet
        self.subnet = az.network.Subnet(f"{name}-subnet", resource_group_name=rg.name,
                                        virtual_network_name=vnet.name, address_prefix=SUBNET_CIDR,
                                        opts=self.opts)
        self.asg = az.network.ApplicationSecurityGroup(f"{name}-asg", resource_group_name=rg.name,
                                                       location=self.location, tags=self.tags, opts=self.opts)
        self.lb = None
        if cfg.load_balancer:
            self._load_balancer()

    def _load_balancer(self) -> None:
        cfg, name, rg = self.cfg, self.name, self.rg
        lb_name = f"dockyard-{self.args.stack}-swarm"
        self.lb_ip = az.network.PublicIPAddress(
            f"{name}-lb-ip", resource_group_name=rg.name, location=self.location,
            public_ip_allocation_method="Static", sku={"name": "Standard"}, tags=self.tags, opts=self.opts)
        base = pulumi.Output.concat(rg.id, "/providers/Microsoft.Network/loadBalancers/", lb_name)

        def sub(kind: str, item: str) -> dict:
            return {"id": pulumi.Output.concat(base, f"/{kind}/{item}")}

        frontend = sub("frontendIPConfigurations", "public")

        def probe(name: str, port: int) -> dict:
            return {"name": name, "protocol": "Tcp", "port": port, "interval_in_seconds": 5, "number_of_probes": 2}

        # Every load-balancing rule needs a health probe, and probes are TCP/HTTP/HTTPS only
        # (Microsoft Learn, "Azure Load Balancer health probes"). Probes first, so that a UDP port
        # sorted before the first TCP port still gets one; with no TCP port at all, probe the
        # swarm's gossip port 7946/tcp, which every node's dockerd listens on.
        probes = [probe(f"tcp-{port}", port) for port, proto in self.ports if proto == "tcp"]
        if not probes and self.ports:
            probes = [probe("swarm-7946", 7946)]
        rules = []
        for port, proto in self.ports:
            key = f"{proto}-{port}"
            rules.append({
                "name": key, "protocol": proto.capitalize(), "frontend_port": port, "backend_port": port,
                "frontend_ip_configuration": frontend,
                "backend_address_pools": [sub("backendAddressPools", "nodes")],
                # A UDP port has no TCP probe of its own: it uses the first TCP probe.
                "probe": sub("probes", key if proto == "tcp" else probes[0]["name"]),
                "disable_outbound_snat": True,  # nodes reach out through their own public IPs
                "idle_timeout_in_minutes": 4,
            })
        managers = len([n for n in cfg.node_names() if n.startswith("manager-")])
        self.lb = az.network.LoadBalancer(
            f"{name}-lb",
            load_balancer_name=lb_name,
            resource_group_name=rg.name,
            location=self.location,
            sku={"name": "Standard", "tier": "Regional"},
            frontend_ip_configurations=[{"name": "public", "public_ip_address": {"id": self.lb_ip.id}}],
            backend_address_pools=[{"name": "nodes"}, {"name": "managers"}],
            probes=probes,
            load_balancing_rules=rules,
            inbound_nat_rules=[{
                "name": "ssh-managers",
                "protocol": "Tcp",
                "frontend_ip_configuration": frontend,
                "backend_address_pool": sub("backendAddressPools", "managers"),
                "frontend_port_range_start": SSH_NAT_FIRST_PORT,
                # Room for the largest swarm (7 managers), so adding managers needs no LB change.
                "frontend_port_range_end": SSH_NAT_FIRST_PORT + max(managers, 7) - 1,
                "backend_port": 22,
            }],
            tags=self.tags,
            opts=self.opts,
        )
        self.pool_ids = {"nodes": sub("backendAddressPools", "nodes")["id"],
                         "managers": sub("backendAddressPools", "managers")["id"]}

    def peer_group(self, group: str, rules: list[PortRule]) -> PeerGroup:
        return PeerGroup(group, rules, azure_application_security_group_id=self.asg.id)

    def placement(self, index: int, node: str) -> Placement:
        pools = []
        if self.lb is not None:
            # The pools are declared inside the load balancer resource: join after it exists.
            pools = [pulumi.Output.all(self.lb.id, p).apply(lambda v: v[1]) for p in
                     ([self.pool_ids["nodes"]] + ([self.pool_ids["managers"]] if node.startswith("manager-") else []))]
        return Placement(resource_group_name=self.rg.name, network_id=self.vnet.id, subnet_id=self.subnet.id,
                         azure_lb_backend_pool_ids=pools)

    def node_ingress(self, node: str, published: list[PortRule]) -> list[PortRule]:
        return list(published)

    def private_ip(self, host) -> pulumi.Output[str]:
        return host.private_ip

    def finish(self, hosts: dict) -> tuple[pulumi.Output[str], dict]:
        if self.lb is None:
            return hosts["manager-1"].public_ip, {}
        managers = len([n for n in hosts if n.startswith("manager-")])
        user = hosts["manager-1"].ssh_user
        last = SSH_NAT_FIRST_PORT + managers - 1
        ports = str(SSH_NAT_FIRST_PORT) if managers == 1 else f"{SSH_NAT_FIRST_PORT}-{last}"
        # Azure hands each manager one port of the range (`az network lb inbound-nat-rule show`
        # lists which); with one manager it is 50000.
        ssh = self.lb_ip.ip_address.apply(lambda ip: f"ssh -p {ports} {user}@{ip}")
        return self.lb_ip.ip_address, {"loadBalancerIp": self.lb_ip.ip_address, "sshManagers": ssh}
