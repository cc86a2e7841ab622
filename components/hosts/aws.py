"""AWS driver: security group, network interface with an Elastic IP, key pair and an EC2 instance
(docker-machine's `-d amazonec2`). Imported only by stacks with an AWS host.

The ENI and its Elastic IP exist before the instance, so both the private and the public IP are
in the server certificate. With ``Placement.ephemeral_public_ip`` (swarm workers) there is neither:
an Elastic IP is a scarce, per-region quota (5 by default, Amazon VPC quotas), so the instance
takes an auto-assigned public IPv4 address at launch instead (EC2 user guide, "Public IPv4
addresses"; it changes when the instance stops and starts) and the certificate names only
localhost and 127.0.0.1. The image is the newest Ubuntu LTS AMI published by Canonical
(or Flatcar stable by Kinvolk), found by an ec2.getAmi invoke, unless ``image`` names an AMI.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components import quotas
from components.cloud_limits import aws_split_zone
from components.hosts.host import UBUNTU_RELEASE, Addresses, PortRule, image_ignore_changes, split_families

CANONICAL_OWNER = "099720109477"  # Canonical's AMI account (ubuntu.com/server/docs, "Find Ubuntu images")
FLATCAR_OWNER = "075585003325"  # Kinvolk/Flatcar's AMI account (flatcar.org docs, "Running on EC2")
UBUNTU_CODENAMES = {"24.04": "noble"}
PROTOCOL_NUMBERS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "esp": "50"}


def ami_filters(os_name: str, arch: str = "x86_64") -> tuple[list[str], list[dict]]:
    """(owners, filters) of the default AMI lookup for an architecture (x86_64 or arm64)."""
    if os_name == "flatcar":
        # Flatcar names its arm64 images Flatcar-stable-<version>-arm64-hvm: the pattern matches both.
        return [FLATCAR_OWNER], [{"name": "name", "values": ["Flatcar-stable-*-hvm"]},
                                 {"name": "architecture", "values": [arch]}]
    codename = UBUNTU_CODENAMES[UBUNTU_RELEASE]
    deb_arch = "arm64" if arch == "arm64" else "amd64"
    return [CANONICAL_OWNER], [
        {"name": "name",
         "values": [f"ubuntu/images/hvm-ssd-gp3/ubuntu-{codename}-{UBUNTU_RELEASE}-{deb_arch}-server-*"]},
        {"name": "virtualization-type", "values": ["hvm"]},
        {"name": "architecture", "values": [arch]},
    ]


def ami_architecture(supported: list[str] | None) -> str:
    """The AMI architecture an instance type runs: RunInstances refuses an AMI whose architecture
    the type does not support (Graviton types such as t4g support arm64 only; EC2 API reference,
    DescribeInstanceTypes ProcessorInfo.SupportedArchitectures)."""
    supported = supported or []
    return "arm64" if "arm64" in supported and "x86_64" not in supported else "x86_64"


class Driver:
    def __init__(self, name: str, cfg, args, parent: pulumi.Resource, rules: list[PortRule]):
        self.name, self.cfg, self.args, self.rules = name, cfg, args, rules
        self.opts = pulumi.ResourceOptions(parent=parent)
        # hosts[i].region may name an availability zone: the host goes there, in the zone's region.
        region, self.zone = aws_split_zone(cfg.region) if cfg.region else (None, None)
        self.region = region or args.location.aws_region  # None: the provider's aws:region
        self.invoke_opts = pulumi.InvokeOptions(parent=parent)
        self.tags = {**cfg.tags, "Name": cfg.name, "dockyard-host": cfg.name}

    def _network(self) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        placement = self.args.placement
        vpc_id = placement.network_id
        if vpc_id is None:
            vpc_id = aws.ec2.get_vpc_output(default=True, region=self.region, opts=self.invoke_opts).id
        subnet_id = placement.subnet_id
        if subnet_id is None:
            if placement.zone or self.zone:
                zones = [placement.zone or self.zone]
            else:
                # Not every zone offers every type (us-east-1e has no t3): only zones that offer it.
                zones = aws.ec2.get_instance_type_offerings_output(
                    filters=[{"name": "instance-type", "values": [self.cfg.size]}],
                    location_type="availability-zone", region=self.region, opts=self.invoke_opts).locations
            filters = [{"name": "vpc-id", "values": [vpc_id]}, {"name": "default-for-az", "values": ["true"]},
                       {"name": "availability-zone", "values": zones}]
            subnets = aws.ec2.get_subnets_output(filters=filters, region=self.region, opts=self.invoke_opts)
            subnet_id = subnets.ids.apply(lambda ids: sorted(ids)[0])
        return vpc_id, subnet_id

    def addresses(self) -> Addresses:
        cfg, args = self.cfg, self.args
        vpc_id, subnet_id = self._network()
        ingress = [self._ingress(r) for r in self.rules]
        groups = []
        if args.peers:
            if args.peers.aws_security_group_id is None:
                raise ValueError("PeerGroup.aws_security_group_id is required on AWS")
            ingress += [self._ingress(r, security_groups=[args.peers.aws_security_group_id])
                        for r in args.peers.rules]
            groups.append(args.peers.aws_security_group_id)
        self.security_group = aws.ec2.SecurityGroup(
            f"{self.name}-sg",
            description=f"dockyard host {cfg.name}: ssh and docker tls from adminCidrs",
            vpc_id=vpc_id,
            ingress=ingress,
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"],
                     "ipv6_cidr_blocks": ["::/0"], "description": "all outbound"}],
            tags=self.tags,
            region=self.region,
            opts=self.opts,
        )
        if args.placement.ephemeral_public_ip:
            # No ENI and no Elastic IP: the instance gets its subnet, its groups and an
            # auto-assigned public IP at launch (machine()); its IPs exist only with it.
            self.eni = self.eip = None
            self.subnet_id, self.security_group_ids = subnet_id, [self.security_group.id, *groups]
            self._ipv6_warning()
            return Addresses(public_ip=None, private_ip=None)
        self.eni = aws.ec2.NetworkInterface(
            f"{self.name}-eni", subnet_id=subnet_id, security_groups=[self.security_group.id, *groups],
            tags=self.tags, region=self.region, opts=self.opts,
        )
        self.eip = aws.ec2.Eip(f"{self.name}-eip", domain="vpc", network_interface=self.eni.id, tags=self.tags,
                               region=self.region, opts=self.opts)
        quotas.count("aws.elastic_ips", self.name, region=self.region)
        self._ipv6_warning()
        return Addresses(public_ip=self.eip.public_ip, private_ip=self.eni.private_ip, dns_name=self.eip.public_dns)

    def _ipv6_warning(self):
        if self.cfg.ipv6:
            pulumi.log.warn(f"{self.name}: ipv6 on AWS needs a subnet with an IPv6 range; "
                            "give one through the host's placement")

    def internal_ip(self):
        return None  # the private IP is allocated before the VM (Addresses.private_ip)

    def machine_addresses(self, machine: aws.ec2.Instance) -> Addresses:
        """The IPs of an instance with an ephemeral public address: known once it exists."""
        return Addresses(public_ip=machine.public_ip, private_ip=machine.private_ip, dns_name=machine.public_dns)

    def machine(self, *, user_data, ssh_public_key):
        cfg = self.cfg
        key = aws.ec2.KeyPair(f"{self.name}-key", key_name_prefix=f"dockyard-{cfg.name}-", public_key=ssh_public_key,
                              tags=self.tags, region=self.region, opts=self.opts)
        if cfg.image:
            ami = cfg.image
        else:
            arch = aws.ec2.get_instance_type_output(instance_type=cfg.size, region=self.region,
                                                    opts=self.invoke_opts).supported_architectures
            owners = ami_filters(cfg.os)[0]
            filters = arch.apply(lambda a: ami_filters(cfg.os, ami_architecture(a))[1])
            ami = aws.ec2.get_ami_output(most_recent=True, owners=owners, filters=filters, region=self.region,
                                         opts=self.invoke_opts).id
        root = {"volume_type": "gp3", "encrypted": True, "delete_on_termination": True}
        if cfg.disk_gb is not None:
            root["volume_size"] = cfg.disk_gb
        if self.eni is not None:
            network = {"primary_network_interface": {"network_interface_id": self.eni.id}}
        else:
            # Explicit, rather than relying on the subnet's MapPublicIpOnLaunch (true on default
            # subnets): the node must reach Docker's apt repository on first boot.
            network = {"subnet_id": self.subnet_id, "vpc_security_group_ids": self.security_group_ids,
                       "associate_public_ip_address": True}
        return aws.ec2.Instance(
            self.name,
            ami=ami,
            instance_type=cfg.size,
            key_name=key.key_name,
            **network,
            user_data=user_data,
            # User data is read on first boot only: a changed document (SSH port, user) needs a
            # new instance. Certificates are not in it (they come over SSH), so a renewal is not.
            user_data_replace_on_change=True,
            # IMDSv2 only, hop limit 1: the user data holds the SSH host key; a container on a
            # bridge network never gets the token (its reply dies at the extra hop).
            metadata_options={"http_tokens": "required", "http_endpoint": "enabled",
                              "http_put_response_hop_limit": 1},
            root_block_device=root,
            monitoring=cfg.monitoring,
            tags=self.tags,
            volume_tags=self.tags,
            region=self.region,
            # The AMI getAmi(most_recent) found at the first `up` stays until `image` is pinned:
            # Canonical publishing a newer one must not replace the host (image_ignore_changes).
            # On a pre-made network interface the instance is replaced delete-first: the ENI can
            # be attached to one instance only, and a create-first replacement fails with
            # InvalidNetworkInterface.InUse. Without one (swarm workers) nothing of the old
            # instance is fixed or attached, so old and new coexist and it is created first.
            opts=self.opts.merge(pulumi.ResourceOptions(ignore_changes=image_ignore_changes(cfg, "ami"),
                                                        delete_before_replace=self.eni is not None)),
        )

    @staticmethod
    def _ingress(rule: PortRule, **source) -> dict:
        lo, hi = rule.port_bounds or ((-1, -1) if rule.protocol == "icmp" else (0, 0) if rule.protocol == "esp"
                                      else (0, 65535))
        out = {"protocol": PROTOCOL_NUMBERS[rule.protocol], "from_port": lo, "to_port": hi,
               "description": rule.description or f"{rule.protocol} {rule.ports or 'all'}"}
        if source:
            out.update(source)
        else:
            v4, v6 = split_families(rule.sources)
            if v4:
                out["cidr_blocks"] = v4
            if v6:
                out["ipv6_cidr_blocks"] = v6
        return out
