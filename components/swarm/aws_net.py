"""Swarm networking on AWS: a cluster security group, nodes spread over availability zones, and
(``loadBalancer: true``) the Docker for AWS layout with a Network Load Balancer across all nodes.

* The cluster security group is the PeerGroup's group: every node carries it, and each node's own
  group admits the swarm ports from it (DockerHost's peer rules).
* Nodes go round-robin into the default VPC's default subnets (one per availability zone), so
  managers sit in different zones, as the Docker for AWS template placed them.
* Elastic IPs: managers keep theirs (manager-1's IP is the swarm's Docker API endpoint, so it is in
  the certificates); workers (``worker-N``, by name, so a promotion or demotion in ``nodes:`` does
  not replace a VM) use an auto-assigned public IP instead (``Placement.ephemeral_public_ip``):
  an account has 5 Elastic IPs per region, and 3 managers + 5 workers would need 8. A worker's
  IPs are not in its server certificate; the swarm reaches it over SSH and its private IP only.
* Load balancer: Docker for AWS put an ELB in front of every node and published its DNS name as
  ``DefaultDNSTarget``; here an NLB with one TCP/UDP listener and target group per published port,
  every node registered (the routing mesh sends the connection on to a task). The NLB has its own
  security group admitting ``publicCidrs``; the nodes admit the published ports only from that
  group (a rule on the cluster group), so the ports are not open on the nodes' public addresses.
  Without a load balancer the published ports are opened on every node to ``publicCidrs``.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.hosts import PeerGroup, PortRule
from components.hosts.host import Placement, split_families


class SwarmNetwork:
    def __init__(self, parent: pulumi.Resource, name: str, args, ports):
        self.parent, self.name, self.args, self.ports = parent, name, args, ports
        self.cfg = args.config
        self.opts = pulumi.ResourceOptions(parent=parent)
        self.region = self.cfg.region or (args.providers.aws_region if args.providers else None)
        invoke_opts = pulumi.InvokeOptions(parent=parent)
        self.vpc_id = aws.ec2.get_vpc_output(default=True, region=self.region, opts=invoke_opts).id
        # Only zones that offer the node size: RunInstances fails in a zone without it, and older
        # zones lack newer families (use1-az3 has no t3; EC2 DescribeInstanceTypeOfferings).
        from components.config import DEFAULT_SIZES

        zones = aws.ec2.get_instance_type_offerings_output(
            filters=[{"name": "instance-type", "values": [self.cfg.size or DEFAULT_SIZES["aws"]]}],
            location_type="availability-zone", region=self.region, opts=invoke_opts).locations
        self.subnet_ids = aws.ec2.get_subnets_output(
            filters=[{"name": "vpc-id", "values": [self.vpc_id]},
                     {"name": "default-for-az", "values": ["true"]},
                     {"name": "availability-zone", "values": zones}],
            region=self.region, opts=invoke_opts).ids.apply(sorted)
        self.tags = {"dockyard-swarm": args.stack}
        # Elastic IPs: one per manager (its DockerHost counts it against the default quota,
        # components/quotas.py); workers take none (placement()).
        self.cluster_sg = aws.ec2.SecurityGroup(
            f"{name}-cluster-sg",
            description=f"dockyard swarm {args.stack}: members (swarm ports are admitted from this group)",
            vpc_id=self.vpc_id, tags=self.tags, region=self.region, opts=self.opts)
        self.lb_sg = None
        if self.cfg.load_balancer and ports:
            v4, v6 = split_families(self.cfg.public_cidrs)
            self.lb_sg = aws.ec2.SecurityGroup(
                f"{name}-lb-sg",
                description=f"dockyard swarm {args.stack}: load balancer, published ports from publicCidrs",
                vpc_id=self.vpc_id,
                ingress=[{"protocol": proto, "from_port": port, "to_port": port,
                          **({"cidr_blocks": v4} if v4 else {}), **({"ipv6_cidr_blocks": v6} if v6 else {}),
                          "description": f"published {port}/{proto}"} for port, proto in ports],
                egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"],
                         "description": "to the nodes"}],
                tags=self.tags, region=self.region, opts=self.opts)
            for port, proto in ports:
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-from-lb-{port}-{proto}",
                    security_group_id=self.cluster_sg.id,
                    referenced_security_group_id=self.lb_sg.id,
                    ip_protocol=proto, from_port=port, to_port=port,
                    description=f"published {port}/{proto} from the load balancer",
                    region=self.region, opts=self.opts)

    def peer_group(self, group: str, rules: list[PortRule]) -> PeerGroup:
        return PeerGroup(group, rules, aws_security_group_id=self.cluster_sg.id)

    def placement(self, index: int, node: str) -> Placement:
        return Placement(network_id=self.vpc_id, subnet_id=self.subnet_ids.apply(lambda ids, i=index: self._pick(ids, i)),
                         ephemeral_public_ip=node.startswith("worker-"))

    def _pick(self, ids: list[str], index: int) -> str:
        if not ids:
            raise ValueError(f"no default subnet of the default VPC is in a zone that offers "
                             f"{self.cfg.size or 'the node size'}; choose another swarm.size or region")
        return ids[index % len(ids)]

    def node_ingress(self, node: str, published: list[PortRule]) -> list[PortRule]:
        return [] if self.lb_sg is not None else list(published)

    def private_ip(self, host) -> pulumi.Output[str]:
        return host.machine.private_ip

    def finish(self, hosts: dict) -> tuple[pulumi.Output[str], dict]:
        if self.lb_sg is None:
            return hosts["manager-1"].public_ip, {}
        lb = aws.lb.LoadBalancer(
            f"{self.name}-lb", load_balancer_type="network", internal=False,
            subnets=self.subnet_ids, security_groups=[self.lb_sg.id],
            enable_cross_zone_load_balancing=True, tags=self.tags, region=self.region, opts=self.opts)
        # One listener per port: a port published over both tcp and udp needs one TCP_UDP listener
        # and target group ("To support both TCP and UDP on the same port, create a TCP_UDP
        # listener": ELB docs, "Listeners for your Network Load Balancers").
        protocols: dict[int, set[str]] = {}
        for port, proto in self.ports:
            protocols.setdefault(port, set()).add(proto)
        listeners = [(port, "tcpudp" if len(protos) > 1 else next(iter(protos)))
                     for port, protos in protocols.items()]
        for port, proto in listeners:
            lb_protocol = "TCP_UDP" if proto == "tcpudp" else proto.upper()
            tg = aws.lb.TargetGroup(
                f"{self.name}-{port}-{proto}", port=port, protocol=lb_protocol, target_type="instance",
                vpc_id=self.vpc_id,
                # Health check: TCP to the published port, which the routing mesh answers on every node.
                health_check={"protocol": "TCP", "port": "traffic-port"},
                tags=self.tags, region=self.region, opts=self.opts)
            aws.lb.Listener(
                f"{self.name}-{port}-{proto}", load_balancer_arn=lb.arn, port=port, protocol=lb_protocol,
                default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
                tags=self.tags, region=self.region, opts=self.opts)
            for node, host in hosts.items():
                aws.lb.TargetGroupAttachment(
                    f"{self.name}-{port}-{proto}-{node}", target_group_arn=tg.arn,
                    target_id=host.machine.id, port=port, region=self.region, opts=self.opts)
        self.lb = lb
        return lb.dns_name, {"defaultDnsTarget": lb.dns_name}
