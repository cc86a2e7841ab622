"""The shapes the rules work on: a normalised resource, a finding, a violation.

Resources reach the rules from two places that spell things differently:

* the offline preview (``dockyard preview --json`` dicts, or the engine's Registration objects,
  whose secret values are wrapped in a ``Secret`` with a ``.value``), and
* the Pulumi policy engine (pulumi_policy hands inputs with secrets already unwrapped and with
  values that are unknown during a preview replaced by a sentinel string).

:func:`as_resource` turns any of them into one :class:`Resource`, so that every rule is written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: How the preview JSON renders a secret value (DESIGN.md §Preview JSON): its content is hidden.
SECRET_TEXT = "[secret]"
#: The engine's markers for values not known until a resource is created (one per kind, as
#: pulumi_policy/proxy.py lists them); the rules treat them like hidden values.
UNKNOWN_TEXT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_MARKERS = frozenset({
    UNKNOWN_TEXT,
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})


def is_opaque(value: Any) -> bool:
    """True for a value whose content the rules cannot see (secret in a JSON file, or unknown)."""
    return isinstance(value, str) and (value == SECRET_TEXT or value in UNKNOWN_MARKERS)


def is_secret_wrapper(value: Any) -> bool:
    """The offline engine wraps secrets in ``dockyard.engine.Secret``; duck-typed so that this
    module imports nothing from the program it judges."""
    return type(value).__name__ == "Secret" and hasattr(value, "value")


def plain(value: Any) -> Any:
    """Strip secret wrappers (the rules must see inside secret user data, as the policy engine does)."""
    if is_secret_wrapper(value):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Structs carry every number as a double
    return value


@dataclass(frozen=True)
class Resource:
    """One resource as the rules see it. ``inputs`` are plain (secrets unwrapped where visible)."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    secret_outputs: frozenset[str] = frozenset()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    parent: str | None = None
    #: The inputs as they arrived, secret markers kept, or None when the source hides secretness
    #: (the policy engine). Only the secret-output rule looks at it.
    raw_inputs: Mapping[str, Any] | None = None

    def get(self, *path: str | int, default: Any = None) -> Any:
        return dig(self.inputs, *path, default=default)

    def deps_of(self, prop: str) -> tuple[str, ...]:
        return tuple(self.property_dependencies.get(prop, ()))


def dig(value: Any, *path: str | int, default: Any = None) -> Any:
    """Follow keys/indexes; a missing, None or opaque step gives ``default``."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return default
            value = value[step]
        else:
            if not isinstance(value, Mapping) or step not in value:
                return default
            value = value[step]
        if value is None or is_opaque(value):
            return default
    return value


def as_list(value: Any) -> list:
    if value is None or is_opaque(value):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, Mapping):
            if n in obj:
                return obj[n]
        elif hasattr(obj, n):
            return getattr(obj, n)
    return default


def as_resource(obj: Any) -> Resource:
    """A preview-JSON dict, an engine Registration or an already normalised Resource."""
    if isinstance(obj, Resource):
        return obj
    raw = _attr(obj, "inputs", default={}) or {}
    if not isinstance(plain(raw), Mapping):  # all inputs unknown during a preview
        raw = {}
    deps = _attr(obj, "propertyDependencies", "property_dependencies", default={}) or {}
    return Resource(
        urn=str(_attr(obj, "urn", default="")),
        type=str(_attr(obj, "type", default="")),
        name=str(_attr(obj, "name", default="")),
        inputs=plain(raw),
        secret_outputs=frozenset(_attr(obj, "secretOutputs", "secret_outputs", default=()) or ()),
        property_dependencies={k: tuple(v or ()) for k, v in deps.items()},
        dependencies=tuple(_attr(obj, "dependencies", default=()) or ()),
        parent=_attr(obj, "parent", default=None),
        raw_inputs=raw,
    )


@dataclass(frozen=True)
class Finding:
    """What a rule function returns: what is wrong and how to fix it."""

    message: str
    fix: str


@dataclass(frozen=True)
class Violation:
    urn: str
    rule: str
    message: str
    fix: str

    def line(self) -> str:
        """One line for `dockyard preview --check`: URN, rule, what is wrong, how to fix it."""
        return f"{self.urn}: [{self.rule}] {self.message} -- fix: {self.fix}"

    def as_dict(self) -> dict[str, str]:
        return {"urn": self.urn, "rule": self.rule, "message": self.message, "fix": self.fix}


def walk_strings(value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """Every string leaf with its path (``spec.template.spec.containers[0].command[1]``)."""
    if isinstance(value, str):
        if not is_opaque(value):
            yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from walk_strings(v, f"{path}[{i}]")
