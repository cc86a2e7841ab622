"""A Fargate app with secretEnv passes its own least-privilege rule (issue 12).

ECS hands a task its ``secrets`` through the execution role, which therefore needs
``ssm:GetParameters`` on those parameters and nothing more (AWS docs, "Amazon ECS task execution
IAM role", Systems Manager permissions). The rule accepts exactly that: the managed execution
policy plus an inline policy reading the parameters the task definition names. Widening it in
any direction is still caught. Checked on the graph FargateApp really declares, with values
known (the offline preview) and unknown (as `pulumi preview` sees it).
"""

from __future__ import annotations

import dataclasses
import functools
import json

import pytest

import guardrails
from dockyard import engine, preview
from tests.conftest import ROOT

RULE = "ecs-execution-role-least-privilege"
SETS = ("containers[0].secretEnv[0]=API_TOKEN", "containers[0].secretEnv[1]=DB_PASSWORD",
        "cluster:API_TOKEN=tok", "cluster:DB_PASSWORD=pw")


@functools.cache
def _stack(dry_run: bool):
    return preview.evaluate("aws-dev", SETS, ROOT, dry_run=dry_run)


def _rules(files, regs) -> set[str]:
    ctx = guardrails.from_config(files.config, ROOT)
    return {v.rule for v in guardrails.evaluate(regs, None, ctx)}


def _secrets_policy(regs):
    (policy,) = [r for r in regs if r.type == "aws:iam/rolePolicy:RolePolicy"]
    return policy


@pytest.mark.parametrize("dry_run", [False, True], ids=["known", "unknown"])
def test_secret_env_passes_the_least_privilege_rule(dry_run):
    files, result = _stack(dry_run)
    regs = list(result.resources)
    assert [r.type for r in regs].count("aws:ssm/parameter:Parameter") == 2
    assert RULE not in _rules(files, regs)


def _with_policy(regs, change):
    policy = _secrets_policy(regs)
    document = json.loads(engine.reveal(policy.inputs)["policy"])
    change(document["Statement"][0])
    widened = dataclasses.replace(policy, inputs={**policy.inputs, "policy": json.dumps(document)})
    return [widened if r is policy else r for r in regs]


@pytest.mark.parametrize("change", [
    lambda st: st.update(Resource=st["Resource"] + [st["Resource"][0].rsplit("/", 1)[0] + "/OTHER"]),
    lambda st: st.update(Resource="*"),
    lambda st: st.update(Action=["ssm:GetParameters", "ssm:PutParameter"]),
    lambda st: st.update(Resource=st["Resource"][:1], Condition={"Bool": {"aws:SecureTransport": "true"}},
                         NotResource=st["Resource"][1:]),
], ids=["another-parameter", "every-parameter", "write-too", "not-resource"])
def test_a_wider_secrets_policy_is_still_caught(change):
    files, result = _stack(False)
    assert RULE in _rules(files, _with_policy(list(result.resources), change))


def test_unknown_policy_built_from_something_other_than_the_tasks_secrets_is_caught():
    files, result = _stack(True)
    regs = list(result.resources)
    policy = _secrets_policy(regs)
    role = next(r for r in regs if r.type == "aws:iam/role:Role" and r.name.endswith("-task"))
    deps = dict(policy.property_dependencies)
    deps["policy"] = (*deps["policy"], role.urn)
    widened = dataclasses.replace(policy, property_dependencies=deps)
    assert RULE in _rules(files, [widened if r is policy else r for r in regs])
