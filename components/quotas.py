"""Default cloud quotas a stack meets: one tally for every cloud, one warning per quota exceeded.

A quota is checked by the cloud when a resource is created, so a real `pulumi up` fails half way
(DigitalOcean's 422 on the fourth reserved IP, AWS's AddressLimitExceeded on the sixth Elastic IP)
while the offline preview cannot know an account's own limits. What it can know is the default a
new account gets: every component that creates something a default quota counts calls
:func:`count` as it declares it, and the program calls :func:`warn_exceeded` once, after
everything is declared (``__main__.py``), which names each default quota the stack exceeds, what
uses it, and where the default comes from. Nothing is refused: an account with a raised quota is
fine, and Dockyard cannot see it offline.

Defaults (read 2026-12-02):

* DigitalOcean reserved IPs: 3 per account ("By default, you can reserve three reserved IPs per
  account", docs.digitalocean.com/products/networking/reserved-ips/details/limits/).
* AWS Elastic IP addresses: 5 per Region (Amazon VPC user guide, "Amazon VPC quotas", Elastic IP
  addresses per Region). NAT gateways hold one each.
* Azure vCPUs: 20 Total Regional vCPUs per subscription and region (Microsoft Learn, "Azure
  subscription and service limits, quotas, and constraints", Virtual Machines limits; free and
  student subscriptions get fewer). A VM size's vCPUs are the number in its name (Microsoft
  Learn, "Azure virtual machine sizes naming conventions": Standard_D2s_v3 has 2). Azure's public
  IP addresses are not counted: their default per region (1000, "Networking limits") is far
  above anything a stack declares.
* Google Cloud external IPv4 addresses per region: STATIC_ADDRESSES (reserved static) and
  IN_USE_ADDRESSES (static and ephemeral, on VMs such as GKE nodes), 8 each in the regional
  quota a new project shows (Compute Engine "Allocation quotas", External IP addresses; "not all
  projects have the same quotas").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Quota:
    cloud: str
    what: str  # what is counted, as the cloud's console names it
    default: int
    per_region: bool
    source: str  # where the default is written down


QUOTAS: dict[str, Quota] = {
    "digitalocean.reserved_ips": Quota(
        "DigitalOcean", "reserved IPs", 3, False,
        "docs.digitalocean.com/products/networking/reserved-ips/details/limits/"),
    "aws.elastic_ips": Quota(
        "AWS", "Elastic IP addresses", 5, True,
        "Amazon VPC user guide, Amazon VPC quotas: Elastic IP addresses per Region"),
    "azure.regional_vcpus": Quota(
        "Azure", "vCPUs (Total Regional vCPUs)", 20, True,
        "Microsoft Learn, Azure subscription and service limits: Virtual Machines limits"),
    "gcp.static_addresses": Quota(
        "Google Cloud", "static external IP addresses (STATIC_ADDRESSES)", 8, True,
        "cloud.google.com/compute/resource-usage, External IP addresses"),
    "gcp.in_use_addresses": Quota(
        "Google Cloud", "in-use external IP addresses (IN_USE_ADDRESSES)", 8, True,
        "cloud.google.com/compute/resource-usage, External IP addresses"),
}

#: Azure size names: Standard_<family letters><vCPUs>[<more letters/digits>][_v<n>] (e.g.
#: Standard_B2s, Standard_D4as_v5, Standard_E8-4ds_v5 (constrained: 4 active vCPUs)).
_AZURE_SIZE = re.compile(r"^(?:Standard|Basic)_[A-Za-z]+(\d+)(?:-(\d+))?")


def azure_vcpus(size: str) -> int | None:
    """The vCPUs of an Azure VM size, from its name; None when the name does not say."""
    m = _AZURE_SIZE.match(size or "")
    if not m:
        return None
    return int(m.group(2) or m.group(1))


def gcp_region(location: str | None) -> str | None:
    """europe-west1-b (a zone) -> europe-west1; a region stays as it is."""
    if location and re.fullmatch(r"[a-z]+-[a-z]+\d+-[a-z]", location):
        return location.rsplit("-", 1)[0]
    return location


@dataclass
class Ledger:
    """What one program run counts: (quota key, region) -> [(who, how many)]."""

    uses: dict[tuple[str, str | None], list[tuple[str, int]]] = field(default_factory=dict)

    def count(self, key: str, who: str, n: int = 1, region: str | None = None) -> None:
        if key not in QUOTAS:
            raise KeyError(f"unknown quota {key!r}; one of {', '.join(QUOTAS)}")
        scope = region if QUOTAS[key].per_region else None
        self.uses.setdefault((key, scope), []).append((who, n))

    def exceeded(self) -> list[str]:
        """One warning per (quota, region) whose default the counted uses exceed."""
        warnings = []
        for (key, region), uses in self.uses.items():
            quota = QUOTAS[key]
            total = sum(n for _, n in uses)
            if total <= quota.default:
                continue
            where = f" in {region}" if region else (" in the provider's default region" if quota.per_region else "")
            scope = "per region" if quota.per_region else "per account"
            users = ", ".join(who if n == 1 else f"{who} ({n})" for who, n in uses)
            warnings.append(
                f"quota: this stack uses {total} {quota.cloud} {quota.what}{where} ({users}), more than the "
                f"{quota.default} {scope} a new account gets by default ({quota.source}); "
                "request a quota increase before pulumi up")
        return warnings


def ledger() -> Ledger:
    """This program run's ledger (kept on the root stack resource: a new run starts a new one)."""
    from pulumi.runtime import settings

    root = settings.get_root_resource()
    holder = root.__dict__ if root is not None else _NO_ROOT
    return holder.setdefault("_dockyard_quota_ledger", Ledger())


_NO_ROOT: dict = {}


def count(key: str, who: str, n: int = 1, region: str | None = None) -> None:
    """Record that ``who`` uses ``n`` of the default quota ``key`` (in ``region``)."""
    ledger().count(key, who, n, region)


def warn_exceeded() -> list[str]:
    """Warn once per default quota the program's resources exceed; returns the warnings."""
    import pulumi

    warnings = ledger().exceeded()
    for warning in warnings:
        pulumi.log.warn(warning)
    return warnings
