"""Bad `dockyard:containers` input: exit 2 and one line naming the key path, before any resource.

Each case runs the real program through `dockyard preview` in a scratch project whose stack file
holds only the case's containers entry, so the exit status and message are what a user sees.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from dockyard import cli

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

FARGATE = {"name": "web", "platform": "fargate", "image": "nginx:1.27"}
APPSERVICE = {"name": "web", "platform": "appservice", "image": "nginx:1.27"}


def compose(name: str) -> str:
    return str(FIXTURES / name)


# (case id, the containers[0] entry, the key path the error must name, words the message must contain)
CASES = [
    ("cpu-memory-pair", {**FARGATE, "cpu": 256, "memory": 4096}, "dockyard:containers[0].memory", ["512", "2048"]),
    ("cpu-not-fargate", {**FARGATE, "cpu": 300, "memory": 1024}, "dockyard:containers[0].cpu", ["256", "4096"]),
    ("memory-not-fargate", {**FARGATE, "memory": 300}, "dockyard:containers[0].memory", ["300"]),
    ("memory-too-big-for-cpu", {**FARGATE, "cpu": 1024, "memory": 16384}, "dockyard:containers[0].memory",
     ["8192"]),
    ("port-too-high", {**FARGATE, "port": 70000}, "dockyard:containers[0].port", ["65535"]),
    ("port-zero", {**APPSERVICE, "port": 0}, "dockyard:containers[0].port", ["1"]),
    ("image-and-compose", {**FARGATE, "compose": compose("single.yml")}, "dockyard:containers[0].compose",
     ["not both"]),
    ("neither-image-nor-compose", {"name": "web", "platform": "fargate"}, "dockyard:containers[0]", ["image"]),
    ("unknown-platform", {**FARGATE, "platform": "lambda"}, "dockyard:containers[0].platform",
     ["fargate", "appservice"]),
    ("missing-compose-service", {"name": "shop", "platform": "fargate", "compose": compose("three-services.yml"),
                                 "service": "wbe"}, "dockyard:containers[0].service", ["wbe", "did you mean 'web'"]),
    ("appservice-needs-service", {"name": "shop", "platform": "appservice",
                                  "compose": compose("three-services.yml")}, "dockyard:containers[0].service",
     ["3 services"]),
    ("compose-file-missing", {"name": "web", "platform": "fargate", "compose": compose("nope.yml")},
     "dockyard:containers[0].compose", ["not found"]),
    ("compose-without-image", {"name": "web", "platform": "fargate", "compose": compose("build-only.yml"),
                               "service": "app"}, "dockyard:containers[0].service", ["no image"]),
    ("published-port-clash", {"name": "web", "platform": "fargate", "compose": compose("clash.yml")},
     "dockyard:containers[0].compose", ["port 80"]),
    ("port-with-compose", {"name": "web", "platform": "fargate", "compose": compose("single.yml"), "port": 8080},
     "dockyard:containers[0].port", ["compose file"]),
    ("service-without-compose", {**FARGATE, "service": "web"}, "dockyard:containers[0].service", ["compose"]),
    ("sku-unknown", {**APPSERVICE, "sku": "B4"}, "dockyard:containers[0].sku", ["B1", "P1v3"]),
    ("sku-on-fargate", {**FARGATE, "sku": "B1"}, "dockyard:containers[0].sku", ["appservice"]),
    ("cpu-on-appservice", {**APPSERVICE, "cpu": 256}, "dockyard:containers[0].cpu", ["fargate"]),
    ("replicas-over-sku", {**APPSERVICE, "sku": "B1", "replicas": 5}, "dockyard:containers[0].sku", ["3"]),
    ("free-tier-one-instance", {**APPSERVICE, "sku": "F1", "replicas": 2}, "dockyard:containers[0].sku", ["1"]),
    ("private-appservice", {**APPSERVICE, "public": False}, "dockyard:containers[0].public", ["private endpoint"]),
    ("vpc-on-appservice", {**APPSERVICE, "vpcId": "vpc-0123456789abcdef0"}, "dockyard:containers[0].vpcId",
     ["fargate"]),
    ("subnets-without-vpc", {**FARGATE, "subnetIds": ["subnet-0123abcd", "subnet-4567ef01"]},
     "dockyard:containers[0].subnetIds", ["vpcId"]),
    ("vpc-one-subnet", {**FARGATE, "vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123abcd"]},
     "dockyard:containers[0].subnetIds", ["two"]),
    ("bad-subnet-id", {**FARGATE, "vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123abcd", "sn-1"]},
     "dockyard:containers[0].subnetIds[1]", ["sn-1"]),
    ("log-retention", {**FARGATE, "logRetentionDays": 10}, "dockyard:containers[0].logRetentionDays", ["14"]),
    ("health-path", {**FARGATE, "healthCheckPath": "healthz"}, "dockyard:containers[0].healthCheckPath", ["/"]),
    ("env-name", {**FARGATE, "env": {"NOT-A-NAME": "x"}}, "dockyard:containers[0].env", ["NOT-A-NAME"]),
    ("env-and-secret", {**FARGATE, "env": {"TOKEN": "x"}, "secretEnv": ["TOKEN"]}, "dockyard:containers[0]",
     ["TOKEN"]),
    ("secret-not-set", {**FARGATE, "secretEnv": ["API_TOKEN"]}, "dockyard:containers[0].secretEnv[0]",
     ["pulumi config set --secret web:API_TOKEN"]),
    ("unknown-key", {**FARGATE, "replica": 2}, "dockyard:containers[0].replica", ["did you mean 'replicas'"]),
]


def _project(tmp_path: Path, app: dict) -> Path:
    (tmp_path / "stacks").mkdir(parents=True)
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    for name in ("__main__.py", "components", "apps"):
        os.symlink(ROOT / name, tmp_path / name)
    stack = {"config": {"aws:region": "us-east-1", "azure-native:location": "westeurope",
                        "dockyard:containers": [app],
                        # the fixtures live in the repository, outside this temporary project
                        "dockyard:allowFilesOutsideProject": [str(FIXTURES)]}}
    (tmp_path / "stacks" / "Pulumi.t.yaml").write_text(yaml.safe_dump(stack))
    return tmp_path


@pytest.mark.parametrize("app,key,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_container_config_exits_2_naming_the_key(tmp_path, capsys, app, key, words):
    project = _project(tmp_path, app)
    code = cli.main(["preview", "t", "-C", str(project)])
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"error: {key}: "), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in captured.err
    # Nothing was declared: no resource tree on stdout.
    assert "FargateApp" not in captured.out and "AppServiceApp" not in captured.out


def test_good_config_of_each_platform_is_accepted(tmp_path, capsys):
    """The same scaffold with valid entries exits 0, so the cases above fail for their own reason."""
    for i, app in enumerate([{**FARGATE, "cpu": 512, "memory": 2048}, {**APPSERVICE, "sku": "p1v3"}]):
        project = _project(tmp_path / str(i), app)
        code = cli.main(["preview", "t", "-C", str(project)])
        captured = capsys.readouterr()
        assert code == 0, captured.err
