"""`dockyard env`, `dockyard context` and `dockyard ls`: docker-machine's env and ls for the hosts
a stack created (components/hosts), read from the stack's outputs.

The outputs come from ``pulumi stack output --json --show-secrets --stack STACK`` or, with
``--outputs-file F``, from a file holding that JSON. `env` prints exactly what `docker-machine env`
printed for each shell (its templates: docker/machine commands/env.go), with the certificates
written to ~/.docker/dockyard/STACK/HOST (folder 0700, files 0600).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from components import safeload
from components.errors import InputError, shown

SHELLS = ("bash", "fish", "powershell", "cmd")
CERT_FILES = {"ca": "ca.pem", "cert": "cert.pem", "key": "key.pem"}

# How each shell sets and unsets a variable. docker-machine pasted values between double quotes
# unquoted inside them, so a `$(...)` in an outputs file ran when the output was eval'ed; each
# value now goes through the shell's own quoting (quote_value), and cmd refuses what it cannot carry.
SET_FORMAT = {
    "bash": "export {name}={value}\n",
    "fish": "set -gx {name} {value};\n",
    "powershell": "$Env:{name} = {value}\n",
    "cmd": 'SET "{name}={value}"\n',
}
UNSET_FORMAT = {
    "bash": "unset {name}\n",
    "fish": "set -e {name};\n",
    "powershell": "Remove-Item Env:\\\\{name}\n",
    "cmd": "SET {name}=\n",
}
VARIABLES = ("DOCKER_TLS_VERIFY", "DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_MACHINE_NAME")


# --- quoting per shell ----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# PowerShell: a single-quoted string is verbatim, a quote inside is written twice (about_Quoting_Rules,
# https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules);
# its tokenizer takes U+2018, U+2019, U+201A and U+201B as single quotes too (PowerShell source,
# src/System.Management.Automation/engine/parser/CharTraits.cs, IsSingleQuote; both read 2026-12-03).
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
# cmd: inside `set "VAR=value"` the quotes shield & | < > ^, but %VAR% expands before quotes are
# looked at, ! expands under delayed expansion and a " ends the quoting. Nothing is escaped: a
# value holding any of them (issue 12 lists ^ & | < > too, kept refused) is refused with exit 2.
_CMD_UNSAFE = set('%!^"&|<>')


def quote_bash(value: str) -> str:
    """bash/zsh: a single-quoted word; a ' closes, is escaped outside, and reopens (' -> '\\'')."""
    return "'" + value.replace("'", "'\\''") + "'"


def quote_fish(value: str) -> str:
    """fish: single quotes, inside which \\' and \\\\ are the only escapes (fish-language(1), "Quotes",
    https://fishshell.com/docs/current/language.html#quotes; vim/vim#8810; read 2026-12-03)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_powershell(value: str) -> str:
    """PowerShell: a single-quoted (verbatim) string, each quote character written twice."""
    return "'" + "".join(c * 2 if c in _PS_QUOTES else c for c in value) + "'"


def quote_cmd(value: str) -> str:
    """cmd: the text that goes between `set "VAR=` and `"`; ValueError for what cmd cannot carry."""
    bad = sorted(set(value) & _CMD_UNSAFE)
    if bad:
        raise ValueError(f"cmd cannot carry {bad[0]!r} safely")
    return value


QUOTE = {"bash": quote_bash, "fish": quote_fish, "powershell": quote_powershell, "cmd": quote_cmd}


def quote_value(shell: str, value: str, where: str) -> str:
    """``value`` quoted for ``shell``; InputError (exit 2) for a value no shell line can carry.

    Control characters are refused for every shell: PowerShell's `| Invoke-Expression` and cmd's
    `FOR /f` run the output line by line, and the `eval $(...)` hint folds newlines into spaces.
    """
    if _CONTROL.search(value):
        raise InputError(where, f"{value!r} holds a control character; refusing to print it for a shell")
    try:
        return QUOTE[shell](value)
    except ValueError as exc:
        raise InputError(where, f"{value!r}: {exc}; use --shell powershell, or fix the value") from None


# --- stack and host names (they become folder names) ---------------------------------------------

# Stack names: dockyard.stackfile.check_stack_name. Host names are DNS labels, as dockyard:hosts[].name.


def check_names(stack: str | None, host: str | None = None) -> None:
    """STACK and HOST name folders under ~/.docker/dockyard: refuse anything that is not a name."""
    from components.config import _DNS_LABEL
    from dockyard.stackfile import check_stack_name

    if stack is not None:
        check_stack_name(stack)
    if host is not None and not _DNS_LABEL.fullmatch(host):
        raise InputError("HOST", f"{host!r} is not a host name (dockyard:hosts[].name: lower-case letters, "
                         "digits and '-', at most 63)")


# --- arguments -------------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser, host: bool = True) -> None:
    p.add_argument("stack", help="stack name (as in `pulumi stack ls`)")
    if host:
        p.add_argument("host", help="host name (dockyard:hosts[].name)")
    p.add_argument("--outputs-file", type=Path, metavar="F",
                   help="read the outputs from F (the JSON of `pulumi stack output --json --show-secrets`)")


def add_env_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("stack", nargs="?", help="stack name (not needed with --unset)")
    p.add_argument("host", nargs="?", help="host name (not needed with --unset)")
    p.add_argument("--shell", choices=SHELLS, default="bash", help="shell syntax (default bash)")
    p.add_argument("--unset", "-u", action="store_true", help="print the commands that unset the variables")
    p.add_argument("--outputs-file", type=Path, metavar="F",
                   help="read the outputs from F (the JSON of `pulumi stack output --json --show-secrets`)")


def add_context_arguments(p: argparse.ArgumentParser) -> None:
    _common(p)


def add_ls_arguments(p: argparse.ArgumentParser) -> None:
    _common(p, host=False)


# --- reading outputs ---------------------------------------------------------------------------------


def stack_outputs(stack: str, outputs_file: Path | None = None) -> dict:
    """The stack's outputs, secrets revealed."""
    if outputs_file is not None:
        where = str(outputs_file)
        text = safeload.read_text(outputs_file, where, what="outputs file")
    else:
        if shutil.which("pulumi") is None:
            raise InputError(f"stack {stack}", "the pulumi CLI is not installed; pass --outputs-file F")
        proc = subprocess.run(["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", stack],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["pulumi stack output failed"])[-1]
            raise InputError(f"stack {stack}", reason.removeprefix("error: "))
        text, where = proc.stdout, f"stack {stack}"
    data = safeload.parse_json(text, where, what="JSON of `pulumi stack output --json`")
    if not isinstance(data, dict):
        raise InputError(where, "not the JSON object of `pulumi stack output --json`")
    return data


def _output(outputs: dict, key: str, stack: str) -> dict:
    value = outputs.get(key)
    if value is None:
        raise InputError(key, f"stack {stack} has no '{key}' output (does it declare dockyard:hosts?)")
    if value == "[secret]":
        raise InputError(key, "the output is hidden; it must be read with --show-secrets")
    if not isinstance(value, dict):
        raise InputError(key, "expected an object keyed by host name")
    return value


def host_entry(outputs: dict, stack: str, host: str) -> tuple[dict, dict]:
    """(hosts[host], hostCredentials[host]) or an InputError naming what is missing."""
    hosts = _output(outputs, "hosts", stack)
    if host not in hosts:
        known = ", ".join(sorted(hosts)) or "none"
        raise InputError(f"hosts.{host}", f"stack {stack} has no host '{host}' (hosts: {known})")
    creds = _output(outputs, "hostCredentials", stack)
    entry = creds.get(host)
    if not isinstance(entry, dict) or any(not entry.get(k) for k in CERT_FILES):
        raise InputError(f"hostCredentials.{host}", "missing ca, cert or key")
    for k in CERT_FILES:  # written to ca.pem, cert.pem, key.pem as they are: PEM text only
        if not isinstance(entry[k], str):
            raise InputError(f"hostCredentials.{host}.{k}", f"expected PEM text, got {type(entry[k]).__name__}")
    return hosts[host], entry


# --- certificates on disk ------------------------------------------------------------------------


def cert_dir(stack: str, host: str) -> Path:
    return Path.home() / ".docker" / "dockyard" / stack / host


def write_certs(stack: str, host: str, creds: dict) -> Path:
    """ca.pem, cert.pem, key.pem in ~/.docker/dockyard/STACK/HOST: folders 0700, files 0600."""
    folder = cert_dir(stack, host)
    base = Path.home() / ".docker"
    for d in (base / "dockyard", base / "dockyard" / stack, folder):
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        d.chmod(0o700)
    for key, name in CERT_FILES.items():
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(creds[key])
        path.chmod(0o600)  # an existing file keeps its old mode through os.open
    return folder


# --- env ------------------------------------------------------------------------------------------


def usage_hint(shell: str, command: str) -> str:
    """docker-machine's hint: how to feed the output to the shell."""
    comment = "#"
    if shell == "fish":
        cmd = f"eval ({command})"
    elif shell == "powershell":
        cmd = f"& {command} | Invoke-Expression"
    elif shell == "cmd":
        cmd = f"\t@FOR /f \"tokens=*\" %i IN ('{command}') DO @%i"
        comment = "REM"
    else:
        # Quoted, unlike docker-machine's `eval $(...)`: unquoted, the output is split into words and
        # each word globbed, so a `*` in a value meets the names of files in the current folder.
        cmd = f'eval "$({command})"'
    return f"{comment} Run this command to configure your shell: \n{comment} {cmd}\n"


def env_text(shell: str, values: dict[str, str] | None, command: str,
             where: dict[str, str] | None = None) -> str:
    """The variables in ``shell`` syntax (``values`` None: unset them), then the usage hint.

    Every value is quoted for the shell (InputError naming ``where[name]`` when it cannot be)."""
    fmt = (UNSET_FORMAT if values is None else SET_FORMAT)[shell]
    body = "".join(fmt.format(name=name, value="" if values is None else
                              quote_value(shell, values[name], (where or {}).get(name, name)))
                   for name in VARIABLES)
    return body + usage_hint(shell, command)


def _command_line(args) -> str:
    """The command the hint repeats; the outputs file's path is quoted for the shell, and left out
    (as F) where no comment line can carry it."""
    parts = ["python -m dockyard env"]
    if not args.unset:
        parts += [args.stack, args.host]
    if args.shell != "bash":
        parts.append(f"--shell {args.shell}")
    if args.unset:
        parts.append("--unset")
    if args.outputs_file is not None and not args.unset:
        path = str(args.outputs_file)
        try:
            path = quote_value(args.shell, path, "--outputs-file") if not _PLAIN_PATH.fullmatch(path) else path
        except InputError:
            path = "F"
        parts.append(f"--outputs-file {path}")
    return " ".join(parts)


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_./:+@-]+")


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, str) or not value:
        raise InputError(where, f"expected a non-empty string, got {value!r}")
    return value


def run_env(args) -> int:
    if args.unset:
        sys.stdout.write(env_text(args.shell, None, _command_line(args)))
        return 0
    if args.stack is None or args.host is None:
        raise InputError("env", "give STACK and HOST (or --unset)")
    check_names(args.stack, args.host)
    outputs = stack_outputs(args.stack, args.outputs_file)
    entry, creds = host_entry(outputs, args.stack, args.host)
    docker_host = _text(entry, "dockerHost", f"hosts.{args.host}.dockerHost")
    values = {"DOCKER_TLS_VERIFY": "1", "DOCKER_HOST": docker_host,
              "DOCKER_CERT_PATH": str(cert_dir(args.stack, args.host)), "DOCKER_MACHINE_NAME": args.host}
    where = {"DOCKER_HOST": f"hosts.{args.host}.dockerHost", "DOCKER_CERT_PATH": "DOCKER_CERT_PATH (from HOME)"}
    text = env_text(args.shell, values, _command_line(args), where)  # refuses before anything is written
    write_certs(args.stack, args.host, creds)
    sys.stdout.write(text)
    return 0


# --- context --------------------------------------------------------------------------------------


def context_name(stack: str, host: str) -> str:
    return f"{stack}-{host}"


# The --docker endpoint is comma-separated key=value pairs: a comma, quote or control character in
# a value would add or override a field (skip-tls-verify=true), so such a value is refused.
_ENDPOINT_UNSAFE = re.compile(r'[,"\x00-\x1f\x7f]')


def run_context(args) -> int:
    check_names(args.stack, args.host)
    outputs = stack_outputs(args.stack, args.outputs_file)
    entry, creds = host_entry(outputs, args.stack, args.host)
    docker_host = _text(entry, "dockerHost", f"hosts.{args.host}.dockerHost")
    folder = cert_dir(args.stack, args.host)
    for where, value in ((f"hosts.{args.host}.dockerHost", docker_host), ("HOME", str(folder))):
        if _ENDPOINT_UNSAFE.search(value):
            raise InputError(where, f"{value!r} holds a comma, quote or control character, which a "
                             "docker context endpoint cannot carry")
    docker = shutil.which("docker")
    if docker is None:
        raise InputError("docker", "the docker CLI is not installed")
    folder = write_certs(args.stack, args.host, creds)
    name = context_name(args.stack, args.host)
    endpoint = (f"host={docker_host},ca={folder / 'ca.pem'},cert={folder / 'cert.pem'},"
                f"key={folder / 'key.pem'},skip-tls-verify=false")
    description = f"dockyard {args.stack}/{args.host} ({entry.get('cloud')}, {entry.get('os')})"
    exists = subprocess.run([docker, "context", "inspect", name], capture_output=True, text=True).returncode == 0
    verb = "update" if exists else "create"
    proc = subprocess.run([docker, "context", verb, name, "--description", description, "--docker", endpoint],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise InputError(f"docker context {verb} {name}", (proc.stderr.strip() or "failed").splitlines()[-1])
    print(f"{'Updated' if exists else 'Created'} docker context {name}: docker --context {name} info")
    return 0


# --- ls -------------------------------------------------------------------------------------------


def ls_text(hosts: dict) -> str:
    """NAME, CLOUD, OS, SIZE, URL as docker-machine ls aligned them (tabwriter: min width 5, padding 3).
    Cells come from an outputs file: their control characters are shown escaped, never sent raw."""
    header = ["NAME", "CLOUD", "OS", "SIZE", "URL"]
    rows = [[shown(str(cell)) for cell in (name, h.get("cloud", ""), h.get("os", ""), h.get("size", ""),
                                           h.get("dockerHost", ""))]
            for name, h in sorted(hosts.items())]
    widths = [max(5, max(len(r[i]) for r in [header, *rows]) + 3) for i in range(len(header) - 1)]
    lines = []
    for r in [header, *rows]:
        lines.append("".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + r[-1])
    return "\n".join(lines) + "\n"


def run_ls(args) -> int:
    check_names(args.stack)
    outputs = stack_outputs(args.stack, args.outputs_file)
    hosts = _output(outputs, "hosts", args.stack)
    for name, entry in hosts.items():
        if not isinstance(entry, dict):
            raise InputError(f"hosts.{name}", f"expected an object (cloud, os, size, dockerHost), got "
                             f"{type(entry).__name__}")
    sys.stdout.write(ls_text(hosts))
    return 0
