"""Files a compose file names are read only from inside the project (issue 12, "Files outside the
project"): absolute paths, `../` paths, symlinks that escape and /proc files are refused with exit
2 and one line that names the path, never the content; an explicit opt-in admits a folder.

`dockyard convert` confines to the compose file's folder (`--allow-outside DIR` opts in); a stack
confines to Pulumi.yaml's folder (`dockyard:allowFilesOutsideProject` opts in).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.errors import ComposeError
from components.projectfiles import OutsideProject, ProjectFiles
from dockyard import cli

ROOT = Path(__file__).resolve().parents[2]
MARKER = "TOPSECRET-7f3c9a1e-do-not-leak"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def tree(tmp_path):
    """tmp/outside/secret.txt (the marker), tmp/outside/dir/, tmp/proj/ with a symlink out."""
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"TOKEN={MARKER}\n")
    (outside / "dir" / "app.conf").write_text(f"key {MARKER}\n")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "escape.txt").symlink_to(outside / "secret.txt")
    (proj / "escape-dir").symlink_to(outside / "dir")
    (proj / "inside.txt").write_text("TOKEN=fine\n")
    return tmp_path


def paths(tree: Path) -> dict[str, str]:
    """One path of each class, as a compose file in tree/proj would write it."""
    return {
        "absolute": str(tree / "outside" / "secret.txt"),
        "dotdot": "../outside/secret.txt",
        "dotdot-inside-first": "./sub/../../outside/secret.txt",
        "symlink": "./escape.txt",
        "home": "~/../../../../../../" + str(tree / "outside" / "secret.txt").lstrip("/"),
    }


COMPOSE = {
    "configs": "services:\n  web:\n    image: nginx:1.27\n    configs: [app]\n"
               "configs:\n  app:\n    file: {path}\n",
    "secrets": "services:\n  web:\n    image: nginx:1.27\n    secrets: [app]\n"
               "secrets:\n  app:\n    file: {path}\n",
    "env_file": "services:\n  web:\n    image: nginx:1.27\n    env_file: {path}\n",
    "env_file-optional": "services:\n  web:\n    image: nginx:1.27\n    env_file:\n"
                         "      - path: {path}\n        required: false\n",
}


def one_error_line(code, out, err):
    assert code == 2, (out, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("error: "), err
    assert MARKER not in err


@pytest.mark.parametrize("kind", list(COMPOSE))
@pytest.mark.parametrize("path_class", ["absolute", "dotdot", "dotdot-inside-first", "symlink", "home"])
def test_convert_refuses_files_outside_the_compose_folder(tree, capsys, kind, path_class):
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text(COMPOSE[kind].format(path=json.dumps(paths(tree)[path_class])))
    code, out, err = run(capsys, "convert", str(compose))
    one_error_line(code, out, err)
    assert err.startswith(f"error: {compose}:") and "outside the project" in err, err


@pytest.mark.parametrize("kind", ["configs", "secrets", "env_file"])
@pytest.mark.parametrize("path_class", ["absolute", "dotdot", "symlink"])
def test_convert_reads_them_when_their_folder_is_allowed(tree, capsys, kind, path_class):
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text(COMPOSE[kind].format(path=json.dumps(paths(tree)[path_class])))
    code, out, err = run(capsys, "convert", str(compose), "--allow-outside", str(tree / "outside"))
    assert code == 0, err
    assert "kind: ConfigMap" in out or "kind: Secret" in out or "TOKEN" in out


def test_a_file_inside_the_project_is_read(tree, capsys):
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text(COMPOSE["env_file"].format(path="./inside.txt"))
    code, out, err = run(capsys, "convert", str(compose))
    assert code == 0, err
    assert "value: fine" in out


def test_proc_self_environ_is_refused_and_never_printed(tree):
    """/proc/self/environ of the dockyard process itself, with a secret in its environment."""
    env = {**os.environ, "LEAKME": MARKER, "PYTHONPATH": str(ROOT)}
    for kind in ("configs", "secrets", "env_file"):
        compose = tree / "proj" / f"{kind}.yml"
        compose.write_text(COMPOSE[kind].format(path="/proc/self/environ"))
        proc = subprocess.run([sys.executable, "-m", "dockyard", "convert", str(compose)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert proc.stderr.count("\n") == 1 and "outside the project" in proc.stderr, proc.stderr
        assert MARKER not in proc.stdout + proc.stderr


def test_dotenv_symlinked_out_is_refused(tree, capsys):
    (tree / "proj" / ".env").symlink_to(tree / "outside" / "secret.txt")
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:${TOKEN}\n")
    code, out, err = run(capsys, "convert", str(compose))
    one_error_line(code, out, err)
    assert ".env" in err and "outside the project" in err


@pytest.mark.parametrize("source", ["../outside/dir", "./escape-dir", "./escape.txt", "{abs}"])
def test_kompose_configmap_bind_sources_are_confined(tree, capsys, source):
    """kompose.volume.type: configMap ships the bind source's files in a ConfigMap: it is read."""
    source = source.format(abs=tree / "outside" / "secret.txt")
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n    labels:\n"
                       "      kompose.volume.type: configMap\n"
                       f"    volumes:\n      - {source}:/etc/app\n")
    code, out, err = run(capsys, "convert", str(compose))
    one_error_line(code, out, err)
    assert f"{compose}:7" in err and "outside the project" in err


def test_kompose_configmap_directory_with_a_symlink_out_is_refused(tree, capsys):
    conf = tree / "proj" / "conf"
    conf.mkdir()
    (conf / "ok.conf").write_text("fine\n")
    (conf / "leak.conf").symlink_to(tree / "outside" / "secret.txt")
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n    labels:\n"
                       "      kompose.volume.type: configMap\n    volumes:\n      - ./conf:/etc/app\n")
    code, out, err = run(capsys, "convert", str(compose))
    one_error_line(code, out, err)
    assert "leak.conf" in err


def test_swarm_bind_sources_are_node_paths_and_never_read(tree):
    """On a swarm a bind source is a path on the node: kept as a path, its content never read."""
    from components.compose import load_compose, to_swarm

    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text(f"services:\n  web:\n    image: nginx:1.27\n    volumes:\n"
                       f"      - {tree / 'outside' / 'secret.txt'}:/etc/app.conf:ro\n")
    spec = to_swarm(load_compose(compose)).services["web"]
    assert MARKER not in json.dumps(spec)
    assert spec["task_spec"]["container_spec"]["mounts"][0]["source"] == str(tree / "outside" / "secret.txt")


def test_symlink_loop_is_one_error(tree, capsys):
    (tree / "proj" / "a").symlink_to(tree / "proj" / "b")
    (tree / "proj" / "b").symlink_to(tree / "proj" / "a")
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text(COMPOSE["configs"].format(path="./a"))
    code, out, err = run(capsys, "convert", str(compose))
    one_error_line(code, out, err)


def test_allow_outside_must_be_a_folder(tree, capsys):
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n")
    code, out, err = run(capsys, "convert", str(compose), "--allow-outside", str(tree / "nope"))
    one_error_line(code, out, err)
    assert err.startswith("error: --allow-outside: ")


def test_project_files_rules(tree):
    files = ProjectFiles.of(tree / "proj")
    assert files.resolve(tree / "proj" / "sub" / ".." / "inside.txt") == (tree / "proj" / "inside.txt").resolve()
    for bad in (tree / "outside" / "secret.txt", tree / "proj" / "escape.txt", tree / "proj" / "..",
                tree / "proj-sibling" / "x", Path("/proc/self/environ")):
        with pytest.raises(OutsideProject) as exc:
            files.resolve(bad)
        assert "dockyard:allowFilesOutsideProject" in str(exc.value)
    allowed = ProjectFiles.of(tree / "proj", ["../outside"])
    assert allowed.resolve(tree / "proj" / "escape.txt") == (tree / "outside" / "secret.txt").resolve()
    assert issubclass(OutsideProject, ValueError) and not issubclass(OutsideProject, ComposeError)


# --- a stack: Pulumi.yaml's folder, and dockyard:allowFilesOutsideProject -------------------------------


def _project(tree: Path, compose: str, config_extra: str = "", target: str = "swarm") -> Path:
    proj = tree / "proj"
    (proj / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (proj / "__main__.py").symlink_to(ROOT / "__main__.py")
    (proj / "stacks").mkdir(exist_ok=True)
    (proj / "app").mkdir(exist_ok=True)
    (proj / "app" / "docker-compose.yml").write_text(compose)
    targets = {
        "swarm": "  dockyard:swarm:\n    cloud: local\n    managers: 1\n    workers: 0\n    stacks:\n"
                 "      - name: app\n        compose: {path}\n",
        "kubernetes": "  dockyard:kubernetes:\n    cluster: existing\n    apps:\n"
                      "      - name: app\n        compose: {path}\n",
    }
    (proj / "stacks" / "Pulumi.t.yaml").write_text(
        "config:\n" + targets[target].format(path="app/docker-compose.yml") + config_extra)
    return proj


def _preview(proj: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "COMPOSE_"))}
    return subprocess.run([sys.executable, "-m", "dockyard", "preview", "t", "--json", "-C", str(proj), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


STACK_COMPOSE = ("services:\n  web:\n    image: nginx:1.27\n    configs: [app]\n    env_file: ./env\n"
                 "configs:\n  app:\n    file: ../../outside/secret.txt\n")


@pytest.mark.parametrize("target", ["swarm", "kubernetes"])
def test_stack_preview_never_holds_a_file_from_outside(tree, target):
    proj = _project(tree, STACK_COMPOSE, target=target)
    (proj / "app" / "env").write_text("A=1\n")
    proc = _preview(proj)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "outside the project" in proc.stderr, proc.stderr
    assert proc.stderr.startswith(f"error: {proj / 'app' / 'docker-compose.yml'}:8: ")
    assert MARKER not in proc.stdout + proc.stderr


@pytest.mark.parametrize("target", ["swarm", "kubernetes"])
def test_stack_opt_in_admits_the_folder(tree, target):
    proj = _project(tree, STACK_COMPOSE, "  dockyard:allowFilesOutsideProject:\n    - ../outside\n", target=target)
    (proj / "app" / "env").write_text("A=1\n")
    proc = _preview(proj)
    assert proc.returncode == 0, proc.stderr
    assert MARKER in proc.stdout  # a config is plain data: the opted-in file reaches the preview


def test_stack_compose_file_itself_is_confined(tree):
    (tree / "outside" / "docker-compose.yml").write_text(f"services:\n  web:\n    image: nginx:1.27\n"
                                                         f"    environment: [X={MARKER}]\n")
    proj = _project(tree, "services:\n  web:\n    image: nginx:1.27\n")
    stack = proj / "stacks" / "Pulumi.t.yaml"
    stack.write_text(stack.read_text().replace("app/docker-compose.yml", "../outside/docker-compose.yml"))
    proc = _preview(proj)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: dockyard:swarm.stacks[0].compose: ") and proc.stderr.count("\n") == 1
    assert MARKER not in proc.stdout + proc.stderr


def test_stack_opt_in_must_name_folders(tree):
    proj = _project(tree, "services:\n  web:\n    image: nginx:1.27\n",
                    "  dockyard:allowFilesOutsideProject:\n    - ../nope\n")
    proc = _preview(proj)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: dockyard:allowFilesOutsideProject[0]: ") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("kind", ["configs", "secrets", "env_file"])
@pytest.mark.parametrize("path", ['"./a\\0b"', '"./' + "a" * 5000 + '"', '"./' + "a" * 300 + '/b"'])
def test_paths_that_cannot_be_resolved_are_one_error(tree, capsys, kind, path):
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text(COMPOSE[kind].format(path=path))
    code, out, err = run(capsys, "convert", str(compose))
    one_error_line(code, out, err)
    assert err.startswith(f"error: {compose}:")


@pytest.mark.parametrize("volume", ['"./a\\0b:/data"', '{type: bind, source: "./a\\0b", target: /data}'])
def test_bind_source_with_a_nul_is_one_error(tree, capsys, volume):
    compose = tree / "proj" / "docker-compose.yml"
    compose.write_text(f"services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - {volume}\n")
    code, out, err = run(capsys, "convert", str(compose))
    one_error_line(code, out, err)
    assert "NUL" in err
