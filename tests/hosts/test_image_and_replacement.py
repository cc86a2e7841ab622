"""The second `pulumi up` of a host or swarm node VM (issue 11): a newer upstream image never
replaces it, a pinned image is the way to upgrade, and a VM with a fixed name or an attached
pre-made interface is replaced delete-first. Checked on the shipped stacks' preview, whose
lifecycle options are what the Pulumi engine receives.

Pulumi's engine gives every property named in ``ignoreChanges`` the old state's input before
it diffs, and keeps that value in the new state (pulumi/pulumi
pkg/resource/deploy/step_generator.go, processIgnoreChanges, read 2026-12-03). ``_as_engine_sees``
does the same to two previews, so "the host is not replaced" is checked as the engine decides it:
no input left changed.
"""

from __future__ import annotations

import copy
import functools

import pytest

from dockyard import engine, preview, stackfile
from dockyard.mocks import INVOKES
from tests.conftest import ROOT

# Where each VM type takes its OS image (provider schemas: aws Instance.ami, azure-native
# VirtualMachine.storageProfile.imageReference, gcp Instance.bootDisk.initializeParams.image,
# digitalocean Droplet.image), written here from those schemas, not read from the code.
IMAGE_PATH = {
    "aws:ec2/instance:Instance": "ami",
    "azure-native:compute:VirtualMachine": "storageProfile.imageReference",
    "gcp:compute/instance:Instance": "bootDisk.initializeParams.image",
    "digitalocean:index/droplet:Droplet": "image",
}
ALSO_IGNORED = {"gcp:compute/instance:Instance": ["shieldedInstanceConfig.enableSecureBoot"]}
STACKS = {"aws-dev": "aws", "azure-dev": "azure", "gcp-dev": "gcp", "do-dev": "digitalocean"}
# A pinned image of each cloud, in the form docs/hosts.md gives for `image`.
PINNED = {
    "aws": ("ami-0a1b2c3d4e5f60718", "ami-0fedcba9876543210"),
    "azure": ("Canonical:ubuntu-24_04-lts:server:24.04.202510010", "Canonical:ubuntu-24_04-lts:server:24.04.202511200"),
    "gcp": ("ubuntu-os-cloud/ubuntu-2404-noble-amd64-v20251001", "ubuntu-os-cloud/ubuntu-2404-noble-amd64-v20251120"),
    "digitalocean": ("ubuntu-24-04-x64", "ubuntu-25-04-x64"),
}


@functools.cache
def _preview(stack: str, overrides: tuple[str, ...] = ()):
    return preview.evaluate(stack, list(overrides), ROOT)[1]


def _vms(result) -> dict[str, engine.Registration]:
    return {r.urn: r for r in result.resources if r.type in IMAGE_PATH}


def _get(value, path: str):
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return KeyError
        value = value[part]
    return value


def _as_engine_sees(old: dict, new: dict, ignored: list[str]) -> dict:
    """``new`` with each ignored path set back to its value in ``old`` (or removed, when ``old``
    has none), as the Pulumi engine does before it diffs."""
    out = copy.deepcopy(new)
    for path in ignored:
        *parents, leaf = path.split(".")
        was = _get(old, path)
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        if was is KeyError:
            target.pop(leaf, None)
        else:
            target[leaf] = copy.deepcopy(was)
    return out


def _unchanged_for_the_engine(before, after) -> None:
    """Every VM of ``after`` would be neither updated nor replaced after ``before``."""
    old, new = _vms(before), _vms(after)
    assert old and old.keys() == new.keys()
    for urn, vm in new.items():
        old_inputs, new_inputs = engine.reveal(old[urn].inputs), engine.reveal(vm.inputs)
        assert _as_engine_sees(old_inputs, new_inputs, vm.ignore_changes) == old_inputs, urn


@pytest.mark.parametrize("stack", STACKS)
def test_the_image_is_ignored_unless_pinned(stack):
    vms = _vms(_preview(stack))
    assert vms
    for vm in vms.values():
        path = IMAGE_PATH[vm.type]
        # the path names the input the image really is in (a misspelt path ignores nothing)
        assert _get(engine.reveal(vm.inputs), path) is not KeyError, (vm.name, path)
        # and only what follows from the image (GCE: Secure Boot, on for Canonical's UEFI images)
        assert vm.ignore_changes == [path, *ALSO_IGNORED.get(vm.type, [])], vm.name
    # pinned: nothing ignored, and a changed pin reaches the engine (the provider then replaces
    # the VM: every cloud's image is create-only)
    cloud = STACKS[stack]
    first, second = PINNED[cloud]
    a = _preview(stack, (f"hosts[0].image={first}",))
    b = _preview(stack, (f"hosts[0].image={second}",))
    host_a = [vm for vm in _vms(a).values() if not vm.name.startswith("swarm-")][0]
    host_b = _vms(b)[host_a.urn]
    path = IMAGE_PATH[host_a.type]
    assert host_a.ignore_changes == [] and host_b.ignore_changes == []
    old, new = engine.reveal(host_a.inputs), engine.reveal(host_b.inputs)
    assert _get(old, path) != _get(new, path)
    assert _as_engine_sees(old, new, host_b.ignore_changes) != old


def _newer_ami(ctx, args):
    """ec2.getAmi after Canonical published a newer image for the same query."""
    found = dict(INVOKES["aws:ec2/getAmi:getAmi"](ctx, args))
    found["name"] = found["name"].replace("20260101", "20261201")
    found["id"] = found["imageId"] = "ami-0" + found["id"][5:][::-1]
    return found


def test_a_newer_ami_does_not_replace_any_aws_vm():
    before = _preview("aws-dev")
    files = stackfile.load("aws-dev", ROOT)
    after = preview.run_files(files, invokes={"aws:ec2/getAmi:getAmi": _newer_ami})
    olds, news = _vms(before), _vms(after)
    # the lookup did find another AMI for every instance ...
    assert all(engine.reveal(olds[u].inputs)["ami"] != engine.reveal(v.inputs)["ami"] for u, v in news.items())
    # ... and the engine keeps the recorded one: no instance changes
    _unchanged_for_the_engine(before, after)


@pytest.mark.parametrize("stack,module,name,newer", [
    ("do-dev", "components.hosts.digitalocean", "UBUNTU_SLUG", "ubuntu-26-04-x64"),
    ("azure-dev", "components.hosts.azure", "UBUNTU_IMAGE",
     {"publisher": "Canonical", "offer": "ubuntu-26_04-lts", "sku": "server", "version": "latest"}),
    ("gcp-dev", "components.hosts.gcp", "UBUNTU_IMAGE", "ubuntu-os-cloud/ubuntu-2604-lts-amd64"),
])
def test_a_new_default_image_does_not_replace_running_vms(stack, module, name, newer, monkeypatch):
    """A later Dockyard with a newer default image (a new Ubuntu LTS) leaves running hosts and
    swarm nodes on the image they were created from."""
    import importlib

    before = _preview(stack)
    monkeypatch.setattr(importlib.import_module(module), name, newer)
    after = preview.run_files(stackfile.load(stack, ROOT))
    olds, news = _vms(before), _vms(after)
    changed = [u for u, v in news.items()
               if _get(engine.reveal(v.inputs), IMAGE_PATH[v.type]) != _get(engine.reveal(olds[u].inputs),
                                                                             IMAGE_PATH[v.type])]
    assert changed, "the new default reaches the program"
    _unchanged_for_the_engine(before, after)


def test_a_new_flatcar_image_url_does_not_reimport_the_digitalocean_image(monkeypatch):
    """Flatcar on DigitalOcean boots a custom image imported from a URL: a later Dockyard with
    another URL leaves the imported image (and so the droplet booted from it) alone."""
    from components.hosts import digitalocean

    kind = "digitalocean:index/customImage:CustomImage"
    before = {r.urn: r for r in _preview("do-dev").of_type(kind)}
    monkeypatch.setattr(digitalocean, "FLATCAR_IMAGE_URL", digitalocean.FLATCAR_IMAGE_URL.replace("current", "4459.2.0"))
    after = preview.run_files(stackfile.load("do-dev", ROOT))
    assert before and before.keys() == {r.urn for r in after.of_type(kind)}
    for image in after.of_type(kind):
        old, new = engine.reveal(before[image.urn].inputs), engine.reveal(image.inputs)
        assert old["url"] != new["url"]
        assert _as_engine_sees(old, new, image.ignore_changes) == old, image.name
    _unchanged_for_the_engine(_preview("do-dev"), after)


@pytest.mark.parametrize("stack", STACKS)
def test_unpinning_keeps_the_pinned_image(stack):
    """Removing a pin is no upgrade either: the host keeps the image it runs."""
    cloud = STACKS[stack]
    pinned = _preview(stack, (f"hosts[0].image={PINNED[cloud][1]}",))
    _unchanged_for_the_engine(pinned, _preview(stack))


def _fixed_name_or_attached(vm) -> str | None:
    """Why a replacement of ``vm`` created before the old one is deleted would fail, or None."""
    inputs = engine.reveal(vm.inputs)
    if vm.type == "aws:ec2/instance:Instance" and inputs.get("primaryNetworkInterface"):
        return "a pre-made ENI attaches to one instance (InvalidNetworkInterface.InUse)"
    if vm.type == "azure-native:compute:VirtualMachine" and inputs.get("vmName"):
        return "a VM name is unique in its resource group (already exists)"
    if vm.type == "gcp:compute/instance:Instance" and inputs.get("name"):
        return "an instance name is unique in its zone (alreadyExists)"
    return None  # DigitalOcean droplet names need not be unique; AWS instances in a subnet coexist


def test_vms_with_a_fixed_name_or_an_attached_interface_are_replaced_delete_first():
    seen = set()
    for stack in STACKS:
        for vm in _vms(_preview(stack)).values():
            why = _fixed_name_or_attached(vm)
            if why:
                seen.add(vm.type)
                assert vm.delete_before_replace, f"{stack} {vm.name}: {why}"
    assert seen == {"aws:ec2/instance:Instance", "azure-native:compute:VirtualMachine",
                    "gcp:compute/instance:Instance"}


def test_the_text_preview_marks_the_lifecycle_of_an_aws_host():
    text = preview.to_text(preview.document(_preview("aws-dev")))
    line = next(x for x in text.splitlines() if "aws:ec2/instance:Instance" in x and "docker-aws" in x)
    assert "[delete-before-replace]" in line and "[ignore: ami]" in line


def test_local_swarm_nodes_with_fixed_names_are_replaced_delete_first():
    """The local swarm's network (fixed name and subnet), each node's volume and container (fixed
    names, fixed addresses) cannot coexist with their replacements on one engine."""
    result = _preview("local")
    # the nodes' own bridge network (labelled dockyard.swarm), not the stacks' overlay networks
    nodes_net = [r for r in result.of_type("docker:index/network:Network")
                 if any(x.get("label") == "dockyard.swarm" for x in engine.reveal(r.inputs).get("labels") or [])]
    assert len(nodes_net) == 1
    fixed = nodes_net + result.of_type("docker:index/volume:Volume") + result.of_type("docker:index/container:Container")
    assert {r.type for r in fixed} == {"docker:index/network:Network", "docker:index/volume:Volume",
                                       "docker:index/container:Container"}
    for r in fixed:
        assert engine.reveal(r.inputs).get("name"), r.name
        assert r.delete_before_replace, r.name
