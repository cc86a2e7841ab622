"""`python -m dockyard convert`: output, warnings on stderr, exit codes (run as a user would)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
FIX = Path(__file__).parent / "fixtures"


def dockyard(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_books_app_prints_deployment_and_service():
    run = dockyard("convert", "apps/cluster/docker-compose.yml")
    assert run.returncode == 0, run.stderr
    docs = list(yaml.safe_load_all(run.stdout))
    assert [d["kind"] for d in docs] == ["Service", "Deployment"]
    assert docs[1]["spec"]["replicas"] == 6
    assert docs[1]["spec"]["template"]["spec"]["containers"][0]["image"] == "russmckendrick/cluster:latest"
    assert docs[0]["spec"]["ports"][0]["port"] == 80
    assert run.stdout.startswith("---\n")
    assert run.stderr.splitlines() == [
        "warning: services.cluster.deploy.restart_policy.condition: on-failure: Kubernetes restarts the "
        "containers of a Deployment or DaemonSet after any exit (restartPolicy Always)"]
    for doc in docs:
        kubernetes_validate.validate(doc, "1.37.0", strict=True)


def test_namespace_option():
    run = dockyard("convert", str(FIX / "full.yml"), "--namespace", "shop", "--service-type", "LoadBalancer")
    assert run.returncode == 0, run.stderr
    docs = list(yaml.safe_load_all(run.stdout))
    assert docs[0] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {
        "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "dockyard"}}}
    assert all(d["metadata"]["namespace"] == "shop" for d in docs[1:])
    web = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "web")
    assert web["spec"]["type"] == "LoadBalancer"
    assert all(line.startswith("warning: services.") or line.startswith("warning: ")
               for line in run.stderr.splitlines())


def test_bad_compose_file_exit_2_with_file_and_line(tmp_path):
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n")
    run = dockyard("convert", str(bad))
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == f"error: {bad}:5: services.web.deploy.replicas: expected integer, got string\n"


def test_missing_file_and_bad_namespace_exit_2(tmp_path):
    run = dockyard("convert", str(tmp_path / "nope.yml"))
    assert run.returncode == 2
    assert run.stderr == f"error: {tmp_path / 'nope.yml'}: compose file not found\n"
    run = dockyard("convert", "apps/cluster/docker-compose.yml", "--namespace", "Not_Valid")
    assert run.returncode == 2
    assert run.stderr.startswith("error: --namespace: 'Not_Valid' is not a valid namespace name")
    assert "Traceback" not in run.stderr


def test_usage_error_exit_2():
    run = dockyard("convert")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr


def test_output_round_trips_to_the_converted_objects():
    """The printed YAML parses back to exactly what ComposeApp deploys (multi-line config text included)."""
    from components.compose import load_compose, to_kubernetes

    run = dockyard("convert", str(FIX / "full.yml"), "-n", "shop")
    assert run.returncode == 0, run.stderr
    expected = to_kubernetes(load_compose(FIX / "full.yml"), namespace="shop", create_namespace=True)
    assert list(yaml.safe_load_all(run.stdout)) == expected.objects
    assert run.stderr.splitlines() == [f"warning: {w}" for w in expected.warnings]
    assert "content: |\n" in run.stdout
