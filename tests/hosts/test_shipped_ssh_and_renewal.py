"""The shipped cloud stacks, previewed offline: every SSH connection pins the host's generated key,
and a certificate renewal changes no VM input (issue 11), only what the TLS delivery command runs.
"""

from __future__ import annotations

import functools
import json

import pytest
import yaml

from dockyard import engine, preview
from tests.conftest import ROOT

STACKS = ["do-dev", "aws-dev", "azure-dev", "gcp-dev"]
VM_TYPES = {"digitalocean:index/droplet:Droplet", "aws:ec2/instance:Instance",
            "azure-native:compute:VirtualMachine", "gcp:compute/instance:Instance"}


@functools.cache
def _preview(stack: str, overrides: tuple[str, ...] = ()):
    return preview.evaluate(stack, list(overrides), ROOT)


def _user_data(vm) -> str:
    import base64

    inputs = engine.reveal(vm.inputs)
    if vm.type.startswith("azure"):
        return base64.b64decode(inputs["osProfile"]["customData"]).decode()
    if vm.type.startswith("gcp"):
        return inputs["metadata"]["user-data"]
    return inputs["userData"]


def _served_host_key(text: str) -> str:
    """The SSH host public key a first-boot document installs."""
    if text.startswith("#cloud-config"):
        return yaml.safe_load(text)["ssh_keys"]["ed25519_public"]
    import base64

    files = {f["path"]: f["contents"]["source"] for f in json.loads(text)["storage"]["files"]}
    return base64.b64decode(files["/etc/ssh/ssh_host_ed25519_key.pub"].split(",", 1)[1]).decode()


@pytest.mark.parametrize("stack", STACKS)
def test_every_ssh_connection_pins_the_key_its_host_serves(stack):
    _files, result = _preview(stack)
    served = {_served_host_key(_user_data(vm)) for vm in result.resources if vm.type in VM_TYPES}
    keys = {r.urn: r for r in result.of_type("tls:index/privateKey:PrivateKey")}
    commands = result.of_type("command:remote:Command")
    assert commands, "every cloud host has at least its TLS delivery command"
    for cmd in commands:
        connection = engine.reveal(cmd.inputs["connection"])
        pinned = connection.get("hostKey")
        assert pinned, f"{cmd.name}: SSH without a pinned host key"
        assert pinned in served, f"{cmd.name}: pins a key no host serves"
        # ... and it is the key of the host it connects to: the host key the connection was built from
        sources = [keys[u] for u in cmd.property_dependencies.get("connection", []) if u in keys
                   and u.endswith("-ssh-host-key")]
        assert [k.outputs["publicKeyOpenssh"] for k in sources] == [pinned], cmd.name
    # one host key per VM, none shared
    assert len(served) == len([vm for vm in result.resources if vm.type in VM_TYPES])


def _renewal_overrides(files) -> tuple[str, ...]:
    sets = [f"hosts[{i}].tls.validityHours=4000" for i, _ in enumerate(files.config.get("dockyard:hosts") or [])]
    if files.config.get("dockyard:swarm"):
        sets.append("swarm.tls.validityHours=4000")
    return tuple(sets)


@pytest.mark.parametrize("stack", STACKS)
def test_certificate_renewal_changes_no_vm_and_reruns_the_delivery(stack):
    files, before = _preview(stack)
    overrides = _renewal_overrides(files)
    assert overrides, f"{stack} has hosts or a swarm"
    _files, after = _preview(stack, overrides)
    old = {r.urn: r for r in before.resources}
    new = {r.urn: r for r in after.resources}
    assert old.keys() == new.keys()
    # the certificates really are new ones ...
    certs = [u for u, r in old.items() if r.type == "tls:index/locallySignedCert:LocallySignedCert"]
    assert certs and all(engine.reveal(old[u].outputs) != engine.reveal(new[u].outputs) for u in certs)
    # ... yet no VM input changes, on any cloud (so nothing can force a replacement) ...
    vms = [u for u, r in old.items() if r.type in VM_TYPES]
    assert vms
    for urn in vms:
        assert engine.reveal(old[urn].inputs) == engine.reveal(new[urn].inputs), urn
    # ... and every host's TLS delivery runs again (its trigger follows the certificate).
    deliveries = [u for u, r in old.items() if r.type == "command:remote:Command" and u.endswith("-tls")]
    assert len(deliveries) == len(vms)
    for urn in deliveries:
        assert engine.reveal(old[urn].inputs["triggers"]) != engine.reveal(new[urn].inputs["triggers"]), urn


@pytest.mark.parametrize("stack", ["do-dev", "aws-dev"])
def test_swarm_commands_run_after_their_node_serves_tls(stack):
    """A node's bootstrap commands wait for its TLS delivery (dockerd serving TLS), on the same host."""
    _files, result = _preview(stack)
    commands = {c.urn: c for c in result.of_type("command:remote:Command")}
    swarm = [c for c in commands.values() if not c.name.endswith("-tls")]
    assert swarm
    for cmd in swarm:
        pinned = engine.reveal(cmd.inputs["connection"])["hostKey"]
        deliveries = [commands[u] for u in cmd.dependencies if u in commands and commands[u].name.endswith("-tls")]
        assert [engine.reveal(d.inputs["connection"])["hostKey"] for d in deliveries] == [pinned], cmd.name
