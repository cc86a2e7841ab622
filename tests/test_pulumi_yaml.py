"""Pulumi.yaml must load in every Pulumi CLI we support, not only the newest.

The rules below are written down from the project schema the CLI validates Pulumi.yaml against,
pulumi/pulumi sdk/go/common/workspace/project.json (read 2026-12-02), in the form it had before
pulumi/pulumi#20129 and #20132 added `object` (pulumi/pulumi#11321 is the request for it). Under
`config:`, each key maps either to a plain string, integer or boolean (a value) or to a type
declaration, which:

* has a `type`, one of string, integer, boolean, array ($defs.simpleConfigType);
* has no keys but type, items, description, secret and default (additionalProperties: false);
* when its type is array, has `items` ("if type is array then items is required");
* `items` is itself a mapping with a `type` from the same four, and `items` again when that is
  array ($defs.configItemsType); description must be a string and secret a boolean.

The CLI also checks a stack's values against a declared type, so a structured key (a list of
mappings, a mapping) cannot be declared with any of these types: it stays undeclared, and the
config model (components/config.py) validates it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

SIMPLE_TYPES = {"string", "integer", "boolean", "array"}
DECLARATION_KEYS = {"type", "items", "description", "secret", "default"}


def _items_problems(where: str, items) -> list[str]:
    if not isinstance(items, dict) or "type" not in items:
        return [f"{where}: items must be a mapping with a type"]
    problems = []
    if items["type"] not in SIMPLE_TYPES:
        problems.append(f"{where}: items type {items['type']!r} is not one of {sorted(SIMPLE_TYPES)}")
    if items["type"] == "array":
        if "items" not in items:
            problems.append(f"{where}: an array's items need items")
        else:
            problems += _items_problems(f"{where}.items", items["items"])
    return problems


def config_problems(project: dict) -> list[str]:
    """What a Pulumi CLI without `object` config types refuses in a project's `config:`."""
    problems = []
    for key, decl in (project.get("config") or {}).items():
        where = f"config.{key}"
        if isinstance(decl, (str, int, bool)):  # bool is an int: both plain values
            continue
        if not isinstance(decl, dict):
            problems.append(f"{where}: must be a string, integer, boolean or a type declaration")
            continue
        extra = set(decl) - DECLARATION_KEYS
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
        if decl.get("type") not in SIMPLE_TYPES:
            problems.append(f"{where}: type {decl.get('type')!r} is not one of {sorted(SIMPLE_TYPES)}")
        if decl.get("type") == "array":
            if "items" not in decl:
                problems.append(f"{where}: type array needs items")
            else:
                problems += _items_problems(f"{where}.items", decl["items"])
        if "description" in decl and not isinstance(decl["description"], str):
            problems.append(f"{where}: description must be a string")
        if "secret" in decl and not isinstance(decl["secret"], bool):
            problems.append(f"{where}: secret must be a boolean")
    return problems


def _project() -> dict:
    return yaml.safe_load((ROOT / "Pulumi.yaml").read_text())


def test_pulumi_yaml_config_declarations_load_in_every_supported_cli():
    assert config_problems(_project()) == []


def test_the_rules_refuse_what_older_clis_refuse():
    # The declarations Pulumi.yaml held before: object, and an array of objects.
    assert config_problems({"config": {"swarm": {"type": "object"}}})
    assert config_problems({"config": {"hosts": {"type": "array", "items": {"type": "object"}}}})
    assert config_problems({"config": {"cidrs": {"type": "array"}}})  # items missing
    assert config_problems({"config": {"x": {"type": "string", "properties": {}}}})
    assert not config_problems({"config": {"n": 3, "s": {"type": "string", "secret": True},
                                           "m": {"type": "array", "items": {"type": "array",
                                                                            "items": {"type": "integer"}}}}})


def test_simple_keys_are_declared_with_descriptions_and_structured_ones_are_documented():
    project = _project()
    assert project["name"] == "dockyard"
    assert project["runtime"]["options"] == {"toolchain": "pip", "virtualenv": ".venv"}
    assert project["stackConfigDir"] == "stacks"
    declared = project["config"]
    assert declared["adminCidrs"] == {"type": "array", "items": {"type": "string"},
                                      "description": declared["adminCidrs"]["description"]}
    assert declared["sshPublicKey"]["type"] == "string"
    assert all(d["description"] for d in declared.values())
    text = (ROOT / "Pulumi.yaml").read_text()
    for key in ("hosts", "swarm", "containers", "kubernetes"):
        assert key not in declared
        assert f"#   {key} " in text  # said in a comment, with what it holds
