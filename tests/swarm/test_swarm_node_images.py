"""Swarm node images (issue 11): unpinned, every node keeps the image of its first `pulumi up`;
`swarm.image` pins them all and `swarm.nodes.<node>.image` one node, so an upgrade can replace
one node per `pulumi up` (never every manager at once). Shipped stacks, offline preview.
"""

from __future__ import annotations

import functools

import pytest

from dockyard import engine, preview
from tests.conftest import ROOT

# The image input of each VM type (provider schemas), as in tests/hosts/test_image_and_replacement.py.
VM = {"aws-dev": ("aws:ec2/instance:Instance", "ami"),
      "do-dev": ("digitalocean:index/droplet:Droplet", "image"),
      "azure-dev": ("azure-native:compute:VirtualMachine", "storageProfile.imageReference"),
      "gcp-dev": ("gcp:compute/instance:Instance", "bootDisk.initializeParams.image")}
# gcp-dev ships no swarm: give it one
SWARM = {"gcp-dev": ("swarm.cloud=gcp", "swarm.workers=2")}
ALSO_IGNORED = {"gcp-dev": ["shieldedInstanceConfig.enableSecureBoot"]}


@functools.cache
def _nodes(stack: str, overrides: tuple[str, ...] = ()) -> dict:
    _files, result = preview.evaluate(stack, [*SWARM.get(stack, ()), *overrides], ROOT)
    vm_type = VM[stack][0]
    return {vm.name.removeprefix("swarm-"): vm for vm in result.of_type(vm_type) if vm.name.startswith("swarm-")}


def _image(vm, path: str):
    """The VM's image as the config spells it (Azure: publisher:offer:sku:version)."""
    value = engine.reveal(vm.inputs)
    for part in path.split("."):
        value = value[part]
    if isinstance(value, dict):
        return ":".join(value[k] for k in ("publisher", "offer", "sku", "version"))
    return value


@pytest.mark.parametrize("stack,swarm_wide,own", [
    ("aws-dev", "ami-0a1b2c3d4e5f60718", "ami-0fedcba9876543210"),
    ("do-dev", "ubuntu-24-04-x64", "ubuntu-25-04-x64"),
    ("azure-dev", "Canonical:ubuntu-24_04-lts:server:24.04.202510010",
     "Canonical:ubuntu-24_04-lts:server:24.04.202511200"),
    ("gcp-dev", "ubuntu-os-cloud/ubuntu-2404-noble-amd64-v20251001",
     "ubuntu-os-cloud/ubuntu-2404-noble-amd64-v20251120"),
])
def test_swarm_image_pins_every_node_and_a_node_image_wins(stack, swarm_wide, own):
    prop = VM[stack][1]
    ignored = [prop, *ALSO_IGNORED.get(stack, [])]
    unpinned = _nodes(stack)
    assert unpinned and all(vm.ignore_changes == ignored for vm in unpinned.values())
    # one node pinned: only it leaves the image to the config (a change replaces it alone)
    one = _nodes(stack, ("swarm.nodes.worker-1.image=" + own,))
    assert _image(one["worker-1"], prop) == own and one["worker-1"].ignore_changes == []
    for name, vm in one.items():
        if name != "worker-1":
            assert vm.ignore_changes == ignored, name
            assert _image(vm, prop) == _image(unpinned[name], prop), name
    # the whole swarm pinned, worker-1 on its own image
    both = _nodes(stack, ("swarm.image=" + swarm_wide, "swarm.nodes.worker-1.image=" + own))
    assert {name: _image(vm, prop) for name, vm in both.items()} == {
        name: own if name == "worker-1" else swarm_wide for name in unpinned}
    assert all(vm.ignore_changes == [] for vm in both.values())


def test_a_node_image_on_a_local_swarm_is_ignored_with_a_warning():
    _files, result = preview.evaluate("local", ["swarm.image=ubuntu-24-04-x64",
                                                "swarm.nodes.worker-1.image=ubuntu-24-04-x64"], ROOT)
    assert any(w.startswith("dockyard:swarm.image is ignored on a local swarm") for w in result.warnings)
    assert any(w.startswith("dockyard:swarm.nodes.worker-1.image is ignored on a local swarm")
               for w in result.warnings)
