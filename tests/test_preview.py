"""Whole-stack previews of every shipped stack through the real CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dockyard import preview, stackfile

ROOT = Path(__file__).resolve().parent.parent
STACKS = stackfile.list_stacks(ROOT)
SCHEMA_KEYS = {"urn", "type", "name", "parent", "custom", "provider", "inputs", "dependencies",
               "propertyDependencies", "secretOutputs",
               # lifecycle options (CONTRACTS.md, docs/preview.md)
               "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges", "protect", "retainOnDelete",
               "aliases", "dependsOn"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_the_six_stacks_ship():
    assert set(STACKS) >= {"local", "local-k8s", "do-dev", "aws-dev", "azure-dev", "gcp-dev"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_previews_as_json_and_is_byte_identical(stack):
    first = _cli("preview", stack, "--json")
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    second = _cli("preview", stack, "--json")
    assert first.stdout == second.stdout, "the same config must give byte-identical output"
    doc = json.loads(first.stdout)
    assert set(doc) == {"project", "stack", "resources", "outputs", "warnings", "cost"}
    assert doc["project"] == "dockyard" and doc["stack"] == stack
    assert doc["resources"][0]["type"] == "pulumi:pulumi:Stack"
    urns = {r["urn"] for r in doc["resources"]}
    for r in doc["resources"]:
        assert set(r) - {"cost"} == SCHEMA_KEYS
        assert r["parent"] is None or r["parent"] in urns
        assert all(d in urns for d in r["dependencies"])
        assert isinstance(r["deleteBeforeReplace"], bool) and isinstance(r["protect"], bool)
        assert isinstance(r["retainOnDelete"], bool)
        assert all(isinstance(r[k], list) for k in ("ignoreChanges", "replaceOnChanges", "aliases", "dependsOn"))
        assert set(r["dependsOn"]) <= set(r["dependencies"])


def test_human_output_says_values_are_placeholders():
    out = _cli("preview", "local")
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert "offline" in first and "placeholders" in first
    assert "pulumi:pulumi:Stack" in out.stdout and "to create" in out.stdout


def test_local_never_imports_cloud_sdks():
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from dockyard import preview;"
        "preview.preview('local');"
        "bad = [m for m in ('pulumi_aws', 'pulumi_azure_native', 'pulumi_gcp') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def test_secrets_render_as_placeholder():
    from dockyard.engine import Secret

    assert preview.render({"a": Secret("pem"), "b": [Secret(1), 2]}) == {"a": "[secret]", "b": ["[secret]", 2]}


def test_set_overrides_follow_pulumi_paths():
    files = stackfile.StackFiles(project="dockyard", project_dir=ROOT, stack="x")
    stackfile.apply_set(files, "hosts[0].name=web")
    stackfile.apply_set(files, "hosts[0].tags.team=ops")
    stackfile.apply_set(files, "swarm.workers=5")
    stackfile.apply_set(files, "aws:region=eu-west-1")
    stackfile.apply_set(files, 'swarm.nodes["worker-1"].labels.zone=a')
    assert files.config == {
        "dockyard:hosts": [{"name": "web", "tags": {"team": "ops"}}],
        "dockyard:swarm": {"workers": 5, "nodes": {"worker-1": {"labels": {"zone": "a"}}}},
        "aws:region": "eu-west-1",
    }


def test_set_value_is_yaml():
    files = stackfile.StackFiles(project="dockyard", project_dir=ROOT, stack="x")
    stackfile.apply_set(files, "adminCidrs=[10.0.0.0/8, 192.0.2.0/24]")
    stackfile.apply_set(files, "swarm.loadBalancer=true")
    assert files.config["dockyard:adminCidrs"] == ["10.0.0.0/8", "192.0.2.0/24"]
    assert files.config["dockyard:swarm"] == {"loadBalancer": True}


def _lifecycle_program():
    import pulumi
    import pulumi_tls as tls

    first = tls.PrivateKey("first", algorithm="ED25519")
    tls.PrivateKey("second", algorithm="ED25519", opts=pulumi.ResourceOptions(
        delete_before_replace=True, protect=True, ignore_changes=["rsaBits"], replace_on_changes=["algorithm"],
        retain_on_delete=True, aliases=[pulumi.Alias(name="old")], depends_on=[first]))


def test_lifecycle_options_in_json_and_marked_in_the_text_tree(mock_engine):
    doc = preview.document(mock_engine.run(_lifecycle_program))
    first, second = doc["resources"][1:]
    assert second["deleteBeforeReplace"] is True and second["protect"] is True and second["retainOnDelete"] is True
    assert second["ignoreChanges"] == ["rsaBits"] and second["replaceOnChanges"] == ["algorithm"]
    assert second["dependsOn"] == [first["urn"]] and second["aliases"] == [second["urn"].replace("::second", "::old")]
    assert (first["deleteBeforeReplace"], first["protect"], first["ignoreChanges"], first["dependsOn"]) == (
        False, False, [], [])
    lines = preview.to_text(doc).splitlines()
    row = next(line for line in lines if " second [" in line)
    for mark in ("[delete-before-replace]", "[protect]", "[retain-on-delete]", "[ignore: rsaBits]",
                 "[replace-on: algorithm]", "[aliases: 1]", "[depends-on: 1]"):
        assert mark in row, (mark, row)
    plain = next(line for line in lines if line.endswith(" first"))
    assert "[" not in plain


def test_a_stacks_lifecycle_options_reach_the_preview():
    """components/hosts/azure.py ignores the VNet's subnets and replaces a VM on new custom data."""
    doc = preview.preview("azure-dev", project_dir=ROOT)
    vnets = [r for r in doc["resources"] if r["type"] == "azure-native:network:VirtualNetwork"]
    vms = [r for r in doc["resources"] if r["type"] == "azure-native:compute:VirtualMachine"]
    assert any(r["ignoreChanges"] == ["subnets"] for r in vnets)
    assert any("osProfile.customData" in r["replaceOnChanges"] for r in vms)


def test_diff_tolerates_the_lifecycle_fields(tmp_path):
    """A base preview from before the lifecycle fields and a head with them: no spurious change."""
    from dockyard import diff

    res = {"urn": "urn:x", "type": "t", "name": "n", "parent": None, "custom": True, "provider": None,
           "inputs": {"a": 1}, "dependencies": [], "propertyDependencies": {}, "secretOutputs": []}
    head = {**res, "deleteBeforeReplace": False, "ignoreChanges": [], "replaceOnChanges": [], "protect": False,
            "retainOnDelete": False, "aliases": [], "dependsOn": []}
    d = diff.compare({"stack": "s", "resources": [res], "outputs": {}},
                     {"stack": "s", "resources": [head], "outputs": {}})
    assert d.empty


def test_dry_run_flag_runs_as_pulumi_preview():
    out = _cli("preview", "local", "--json", "--dry-run")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert "04da6b54-80e4-46f7-96ec-b56ff0331ba9" in out.stdout  # the engine's unknown marker
    assert [r["urn"] for r in doc["resources"]] == [r["urn"] for r in json.loads(_cli("preview", "local", "--json").stdout)["resources"]]


def test_guardrails_read_a_preview_json_with_lifecycle_fields():
    import guardrails

    files, result = preview.evaluate("aws-dev", project_dir=ROOT)
    doc = json.loads(preview.to_json(preview.document(result)))
    assert "dependsOn" in doc["resources"][1]
    from_json = {(v.urn, v.rule) for v in guardrails.evaluate(doc["resources"])}
    from_engine = {(v.urn, v.rule) for v in guardrails.evaluate(result.resources)}
    assert from_json <= from_engine  # the JSON hides secret values, nothing else
