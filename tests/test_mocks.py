"""The offline preview says no (issue 10): strict, honest mocks for every type the shipped stacks
create, and every stack run the way `pulumi preview` runs it too.

Expected values come from the providers' schemas (the SDK classes' output properties) and the
clouds' documentation cited in dockyard/mocks/*, not from the mocks under test.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from dockyard import engine, mocks, preview, stackfile

ROOT = Path(__file__).resolve().parent.parent
STACKS = stackfile.list_stacks(ROOT)


@pytest.fixture(scope="module")
def applied():
    """Each shipped stack run once the way `pulumi up` sees it (every value computed)."""
    return {s: preview.evaluate(s, project_dir=ROOT)[1] for s in STACKS}


def _needs_a_mock(r: engine.Registration) -> bool:
    # Custom resources and remote components reach a provider; a provider resource's state is its
    # own configuration, and local components have no provider at all.
    return (r.custom or r.remote) and not r.type.startswith("pulumi:providers:")


@pytest.mark.parametrize("stack", STACKS)
def test_every_type_a_shipped_stack_creates_has_a_deliberate_mock(applied, stack):
    missing = sorted({r.type for r in applied[stack].resources if _needs_a_mock(r)} - set(mocks.RESOURCES))
    assert missing == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_declares_the_same_resources_as_pulumi_preview_would(applied, stack):
    """`pulumi preview` leaves what a cloud computes unknown; the program must not depend on it to
    decide what to declare (and must not fail on it)."""
    dry = preview.evaluate(stack, project_dir=ROOT, dry_run=True)[1]
    assert [(r.urn, r.type) for r in dry.resources] == [(r.urn, r.type) for r in applied[stack].resources]
    # And the preview really had unknowns: no custom resource got an id.
    assert all(r.id is None for r in dry.resources if _needs_a_mock(r))


def test_preview_mode_feeds_unknowns_to_the_program(applied):
    import json

    dry = preview.evaluate("aws-dev", project_dir=ROOT, dry_run=True)[1]

    def unknown_inputs(result):
        text = json.dumps([preview.render(r.inputs) for r in result.resources])
        return sum(text.count(u) for u in mocks.registry.UNKNOWNS)

    assert unknown_inputs(applied["aws-dev"]) == 0
    assert unknown_inputs(dry) > 50  # ids, addresses, tokens a cloud computes


# --- honest outputs ---------------------------------------------------------------------------------


def test_digitalocean_outputs_use_the_providers_own_names(applied):
    # pulumi-digitalocean's Droplet, ReservedIp and KubernetesCluster output dropletUrn,
    # reservedIpUrn and clusterUrn; `urn` belongs to Pulumi itself.
    result = applied["do-dev"]
    for type_, key in [("digitalocean:index/droplet:Droplet", "dropletUrn"),
                       ("digitalocean:index/kubernetesCluster:KubernetesCluster", "clusterUrn")]:
        for r in result.of_type(type_):
            assert "urn" not in r.outputs
            assert r.outputs[key].startswith("do:")


def test_azure_native_outputs_leave_out_the_inputs_arm_does_not_return(applied):
    for r in applied["azure-dev"].resources:
        if r.type.startswith("azure-native:") and r.custom:
            assert "resourceGroupName" not in r.outputs, r.type
    vm = applied["azure-dev"].of_type("azure-native:compute:VirtualMachine")[0]
    assert "vmName" not in vm.outputs and vm.outputs["name"] == vm.inputs["vmName"]
    assert vm.id.endswith(f"/providers/Microsoft.Compute/virtualMachines/{vm.inputs['vmName']}")


def test_aws_network_ids_are_computed_like_ec2s(applied):
    result = applied["aws-dev"]
    for type_, prefix in [("aws:ec2/vpc:Vpc", "vpc-"), ("aws:ec2/subnet:Subnet", "subnet-"),
                          ("aws:ec2/internetGateway:InternetGateway", "igw-"), ("aws:ec2/natGateway:NatGateway", "nat-"),
                          ("aws:ec2/routeTable:RouteTable", "rtb-"),
                          ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "sgr-")]:
        regs = result.of_type(type_)
        assert regs, type_
        for r in regs:
            assert r.id.startswith(prefix) and len(r.id) == len(prefix) + 17, (type_, r.id)
    nat = result.of_type("aws:ec2/natGateway:NatGateway")[0]
    eip = next(e for e in result.of_type("aws:ec2/eip:Eip") if e.id == nat.inputs["allocationId"])
    assert nat.outputs["publicIp"] == eip.outputs["publicIp"]  # the address of its Elastic IP


def test_kubernetes_objects_get_what_the_api_server_fills_in(mock_engine):
    import pulumi_kubernetes as k8s

    def program():
        k8s.core.v1.Namespace("apps")
        k8s.apps.v1.Deployment("web", spec={"replicas": 2, "selector": {"matchLabels": {"a": "b"}},
                                            "template": {"metadata": {"labels": {"a": "b"}},
                                                         "spec": {"containers": [{"name": "c", "image": "i"}]}}})

    result = mock_engine.run(program)
    ns = result.get("kubernetes:core/v1:Namespace", "apps")
    # pulumi-kubernetes autonames: the logical name, '-', 8 hex characters.
    assert ns.outputs["metadata"]["name"].startswith("apps-") and len(ns.outputs["metadata"]["name"]) == 13
    assert "namespace" not in ns.outputs["metadata"] and ns.outputs["status"] == {"phase": "Active"}
    web = result.get("kubernetes:apps/v1:Deployment", "web").outputs
    assert web["metadata"]["namespace"] == "default" and web["metadata"]["uid"]
    assert web["status"]["readyReplicas"] == 2


# --- what the clouds refuse (backstops behind config validation) ------------------------------------


def _refused(mock_engine, program, match):
    with pytest.raises(engine.Refused, match=match):
        mock_engine.run(program)


def test_an_azure_security_group_refuses_two_rules_of_one_name(mock_engine):
    import pulumi_azure_native as az

    rule = {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
            "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*",
            "destinationPortRange": "22"}

    def program():
        az.network.NetworkSecurityGroup("nsg", resource_group_name="rg", security_rules=[
            {**rule, "name": "tcp-22"}, {**rule, "name": "TCP-22", "priority": 110}])

    _refused(mock_engine, program, "two security rules are named")


# Azure/karpenter-provider-azure@352646f5 zz_generated.pricing.go (generated 2026-06-18): chilecentral has no
# price, so no offer, for Standard_D2s_v3 (westeurope has one); ARM answers SkuNotAvailable.
def test_an_azure_vm_of_a_size_its_location_lacks_is_refused(mock_engine):
    import pulumi_azure_native as az

    def program():
        az.compute.VirtualMachine("vm", resource_group_name="rg", location="chilecentral",
                                  hardware_profile={"vm_size": "Standard_D2s_v3"})

    _refused(mock_engine, program, "SkuNotAvailable.*Standard_D2s_v3.*chilecentral")


def test_an_aks_node_pool_of_a_size_its_location_lacks_is_refused(mock_engine):
    import pulumi_azure_native as az

    def program():
        az.containerservice.ManagedCluster("aks", resource_group_name="rg", location="chilecentral", dns_prefix="k",
                                           agent_pool_profiles=[{"name": "system", "mode": "System", "count": 1,
                                                                 "vm_size": "Standard_D2s_v3"}])

    _refused(mock_engine, program, "SkuNotAvailable.*Standard_D2s_v3.*chilecentral")


def test_azure_sizes_offered_in_the_location_are_created(mock_engine):
    import pulumi_azure_native as az

    def program():
        az.compute.VirtualMachine("vm", resource_group_name="rg", location="westeurope",
                                  hardware_profile={"vm_size": "Standard_D2s_v3"})
        az.compute.VirtualMachine("ds", resource_group_name="rg", location="chilecentral",
                                  hardware_profile={"vm_size": "Standard_DS2_v2"})  # exists without a price

    assert len(mock_engine.run(program).of_type("azure-native:compute:VirtualMachine")) == 2


def test_an_azure_subnet_lies_inside_its_virtual_network(mock_engine):
    import pulumi_azure_native as az

    def program():
        vnet = az.network.VirtualNetwork("vnet", resource_group_name="rg", virtual_network_name="net",
                                         address_space={"address_prefixes": ["10.42.0.0/16"]})
        az.network.Subnet("sub", resource_group_name="rg", virtual_network_name=vnet.name,
                          address_prefix="10.43.1.0/24")

    _refused(mock_engine, program, "NetcfgInvalidSubnet")


def test_gcp_subnetworks_of_one_network_do_not_overlap(mock_engine):
    import pulumi_gcp as gcp

    def program():
        net = gcp.compute.Network("net", auto_create_subnetworks=False)
        gcp.compute.Subnetwork("a", network=net.id, ip_cidr_range="10.43.1.0/24", region="europe-west1")
        gcp.compute.Subnetwork("b", network=net.id, ip_cidr_range="10.43.0.0/16", region="europe-west1")

    _refused(mock_engine, program, "overlaps")


def test_gce_instance_names_are_unique_in_a_zone(mock_engine):
    import pulumi_gcp as gcp

    def vm(name, logical):
        return gcp.compute.Instance(logical, name=name, zone="europe-west1-b", machine_type="e2-small",
                                    boot_disk={"initialize_params": {"image": "debian-12"}},
                                    network_interfaces=[{"network": "default"}])

    def program():
        vm("web", "a")
        vm("web", "b")

    _refused(mock_engine, program, "alreadyExists")


def test_a_refusal_is_one_line_and_exit_2_from_the_cli(monkeypatch, capsys):
    from dockyard import cli

    def refuse(ctx, inputs):
        raise ctx.refuse("InvalidParameterValue: test")

    monkeypatch.setitem(mocks.RESOURCES, "tls:index/privateKey:PrivateKey", refuse)
    assert cli.main(["preview", "local", "-C", str(ROOT)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: tls:index/privateKey:PrivateKey")
    assert "Traceback" not in err


def test_pulumi_is_left_usable_after_a_refused_run(mock_engine):
    """A failed run must not leave the SDK in preview mode or with a closed loop for the next."""
    import pulumi_tls as tls

    def refused():
        tls.PrivateKey("k", algorithm="ED25519")

    with pytest.raises(engine.Refused):
        mock_engine.run(refused, resources={"tls:index/privateKey:PrivateKey":
                                            lambda ctx, i: (_ for _ in ()).throw(ctx.refuse("no"))})
    assert not pulumi.runtime.is_dry_run()
    assert mock_engine.run(refused).get("tls:index/privateKey:PrivateKey", "k").id


def test_private_addresses_lie_in_the_subnet_the_cloud_assigns_them_from(applied):
    import ipaddress

    def inside(ip, cidr, head, tail):
        net = ipaddress.ip_network(cidr)
        return ipaddress.ip_address(ip) in net and head <= int(ipaddress.ip_address(ip)) - int(net.network_address) \
            < net.num_addresses - tail

    aws = applied["aws-dev"]
    subnets = {s.id: s for s in aws.of_type("aws:ec2/subnet:Subnet")}
    enis = {e.id: e for e in aws.of_type("aws:ec2/networkInterface:NetworkInterface")}
    checked = 0
    for vm in aws.of_type("aws:ec2/instance:Instance"):
        nic = (vm.inputs.get("primaryNetworkInterface") or {}).get("networkInterfaceId")
        subnet = subnets.get(enis[nic].inputs["subnetId"] if nic else vm.inputs.get("subnetId"))
        if subnet is not None:  # a subnet of this stack (AWS keeps the first 4 and the last address)
            assert inside(vm.outputs["privateIp"], subnet.inputs["cidrBlock"], 4, 1)
            assert vm.outputs["availabilityZone"] == subnet.outputs["availabilityZone"]
            checked += 1
        else:  # a default subnet: the default VPC's 172.31.0.0/16
            assert inside(vm.outputs["privateIp"], "172.31.0.0/16", 4, 1)
        assert vm.outputs["privateDns"] == f"ip-{vm.outputs['privateIp'].replace('.', '-')}.ec2.internal"
    azure = applied["azure-dev"]
    azure_subnets = {s.id: s for s in azure.of_type("azure-native:network:Subnet")}
    for nic in azure.of_type("azure-native:network:NetworkInterface"):
        for conf in nic.outputs["ipConfigurations"]:
            prefix = azure_subnets[conf["subnet"]["id"]].inputs["addressPrefix"]
            assert inside(conf["privateIPAddress"], prefix, 4, 1)
            checked += 1
    gcp = applied["gcp-dev"]
    for address in gcp.of_type("gcp:compute/address:Address"):
        if address.inputs.get("addressType") == "INTERNAL":
            subnet = next(s for s in gcp.of_type("gcp:compute/subnetwork:Subnetwork")
                          if address.inputs["subnetwork"] in (s.id, s.outputs.get("selfLink")))
            assert inside(address.outputs["address"], subnet.inputs["ipCidrRange"], 2, 2)
            checked += 1
    assert checked >= 3


def test_every_kubernetes_kind_the_converters_may_declare_has_a_mock():
    """components/kubernetes/objects.py declares any of these kinds from a converted app."""
    from components.kubernetes.objects import KINDS

    tokens = {f"kubernetes:{'core' if api == 'v1' else api.split('/')[0]}/{api.split('/')[-1]}:{kind}"
              for api, kind in KINDS}
    assert sorted(tokens - set(mocks.RESOURCES)) == []


_SDKS = {"aws": "pulumi_aws", "az": "pulumi_azure_native", "azure": "pulumi_azure_native",
         "azure_native": "pulumi_azure_native", "gcp": "pulumi_gcp", "do": "pulumi_digitalocean",
         "digitalocean": "pulumi_digitalocean", "docker": "pulumi_docker", "command": "pulumi_command",
         "k8s": "pulumi_kubernetes", "kubernetes": "pulumi_kubernetes", "tls": "pulumi_tls", "eks": "pulumi_eks"}


def test_every_resource_class_the_components_construct_has_a_mock():
    """Not only what the shipped stacks happen to create: every `<sdk>.<module>.<Class>(` in
    components/ (the import aliases above) that is a custom resource or a remote component."""
    import importlib
    import inspect
    import re

    pattern = re.compile(r"\b((?:" + "|".join(_SDKS) + r")(?:\.[a-z0-9_]+)*\.[A-Z]\w*)\(")
    calls = set()
    for path in (ROOT / "components").rglob("*.py"):
        calls |= set(pattern.findall(path.read_text()))
    missing = []
    for call in sorted(calls):
        head, *rest = call.split(".")
        obj = importlib.import_module(_SDKS[head])
        for part in rest:
            obj = getattr(obj, part)
        if not (inspect.isclass(obj) and issubclass(obj, pulumi.Resource)):
            continue  # an Args class
        token = re.search(r"super\([^)]*\)\.__init__\(\s*'([^']+)'", inspect.getsource(obj))
        assert token, call
        if ":" in token.group(1) and token.group(1) not in mocks.RESOURCES:  # providers: 'docker'
            missing.append(f"{call} ({token.group(1)})")
    assert len(calls) > 40 and missing == []


def test_azure_does_not_return_a_vms_write_only_os_profile_fields(applied):
    for vm in applied["azure-dev"].of_type("azure-native:compute:VirtualMachine"):
        assert "customData" in vm.inputs["osProfile"]
        assert "customData" not in vm.outputs["osProfile"] and "adminPassword" not in vm.outputs["osProfile"]
        assert vm.outputs["osProfile"]["computerName"] == vm.inputs["osProfile"]["computerName"]


# --- AWS zones per region and the types each zone offers (facts: AWS "AWS Availability Zones",
# read 2026-12-03: ca-central-1 has three zones, named a, b and d; ap-northeast-1's new accounts
# see a, c and d; us-east-1 has six; use1-az3 has no T3; Stockholm has no T2) ------------------------


@pytest.mark.parametrize("region,names", [
    ("ca-central-1", ["ca-central-1a", "ca-central-1b", "ca-central-1d"]),
    ("ap-northeast-1", ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]),
    ("us-east-1", [f"us-east-1{z}" for z in "abcdef"]),
    ("eu-west-1", ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
    ("us-west-2", [f"us-west-2{z}" for z in "abcd"]),
])
def test_get_availability_zones_answers_the_regions_real_zones(mock_engine, region, names):
    import pulumi_aws as aws

    def program():
        pulumi.export("names", aws.get_availability_zones(state="available").names)

    assert sorted(mock_engine.run(program, config={"aws:region": region}).outputs["names"]) == names


@pytest.mark.parametrize("itype,region,missing", [("t3.micro", "us-east-1", "use1-az3"),
                                                   ("t2.micro", "eu-north-1", None),
                                                   # getmoto/moto@c6bd43ff recording (2026-08-01)
                                                   ("m7i.large", "us-east-1", "use1-az3"),
                                                   ("t2.micro", "us-west-2", "usw2-az4"),
                                                   ("m7i.large", "ca-west-1", None)])
def test_instance_type_offerings_leave_out_zones_without_the_type(mock_engine, itype, region, missing):
    import pulumi_aws as aws

    def program():
        zones = aws.get_availability_zones(state="available")
        offered = aws.ec2.get_instance_type_offerings(filters=[{"name": "instance-type", "values": [itype]}],
                                                      location_type="availability-zone")
        pulumi.export("ids", dict(zip(zones.names, zones.zone_ids, strict=True)))
        pulumi.export("offered", offered.locations)

    out = mock_engine.run(program, config={"aws:region": region}).outputs
    if missing is None:
        assert out["offered"] == []
    else:
        assert sorted(out["offered"]) == sorted(n for n, i in out["ids"].items() if i != missing)
        assert len(out["offered"]) == len(out["ids"]) - 1


def test_a_subnet_in_a_zone_the_region_does_not_have_is_refused(mock_engine):
    import pulumi_aws as aws

    def program():
        vpc = aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("s", vpc_id=vpc.id, cidr_block="10.0.1.0/24", availability_zone="ca-central-1c")

    with pytest.raises(engine.Refused, match="ca-central-1c"):
        mock_engine.run(program, config={"aws:region": "ca-central-1"})


def test_an_aws_host_given_a_zone_is_placed_in_it():
    _, result = preview.evaluate("aws-dev", project_dir=ROOT, overrides=["hosts[0].region=us-east-1d"])
    host = next(r for r in result.of_type("aws:ec2/instance:Instance") if "swarm" not in r.urn)
    assert host.outputs["availabilityZone"] == "us-east-1d" and host.inputs.get("region") == "us-east-1"


def test_an_aws_host_in_a_zone_without_its_type_is_refused_by_the_cloud(capsys):
    # In the offline account us-east-1e is use1-az3, which offers no T3 (aws-dev's hosts use t3.micro).
    from dockyard import cli

    code = cli.main(["preview", "aws-dev", "-C", str(ROOT), "--set", "hosts[0].region=us-east-1e"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "t3" in err and "us-east-1e" in err
