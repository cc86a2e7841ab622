"""The policy pack on the same cases as the offline check, as `pulumi preview --policy-pack` sees them.

Each case's resources are encoded the way the Pulumi engine sends them to an analyzer (protobuf
Structs, secrets in the wire's secret envelope, numbers as doubles) and handed to pulumi_policy's
own analyzer servicer, which deserialises them, wraps them in its unknown-checking proxy and runs
the pack's policies: the real path minus the gRPC socket.
"""

from __future__ import annotations

import dockyard_policy
import pytest
from dockyard_policy import PACK_NAME, POLICIES
from google.protobuf import json_format, struct_pb2
from guardrail_cases import CASES, Secret, paths, replaced
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from guardrails import RULES, Context

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def wire(value):
    if isinstance(value, Secret):
        return {rpc._special_sig_key: rpc._special_secret_sig, "value": wire(value.value)}
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire(v) for v in value]
    return value


def struct(props: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    json_format.ParseDict(wire(props), s)
    return s


def options(r: dict) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(additionalSecretOutputs=r.get("secretOutputs", []),
                                                parent=r.get("parent") or "")


def analyze(resources: list[dict]) -> list:
    """Diagnostics of every resource policy (one Analyze call per resource) and every stack policy."""
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", POLICIES, EnforcementLevel.MANDATORY)
    diags = []
    for r in resources:
        req = analyzer_pb2.AnalyzeRequest(type=r["type"], properties=struct(r["inputs"]), urn=r["urn"],
                                          name=r["name"], options=options(r))
        diags.extend(servicer.Analyze(req, None).diagnostics)
    stack = analyzer_pb2.AnalyzeStackRequest(resources=[
        analyzer_pb2.AnalyzerResource(
            type=r["type"], properties=struct(r["inputs"]), urn=r["urn"], name=r["name"], options=options(r),
            parent=r.get("parent") or "", dependencies=r.get("dependencies", []),
            propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                                  for k, v in r.get("propertyDependencies", {}).items()})
        for r in resources])
    diags.extend(servicer.AnalyzeStack(stack, None).diagnostics)
    return diags


@pytest.fixture(autouse=True)
def _reset_context():
    yield
    dockyard_policy.set_context(None)


POLICY_CASES = [c for c in CASES if c.policy]


@pytest.mark.parametrize("case", POLICY_CASES, ids=[f"{c.rule}: {c.id}" for c in POLICY_CASES])
def test_case_through_the_policy_pack(case):
    dockyard_policy.set_context(Context.from_json(case.context))
    diags = analyze(case.resources)
    names = {d.policyName for d in diags}
    if case.expect:
        assert case.rule in names, [d.message for d in diags]
        for d in diags:
            assert d.enforcementLevel == analyzer_pb2.MANDATORY
            assert d.policyPackName == PACK_NAME
            assert "How to fix:" in d.message
            assert d.urn in {r["urn"] for r in case.resources}
    else:
        assert diags == [], [f"{d.policyName}: {d.message}" for d in diags]


def test_one_mandatory_policy_per_rule():
    assert [p.name for p in POLICIES] == [r.id for r in RULES]
    assert all(p.enforcement_level == EnforcementLevel.MANDATORY for p in POLICIES)
    for rule in RULES:
        outcomes = {c.expect for c in POLICY_CASES if c.rule == rule.id}
        assert outcomes == {True, False}, f"{rule.id} needs a passing and a failing case in the pack"


def test_unknown_values_during_preview_do_not_crash_or_guess():
    dockyard_policy.set_context(Context.from_json({"adminCidrs": ["198.51.100.0/24"], "adminCidrsExplicit": True}))
    fw = {"urn": "urn:pulumi:s::dockyard::digitalocean:index/firewall:Firewall::fw",
          "type": "digitalocean:index/firewall:Firewall", "name": "fw",
          "inputs": {"inboundRules": [{"protocol": "tcp", "portRange": "22", "sourceAddresses": UNKNOWN},
                                      {"protocol": "tcp", "portRange": "2375", "sourceAddresses": ["10.0.0.0/8"]}]}}
    diags = analyze([fw])
    assert [d.policyName for d in diags] == ["docker-api-tls"]


def test_context_comes_from_the_stack_config_the_cli_passes(monkeypatch):
    """PULUMI_CONFIG is how the CLI hands a stack's config to a policy pack."""
    import json

    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"dockyard:adminCidrs": '["198.51.100.0/24"]'}))
    dockyard_policy.set_context(None)
    ok = {"urn": "urn:pulumi:s::dockyard::aws:ec2/securityGroup:SecurityGroup::sg",
          "type": "aws:ec2/securityGroup:SecurityGroup", "name": "sg",
          "inputs": {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["198.51.100.0/24"]}]}}
    assert analyze([ok]) == []
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"dockyard:adminCidrs": '["192.0.2.0/24"]'}))
    dockyard_policy.set_context(None)
    assert [d.policyName for d in analyze([ok])] == ["admin-ports-from-admin-cidrs"]


@pytest.mark.parametrize("case", POLICY_CASES, ids=[f"{c.rule}: {c.id}" for c in POLICY_CASES])
def test_unknown_values_anywhere_never_crash_a_policy(case):
    """The engine sends values unknown during `pulumi preview` as a marker; a crashing policy would
    stop the preview, so every input is made unknown in turn (below the top level, which the engine
    always sends as an object)."""
    dockyard_policy.set_context(Context.from_json(case.context))
    for n, r in enumerate(case.resources):
        for path in list(paths(r["inputs"]))[1:]:
            changed = dict(r, inputs=replaced(r["inputs"], path, UNKNOWN))
            analyze([*case.resources[:n], changed, *case.resources[n + 1:]])
