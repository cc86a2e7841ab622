"""Every guardrail on its passing and failing cases, as the offline preview hands them over."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from guardrail_cases import CASES, RULE_IDS, Secret, paths, replaced  # noqa: E402

import guardrails  # noqa: E402
from guardrails import Context, evaluate  # noqa: E402


def _ids(cases):
    return [f"{c.rule}: {c.id}" for c in cases]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_offline(case):
    found = evaluate(case.resources, case.outputs, Context.from_json(case.context))
    rules = {v.rule for v in found}
    if case.expect:
        assert case.rule in rules, f"expected a {case.rule} violation, got {[v.line() for v in found]}"
        for v in found:
            assert v.urn and v.message and v.fix
    else:
        assert found == [], "\n".join(v.line() for v in found)


def test_every_rule_has_a_passing_and_a_failing_case():
    registered = {r.id for r in guardrails.RULES}
    assert set(RULE_IDS) == registered
    for rule in registered:
        outcomes = {c.expect for c in CASES if c.rule == rule}
        assert outcomes == {True, False}, rule


def _as_json_view(value):
    """What `dockyard preview --json` writes: secrets as "[secret]"."""
    if isinstance(value, Secret):
        return "[secret]"
    if isinstance(value, dict):
        return {k: _as_json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json_view(v) for v in value]
    return value


NEEDS_SECRET_CONTENT = {"docker-api-tls"}


@pytest.mark.parametrize("case", [c for c in CASES if c.rule not in NEEDS_SECRET_CONTENT],
                         ids=_ids([c for c in CASES if c.rule not in NEEDS_SECRET_CONTENT]))
def test_case_on_the_json_file_form(case):
    """The same verdicts on a preview written to JSON and read back (secrets rendered "[secret]")."""
    resources = json.loads(json.dumps(_as_json_view(case.resources)))
    outputs = json.loads(json.dumps(_as_json_view(case.outputs))) if case.outputs is not None else None
    found = evaluate(resources, outputs, Context.from_json(case.context))
    assert (case.rule in {v.rule for v in found}) == case.expect
    if not case.expect:
        assert found == []


def test_secret_user_data_is_opaque_in_the_json_form_but_judged_when_visible():
    """A JSON preview hides secret user data; evaluate() must be handed the values themselves."""
    bad = next(c for c in CASES if c.id == "cloud-init daemon.json on 2375")
    assert evaluate(_as_json_view(bad.resources)) == []
    assert {v.rule for v in evaluate(bad.resources)} == {"docker-api-tls"}


def test_violation_line_names_urn_rule_and_fix():
    case = next(c for c in CASES if c.id == "unpublished port 8080 open to everyone")
    (v,) = evaluate(case.resources, None, Context.from_json(case.context))
    line = v.line()
    assert line.startswith(case.resources[0]["urn"] + ": [no-world-open-ingress] ")
    assert "8080" in line and "fix:" in line


def test_violations_follow_resource_order():
    a = next(c for c in CASES if c.id == "Deployment container privileged").resources
    b = next(c for c in CASES if c.id == "DO firewall: 2377 open to everyone").resources
    found = evaluate(b + a, None, Context.from_json({"adminCidrs": ["198.51.100.0/24"], "adminCidrsExplicit": True}))
    assert [v.urn for v in found][0] == b[0]["urn"]
    assert found[-1].urn == a[0]["urn"]


def test_unknown_values_are_not_guessed():
    """A value unknown during a real preview (pulumi_policy's sentinel) is neither pass nor crash."""
    from guardrails.model import UNKNOWN_TEXT

    fw = {"urn": "u", "type": "digitalocean:index/firewall:Firewall", "name": "fw",
          "inputs": {"inboundRules": [{"protocol": "tcp", "portRange": "22", "sourceAddresses": UNKNOWN_TEXT}]}}
    assert evaluate([fw], None, Context.from_json({"adminCidrs": ["198.51.100.0/24"], "adminCidrsExplicit": True})) == []


def test_context_round_trips_through_json():
    ctx = Context.from_json({"adminCidrs": ["198.51.100.0/24"], "adminCidrsExplicit": True, "sshPorts": [22, 2222],
                             "publishedPorts": [80], "loadBalancers": [["sock-shop", "front-end-lb"]],
                             "privilegedAllowed": ["manager-1"]})
    assert Context.from_json(json.loads(json.dumps(ctx.to_json()))) == ctx


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_any_value_unknown_during_a_preview_never_crashes_a_rule(case):
    """During `pulumi preview` any input may be unknown: each in turn, the rules must not raise."""
    from guardrails.model import UNKNOWN_MARKERS

    ctx = Context.from_json(case.context)
    markers = sorted(UNKNOWN_MARKERS)
    for n, r in enumerate(case.resources):
        inputs = _as_json_view(r["inputs"])
        for k, path in enumerate(paths(inputs)):
            changed = dict(r, inputs=replaced(inputs, path, markers[k % len(markers)]))
            resources = [*case.resources[:n], changed, *case.resources[n + 1:]]
            evaluate(resources, None, ctx)
