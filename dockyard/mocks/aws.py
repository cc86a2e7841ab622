"""Mock values for the AWS networking and IAM types Dockyard's own VPCs use (swarm, EKS, Fargate).

Ids follow the shapes the EC2 API returns (a prefix and 17 hex digits); ``region`` and
``tagsAll`` are what pulumi-aws v7 computes for every resource (the provider's region; tags merged
with the provider's default tags, of which Dockyard sets none). The refusals are the EC2 API's
create-time errors for values a program can get wrong (VPC user guide, "VPC CIDR blocks" and
"Subnet CIDR blocks", read 2026-12-02: block sizes /16 to /28, a subnet inside its VPC's range).
"""

from __future__ import annotations

import ipaddress
import json

from dockyard.mocks.registry import known, resource_outputs


def _common(ctx, inputs) -> dict:
    return {"region": inputs.get("region") or ctx.region, "tagsAll": dict(inputs.get("tags") or {})}


def _block(ctx, cidr, what: str) -> ipaddress.IPv4Network | None:
    if not isinstance(cidr, str):
        return None
    try:
        net = ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        raise ctx.refuse(f"InvalidParameterValue: {what} {cidr!r} is not a CIDR block ({exc})") from None
    if not 16 <= net.prefixlen <= 28:
        raise ctx.refuse(f"InvalidVpc.Range / InvalidSubnet.Range: {what} {cidr} must be between a /16 "
                         "and a /28 netmask")
    return net


@resource_outputs("aws:ec2/vpc:Vpc")
def _vpc(ctx, inputs):
    _block(ctx, inputs.get("cidrBlock"), "cidrBlock")
    vpc_id = "vpc-" + ctx.hex(17, "vpc")
    return {"id": vpc_id, "arn": ctx.arn("ec2", f"vpc/{vpc_id}"), "ownerId": ctx.account,
            "defaultSecurityGroupId": "sg-" + ctx.hex(17, "dsg"), "defaultNetworkAclId": "acl-" + ctx.hex(17, "acl"),
            "defaultRouteTableId": "rtb-" + ctx.hex(17, "main"), "mainRouteTableId": "rtb-" + ctx.hex(17, "main"),
            "dhcpOptionsId": "dopt-" + ctx.hex(17, "dopt"), "instanceTenancy": inputs.get("instanceTenancy") or "default",
            "enableDnsSupport": inputs.get("enableDnsSupport", True),
            "enableDnsHostnames": inputs.get("enableDnsHostnames", False), **_common(ctx, inputs)}


@resource_outputs("aws:ec2/subnet:Subnet")
def _subnet(ctx, inputs):
    from dockyard.mocks.hosts import aws_zones

    net = _block(ctx, inputs.get("cidrBlock"), "cidrBlock")
    vpc = ctx.state_of(inputs.get("vpcId"))
    if net is not None and vpc and vpc.get("cidrBlock"):
        if not net.subnet_of(ipaddress.ip_network(vpc["cidrBlock"])):
            raise ctx.refuse(f"InvalidSubnet.Range: {net} is not inside the VPC's {vpc['cidrBlock']}")
    region = inputs.get("region") or ctx.region
    zones = aws_zones(region)
    zone = inputs.get("availabilityZone")
    if zone is not None and zone not in zones:
        raise ctx.refuse(f"InvalidParameterValue: no availability zone {zone} in {region} ({sorted(zones)})")
    zone = zone or next(iter(zones))
    sid = "subnet-" + ctx.hex(17, "subnet")
    return {"id": sid, "arn": ctx.arn("ec2", f"subnet/{sid}"), "ownerId": ctx.account,
            "availabilityZone": zone, "availabilityZoneId": zones[zone],
            "mapPublicIpOnLaunch": bool(inputs.get("mapPublicIpOnLaunch", False)),
            "privateDnsHostnameTypeOnLaunch": inputs.get("privateDnsHostnameTypeOnLaunch") or "ip-name",
            **_common(ctx, inputs)}


@resource_outputs("aws:ec2/internetGateway:InternetGateway")
def _igw(ctx, inputs):
    igw = "igw-" + ctx.hex(17, "igw")
    return {"id": igw, "arn": ctx.arn("ec2", f"internet-gateway/{igw}"), "ownerId": ctx.account,
            **_common(ctx, inputs)}


@resource_outputs("aws:ec2/natGateway:NatGateway")
def _nat(ctx, inputs):
    eip = ctx.state_of(inputs.get("allocationId")) or {}
    private = inputs.get("connectivityType") == "private"
    if not private and not inputs.get("allocationId"):
        raise ctx.refuse("MissingParameter: a public NAT gateway needs an Elastic IP allocation")
    return {"id": "nat-" + ctx.hex(17, "nat"), "connectivityType": inputs.get("connectivityType") or "public",
            "networkInterfaceId": "eni-" + ctx.hex(17, "eni"), "associationId": "eipassoc-" + ctx.hex(17, "assoc"),
            "privateIp": f"10.0.{ctx.number(250, 'a')}.{4 + ctx.number(250, 'b')}",
            "publicIp": None if private else eip.get("publicIp", ctx.public_ip("nat")), **_common(ctx, inputs)}


@resource_outputs("aws:ec2/routeTable:RouteTable")
def _route_table(ctx, inputs):
    rtb = "rtb-" + ctx.hex(17, "rtb")
    return {"id": rtb, "arn": ctx.arn("ec2", f"route-table/{rtb}"), "ownerId": ctx.account,
            "propagatingVgws": list(inputs.get("propagatingVgws") or []), **_common(ctx, inputs)}


@resource_outputs("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _route_table_association(ctx, inputs):
    if bool(inputs.get("subnetId")) == bool(inputs.get("gatewayId")):
        raise ctx.refuse("exactly one of subnetId and gatewayId is required")
    return {"id": "rtbassoc-" + ctx.hex(17, "assoc"), "region": inputs.get("region") or ctx.region}


def _sg_rule(ctx, inputs):
    targets = [k for k in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId") if inputs.get(k)]
    if len(targets) != 1:
        raise ctx.refuse(f"exactly one of cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId "
                         f"is required (got {targets or 'none'})")
    if inputs.get("ipProtocol") not in ("-1", "all") and (inputs.get("fromPort") is None or inputs.get("toPort") is None):
        raise ctx.refuse("InvalidParameterValue: fromPort and toPort are required for a protocol other than -1")
    rule = "sgr-" + ctx.hex(17, "sgr")
    return {"id": rule, "securityGroupRuleId": rule, "arn": ctx.arn("ec2", f"security-group-rule/{rule}"),
            **_common(ctx, inputs)}


resource_outputs("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                 "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")(_sg_rule)


@resource_outputs("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _role_policy_attachment(ctx, inputs):
    arn = inputs.get("policyArn")
    if isinstance(arn, str) and not arn.startswith(f"arn:{ctx.partition}:iam::"):
        # IAM takes policies of its own partition only (aws, aws-cn, aws-us-gov).
        raise ctx.refuse(f"ValidationError: policyArn {arn!r} is not an IAM policy ARN of partition {ctx.partition}")
    # terraform-provider-aws: id.PrefixedUniqueId("<role>-") (a timestamp and a counter).
    return {"id": f"{inputs.get('role')}-2026010100000000000000000{ctx.number(10, 'n')}"}


@resource_outputs("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive")
def _role_policy_attachments_exclusive(ctx, inputs):
    return {"id": inputs.get("roleName")}


@resource_outputs("aws:lb/targetGroupAttachment:TargetGroupAttachment")
def _target_group_attachment(ctx, inputs):
    return {"id": f"{inputs.get('targetGroupArn')}-2026010100000000000000000{ctx.number(10, 'n')}",
            "region": inputs.get("region") or ctx.region}


@resource_outputs("aws:iam/rolePolicy:RolePolicy")
def _role_policy(ctx, inputs):
    # An inline policy: its id is "<role>:<policy name>"; Pulumi autonames an unnamed one.
    name = inputs.get("name") or f"{ctx.name}-{ctx.hex(7, 'name')}"
    policy = inputs.get("policy")
    if isinstance(policy, str) and known(policy):  # unknown in a preview until the ARNs it names exist
        try:
            json.loads(policy)
        except ValueError:
            raise ctx.refuse("MalformedPolicyDocument: policy is not JSON") from None
    return {"id": f"{inputs.get('role')}:{name}", "name": name}
