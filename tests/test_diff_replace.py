"""`dockyard diff` tells update from replace (issue 11) on real previews of the shipped stacks.

Each pair of previews is run by the engine (`dockyard preview --json` on the real program), once
before and once after a config change. The expected verdicts come from the providers'
documentation (Terraform's aws_instance: `ami` is ForceNew, `instance_type` is updated in place;
Pulumi's engine: a resource whose provider reference changes is replaced), not from the code
under test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dockyard import cli, diff, engine, preview, stackfile

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = "aws:ec2/instance:Instance"


@pytest.fixture(scope="module")
def aws_dev():
    """aws-dev as shipped: hosts[0] (docker-aws) on the newest Ubuntu AMI, t3.micro."""
    return preview.preview("aws-dev", project_dir=ROOT)


def _write(tmp_path, name, doc):
    path = tmp_path / f"{name}.json"
    path.write_text(preview.to_json(doc))
    return str(path)


def _diff(tmp_path, base, head, *extra, capsys):
    assert cli.main(["diff", _write(tmp_path, "base", base), _write(tmp_path, "head", head), *extra]) == 0
    return capsys.readouterr().out


def _line(out: str, name: str) -> str:
    out = out.split("monthly cost:")[0]
    lines = [ln for ln in out.splitlines() if re.search(rf"{re.escape(INSTANCE)}\s+{re.escape(name)}\b", ln)]
    assert len(lines) == 1, out
    return lines[0]


def test_another_ami_replaces_the_host(aws_dev, tmp_path, capsys):
    head = preview.preview("aws-dev", ["hosts[0].image=ami-0abcdef1234567890"], project_dir=ROOT)
    out = _diff(tmp_path, aws_dev, head, capsys=capsys)
    line = _line(out, "docker-aws")
    assert "replace" in line and "(ami)" in line and "update in place" not in line
    # The host is on a pre-made network interface: its replacement deletes first.
    assert "delete first" in line
    md = _diff(tmp_path, aws_dev, head, "--format", "markdown", capsys=capsys)
    row = next(r for r in md.splitlines() if "`docker-aws`" in r)
    assert "replace" in row and "(ami)" in row


def test_another_instance_size_updates_in_place(aws_dev, tmp_path, capsys):
    head = preview.preview("aws-dev", ["hosts[0].size=t3.small"], project_dir=ROOT)
    out = _diff(tmp_path, aws_dev, head, capsys=capsys)
    line = _line(out, "docker-aws")
    assert line.rstrip().endswith("update in place")
    assert "replace" not in out.split("monthly cost:")[0]


def test_a_newer_upstream_ami_is_ignored_not_replaced(aws_dev, tmp_path, capsys):
    """Canonical publishes a newer AMI: getAmi answers another id, the unpinned host keeps its own
    (ignoreChanges: ami), and the diff says so instead of announcing a replacement."""
    from dockyard.mocks import INVOKES

    def newer(ctx, args):
        return {**INVOKES["aws:ec2/getAmi:getAmi"](ctx, args), "id": "ami-0fedcba9876543210",
                "imageId": "ami-0fedcba9876543210"}

    files = stackfile.load("aws-dev", ROOT)
    head = preview.document(preview.run_files(files, invokes={"aws:ec2/getAmi:getAmi": newer}))
    instances = [r for r in head["resources"] if r["type"] == INSTANCE and r["name"] == "docker-aws"]
    assert instances[0]["inputs"]["ami"] == "ami-0fedcba9876543210"  # the lookup really changed
    out = _diff(tmp_path, aws_dev, head, capsys=capsys)
    assert "replace" not in out.split("monthly cost:")[0]
    line = _line(out, "docker-aws")
    assert "no change" in line and "ignored" in line and "ami" in line


def test_a_provider_change_replaces(tmp_path, capsys):
    """A program that names its provider after the region (a common pattern for multi-region
    stacks): changing the region moves the instance to another provider, which replaces it."""
    import pulumi
    import pulumi_aws as aws

    def program():
        region = pulumi.Config("aws").require("region")
        provider = aws.Provider(f"aws-{region}", region=region)
        aws.ec2.Instance("web", ami="ami-0abcdef1234567890", instance_type="t3.micro",
                         opts=pulumi.ResourceOptions(provider=provider))

    def run(region):
        return preview.document(engine.run(program, stack="multi", config={"aws:region": region}))

    out = _diff(tmp_path, run("us-east-1"), run("us-west-2"), capsys=capsys)
    line = _line(out, "web")
    assert "replace" in line and "provider" in line


def test_markdown_row_with_pipe_and_newline_is_one_well_formed_row(aws_dev, tmp_path, capsys):
    head = preview.preview("aws-dev", ['hosts[0].tags.team="a|b\\nc"'], project_dir=ROOT)
    md = _diff(tmp_path, aws_dev, head, "--format", "markdown", capsys=capsys)
    table = md.split("#### Monthly cost")[0]
    rows = [r for r in table.splitlines() if r.startswith("|")]
    header = rows[0]
    width = len(re.split(r"(?<!\\)\|", header))
    for r in rows:  # every row has the header's cell count: no `|` splits a cell, no newline ends one
        assert r.endswith("|") and len(re.split(r"(?<!\\)\|", r)) == width, r
    instance = [r for r in rows if "`docker-aws`" in r]
    assert len(instance) == 1
    import html

    assert '"a|b\\nc"' in html.unescape(instance[0])


def test_ignore_changes_and_replace_on_changes_from_the_lifecycle():
    def res(**kw):
        base = {"urn": "urn:pulumi:s::p::azure-native:compute:VirtualMachine::vm",
                "type": "azure-native:compute:VirtualMachine", "name": "vm", "custom": True, "provider": None,
                "parent": None, "inputs": {}, "ignoreChanges": [], "replaceOnChanges": []}
        return {**base, **kw}

    doc = lambda r: {"stack": "s", "resources": [r], "outputs": {}}  # noqa: E731
    old = res(inputs={"osProfile": {"customData": "a", "computerName": "x"}, "hardwareProfile": {"vmSize": "A"}})
    new = res(inputs={"osProfile": {"customData": "b", "computerName": "x"}, "hardwareProfile": {"vmSize": "B"}},
              replaceOnChanges=["osProfile.customData"])
    (c,) = diff.compare(doc(old), doc(new)).changed
    assert c.action == "replace" and c.reasons == ["osProfile.customData"]
    new["ignoreChanges"] = ["osProfile.customData"]
    (c,) = diff.compare(doc(old), doc(new)).changed
    assert c.action != "replace" and c.ignored == ["osProfile.customData"]
    assert [k[0] for k in c.keys] == ["hardwareProfile.vmSize"]


def test_a_type_without_a_row_is_never_called_in_place(tmp_path, capsys):
    r = {"urn": "urn:pulumi:s::p::acme:index:Widget::w", "type": "acme:index:Widget", "name": "w", "custom": True,
         "provider": None, "parent": None}
    base = {"stack": "s", "resources": [{**r, "inputs": {"size": 1}}], "outputs": {}}
    head = {"stack": "s", "resources": [{**r, "inputs": {"size": 2}}], "outputs": {}}
    out = _diff(tmp_path, base, head, capsys=capsys)
    assert "replacement unknown" in out and "in place" not in out


def test_every_type_the_shipped_stacks_create_has_a_row():
    from components.kubernetes.objects import KINDS
    from dockyard import replacements

    types = set()
    for stack in stackfile.list_stacks(ROOT):
        doc = preview.preview(stack, project_dir=ROOT)
        types |= {r["type"] for r in doc["resources"] if r["custom"]}
    types |= {f"kubernetes:{'core' if api == 'v1' else api.split('/')[0]}/{api.split('/')[-1]}:{kind}"
              for api, kind in KINDS}
    missing = sorted(t for t in types if replacements.row(t) is None)
    assert missing == []
    for row in replacements.ROWS.values():
        assert row.source.startswith("https://") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row.read)


def test_a_partial_row_never_says_in_place(tmp_path, capsys):
    """Azure rows that list the provider's forceNewMap only: a change outside it is not called in place."""
    r = {"urn": "urn:pulumi:s::p::azure-native:operationalinsights:Workspace::logs",
         "type": "azure-native:operationalinsights:Workspace", "name": "logs", "custom": True, "provider": None,
         "parent": None}
    base = {"stack": "s", "resources": [{**r, "inputs": {"retentionInDays": 30}}], "outputs": {}}
    head = {"stack": "s", "resources": [{**r, "inputs": {"retentionInDays": 60}}], "outputs": {}}
    out = _diff(tmp_path, base, head, capsys=capsys)
    assert "replacement unknown" in out and "in place" not in out
    assert "resourceGroupName" in out  # the row says what else replaces


def test_every_markdown_cell_survives_pipes_backticks_and_newlines(aws_dev, tmp_path, capsys):
    """A resource name with `|`, a backtick and a newline (a hand-edited preview may hold one) keeps
    one row per resource in both tables, the changes table and the monthly-cost table."""
    import copy
    import html

    odd = "docker-aws|x`y\nz"
    base, head = copy.deepcopy(aws_dev), copy.deepcopy(aws_dev)
    for doc, size in ((base, "t3.micro"), (head, "t3.large")):
        for r in doc["resources"]:
            if r["type"] == INSTANCE and r["name"] == "docker-aws":
                r["name"], r["inputs"]["instanceType"] = odd, size
    md = _diff(tmp_path, base, head, "--format", "markdown", capsys=capsys)
    tables = [t for t in md.split("\n\n") if t.startswith("|")]
    assert len(tables) == 2  # changes and monthly cost
    for table in tables:
        rows = table.splitlines()
        width = len(re.split(r"(?<!\\)\|", rows[0]))
        assert all(len(re.split(r"(?<!\\)\|", r)) == width for r in rows), table
        named = [r for r in rows if "docker-aws" in r]
        assert len(named) == 1 and odd.replace("\n", "<br>") in html.unescape(named[0]).replace("<code>", "")
