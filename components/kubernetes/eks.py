"""Amazon EKS: ``eksctl create cluster`` as resources (pulumi_eks).

Like eksctl, the cluster gets a dedicated VPC, 192.168.0.0/16, with one public and one private
/19 subnet in each of three availability zones, an internet gateway and a single NAT gateway
(eksctl's defaults: https://eksctl.io/usage/vpc-networking/). Nodes are a managed node group in
the private subnets; load balancers go to the public subnets (``kubernetes.io/role/elb``). Access
is granted with EKS access entries (authentication mode API, no aws-auth ConfigMap): the creator
is bootstrapped as admin by EKS, and the ARNs in ``kubernetes.admins`` get the cluster-admin
access policy. The public API endpoint admits adminCidrs only.
"""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

from components import quotas
from components.kubernetes.cluster import ClusterArgs, ClusterParts
from components.names import aws_managed_arn

VPC_CIDR = "192.168.0.0/16"
ZONES = 3
# AWS-managed objects, named in the region's partition (components/names.py: aws-cn in China,
# aws-us-gov in GovCloud).
ADMIN_POLICY = "cluster-access-policy/AmazonEKSClusterAdminPolicy"
NODE_POLICIES = (
    "policy/AmazonEKSWorkerNodePolicy",
    "policy/AmazonEKS_CNI_Policy",
    "policy/AmazonEC2ContainerRegistryReadOnly",
)


def subnet_cidrs(zones: int = ZONES) -> tuple[list[str], list[str]]:
    """eksctl's layout: /19s, the public ones first, then the private ones."""
    blocks = [str(n) for n in ipaddress.ip_network(VPC_CIDR).subnets(new_prefix=19)]
    return blocks[:zones], blocks[zones:2 * zones]


# Zone IDs whose subnets CreateCluster refuses (UnsupportedAvailabilityZoneException); zone names
# map to IDs per account, so exclude by ID (EKS user guide, "View Amazon EKS networking
# requirements for VPC and subnets": https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html).
UNSUPPORTED_ZONE_IDS = ("use1-az3", "usw1-az2", "cac1-az3")


def _vpc(name: str, opts: pulumi.ResourceOptions, tags: dict) -> tuple[aws.ec2.Vpc, list, list]:
    zones = aws.get_availability_zones(state="available", exclude_zone_ids=list(UNSUPPORTED_ZONE_IDS),
                                       opts=pulumi.InvokeOptions(parent=opts.parent))
    names = sorted(zones.names)[:ZONES]
    if len(names) < 2:
        raise ValueError(f"EKS needs two availability zones; the region offers {names}")
    public_cidrs, private_cidrs = subnet_cidrs(len(names))

    def tagged(resource: str, **extra) -> dict:
        return {**tags, "Name": f"{name}-{resource}", **extra}

    vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=VPC_CIDR, enable_dns_hostnames=True,
                      enable_dns_support=True, tags=tagged("vpc"), opts=opts)
    igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tagged("igw"), opts=opts)
    public, private = [], []
    for i, zone in enumerate(names):
        public.append(aws.ec2.Subnet(
            f"{name}-public-{zone}", vpc_id=vpc.id, cidr_block=public_cidrs[i], availability_zone=zone,
            map_public_ip_on_launch=True,
            tags=tagged(f"public-{zone}", **{"kubernetes.io/role/elb": "1"}), opts=opts))
        private.append(aws.ec2.Subnet(
            f"{name}-private-{zone}", vpc_id=vpc.id, cidr_block=private_cidrs[i], availability_zone=zone,
            map_public_ip_on_launch=False,
            tags=tagged(f"private-{zone}", **{"kubernetes.io/role/internal-elb": "1"}), opts=opts))
    eip = aws.ec2.Eip(f"{name}-nat", domain="vpc", tags=tagged("nat"), opts=opts)
    nat = aws.ec2.NatGateway(f"{name}-nat", allocation_id=eip.id, subnet_id=public[0].id,
                             tags=tagged("nat"), opts=pulumi.ResourceOptions(depends_on=[igw]).merge(opts))
    public_rt = aws.ec2.RouteTable(f"{name}-public", vpc_id=vpc.id, tags=tagged("public"),
                                   routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}], opts=opts)
    private_rt = aws.ec2.RouteTable(f"{name}-private", vpc_id=vpc.id, tags=tagged("private"),
                                    routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}], opts=opts)
    for kind, subnets, table in (("public", public, public_rt), ("private", private, private_rt)):
        for zone, subnet in zip(names, subnets, strict=True):
            aws.ec2.RouteTableAssociation(f"{name}-{kind}-{zone}", subnet_id=subnet.id,
                                          route_table_id=table.id, opts=opts)
    return vpc, public, private


def create(component, name: str, args: ClusterArgs) -> ClusterParts:
    # publicAccessCidrs of an IPv4 cluster take IPv4 blocks only ("You can't add IPv6 CIDR blocks
    # to IPv4 clusters": EKS API reference, VpcConfigRequest.publicAccessCidrs).
    public_cidrs = args.api_cidrs
    opts = pulumi.ResourceOptions(parent=component)
    tags = {"dockyard:cluster": name, **args.tags}
    vpc, public, private = _vpc(name, opts, tags)
    quotas.count("aws.elastic_ips", f"{name} NAT gateway", region=args.region)  # _vpc's NAT gateway

    access_entries = {
        f"admin-{i}": {
            "principal_arn": arn,
            "type": "STANDARD",
            "access_policies": {
                "cluster-admin": {"policy_arn": aws_managed_arn(args.region, "eks", ADMIN_POLICY),
                                  "access_scope": {"type": "cluster"}},
            },
        }
        for i, arn in enumerate(args.admins)
    }
    cluster = eks.Cluster(
        name,
        name=name,
        version=args.version,
        vpc_id=vpc.id,
        public_subnet_ids=[s.id for s in public],
        private_subnet_ids=[s.id for s in private],
        node_associate_public_ip_address=False,
        skip_default_node_group=True,
        authentication_mode=eks.AuthenticationMode.API,
        access_entries=access_entries or None,
        endpoint_public_access=True,
        endpoint_private_access=True,
        public_access_cidrs=public_cidrs,
        create_oidc_provider=True,  # IAM roles for service accounts, EKS's workload identity
        tags=tags,
        opts=pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig", "kubeconfigJson"]).merge(opts),
    )

    node_role = aws.iam.Role(
        f"{name}-nodes",
        assume_role_policy=pulumi.Output.json_dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                           "Action": "sts:AssumeRole"}],
        }),
        tags=tags,
        opts=opts,
    )
    for policy in NODE_POLICIES:
        aws.iam.RolePolicyAttachment(f"{name}-nodes-{policy.rsplit('/', 1)[1]}", role=node_role.name,
                                     policy_arn=aws_managed_arn(args.region, "iam", policy), opts=opts)
    # Without amiType EKS picks an x86_64 AMI type, and CreateNodegroup refuses an arm64-only
    # (Graviton) size: "[t4g.medium] is not a valid instance type for requested amiType
    # AL2023_x86_64_STANDARD" (EKS API reference, CreateNodegroup amiType).
    archs = aws.ec2.get_instance_type(instance_type=args.size, opts=pulumi.InvokeOptions(parent=component))
    arm_only = "arm64" in archs.supported_architectures and "x86_64" not in archs.supported_architectures
    eks.ManagedNodeGroup(
        f"{name}-nodes",
        cluster=cluster,
        node_role=node_role,
        subnet_ids=[s.id for s in private],
        instance_types=[args.size],
        ami_type="AL2023_ARM_64_STANDARD" if arm_only else None,
        scaling_config={"desired_size": args.node_count, "min_size": args.node_count,
                        "max_size": args.node_count},
        tags=tags,
        opts=opts,
    )
    return ClusterParts(
        kubeconfig=cluster.kubeconfig_json,
        node_address="<node-address>",
        outputs={"clusterName": name, "vpcId": vpc.id},
    )
