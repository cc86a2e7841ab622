"""kompose's own conversion fixtures: at least 95% of the facts of kompose's expected outputs are produced.

tests/compose/kompose/<case>/compose.yml rewrites a compose input of kompose's test suite
(kubernetes/kompose script/test/fixtures, read 2026-12-02); expected-facts.json holds the facts
(tests/compose/kompose_facts.py) of kompose's expected Kubernetes output for it, extracted from
kompose's file, never from our converter. kompose's env_file ConfigMaps are what we make when
asked, so the cases convert with ``env_file_config_map=True``.
Also: none of kompose's three known losses comes back.
"""

from __future__ import annotations

import json
from pathlib import Path

import kubernetes_validate
import pytest
from kompose_facts import facts

from components.compose import load_compose, to_kubernetes

CASES = Path(__file__).parent / "kompose"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected-facts.json").is_file())


def _tuple(x):
    return tuple(_tuple(i) for i in x) if isinstance(x, list) else x


def expected(name: str) -> set[tuple]:
    doc = json.loads((CASES / name / "expected-facts.json").read_text())
    return {_tuple(f) for f in doc["facts"]}


def produced(name: str) -> set[tuple]:
    project = load_compose(CASES / name / "compose.yml", environ={})
    return facts(to_kubernetes(project, env_file_config_map=True).objects)


def test_at_least_95_percent_of_komposes_facts():
    total = hit = 0
    missing = {}
    for name in NAMES:
        want, got = expected(name), produced(name)
        total += len(want)
        hit += len(want & got)
        if want - got:
            missing[name] = sorted(want - got, key=repr)
    ratio = hit / total
    print(f"kompose facts produced: {hit}/{total} = {ratio:.1%}; missing: {json.dumps(missing, indent=1)}")
    assert len(NAMES) >= 15 and total >= 250
    assert ratio >= 0.95, missing


@pytest.mark.parametrize("name", NAMES)
def test_each_case_converts_and_validates(name):
    project = load_compose(CASES / name / "compose.yml", environ={})
    for manifest in to_kubernetes(project, env_file_config_map=True).objects:
        kubernetes_validate.validate(manifest, "1.37.0", strict=True)


# --- kompose's three known losses (https://kompose.io/conversion/, read 2026-12-02) -------------------


def test_replicas_survive_restart_policy_on_failure(compose_file):
    project = load_compose(compose_file("""
        services:
          job:
            image: busybox:1.36
            deploy:
              replicas: 4
              restart_policy: {condition: on-failure}
        """), environ={})
    (dep,) = [o for o in to_kubernetes(project).objects if o["kind"] == "Deployment"]
    assert dep["spec"]["replicas"] == 4


def test_a_port_less_service_still_gets_a_service(compose_file):
    project = load_compose(compose_file("services:\n  worker:\n    image: busybox:1.36\n"), environ={})
    (svc,) = [o for o in to_kubernetes(project).objects if o["kind"] == "Service"]
    assert svc["metadata"]["name"] == "worker" and svc["spec"]["clusterIP"] == "None"


def test_node_role_constraint_is_kept(compose_file):
    project = load_compose(compose_file("""
        services:
          web:
            image: nginx:1.27
            deploy:
              placement: {constraints: [node.role == worker]}
        """), environ={})
    (dep,) = [o for o in to_kubernetes(project).objects if o["kind"] == "Deployment"]
    terms = dep["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"} in terms[0]["matchExpressions"]
