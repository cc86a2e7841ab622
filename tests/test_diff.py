"""`dockyard diff`: added, removed and changed resources; secrets never revealed."""

import json

import pytest

from dockyard import cli


def _res(name, type_="aws:ec2/instance:Instance", **inputs):
    return {"urn": f"urn:pulumi:s::dockyard::{type_}::{name}", "type": type_, "name": name, "parent": None,
            "custom": True, "provider": None, "inputs": inputs, "dependencies": [],
            "propertyDependencies": {}, "secretOutputs": []}


def _doc(resources, outputs=None):
    return {"project": "dockyard", "stack": "aws-dev", "resources": resources, "outputs": outputs or {},
            "warnings": []}


@pytest.fixture
def files(tmp_path):
    base = _doc([_res("web", instanceType="t3.micro", userData="[secret]"), _res("old")],
                {"url": "http://a", "key": "[secret]"})
    head = _doc([_res("web", instanceType="t3.small", userData="[secret]", tags={"a": "b"}), _res("new")],
                {"url": "http://b", "key": "[secret]"})
    b, h = tmp_path / "base.json", tmp_path / "head.json"
    b.write_text(json.dumps(base))
    h.write_text(json.dumps(head))
    return str(b), str(h)


def test_text_diff(files, capsys):
    assert cli.main(["diff", *files]) == 0
    out = capsys.readouterr().out
    assert "1 to add, 1 to change, 1 to delete" in out
    assert "+ aws:ec2/instance:Instance  new" in out
    assert "- aws:ec2/instance:Instance  old" in out
    assert 'instanceType: "t3.micro" → "t3.small"' in out
    assert "tags (added)" in out
    assert "userData" not in out  # unchanged secret: not a change
    assert 'url: "http://a" → "http://b"' in out


def test_markdown_diff_is_a_table(files, capsys):
    assert cli.main(["diff", *files, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### Stack `aws-dev`")
    assert "| ➕ | `aws:ec2/instance:Instance` | `new` | create | |" in out
    assert "| ✏️ | `aws:ec2/instance:Instance` | `web` |" in out


def test_changed_secret_shows_key_only(tmp_path, capsys):
    base = _doc([_res("web", password="[secret]", note="x")])
    head = _doc([_res("web", password="[secret]", note={"k": "[secret]"})])
    (tmp_path / "b.json").write_text(json.dumps(base))
    (tmp_path / "h.json").write_text(json.dumps(head))
    cli.main(["diff", str(tmp_path / "b.json"), str(tmp_path / "h.json")])
    out = capsys.readouterr().out
    assert "      note\n" in out  # named, value withheld because one side holds a secret


def test_no_changes(files, capsys):
    cli.main(["diff", files[0], files[0]])
    assert "no changes" in capsys.readouterr().out


def test_bad_input_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope")
    assert cli.main(["diff", str(bad), str(bad)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {bad}:2: not valid JSON")
    assert cli.main(["diff", str(tmp_path / "missing.json"), str(bad)]) == 2
    assert "file not found" in capsys.readouterr().err
