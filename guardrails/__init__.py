"""Dockyard's guardrails: security rules over what a stack would create.

Written once, as plain functions over a resource's type and inputs (guardrails/rules.py), and run
on two paths: offline by ``python -m dockyard preview STACK --check`` through :func:`evaluate`, and
by a real ``pulumi preview --policy-pack policy`` through the CrossGuard adapters in policy/.
No component imports this package: the rules judge the program from outside.

    violations = guardrails.evaluate(preview["resources"], preview["outputs"], context=ctx)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guardrails.context import Context, from_config, from_stack_file
from guardrails.model import Finding, Resource, Violation, as_resource
from guardrails.rules import RULES, Rule, stack_output_findings

__all__ = [
    "RULES", "Context", "Finding", "Resource", "Rule", "Violation", "as_resource", "check_result", "evaluate",
    "from_config", "from_stack_file", "run_rule", "STACK_OUTPUTS_RULE",
]

#: The rule id under which plain-text credentials in stack outputs are reported.
STACK_OUTPUTS_RULE = "secrets-only-in-secret-outputs"


def run_rule(rule: Rule, resources: list[Resource], context: Context) -> list[Violation]:
    """One rule over normalised resources (the policy pack's adapters call this too)."""
    out: list[Violation] = []
    if rule.kind == "stack":
        for urn, f in rule.check(resources, context):
            out.append(Violation(urn, rule.id, f.message, f.fix))
    else:
        for res in resources:
            for f in rule.check(res, context):
                out.append(Violation(res.urn, rule.id, f.message, f.fix))
    return out


def evaluate(
    resources: Iterable[Any],
    stack_outputs: Mapping[str, Any] | None = None,
    context: Context | None = None,
    *,
    stack_urn: str = "stack-outputs",
) -> list[Violation]:
    """Every violation of every rule, in resource order then rule order.

    ``resources``: preview-JSON dicts (urn, type, name, parent, inputs, secretOutputs,
    propertyDependencies...) or the engine's Registration objects (secret values wrapped, which
    lets the rules look inside secret user data). ``context``: the stack's facts, from
    :func:`guardrails.from_config`; without it the strictest defaults apply (adminCidrs unset, no
    published ports, no LoadBalancer asked for, nothing may run privileged).
    """
    ctx = context or Context()
    res = [as_resource(r) for r in resources]
    res = [r for r in res if r.type != "pulumi:pulumi:Stack"]
    found: list[Violation] = []
    for rule in RULES:
        found.extend(run_rule(rule, res, ctx))
    order = {r.urn: n for n, r in enumerate(res)}
    rank = {rule.id: n for n, rule in enumerate(RULES)}
    found.sort(key=lambda v: (order.get(v.urn, len(order)), rank[v.rule]))
    if stack_outputs is not None:
        for f in stack_output_findings(stack_outputs):
            found.append(Violation(stack_urn, STACK_OUTPUTS_RULE, f.message, f.fix))
    return found


def check_result(result: Any, config: Mapping[str, Any], project_dir: Any = ".") -> list[Violation]:
    """`dockyard preview --check`: the engine's result (registrations with secret values still
    wrapped, so secret user data is judged too) and the stack's config (full keys -> values)."""
    context = from_config(config, project_dir)
    stack_urn = next((r.urn for r in result.resources if r.type == "pulumi:pulumi:Stack"), "stack-outputs")
    return evaluate(result.resources, result.outputs, context, stack_urn=stack_urn)
