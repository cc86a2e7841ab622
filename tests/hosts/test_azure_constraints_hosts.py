"""Azure DockerHost inputs against Azure's naming rules, not only Dockyard's shape.

Expected values come from Microsoft Learn and the azure-native provider, not from the code under test:

* "ARM template best practices": a public IP's domainNameLabel is 3-63 characters and matches
  ``^[a-z][a-z0-9-]{1,61}[a-z0-9]$`` (lowercase letter first).
* "Naming rules and restrictions for Azure resources": virtualNetworks 2-64 characters.
* pulumi-azure-native auto-naming (getDefaultName): the logical name plus 8 random characters;
  the mock engine computes the name the same way, so ``outputs["name"]`` is what Azure would get.
"""

from __future__ import annotations

import re

from tests.hosts.test_hosts_mock import run_hosts

AZURE_DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
VNET_MAX = 64


def test_long_host_name_gives_a_valid_virtual_network_name(mock_engine):
    name = "docker-" + "x" * 55 + "1"  # a 63-character DNS label, as dockyard:hosts[].name allows
    assert len(name) == 63
    res = run_hosts(mock_engine, [{"name": name, "cloud": "azure"}])
    vnet = res.get("azure-native:network:VirtualNetwork")
    assert 2 <= len(vnet.outputs["name"]) <= VNET_MAX, vnet.outputs["name"]
    # the subnet and the NIC are in that network
    assert res.get("azure-native:network:Subnet").inputs["virtualNetworkName"] == vnet.outputs["name"]


def test_public_ip_dns_label_is_valid_or_absent(mock_engine):
    # Both are DNS labels (dockyard:hosts[].name) that Azure does not take as a domainNameLabel.
    for name in ("1docker", "d1"):
        res = run_hosts(mock_engine, [{"name": name, "cloud": "azure"}])
        dns = res.get("azure-native:network:PublicIPAddress").inputs.get("dnsSettings")
        label = (dns or {}).get("domainNameLabel")
        assert label is None or AZURE_DNS_LABEL.match(label), (name, label)
        # the VM is still created and reachable by its IP
        assert res.get("azure-native:compute:VirtualMachine").inputs["vmName"] == name


def test_valid_host_name_keeps_its_dns_label(mock_engine):
    res = run_hosts(mock_engine, [{"name": "docker-azure", "cloud": "azure"}])
    dns = res.get("azure-native:network:PublicIPAddress").inputs["dnsSettings"]
    assert dns["domainNameLabel"] == "docker-azure"


def test_standalone_host_opens_nothing_to_the_load_balancer_tag(mock_engine):
    # Least privilege: only a host in a load balancer's backend pool needs its probes.
    res = run_hosts(mock_engine, [{"name": "docker-azure", "cloud": "azure"}])
    rules = res.get("azure-native:network:NetworkSecurityGroup").inputs["securityRules"]
    assert not [r for r in rules if r.get("sourceAddressPrefix") == "AzureLoadBalancer" and r["access"] == "Allow"]


def test_mock_engine_auto_names_like_azure_native(mock_engine):
    # pulumi-azure-native getDefaultName: resource.NewUniqueName(seed, <logical name>, 8, ...) —
    # the length checks above rely on the mock appending as many characters as the provider.
    res = run_hosts(mock_engine, [{"name": "docker-azure", "cloud": "azure"}])
    for type_ in ("azure-native:resources:ResourceGroup", "azure-native:network:VirtualNetwork",
                  "azure-native:network:NetworkSecurityGroup", "azure-native:network:PublicIPAddress"):
        reg = res.get(type_)
        assert re.fullmatch(re.escape(reg.name) + r"[0-9a-f]{8}", reg.outputs["name"]), (type_, reg.outputs["name"])
