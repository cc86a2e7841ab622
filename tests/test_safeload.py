"""Hostile files through the command line (issue 12: "Malformed files", "YAML alias bombs", "Work
that is not bounded", "Error shape"): every file Dockyard reads (a stack file, Pulumi.yaml, a compose
file through `dockyard convert` and through a stack, a kubeconfig, a docker context's meta.json, a
`diff` input, an outputs file for `env`/`ls`) goes through components/safeload.py. Each case runs
the real CLI in a subprocess (with a timeout and a memory limit, so a hang or an alias bomb fails
the test instead of the machine) and asserts the README's contract: exit 2, exactly one stderr
line `error: <file>...`, no traceback, nothing of the file's content echoed.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from components import safeload

ROOT = Path(__file__).resolve().parent.parent
MARK = "HOSTILE-7c1d-CONTENT"  # put in file contents where the format allows; must never be printed

# --- hostile contents -------------------------------------------------------------------------------

#: nine levels of nine aliases: 9**9 nodes once expanded, a few hundred bytes written (flow style, so
#: it fits wherever a value does)
BOMB = "[" + ", ".join([f"&l0 [{', '.join(['x'] * 9)}]"] +
                       [f"&l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]) + "]"
DEEP = "[" * 3000 + "]" * 3000
OVER = safeload.MAX_BYTES + 4096


def _yaml_classes(good: str, dup: str, key: str = "x-hostile: ") -> dict[str, bytes | str]:
    """Content per class for a YAML file whose valid form is ``good`` (a mapping; ``dup`` repeats a
    key); ``key`` + a value appended to ``good`` puts that value where the format holds data."""
    return {
        "binary": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) + MARK.encode(),
        "non-utf8": good.encode() + f"# caf\xe9 {MARK}\n".encode("latin-1"),
        "utf16": (good + f"# {MARK}\n").encode("utf-16"),
        "nul": good + f"# {MARK}\x00\n",
        "duplicate-key": dup,
        "deep": good + f"{key}{DEEP}\n",
        "alias-bomb": good + f"{key}{BOMB}\n",
        "self-alias": good + f"{key}&self [{MARK}, *self]\n",
        "over-size": "size",
        "fifo": "fifo",
        "dev-zero": "/dev/zero",
    }


STACK_GOOD = "config:\n  dockyard:adminCidrs: ['203.0.113.0/24']\n"
COMPOSE_GOOD = "services:\n  web:\n    image: nginx:1.27\n"
KUBECONFIG_GOOD = ("apiVersion: v1\nkind: Config\ncontexts:\n- name: dev\n  context: {cluster: c, user: u}\n"
                   "clusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:6443'}\nusers:\n- name: u\n  user: {}\n")
PREVIEW_GOOD = {"project": "dockyard", "stack": "t", "resources": [], "outputs": {}, "warnings": []}
OUTPUTS_GOOD = {"hosts": {"h": {"dockerHost": "tcp://192.0.2.1:2376", "cloud": "aws", "os": "ubuntu",
                                "size": "t3.small"}},
                "hostCredentials": {"h": {"ca": "C", "cert": "C", "key": "K"}}}


def _json_classes(good: dict) -> dict[str, bytes | str]:
    text = json.dumps(good)
    return {
        "binary": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) + MARK.encode(),
        "non-utf8": text[:-1].encode() + ', "x": "caf\xe9"}'.encode("latin-1"),
        "utf16": text.encode("utf-16"),
        "duplicate-key": text[:-1] + ", " + json.dumps(dict([next(iter(good.items()))]))[1:],
        "deep": text[:-1] + f', "x": {DEEP}}}',
        "nan": text[:-1] + ', "x": NaN}',
        "over-size": "size",
        "fifo": "fifo",
        "dev-zero": "/dev/zero",
    }


# --- placing a file and running the CLI -------------------------------------------------------------


def _place(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    if content == "fifo":
        os.mkfifo(path)
    elif content == "/dev/zero":
        path.symlink_to("/dev/zero")
    elif content == "size":  # valid text, then blanks past the cap (sparse: no disk used for the blanks)
        path.write_text("# big\n")
        with path.open("r+b") as f:
            f.truncate(OVER)
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


def _limits():  # a subprocess that expands an alias bomb fails on memory, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def _cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "COMPOSE_", "DOCKER_"))}
    base["PYTHONPATH"] = str(ROOT)
    try:
        return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=cwd, env={**base, **(env or {})},
                              capture_output=True, text=True, errors="replace", timeout=120, preexec_fn=_limits)
    except subprocess.TimeoutExpired:
        pytest.fail(f"dockyard {' '.join(args)} hung")


def assert_one_error(proc: subprocess.CompletedProcess, names: str | None = None) -> str:
    """Exit 2, one stderr line `error: ...` (naming ``names`` before the message), no traceback, no content."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and proc.stderr.endswith("\n"), proc.stderr[-2000:]
    assert lines[0].startswith("error: "), lines[0]
    if names is not None:
        assert names in lines[0], lines[0]
    assert MARK not in proc.stderr and MARK not in proc.stdout
    return lines[0]


def _project(tmp_path: Path, stack: str) -> Path:
    proj = tmp_path / "proj"
    (proj / "stacks").mkdir(parents=True, exist_ok=True)
    (proj / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (proj / "__main__.py").symlink_to(ROOT / "__main__.py")
    (proj / "stacks" / "Pulumi.t.yaml").write_text(stack)
    return proj


def _preview(proj: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return _cli("preview", "t", "-C", str(proj), env=env)


# --- the matrix: file kind x class ------------------------------------------------------------------


def stack_file(tmp_path, content):
    proj = _project(tmp_path, STACK_GOOD)
    _place(proj / "stacks" / "Pulumi.t.yaml", content)
    return _preview(proj), "Pulumi.t.yaml"


def project_file(tmp_path, content):
    proj = _project(tmp_path, STACK_GOOD)
    _place(proj / "Pulumi.yaml", content)
    return _preview(proj), "Pulumi.yaml"


def compose_convert(tmp_path, content):
    _place(tmp_path / "docker-compose.yml", content)
    return _cli("convert", str(tmp_path / "docker-compose.yml")), "docker-compose.yml"


SWARM_STACK = ("config:\n  dockyard:swarm:\n    cloud: local\n    managers: 1\n    workers: 0\n    stacks:\n"
               "      - name: app\n        compose: app/docker-compose.yml\n")


def compose_stack(tmp_path, content):
    proj = _project(tmp_path, SWARM_STACK)
    _place(proj / "app" / "docker-compose.yml", content)
    return _preview(proj, {"DOCKER_HOST": "unix:///nonexistent.sock"}), "docker-compose.yml"


def compose_env_file(tmp_path, content):
    (tmp_path / "docker-compose.yml").write_text(COMPOSE_GOOD + "    env_file: web.env\n")
    _place(tmp_path / "web.env", content)
    return _cli("convert", str(tmp_path / "docker-compose.yml")), "web.env"


def kubeconfig(tmp_path, content):
    proj = _project(tmp_path, "")
    _place(proj / "kubeconfig", content)
    (proj / "stacks" / "Pulumi.t.yaml").write_text(
        f"config:\n  dockyard:kubernetes:\n    cluster: existing\n    context: dev\n"
        f"    kubeconfig: {proj / 'kubeconfig'}\n")
    return _preview(proj), "kubeconfig"


def docker_context(tmp_path, content):
    """A local swarm on the current docker context: its meta.json is read (components/config.py)."""
    proj = _project(tmp_path, SWARM_STACK)
    (proj / "app").mkdir()
    (proj / "app" / "docker-compose.yml").write_text(COMPOSE_GOOD)
    docker = tmp_path / "docker"
    meta = docker / "contexts" / "meta" / hashlib.sha256(b"hostile").hexdigest() / "meta.json"
    _place(meta, content)
    return _preview(proj, {"DOCKER_CONFIG": str(docker), "DOCKER_CONTEXT": "hostile"}), "meta.json"


def diff_input(tmp_path, content):
    (tmp_path / "head.json").write_text(json.dumps(PREVIEW_GOOD))
    _place(tmp_path / "base.json", content)
    return _cli("diff", str(tmp_path / "base.json"), str(tmp_path / "head.json")), "base.json"


def outputs_ls(tmp_path, content):
    _place(tmp_path / "outputs.json", content)
    return _cli("ls", "t", "--outputs-file", str(tmp_path / "outputs.json")), "outputs.json"


def outputs_env(tmp_path, content):
    _place(tmp_path / "outputs.json", content)
    return _cli("env", "t", "h", "--outputs-file", str(tmp_path / "outputs.json"),
                env={"HOME": str(tmp_path / "home")}), "outputs.json"


KINDS = {
    stack_file: _yaml_classes(STACK_GOOD, STACK_GOOD + "  dockyard:adminCidrs: ['198.51.100.0/24']\n",
                              "  dockyard:sshPublicKey: "),
    project_file: {k: v for k, v in _yaml_classes((ROOT / "Pulumi.yaml").read_text(), "name: a\nname: b\n").items()
                   if k in ("binary", "non-utf8", "utf16", "nul", "duplicate-key", "deep", "self-alias",
                            "alias-bomb")},
    compose_convert: _yaml_classes(COMPOSE_GOOD, COMPOSE_GOOD + "services: {}\n"),
    compose_stack: _yaml_classes(COMPOSE_GOOD, COMPOSE_GOOD + "services: {}\n"),
    compose_env_file: {"binary": b"A=1\n\x00" + MARK.encode(), "utf16": f"A={MARK}\n".encode("utf-16"),
                       "fifo": "fifo", "dev-zero": "/dev/zero", "over-size": "size"},
    kubeconfig: _yaml_classes(KUBECONFIG_GOOD, KUBECONFIG_GOOD + "kind: Config\n"),
    docker_context: _json_classes({"Name": "hostile", "Endpoints": {"docker": {"Host": "unix:///x.sock"}}}),
    diff_input: _json_classes(PREVIEW_GOOD),
    outputs_ls: _json_classes(OUTPUTS_GOOD),
    outputs_env: _json_classes(OUTPUTS_GOOD),
}

#: Cases the code before components/safeload.py already answered with one exit-2 line (e.g. a FIFO
#: as a stack file was "no such stack", a compose file's encoding errors were caught): left out, as
#: every test here must fail on that code.
REFUSED_BEFORE = {
    ("stack_file", "fifo"), ("stack_file", "dev-zero"), ("compose_convert", "binary"),
    ("compose_convert", "non-utf8"), ("compose_convert", "utf16"), ("compose_convert", "duplicate-key"),
    ("compose_convert", "self-alias"), ("compose_stack", "binary"), ("compose_stack", "non-utf8"),
    ("compose_stack", "utf16"), ("compose_stack", "duplicate-key"), ("compose_stack", "self-alias"),
    ("compose_stack", "fifo"), ("compose_stack", "dev-zero"), ("compose_env_file", "utf16"),
    ("compose_env_file", "fifo"), ("compose_env_file", "dev-zero"), ("compose_env_file", "over-size"),
    ("kubeconfig", "nul"), ("kubeconfig", "over-size"), ("kubeconfig", "fifo"), ("kubeconfig", "dev-zero"),
    ("docker_context", "binary"), ("docker_context", "non-utf8"), ("docker_context", "utf16"),
    ("docker_context", "over-size"), ("diff_input", "over-size"), ("diff_input", "fifo"),
    ("diff_input", "dev-zero"), ("outputs_ls", "over-size"), ("outputs_env", "over-size"),
}
CASES = [(kind.__name__, name) for kind, classes in KINDS.items() for name in classes
         if (kind.__name__, name) not in REFUSED_BEFORE]
_KIND = {kind.__name__: kind for kind in KINDS}


@pytest.mark.parametrize("kind, name", CASES, ids=[f"{k}-{n}" for k, n in CASES])
def test_hostile_file_is_one_error_line(tmp_path, kind, name):
    proc, shown = _KIND[kind](tmp_path, KINDS[_KIND[kind]][name])
    assert_one_error(proc, shown)


# --- shapes inside a well-formed file ----------------------------------------------------------------

SHAPES = [
    ("stack-config-a-list", stack_file, "config:\n  - dockyard:adminCidrs\n"),
    ("stack-config-a-string", stack_file, "config: dockyard\n"),
    ("stack-config-key-not-a-string", stack_file, "config:\n  1: 2\n"),
    ("stack-date-out-of-range", stack_file, "config:\n  dockyard:sshPublicKey: 2024-13-45\n"),
    ("stack-int-too-long", stack_file, "config:\n  dockyard:sshPublicKey: " + "9" * 5000 + "\n"),
    ("project-config-a-list", project_file, "name: dockyard\nruntime: python\nconfig: [a]\n"),
    ("kubeconfig-contexts-a-number", kubeconfig, "apiVersion: v1\ncontexts: 5\n"),
    ("kubeconfig-context-a-list", kubeconfig, "contexts:\n- name: dev\n  context: [a]\n"),
    ("kubeconfig-contexts-of-strings", kubeconfig, "contexts: [dev]\n"),
    ("diff-infinity", diff_input, json.dumps(PREVIEW_GOOD)[:-1] + ', "x": 1e999}'),
]


@pytest.mark.parametrize("case, kind, content", SHAPES, ids=[s[0] for s in SHAPES])
def test_malformed_shape_is_one_error_line(tmp_path, case, kind, content):
    proc, _ = kind(tmp_path, content)
    assert_one_error(proc)


# --- error shape: argparse and --set --------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["env", "--shell", "zsh"],
    ["preview"],
    ["no-such-command"],
    [],
    ["diff", "--format", "html", "a", "b"],
], ids=["bad-choice", "missing-argument", "unknown-command", "no-command", "bad-option-value"])
def test_usage_error_is_one_line(argv):
    assert_one_error(_cli(*argv))


@pytest.mark.parametrize("value", ["[1", "{a: 1", "a: b: c", BOMB,
                                   "&a [*a]", "!!python/object:os.system {}"],
                         ids=["unclosed-list", "unclosed-map", "nested-colon", "alias-bomb", "self-alias",
                              "python-tag"])
def test_set_value_that_is_not_yaml_is_one_line(value):
    line = assert_one_error(_cli("preview", "local", "--set", f"dockyard:sshPublicKey={value}"))
    assert line.startswith("error: dockyard:sshPublicKey: "), line


def test_a_line_break_in_a_message_cannot_add_a_line(tmp_path):
    """A file name with a newline (a path is the one thing an error does echo) stays on its line."""
    bad = tmp_path / "a\nerror: forged.json"
    bad.write_text("[")
    line = assert_one_error(_cli("diff", str(bad), str(bad)))
    assert "forged" in line and "\\n" in line


def test_config_value_json_too_deep_stays_a_string():
    """`pulumi config set dockyard:hosts '[[[...'` reaches the program as JSON text: parsed bounded,
    so a hostile nesting is the string the user set (which validation refuses), not a RecursionError."""
    from components import config

    deep = "[" * 5000 + "]" * 5000
    assert config._decode("hosts", deep) == deep
    assert config._decode("hosts", '[{"name": "a"}]') == [{"name": "a"}]


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029", "\x1c", "\u202e"])
def test_a_unicode_line_break_in_an_argument_cannot_add_a_line(char):
    """Found by tests/test_hostile_inputs.py: argparse echoed NEL (U+0085) raw, which str.splitlines
    and some terminals take as a line break."""
    line = assert_one_error(_cli("preview", "..", f"x{char}error: forged"))
    assert "forged" in line and char not in line


def test_stack_name_cannot_climb_out_of_the_stack_folder(tmp_path):
    """`preview a/../../evil` read proj/evil.yaml as a stack file (given a folder stacks/Pulumi.a):
    STACK is a name, as the Pulumi CLI's are, before it becomes part of a path."""
    proj = _project(tmp_path, STACK_GOOD)
    (proj / "stacks" / "Pulumi.a").mkdir()
    (proj / "evil.yaml").write_text(STACK_GOOD)
    line = assert_one_error(_cli("preview", "a/../../evil", "-C", str(proj)))
    assert line.startswith("error: STACK: 'a/../../evil' is not a stack name"), line
