"""The pack as the Pulumi CLI runs it: a process in policy/ serving the analyzer over gRPC.

The CLI's pulumi-analyzer-policy-python starts ``python -u -m pulumi.policy ENGINE .`` in the pack
directory with the pack's virtualenv (pulumi/policy/__main__.py then runs the directory's
__main__.py), reads the port from its first line of output and calls GetAnalyzerInfo and Analyze
on 127.0.0.1. This test does the same (the engine address is not used by a Python pack), then
stops the process it started, by PID.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from guardrails import RULES

POLICY_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def analyzer():
    env = dict(os.environ, PULUMI_CONFIG=json.dumps({"dockyard:adminCidrs": '["198.51.100.0/24"]'}))
    proc = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."], cwd=POLICY_DIR, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_pack_announces_one_mandatory_policy_per_rule(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "dockyard-guardrails"
    assert [p.name for p in info.policies] == [r.id for r in RULES]
    assert {p.enforcementLevel for p in info.policies} == {analyzer_pb2.MANDATORY}


def test_the_served_pack_judges_with_the_stack_config(analyzer):
    def request(cidr: str) -> analyzer_pb2.AnalyzeRequest:
        props = struct_pb2.Struct()
        json_format.ParseDict({"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [cidr]}]},
                              props)
        return analyzer_pb2.AnalyzeRequest(type="aws:ec2/securityGroup:SecurityGroup", properties=props,
                                           urn="urn:pulumi:dev::dockyard::aws:ec2/securityGroup:SecurityGroup::sg",
                                           name="sg")

    assert list(analyzer.Analyze(request("198.51.100.0/24"), timeout=30).diagnostics) == []
    diags = analyzer.Analyze(request("0.0.0.0/0"), timeout=30).diagnostics
    assert {d.policyName for d in diags} == {"admin-ports-from-admin-cidrs"}
    assert all(d.enforcementLevel == analyzer_pb2.MANDATORY for d in diags)
