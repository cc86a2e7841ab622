"""Issue 11, "Replacement that works": a resource that sets its cloud-side name and can be replaced
is replaced delete-first, or leaves the name to Pulumi (auto-naming adds a random suffix, so old
and new coexist). A create-first replacement under a fixed name fails with "already exists".

Checked over every shipped stack's preview (they already cover swarm with a load balancer on AWS
and Azure, Fargate, App Service, EKS, AKS, GKE, DOKS, the local swarm) plus the variants below.
"""

from __future__ import annotations

import functools

import pytest

from dockyard import engine, preview, replacements
from tests.conftest import ROOT

# type -> (the input that is its cloud-side name, the scope that name is unique in). Written from
# the providers' API docs, not from our code. Stored copies read 2026-12-03 (the rest was cited
# from memory: re-check):
# - https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules
#   (Entity / Scope tables; virtualMachines: scope "resource group");
# - https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/elasticloadbalancingv2/aws.sdk.kotlin.services.elasticloadbalancingv2.model/-create-target-group-request/-builder/name.html
#   (a target group name "must be unique per region per account");
# - https://docs.cloud.google.com/compute/docs/regions-zones/global-regional-zonal-resources
#   (its Japanese edition: Compute Engine resource names are unique within the project, whatever
#   their scope; the zone/region scopes below are narrower than that and only name the clash).
# - Azure ARM: a resource's name is a path parameter, unique among its type in its parent
#   (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules);
# - Compute Engine / GKE: resource names are unique in their project/region/zone/cluster
#   (https://cloud.google.com/compute/docs/naming-resources,
#    https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools);
# - AWS: load balancer and target group names are unique per account and region
#   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html,
#    CreateTargetGroup: DuplicateTargetGroupName), a security group name per VPC, an IAM role name
#   per account, a log group name per region, an ECS service name per cluster;
# - DigitalOcean: a Kubernetes cluster name is unique in the account (DOKS API 422 "name is
#   already in use"); droplet, firewall, SSH key and custom image names need not be unique;
# - Docker Engine: container, volume, network (API >= 1.44 refuses a duplicate name), service,
#   secret and config names are unique per engine / swarm (https://docs.docker.com/reference/api/engine/).
NAME = {
    "azure-native:compute:VirtualMachine": ("vmName", "resource group"),
    "azure-native:compute:SshPublicKey": ("sshPublicKeyName", "resource group"),
    "azure-native:network:LoadBalancer": ("loadBalancerName", "resource group"),
    "azure-native:network:NetworkInterface": ("networkInterfaceName", "resource group"),
    "azure-native:network:PublicIPAddress": ("publicIpAddressName", "resource group"),
    "azure-native:network:NetworkSecurityGroup": ("networkSecurityGroupName", "resource group"),
    "azure-native:network:ApplicationSecurityGroup": ("applicationSecurityGroupName", "resource group"),
    "azure-native:network:VirtualNetwork": ("virtualNetworkName", "resource group"),
    "azure-native:network:Subnet": ("subnetName", "virtual network"),
    "azure-native:resources:ResourceGroup": ("resourceGroupName", "subscription"),
    "azure-native:containerservice:ManagedCluster": ("resourceName", "resource group"),
    "azure-native:operationalinsights:Workspace": ("workspaceName", "resource group"),
    "azure-native:monitor:DataCollectionRule": ("dataCollectionRuleName", "resource group"),
    "azure-native:web:AppServicePlan": ("name", "resource group"),
    "azure-native:web:WebApp": ("name", "azurewebsites.net"),
    "gcp:compute/instance:Instance": ("name", "zone"),
    "gcp:compute/network:Network": ("name", "project"),
    "gcp:compute/subnetwork:Subnetwork": ("name", "region"),
    "gcp:compute/address:Address": ("name", "region"),
    "gcp:compute/firewall:Firewall": ("name", "project"),
    "gcp:container/cluster:Cluster": ("name", "location"),
    "gcp:container/nodePool:NodePool": ("name", "cluster"),
    "gcp:serviceaccount/account:Account": ("accountId", "project"),
    "aws:ec2/securityGroup:SecurityGroup": ("name", "VPC"),
    "aws:iam/role:Role": ("name", "account"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "region"),
    "aws:ecs/service:Service": ("name", "cluster"),
    "aws:lb/loadBalancer:LoadBalancer": ("name", "account and region"),
    "aws:lb/targetGroup:TargetGroup": ("name", "account and region"),
    "aws:alb/loadBalancer:LoadBalancer": ("name", "account and region"),
    "aws:alb/targetGroup:TargetGroup": ("name", "account and region"),
    "digitalocean:index/kubernetesCluster:KubernetesCluster": ("name", "account"),
    "docker:index/container:Container": ("name", "engine"),
    "docker:index/volume:Volume": ("name", "engine"),
    "docker:index/network:Network": ("name", "engine or swarm"),
    "docker:index/service:Service": ("name", "swarm"),
    "docker:index/secret:Secret": ("name", "swarm"),
    "docker:index/serviceConfig:ServiceConfig": ("name", "swarm"),
}

# Non-default variants: a long Fargate app name (target group and load balancer names are then a
# fixed hash, not Pulumi's), and a GCP swarm with a stack (the shipped gcp-dev has no swarm).
VARIANTS = {
    "aws-dev": [(), ("containers[0].name=a-long-application-name-x",)],
    "azure-dev": [()],
    "gcp-dev": [(), ("swarm.cloud=gcp", "swarm.managers=1", "swarm.stacks[0].name=cluster",
                     "swarm.stacks[0].compose=apps/cluster/docker-compose.yml")],
    "do-dev": [()],
    "local": [()],
    "local-k8s": [()],
}


@functools.cache
def _preview(stack: str, overrides: tuple[str, ...]):
    return preview.evaluate(stack, list(overrides), ROOT)[1]


def _replacing(type_: str, name_path: str) -> list[str]:
    """The table's replacing paths other than the name itself (a changed name makes a new one
    that cannot clash with the old), plus any partial note (the row says more replaces)."""
    row = replacements.row(type_)
    if row is None:
        return []
    paths = [p for p in (*row.replace, *row.when, *row.maybe) if p != name_path]
    if row.partial:
        paths.append(f"({row.partial})")
    return paths


def _offenders(result) -> list[str]:
    out = []
    for r in result.resources:
        if not r.custom or r.type not in NAME:
            continue
        prop, scope = NAME[r.type]
        name = engine.reveal(r.inputs).get(prop)
        replacing = _replacing(r.type, prop)
        if name and replacing and not r.delete_before_replace:
            out.append(f"{r.type} {r.name!r}: {prop}={name!r} is fixed (unique per {scope}), "
                       f"replaced on {replacing[:3]} create-first")
    return out


def test_every_type_with_a_name_rule_has_a_replacement_row():
    assert [t for t in NAME if replacements.row(t) is None] == []


@pytest.mark.parametrize("stack,overrides", [(s, o) for s, vs in VARIANTS.items() for o in vs])
def test_fixed_names_are_replaced_delete_first(stack, overrides):
    offenders = _offenders(_preview(stack, overrides))
    assert offenders == [], "\n".join(offenders)
