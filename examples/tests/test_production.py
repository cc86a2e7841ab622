"""What ACME promises about its production stack, checked offline on every pull request.

The fixtures come from Dockyard's pytest plugin (installed with Dockyard): ``dockyard_stack``
runs this project's program (the Pulumi.yaml above this file) under Dockyard's mock engine.
"""

import ipaddress

from dockyard.testing import assert_guardrails_pass, check_guardrails

DOCKER_TLS_PORT = 2376
WORLD = {"0.0.0.0/0", "::/0"}


def test_production_has_at_least_three_managers(dockyard_stack):
    # Three managers keep a Raft majority when one fails.
    production = dockyard_stack("production")
    managers = production.find("dockyard:index:DockerHost", name="*-manager-*")
    assert len(managers) >= 3
    assert production.outputs["swarm"]["managers"] >= 3


def _opens_to_world(from_port, to_port, cidrs, port):
    if from_port is None or to_port is None:
        return False
    covered = from_port <= port <= to_port or (from_port, to_port) in ((0, 0), (-1, -1))
    return covered and any(ipaddress.ip_network(c).prefixlen == 0 for c in cidrs if c)


def docker_api_open_to_world(result):
    """Names of the security groups and ingress rules that open 2376 to any address."""
    found = []
    for group in result.find("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("ingress", []):
            cidrs = rule.get("cidrBlocks", []) + rule.get("ipv6CidrBlocks", [])
            if _opens_to_world(rule.get("fromPort"), rule.get("toPort"), cidrs, DOCKER_TLS_PORT):
                found.append(group.name)
    for rule in result.find("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        cidrs = [rule.inputs.get("cidrIpv4"), rule.inputs.get("cidrIpv6")]
        if _opens_to_world(rule.inputs.get("fromPort"), rule.inputs.get("toPort"), cidrs, DOCKER_TLS_PORT):
            found.append(rule.name)
    return found


def test_no_security_group_opens_the_docker_api_to_the_world(dockyard_stack):
    assert docker_api_open_to_world(dockyard_stack("production")) == []


def test_every_deployment_has_resource_limits(dockyard_stack):
    production = dockyard_stack("production")
    deployments = production.find("kubernetes:apps/v1:Deployment")
    assert deployments, "the shop should run on EKS"
    without_limits = [
        f"{deployment.name}/{container['name']}"
        for deployment in deployments
        for container in deployment.inputs["spec"]["template"]["spec"]["containers"]
        if not {"cpu", "memory"} <= set(container.get("resources", {}).get("limits", {}))
    ]
    assert without_limits == []


def test_the_ci_cluster_exports_a_secret_kubeconfig(dockyard_stack):
    production = dockyard_stack("production")
    ci = production.get("acme:platform:K3sHost", name="ci")
    assert ci.is_secret("kubeconfig")
    assert production.is_secret("ciKubeconfig")
    assert production.is_secret("kubeconfig")  # EKS's, from Dockyard's KubernetesCluster


def test_production_passes_the_guardrails(dockyard_stack):
    assert_guardrails_pass(dockyard_stack("production"))


def test_opening_admin_access_to_the_world_is_caught(dockyard_stack):
    # A `--set` variant: what someone "just debugging" might push. Our 2376 check above catches it
    # (so it is not vacuous), and Dockyard's guardrails catch the k3s API opened with it.
    debugging = dockyard_stack("production", set={"dockyard:adminCidrs": ["0.0.0.0/0"]})
    assert "ci-sg" in docker_api_open_to_world(debugging)
    violations = check_guardrails(debugging)
    assert any(v.rule == "no-world-open-ingress" and v.urn.endswith("::ci-sg") for v in violations), violations
