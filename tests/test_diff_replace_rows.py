"""`dockyard diff` on the rows that used to say "replacement unknown": GKE node configuration,
the ECS service, ELBv2 listeners and target groups (issue 11).

Base and head are real previews of the shipped stacks (`dockyard preview`), the head either run
with a config override or, where no config key reaches the input, a copy of the base with that
one input changed. The expected verdicts come from the upstream Terraform schemas cited in
dockyard/replacements.py, not from the code under test:

* node_config.go (schemaNodeConfig): ``machine_type`` and ``disk_size_gb`` have no ForceNew,
  ``oauth_scopes`` and ``service_account`` are ForceNew;
* ecs/service.go: ``desired_count`` has no ForceNew, ``launch_type`` is ForceNew;
* elbv2/target_group.go: ``health_check`` has no ForceNew, ``port`` is ForceNew;
* elbv2/listener.go: ``port`` has no ForceNew, ``load_balancer_arn`` is ForceNew.
"""

from __future__ import annotations

import copy
import functools
import re

from dockyard import cli, preview
from tests.conftest import ROOT

POOL = "gcp:container/nodePool:NodePool"
CLUSTER = "gcp:container/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"


@functools.cache
def _preview(stack: str, *overrides: str) -> dict:
    return preview.preview(stack, list(overrides), project_dir=ROOT)


def _edited(doc: dict, type_: str, name: str, edit) -> dict:
    """A copy of the preview with ``edit(inputs)`` applied to one resource's inputs."""
    out = copy.deepcopy(doc)
    (res,) = [r for r in out["resources"] if r["type"] == type_ and r["name"] == name]
    edit(res["inputs"])
    return out


def _line(tmp_path, capsys, base: dict, head: dict, type_: str, name: str) -> str:
    """The diff's line for one resource (the diff must list it as changed)."""
    paths = []
    for label, doc in (("base", base), ("head", head)):
        path = tmp_path / f"{label}.json"
        path.write_text(preview.to_json(doc))
        paths.append(str(path))
    assert cli.main(["diff", *paths]) == 0
    out = capsys.readouterr().out.split("monthly cost:")[0]
    lines = [ln for ln in out.splitlines() if re.search(rf"{re.escape(type_)}\s+{re.escape(name)}\b", ln)]
    assert len(lines) == 1, out
    return lines[0]


def _in_place(line: str) -> None:
    assert line.rstrip().endswith("update in place") and "unknown" not in line, line


def _replaced(line: str, prop: str) -> None:
    assert "replace" in line and f"({prop}" in line and "unknown" not in line and "in place" not in line, line


# --- GKE node configuration (gcp-dev: a zonal cluster and its node pool) -------------------------


def test_gke_pool_machine_type_updates_in_place(tmp_path, capsys):
    head = _preview("gcp-dev", "kubernetes.nodeSize=e2-standard-2")
    pool = next(r for r in head["resources"] if r["type"] == POOL)
    assert pool["inputs"]["nodeConfig"]["machineType"] == "e2-standard-2"  # the override reached it
    _in_place(_line(tmp_path, capsys, _preview("gcp-dev"), head, POOL, pool["name"]))


def test_gke_pool_oauth_scopes_replace_it(tmp_path, capsys):
    base = _preview("gcp-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == POOL)
    head = _edited(base, POOL, name, lambda i: i["nodeConfig"]["oauthScopes"].append(
        "https://www.googleapis.com/auth/devstorage.read_only"))
    line = _line(tmp_path, capsys, base, head, POOL, name)
    _replaced(line, "nodeConfig.oauthScopes")


def test_gke_cluster_node_config(tmp_path, capsys):
    """The cluster's own node_config is the same schema: a service account replaces the cluster,
    a disk size does not."""
    base = _preview("gcp-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == CLUSTER)
    base = _edited(base, CLUSTER, name, lambda i: i.update(
        nodeConfig={"diskSizeGb": 50, "serviceAccount": "a@dockyard-dev.iam.gserviceaccount.com"}))
    disk = _edited(base, CLUSTER, name, lambda i: i["nodeConfig"].update(diskSizeGb=100))
    _in_place(_line(tmp_path, capsys, base, disk, CLUSTER, name))
    account = _edited(base, CLUSTER, name, lambda i: i["nodeConfig"].update(
        serviceAccount="b@dockyard-dev.iam.gserviceaccount.com"))
    _replaced(_line(tmp_path, capsys, base, account, CLUSTER, name), "nodeConfig.serviceAccount")


# --- ECS service, target group, listener (aws-dev: Fargate behind an ALB, swarm behind an NLB) ---


def test_ecs_service_desired_count_updates_in_place(tmp_path, capsys):
    head = _preview("aws-dev", "containers[0].replicas=3")
    service = next(r for r in head["resources"] if r["type"] == SERVICE)
    assert service["inputs"]["desiredCount"] == 3
    _in_place(_line(tmp_path, capsys, _preview("aws-dev"), head, SERVICE, service["name"]))


def test_ecs_service_launch_type_replaces_it(tmp_path, capsys):
    base = _preview("aws-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == SERVICE)
    head = _edited(base, SERVICE, name, lambda i: i.update(launchType="EC2"))
    _replaced(_line(tmp_path, capsys, base, head, SERVICE, name), "launchType")


def test_target_group_health_check_updates_in_place(tmp_path, capsys):
    head = _preview("aws-dev", "containers[0].healthCheckPath=/healthz")
    group = next(r for r in head["resources"] if r["type"] == TARGET_GROUP
                 and (r["inputs"].get("healthCheck") or {}).get("path") == "/healthz")
    _in_place(_line(tmp_path, capsys, _preview("aws-dev"), head, TARGET_GROUP, group["name"]))


def test_target_group_port_replaces_it(tmp_path, capsys):
    base = _preview("aws-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == TARGET_GROUP)
    head = _edited(base, TARGET_GROUP, name, lambda i: i.update(port=8080))
    _replaced(_line(tmp_path, capsys, base, head, TARGET_GROUP, name), "port")


def test_listener_port_updates_in_place_and_its_load_balancer_replaces_it(tmp_path, capsys):
    base = _preview("aws-dev")
    name = next(r["name"] for r in base["resources"] if r["type"] == LISTENER)
    port = _edited(base, LISTENER, name, lambda i: i.update(port=8080))
    _in_place(_line(tmp_path, capsys, base, port, LISTENER, name))
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/other/0123456789abcdef"
    moved = _edited(base, LISTENER, name, lambda i: i.update(loadBalancerArn=arn))
    _replaced(_line(tmp_path, capsys, base, moved, LISTENER, name), "loadBalancerArn")
