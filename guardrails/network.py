"""Inbound rules of every firewall kind Dockyard creates, in one shape.

Input names are the providers' wire names (camelCase), as the preview JSON and the policy engine
both show them; the facts come from the provider SDKs' argument classes:

* DigitalOcean ``Firewall.inboundRules``: protocol, portRange ("22", "8000-9000", "all"),
  sourceAddresses, sourceTags, sourceDropletIds, sourceLoadBalancerUids, sourceKubernetesIds.
* AWS ``ec2.SecurityGroup.ingress``: protocol ("-1" = all), fromPort, toPort, cidrBlocks,
  ipv6CidrBlocks, securityGroups, self, prefixListIds; ``ec2.SecurityGroupRule`` (type ingress)
  the same with sourceSecurityGroupId; ``vpc.SecurityGroupIngressRule``: ipProtocol, fromPort,
  toPort, cidrIpv4, cidrIpv6, referencedSecurityGroupId, prefixListId.
* Azure ``network.NetworkSecurityGroup.securityRules`` and ``network.SecurityRule``: direction,
  access, protocol ("*" = all), destinationPortRange(s), sourceAddressPrefix(es) — CIDRs or
  service tags such as Internet, VirtualNetwork, "*".
* GCP ``compute.Firewall``: direction (INGRESS by default), disabled, allows[{protocol, ports}],
  sourceRanges, sourceTags, sourceServiceAccounts. With no source at all GCP applies 0.0.0.0/0.
* Docker ``Container.ports``: internal, external, ip (all host addresses when empty), protocol.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from guardrails.model import Resource, as_list, is_opaque

ALL_PORTS = ((0, 65535),)
WORLD_TAGS = {"*", "internet", "any", "0.0.0.0/0", "::/0"}
#: Azure service tags that stay inside the cluster's network.
INTERNAL_TAGS = {"virtualnetwork", "azureloadbalancer"}
#: Address space that is not reachable from the internet: the cluster's own network lives here.
PRIVATE_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
              "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128")
)


@dataclass(frozen=True)
class Source:
    """Where traffic may come from: a CIDR, or a reference (tag, group, self) inside the cloud."""

    kind: str  # "cidr" | "world" | "ref"
    value: str

    @property
    def network(self):
        return cidr(self.value) if self.kind == "cidr" else None


@dataclass(frozen=True)
class Ingress:
    """One inbound allow rule. ``ports`` are the ports a client connects to; ``targets`` the
    service ports behind them where they differ (a Docker host port mapped to a container port)."""

    where: str
    protocol: str  # tcp | udp | icmp | all | other names as given
    ports: tuple[tuple[int, int], ...]
    sources: tuple[Source, ...]
    targets: tuple[tuple[int, int], ...] = ()

    def covers(self, port: int, protocol: str = "tcp") -> bool:
        if self.protocol not in ("all", protocol):
            return False
        return any(lo <= port <= hi for lo, hi in (*self.ports, *self.targets))

    @property
    def all_ports(self) -> bool:
        return any(lo <= 1 and hi >= 65535 for lo, hi in self.ports)

    @property
    def port_numbers(self) -> set[int] | None:
        """The client-facing ports as a set, or None for a rule that spans too much to list."""
        if self.all_ports or sum(hi - lo + 1 for lo, hi in self.ports) > 4096:
            return None
        return {p for lo, hi in self.ports for p in range(lo, hi + 1)}

    def describe_ports(self) -> str:
        if self.protocol == "icmp":
            return "icmp"
        if self.all_ports:
            return f"all {self.protocol} ports" if self.protocol != "all" else "all ports"
        text = ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.ports)
        return f"{self.protocol} {text}"


def cidr(text: str):
    try:
        return ipaddress.ip_network(str(text).strip(), strict=False)
    except ValueError:
        return None


def source(text: str) -> Source:
    t = str(text).strip()
    if t.lower() in WORLD_TAGS:
        return Source("world", t)
    net = cidr(t)
    if net is not None:
        return Source("world" if net.prefixlen == 0 else "cidr", t)
    return Source("ref", t)


def is_world(s: Source) -> bool:
    return s.kind == "world"


def is_private(s: Source) -> bool:
    """Inside the cluster's network: a reference (tag, group, self) or a private CIDR."""
    if s.kind == "ref":
        return True
    if s.kind == "world":
        return False
    net = s.network
    return net is not None and any(net.version == p.version and net.subnet_of(p) for p in PRIVATE_NETS)


def within(s: Source, allowed: Iterable[str]) -> bool:
    """Is every address of ``s`` inside one of the ``allowed`` CIDRs?"""
    if s.kind == "ref":
        return False
    if s.kind == "world":
        net = ipaddress.ip_network("::/0" if ":" in s.value else "0.0.0.0/0")
    else:
        net = cidr(s.value)
    if net is None:
        return False
    for a in allowed:
        an = cidr(a)
        if an is not None and an.version == net.version and net.subnet_of(an):
            return True
    return False


def _int(value) -> int | None:
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


def _port_range(text) -> tuple[tuple[int, int], ...]:
    """"22", "8000-9000", "*"/"all"; anything unreadable counts as every port (never a pass)."""
    if text is None or is_opaque(text):
        return ALL_PORTS
    t = str(text).strip().lower()
    if t in ("", "*", "all", "any"):
        return ALL_PORTS
    lo_text, _, hi_text = t.partition("-")
    lo, hi = _int(lo_text), _int(hi_text or lo_text)
    if lo is None or hi is None:
        return ALL_PORTS
    return ((lo, hi),)


def _protocol(text) -> str:
    t = str(text if text is not None else "all").strip().lower()
    return {"-1": "all", "*": "all", "any": "all", "6": "tcp", "17": "udp", "1": "icmp",
            "icmpv6": "icmp", "58": "icmp"}.get(t, t)


def _aws_ports(rule: dict, proto: str) -> tuple[tuple[int, int], ...]:
    if proto == "all":
        return ALL_PORTS
    lo, hi = _int(rule.get("fromPort")), _int(rule.get("toPort"))
    if lo is None or lo < 0:  # unknown, or icmp type -1
        return ALL_PORTS
    return ((lo, hi if hi is not None and hi >= lo else lo),)


def _aws_rule(where: str, rule: dict, extra_refs: Iterable[str] = ()) -> Ingress:
    proto = _protocol(rule.get("protocol", rule.get("ipProtocol")))
    srcs = [source(c) for key in ("cidrBlocks", "ipv6CidrBlocks") for c in as_list(rule.get(key))]
    srcs += [source(c) for key in ("cidrIpv4", "cidrIpv6") for c in as_list(rule.get(key))]
    refs = [*as_list(rule.get("securityGroups")), *as_list(rule.get("prefixListIds")), *extra_refs]
    refs += [rule[k] for k in ("sourceSecurityGroupId", "referencedSecurityGroupId", "prefixListId")
             if rule.get(k)]
    if rule.get("self") is True:
        refs.append("self")
    srcs += [Source("ref", str(r)) for r in refs]
    return Ingress(where, proto, _aws_ports(rule, proto), tuple(srcs))


def _azure_rule(where: str, rule: dict) -> Ingress | None:
    if str(rule.get("direction", "Inbound")).lower() != "inbound":
        return None
    if str(rule.get("access", "Allow")).lower() != "allow":
        return None
    ports: list[tuple[int, int]] = []
    for key in ("destinationPortRange", "destinationPortRanges"):
        for p in as_list(rule.get(key)):
            ports.extend(_port_range(p))
    if not ports:
        ports = list(ALL_PORTS)
    srcs = [source(s) for key in ("sourceAddressPrefix", "sourceAddressPrefixes")
            for s in as_list(rule.get(key))]
    srcs += [Source("ref", "asg") for _ in as_list(rule.get("sourceApplicationSecurityGroups"))]
    if not srcs:
        srcs = [Source("world", "*")]
    return Ingress(where, _protocol(rule.get("protocol", "*")), tuple(ports), tuple(srcs))


def _maps(value) -> list[Mapping]:
    """The mapping entries of a list input (an unknown entry during a preview is skipped)."""
    return [v for v in as_list(value) if isinstance(v, Mapping)]


def ingress_rules(res: Resource) -> list[Ingress]:
    """The inbound allow rules a resource declares (empty for anything that is not a firewall)."""
    t, i = res.type, res.inputs
    out: list[Ingress] = []
    if t == "digitalocean:index/firewall:Firewall":
        for n, r in enumerate(_maps(i.get("inboundRules"))):
            proto = _protocol(r.get("protocol"))
            ports = ALL_PORTS if proto == "icmp" else _port_range(r.get("portRange"))
            srcs = [source(a) for a in as_list(r.get("sourceAddresses"))]
            for key in ("sourceTags", "sourceDropletIds", "sourceLoadBalancerUids", "sourceKubernetesIds"):
                srcs += [Source("ref", str(v)) for v in as_list(r.get(key))]
            out.append(Ingress(f"inboundRules[{n}]", proto, ports, tuple(srcs)))
    elif t == "aws:ec2/securityGroup:SecurityGroup":
        for n, r in enumerate(_maps(i.get("ingress"))):
            out.append(_aws_rule(f"ingress[{n}]", r))
    elif t == "aws:ec2/securityGroupRule:SecurityGroupRule":
        if str(i.get("type", "")).lower() == "ingress":
            out.append(_aws_rule("rule", dict(i)))
    elif t == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        out.append(_aws_rule("rule", dict(i)))
    elif t == "azure-native:network:NetworkSecurityGroup":
        for n, r in enumerate(_maps(i.get("securityRules"))):
            rule = _azure_rule(f"securityRules[{n}] ({r.get('name', '?')})", r)
            if rule:
                out.append(rule)
    elif t == "azure-native:network:SecurityRule":
        rule = _azure_rule(f"rule {i.get('name') or res.name}", dict(i))
        if rule:
            out.append(rule)
    elif t == "gcp:compute/firewall:Firewall":
        if str(i.get("direction", "INGRESS")).upper() == "INGRESS" and i.get("disabled") is not True:
            srcs = [source(s) for s in as_list(i.get("sourceRanges"))]
            srcs += [Source("ref", str(s)) for k in ("sourceTags", "sourceServiceAccounts")
                     for s in as_list(i.get(k))]
            if not srcs:  # GCP's default source range for an ingress rule without sources
                srcs = [Source("world", "0.0.0.0/0")]
            for n, a in enumerate(_maps(i.get("allows"))):
                proto = _protocol(a.get("protocol"))
                ports: list[tuple[int, int]] = []
                for p in as_list(a.get("ports")):
                    ports.extend(_port_range(p))
                out.append(Ingress(f"allows[{n}]", proto, tuple(ports) or ALL_PORTS, tuple(srcs)))
    elif t == "docker:index/container:Container":
        for n, p in enumerate(_maps(i.get("ports"))):
            internal = _int(p.get("internal"))
            if internal is None:
                continue
            external = _int(p.get("external")) or internal
            ip = str(p.get("ip") or "0.0.0.0")
            src = Source("world", ip) if ip in ("0.0.0.0", "::", "") else source(ip)
            out.append(Ingress(f"ports[{n}] (host {ip}:{external})", _protocol(p.get("protocol", "tcp")),
                               ((external, external),), (src,), ((internal, internal),)))
    return out
