"""AWS API constraints a mock engine cannot enforce, for the EC2 Docker host (components/hosts/aws.py).

Expected values come from AWS and Canonical documentation, not from the code under test:
* RunInstances refuses an AMI whose architecture the instance type does not support; Graviton
  types (the "g" after the generation digit: t4g, m7g) support arm64 only (EC2 user guide,
  "Instance type naming conventions"; DescribeInstanceTypes ProcessorInfo.SupportedArchitectures).
* Canonical (owner 099720109477) publishes Ubuntu 24.04 as
  ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-<amd64|arm64>-server-<date> (ubuntu.com/server/docs,
  "Find Ubuntu images on AWS").
* Security group and rule descriptions: a-z A-Z 0-9 space and ._-:/()#,@[]+=&;{}!$* only
  (EC2 API reference, CreateSecurityGroup GroupDescription and IpRange Description).
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pytest

from components import config
from components.hosts.host import build_hosts

CANONICAL = "099720109477"
NOBLE = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-{arch}-server-*"
SG_TEXT = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")
CONFIG = {"dockyard:adminCidrs": ["198.51.100.0/24"], "aws:region": "us-east-1"}


def _run(mock_engine, size: str):
    def program():
        build_hosts(config.load())
        # The image Canonical publishes for each architecture, looked up the documented way.
        for deb_arch, ec2_arch in (("amd64", "x86_64"), ("arm64", "arm64")):
            image = aws.ec2.get_ami_output(
                most_recent=True, owners=[CANONICAL], region="us-east-1",
                filters=[{"name": "name", "values": [NOBLE.format(arch=deb_arch)]},
                         {"name": "architecture", "values": [ec2_arch]}])
            pulumi.export(ec2_arch, image.id)

    cfg = {"dockyard:hosts": [{"name": "h", "cloud": "aws", "size": size}], **CONFIG}
    return mock_engine.run(program, stack="test", config=cfg)


@pytest.mark.parametrize("size,arch", [("t4g.small", "arm64"), ("m7g.medium", "arm64"), ("t3.micro", "x86_64")])
def test_aws_host_ami_matches_the_instance_type_architecture(mock_engine, size, arch):
    result = _run(mock_engine, size)
    assert result.outputs["arm64"] != result.outputs["x86_64"]
    instance = result.get("aws:ec2/instance:Instance")
    assert instance.inputs["instanceType"] == size
    assert instance.inputs["ami"] == result.outputs[arch]


def test_aws_host_security_group_texts_use_the_allowed_characters(mock_engine):
    result = _run(mock_engine, "t3.micro")
    (sg,) = result.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert SG_TEXT.match(sg.inputs["description"])
    rules = sg.inputs.get("ingress", []) + sg.inputs.get("egress", [])
    assert rules
    for rule in rules:
        assert SG_TEXT.match(rule.get("description", "")), rule
