"""`dockyard diff` on the rows that used to say "replacement unknown": GKE node configuration,
the ECS service, ELBv2 listeners and target groups (issue 11).

Base and head are real previews of the shipped stacks (`dockyard preview`), the head either run
with a config override or, where no config key reaches the input, a copy of the base with that
one input changed. The expected verdicts come from the upstream Terraform schemas cited in
dockyard/replacements.py, not from the code under test:

* node_config.go (schemaNodeConfig): ``machine_type`` and ``disk_size_gb`` have no ForceNew,
  ``oauth_scopes`` and ``service_account`` are ForceNew;
* ecs/service.go: ``desired_count`` has no ForceNew, ``launch_type`` is ForceNew;
* elbv2/target_group.go: ``health_check`` has no ForceNew, ``port`` is ForceNew;
* elbv2/listener.go: ``port`` has no ForceNew, ``load_balancer_arn`` is ForceNew;
* ec2/vpc_security_group_ingress_rule.go (the rule base both directions share): ``description``
  and the ports are modified in place, ``security_group_id`` has RequiresReplace;
* elbv2/load_balancer.go: ``idle_timeout`` has no ForceNew and no CustomizeDiff touches it; the
  network load balancer's CustomizeDiff replaces it when its security groups go from some to none;
* iam/role_policy_attachments_exclusive.go: ``policy_arns`` is synced in place, ``role_name`` has
  RequiresReplace;
* pulumi-azure-native's generated ManagedCluster schema (gen_managedcluster_test.snap):
  ``agentPoolProfiles`` is not marked willReplaceOnChanges, the path parameter ``resourceName`` is;
* its generated network schema (gen_vnet_test.snap): the inputs changed in place below are not
  marked willReplaceOnChanges, the path parameters (the resource's name, a subnet's
  ``virtualNetworkName``) are;
* the compute API spec (2024-11-01): no VirtualMachine or SshPublicKey property is create-only
  (x-ms-mutability), so ``hardwareProfile.vmSize`` and ``publicKey`` update in place; their path
  parameters ``vmName`` and ``sshPublicKeyName`` replace;
* the resources API spec (2024-03-01): a ResourceGroup's ``tags`` are not create-only, its path
  parameter ``resourceGroupName`` replaces.
"""

from __future__ import annotations

import copy
import functools
import re

import pytest

from dockyard import cli, preview
from tests.conftest import ROOT

POOL = "gcp:container/nodePool:NodePool"
CLUSTER = "gcp:container/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
AWS_LB = "aws:lb/loadBalancer:LoadBalancer"
AKS = "azure-native:containerservice:ManagedCluster"
VNET, SUBNET = "azure-native:network:VirtualNetwork", "azure-native:network:Subnet"
NSG, ASG = "azure-native:network:NetworkSecurityGroup", "azure-native:network:ApplicationSecurityGroup"
NIC, PIP = "azure-native:network:NetworkInterface", "azure-native:network:PublicIPAddress"
AZ_LB = "azure-native:network:LoadBalancer"
VM, SSH_KEY = "azure-native:compute:VirtualMachine", "azure-native:compute:SshPublicKey"
RG = "azure-native:resources:ResourceGroup"


@functools.cache
def _preview(stack: str, *overrides: str) -> dict:
    return preview.preview(stack, list(overrides), project_dir=ROOT)


def _edited(doc: dict, type_: str, name: str, edit) -> dict:
    """A copy of the preview with ``edit(inputs)`` applied to one resource's inputs."""
    out = copy.deepcopy(doc)
    (res,) = [r for r in out["resources"] if r["type"] == type_ and r["name"] == name]
    edit(res["inputs"])
    return out


def _line(tmp_path, capsys, base: dict, head: dict, type_: str, name: str) -> str:
    """The diff's line for one resource (the diff must list it as changed)."""
    paths = []
    for label, doc in (("base", base), ("head", head)):
        path = tmp_path / f"{label}.json"
        path.write_text(preview.to_json(doc))
        paths.append(str(path))
    assert cli.main(["diff", *paths]) == 0
    out = capsys.readouterr().out.split("monthly cost:")[0]
    lines = [ln for ln in out.splitlines() if re.search(rf"{re.escape(type_)}\s+{re.escape(name)}\b", ln)]
    assert len(lines) == 1, out
    return lines[0]


def _in_place(line: str) -> None:
    assert line.rstrip().endswith("update in place") and "unknown" not in line, line


def _replaced(line: str, prop: str) -> None:
    assert "replace" in line and f"({prop}" in line and "unknown" not in line and "in place" not in line, line


# Config overrides that change one input the schema updates in place (type, override, the input's
# path, its new value).
IN_PLACE = [
    ("gcp-dev", "kubernetes.nodeSize=e2-standard-2", POOL, ("nodeConfig", "machineType"), "e2-standard-2"),
    ("aws-dev", "containers[0].replicas=3", SERVICE, ("desiredCount",), 3),
    ("aws-dev", "containers[0].healthCheckPath=/healthz", TARGET_GROUP, ("healthCheck", "path"), "/healthz"),
    ("azure-dev", "kubernetes.nodeCount=3", AKS, ("agentPoolProfiles", 0, "count"), 3),
    ("azure-dev", "adminCidrs[0]=203.0.113.0/24", NSG, ("securityRules", 0, "sourceAddressPrefixes", 0),
     "203.0.113.0/24"),
    ("azure-dev", "hosts[0].size=Standard_B2ms", VM, ("hardwareProfile", "vmSize"), "Standard_B2ms"),
]

# One input the schema updates in place, changed in a copy of the preview (type, change).
UPDATED = [
    ("aws-dev", LISTENER, {"port": 8080}),
    ("aws-dev", SG_IN, {"description": "another description"}),
    ("aws-dev", SG_OUT, {"fromPort": 443, "toPort": 443}),
    ("aws-dev", EXCLUSIVE, {"policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}),
    ("aws-dev", AWS_LB, {"idleTimeout": 120}),
    ("azure-dev", RG, {"tags": {"team": "b"}}),
    ("azure-dev", VNET, {"addressSpace": {"addressPrefixes": ["10.44.0.0/16"]}}),
    ("azure-dev", SUBNET, {"addressPrefix": "10.43.2.0/24"}),
    ("azure-dev", PIP, {"publicIPAllocationMethod": "Dynamic"}),
    ("azure-dev", NIC, {"enableIPForwarding": True}),
    ("azure-dev", ASG, {"tags": {"team": "b"}}),
    ("azure-dev", AZ_LB, {"probes": []}),
    ("azure-dev", SSH_KEY, {"publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKey x"}),
]

# One input the schema marks as replacing, changed in a copy of the preview (type, change).
REPLACED = [
    ("aws-dev", SERVICE, {"launchType": "EC2"}),
    ("aws-dev", TARGET_GROUP, {"port": 8080}),
    ("aws-dev", LISTENER, {"loadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                                              "loadbalancer/net/other/0123456789abcdef"}),
    ("aws-dev", SG_IN, {"securityGroupId": "sg-0123456789abcdef0"}),
    ("aws-dev", SG_OUT, {"securityGroupId": "sg-0123456789abcdef0"}),
    ("aws-dev", EXCLUSIVE, {"roleName": "another-role"}),
    ("azure-dev", AKS, {"resourceName": "dockyard-other"}),
    ("azure-dev", VNET, {"virtualNetworkName": "other-vnet"}),
    ("azure-dev", SUBNET, {"virtualNetworkName": "other-vnet"}),
    ("azure-dev", NSG, {"networkSecurityGroupName": "other-nsg"}),
    ("azure-dev", ASG, {"applicationSecurityGroupName": "other-asg"}),
    ("azure-dev", NIC, {"networkInterfaceName": "other-nic"}),
    ("azure-dev", PIP, {"publicIpAddressName": "other-ip"}),
    ("azure-dev", AZ_LB, {"loadBalancerName": "other-lb"}),
    ("azure-dev", VM, {"vmName": "other-vm"}),
    ("azure-dev", SSH_KEY, {"sshPublicKeyName": "other-key"}),
    ("azure-dev", RG, {"resourceGroupName": "other-rg"}),
]


def _at(value, path):
    for key in path:
        value = value[key] if isinstance(value, list) or key in value else None
        if value is None:
            return None
    return value


@pytest.mark.parametrize("stack,override,type_,path,value", IN_PLACE, ids=[c[2] for c in IN_PLACE])
def test_a_config_change_updates_in_place(stack, override, type_, path, value, tmp_path, capsys):
    head = _preview(stack, override)
    changed = [r for r in head["resources"] if r["type"] == type_ and _at(r["inputs"], path) == value]
    assert changed  # the override reached the input
    for res in changed:
        _in_place(_line(tmp_path, capsys, _preview(stack), head, type_, res["name"]))


@pytest.mark.parametrize("stack,type_,change", UPDATED, ids=[c[1] for c in UPDATED])
def test_an_updatable_input_updates_in_place(stack, type_, change, tmp_path, capsys):
    base = _preview(stack)
    name = next(r["name"] for r in base["resources"] if r["type"] == type_)
    head = _edited(base, type_, name, lambda i: i.update(change))
    _in_place(_line(tmp_path, capsys, base, head, type_, name))


@pytest.mark.parametrize("stack,type_,change", REPLACED, ids=[c[1] for c in REPLACED])
def test_a_replacing_input_replaces(stack, type_, change, tmp_path, capsys):
    base = _preview(stack)
    name = next(r["name"] for r in base["resources"] if r["type"] == type_)
    head = _edited(base, type_, name, lambda i: i.update(change))
    (prop,) = change
    _replaced(_line(tmp_path, capsys, base, head, type_, name), prop)


def test_gke_pool_oauth_scopes_replace_it(tmp_path, capsys):
    base = _preview("gcp-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == POOL)
    head = _edited(base, POOL, name, lambda i: i["nodeConfig"]["oauthScopes"].append(
        "https://www.googleapis.com/auth/devstorage.read_only"))
    _replaced(_line(tmp_path, capsys, base, head, POOL, name), "nodeConfig.oauthScopes")


def test_gke_cluster_node_config(tmp_path, capsys):
    """The cluster's own node_config is the same schema: a service account replaces the cluster,
    a disk size does not."""
    base = _preview("gcp-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == CLUSTER)
    base = _edited(base, CLUSTER, name, lambda i: i.update(
        nodeConfig={"diskSizeGb": 50, "serviceAccount": "a@dockyard-dev.iam.gserviceaccount.com"}))
    disk = _edited(base, CLUSTER, name, lambda i: i["nodeConfig"].update(diskSizeGb=100))
    _in_place(_line(tmp_path, capsys, base, disk, CLUSTER, name))
    account = _edited(base, CLUSTER, name, lambda i: i["nodeConfig"].update(
        serviceAccount="b@dockyard-dev.iam.gserviceaccount.com"))
    _replaced(_line(tmp_path, capsys, base, account, CLUSTER, name), "nodeConfig.serviceAccount")


def test_a_security_group_rule_source_may_replace_it(tmp_path, capsys):
    """ModifyPlan replaces a rule whose source kind changes and modifies one whose source keeps
    its kind; offline the diff cannot tell the two apart, so it says the rule may be replaced."""
    base = _preview("aws-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == SG_IN and "cidrIpv4" in r["inputs"])
    head = _edited(base, SG_IN, name, lambda i: i.update(cidrIpv4="198.51.100.0/24"))
    line = _line(tmp_path, capsys, base, head, SG_IN, name)
    assert "may replace" in line and "(cidrIpv4" in line and "unknown" not in line, line


def test_a_network_load_balancer_losing_its_security_groups_may_be_replaced(tmp_path, capsys):
    base = _preview("aws-dev")
    (name,) = [r["name"] for r in base["resources"]
               if r["type"] == AWS_LB and r["inputs"].get("loadBalancerType") == "network"]
    head = _edited(base, AWS_LB, name, lambda i: i.update(securityGroups=[]))
    line = _line(tmp_path, capsys, base, head, AWS_LB, name)
    assert "may replace" in line and "(securityGroups" in line and "unknown" not in line, line
