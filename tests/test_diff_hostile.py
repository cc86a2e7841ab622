"""`dockyard diff` on preview documents whose fields have the wrong type (found by
tests/test_hostile_inputs.py: each was a traceback in diff.compare or the cost section)."""

from __future__ import annotations

import json

import pytest

from dockyard import cli

RESOURCE = {"urn": "urn:pulumi:s::dockyard::tls:index/privateKey:PrivateKey::k", "type": "tls:index/privateKey:PrivateKey",
            "name": "k", "parent": None, "custom": True, "inputs": {"algorithm": "ED25519"}, "ignoreChanges": []}


def doc(**resource_changes) -> dict:
    r = {k: v for k, v in {**RESOURCE, **resource_changes}.items() if v is not ...}
    return {"project": "dockyard", "stack": "s", "resources": [r], "outputs": {}, "warnings": []}


@pytest.mark.parametrize("head, field", [
    (doc(type=["a"]), "resources[0].type must be a string, not a list"),
    (doc(urn=...), "resources[0] has no urn"),
    (doc(name=None), "resources[0].name must be a string, not null"),
    (doc(inputs=7.5), "resources[0].inputs must be an object, not a number"),
    (doc(ignoreChanges=[1]), "resources[0].ignoreChanges must be a list of strings, not a list"),
    (doc(parent=["x"]), "resources[0].parent must be a string or null, not a list"),
    ({**doc(), "resources": [None]}, "resources[0] must be an object, not null"),
    ({**doc(), "resources": [RESOURCE, RESOURCE]}, "resources[1]: a second resource with URN"),
    ({**doc(), "outputs": ["x"]}, "outputs must be an object, not a list"),
])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_wrong_field_types_are_one_error_line(tmp_path, capsys, head, field, fmt):
    base_file, head_file = tmp_path / "base.json", tmp_path / "head.json"
    base_file.write_text(json.dumps(doc()))
    head_file.write_text(json.dumps(head))
    assert cli.main(["diff", str(base_file), str(head_file), "--format", fmt]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith(f"error: {head_file}: {field}")
    assert out.err.count("\n") == 1 and "Traceback" not in out.err


def test_unknown_fields_are_tolerated(tmp_path, capsys):
    """DESIGN.md: consumers tolerate fields they do not know."""
    f = tmp_path / "a.json"
    f.write_text(json.dumps({**doc(), "newField": {"x": 1}, "resources": [{**RESOURCE, "future": [1, 2]}]}))
    assert cli.main(["diff", str(f), str(f)]) == 0
