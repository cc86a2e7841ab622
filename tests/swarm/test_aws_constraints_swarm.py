"""AWS API constraints a mock engine cannot enforce, for the swarm on AWS (components/swarm/aws_net.py).

Expected values come from AWS documentation, not from the code under test:
* RunInstances fails in an availability zone that does not offer the instance type; which zones
  do is what DescribeInstanceTypeOfferings (location type availability-zone) answers, and older
  zones lack newer families (EC2 user guide, "Find an Amazon EC2 instance type").
* "To support both TCP and UDP on the same port, create a TCP_UDP listener. The target groups for
  a TCP_UDP listener must use the TCP_UDP protocol" (ELB docs, "Listeners for your Network Load
  Balancers"); two listeners cannot share a port.
* Security group and rule descriptions: a-z A-Z 0-9 space and ._-:/()#,@[]+=&;{}!$* only
  (EC2 API reference, CreateSecurityGroup GroupDescription and IpRange Description).
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import config as C
from components import quotas
from components.swarm import SwarmCluster, SwarmClusterArgs

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = {"aws:region": "us-east-1"}
SG_TEXT = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")


def _run(mock_engine, swarm: dict, size: str = "t3.micro", allow_outside=()):
    raw = {"swarm": {"cloud": "aws", "size": size, **swarm}, "adminCidrs": ["198.51.100.0/24"]}
    if allow_outside:  # compose files in a test's tmp_path, outside the project
        raw["allowFilesOutsideProject"] = [str(p) for p in allow_outside]
    cfg = C.validate(raw, PROVIDERS, project_dir=ROOT)

    def program():
        SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, "test", project_dir=ROOT))
        quotas.warn_exceeded()  # as __main__ does once everything is declared
        # What the account answers: the default subnets, and the zones that offer the size.
        default = [{"name": "default-for-az", "values": ["true"]}]
        offered = aws.ec2.get_instance_type_offerings_output(
            filters=[{"name": "instance-type", "values": [size]}], location_type="availability-zone").locations
        pulumi.export("allSubnets", aws.ec2.get_subnets_output(filters=default).ids)
        pulumi.export("offeredSubnets", aws.ec2.get_subnets_output(
            filters=[*default, {"name": "availability-zone", "values": offered}]).ids)

    return mock_engine.run(program, stack="test", config=dict(PROVIDERS))


def test_aws_swarm_nodes_only_in_zones_that_offer_the_size(mock_engine):
    result = _run(mock_engine, {"managers": 3, "workers": 5, "loadBalancer": True})
    offered = set(result.outputs["offeredSubnets"])
    assert offered and offered != set(result.outputs["allSubnets"])  # the region has a zone without t3
    # A node's subnet is on its ENI (managers) or, without one, on its instance (workers).
    subnets = {r.name: r.inputs["subnetId"] for r in result.of_type("aws:ec2/networkInterface:NetworkInterface")}
    subnets.update({r.name: r.inputs["subnetId"] for r in result.of_type("aws:ec2/instance:Instance")
                    if "subnetId" in r.inputs})
    assert len(subnets) == 8
    for name, subnet in subnets.items():
        assert subnet in offered, name
    assert len(set(subnets.values())) >= 2  # still spread over zones


def test_aws_swarm_port_published_over_tcp_and_udp_gets_one_tcp_udp_listener(mock_engine, tmp_path):
    compose = tmp_path / "dns.yml"
    compose.write_text(textwrap.dedent("""\
        services:
          dns:
            image: coredns/coredns:1.11.1
            ports:
              - "53:53/tcp"
              - "53:53/udp"
          web:
            image: nginx:1.27
            ports:
              - "80:80"
        """))
    result = _run(mock_engine, {"managers": 1, "workers": 1, "loadBalancer": True,
                                "stacks": [{"name": "dns", "compose": str(compose)}]}, allow_outside=(tmp_path,))
    listeners = result.of_type("aws:lb/listener:Listener")
    ports = Counter(listener.inputs["port"] for listener in listeners)
    assert ports == {53: 1, 80: 1}  # one listener per port
    by_port = {listener.inputs["port"]: listener for listener in listeners}
    assert by_port[53].inputs["protocol"] == "TCP_UDP"
    assert by_port[80].inputs["protocol"] == "TCP"
    groups = {g.outputs["arn"]: g for g in result.of_type("aws:lb/targetGroup:TargetGroup")}
    (action,) = by_port[53].inputs["defaultActions"]
    assert groups[action["targetGroupArn"]].inputs["protocol"] == "TCP_UDP"


def test_aws_swarm_security_group_texts_use_the_allowed_characters(mock_engine):
    result = _run(mock_engine, {"managers": 1, "workers": 1, "loadBalancer": True})
    groups = result.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert groups
    for sg in groups:
        assert SG_TEXT.match(sg.inputs["description"]), sg.inputs["description"]
        for rule in sg.inputs.get("ingress", []) + sg.inputs.get("egress", []):
            assert SG_TEXT.match(rule.get("description", "")), rule
    for rule in result.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        assert SG_TEXT.match(rule.inputs.get("description", "")), rule.inputs


def test_aws_swarm_warns_when_its_elastic_ips_exceed_the_default_quota(mock_engine):
    # Amazon VPC quotas: 5 Elastic IP addresses per Region by default; each manager has one,
    # workers none.
    big = _run(mock_engine, {"managers": 7, "workers": 1})
    assert len(big.of_type("aws:ec2/eip:Eip")) == 7
    assert any("Elastic IP" in w and "quota" in w for w in big.warnings), big.warnings
    many_workers = _run(mock_engine, {"managers": 3, "workers": 5})
    assert len(many_workers.of_type("aws:ec2/eip:Eip")) == 3
    assert not any("Elastic IP" in w for w in many_workers.warnings), many_workers.warnings
    at_quota = _run(mock_engine, {"managers": 5, "workers": 2})
    assert len(at_quota.of_type("aws:ec2/eip:Eip")) == 5
    assert not any("Elastic IP" in w for w in at_quota.warnings), at_quota.warnings
