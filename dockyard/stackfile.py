"""Reading Pulumi.yaml and stacks/Pulumi.<stack>.yaml the way the Pulumi CLI would.

Also applies `--set PATH=VALUE` overrides with the path syntax of `pulumi config set --path`.
Every mistake raises InputError naming the file (and line) or the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components import safeload
from components.errors import InputError

PROJECT_DIR = Path(__file__).resolve().parent.parent
SECRET_PLACEHOLDER = "[secret]"


@dataclass
class StackFiles:
    project: str
    project_dir: Path
    stack: str
    config: dict[str, Any] = field(default_factory=dict)  # full key -> value
    secret_keys: list[str] = field(default_factory=list)


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def read_yaml(path: Path, base: Path) -> dict:
    """A Pulumi project or stack file: a mapping (empty file: {}), read through components.safeload."""
    return safeload.load_yaml(path, _rel(path, base), mapping=True)


def _config_map(data: dict, where: str) -> dict:
    """The file's `config:` mapping ({} when absent), keys strings."""
    config = data.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise InputError(where, f"`config:` must be a mapping of keys to values, got {safeload._type_name(config)}")
    for key in config:
        if not isinstance(key, str) or not key:
            raise InputError(where, f"config key {key!r} is not a name")
    return config


def list_stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    stack_dir = project_dir / _stack_dir(project_dir)
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in stack_dir.glob("Pulumi.*.yaml"))


def _stack_dir(project_dir: Path, project: dict | None = None) -> str:
    if project is None:
        project = read_yaml(project_dir / "Pulumi.yaml", project_dir)
    folder = project.get("stackConfigDir") or "."
    if not isinstance(folder, str):
        raise InputError("Pulumi.yaml", f"stackConfigDir must be a folder name, got {folder!r}")
    return folder


def load_project(stack: str, project_dir: Path = PROJECT_DIR) -> StackFiles:
    """Pulumi.yaml's config alone (declared defaults, other namespaces' values), for a stack whose
    config a caller gives itself instead of a stack file (dockyard.testing)."""
    return _load_project(stack, project_dir)[0]


def _load_project(stack: str, project_dir: Path) -> tuple[StackFiles, dict]:
    project = read_yaml(project_dir / "Pulumi.yaml", project_dir)
    if not isinstance(project.get("name"), str) or not project["name"]:
        raise InputError("Pulumi.yaml", "must be a mapping with a project name")
    name = project["name"]
    files = StackFiles(project=name, project_dir=project_dir, stack=stack)

    # Project-level config: declarations may carry a default; other namespaces set values.
    for key, decl in _config_map(project, "Pulumi.yaml").items():
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(decl, dict) and ("type" in decl or "description" in decl or "default" in decl
                                       or "value" in decl):
            if "default" in decl:
                files.config[full] = decl["default"]
            elif "value" in decl:
                files.config[full] = decl["value"]
        else:
            files.config[full] = decl
    return files, project


# Pulumi's stack names: letters, digits, '-', '_', '.', 1 to 100 (validateStackName in pulumi/pulumi,
# ^[a-zA-Z0-9-_.]{1,100}$, read 2026-12-03); a name that starts with '.' or '-' is refused too, so
# that no name is '.', '..' or an option.
_STACK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


def check_stack_name(stack: str) -> None:
    """A stack name becomes part of a path (stacks/Pulumi.STACK.yaml, ~/.docker/dockyard/STACK):
    refuse anything that is not a name, so none can climb out with `/` or `..`."""
    if not _STACK_NAME.fullmatch(stack):
        raise InputError("STACK", f"{stack!r} is not a stack name (letters, digits, '-', '_', '.'; "
                         "at most 100; not starting with '.' or '-')")


def load(stack: str, project_dir: Path = PROJECT_DIR) -> StackFiles:
    check_stack_name(stack)
    files, project = _load_project(stack, project_dir)
    name = files.project

    stack_path = project_dir / _stack_dir(project_dir, project) / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        known = ", ".join(list_stacks(project_dir)) or "none"
        raise InputError(_rel(stack_path, project_dir), f"no such stack '{stack}' (stacks: {known})")
    data = read_yaml(stack_path, project_dir)
    unknown = sorted(map(repr, set(data) - {"config", "secretsprovider", "encryptedkey", "encryptionsalt",
                                            "environment"}))
    if unknown:
        raise InputError(_rel(stack_path, project_dir), f"unknown top-level key {unknown[0]} (expected config)")
    for key, value in _config_map(data, _rel(stack_path, project_dir)).items():
        full = key if ":" in key else f"{name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            # Encrypted by the Pulumi CLI; offline we cannot decrypt, so a placeholder stands in.
            files.config[full] = SECRET_PLACEHOLDER
            files.secret_keys.append(full)
        else:
            files.config[full] = value
    return files


# --- `pulumi config set --path` paths ---------------------------------------------------------

_SEGMENT = re.compile(r'\.([A-Za-z0-9_-]+)|\[(\d+)\]|\["([^"]+)"\]')


def parse_path(path: str, namespace: str) -> tuple[str, list[str | int]]:
    """'hosts[0].os' -> ('dockyard:hosts', [0, 'os']); 'aws:region' -> ('aws:region', [])."""
    m = re.match(r"^(?:([A-Za-z0-9_-]+):)?([A-Za-z0-9_-]+)", path)
    if not m:
        raise InputError(path, "not a config path (e.g. swarm.workers or hosts[0].size or aws:region)")
    full = f"{m.group(1) or namespace}:{m.group(2)}"
    rest = path[m.end():]
    parts: list[str | int] = []
    pos = 0
    while pos < len(rest):
        seg = _SEGMENT.match(rest, pos)
        if not seg:
            raise InputError(path, f"cannot parse '{rest[pos:]}' (use .key, [index] or [\"key\"])")
        if seg.group(2) is not None:
            parts.append(int(seg.group(2)))
        else:
            parts.append(seg.group(1) or seg.group(3))
        pos = seg.end()
    return full, parts


def apply_set(files: StackFiles, assignment: str) -> None:
    """Apply one `PATH=VALUE` (VALUE parsed as YAML) to the loaded config."""
    path, sep, text = assignment.partition("=")
    if not sep:
        raise InputError(assignment, "expected PATH=VALUE")
    try:
        value = safeload.parse_yaml(text, "--set") if text != "" else ""
    except safeload.FileError as exc:
        raise InputError(path, f"value is not valid YAML: {exc.message.removeprefix('malformed YAML: ')}") from None
    full, parts = parse_path(path, files.project)
    if not parts:
        files.config[full] = value
        return
    node = files.config.setdefault(full, [] if isinstance(parts[0], int) else {})
    for here, nxt in zip(parts, parts[1:] + [None], strict=True):
        last = nxt is None
        if isinstance(here, int):
            if not isinstance(node, list):
                raise InputError(path, f"'{here}' indexes a list but the value there is not a list")
            if here > len(node):
                raise InputError(path, f"index {here} is past the end of a list of {len(node)}")
            if here == len(node):
                node.append(None)
            if last:
                node[here] = value
            else:
                if node[here] is None:
                    node[here] = [] if isinstance(nxt, int) else {}
                node = node[here]
        else:
            if not isinstance(node, dict):
                raise InputError(path, f"'{here}' names a key but the value there is not a mapping")
            if last:
                node[here] = value
            else:
                if node.get(here) is None:
                    node[here] = [] if isinstance(nxt, int) else {}
                node = node[here]
