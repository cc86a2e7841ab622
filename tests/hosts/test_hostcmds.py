"""`dockyard env`, `context` and `ls` against an outputs file, with a temporary HOME."""

from __future__ import annotations

import json
import stat
import subprocess

import pytest

from components.tls import certificate_parameters
from dockyard import cli
from tests.conftest import require_tool
from tests.hosts.certs import issue_chain

STACK, HOST = "do-dev", "docker-digitalocean"


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    return home


def outputs(creds: dict | None = None) -> dict:
    return {
        "hosts": {
            HOST: {"ip": "203.0.113.7", "dockerHost": "tcp://203.0.113.7:2376", "sshUser": "root", "sshPort": 22,
                   "cloud": "digitalocean", "os": "ubuntu", "size": "s-1vcpu-1gb"},
            "docker-flatcar": {"ip": "203.0.113.8", "dockerHost": "tcp://203.0.113.8:2376", "sshUser": "core",
                               "sshPort": 22, "cloud": "digitalocean", "os": "flatcar", "size": "s-2vcpu-4gb"},
        },
        "hostCredentials": {
            HOST: creds or {"ca": "CA PEM\n", "cert": "CERT PEM\n", "key": "KEY PEM\n"},
            "docker-flatcar": {"ca": "CA2\n", "cert": "CERT2\n", "key": "KEY2\n"},
        },
        "sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n",
    }


@pytest.fixture
def outputs_file(tmp_path):
    f = tmp_path / "outputs.json"
    f.write_text(json.dumps(outputs()))
    return f


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# --- env: exact text per shell (docker-machine's templates, docker/machine commands/env.go) ---------


# Expected text per shell: docker-machine's templates (docker/machine commands/env.go), with each
# value in the shell's own quotes (issue 12); {path} is the cert folder, {f} the outputs file.
EXPECTED_ENV = {
    "bash": (
        "export DOCKER_TLS_VERIFY='1'\n"
        "export DOCKER_HOST='tcp://203.0.113.7:2376'\n"
        "export DOCKER_CERT_PATH='{path}'\n"
        "export DOCKER_MACHINE_NAME='docker-digitalocean'\n"
        "# Run this command to configure your shell: \n"
        "# eval \"$(python -m dockyard env do-dev docker-digitalocean --outputs-file {f})\"\n"
    ),
    "fish": (
        "set -gx DOCKER_TLS_VERIFY '1';\n"
        "set -gx DOCKER_HOST 'tcp://203.0.113.7:2376';\n"
        "set -gx DOCKER_CERT_PATH '{path}';\n"
        "set -gx DOCKER_MACHINE_NAME 'docker-digitalocean';\n"
        "# Run this command to configure your shell: \n"
        "# eval (python -m dockyard env do-dev docker-digitalocean --shell fish --outputs-file {f})\n"
    ),
    "powershell": (
        "$Env:DOCKER_TLS_VERIFY = '1'\n"
        "$Env:DOCKER_HOST = 'tcp://203.0.113.7:2376'\n"
        "$Env:DOCKER_CERT_PATH = '{path}'\n"
        "$Env:DOCKER_MACHINE_NAME = 'docker-digitalocean'\n"
        "# Run this command to configure your shell: \n"
        "# & python -m dockyard env do-dev docker-digitalocean --shell powershell --outputs-file {f}"
        " | Invoke-Expression\n"
    ),
    "cmd": (
        'SET "DOCKER_TLS_VERIFY=1"\n'
        'SET "DOCKER_HOST=tcp://203.0.113.7:2376"\n'
        'SET "DOCKER_CERT_PATH={path}"\n'
        'SET "DOCKER_MACHINE_NAME=docker-digitalocean"\n'
        "REM Run this command to configure your shell: \n"
        "REM \t@FOR /f \"tokens=*\" %i IN ('python -m dockyard env do-dev docker-digitalocean --shell cmd "
        "--outputs-file {f}') DO @%i\n"
    ),
}


@pytest.mark.parametrize("shell", list(EXPECTED_ENV))
def test_env_text_per_shell(home, outputs_file, capsys, shell):
    argv = ["env", STACK, HOST] + (["--shell", shell] if shell != "bash" else []) + ["--outputs-file", str(outputs_file)]
    code, out, err = run(capsys, *argv)
    path = home / ".docker/dockyard/do-dev/docker-digitalocean"
    assert code == 0, err
    assert out == EXPECTED_ENV[shell].replace("{path}", str(path)).replace("{f}", str(outputs_file))


@pytest.mark.parametrize("shell,expected", [
    ("bash", "unset DOCKER_TLS_VERIFY\nunset DOCKER_HOST\nunset DOCKER_CERT_PATH\nunset DOCKER_MACHINE_NAME\n"
             "# Run this command to configure your shell: \n# eval \"$(python -m dockyard env --unset)\"\n"),
    ("fish", "set -e DOCKER_TLS_VERIFY;\nset -e DOCKER_HOST;\nset -e DOCKER_CERT_PATH;\nset -e DOCKER_MACHINE_NAME;\n"
             "# Run this command to configure your shell: \n# eval (python -m dockyard env --shell fish --unset)\n"),
    ("powershell", "Remove-Item Env:\\\\DOCKER_TLS_VERIFY\nRemove-Item Env:\\\\DOCKER_HOST\n"
                   "Remove-Item Env:\\\\DOCKER_CERT_PATH\nRemove-Item Env:\\\\DOCKER_MACHINE_NAME\n"
                   "# Run this command to configure your shell: \n"
                   "# & python -m dockyard env --shell powershell --unset | Invoke-Expression\n"),
    ("cmd", "SET DOCKER_TLS_VERIFY=\nSET DOCKER_HOST=\nSET DOCKER_CERT_PATH=\nSET DOCKER_MACHINE_NAME=\n"
            "REM Run this command to configure your shell: \n"
            "REM \t@FOR /f \"tokens=*\" %i IN ('python -m dockyard env --shell cmd --unset') DO @%i\n"),
])
def test_env_unset(home, capsys, shell, expected):
    code, out, _ = run(capsys, "env", "--unset", "--shell", shell)
    assert code == 0
    assert out == expected
    assert not (home / ".docker").exists()  # unset writes nothing


def test_env_writes_certificates_private(home, outputs_file, capsys):
    run(capsys, "env", STACK, HOST, "--outputs-file", str(outputs_file))
    folder = home / ".docker/dockyard/do-dev/docker-digitalocean"
    assert (folder / "ca.pem").read_text() == "CA PEM\n"
    assert (folder / "cert.pem").read_text() == "CERT PEM\n"
    assert (folder / "key.pem").read_text() == "KEY PEM\n"
    for d in (home / ".docker/dockyard", home / ".docker/dockyard/do-dev", folder):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    for f in folder.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_env_tightens_modes_of_existing_files(home, outputs_file, capsys):
    folder = home / ".docker/dockyard/do-dev/docker-digitalocean"
    folder.mkdir(parents=True, mode=0o755)
    (folder / "key.pem").write_text("old")
    (folder / "key.pem").chmod(0o644)
    folder.chmod(0o755)
    run(capsys, "env", STACK, HOST, "--outputs-file", str(outputs_file))
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / "key.pem").read_text() == "KEY PEM\n"


# --- errors: exit 2, one line naming what is missing ---------------------------------------------


@pytest.mark.parametrize("argv,needle", [
    (["env", STACK, "nope"], "hosts.nope"),
    (["context", STACK, "nope"], "hosts.nope"),
])
def test_missing_host(home, outputs_file, capsys, argv, needle):
    code, out, err = run(capsys, *argv, "--outputs-file", str(outputs_file))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and needle in err and "docker-flatcar" in err


@pytest.mark.parametrize("missing", ["hosts", "hostCredentials"])
def test_missing_output(home, tmp_path, capsys, missing):
    data = outputs()
    del data[missing]
    f = tmp_path / "o.json"
    f.write_text(json.dumps(data))
    code, _, err = run(capsys, "env", STACK, HOST, "--outputs-file", str(f))
    assert code == 2 and err.count("\n") == 1 and f"error: {missing}:" in err


def test_missing_outputs_file(home, tmp_path, capsys):
    code, _, err = run(capsys, "ls", STACK, "--outputs-file", str(tmp_path / "none.json"))
    assert code == 2 and err.count("\n") == 1 and "none.json" in err


def test_missing_stack_without_pulumi(home, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    code, _, err = run(capsys, "env", "no-such-stack", HOST)
    assert code == 2 and err.count("\n") == 1 and "no-such-stack" in err


def test_missing_stack_reported_by_pulumi(home, tmp_path, capsys, monkeypatch):
    """A stand-in `pulumi` that fails as the CLI does for an unknown stack."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text("#!/bin/sh\necho \"$@\" > \"$HOME/args\"\necho \"error: no stack named 'ghost' found\" >&2\nexit 255\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    code, _, err = run(capsys, "env", "ghost", HOST)
    assert code == 2
    assert err == "error: stack ghost: no stack named 'ghost' found\n"
    assert (home / "args").read_text().split() == ["stack", "output", "--json", "--show-secrets", "--stack", "ghost"]


# --- ls ------------------------------------------------------------------------------------------


def test_ls(home, outputs_file, capsys):
    code, out, _ = run(capsys, "ls", STACK, "--outputs-file", str(outputs_file))
    assert code == 0
    assert out == (
        "NAME                  CLOUD          OS        SIZE          URL\n"
        "docker-digitalocean   digitalocean   ubuntu    s-1vcpu-1gb   tcp://203.0.113.7:2376\n"
        "docker-flatcar        digitalocean   flatcar   s-2vcpu-4gb   tcp://203.0.113.8:2376\n"
    )


# --- context: the real docker CLI -----------------------------------------------------------------


def test_context_create_then_update(home, tmp_path, capsys):
    require_tool("docker", "openssl", reason="docker context needs real PEM files")
    chain = issue_chain(certificate_parameters(HOST, public_ip="203.0.113.7"), tmp_path / "pki")
    creds = {"ca": chain.ca.read_text(), "cert": chain.client_cert.read_text(), "key": chain.client_key.read_text()}
    f = tmp_path / "outputs.json"
    f.write_text(json.dumps(outputs(creds)))

    code, out, err = run(capsys, "context", STACK, HOST, "--outputs-file", str(f))
    assert code == 0, err
    assert "Created docker context do-dev-docker-digitalocean" in out

    data = outputs(creds)
    data["hosts"][HOST]["dockerHost"] = "tcp://203.0.113.99:2376"  # the IP changed
    f.write_text(json.dumps(data))
    code, out, err = run(capsys, "context", STACK, HOST, "--outputs-file", str(f))
    assert code == 0, err
    assert "Updated docker context" in out

    inspect = subprocess.run(["docker", "context", "inspect", "do-dev-docker-digitalocean"],
                             capture_output=True, text=True, env={"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin"})
    assert inspect.returncode == 0, inspect.stderr
    ctx = json.loads(inspect.stdout)[0]
    assert ctx["Endpoints"]["docker"]["Host"] == "tcp://203.0.113.99:2376"
    assert ctx["Endpoints"]["docker"]["SkipTLSVerify"] is False
    assert sorted(ctx["TLSMaterial"]["docker"]) == ["ca.pem", "cert.pem", "key.pem"]


def test_outputs_read_through_pulumi(home, tmp_path, capsys, monkeypatch):
    """Without --outputs-file the commands ask `pulumi stack output` (a stand-in script here)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    data = tmp_path / "outputs.json"
    data.write_text(json.dumps(outputs()))
    fake = bin_dir / "pulumi"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> \"$HOME/args\"\ncat {data}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    code, out, err = run(capsys, "env", STACK, HOST)
    assert code == 0, err
    assert "export DOCKER_HOST='tcp://203.0.113.7:2376'\n" in out
    assert out.endswith('# eval "$(python -m dockyard env do-dev docker-digitalocean)"\n')
    code, out, _ = run(capsys, "ls", STACK)
    assert code == 0 and out.startswith("NAME")
    assert (home / "args").read_text().splitlines() == ["stack output --json --show-secrets --stack do-dev"] * 2
