"""The rules read the provisioning the components really generate, not only hand-written samples.

For each kind of host (Ubuntu cloud-init on DigitalOcean, Flatcar Ignition on DigitalOcean,
base64 customData on Azure) the shipped stack passes; the same resource with its daemon turned
to the plain-text port fails. If a component changed how it carries daemon.json and the rules
stopped seeing it, the second half of each test would fail.
"""

from __future__ import annotations

import base64
import dataclasses
import functools

import pytest

import guardrails
from dockyard import engine, preview
from tests.conftest import ROOT


@functools.cache
def _stack(stack: str):
    files, result = preview.evaluate(stack, (), ROOT)
    return files, result


def _host(stack: str, type_: str, name: str):
    files, result = _stack(stack)
    found = [r for r in result.resources if r.type == type_ and r.name == name]
    assert len(found) == 1, [r.name for r in result.resources if r.type == type_]
    return files, found[0]


def _with_input(reg, path: tuple[str, ...], change) -> object:
    inputs = engine.reveal(reg.inputs)
    target = inputs
    for key in path[:-1]:
        target = target[key]
    before = target[path[-1]]
    target[path[-1]] = change(before)
    assert target[path[-1]] != before, "the mutation must change the document"
    return dataclasses.replace(reg, inputs=inputs)


def _rules(files, regs) -> set[str]:
    ctx = guardrails.from_config(files.config, ROOT)
    return {v.rule for v in guardrails.evaluate(regs, None, ctx)}


CASES = [
    ("do-dev", "digitalocean:index/droplet:Droplet", "docker-digitalocean", ("userData",),
     lambda text: text.replace("tcp://0.0.0.0:2376", "tcp://0.0.0.0:2375")),
    ("do-dev", "digitalocean:index/droplet:Droplet", "docker-flatcar", ("userData",),
     lambda text: text.replace("ListenStream=2376", "ListenStream=2375")),
    ("azure-dev", "azure-native:compute:VirtualMachine", "docker-azure", ("osProfile", "customData"),
     lambda b64: base64.b64encode(base64.b64decode(b64).replace(b'"tlsverify": true', b'"tlsverify": false')).decode()),
]


@pytest.mark.parametrize("stack,type_,name,path,change", CASES, ids=[f"{c[0]}:{c[2]}" for c in CASES])
def test_real_provisioning_passes_and_its_plain_text_twin_fails(stack, type_, name, path, change):
    files, reg = _host(stack, type_, name)
    assert "docker-api-tls" not in _rules(files, [reg])
    broken = _with_input(reg, path, change)
    assert "docker-api-tls" in _rules(files, [broken])


def test_fargate_execution_role_is_followed_through_the_real_graph():
    """aws-dev's FargateApp passes; one more policy on its execution role is caught."""
    files, result = _stack("aws-dev")
    regs = list(result.resources)
    assert "ecs-execution-role-least-privilege" not in _rules(files, regs)
    (td,) = [r for r in regs if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
    role_urn = td.property_dependencies["executionRoleArn"][0]
    attachment = next(r for r in regs if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
                      and role_urn in r.property_dependencies.get("role", []))
    extra = dataclasses.replace(attachment, urn=attachment.urn + "-admin", name=attachment.name + "-admin",
                                inputs={**attachment.inputs,
                                        "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    assert "ecs-execution-role-least-privilege" in _rules(files, regs + [extra])


def test_the_swarm_init_command_prints_tokens_and_must_keep_stdout_secret():
    files, reg = _host("do-dev", "command:remote:Command", "swarm-init")
    assert "secrets-only-in-secret-outputs" not in _rules(files, [reg])
    leaky = dataclasses.replace(reg, secret_outputs=[o for o in reg.secret_outputs if o != "stdout"])
    assert "secrets-only-in-secret-outputs" in _rules(files, [leaky])
