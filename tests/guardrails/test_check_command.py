"""`python -m dockyard preview STACK --check`: every shipped stack passes; a stack that breaks a
rule exits 3 with one line per violation (URN, rule, how to fix)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
BAD_STACKS = Path(__file__).resolve().parent / "stacks"


def dockyard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_there_are_stacks():
    assert {"local", "local-k8s", "do-dev", "aws-dev", "azure-dev", "gcp-dev"} <= set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stack_passes_the_guardrails(stack):
    proc = dockyard("preview", stack, "--check")
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr}"
    assert "Guardrails: all rules pass." in proc.stdout


def _project_with_stacks(tmp_path: Path, stack_dir: Path) -> Path:
    """The real program, with its stacks read from another folder (Pulumi.yaml's stackConfigDir)."""
    project = (ROOT / "Pulumi.yaml").read_text()
    assert "stackConfigDir: stacks" in project
    (tmp_path / "Pulumi.yaml").write_text(project.replace("stackConfigDir: stacks", f"stackConfigDir: {stack_dir}"))
    (tmp_path / "__main__.py").symlink_to(ROOT / "__main__.py")
    (tmp_path / "apps").symlink_to(ROOT / "apps")
    return tmp_path


def test_a_stack_that_breaks_a_rule_exits_3_with_one_line_per_violation(tmp_path):
    project = _project_with_stacks(tmp_path, BAD_STACKS)
    proc = dockyard("preview", "open-admin", "--check", "-C", str(project), cwd=ROOT)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("urn:pulumi:")]
    assert lines, proc.stderr
    firewall = [line for line in lines if "digitalocean:index/firewall:Firewall" in line]
    assert firewall and all("[admin-ports-from-admin-cidrs]" in line for line in firewall), lines
    assert any(" 22" in line and "0.0.0.0/0" in line for line in firewall), firewall
    for line in lines:
        urn, _, rest = line.partition(": [")
        rule, _, text = rest.partition("] ")
        assert urn.startswith("urn:pulumi:open-admin::dockyard::") and rule and "-- fix: " in text, line


def test_check_with_json_keeps_stdout_machine_readable(tmp_path):
    import json

    project = _project_with_stacks(tmp_path, BAD_STACKS)
    proc = dockyard("preview", "open-admin", "--check", "--json", "-C", str(project), cwd=ROOT)
    assert proc.returncode == 3
    doc = json.loads(proc.stdout)
    assert doc["stack"] == "open-admin" and doc["resources"]
