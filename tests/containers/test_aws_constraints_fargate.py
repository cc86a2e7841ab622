"""AWS API constraints a mock engine cannot enforce, for FargateApp (components/containers/fargate.py).

Expected values come from AWS documentation, not from the code under test:
* Security group and rule descriptions: a-z A-Z 0-9 space and ._-:/()#,@[]+=&;{}!$* only
  (EC2 API reference, CreateSecurityGroup GroupDescription and IpRange Description).
* Load balancer and target group names: at most 32 characters, only alphanumerics and hyphens,
  not beginning or ending with a hyphen; a load balancer's must not begin with "internal-"
  (ELB API reference, CreateLoadBalancer and CreateTargetGroup, Name).
* IAM role names: at most 64 characters of [\\w+=,.@-] (IAM API reference, CreateRole, RoleName).
An app name is a DNS label (up to 63 characters) and compose service names may hold '_' and '.'.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SG_TEXT = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")
ELB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
IMAGE = "nginx:1.27"
LONG = "customer-facing-storefront-application-for-the-spring-sale-x"  # 60 characters


def _sg_texts(result):
    for sg in result.of_type("aws:ec2/securityGroup:SecurityGroup"):
        yield sg.inputs["description"]
    for kind in ("Ingress", "Egress"):
        for rule in result.of_type(f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule"):
            yield rule.inputs.get("description", "")


@pytest.mark.parametrize("app", [
    {"name": "web", "platform": "fargate", "image": IMAGE},
    {"name": "shop", "platform": "fargate", "compose": str(FIXTURES / "three-services.yml")},
], ids=["image", "compose"])
def test_fargate_security_group_texts_use_the_allowed_characters(run_apps, app):
    texts = list(_sg_texts(run_apps([app])))
    assert len(texts) >= 4
    for text in texts:
        assert SG_TEXT.match(text), text


def _assert_names(result):
    lbs = result.of_type("aws:lb/loadBalancer:LoadBalancer")
    groups = result.of_type("aws:lb/targetGroup:TargetGroup")
    assert lbs and groups
    for res in lbs + groups:
        assert ELB_NAME.match(res.outputs["name"]), (res.name, res.outputs["name"])
    for lb in lbs:
        assert not lb.outputs["name"].lower().startswith("internal-"), lb.outputs["name"]
    for role in result.of_type("aws:iam/role:Role"):
        assert ROLE_NAME.match(role.outputs["name"]), (role.name, role.outputs["name"])


def test_fargate_long_app_name_gives_valid_lb_target_group_and_role_names(run_apps):
    assert len(LONG) == 60
    _assert_names(run_apps([{"name": LONG, "platform": "fargate", "image": IMAGE}]))


def test_fargate_internal_app_name_does_not_name_an_alb_internal(run_apps):
    _assert_names(run_apps([{"name": "internal-tools", "platform": "fargate", "image": IMAGE}]))


def test_fargate_compose_service_names_give_valid_target_group_names(run_apps, tmp_path):
    compose = tmp_path / "shop.yml"
    compose.write_text(textwrap.dedent("""\
        services:
          store_front:
            image: nginx:1.27
            ports:
              - "80:80"
          inventory-service-backend:
            image: nginx:1.27
            ports:
              - "8080:8080"
        """))
    result = run_apps([{"name": "shop", "platform": "fargate", "compose": str(compose)}], allow_outside=(tmp_path,))
    assert len(result.of_type("aws:lb/targetGroup:TargetGroup")) == 2
    _assert_names(result)
    names = [g.outputs["name"] for g in result.of_type("aws:lb/targetGroup:TargetGroup")]
    assert len(set(names)) == 2
