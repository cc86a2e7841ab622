"""Mock values for ECS, ELB, IAM, Cloud Map, SSM, the default-VPC invokes and Azure App Service.

Owned by the managed-containers area (FargateApp, AppServiceApp), but the ELB, IAM and VPC
lookups are generic: other areas that use these types rely on the values below (grep before
adding a type; a second registration is an import error).
"""

from dockyard.mocks.registry import invoke, resource_outputs

# --- AWS: names that the provider generates (autonaming) -----------------------------------------


def _autoname(ctx, inputs, key="name", max_len=None):
    """AWS autonaming: the logical name plus a random suffix, unless the program gave a name."""
    if inputs.get(key):
        return inputs[key]
    # Not cut to max_len: Pulumi does not shorten an auto-name, the name check refuses it (so a
    # test can see a name that is too long).
    return f"{ctx.name}-{ctx.hex(7, key)}"


@resource_outputs("aws:ecs/cluster:Cluster")
def _ecs_cluster(ctx, inputs):
    name = _autoname(ctx, inputs)
    return {"name": name, "arn": ctx.arn("ecs", f"cluster/{name}")}


@resource_outputs("aws:ecs/taskDefinition:TaskDefinition")
def _ecs_task_definition(ctx, inputs):
    family = inputs.get("family") or ctx.name
    base = ctx.arn("ecs", f"task-definition/{family}")
    return {"arn": f"{base}:1", "arnWithoutRevision": base, "revision": 1}


@resource_outputs("aws:ecs/service:Service")
def _ecs_service(ctx, inputs):
    name = _autoname(ctx, inputs)
    return {"name": name, "arn": ctx.arn("ecs", f"service/{name}")}


@resource_outputs("aws:iam/role:Role")
def _iam_role(ctx, inputs):
    name = _autoname(ctx, inputs, max_len=64)
    path = inputs.get("path") or "/"
    return {
        "name": name,
        "arn": f"arn:{ctx.partition}:iam::{ctx.account}:role{path}{name}",
        "uniqueId": "AROA" + ctx.hex(17, "uid").upper(),
    }


@resource_outputs("aws:cloudwatch/logGroup:LogGroup")
def _log_group(ctx, inputs):
    name = _autoname(ctx, inputs)
    return {"name": name, "arn": ctx.arn("logs", f"log-group:{name}")}


@resource_outputs("aws:ssm/parameter:Parameter")
def _ssm_parameter(ctx, inputs):
    name = _autoname(ctx, inputs)
    path = name if name.startswith("/") else "/" + name
    return {"name": name, "arn": ctx.arn("ssm", f"parameter{path}"), "version": 1}


# --- AWS: Elastic Load Balancing v2 ------------------------------------------------------------


@resource_outputs("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
def _load_balancer(ctx, inputs):
    # ELB names are at most 32 characters.
    name = _autoname(ctx, inputs, max_len=32)
    kind = "app" if inputs.get("loadBalancerType", "application") == "application" else "net"
    suffix = f"{kind}/{name}/{ctx.hex(16, 'lb')}"
    prefix = "internal-" if inputs.get("internal") else ""
    return {
        "name": name,
        "arn": ctx.arn("elasticloadbalancing", f"loadbalancer/{suffix}"),
        "arnSuffix": suffix,
        "dnsName": f"{prefix}{name}-{ctx.number(10 ** 10, 'dns')}.{ctx.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


@resource_outputs("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
def _target_group(ctx, inputs):
    name = _autoname(ctx, inputs, max_len=32)
    suffix = f"targetgroup/{name}/{ctx.hex(16, 'tg')}"
    return {"name": name, "arn": ctx.arn("elasticloadbalancing", suffix), "arnSuffix": suffix}


@resource_outputs("aws:lb/listener:Listener", "aws:alb/listener:Listener")
def _listener(ctx, inputs):
    return {"arn": ctx.arn("elasticloadbalancing", f"listener/app/{ctx.name}/{ctx.hex(16, 'l1')}/{ctx.hex(16, 'l2')}")}


# --- AWS: Cloud Map ---------------------------------------------------------------------------


@resource_outputs("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def _private_namespace(ctx, inputs):
    ns_id = "ns-" + ctx.hex(16, "ns")
    return {"id": ns_id, "arn": ctx.arn("servicediscovery", f"namespace/{ns_id}"),
            "hostedZone": "Z" + ctx.hex(20, "zone").upper()}


@resource_outputs("aws:servicediscovery/service:Service")
def _discovery_service(ctx, inputs):
    srv_id = "srv-" + ctx.hex(16, "srv")
    return {"id": srv_id, "arn": ctx.arn("servicediscovery", f"service/{srv_id}")}


# --- AWS: the default VPC and its subnets (invokes) -------------------------------------------


@invoke("aws:ec2/getVpc:getVpc")
def _get_vpc(ctx, args):
    # The default VPC of every region uses 172.31.0.0/16 (AWS VPC user guide, "Default VPCs").
    default = bool(args.get("default"))
    vpc_id = args.get("id") or "vpc-" + ctx.hex(17, "vpc")
    cidr = "172.31.0.0/16" if default or not args.get("id") else "10.0.0.0/16"
    return {
        "id": vpc_id,
        "arn": ctx.arn("ec2", f"vpc/{vpc_id}"),
        "cidrBlock": cidr,
        "default": default,
        "enableDnsHostnames": True,
        "enableDnsSupport": True,
        "instanceTenancy": "default",
        "mainRouteTableId": "rtb-" + ctx.hex(17, "rtb"),
        "ownerId": ctx.account,
        "state": "available",
        "dhcpOptionsId": "dopt-" + ctx.hex(17, "dopt"),
        "cidrBlockAssociations": [{"associationId": "vpc-cidr-assoc-" + ctx.hex(17, "assoc"),
                                   "cidrBlock": cidr, "state": "associated"}],
        "tags": {},
        "region": args.get("region") or ctx.region,
    }


@invoke("aws:ec2/getSubnets:getSubnets")
def _get_subnets(ctx, args):
    # One default subnet per availability zone, as the default VPC has (the region's zones:
    # components/cloud_limits.py AWS_ZONES); an availability-zone filter keeps those zones' only.
    from dockyard.mocks.hosts import aws_default_subnet, aws_zones

    region = args.get("region") or ctx.region
    zones = list(aws_zones(region))
    for f in args.get("filters") or []:
        if f.get("name") == "availability-zone":
            zones = [z for z in zones if z in (f.get("values") or [])]
    return {
        "id": region,
        "ids": [aws_default_subnet(region, z) for z in zones],
        "filters": args.get("filters"),
        "tags": args.get("tags"),
        "region": args.get("region") or ctx.region,
    }


# --- Azure: resource groups and App Service ---------------------------------------------------

_SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"


def _azure_name(ctx, inputs, key):
    # azure-native autonaming: the logical name plus 8 random hex characters
    # (pulumi-azure-native provider getDefaultName: resource.NewUniqueName(seed, name, 8, ...)).
    return inputs.get(key) or f"{ctx.name}{ctx.hex(8, key)}"


@resource_outputs("azure-native:resources:ResourceGroup")
def _resource_group(ctx, inputs):
    name = _azure_name(ctx, inputs, "resourceGroupName")
    return {
        "name": name,
        "id": f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{name}",
        "properties": {"provisioningState": "Succeeded"},
        "type": "Microsoft.Resources/resourceGroups",
    }


@resource_outputs("azure-native:web:AppServicePlan")
def _app_service_plan(ctx, inputs):
    name = _azure_name(ctx, inputs, "name")
    rg = inputs.get("resourceGroupName", "rg")
    return {
        "name": name,
        "id": f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Web/serverfarms/{name}",
        "provisioningState": "Succeeded",
        "status": "Ready",
        "numberOfSites": 1,
        "type": "Microsoft.Web/serverfarms",
    }


@resource_outputs("azure-native:web:WebApp")
def _web_app(ctx, inputs):
    name = _azure_name(ctx, inputs, "name")
    rg = inputs.get("resourceGroupName", "rg")
    host = f"{name}.azurewebsites.net"
    outbound = ",".join(ctx.public_ip(f"out{i}") for i in range(4))
    return {
        "name": name,
        "id": f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{name}",
        "defaultHostName": host,
        "hostNames": [host],
        "enabledHostNames": [host, f"{name}.scm.azurewebsites.net"],
        "outboundIpAddresses": outbound,
        "possibleOutboundIpAddresses": outbound,
        "state": "Running",
        "type": "Microsoft.Web/sites",
    }


@resource_outputs("azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed")
def _basic_publishing_policy(ctx, inputs):
    # The site's basicPublishingCredentialsPolicies/{ftp,scm} child (Azure REST API, Web Apps,
    # "Update Ftp Allowed" / "Update Scm Allowed", read 2026-12-02).
    kind = "ftp" if ctx.type.endswith("FtpAllowed") else "scm"
    site, rg = inputs.get("name"), inputs.get("resourceGroupName", "rg")
    return {"id": f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Web/sites/{site}"
                  f"/basicPublishingCredentialsPolicies/{kind}",
            "name": kind, "type": "Microsoft.Web/sites/basicPublishingCredentialsPolicies", "allow": inputs.get("allow")}
