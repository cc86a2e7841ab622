"""Thin CrossGuard adapters around guardrails/: one policy per rule, nothing decided here.

Each policy turns what the policy engine hands it into ``guardrails.Resource`` values and calls
the same rule function that ``dockyard preview --check`` calls. Two differences of the engine are
handled here and nowhere else:

* pulumi_policy wraps inputs in a proxy that raises on values unknown during a preview; the
  adapter reads the proxy's underlying data instead, and the rules treat the unknown marker as a
  value they cannot see (no guess either way);
* secrets arrive unwrapped, so the pack cannot tell a secret value from a plain one: the
  secret-output rule checks what it can (additionalSecretOutputs) and leaves plain-text inputs
  and stack outputs to the offline check.

The stack facts some rules need (adminCidrs, published ports, LoadBalancers asked for) come from
the stack's own config, which the CLI passes to policy packs in PULUMI_CONFIG, with
stacks/Pulumi.$PULUMI_STACK.yaml as a fallback; guardrails.from_config builds them, as offline.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the repository: the pack runs from inside it
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pulumi  # noqa: E402
from pulumi_policy import (  # noqa: E402
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

import guardrails  # noqa: E402
from guardrails import Context, Resource, run_rule  # noqa: E402

PACK_NAME = "dockyard-guardrails"
_override: Context | None = None


def set_context(ctx: Context | None) -> None:
    """Use a fixed context (tests); None returns to reading the stack's config."""
    global _override
    _override = ctx
    _stack_context.cache_clear()


@functools.lru_cache(maxsize=1)
def _stack_context() -> Context:
    config = pulumi.runtime.get_config_env()
    if any(k.startswith("dockyard:") for k in config):
        return guardrails.from_config(config, ROOT)
    stack = os.environ.get("PULUMI_STACK", "").rsplit("/", 1)[-1]
    if stack and (ROOT / "stacks" / f"Pulumi.{stack}.yaml").exists():
        return guardrails.from_stack_file(stack, ROOT)
    return Context()  # the strictest defaults


def context() -> Context:
    return _override if _override is not None else _stack_context()


def _raw(value: Any) -> Any:
    """The data under pulumi_policy's unknown-checking proxies, all levels (or the value itself)."""
    if isinstance(value, (Mapping, Sequence)) and not isinstance(value, (str, bytes)):
        try:
            target = value["__target"]
        except (KeyError, TypeError, IndexError):
            target = value
        if isinstance(target, Mapping):
            return {k: _raw(v) for k, v in target.items()}
        return [_raw(v) for v in target]
    return value


def _inputs(props: Any) -> Mapping[str, Any]:
    value = guardrails.model.plain(_raw(props) or {})
    return value if isinstance(value, Mapping) else {}


def _resource(urn: str, type_: str, name: str, props: Any, opts: Any, *,
              property_dependencies: Mapping[str, list] | None = None,
              dependencies: list | None = None, parent: Any = None) -> Resource:
    return Resource(
        urn=urn,
        type=type_,
        name=name,
        inputs=_inputs(props),
        secret_outputs=frozenset(getattr(opts, "additional_secret_outputs", None) or ()),
        property_dependencies={k: tuple(d.urn for d in v) for k, v in (property_dependencies or {}).items()},
        dependencies=tuple(d.urn for d in dependencies or ()),
        parent=getattr(parent, "urn", parent) if parent is not None else getattr(opts, "parent", None),
        raw_inputs=None,  # the engine unwrapped secrets: plain vs secret is not visible here
    )


def _report(report_violation: ReportViolation, violations) -> None:
    for v in violations:
        report_violation(f"{v.message}\nHow to fix: {v.fix}", v.urn)


def _resource_policy(rule: guardrails.Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        res = _resource(args.urn, args.resource_type, args.name, args.props, args.opts)
        _report(report_violation, run_rule(rule, [res], context()))

    return ResourceValidationPolicy(name=rule.id, description=rule.title, validate=validate,
                                    enforcement_level=EnforcementLevel.MANDATORY)


def _stack_policy(rule: guardrails.Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [
            _resource(r.urn, r.resource_type, r.name, r.props, r.opts,
                      property_dependencies=r.property_dependencies, dependencies=r.dependencies,
                      parent=r.parent)
            for r in args.resources
        ]
        _report(report_violation, run_rule(rule, resources, context()))

    return StackValidationPolicy(name=rule.id, description=rule.title, validate=validate,
                                 enforcement_level=EnforcementLevel.MANDATORY)


POLICIES = [(_stack_policy if r.kind == "stack" else _resource_policy)(r) for r in guardrails.RULES]
