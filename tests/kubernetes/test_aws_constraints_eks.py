"""AWS API constraints a mock engine cannot enforce, for EKS (components/kubernetes/eks.py).

Expected values come from AWS documentation, not from the code under test:
* CreateCluster refuses subnets in the zone IDs use1-az3, usw1-az2 and cac1-az3
  (UnsupportedAvailabilityZoneException; EKS user guide, "View Amazon EKS networking requirements
  for VPC and subnets"). Zone names map to zone IDs per account, so only the ID tells.
* publicAccessCidrs: "You can't add IPv6 CIDR blocks to IPv4 clusters" (EKS API reference,
  VpcConfigRequest).
* Without amiType, EKS gives a managed node group an x86_64 AMI type and refuses an arm64-only
  (Graviton) instance type; AL2023_ARM_64_STANDARD is the Amazon Linux 2023 arm64 AMI type
  (EKS API reference, CreateNodegroup amiType).
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

ROOT = Path(__file__).resolve().parents[2]
EKS_REFUSED_ZONE_IDS = {"use1-az3", "usw1-az2", "cac1-az3"}


def _run(mock_engine, kubernetes: dict, region: str, admin_cidrs=None):
    config = {"dockyard:kubernetes": kubernetes, "aws:region": region}
    if admin_cidrs is not None:
        config["dockyard:adminCidrs"] = admin_cidrs

    def program():
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        zones = aws.get_availability_zones(state="available")  # every zone, with its ID
        pulumi.export("zoneIds", dict(zip(zones.names, zones.zone_ids, strict=True)))

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        return mock_engine.run(program, stack="test", config=config)
    finally:
        os.chdir(here)


@pytest.mark.parametrize("region", ["us-east-1", "us-west-1", "ca-central-1"])
def test_eks_subnets_avoid_the_zone_ids_eks_refuses(mock_engine, region):
    result = _run(mock_engine, {"cluster": "eks"}, region)
    zone_ids = result.outputs["zoneIds"]
    zones = {s.inputs["availabilityZone"] for s in result.of_type("aws:ec2/subnet:Subnet")}
    assert len(zones) >= 2  # EKS needs subnets in two zones
    assert not {zone_ids[z] for z in zones} & EKS_REFUSED_ZONE_IDS, {z: zone_ids[z] for z in zones}


def test_eks_public_endpoint_gets_only_the_ipv4_admin_cidrs(mock_engine):
    result = _run(mock_engine, {"cluster": "eks"}, "us-east-1",
                  admin_cidrs=["198.51.100.0/24", "2001:db8::/32"])
    assert result.get("eks:index:Cluster").inputs["publicAccessCidrs"] == ["198.51.100.0/24"]


@pytest.mark.parametrize("size,ami_type", [("m7g.large", "AL2023_ARM_64_STANDARD"), ("t4g.medium", "AL2023_ARM_64_STANDARD"),
                                           ("m5.large", None)])
def test_eks_node_group_ami_type_matches_a_graviton_size(mock_engine, size, ami_type):
    result = _run(mock_engine, {"cluster": "eks", "nodeSize": size}, "us-east-1")
    group = result.get("eks:index:ManagedNodeGroup").inputs
    assert group["instanceTypes"] == [size]
    assert group.get("amiType") == ami_type


def test_eks_with_only_ipv6_admin_cidrs_is_an_input_error():
    """Refused by config validation, before any resource is declared."""
    from components import config
    from components.errors import InputError

    with pytest.raises(InputError) as err:
        config.validate({"adminCidrs": ["2001:db8::/32"], "kubernetes": {"cluster": "eks"}},
                        {"aws:region": "us-east-1"})
    assert err.value.where == "dockyard:adminCidrs"
