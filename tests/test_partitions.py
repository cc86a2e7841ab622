"""AWS partitions (issue 12): China and GovCloud regions get ARNs of their own partition.

An ARN names its partition: ``arn:aws-cn:`` in the China regions (cn-north-1, cn-northwest-1),
``arn:aws-us-gov:`` in GovCloud (us-gov-west-1, us-gov-east-1), ``arn:aws:`` elsewhere (AWS docs,
"Identify AWS resources with Amazon Resource Names (ARNs)"). AWS-managed policies live at
``arn:<partition>:iam::aws:policy/<name>`` and EKS access policies at
``arn:<partition>:eks::aws:cluster-access-policy/<name>`` (EKS user guide, "Associate access
policies with access entries"). The expected ARNs below are written from those documents.

Each test is also a mutation guard: hard-coding ``arn:aws:`` anywhere on these paths fails it.
"""

from __future__ import annotations

import dataclasses
import functools
import json

import pytest

import guardrails
from dockyard import cli, preview
from tests.conftest import ROOT

PARTITIONS = [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
RULE = "ecs-execution-role-least-privilege"


@functools.cache
def _aws_dev(region: str, *extra: str):
    admin = f"arn:{dict(PARTITIONS)[region]}:iam::123456789012:role/platform-admins"
    sets = (f"aws:region={region}", f"kubernetes.admins[0]={admin}", *extra)
    return preview.evaluate("aws-dev", sets, ROOT)


def _rules(files, regs) -> set[str]:
    ctx = guardrails.from_config(files.config, ROOT)
    return {v.rule for v in guardrails.evaluate(regs, None, ctx)}


@pytest.mark.parametrize("region,partition", PARTITIONS)
def test_eks_names_the_aws_managed_policies_in_the_regions_partition(region, partition):
    _, result = _aws_dev(region)
    (cluster,) = [r for r in result.resources if r.type == "eks:index:Cluster"]
    nodes = {a.inputs["policyArn"] for a in result.resources
             if a.type == ATTACHMENT and a.parent == cluster.parent}
    assert nodes == {f"arn:{partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                     f"arn:{partition}:iam::aws:policy/AmazonEKS_CNI_Policy",
                     f"arn:{partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"}
    (entry,) = cluster.inputs["accessEntries"].values()
    assert entry["principalArn"] == f"arn:{partition}:iam::123456789012:role/platform-admins"
    (policy,) = entry["accessPolicies"].values()
    assert policy["policyArn"] == f"arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


@pytest.mark.parametrize("region,partition", PARTITIONS)
def test_fargate_attaches_the_execution_policy_of_the_regions_partition(region, partition):
    _, result = _aws_dev(region)
    (app,) = [r for r in result.resources if r.type == "dockyard:index:FargateApp"]
    wanted = f"arn:{partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    attached = [r.inputs["policyArn"] for r in result.resources if r.type == ATTACHMENT and r.parent == app.urn]
    assert attached == [wanted]
    (exclusive,) = [r for r in result.resources if r.type == EXCLUSIVE and r.parent == app.urn]
    assert exclusive.inputs["policyArns"] == [wanted]
    roles = [r for r in result.resources if r.type == "aws:iam/role:Role" and r.parent == app.urn]
    assert roles and all(r.outputs["arn"].startswith(f"arn:{partition}:iam::123456789012:role/") for r in roles)


@pytest.mark.parametrize("region,partition", PARTITIONS)
def test_the_guardrails_pass_china_and_govcloud_and_still_judge_there(region, partition):
    files, result = _aws_dev(region)
    regs = list(result.resources)
    assert _rules(files, regs) == set()
    (td,) = [r for r in regs if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
    role_urn = td.property_dependencies["executionRoleArn"][0]
    attachment = next(r for r in regs if r.type == ATTACHMENT and role_urn in r.property_dependencies.get("role", []))
    admin = dataclasses.replace(attachment, urn=attachment.urn + "-admin", name=attachment.name + "-admin",
                                inputs={**attachment.inputs,
                                        "policyArn": f"arn:{partition}:iam::aws:policy/AdministratorAccess"})
    assert RULE in _rules(files, regs + [admin])


@pytest.mark.parametrize("region", [r for r, _ in PARTITIONS])
def test_the_check_command_passes_the_shipped_aws_stack_in_china_and_govcloud(region, capsys):
    code = cli.main(["preview", "aws-dev", "-C", str(ROOT), "--check", "--set", f"aws:region={region}"])
    assert code == 0, capsys.readouterr().err


def test_the_mock_iam_refuses_a_policy_of_another_partition():
    """What makes a hard-coded arn:aws: fail offline: IAM in cn-north-1 has no arn:aws: policies."""
    from dockyard import engine

    def program():
        import pulumi_aws as aws

        role = aws.iam.Role("r", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
        aws.iam.RolePolicyAttachment("a", role=role.name,
                                     policy_arn="arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")

    with pytest.raises(Exception, match="aws-cn"):
        engine.run(program, config={"aws:region": "cn-north-1"})
