"""Property: every input gets exit 0, 2 or 3, never a traceback, a hang or a file from outside the project.

README's contract: 0 ok, 2 bad input with exactly one line ``error: <where>: <message>``, 3 guardrail
violations (one line each), 1 a Dockyard bug. Hypothesis mutates what a hostile or careless user
hands the CLI — the shipped stacks' config (in a stack file or through ``--set``), compose files,
outputs files for ``env``/``ls``/``context``, and preview JSON for ``diff`` — with wrong types, huge
numbers, unicode, newlines, path traversal and shell metacharacters, and calls ``dockyard.cli.main``
in-process. A sentinel file lies next to the project, outside it, and is linked into it: no output
may ever hold its content (or /etc/passwd's).

Bounded: a fixed number of examples per property, no shrinking database, and in CI (CI or
DOCKYARD_STRICT_TOOLS set) derandomized, so every run tries the same inputs. DOCKYARD_FUZZ_EXAMPLES
scales the counts for a longer local campaign; with DOCKYARD_FUZZ_LOG=FILE a campaign records every
broken example there (argv, stderr, the files it wrote) instead of stopping at the first. Shrinking
runs only with DOCKYARD_FUZZ_SHRINK=1: each step is a whole preview. A hang fails the example
through an alarm.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import os
import shutil
import signal
import subprocess
import traceback
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dockyard import cli

ROOT = Path(__file__).resolve().parent.parent
CI = bool(os.environ.get("CI") or os.environ.get("DOCKYARD_STRICT_TOOLS"))
SCALE = float(os.environ.get("DOCKYARD_FUZZ_EXAMPLES", "1"))
FUZZ_LOG = os.environ.get("DOCKYARD_FUZZ_LOG")
SHRINK = os.environ.get("DOCKYARD_FUZZ_SHRINK") == "1"
#: A run that takes longer than this is a hang (a FIFO, /dev/zero, an unbounded loop).
HANG_SECONDS = 120
SENTINEL = "dockyard-sentinel-7f3c9e1a5b"
SENTINEL_FILES = {"secret.env": f"SENTINEL_KEY={SENTINEL}\n",
                  "secret.yml": f"services:\n  leak:\n    image: {SENTINEL}\n"}
#: Text that only a leaked file could bring into the output: the sentinel, /etc/passwd's first line,
#: and the base64 of each sentinel file (Docker configs and Kubernetes Secrets carry file content so).
LEAK_MARKERS = (SENTINEL, "root:x:0:0:",
                *(base64.b64encode(text.encode()).decode()[:24] for text in SENTINEL_FILES.values()))
#: Keys whose string value names a file.
FILE_KEYS = {"compose", "file", "env_file", "kubeconfig", "volumes"}


def bounded(examples: int):
    """Settings for one property: a fixed count, no deadline (the machine is shared), no database."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if SHRINK else [])
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None, derandomize=CI, database=None,
                    phases=phases, suppress_health_check=list(HealthCheck), print_blob=True)


# --- the project, the sentinel outside it -------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A copy of the project (Pulumi.yaml, program, stacks, apps) and, beside it, the sentinel."""
    base = tmp_path_factory.mktemp("hostile")
    project = base / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "stacks", project / "stacks")
    shutil.copytree(ROOT / "apps", project / "apps")
    outside = base / "outside"
    outside.mkdir()
    for name, text in SENTINEL_FILES.items():
        (outside / name).write_text(text)
    # A link inside the project to the file outside: resolving symlinks must still refuse it.
    (project / "apps" / "link.env").symlink_to(outside / "secret.env")
    (project / "apps" / "link.yml").symlink_to(outside / "secret.yml")
    home = base / "home"
    home.mkdir()
    return {"project": project, "outside": outside, "home": home, "base": base}


@pytest.fixture
def isolated(world, monkeypatch):
    """HOME and the Docker config in the scratch folder; no compose or Docker settings from the caller."""
    monkeypatch.setenv("HOME", str(world["home"]))
    monkeypatch.setenv("DOCKER_CONFIG", str(world["home"] / ".docker"))
    for var in ("COMPOSE_PROFILES", "DOCKER_HOST", "DOCKER_CONTEXT", "COMPOSE_FILE", "COMPOSE_PROJECT_NAME"):
        monkeypatch.delenv(var, raising=False)
    return world


class Hang(Exception):
    pass


def call(argv: list[str]) -> tuple[int, str, str]:
    """``dockyard ARGV`` in-process: (exit status, stdout, stderr); an escaping exception is status 1
    with its traceback on stderr, as the console script would show it."""
    out, err = io.StringIO(), io.StringIO()

    def alarm(signum, frame):
        raise Hang(f"no answer within {HANG_SECONDS}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    here = os.getcwd()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Hang:
                raise
            except BaseException:  # noqa: BLE001 - what a user would see: a traceback, exit 1
                traceback.print_exc()
                code = 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


def assert_contract(argv: list[str], code: int, out: str, err: str) -> None:
    shown = f"argv={argv!r}\nexit={code}\nstderr:\n{err[-3000:]}"
    assert "Traceback (most recent call last)" not in out + err, shown
    assert code in (0, 2, 3), shown
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), shown
        assert out == "", f"exit 2 printed to stdout too\n{shown}"
    if code == 3:
        assert err.strip(), shown
    for marker in LEAK_MARKERS:
        assert marker not in out and marker not in err, f"content from outside the project in the output\n{shown}"


# --- hostile values ------------------------------------------------------------------------------------

TRAVERSAL = [
    "../outside/secret.env", "../../outside/secret.env", "../outside/secret.yml", "apps/link.env", "apps/link.yml",
    "/etc/passwd", "/proc/self/environ", "/proc/self/cmdline", "../" * 12 + "etc/passwd", "apps/../../outside/secret.env",
    "./apps/./../Pulumi.yaml", "~/.ssh/id_rsa", "/", ".", "..", "",
]
SHELL = [
    "$(touch PWNED)", "`touch PWNED`", "'; touch PWNED; '", '"; touch PWNED; "', "a|b", "a;b", "a&&b", "${HOME}",
    "$HOME", "%PATH%", "x\ny", "x\r\ny", "tab\there", "nul\x00byte", "\u202eevil", "ünïcødé", "日本語", "🐳",
    " leading", "trailing ", "-", "--help", "-rf", "a" * 300, "\\", "'", '"', "*", "?", "[x]", "{a,b}", "!x",
]
SPECIAL_INTS = [0, -1, 1, 22, 80, 443, 2375, 2376, 2377, 4789, 7946, 65535, 65536, 2**31 - 1, 2**31, 2**32,
                2**53 + 1, 2**63, 2**64, 10**30, -(2**63)]


def absolute_paths(world):
    return [str(world["outside"] / "secret.env"), str(world["outside"] / "secret.yml"),
            str(world["project"] / "apps" / "link.env"), str(world["outside"])]


def leak_targets(world) -> list[str]:
    """Paths that reach a sentinel file from the project root (stack files), from apps/X/ (compose
    files) or through the links planted in apps/, and /etc/passwd."""
    rel = [up + f"outside/{name}" for up in ("../", "../../", "../../../") for name in SENTINEL_FILES]
    links = ["apps/link.env", "apps/link.yml", "../link.env", "../link.yml", "./../link.env"]
    return rel + links + absolute_paths(world)[:3] + ["/etc/passwd"]


def hostile_strings(world) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(TRAVERSAL + SHELL + absolute_paths(world)),
        st.text(max_size=30),
        st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    )


def hostile_values(world) -> st.SearchStrategy:
    leaf = st.one_of(
        st.none(), st.booleans(),
        st.sampled_from(SPECIAL_INTS), st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_strings(world),
    )
    return st.one_of(leaf, st.lists(leaf, max_size=3), st.dictionaries(hostile_strings(world), leaf, max_size=3))


def paths_of(value, prefix=()):
    """Every path (keys and indexes) into a YAML tree, the root included."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths_of(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths_of(v, (*prefix, i))


def get_at(tree, path):
    for p in path:
        tree = tree[p]
    return tree


def like(value, world) -> st.SearchStrategy:
    """A value of the same type as ``value`` but hostile: more often valid, so it reaches deeper."""
    if isinstance(value, bool):
        return st.sampled_from([not value, "yes", "true", 1, None])
    if isinstance(value, int):
        return st.sampled_from(SPECIAL_INTS) | st.integers(min_value=-(2**70), max_value=2**70)
    if isinstance(value, str):
        return st.one_of(hostile_strings(world),
                         st.sampled_from(SHELL + TRAVERSAL).map(lambda s: value + s),
                         st.sampled_from(["\n", "\u00e9", "\t", " ", "\x00"]).map(lambda s: value + s))
    return hostile_values(world)


@st.composite
def mutated(draw, tree, world, max_mutations=3, point_first=False):
    """``tree`` with one to three hostile edits: a value replaced, a key deleted or added, an item doubled.
    ``point_first``: the first edit points a file path outside the project."""
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = list(paths_of(tree))
        path = draw(st.sampled_from(paths))
        slots = [p for p in paths if p and isinstance(get_at(tree, p), str)
                 and (p[-1] in FILE_KEYS or (len(p) > 1 and p[-2] in FILE_KEYS))]
        op = draw(st.sampled_from(["like", "replace", "delete", "add", "double"] + ["point"] * 2 * bool(slots)))
        if point_first and slots:
            op, point_first = "point", False
        if op == "point":  # a file path pointed outside the project: the leak this test exists for
            path = draw(st.sampled_from(slots))
            parent, key = get_at(tree, path[:-1]), path[-1]
            target = draw(st.sampled_from(leak_targets(world)))
            old = parent[key]
            parent[key] = f"{target}:{old.split(':', 1)[1]}" if ":/" in old else target
            continue
        if not path:
            if op == "replace":
                tree = draw(hostile_values(world))
            continue
        parent = get_at(tree, path[:-1])
        key = path[-1]
        if op == "like":
            parent[key] = draw(like(parent[key], world))
        elif op == "replace":
            parent[key] = draw(hostile_values(world))
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "Name", "name ", "privileged", "x" * 70]) | hostile_strings(world))] = \
                draw(hostile_values(world))
        elif op == "double" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        if not isinstance(tree, (dict, list)):
            break
    return tree


# --- stack configs: in a stack file, or as --set ----------------------------------------------------------

STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def stack_config(stack: str) -> dict:
    return yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]


def set_path(key: str, path: tuple) -> str:
    """A `pulumi config set --path` spelling of ``key`` (``dockyard:swarm``) plus ``path``."""
    ns, _, name = key.partition(":")
    text = name if ns == "dockyard" else key
    for p in path:
        if isinstance(p, int):
            text += f"[{p}]"
        elif isinstance(p, str) and p and all(c.isalnum() or c in "_-" for c in p) and p.isascii():
            text += f".{p}"
        else:
            text += f"[{json.dumps(str(p))}]"
    return text


def yaml_text(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip().removesuffix("...").strip()


def preview_flags(draw) -> list[str]:
    flags = ["--json"]  # inputs are shown only in JSON: the leak check needs them
    if draw(st.booleans()):
        flags.append("--check")
    if draw(st.integers(0, 3)) == 0:
        flags.append("--dry-run")
    return flags


@st.composite
def stack_file_case(draw, world):
    stack = draw(st.sampled_from(STACKS))
    config = draw(mutated(stack_config(stack), world))
    return stack, config, preview_flags(draw)


@st.composite
def set_case(draw, world):
    stack = draw(st.sampled_from(STACKS))
    config = stack_config(stack)
    flags = preview_flags(draw)
    sets = []
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(config)))
        path = draw(st.sampled_from(list(paths_of(config[key]))))
        kind = draw(st.sampled_from(["like", "value", "raw", "path"]))
        if kind == "like":
            text = yaml_text(draw(like(get_at(config[key], path), world)))
        elif kind == "value":
            text = yaml_text(draw(hostile_values(world)))
        elif kind == "raw":  # YAML a user might type: broken, tagged, anchored
            text = draw(st.sampled_from(["{", "[", "!!python/object:os.system ls", "&a [*a]", "- - -", "a: b: c",
                                         "'", '"', "*x", "!!binary ZZZ", "{a: 1, a: 2}", "%YAML 9.9\n---\n1",
                                         "? [a]\n: b", "|\n  x", ">-", "0x1F", "0o17", "1e400", ".nan", "~"])
                        | st.text(max_size=20))
        else:
            text = yaml_text(draw(like(get_at(config[key], path), world)))
            path = (*path, draw(st.sampled_from(["extra", 0, 7, "name", "ünï", "a b", 'q"uote'])))
        sets.append(f"{set_path(key, path)}={text}")
    if draw(st.integers(0, 4)) == 0:  # paths that are not paths
        sets.append(draw(st.sampled_from(["=1", "swarm..x=1", "swarm[=1", "swarm[-1]=1", "swarm[99999999999]=1",
                                          ":x=1", "a:b:c=1", "swarm.workers", 'hosts["]=1', "hosts[0]]=1"])
                         | st.text(max_size=15)))
    return stack, sets, flags


def check(argv: list[str], files: dict | None = None) -> tuple[int, str, str]:
    code, out, err = call(argv)
    if FUZZ_LOG:
        try:
            assert_contract(argv, code, out, err)
        except AssertionError as exc:
            with open(FUZZ_LOG, "a") as log:
                log.write(json.dumps({"argv": argv, "code": code, "err": err[-1500:], "why": str(exc)[:300],
                                      "files": files or {}}, ensure_ascii=False) + "\n")
        return code, out, err
    assert_contract(argv, code, out, err)
    return code, out, err


@bounded(15)
@given(data=st.data())
def test_mutated_stack_files(isolated, data):
    stack, config, flags = data.draw(stack_file_case(isolated))
    project = isolated["project"]
    text = yaml.safe_dump({"config": config}, allow_unicode=True, sort_keys=False)
    (project / "stacks" / "Pulumi.fuzz.yaml").write_text(text)
    check(["preview", "fuzz", "-C", str(project), *flags], {"stacks/Pulumi.fuzz.yaml": text})


@bounded(30)
@given(data=st.data())
def test_set_values(isolated, data):
    stack, sets, flags = data.draw(set_case(isolated))
    argv = ["preview", stack, "-C", str(isolated["project"]), *flags]
    for s in sets:
        argv += ["--set", s]
    check(argv)


# --- compose files -------------------------------------------------------------------------------------

COMPOSE = {
    "services": {
        "web": {
            "image": "nginx:1.27",
            "ports": ["8080:80", {"target": 443, "published": 8443, "protocol": "tcp"}],
            "environment": {"MODE": "prod", "LIST": "a,b"},
            "env_file": ["web.env"],
            "configs": [{"source": "site", "target": "/etc/nginx/conf.d/site.conf"}],
            "secrets": ["token"],
            "volumes": ["data:/var/lib/data", "./static:/usr/share/nginx/html:ro"],
            "deploy": {"replicas": 2, "resources": {"limits": {"cpus": "0.5", "memory": "256M"}},
                       "placement": {"constraints": ["node.role == worker"]}},
            "healthcheck": {"test": ["CMD", "true"], "interval": "10s", "retries": 3},
            "labels": {"kompose.service.type": "NodePort"},
            "command": ["nginx", "-g", "daemon off;"],
            "depends_on": ["db"],
        },
        "db": {"image": "postgres:16", "environment": ["POSTGRES_PASSWORD=${DB_PASSWORD:-x}"],
               "volumes": ["db:/var/lib/postgresql/data"]},
        "debug": {"image": "busybox:1.36", "command": "sleep 1d", "profiles": ["full"]},
    },
    "configs": {"site": {"file": "./site.conf"}},
    "secrets": {"token": {"file": "./token.txt"}},
    "volumes": {"data": {}, "db": {}},
}


def compose_folder(world, name: str) -> Path:
    """A folder inside the project with the files COMPOSE names."""
    folder = world["project"] / "apps" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "web.env").write_text("A=1\n")
    (folder / "site.conf").write_text("server {}\n")
    (folder / "token.txt").write_text("s3cr3t\n")
    (folder / "static").mkdir(exist_ok=True)
    return folder


@st.composite
def compose_doc(draw, world):
    return draw(mutated(COMPOSE, world))


@bounded(30)
@given(data=st.data())
def test_compose_files_through_convert(isolated, data):
    doc = data.draw(compose_doc(isolated))
    folder = compose_folder(isolated, "fuzz-convert")
    path = folder / "compose.yml"
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    path.write_text(text)
    argv = ["convert", str(path)]
    if data.draw(st.booleans()):
        argv += ["--profile", data.draw(st.sampled_from(["full", "x", "a b", ""]))]
    if data.draw(st.booleans()):
        argv += ["--env-file-configmap"]
    check(argv, {"compose.yml": text})


@bounded(8)
@given(data=st.data())
def test_compose_files_through_a_swarm_stack(isolated, data):
    doc = data.draw(mutated(COMPOSE, isolated, max_mutations=2, point_first=True))
    folder = compose_folder(isolated, "fuzz-stack")
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    (folder / "compose.yml").write_text(text)
    target = data.draw(st.sampled_from(["swarm.stacks[0].compose", "kubernetes.apps[0].compose"]))
    stack = "local" if target.startswith("swarm") else "local-k8s"
    argv = ["preview", stack, "-C", str(isolated["project"]), "--json", "--check"]
    if target.startswith("kubernetes"):
        argv += ["--set", "kubernetes.apps[0]={name: fuzz, compose: x}"]
    check([*argv, "--set", f"{target}=apps/fuzz-stack/compose.yml"], {"compose.yml": text})


# --- outputs files: env, ls, context ----------------------------------------------------------------------

HOST = "docker-digitalocean"
OUTPUTS = {
    "hosts": {
        HOST: {"ip": "203.0.113.7", "dockerHost": "tcp://203.0.113.7:2376", "sshUser": "root", "sshPort": 22,
               "cloud": "digitalocean", "os": "ubuntu", "size": "s-1vcpu-1gb"},
        "docker-flatcar": {"ip": "203.0.113.8", "dockerHost": "tcp://203.0.113.8:2376", "sshUser": "core",
                           "sshPort": 22, "cloud": "digitalocean", "os": "flatcar", "size": "s-2vcpu-4gb"},
    },
    "hostCredentials": {
        HOST: {"ca": "CA PEM\n", "cert": "CERT PEM\n", "key": "KEY PEM\n"},
        "docker-flatcar": {"ca": "CA2\n", "cert": "CERT2\n", "key": "KEY2\n"},
    },
}


@bounded(30)
@given(data=st.data())
def test_outputs_files(isolated, data):
    doc = data.draw(mutated(OUTPUTS, isolated))
    f = isolated["base"] / "outputs.json"
    f.write_text(json.dumps(doc, allow_nan=True))
    command = data.draw(st.sampled_from(["env", "env", "ls", "context"]))
    odd = ["../x", "a/b", ".", "ünï", "a" * 101, "-x"]
    stack = data.draw(st.sampled_from(["do-dev"] * 3 + odd))
    host = data.draw(st.sampled_from([HOST, HOST, "docker-flatcar", "../../etc", "X", "a b", ""]))
    argv = [command, stack] + ([] if command == "ls" else [host]) + ["--outputs-file", str(f)]
    if command == "env":
        argv += ["--shell", data.draw(st.sampled_from(["bash", "fish", "powershell", "cmd"]))]
    if command == "context" and shutil.which("docker") is None:
        return
    code, out, err = check(argv, {"outputs.json": f.read_text()})
    if code == 0 and command == "env" and argv[-1] == "bash":
        # eval'ed by bash, the output sets DOCKER_HOST to the file's value and runs nothing.
        work = isolated["base"] / "eval"
        work.mkdir(exist_ok=True)
        proc = subprocess.run(["bash", "-c", out + '\nprintf %s "$DOCKER_HOST"'], cwd=work, capture_output=True,
                              text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(isolated["home"])}, timeout=30)
        assert proc.returncode == 0, proc.stderr
        assert not list(work.iterdir()), f"eval of `dockyard env` ran a command: {out!r}"
        assert proc.stdout == doc["hosts"][host]["dockerHost"], out


# --- diff inputs -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_preview(world):
    code, out, err = call(["preview", "local", "-C", str(world["project"]), "--json"])
    assert code == 0, err
    return json.loads(out)


@bounded(30)
@given(data=st.data())
def test_diff_inputs(isolated, base_preview, data):
    small = dict(base_preview, resources=base_preview["resources"][:6])
    base = data.draw(st.sampled_from([small, data.draw(mutated(small, isolated))]))
    head = data.draw(mutated(small, isolated))
    files = []
    for name, doc in (("base.json", base), ("head.json", head)):
        f = isolated["base"] / name
        f.write_text(json.dumps(doc, allow_nan=True, ensure_ascii=False))
        files.append(str(f))
    fmt = data.draw(st.sampled_from(["text", "markdown"]))
    code, out, err = check(["diff", *files, "--format", fmt], {n: Path(f).read_text() for n, f in zip(("base", "head"), files, strict=True)})
    if code == 0 and fmt == "markdown":
        # Every row of a table is as wide as its header: `|` and newlines in values are escaped.
        tables: list[list[str]] = [[]]
        for line in out.split("\n"):
            if line.startswith("|"):
                tables[-1].append(line)
            elif tables[-1]:
                tables.append([])
        for rows in tables:
            widths = {line.replace("\\|", "").count("|") for line in rows}
            assert len(widths) <= 1, out


# --- plain arguments -------------------------------------------------------------------------------------

WORDS = ["preview", "diff", "env", "context", "ls", "convert", "local", "do-dev", "docker-digitalocean",
         "--json", "--check", "--set", "--cwd", "-C", "--outputs-file", "--shell", "--format", "--profile",
         "--namespace", "-n", "--unset", "--allow-outside", "--service-type", "--dry-run", "--help", "-h",
         "/etc/passwd", "/dev/zero", "/dev/null", "/proc/self/environ", "/", ".", "..", "=", "swarm.workers=2"]


@bounded(40)
@given(data=st.data())
def test_plain_arguments(isolated, data):
    """Any argument list: a command and options in any order, missing or doubled, hostile values."""
    words = data.draw(st.lists(st.sampled_from(WORDS) | hostile_strings(isolated), max_size=6))
    command = data.draw(st.sampled_from(["preview", "diff", "env", "context", "ls", "convert"]) | st.just(""))
    argv = ([command] if command else []) + [w for w in words if "secret" not in w and "link" not in w]
    if command == "context" and shutil.which("docker") is None:
        return
    check(argv)
