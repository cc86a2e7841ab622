"""Load, validate and normalise a compose file into a ComposeProject.

Validation is jsonschema against our own schema (schema.py): its errors carry the exact path into
the document, which maps straight onto the YAML line marks, and the schema stays readable data.
Every problem raises components.errors.ComposeError naming the file and line.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema

from components import safeload
from components.compose import schema as _schema
from components.compose.model import (
    ComposeProject,
    Deploy,
    FileObject,
    FileRef,
    Healthcheck,
    Network,
    Placement,
    Port,
    Resources,
    ResourceSpec,
    RestartPolicy,
    Service,
    ServiceNetwork,
    UpdateConfig,
    Volume,
    VolumeMount,
)
from components.compose.units import parse_cpus, parse_duration, parse_size
from components.compose.yamlmarks import MarkedDict, MarkedList, MarkedLoader, collect_lines
from components.errors import ComposeError
from components.projectfiles import OutsideProject, ProjectFiles
from components.safeload import type_word as _type_name

_VALIDATOR = jsonschema.Draft202012Validator(_schema.COMPOSE_SCHEMA)


def fmt_path(path) -> str:
    """("services", "web", "ports", 0) -> "services.web.ports[0]"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_TYPE_WORDS = {"object": "mapping", "array": "list", "string": "string", "integer": "integer",
               "number": "number", "boolean": "boolean", "null": "null"}


class _Ctx:
    """File, line marks and environment shared by the normalisers."""

    def __init__(self, path: Path, lines: dict, files: ProjectFiles | None = None):
        self.path = path
        self.base = path.parent
        self.lines = lines
        self.warnings: list[str] = []
        self.environ: dict[str, str] = {}
        self.files = files or ProjectFiles.of(path.parent)

    def project_file(self, path, written: str) -> Path:
        """A file the compose file names (env_file, configs/secrets file), relative to its folder,
        resolved and confined to the project (components/projectfiles.py); its content is read
        only after this."""
        try:
            return self.files.resolve(self.base / os.path.expanduser(written), written)
        except OutsideProject as exc:
            raise self.error(path, str(exc)) from None

    def line(self, path) -> int | None:
        path = tuple(path)
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def error(self, path, message: str) -> ComposeError:
        prefix = f"{fmt_path(path)}: " if path else ""
        return ComposeError(str(self.path), prefix + message, self.line(path))

    def parse(self, path, fn: Callable, value):
        try:
            return fn(value)
        except ValueError as exc:
            raise self.error(path, str(exc)) from None


# ---------------------------------------------------------------------------------------------
# reading and validating


def _read(path: Path) -> Any:
    """The compose file's top-level mapping, read through components.safeload (regular files only,
    bounded size, depth and aliases, UTF-8, no duplicate keys)."""
    try:
        data = safeload.load_yaml(path, str(path), what="compose file", loader=MarkedLoader)
    except safeload.FileError as exc:
        raise ComposeError(exc.file, exc.message, exc.line) from None
    if data is None:
        raise ComposeError(str(path), "compose file is empty")
    if not isinstance(data, dict):
        raise ComposeError(str(path), f"expected a mapping at the top level, got a {_type_name(data)}",
                           getattr(data, "line", 1) or 1)
    return data


def _schema_error(ctx: _Ctx, data, err: jsonschema.ValidationError) -> ComposeError:
    path = tuple(err.absolute_path)
    kind = err.validator
    if kind == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        unknown = [k for k in err.instance
                   if k not in allowed and not (isinstance(k, str) and k.startswith("x-"))]
        key = unknown[0] if unknown else "?"
        where = "top-level key" if not path else ("service key" if len(path) == 2 and path[0] == "services"
                                                   else "key")
        hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
        msg = f"unknown {where} {key!r}"
        msg += f" (did you mean {hint[0]!r}?)" if hint else f"; allowed: {', '.join(sorted(allowed))}"
        return ctx.error(path + (key,), msg) if path else ComposeError(
            str(ctx.path), msg, ctx.line((key,)))
    if kind == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in want)
        return ctx.error(path, f"expected {words}, got {_type_name(err.instance)}")
    if kind == "enum":
        return ctx.error(path, f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}")
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return ctx.error(path, f"missing required key {missing!r}")
    if kind == "propertyNames" or "propertyNames" in err.schema_path:
        bad = err.instance
        return ctx.error(path + (bad,) if path else path,
                         f"invalid name {bad!r}: use letters, digits, '.', '_' and '-'")
    if kind == "pattern":
        return ctx.error(path, f"{err.instance!r} does not match {err.validator_value}")
    if kind == "minimum":
        return ctx.error(path, f"must be at least {err.validator_value}, got {err.instance!r}")
    return ctx.error(path, err.message)


def _validate(ctx: _Ctx, data) -> None:
    errors = list(_VALIDATOR.iter_errors(data))
    if not errors:
        return
    # report the error nearest the top of the file (errors without a line last)
    built = [_schema_error(ctx, data, e) for e in errors]
    built.sort(key=lambda e: (e.line is None, e.line or 0, -len(e.message)))
    raise built[0]


# ---------------------------------------------------------------------------------------------
# interpolation (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+x}, $$)

# Docker Compose's rules (compose-go template package; checked against `docker compose config`
# 2.40, 2026-12-02): `$$` is a literal `$`, a `$` not followed by a name or `{` is literal, a
# default or alternative may itself hold variables (`${A:-${B}}`), and `${` without its closing
# brace, or an unknown operator, is "invalid interpolation format".
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|-|:\?|\?|:\+|\+)(?P<arg>.*))?\Z", re.S)


def read_env_file(path: Path, where_path: str | None = None) -> dict[str, str | None]:
    """KEY=VALUE lines as Docker reads an env file: '#' comments, optional `export`, quotes.

    A bare KEY (no '=') maps to None: its value is left to the environment.
    """
    out: dict[str, str | None] = {}
    label = where_path or str(path)
    try:
        text = safeload.read_text(path, label, what="env file")
    except safeload.FileError as exc:
        raise ComposeError(exc.file, exc.message, exc.line) from None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", key):
            raise ComposeError(label, f"invalid variable name {key!r} in env file", no)
        if not sep:
            out[key] = None
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            quote, value = value[0], value[1:-1]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key] = value
    return out


def _interpolate(ctx: _Ctx, node, env: dict[str, str], path=()):
    if isinstance(node, MarkedDict):
        for key in list(node):
            node[key] = _interpolate(ctx, node[key], env, path + (key,))
        return node
    if isinstance(node, MarkedList):
        for i, item in enumerate(node):
            node[i] = _interpolate(ctx, item, env, path + (i,))
        return node
    if not isinstance(node, str) or "$" not in node:
        return node

    return _expand(ctx, path, node, env)


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing the `${` whose content starts at `start`; -1 if none."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _expand(ctx: _Ctx, path, text: str, env: dict[str, str], depth: int = 0) -> str:
    if depth > 20:  # a default inside a default ... (bounded: no RecursionError on hostile input)
        raise ctx.error(path, "invalid interpolation format: defaults nested more than 20 deep")
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        nxt = text[i + 1:i + 2]
        if ch != "$" or not nxt:
            out.append(ch)
            i += 1
        elif nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end = _closing_brace(text, i + 2)
            if end < 0:
                raise ctx.error(path, "invalid interpolation format: '${' without a closing '}' "
                                "(write $$ for a literal $)")
            out.append(_braced(ctx, path, text[i + 2:end], env, depth))
            i = end + 1
        else:
            m = _NAME.match(text, i + 1)
            if m is None:
                out.append("$")
                i += 1
            else:
                out.append(_braced(ctx, path, m.group(0), env, depth))
                i = m.end()
    return "".join(out)


def _braced(ctx: _Ctx, path, inner: str, env: dict[str, str], depth: int) -> str:
    b = _BRACED.match(inner)
    if not b:
        raise ctx.error(path, f"invalid interpolation format: '${{{inner[:40]}}}'")
    name, op, arg = b.group("name"), b.group("op"), b.group("arg")
    value = env.get(name)
    empty = not value

    def alt() -> str:
        return _expand(ctx, path, arg, env, depth + 1)

    if op == ":-":
        return alt() if empty else value
    if op == "-":
        return alt() if value is None else value
    if op in (":?", "?"):
        if (empty if op == ":?" else value is None):
            raise ctx.error(path, f"required variable {name} is missing: {alt() or 'set it'}")
        return value
    if op == ":+":
        return "" if empty else alt()
    if op == "+":
        return "" if value is None else alt()
    if value is None:
        ctx.warnings.append(f"{fmt_path(path)}: variable {name} is not set; using an empty string")
        return ""
    return value


# ---------------------------------------------------------------------------------------------
# normalisers


def _plain(value):
    """Marked YAML containers -> plain dict/list (the model holds plain data only)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _scalar_str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _list_or_dict(ctx: _Ctx, path, value) -> dict[str, str | None]:
    """["K=V", "K"] or {K: V} -> {K: "V"}; a bare K (or K: null) maps to None."""
    if value is None:
        return {}
    if isinstance(value, list):
        out: dict[str, str | None] = {}
        for i, item in enumerate(value):
            key, has, val = item.partition("=")
            if not key:
                raise ctx.error(path + (i,), f"expected KEY=VALUE, got {item!r}")
            out[key] = val if has else None
        return out
    return {str(key): _scalar_str(val) for key, val in value.items()}


def _labels(ctx, path, value) -> dict[str, str]:
    return {k: ("" if v is None else v) for k, v in _list_or_dict(ctx, path, value).items()}


def _words(ctx: _Ctx, path, value) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise ctx.error(path, f"cannot split into words: {exc}") from None


def _port_number(ctx, path, text, what="port") -> int:
    try:
        n = int(text)
    except (TypeError, ValueError):
        raise ctx.error(path, f"expected a {what} number, got {text!r}") from None
    if not 1 <= n <= 65535:
        raise ctx.error(path, f"{what} {n} out of range 1-65535")
    return n


def _port_range(ctx, path, text, what) -> list[int]:
    text = str(text)
    if "-" in text:
        lo, _, hi = text.partition("-")
        a, b = _port_number(ctx, path, lo, what), _port_number(ctx, path, hi, what)
        if b < a:
            raise ctx.error(path, f"{what} range {text!r} ends before it starts")
        return list(range(a, b + 1))
    return [_port_number(ctx, path, text, what)]


def _short_port(ctx, path, spec) -> list[Port]:
    if isinstance(spec, int):
        return [Port(target=_port_number(ctx, path, spec, "container port"))]
    text = spec.strip()
    protocol = "tcp"
    if "/" in text:
        text, _, protocol = text.rpartition("/")
        if protocol not in ("tcp", "udp", "sctp"):
            raise ctx.error(path, f"unknown protocol {protocol!r} (tcp, udp or sctp)")
    host_ip = None
    if text.startswith("["):
        end = text.find("]:")
        if end < 0:
            raise ctx.error(path, f"cannot parse port {spec!r}")
        host_ip, text = text[1:end], text[end + 2:]
        parts = text.split(":")
        if len(parts) == 1:
            parts = ["", parts[0]]
    else:
        parts = text.split(":")
        if len(parts) == 3:
            host_ip, parts = parts[0], parts[1:]
        elif len(parts) > 3:
            raise ctx.error(path, f"cannot parse port {spec!r}: expected [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]")
    targets = _port_range(ctx, path, parts[-1], "container port")
    published: list[int | None] = [None] * len(targets)
    if len(parts) == 2 and parts[0] != "":
        pubs = _port_range(ctx, path, parts[0], "published port")
        if len(pubs) == len(targets):
            published = pubs
        elif len(targets) == 1:
            raise ctx.error(path, f"published port range {parts[0]!r} for one container port is not supported")
        else:
            raise ctx.error(path, f"port ranges {parts[0]!r} and {parts[-1]!r} differ in length")
    return [Port(target=t, published=p, protocol=protocol, host_ip=host_ip or None)
            for t, p in zip(targets, published, strict=True)]


def _ports(ctx, path, value) -> list[Port]:
    out: list[Port] = []
    for i, item in enumerate(value or []):
        p = path + (i,)
        if isinstance(item, dict):
            targets = _port_range(ctx, p + ("target",), item["target"], "container port")
            if len(targets) != 1:
                raise ctx.error(p + ("target",), "a port range needs the short syntax")
            pub = item.get("published")
            published = None
            if pub is not None and str(pub) != "":
                pubs = _port_range(ctx, p + ("published",), pub, "published port")
                if len(pubs) != 1:
                    raise ctx.error(p + ("published",), "a published port range needs the short syntax")
                published = pubs[0]
            out.append(Port(target=targets[0], published=published,
                            protocol=item.get("protocol", "tcp"), mode=item.get("mode", "ingress"),
                            host_ip=item.get("host_ip"), name=item.get("name")))
        else:
            out.extend(_short_port(ctx, p, item))
    return out


def _expose(ctx, path, value) -> list[Port]:
    out = []
    for i, item in enumerate(value or []):
        text, protocol = str(item), "tcp"
        if "/" in text:
            text, _, protocol = text.partition("/")
            if protocol not in ("tcp", "udp", "sctp"):
                raise ctx.error(path + (i,), f"unknown protocol {protocol!r} (tcp, udp or sctp)")
        out.extend(Port(target=t, protocol=protocol) for t in _port_range(ctx, path + (i,), text, "port"))
    return out


def _healthcheck(ctx, path, value) -> Healthcheck | None:
    if value is None:
        return None
    test = value.get("test")
    disable = bool(value.get("disable", False))
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    elif isinstance(test, list):
        test = [str(t) for t in test]
        if not test:
            raise ctx.error(path + ("test",), "empty test; use disable: true to turn the healthcheck off")
        if test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            raise ctx.error(path + ("test",), f"a list test starts with CMD, CMD-SHELL or NONE, not {test[0]!r}")
        if test[0] == "NONE":
            disable, test = True, None
        elif len(test) < 2:
            raise ctx.error(path + ("test",), f"{test[0]} needs a command")
        elif test[0] == "CMD-SHELL" and len(test) > 2:
            test = ["CMD-SHELL", " ".join(test[1:])]
    dur = {k: ctx.parse(path + (k,), parse_duration, value[k]) if k in value else None
           for k in ("interval", "timeout", "start_period", "start_interval")}
    return Healthcheck(test=test, retries=value.get("retries"), disable=disable, **dur)


_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9_.\-/]+)\s*(==|!=)\s*(\S.*?)\s*\Z")


def _update(ctx, path, value) -> UpdateConfig | None:
    if value is None:
        return None
    return UpdateConfig(
        parallelism=value.get("parallelism"),
        delay=ctx.parse(path + ("delay",), parse_duration, value["delay"]) if "delay" in value else None,
        failure_action=value.get("failure_action"),
        monitor=ctx.parse(path + ("monitor",), parse_duration, value["monitor"]) if "monitor" in value else None,
        max_failure_ratio=value.get("max_failure_ratio"),
        order=value.get("order"),
    )


def _resource(ctx, path, value) -> ResourceSpec:
    if not value:
        return ResourceSpec()
    return ResourceSpec(
        cpus=ctx.parse(path + ("cpus",), parse_cpus, value["cpus"]) if "cpus" in value else None,
        memory=ctx.parse(path + ("memory",), parse_size, value["memory"]) if "memory" in value else None,
        pids=value.get("pids"),
        devices=_plain(value.get("devices", [])),
        generic_resources=_plain(value.get("generic_resources", [])),
    )


def _deploy(ctx, path, value) -> Deploy:
    if not value:
        return Deploy()
    mode = value.get("mode", "replicated")
    if mode == "global" and "replicas" in value:
        # docker compose config accepts this (checked 2026-12-02); a global service ignores it
        ctx.warnings.append(f"{fmt_path(path + ('replicas',))}: ignored: a global service runs one task per node")
    pl = value.get("placement") or {}
    constraints = []
    for i, c in enumerate(pl.get("constraints", [])):
        m = _CONSTRAINT.match(c)
        if not m:
            raise ctx.error(path + ("placement", "constraints", i),
                            f"cannot parse constraint {c!r}: expected ATTRIBUTE == VALUE or ATTRIBUTE != VALUE")
        constraints.append(f"{m.group(1)} {m.group(2)} {m.group(3)}")
    placement = Placement(constraints=constraints,
                          preferences=[p["spread"] for p in pl.get("preferences", [])],
                          max_replicas_per_node=pl.get("max_replicas_per_node"))
    rp = value.get("restart_policy")
    restart = None
    if rp is not None:
        rpp = path + ("restart_policy",)
        restart = RestartPolicy(
            condition=rp.get("condition", "any"),
            delay=ctx.parse(rpp + ("delay",), parse_duration, rp["delay"]) if "delay" in rp else None,
            max_attempts=rp.get("max_attempts"),
            window=ctx.parse(rpp + ("window",), parse_duration, rp["window"]) if "window" in rp else None,
        )
    res = value.get("resources") or {}
    resources = Resources(limits=_resource(ctx, path + ("resources", "limits"), res.get("limits")),
                          reservations=_resource(ctx, path + ("resources", "reservations"),
                                                 res.get("reservations")))
    if res.get("limits", {}) and res.get("reservations", {}):
        lim, resv = resources.limits, resources.reservations
        if lim.cpus is not None and resv.cpus is not None and resv.cpus > lim.cpus:
            raise ctx.error(path + ("resources", "reservations", "cpus"), "reservation exceeds the limit")
        if lim.memory is not None and resv.memory is not None and resv.memory > lim.memory:
            raise ctx.error(path + ("resources", "reservations", "memory"), "reservation exceeds the limit")
    return Deploy(
        mode=mode,
        replicas=value.get("replicas"),
        placement=placement,
        restart_policy=restart,
        update_config=_update(ctx, path + ("update_config",), value.get("update_config")),
        rollback_config=_update(ctx, path + ("rollback_config",), value.get("rollback_config")),
        resources=resources,
        labels=_labels(ctx, path + ("labels",), value.get("labels")),
        endpoint_mode=value.get("endpoint_mode"),
    )


def _is_path(source: str) -> bool:
    return source.startswith((".", "/", "~")) or (len(source) > 1 and source[1] == ":")


def _host_path(ctx, path, source: str) -> str:
    """A bind source: a path on the node (never read here), made absolute against the compose file's
    folder as `docker stack deploy` does. Not confined to the project: nothing is read from it."""
    if "\0" in source:
        raise ctx.error(path, f"{source!r} holds a NUL character; not a path")
    expanded = os.path.expanduser(source)
    if os.path.isabs(expanded):
        return expanded
    try:
        return str((ctx.base / expanded).resolve())
    except (OSError, RuntimeError):  # a symlink loop: keep the path as written, made absolute
        return os.path.normpath(ctx.base / expanded)


def _volumes(ctx, path, value, declared: dict) -> list[VolumeMount]:
    out = []
    for i, item in enumerate(value or []):
        p = path + (i,)
        if isinstance(item, dict):
            vtype = item.get("type", "volume")
            source = item.get("source")
            read_only = bool(item.get("read_only", False))
            tmpfs_size = None
            if vtype == "bind":
                if not source:
                    raise ctx.error(p, "a bind mount needs a source path")
                source = _host_path(ctx, p + ("source",), source)
            elif vtype == "tmpfs":
                if source:
                    raise ctx.error(p + ("source",), "a tmpfs mount takes no source")
                size = (item.get("tmpfs") or {}).get("size")
                tmpfs_size = ctx.parse(p + ("tmpfs", "size"), parse_size, size) if size is not None else None
            out.append(VolumeMount(type=vtype, target=item["target"], source=source or None,
                                   read_only=read_only, tmpfs_size=tmpfs_size))
        else:
            parts = item.split(":")
            if len(parts) > 1 and len(parts[0]) == 1 and parts[0].isalpha():  # C:\path on Windows
                parts = [parts[0] + ":" + parts[1]] + parts[2:]
            if len(parts) == 1:
                out.append(VolumeMount(type="volume", target=parts[0]))
                continue
            if len(parts) > 3:
                raise ctx.error(p, f"cannot parse volume {item!r}: expected SOURCE:TARGET[:MODE]")
            if "" in parts:  # e.g. "${UNSET}:/data"; docker compose: "empty section between colons"
                raise ctx.error(p, f"invalid volume {item!r}: empty section between colons "
                                "(is a variable in it unset?)")
            source, target = parts[0], parts[1]
            modes = parts[2].split(",") if len(parts) == 3 else []
            known = {"ro", "rw", "z", "Z", "nocopy", "consistent", "cached", "delegated",
                     "shared", "rshared", "slave", "rslave", "private", "rprivate"}
            bad = [m for m in modes if m not in known]
            if bad:
                raise ctx.error(p, f"unknown volume mode {bad[0]!r}")
            if not target.startswith("/"):
                raise ctx.error(p, f"container path {target!r} must be absolute")
            if _is_path(source):
                out.append(VolumeMount(type="bind", source=_host_path(ctx, p, source), target=target,
                                       read_only="ro" in modes))
            else:
                out.append(VolumeMount(type="volume", source=source, target=target, read_only="ro" in modes))
    for i, mount in enumerate(out):
        if mount.type == "volume" and mount.source and mount.source not in declared:
            raise ctx.error(path + (i,) if i < len(value or []) else path,
                            f"named volume {mount.source!r} is not declared under the top-level volumes")
    return out


def _tmpfs(ctx, path, value) -> list[VolumeMount]:
    items = [value] if isinstance(value, str) else (value or [])
    out = []
    for i, item in enumerate(items):
        target, _, opts = item.partition(":")
        size = None
        for opt in filter(None, opts.split(",")):
            k, _, v = opt.partition("=")
            if k == "size":
                size = ctx.parse(path + (i,) if isinstance(value, list) else path, parse_size, v)
        out.append(VolumeMount(type="tmpfs", target=target, tmpfs_size=size))
    return out


def _file_refs(ctx, path, value, declared: dict, kind: str) -> list[FileRef]:
    out = []
    for i, item in enumerate(value or []):
        p = path + (i,)
        if isinstance(item, str):
            item = {"source": item}
        source = item["source"]
        if source not in declared:
            raise ctx.error(p, f"{kind} {source!r} is not declared under the top-level {kind}s")
        target = item.get("target")
        if kind == "secret":
            target = target or source
            if not target.startswith("/"):
                target = f"/run/secrets/{target}"
        else:
            target = target or f"/{source}"
        mode = item.get("mode")
        if isinstance(mode, str):
            mode = ctx.parse(p + ("mode",), lambda s: int(s, 8), mode)
        uid, gid = item.get("uid"), item.get("gid")
        out.append(FileRef(source=source, target=target, uid=None if uid is None else str(uid),
                           gid=None if gid is None else str(gid), mode=mode))
    return out


def _service_networks(ctx, path, value, declared: dict, network_mode) -> dict[str, ServiceNetwork]:
    if value is None:
        return {} if network_mode else {"default": ServiceNetwork()}
    if network_mode:
        raise ctx.error(path, "networks cannot be combined with network_mode")
    out = {}
    items = {name: None for name in value} if isinstance(value, list) else value
    for idx, (name, conf) in enumerate(items.items()):
        p = path + ((idx,) if isinstance(value, list) else (name,))
        if name != "default" and name not in declared:
            raise ctx.error(p, f"network {name!r} is not declared under the top-level networks")
        conf = conf or {}
        out[name] = ServiceNetwork(aliases=list(conf.get("aliases", [])), ipv4_address=conf.get("ipv4_address"))
    return out


def _env_files(ctx, path, value) -> tuple[dict, list[Path]]:
    if value is None:
        return {}, []
    items = [value] if isinstance(value, str) else value
    merged: dict = {}
    paths = []
    for i, item in enumerate(items):
        p = path + (i,) if isinstance(value, list) else path
        required = True
        if isinstance(item, dict):
            required = item.get("required", True)
            item = item["path"]
        file = ctx.project_file(p, item)
        if not file.is_file():
            if required:
                raise ctx.error(p, f"env file {item!r} not found (looked for {file})")
            continue
        merged.update(read_env_file(file))
        paths.append(file)
    return merged, paths


def _from_environ(ctx, values: dict[str, str | None]) -> dict[str, str | None]:
    """A bare KEY (no '=') takes its value from the environment, as docker compose resolves it;
    None when the environment has none either."""
    return {k: ctx.environ.get(k) if v is None else v for k, v in values.items()}


def _extra_hosts(ctx, path, value) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    out = {}
    for i, item in enumerate(value):
        m = re.match(r"^([^:=\s]+)[:=](.+)\Z", item)
        if not m:
            raise ctx.error(path + (i,), f"expected HOST:IP or HOST=IP, got {item!r}")
        out[m.group(1)] = m.group(2).strip("[]")
    return out


def _service(ctx, name, raw, top) -> Service:
    path = ("services", name)

    def at(*rest):
        return path + rest

    if "image" not in raw and "build" not in raw:
        raise ctx.error(path, "a service needs an image (or a build)")
    env_file, env_paths = _env_files(ctx, at("env_file"), raw.get("env_file"))
    volumes = _volumes(ctx, at("volumes"), raw.get("volumes"), top["volumes"])
    volumes += _tmpfs(ctx, at("tmpfs"), raw.get("tmpfs"))
    depends = raw.get("depends_on") or []
    depends = list(depends) if isinstance(depends, (list, dict)) else []
    for i, dep in enumerate(depends):
        if dep not in top["services"]:
            p = at("depends_on", i) if isinstance(raw["depends_on"], list) else at("depends_on", dep)
            raise ctx.error(p, f"depends on undefined service {dep!r}")
    extras = {k: _plain(raw[k]) for k in _schema.KEPT_SERVICE_FIELDS if k in raw}
    user = raw.get("user")
    deploy = _deploy(ctx, at("deploy"), raw.get("deploy"))
    if "scale" in raw:
        if deploy.mode == "global":
            raise ctx.error(at("scale"), "scale cannot be set with deploy.mode: global")
        if deploy.replicas is not None and deploy.replicas != raw["scale"]:
            raise ctx.error(at("scale"), f"scale {raw['scale']} differs from deploy.replicas {deploy.replicas}")
        deploy = replace(deploy, replicas=raw["scale"])
    return Service(
        name=name,
        image=raw.get("image"),
        command=_words(ctx, at("command"), raw.get("command")),
        entrypoint=_words(ctx, at("entrypoint"), raw.get("entrypoint")),
        environment=_from_environ(ctx, _list_or_dict(ctx, at("environment"), raw.get("environment"))),
        env_file=_from_environ(ctx, env_file),
        env_file_paths=env_paths,
        ports=_ports(ctx, at("ports"), raw.get("ports")),
        expose=_expose(ctx, at("expose"), raw.get("expose")),
        healthcheck=_healthcheck(ctx, at("healthcheck"), raw.get("healthcheck")),
        deploy=deploy,
        labels=_labels(ctx, at("labels"), raw.get("labels")),
        volumes=volumes,
        networks=_service_networks(ctx, at("networks"), raw.get("networks"), top["networks"],
                                   raw.get("network_mode")),
        configs=_file_refs(ctx, at("configs"), raw.get("configs"), top["configs"], "config"),
        secrets=_file_refs(ctx, at("secrets"), raw.get("secrets"), top["secrets"], "secret"),
        depends_on=depends,
        restart=raw.get("restart"),
        hostname=raw.get("hostname"),
        working_dir=raw.get("working_dir"),
        user=None if user is None else str(user),
        read_only=bool(raw.get("read_only", False)),
        privileged=bool(raw.get("privileged", False)),
        cap_add=list(raw.get("cap_add", [])),
        cap_drop=list(raw.get("cap_drop", [])),
        stop_grace_period=(ctx.parse(at("stop_grace_period"), parse_duration, raw["stop_grace_period"])
                           if "stop_grace_period" in raw else None),
        stop_signal=raw.get("stop_signal"),
        extra_hosts=_extra_hosts(ctx, at("extra_hosts"), raw.get("extra_hosts")),
        tty=bool(raw.get("tty", False)),
        stdin_open=bool(raw.get("stdin_open", False)),
        extras=extras,
        keys=tuple(k for k in raw if not str(k).startswith("x-")),
    )


def _external(value) -> tuple[bool, str | None]:
    if isinstance(value, dict):  # legacy `external: {name: x}`
        return True, value.get("name")
    return bool(value), None


def _network(ctx, name, raw) -> Network:
    raw = raw or {}
    external, legacy = _external(raw.get("external", False))
    return Network(name=name, external=external, name_override=raw.get("name") or legacy,
                   driver=raw.get("driver"),
                   driver_opts={k: _scalar_str(v) or "" for k, v in (raw.get("driver_opts") or {}).items()},
                   attachable=bool(raw.get("attachable", False)), internal=bool(raw.get("internal", False)),
                   labels=_labels(ctx, ("networks", name, "labels"), raw.get("labels")))


def _volume(ctx, name, raw) -> Volume:
    raw = raw or {}
    external, legacy = _external(raw.get("external", False))
    return Volume(name=name, external=external, name_override=raw.get("name") or legacy,
                  driver=raw.get("driver"),
                  driver_opts={k: _scalar_str(v) or "" for k, v in (raw.get("driver_opts") or {}).items()},
                  labels=_labels(ctx, ("volumes", name, "labels"), raw.get("labels")))


def _file_object(ctx, kind, name, raw) -> FileObject:
    path = (kind + "s", name)
    external, legacy = _external(raw.get("external", False))
    sources = [k for k in ("file", "content", "environment") if k in raw] + (["external"] if external else [])
    if kind == "secret" and "content" in raw:
        raise ctx.error(path + ("content",), "secrets take file, environment or external, not content")
    if len(sources) != 1:
        raise ctx.error(path, f"a {kind} needs exactly one of file, content, environment or external"
                        + (f" (got {', '.join(sources)})" if sources else ""))
    file = None
    if "file" in raw:
        file = ctx.project_file(path + ("file",), raw["file"])
        if not file.is_file():
            raise ctx.error(path + ("file",), f"{kind} file {raw['file']!r} not found (looked for {file})")
    return FileObject(name=name, file=file, content=raw.get("content"), environment=raw.get("environment"),
                      external=external, name_override=raw.get("name") or legacy,
                      labels=_labels(ctx, path + ("labels",), raw.get("labels")))


def _project_name(raw_name, path: Path) -> str:
    if raw_name:
        return raw_name
    base = re.sub(r"[^a-z0-9_-]", "", path.resolve().parent.name.lower())
    return base or "default"


_LOADED: dict[tuple, ComposeProject] = {}


def load_compose(path, *, environ: dict[str, str] | None = None,
                 profiles: list[str] | tuple[str, ...] | None = None,
                 files: ProjectFiles | None = None) -> ComposeProject:
    """Read, validate and normalise a compose file.

    `environ` supplies ${VAR} values (default: the `.env` file beside the compose file, overridden
    by os.environ, as Docker Compose does). Raises ComposeError (FILE or FILE:LINE) on bad input.

    `profiles`: the active compose profiles (None: COMPOSE_PROFILES from `environ`, comma
    separated, as `docker compose` reads it). A service that lists profiles is kept only when one
    of them is active ("*" activates all); the others are left out of the model, with a warning.

    `files`: the folders whose files the compose file may name (env files, config and secret
    files, and `.env`); a stack passes its project's (Pulumi.yaml's folder and
    dockyard:allowFilesOutsideProject), and the default is the compose file's own folder.

    Config validation, the swarm, container and Kubernetes components all read the same file in
    one run: the (immutable) result is kept per file content and environment, so it is parsed once.
    """
    path = Path(path)
    files = files or ProjectFiles.of(path.parent)
    if environ is None:
        environ = {}
        dotenv = path.parent / ".env"
        if dotenv.is_file():
            try:
                dotenv = files.resolve(dotenv, ".env")
            except OutsideProject as exc:
                raise ComposeError(str(path.parent / ".env"), str(exc)) from None
            environ.update({k: v for k, v in read_env_file(dotenv).items() if v is not None})
        environ.update(os.environ)
    if profiles is None:
        profiles = [p.strip() for p in environ.get("COMPOSE_PROFILES", "").split(",") if p.strip()]
    active = tuple(dict.fromkeys(profiles))
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, frozenset(environ.items()), active, files)
    except OSError:
        key = None  # _read reports the missing file
    if key is not None and key in _LOADED:
        return _LOADED[key]
    project = _load(path, environ, active, files)
    if key is not None:
        _LOADED[key] = project
    return project


def _enabled(raw, active: tuple[str, ...]) -> bool:
    """Docker Compose's rule: no profiles, or one of them active, or "*" active."""
    listed = raw.get("profiles") or []
    return not listed or "*" in active or any(p in active for p in listed)


def _load(path: Path, environ: dict[str, str], active: tuple[str, ...] = (),
          files: ProjectFiles | None = None) -> ComposeProject:
    data = _read(path)
    ctx = _Ctx(path, collect_lines(data), files)
    ctx.environ = environ
    _interpolate(ctx, data, environ)
    _validate(ctx, data)

    networks = {n: _network(ctx, n, r) for n, r in (data.get("networks") or {}).items()}
    volumes = {n: _volume(ctx, n, r) for n, r in (data.get("volumes") or {}).items()}
    configs = {n: _file_object(ctx, "config", n, r) for n, r in (data.get("configs") or {}).items()}
    secrets = {n: _file_object(ctx, "secret", n, r) for n, r in (data.get("secrets") or {}).items()}
    top = {"services": data["services"] or {}, "networks": networks, "volumes": volumes,
           "configs": configs, "secrets": secrets}
    if not top["services"]:
        raise ctx.error(("services",), "no services defined")
    # Profiles (https://docs.docker.com/compose/how-tos/profiles/, read 2026-12-02): a disabled
    # service is still interpolated, schema-checked and its volumes parsed (docker compose config
    # refuses a bad one), but its env_file is not read and nothing may depend on it.
    enabled = {n: r for n, r in top["services"].items() if _enabled(r, active)}
    for name, raw in top["services"].items():
        if name not in enabled:
            _volumes(ctx, ("services", name, "volumes"), raw.get("volumes"), volumes)
            ctx.warnings.append(f"services.{name}: not deployed: its profiles ({', '.join(raw['profiles'])}) "
                                "are not active (activate with COMPOSE_PROFILES or the profiles setting)")
    services = {name: _service(ctx, name, raw, {**top, "services": enabled})
                for name, raw in enabled.items()}
    if any("default" in s.networks for s in services.values()) and "default" not in networks:
        networks["default"] = Network(name="default", implicit=True)
    return ComposeProject(name=_project_name(data.get("name"), path), path=path, services=services,
                          networks=networks, volumes=volumes, configs=configs, secrets=secrets,
                          lines=ctx.lines, warnings=ctx.warnings, profiles=active, files=ctx.files)
