"""Swarm networking on Azure: one resource group and virtual network for the swarm, an
application security group for its members, and (``loadBalancer: true``) the Docker for Azure
layout: a Standard Load Balancer for the published ports and SSH to the managers through inbound
NAT from port 50000.

* The ASG is the PeerGroup's group: each node's NSG admits the swarm ports from it.
* The load balancer has one NIC-based backend pool, every node, joined through DockerHost's
  ``Placement.azure_lb_backend_pool_ids``.
* Published ports: one TCP probe and load-balancing rule per port over all nodes (the routing mesh
  answers on every node). A Standard Load Balancer keeps the client's address, so the nodes' NSGs
  admit ``publicCidrs`` on those ports (the probes come from AzureLoadBalancer, which Azure's
  default NSG rules admit).
* SSH: one inbound NAT rule per manager maps frontend port 50000 + N - 1 to port 22 of
  ``manager-N``, as Docker for Azure did; the NSGs already admit 22 from adminCidrs. One rule per
  manager, attached to that manager's NIC (``Placement.azure_lb_inbound_nat_rule_ids``), rather
  than one version-2 rule over a managers pool: version 2 hands out the ports of its range to
  the pool's members in an order Azure chooses (Microsoft Learn, "Inbound NAT rules", read
  2026-12-02), so ``sshManagers`` could only print the range (``ssh -p 50000-50002``, not a
  command). With fixed ports it prints one valid command per manager.
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
        managers = [n for n in cfg.node_names() if n.startswith("manager-")]
        # A fixed name (the pools' and NAT rules' ids are built from it), and its frontend holds
        # the swarm's public IP, which one load balancer uses at a time: replaced delete-first
        # (create-only properties replace it too, not only a location change).
        self.lb = az.network.LoadBalancer(
            f"{name}-lb",
            load_balancer_name=lb_name,
            resource_group_name=rg.name,
            location=self.location,
            sku={"name": "Standard", "tier": "Regional"},
            frontend_ip_configurations=[{"name": "public", "public_ip_address": {"id": self.lb_ip.id}}],
            backend_address_pools=[{"name": "nodes"}],
            probes=probes,
            load_balancing_rules=rules,
            inbound_nat_rules=[{
                "name": f"ssh-{node}",
                "protocol": "Tcp",
                "frontend_ip_configuration": frontend,
                "frontend_port": SSH_NAT_FIRST_PORT + index,
                "backend_port": 22,
                "idle_timeout_in_minutes": 4,
            } for index, node in enumerate(managers)],
            tags=self.tags,
            opts=pulumi.ResourceOptions(delete_before_replace=True).merge(self.opts),
        )
        self.pool_id = sub("backendAddressPools", "nodes")["id"]
        self.ssh_ports = {node: SSH_NAT_FIRST_PORT + index for index, node in enumerate(managers)}
        self.nat_rule_ids = {node: sub("inboundNatRules", f"ssh-{node}")["id"] for node in managers}

    def peer_group(self, group: str, rules: list[PortRule]) -> PeerGroup:
        return PeerGroup(group, rules, azure_application_security_group_id=self.asg.id)

    def placement(self, index: int, node: str) -> Placement:
        pools, nat_rules = [], []
        if self.lb is not None:
            # Pools and NAT rules are declared inside the load balancer resource: join after it exists.
            def after_lb(sub_id):
                return pulumi.Output.all(self.lb.id, sub_id).apply(lambda v: v[1])

            pools = [after_lb(self.pool_id)]
            if node in self.nat_rule_ids:
                nat_rules = [after_lb(self.nat_rule_ids[node])]
        return Placement(resource_group_name=self.rg.name, network_id=self.vnet.id, subnet_id=self.subnet.id,
                         azure_lb_backend_pool_ids=pools, azure_lb_inbound_nat_rule_ids=nat_rules)

    def node_ingress(self, node: str, published: list[PortRule]) -> list[PortRule]:
        return list(published)

    def private_ip(self, host) -> pulumi.Output[str]:
        return host.private_ip

    def finish(self, hosts: dict) -> tuple[pulumi.Output[str], dict]:
        if self.lb is None:
            return hosts["manager-1"].public_ip, {}
        # One command per manager, through its own NAT port (a node named manager-N keeps its
        # port whatever role `nodes:` gives it later).
        ssh = self.lb_ip.ip_address.apply(lambda ip: {
            node: f"ssh -p {port} {hosts[node].ssh_user}@{ip}" for node, port in self.ssh_ports.items()})
        return self.lb_ip.ip_address, {"loadBalancerIp": self.lb_ip.ip_address, "sshManagers": ssh}
