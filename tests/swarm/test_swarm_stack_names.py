"""Stack names become part of node names: any Pulumi stack name must give valid, distinct names."""

import os
import re
import shutil
from pathlib import Path

import pytest

from dockyard import preview

ROOT = Path(__file__).resolve().parents[2]
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _project(tmp_path: Path, stack: str) -> Path:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    for name in ("__main__.py", "components"):
        os.symlink(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "apps", tmp_path / "apps")  # a symlink out of the project is not read
    (tmp_path / "stacks" / f"Pulumi.{stack}.yaml").write_text(
        "config:\n  dockyard:adminCidrs: [198.51.100.0/24]\n"
        "  dockyard:swarm:\n    cloud: digitalocean\n    managers: 3\n    workers: 2\n")
    return tmp_path


@pytest.mark.parametrize("stack", ["Team.Dev_Prod", "a" * 60])
def test_node_names_are_dns_labels_and_distinct(tmp_path, stack):
    doc = preview.preview(stack, [], _project(tmp_path, stack))
    hosts = [r for r in doc["resources"] if r["type"] == "dockyard:index:DockerHost"]
    droplets = [r["inputs"]["name"] for r in doc["resources"] if r["type"] == "digitalocean:index/droplet:Droplet"]
    assert len(hosts) == 5 and len(droplets) == 5
    assert all(DNS_LABEL.match(n) for n in droplets), droplets
    assert len(set(droplets)) == 5, droplets
    assert {n.rsplit("-", 2)[-2] + "-" + n.rsplit("-", 2)[-1] for n in droplets} == {
        "manager-1", "manager-2", "manager-3", "worker-1", "worker-2"}
