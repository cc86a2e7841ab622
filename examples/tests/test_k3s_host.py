"""Our own component, K3sHost, tested on its own with ``dockyard_program``: no stack file, only
the resources it declares, under the same mocks as Dockyard's."""

import pulumi
import pytest
from acme_platform import K3sHost, K3sHostArgs

from components.config import HostConfig
from components.hosts import Location

ADMINS = ["203.0.113.0/24"]

# What /etc/rancher/k3s/k3s.yaml looks like on a fresh k3s server (trimmed).
K3S_YAML = """apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTi...
    server: https://127.0.0.1:6443
  name: default
kind: Config
users:
- name: default
  user:
    client-key-data: LS0tLS1CRUdJTi...
"""


def remote_command(request):
    """Our mock of pulumi_command's remote Command: `cat` of the kubeconfig prints it."""
    stdout = K3S_YAML if request.inputs["create"].endswith("k3s.yaml") else ""
    return {"stdout": stdout, "stderr": ""}


def k3s_program():
    host = K3sHost("ci", K3sHostArgs(host=HostConfig(name="ci", cloud="aws", size="t3.medium"),
                                     admin_cidrs=ADMINS, location=Location(aws_region="us-east-1")))
    pulumi.export("kubeconfig", host.kubeconfig)
    pulumi.export("publicIp", host.public_ip)


@pytest.fixture
def k3s(dockyard_program):
    return dockyard_program(k3s_program, mocks={"command:remote:Command": remote_command})


def test_kubeconfig_is_secret_and_points_at_the_host(k3s):
    assert k3s.is_secret("kubeconfig")
    assert f"server: https://{k3s.outputs['publicIp']}:6443" in k3s.outputs["kubeconfig"]
    assert "127.0.0.1" not in k3s.outputs["kubeconfig"]


def test_kubernetes_api_is_open_to_the_admins_only(k3s):
    (group,) = k3s.find("aws:ec2/securityGroup:SecurityGroup", within="ci")
    api = [rule for rule in group.inputs["ingress"] if rule["fromPort"] <= 6443 <= rule["toPort"]]
    assert [rule["cidrBlocks"] for rule in api] == [ADMINS]


def test_kubeconfig_is_read_after_k3s_is_installed(k3s):
    install = k3s.get("command:remote:Command", name="ci-install-k3s")
    fetch = k3s.get("command:remote:Command", name="ci-kubeconfig")
    assert install.urn in fetch.lifecycle.depends_on or install.urn in fetch.dependencies
    assert fetch.is_secret("stdout")


def test_every_ssh_command_pins_the_host_key(k3s):
    commands = k3s.find("command:remote:Command", within="ci")
    assert {c.name for c in commands} >= {"ci-install-k3s", "ci-kubeconfig"}
    keys = {c.inputs["connection"].get("hostKey") for c in commands}
    assert len(keys) == 1 and keys.pop().startswith("ssh-ed25519 ")
    assert all(c.inputs["connection"]["host"] == k3s.outputs["publicIp"] for c in commands)
