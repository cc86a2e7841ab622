"""Docker for Azure layout against Azure's own rules, not only Dockyard's shape.

Expected values come from Microsoft Learn, not from the code under test:

* "Azure service tags": the VirtualNetwork tag includes the host's virtual IP 168.63.129.16, and
  AzureLoadBalancer is that same address, where load balancer health probes come from. NSG rules
  are evaluated by priority, first match wins.
* "Azure Load Balancer health probes": load-balancing rules need a health probe; probes are
  TCP, HTTP or HTTPS (a UDP port is probed over TCP).
"""

from __future__ import annotations

import ipaddress

from tests.swarm.test_swarm_mock import run_swarm

PROBE_SOURCE = "168.63.129.16"  # Microsoft Learn, "What is IP address 168.63.129.16?"
# Service tags whose address set contains PROBE_SOURCE (Microsoft Learn, "Azure service tags").
TAGS_WITH_PROBE_SOURCE = {"*", "Any", "AzureLoadBalancer", "VirtualNetwork"}


def _source_matches(rule: dict, source: str) -> bool:
    prefixes = list(rule.get("sourceAddressPrefixes") or [])
    if rule.get("sourceAddressPrefix"):
        prefixes.append(rule["sourceAddressPrefix"])
    for prefix in prefixes:
        if prefix in ("*", "Any"):
            return True
        if prefix in TAGS_WITH_PROBE_SOURCE:
            if source == PROBE_SOURCE:
                return True
            continue  # (a public client address is in neither tag)
        try:
            if ipaddress.ip_address(source) in ipaddress.ip_network(prefix, strict=False):
                return True
        except ValueError:
            continue  # another service tag
    return False


def _port_matches(rule: dict, port: int) -> bool:
    ports = rule.get("destinationPortRange", "*")
    if ports == "*":
        return True
    low, _, high = ports.partition("-")
    return int(low) <= port <= int(high or low)


def first_match(rules: list[dict], source: str, port: int) -> dict | None:
    """The NSG rule that decides an inbound TCP flow (first match by ascending priority)."""
    for rule in sorted(rules, key=lambda r: r["priority"]):
        if rule["direction"] != "Inbound" or rule["protocol"] not in ("Tcp", "*"):
            continue
        if rule.get("sourceApplicationSecurityGroups"):
            continue  # the probe source is in no application security group
        if _source_matches(rule, source) and _port_matches(rule, port):
            return rule
    return None


def test_lb_health_probes_reach_every_node_when_public_cidrs_are_narrow(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "azure", "managers": 1, "workers": 2, "loadBalancer": True,
                                     "publicCidrs": ["203.0.113.0/24"]}, admin=["198.51.100.0/24"])
    lb = result.get("azure-native:network:LoadBalancer").inputs
    probe_ports = {p["port"] for p in lb["probes"]}
    assert probe_ports, "the load balancer must probe its backends"
    for node in ("manager-1", "worker-1", "worker-2"):
        rules = result.get("azure-native:network:NetworkSecurityGroup", f"swarm-{node}-nsg").inputs["securityRules"]
        for port in probe_ports:
            decision = first_match(rules, PROBE_SOURCE, port)
            assert decision is not None and decision["access"] == "Allow", (node, port, decision)
        # ... while the published port stays closed to everyone outside publicCidrs
        outsider = first_match(rules, "192.0.2.10", 80)
        assert outsider is None or outsider["access"] == "Deny", (node, outsider)


def _write_compose(tmp_path, ports: list[str]):
    path = tmp_path / "docker-compose.yml"
    lines = ["services:", "  app:", "    image: example/app:1", "    ports:"]
    lines += [f'      - "{p}"' for p in ports]
    path.write_text("\n".join(lines) + "\n")
    return path


def _assert_every_rule_has_a_probe(lb: dict):
    probes = {p["name"]: p for p in lb["probes"]}
    assert probes, "no health probe"
    for p in probes.values():
        assert p["protocol"] in ("Tcp", "Http", "Https")
    for rule in lb["loadBalancingRules"]:
        assert "probe" in rule, rule["name"]
        assert rule["probe"]["id"].rsplit("/probes/", 1)[1] in probes, rule["name"]


def test_udp_port_sorted_before_tcp_still_gets_a_probe(mock_engine, tmp_path):
    compose = _write_compose(tmp_path, ["53:53/udp", "80:80"])
    result = run_swarm(mock_engine, {"cloud": "azure", "managers": 1, "workers": 1, "loadBalancer": True,
                                     "stacks": [{"name": "dns", "compose": str(compose)}]}, allow_outside=(tmp_path,))
    lb = result.get("azure-native:network:LoadBalancer").inputs
    assert {(r["protocol"], r["frontendPort"]) for r in lb["loadBalancingRules"]} == {("Udp", 53), ("Tcp", 80)}
    _assert_every_rule_has_a_probe(lb)


def test_udp_only_stack_gets_a_probe(mock_engine, tmp_path):
    compose = _write_compose(tmp_path, ["53:53/udp"])
    result = run_swarm(mock_engine, {"cloud": "azure", "managers": 1, "workers": 1, "loadBalancer": True,
                                     "stacks": [{"name": "dns", "compose": str(compose)}]}, allow_outside=(tmp_path,))
    lb = result.get("azure-native:network:LoadBalancer").inputs
    _assert_every_rule_has_a_probe(lb)
    # the probed TCP port must be one every node listens on and admits from the probe source
    for node in ("manager-1", "worker-1"):
        rules = result.get("azure-native:network:NetworkSecurityGroup", f"swarm-{node}-nsg").inputs["securityRules"]
        for p in lb["probes"]:
            decision = first_match(rules, PROBE_SOURCE, p["port"])
            assert decision is not None and decision["access"] == "Allow", (node, p)
