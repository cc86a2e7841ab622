"""Elastic IPs on AWS: aws-dev must fit a new account's quota, so swarm workers take none.

Expected values come from the requirements and AWS documentation, not from the code under test:
* "Elastic IP addresses per Region: 5" by default (Amazon VPC user guide, "Amazon VPC quotas").
  aws-dev has one standalone host, 3 managers, 5 workers and an EKS NAT gateway: with an Elastic
  IP for the host, each manager and the NAT gateway, 1 + 3 + 1 = 5.
* An instance launched into a subnet with ``AssociatePublicIpAddress`` gets a public IPv4 address
  from Amazon's pool (EC2 user guide, "Public IPv4 addresses"); it exists only with the instance,
  so it cannot be in a certificate that the instance's user data carries.
* A worker joins with ``--advertise-addr`` its own private address and reaches manager-1 on its
  private address, port 2377 (Docker docs, "docker swarm join").
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from components import config as C
from components.hosts import DockerHost, DockerHostArgs, Location
from components.hosts.host import Placement
from components.swarm import SwarmCluster, SwarmClusterArgs
from dockyard import preview
from dockyard.engine import Secret

ROOT = Path(__file__).resolve().parents[2]
EIP = "aws:ec2/eip:Eip"
ENI = "aws:ec2/networkInterface:NetworkInterface"
INSTANCE = "aws:ec2/instance:Instance"
CSR = "tls:index/certRequest:CertRequest"
CMD_REMOTE = "command:remote:Command"
MANAGERS = [f"manager-{i}" for i in (1, 2, 3)]
WORKERS = [f"worker-{i}" for i in (1, 2, 3, 4, 5)]


@pytest.fixture(scope="module")
def aws_dev():
    return preview.evaluate("aws-dev", (), ROOT)[1]


def _csr(result, host: str):
    return result.get(CSR, f"{host}-server-csr")


def _script_value(script: str, var: str) -> str:
    """The value a generated shell script assigns to ``var`` (VAR='...')."""
    for line in script.splitlines():
        if line.startswith(f"{var}="):
            (value,) = shlex.split(line[len(var) + 1:])
            return value
    raise AssertionError(f"{var} is not set in the script")


def test_aws_dev_preview_allocates_exactly_five_elastic_ips():
    out = subprocess.run([sys.executable, "-m", "dockyard", "preview", "aws-dev", "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    eips = sorted(r["name"] for r in doc["resources"] if r["type"] == EIP)
    assert len(eips) == 5, eips
    # Which five: the standalone host, each manager, the NAT gateway; no worker.
    assert "docker-aws-eip" in eips
    assert {f"swarm-{m}-eip" for m in MANAGERS} <= set(eips)
    assert not any("worker" in name for name in eips), eips
    assert not any("Elastic IP" in w for w in doc["warnings"]), doc["warnings"]


def test_workers_associate_a_public_ip_and_have_no_eip_or_eni(aws_dev):
    eni_names = {r.name for r in aws_dev.of_type(ENI)}
    eip_names = {r.name for r in aws_dev.of_type(EIP)}
    cluster_sg = aws_dev.get("aws:ec2/securityGroup:SecurityGroup", "swarm-cluster-sg").id
    for worker in WORKERS:
        vm = aws_dev.get(INSTANCE, f"swarm-{worker}")
        assert vm.inputs.get("associatePublicIpAddress") is True, worker
        assert not vm.inputs.get("primaryNetworkInterface"), worker
        assert vm.inputs["subnetId"].startswith("subnet-"), worker
        own_sg = aws_dev.get("aws:ec2/securityGroup:SecurityGroup", f"swarm-{worker}-sg").id
        # Still its own firewall and the cluster group (swarm ports between members).
        assert set(vm.inputs["vpcSecurityGroupIds"]) == {own_sg, cluster_sg}, worker
        assert f"swarm-{worker}-eni" not in eni_names and f"swarm-{worker}-eip" not in eip_names


def test_workers_keep_ssh_and_mtls_2376_from_admin_cidrs_only(aws_dev):
    admins = ["198.51.100.0/24"]  # stacks/Pulumi.aws-dev.yaml adminCidrs
    for worker in WORKERS:
        ingress = aws_dev.get("aws:ec2/securityGroup:SecurityGroup", f"swarm-{worker}-sg").inputs["ingress"]
        by_port = {(r["protocol"], r["fromPort"]): r for r in ingress if r.get("cidrBlocks")}
        assert by_port[("tcp", 2376)]["cidrBlocks"] == admins
        assert by_port[("tcp", 22)]["cidrBlocks"] == admins
        assert all(not (r["fromPort"] <= 2375 <= r["toPort"]) for r in ingress if r["protocol"] == "tcp")


@pytest.mark.parametrize("host", ["docker-aws", *(f"swarm-{m}" for m in MANAGERS)])
def test_standalone_host_and_managers_keep_eip_on_eni_and_ip_sans(aws_dev, host):
    eni = aws_dev.get(ENI, f"{host}-eni")
    eip = aws_dev.get(EIP, f"{host}-eip")
    vm = aws_dev.get(INSTANCE, host)
    assert eip.inputs["networkInterface"] == eni.id
    assert vm.inputs["primaryNetworkInterface"]["networkInterfaceId"] == eni.id
    assert "associatePublicIpAddress" not in vm.inputs
    csr = _csr(aws_dev, host)
    assert set(csr.inputs["ipAddresses"]) == {eip.outputs["publicIp"], eni.outputs["privateIp"], "127.0.0.1"}
    assert eip.outputs["publicDns"] in csr.inputs["dnsNames"]


def test_standalone_host_output_still_points_at_its_elastic_ip(aws_dev):
    eip = aws_dev.get(EIP, "docker-aws-eip")
    entry = aws_dev.outputs["hosts"]["docker-aws"]
    assert entry["ip"] == eip.outputs["publicIp"]
    assert entry["dockerHost"] == f"tcp://{eip.outputs['publicIp']}:2376"


def test_worker_certificates_name_no_ip_of_the_not_yet_existing_vm(aws_dev):
    for worker in WORKERS:
        vm = aws_dev.get(INSTANCE, f"swarm-{worker}")
        csr = _csr(aws_dev, f"swarm-{worker}")
        assert csr.inputs["ipAddresses"] == ["127.0.0.1"], worker
        assert csr.inputs["dnsNames"] == ["localhost"], worker
        assert vm.outputs["publicIp"] not in csr.inputs["ipAddresses"]
        assert vm.outputs["privateIp"] not in csr.inputs["ipAddresses"]
        # The certificate is issued before the VM: no dependency on it (no cycle).
        assert vm.urn not in csr.dependencies
        # Still mutual TLS: the server certificate is signed by the swarm's CA.
        cert = aws_dev.get("tls:index/locallySignedCert:LocallySignedCert", f"swarm-{worker}-server-cert")
        assert "server_auth" in cert.inputs["allowedUses"]


def test_worker_outputs_and_join_use_the_instance_ips(aws_dev):
    m1_private = aws_dev.get(ENI, "swarm-manager-1-eni").outputs["privateIp"]
    nodes = aws_dev.outputs["swarm"]["nodes"]
    for worker in WORKERS:
        vm = aws_dev.get(INSTANCE, f"swarm-{worker}")
        private, public = vm.outputs["privateIp"], vm.outputs["publicIp"]
        assert private and public
        assert nodes[worker]["address"] == private
        assert nodes[worker]["publicAddress"] == public
        join = aws_dev.get(CMD_REMOTE, f"swarm-{worker}-join")
        script = join.inputs["create"]
        assert _script_value(script, "ADDR") == private
        # Joins go through any manager that answers, manager-1 first.
        assert _script_value(script, "JOIN_ADDRS").split()[0] == m1_private
        connection = join.inputs["connection"]  # secret as a whole: it may carry the private key
        connection = connection.value if isinstance(connection, Secret) else connection
        assert connection["host"] == public  # SSH to the auto-assigned address
        assert vm.urn in join.dependencies  # runs after the instance exists


# --- the DockerHost option on its own ------------------------------------------------------------


def _ephemeral_host(mock_engine, apply_guard, seen):
    def program():
        cfg = C.HostConfig(name="w", cloud="aws")
        host = DockerHost("w", DockerHostArgs(config=cfg, ssh_public_key="ssh-ed25519 AAAA x",
                                              location=Location("us-east-1"),
                                              placement=Placement(ephemeral_public_ip=True)))
        for attr in ("public_ip", "private_ip", "internal_ip", "docker_host"):
            apply_guard.check(getattr(host, attr), lambda v, a=attr: seen.__setitem__(a, v), attr)

    return mock_engine.run(program, config={"aws:region": "us-east-1"})


def test_ephemeral_host_exposes_the_instance_ips_and_an_ssh_docker_host(mock_engine, apply_guard):
    seen = {}
    res = _ephemeral_host(mock_engine, apply_guard, seen)
    assert EIP not in res.types() and ENI not in res.types()
    vm = res.get(INSTANCE)
    assert vm.inputs["associatePublicIpAddress"] is True
    assert seen["public_ip"] == vm.outputs["publicIp"]
    assert seen["private_ip"] == seen["internal_ip"] == vm.outputs["privateIp"]
    # The IP is not in the certificate: Docker is reached over SSH (default user ubuntu, port 22).
    assert seen["docker_host"] == f"ssh://ubuntu@{vm.outputs['publicIp']}"
    assert res.get(CSR, "w-server-csr").inputs["ipAddresses"] == ["127.0.0.1"]


def test_ephemeral_public_ip_is_refused_off_aws(mock_engine):
    def program():
        cfg = C.HostConfig(name="g", cloud="gcp")
        DockerHost("g", DockerHostArgs(config=cfg, ssh_public_key="ssh-ed25519 AAAA x",
                                       location=Location(gcp_project="p", gcp_region="europe-west1"),
                                       placement=Placement(ephemeral_public_ip=True)))

    with pytest.raises(Exception, match="ephemeral_public_ip"):
        mock_engine.run(program)


def test_small_swarm_workers_have_no_eip_either(mock_engine):
    cfg = C.validate({"swarm": {"cloud": "aws", "managers": 1, "workers": 2},
                      "adminCidrs": ["198.51.100.0/24"]}, {"aws:region": "us-east-1"}, project_dir=ROOT)

    def program():
        SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, "test", project_dir=ROOT))

    res = mock_engine.run(program, stack="test", config={"aws:region": "us-east-1"})
    assert [r.name for r in res.of_type(EIP)] == ["swarm-manager-1-eip"]
    assert len(res.of_type(INSTANCE)) == 3
