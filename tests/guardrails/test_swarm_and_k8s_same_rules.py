"""One compose service that takes its host (binds / and the Docker socket, adds SYS_ADMIN or ALL):
`preview --check` refuses it on a swarm exactly as on Kubernetes (issue 12)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.guardrails.test_check_command import dockyard

HOSTILE = {
    "root": ("volumes:\n      - /:/host:ro\n", "no-host-root-or-docker-socket", "binds /"),
    "socket": ("volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
               "no-host-root-or-docker-socket", "Docker socket"),
    "sys-admin": ("cap_add:\n      - SYS_ADMIN\n", "no-privileged-containers", "SYS_ADMIN"),
    "all-caps": ("cap_add:\n      - ALL\n", "no-privileged-containers", "ALL"),
}
TARGETS = {
    "swarm": "dockyard:swarm:\n    cloud: local\n    managers: 1\n    workers: 1\n    stacks:\n"
             "      - name: app\n        compose: app/docker-compose.yml\n",
    "kubernetes": "dockyard:kubernetes:\n    cluster: existing\n    context: docker-desktop\n    apps:\n"
                  "      - name: app\n        compose: app/docker-compose.yml\n",
}
# On Kubernetes a bind becomes a claim unless kompose.volume.type says hostPath; with it, the
# hostPath rule refuses every host path (the Docker socket included).
K8S_RULE = {"no-host-root-or-docker-socket": "k8s-no-hostpath"}


def _project(tmp_path, target: str, service: str):
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").symlink_to(ROOT / "__main__.py")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.t.yaml").write_text(
        "config:\n  dockyard:adminCidrs:\n    - 198.51.100.0/24\n  " + TARGETS[target])
    (tmp_path / "app").mkdir()
    labels = "    labels:\n      kompose.volume.type: hostPath\n" if target == "kubernetes" else ""
    (tmp_path / "app" / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: nginx:1.27\n" + labels + "    " + service)
    return tmp_path


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("case", list(HOSTILE))
def test_check_refuses_a_service_that_takes_its_host(tmp_path, target, case):
    service, rule, needle = HOSTILE[case]
    rule = K8S_RULE.get(rule, rule) if target == "kubernetes" else rule
    project = _project(tmp_path, target, service)
    proc = dockyard("preview", "t", "--check", "-C", str(project), cwd=ROOT)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if f"[{rule}]" in line]
    assert lines, proc.stderr
    if target == "swarm" or rule != "k8s-no-hostpath":
        assert any(needle in line for line in lines), lines


@pytest.mark.parametrize("target", list(TARGETS))
def test_check_passes_the_same_service_without_it(tmp_path, target):
    project = _project(tmp_path, target, "cap_add:\n      - NET_BIND_SERVICE\n")
    proc = dockyard("preview", "t", "--check", "-C", str(project), cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
