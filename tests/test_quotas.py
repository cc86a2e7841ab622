"""Default cloud quotas: the shipped stacks stay within them, and every stack names each one it
exceeds, on every cloud (components/quotas.py).

Expected values come from the clouds' documentation (read 2026-12-02), not from the code:
* DigitalOcean: "By default, you can reserve three reserved IPs per account"
  (docs.digitalocean.com/products/networking/reserved-ips/details/limits/).
* AWS: 5 Elastic IP addresses per Region (Amazon VPC user guide, "Amazon VPC quotas").
* Azure: 20 Total Regional vCPUs per region (Microsoft Learn, "Azure subscription and service
  limits", Virtual Machines limits); a size's vCPUs are the number in its name (Microsoft Learn,
  "Azure virtual machine sizes naming conventions": Standard_D4as_v5 has 4 vCPUs; a constrained
  size Standard_E8-4ds_v5 has 4 active ones).
* Google Cloud: STATIC_ADDRESSES and IN_USE_ADDRESSES, 8 per region in a new project's quotas
  (Compute Engine allocation quotas).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from components import quotas
from dockyard import preview

ROOT = Path(__file__).resolve().parent.parent
RESERVED_IP = "digitalocean:index/reservedIp:ReservedIp"
EIP = "aws:ec2/eip:Eip"


def _run(stack: str, *overrides: str):
    return preview.evaluate(stack, list(overrides), ROOT)[1]


def _quota_warnings(result) -> list[str]:
    return [w for w in result.warnings if w.startswith("quota:")]


@pytest.fixture(scope="module")
def do_dev():
    return _run("do-dev")


def test_do_dev_stays_within_three_reserved_ips(do_dev):
    # Two hosts and the swarm's one manager keep a reserved IP; the two workers use the droplet's own.
    ips = do_dev.of_type(RESERVED_IP)
    assert sorted(r.name for r in ips) == ["docker-digitalocean-ip", "docker-flatcar-ip", "swarm-manager-1-ip"]
    assert _quota_warnings(do_dev) == []


def test_do_swarm_workers_use_the_droplets_own_public_address(do_dev):
    nodes = do_dev.outputs["swarm"]["nodes"]
    for worker in ("worker-1", "worker-2"):
        droplet = do_dev.get("digitalocean:index/droplet:Droplet", f"swarm-{worker}")
        assert nodes[worker]["publicAddress"] == droplet.outputs["ipv4Address"]
        assert nodes[worker]["address"] == droplet.outputs["ipv4AddressPrivate"]
        assert not [r for r in do_dev.of_type("digitalocean:index/reservedIpAssignment:ReservedIpAssignment")
                    if r.name.startswith(f"swarm-{worker}")]
        # Not a SAN (assigned with the droplet): the certificate names localhost only.
        csr = do_dev.get("tls:index/certRequest:CertRequest", f"swarm-{worker}-server-csr")
        assert droplet.outputs["ipv4Address"] not in (csr.inputs.get("ipAddresses") or [])


def test_do_warning_names_the_reserved_ip_quota_and_what_uses_it():
    result = _run("do-dev", "swarm.managers=3")
    assert len(result.of_type(RESERVED_IP)) == 5
    (warning,) = _quota_warnings(result)
    assert "5 DigitalOcean reserved IPs" in warning and "more than the 3 per account" in warning
    for user in ("docker-digitalocean", "docker-flatcar", "swarm-manager-1", "swarm-manager-3"):
        assert user in warning
    assert "docs.digitalocean.com" in warning


def test_aws_dev_stays_within_five_elastic_ips_and_a_sixth_is_named():
    at_quota = _run("aws-dev")
    assert len(at_quota.of_type(EIP)) == 5 and _quota_warnings(at_quota) == []
    over = _run("aws-dev", "hosts[1]={name: docker-aws-2, cloud: aws}")
    assert len(over.of_type(EIP)) == 6
    (warning,) = _quota_warnings(over)
    assert "6 AWS Elastic IP addresses in us-east-1" in warning and "more than the 5 per region" in warning
    assert "NAT gateway" in warning and "docker-aws-2" in warning


def test_azure_warning_names_the_regional_vcpu_quota():
    assert _quota_warnings(_run("azure-dev")) == []  # 2 + 3 * 2 + 2 * 2 = 12 vCPUs
    # 3 + 5 swarm nodes of 4 vCPUs (Standard_D4s_v3) = 32, + the host's 2 and AKS's 2 * 2.
    over = _run("azure-dev", "swarm.managers=3", "swarm.workers=5", "swarm.size=Standard_D4s_v3")
    (warning,) = _quota_warnings(over)
    assert "38 Azure vCPUs (Total Regional vCPUs) in westeurope" in warning
    assert "more than the 20 per region" in warning


def test_gcp_warnings_name_static_and_in_use_address_quotas():
    assert _quota_warnings(_run("gcp-dev")) == []  # one host, two zonal GKE nodes
    # A regional cluster: 3 nodes in each of 3 zones = 9 in-use addresses, + the host's.
    over = _run("gcp-dev", "kubernetes.region=europe-west1", "kubernetes.nodeCount=3")
    (warning,) = _quota_warnings(over)
    assert "10 Google Cloud in-use external IP addresses (IN_USE_ADDRESSES) in europe-west1" in warning
    hosts = ", ".join(f"{{name: h{i}, cloud: gcp}}" for i in range(9))
    many = _run("gcp-dev", f"hosts=[{hosts}]")
    texts = _quota_warnings(many)
    assert any("9 Google Cloud static external IP addresses (STATIC_ADDRESSES) in europe-west1" in w for w in texts)
    assert any("11 Google Cloud in-use external IP addresses" in w for w in texts)


@pytest.mark.parametrize("size,vcpus", [("Standard_B2s", 2), ("Standard_D2s_v3", 2), ("Standard_D4as_v5", 4),
                                        ("Standard_E8-4ds_v5", 4), ("Standard_F16s_v2", 16), ("weird", None)])
def test_azure_vcpus_from_the_size_name(size, vcpus):
    assert quotas.azure_vcpus(size) == vcpus


def test_one_ledger_counts_every_cloud_and_warns_only_past_the_default():
    ledger = quotas.Ledger()
    ledger.count("digitalocean.reserved_ips", "a")
    ledger.count("digitalocean.reserved_ips", "b", 2)
    ledger.count("aws.elastic_ips", "x", 5, region="eu-west-1")
    ledger.count("aws.elastic_ips", "y", 5, region="us-east-1")
    assert ledger.exceeded() == []  # exactly at every default
    ledger.count("aws.elastic_ips", "z", region="us-east-1")
    (warning,) = ledger.exceeded()
    assert "6 AWS Elastic IP addresses in us-east-1 (y (5), z)" in warning
    with pytest.raises(KeyError):
        ledger.count("aws.vpcs", "v")
