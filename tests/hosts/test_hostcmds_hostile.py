"""`dockyard env` / `context` / `ls` with hostile outputs files and arguments (issue 12).

The output of `env` is meant to be eval'ed: whatever an outputs file or HOME holds must come out as
data, never run. bash is evaluated for real; fish and PowerShell are not installed here, so their
quoting is checked against their documented parsing rules (and evaluated when the shell exists).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from dockyard import cli
from dockyard.hostcmds import quote_cmd, quote_fish, quote_powershell
from tests.hosts.test_hostcmds import HOST, STACK, outputs

HOSTILE = [
    "$(touch PWNED)",
    "`touch PWNED`",
    "'; touch PWNED; '",
    "\"; touch PWNED; \"",
    "a b  *  ?[x] ~ {a,b} $HOME ${HOME} \\ \\' \\\\",
    "it's \u2018quoted\u2019 \u201aand\u201b $(touch PWNED)",
    "%PATH% !x! ^& | < > ; $env:PATH",
]


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def outputs_file(tmp_path, docker_host: str | None = None):
    data = outputs()
    if docker_host is not None:
        data["hosts"][HOST]["dockerHost"] = docker_host
    f = tmp_path / "outputs.json"
    f.write_text(json.dumps(data))
    return f


def one_error_line(code: int, out: str, err: str) -> None:
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: "), err


# --- bash: evaluated for real ------------------------------------------------------------------------


BAIT = "x'; touch PWNED; '"  # a file name in the current folder, for a glob in a value to meet


def _env_in_bash(tmp_path, home, f, form: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run `dockyard env` for bash and eval its output: with the command its own hint prints
    (`hint`), or as `eval "$(...)"` (`quoted`). The folder holds a file named to break quoting."""
    from pathlib import Path
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / BAIT).write_text("")
    repo = Path(__file__).resolve().parents[2]
    bin_dir = tmp_path / "bin"  # the hint says `python`: this interpreter
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "python").exists():
        (bin_dir / "python").symlink_to(sys.executable)
    env = {"HOME": str(home), "PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHONPATH": str(repo)}
    cmd = f"{sys.executable} -m dockyard env {STACK} {HOST} --outputs-file {f}"
    if form == "hint":
        out = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, capture_output=True, text=True).stdout
        script = out.splitlines()[-1].removeprefix("# ")
        assert script.startswith("eval ") and script.endswith(")\""), script
    else:
        script = f'eval "$({cmd})"'
    script += '; printf "%s\\n%s" "$DOCKER_HOST" "$DOCKER_CERT_PATH"'
    proc = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True)
    return proc, sorted(p.name for p in work.iterdir() if p.name != BAIT)


@pytest.mark.parametrize("form", ["hint", "quoted"])
@pytest.mark.parametrize("value", HOSTILE)
def test_bash_eval_runs_nothing_from_the_outputs_file(tmp_path, home, value, form):
    f = outputs_file(tmp_path, docker_host=f"tcp://{value}:2376")
    proc, created = _env_in_bash(tmp_path, home, f, form)
    assert created == [], (created, proc.stderr)
    assert proc.returncode == 0, proc.stderr
    host, _, cert_path = proc.stdout.partition("\n")
    assert host == f"tcp://{value}:2376"  # every character kept, no glob met the bait
    assert cert_path == str(home / ".docker/dockyard" / STACK / HOST)


@pytest.mark.parametrize("value", HOSTILE[:4])
def test_bash_eval_of_a_hostile_home(tmp_path, value):
    """DOCKER_CERT_PATH comes from HOME, which the outputs file does not control but is pasted too."""
    home = tmp_path / f"h{value}x"
    home.mkdir()
    f = outputs_file(tmp_path)
    proc, created = _env_in_bash(tmp_path, home, f, "quoted")
    assert created == [], (created, proc.stderr)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.partition("\n")[2] == str(home / ".docker/dockyard" / STACK / HOST)


# --- fish and PowerShell: their documented rules -------------------------------------------------------


def parse_fish_single_quoted(text: str) -> str:
    """fish's rule for '...': \\' is a quote, \\\\ a backslash, any other backslash is literal; the
    word must be exactly one quoted string."""
    assert text[0] == "'" and text[-1] == "'"
    out, i = [], 1
    while i < len(text) - 1:
        c = text[i]
        if c == "\\" and text[i + 1] in "'\\" and i + 1 < len(text) - 1:
            out.append(text[i + 1])
            i += 2
            continue
        assert c != "'", f"unescaped quote ends the string early at {i}: {text!r}"
        out.append(c)
        i += 1
    return "".join(out)


PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"  # written from PowerShell's CharTraits.IsSingleQuote


def parse_powershell_single_quoted(text: str) -> str:
    """PowerShell's verbatim string: any single-quote character followed by another one is one
    literal (the second); a lone one ends the string, which must be the last character."""
    assert text[0] in PS_SINGLE_QUOTES
    out, i = [], 1
    while i < len(text):
        c = text[i]
        if c in PS_SINGLE_QUOTES:
            if i + 1 < len(text) and text[i + 1] in PS_SINGLE_QUOTES:
                out.append(text[i + 1])
                i += 2
                continue
            assert i == len(text) - 1, f"the string ends early at {i}: {text!r}"
            return "".join(out)
        out.append(c)
        i += 1
    raise AssertionError(f"unterminated: {text!r}")


@pytest.mark.parametrize("value", HOSTILE + ["\\", "'", "\\'", "''", "\u2019\u2019", "x\\"])
def test_fish_quoting_round_trips(value):
    assert parse_fish_single_quoted(quote_fish(value)) == value


@pytest.mark.parametrize("value", HOSTILE + ["'", "\u2018", "\u201b'", "''", "x'"])
def test_powershell_quoting_round_trips(value):
    assert parse_powershell_single_quoted(quote_powershell(value)) == value


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
@pytest.mark.parametrize("value", HOSTILE)
def test_fish_eval(tmp_path, value):
    proc = subprocess.run(["fish", "-c", f"set -gx X {quote_fish(value)}; printf %s $X"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.stdout == value and not (tmp_path / "PWNED").exists()


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell is not installed")
@pytest.mark.parametrize("value", HOSTILE)
def test_powershell_eval(tmp_path, value):
    proc = subprocess.run(["pwsh", "-NoProfile", "-Command",
                           f"$Env:X = {quote_powershell(value)}; [Console]::Out.Write($Env:X)"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.stdout == value and not (tmp_path / "PWNED").exists()


# --- cmd: refused rather than emitted unsafely -------------------------------------------------------


@pytest.mark.parametrize("char", list('%!^"&|<>'))
def test_cmd_refuses_what_it_cannot_carry(tmp_path, home, capsys, char):
    f = outputs_file(tmp_path, docker_host=f"tcp://a{char}b:2376")
    code, out, err = run(capsys, "env", STACK, HOST, "--shell", "cmd", "--outputs-file", str(f))
    one_error_line(code, out, err)
    assert err.startswith(f"error: hosts.{HOST}.dockerHost: ") and repr(f"tcp://a{char}b:2376") in err
    assert not (home / ".docker").exists()  # refused before any certificate is written
    with pytest.raises(ValueError):
        quote_cmd(f"a{char}b")


def test_cmd_carries_a_windows_path():
    assert quote_cmd(r"C:\Users\Ann Lee\.docker\dockyard\dev\web") == r"C:\Users\Ann Lee\.docker\dockyard\dev\web"


@pytest.mark.parametrize("shell", ["bash", "fish", "powershell", "cmd"])
@pytest.mark.parametrize("value", ["tcp://a:2376\ntouch PWNED", "tcp://a:2376\r", "tcp://a\x00:2376", "a\x1b[2J"])
def test_control_characters_are_refused_for_every_shell(tmp_path, home, capsys, shell, value):
    f = outputs_file(tmp_path, docker_host=value)
    code, out, err = run(capsys, "env", STACK, HOST, "--shell", shell, "--outputs-file", str(f))
    one_error_line(code, out, err)
    assert err.startswith(f"error: hosts.{HOST}.dockerHost: ")


@pytest.mark.parametrize("value", [None, 2376, ["tcp://a:2376"], ""])
def test_docker_host_of_the_wrong_type(tmp_path, home, capsys, value):
    f = outputs_file(tmp_path, docker_host=value)
    if value is None:
        data = json.loads(f.read_text())
        del data["hosts"][HOST]["dockerHost"]
        f.write_text(json.dumps(data))
    code, out, err = run(capsys, "env", STACK, HOST, "--outputs-file", str(f))
    one_error_line(code, out, err)


def test_hint_quotes_the_outputs_file(tmp_path, home):
    """The hint is a comment: a newline in the outputs file's path would end it and run the rest."""
    odd = tmp_path / "dir $(touch PWNED)\ntouch PWNED2;#"
    odd.mkdir()
    f = outputs_file(odd)
    proc, created = _env_in_bash(tmp_path, home, "'" + str(f).replace("'", "'\\''") + "'", "quoted")
    assert proc.returncode == 0, proc.stderr
    assert created == []


# --- STACK and HOST are names (they become folders under ~/.docker/dockyard) -------------------------


BAD_STACKS = ["../evil", "a/b", "..", ".", "-x", "--outputs-file", "a\x00b", "", "a b", "x" * 101, ".hidden"]
BAD_HOSTS = ["../../evil", "a/b", "..", "-rf", "A", "a\x00b", "", "a_b", "x" * 64, "web\n"]


@pytest.mark.parametrize("stack", BAD_STACKS)
@pytest.mark.parametrize("command", ["env", "context", "ls"])
def test_bad_stack_names(tmp_path, home, capsys, command, stack):
    f = outputs_file(tmp_path)
    # options first and `--`, so that argparse hands a name like "-x" over as STACK
    argv = [command, "--outputs-file", str(f), "--", stack] + ([HOST] if command != "ls" else [])
    code, out, err = run(capsys, *argv)
    one_error_line(code, out, err)
    assert err.startswith("error: STACK: ") and repr(stack) in err
    assert not (home / ".docker").exists() and not (tmp_path / "evil").exists()


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("command", ["env", "context"])
def test_bad_host_names(tmp_path, home, capsys, command, host):
    data = outputs()
    data["hosts"][host] = data["hosts"][HOST]  # the outputs file even has that host
    data["hostCredentials"][host] = data["hostCredentials"][HOST]
    f = tmp_path / "o.json"
    f.write_text(json.dumps(data))
    code, out, err = run(capsys, command, "--outputs-file", str(f), "--", STACK, host)
    one_error_line(code, out, err)
    assert err.startswith("error: HOST: ")
    assert not (home / ".docker").exists() and not (home / "evil").exists()


@pytest.mark.parametrize("stack", ["dev", "org-dev_2.eu", "A1"])
def test_good_stack_names(tmp_path, home, capsys, stack):
    f = outputs_file(tmp_path)
    code, out, err = run(capsys, "env", stack, HOST, "--outputs-file", str(f))
    assert code == 0, err
    assert (home / ".docker/dockyard" / stack / HOST / "key.pem").is_file()


# --- context: the endpoint is comma-separated ---------------------------------------------------------


@pytest.mark.parametrize("value", ["tcp://a:2376,skip-tls-verify=true", 'tcp://a:2376"', "tcp://a:2376\nx"])
def test_context_refuses_endpoint_injection(tmp_path, home, capsys, value):
    f = outputs_file(tmp_path, docker_host=value)
    code, out, err = run(capsys, "context", STACK, HOST, "--outputs-file", str(f))
    one_error_line(code, out, err)
    assert err.startswith(f"error: hosts.{HOST}.dockerHost: ")
    assert not (home / ".docker").exists()


@pytest.mark.parametrize("entry", ["tcp://a:2376", 7, None, ["x"]])
def test_host_entry_of_the_wrong_shape(tmp_path, home, capsys, entry):
    data = outputs()
    data["hosts"][HOST] = entry
    f = tmp_path / "o.json"
    f.write_text(json.dumps(data))
    code, out, err = run(capsys, "env", STACK, HOST, "--outputs-file", str(f))
    one_error_line(code, out, err)
    assert err.startswith(f"error: hosts.{HOST}.dockerHost: ")


@pytest.mark.parametrize("command", ["env", "context"])
@pytest.mark.parametrize("value", [True, 7, ["CA"], {"pem": "CA"}])
def test_credentials_of_the_wrong_type(tmp_path, home, capsys, command, value):
    """Found by tests/test_hostile_inputs.py: a non-string certificate was a traceback in write_certs."""
    data = outputs()
    data["hostCredentials"][HOST]["ca"] = value
    f = tmp_path / "o.json"
    f.write_text(json.dumps(data))
    code, out, err = run(capsys, command, STACK, HOST, "--outputs-file", str(f))
    one_error_line(code, out, err)
    assert err.startswith(f"error: hostCredentials.{HOST}.ca: ")
    assert not (home / ".docker" / "dockyard").exists()


@pytest.mark.parametrize("entry", [7, None, "tcp://a:2376", ["x"]])
def test_ls_host_entry_of_the_wrong_shape(tmp_path, home, capsys, entry):
    """Found by tests/test_hostile_inputs.py: `ls` called .get on whatever a hosts entry held."""
    data = outputs()
    data["hosts"]["docker-flatcar"] = entry
    f = tmp_path / "o.json"
    f.write_text(json.dumps(data))
    code, out, err = run(capsys, "ls", STACK, "--outputs-file", str(f))
    one_error_line(code, out, err)
    assert err.startswith("error: hosts.docker-flatcar: ")


@pytest.mark.parametrize("field", ["name", "cloud", "os", "size", "dockerHost"])
def test_ls_shows_terminal_escapes_escaped(tmp_path, home, capsys, field):
    """An outputs file is data: an ANSI escape (here: clear screen, red) or a right-to-left override
    in a host entry must reach the terminal as visible text, not as a control sequence."""
    hostile = "x\x1b[2J\x1b[31m\u202eevil\rover\x07"
    data = outputs()
    if field == "name":
        data["hosts"][hostile] = data["hosts"].pop("docker-flatcar")
    else:
        data["hosts"]["docker-flatcar"][field] = hostile
    f = tmp_path / "o.json"
    f.write_text(json.dumps(data))
    code, out, err = run(capsys, "ls", STACK, "--outputs-file", str(f))
    assert (code, err) == (0, "")
    assert not any(c in out for c in "\x1b\u202e\r\x07")
    assert "x\\x1b[2J\\x1b[31m\\u202eevil\\rover\\x07" in out
    assert len(out.splitlines()) == 1 + len(data["hosts"])
