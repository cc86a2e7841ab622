"""What a cloud refuses at create time, for inputs a user reaches through the stack config.

Checked by components/config.py before anything is declared, each error naming its config key.
The tables are dated: a cloud's offer changes, so each entry says where it was read. They list
what is NOT offered where, or (Azure VM sizes) where each size is offered; a combination they do
not know is let through, and the cloud has the last word; the offline preview's mocks (dockyard/mocks/) refuse the same things as a backstop.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

# --- sizes and regions (read 2026-12-02) -------------------------------------------------------

#: DigitalOcean regions that accept no new Droplets (their API's region ``available: false``):
#: NYC2, AMS2 and SFO1 are restricted to users with existing resources (DigitalOcean docs,
#: "Regional availability" https://docs.digitalocean.com/platform/regional-availability/;
#: pachadotdev/analogsea#180 quotes the SFO1 restriction).
DO_CLOSED_REGIONS = {"nyc2": "nyc1 or nyc3", "ams2": "ams3", "sfo1": "sfo2 or sfo3"}

#: Compute Engine machine series offered in some zones only: series -> the zones that offer it
#: (Compute Engine docs, "Available regions and zones", machine series per zone,
#: https://cloud.google.com/compute/docs/regions-zones#available). Series not listed here (e2,
#: n1, n2, n2d, ...) are offered in every zone Dockyard uses.
GCE_SERIES_ZONES: dict[str, frozenset[str]] = {
    "t2a": frozenset({"us-central1-a", "us-central1-b", "us-central1-f", "europe-west4-a", "europe-west4-b",
                      "asia-southeast1-b", "asia-southeast1-c"}),
}

#: AWS Availability Zones per Region, as an account sees them: zone letter -> AZ ID number (AWS
#: "Regions and Availability Zones" guide, "AWS Availability Zones", the AZ IDs of each Region,
#: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html,
#: read 2026-12-03; ca-central-1's third zone is "d": kubernetes/kops#9064). Regions created after
#: November 2012 map letter n to AZ ID n in every account; in the oldest ones (us-east-1,
#: us-west-1, us-west-2, ap-northeast-1, ...) the mapping differs per account ("AZ IDs",
#: https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html), so the IDs given
#: there are one account's (the offline preview's); AWS_OTHER_ACCOUNT_LETTERS lists the letters
#: other accounts may also have. A Region missing here is not refused: the cloud decides.
AWS_ZONES: dict[str, dict[str, int]] = {
    # us-east-1e is use1-az3 in this account (the zone without t3, see AWS_OFFERINGS_FILE).
    "us-east-1": {"a": 5, "b": 6, "c": 1, "d": 2, "e": 3, "f": 4},
    "us-east-2": {"a": 1, "b": 2, "c": 3},
    "us-west-1": {"a": 1, "c": 3},  # usw1-az2 is closed to new accounts
    "us-west-2": {"a": 1, "b": 2, "c": 3, "d": 4},
    "ca-central-1": {"a": 1, "b": 2, "d": 4},
    "ca-west-1": {"a": 1, "b": 2, "c": 3},
    "mx-central-1": {"a": 1, "b": 2, "c": 3},
    "sa-east-1": {"a": 1, "b": 2, "c": 3},
    "eu-west-1": {"a": 1, "b": 2, "c": 3},
    "eu-west-2": {"a": 1, "b": 2, "c": 3},
    "eu-west-3": {"a": 1, "b": 2, "c": 3},
    "eu-central-1": {"a": 1, "b": 2, "c": 3},
    "eu-central-2": {"a": 1, "b": 2, "c": 3},
    "eu-north-1": {"a": 1, "b": 2, "c": 3},
    "eu-south-1": {"a": 1, "b": 2, "c": 3},
    "eu-south-2": {"a": 1, "b": 2, "c": 3},
    "af-south-1": {"a": 1, "b": 2, "c": 3},
    "me-south-1": {"a": 1, "b": 2, "c": 3},
    "me-central-1": {"a": 1, "b": 2, "c": 3},
    "il-central-1": {"a": 1, "b": 2, "c": 3},
    "ap-east-1": {"a": 1, "b": 2, "c": 3},
    "ap-south-1": {"a": 1, "b": 2, "c": 3},
    "ap-south-2": {"a": 1, "b": 2, "c": 3},
    "ap-northeast-1": {"a": 4, "c": 1, "d": 2},  # apne1-az3 is closed to new accounts
    "ap-northeast-2": {"a": 1, "b": 2, "c": 3, "d": 4},
    "ap-northeast-3": {"a": 1, "b": 2, "c": 3},
    "ap-southeast-1": {"a": 1, "b": 2, "c": 3},
    "ap-southeast-2": {"a": 1, "b": 2, "c": 3},
    "ap-southeast-3": {"a": 1, "b": 2, "c": 3},
    "ap-southeast-4": {"a": 1, "b": 2, "c": 3},
    "ap-southeast-5": {"a": 1, "b": 2, "c": 3},
    "ap-southeast-7": {"a": 1, "b": 2, "c": 3},
}
#: Letters that older accounts see besides the ones above (independently mapped Regions).
AWS_OTHER_ACCOUNT_LETTERS = {"us-west-1": "b", "ap-northeast-1": "b"}

_AWS_DIRECTIONS = {"east": "e", "west": "w", "north": "n", "south": "s", "central": "c", "northeast": "ne",
                   "northwest": "nw", "southeast": "se", "southwest": "sw"}
_AWS_ZONE = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)([a-z])$")


def aws_zone_ids(region: str) -> dict[str, str]:
    """The zones of ``region`` as the offline preview's account sees them: name -> AZ ID
    (a Region missing from AWS_ZONES gets three zones a-c)."""
    parts = region.split("-")
    abbr = parts[0] + "".join(_AWS_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]
    zones = AWS_ZONES.get(region, {"a": 1, "b": 2, "c": 3})
    return {f"{region}{letter}": f"{abbr}-az{n}" for letter, n in zones.items()}


def aws_split_zone(location: str) -> tuple[str, str | None]:
    """(region, zone or None) of an AWS region or availability-zone name."""
    m = _AWS_ZONE.match(location)
    return (m.group(1), location) if m else (location, None)


def aws_zone_problem(zone: str) -> str | None:
    """Why availability zone ``zone`` does not exist (None when it does or the Region is unknown)."""
    region, _ = aws_split_zone(zone)
    if region not in AWS_ZONES:
        return None
    letters = sorted(set(AWS_ZONES[region]) | set(AWS_OTHER_ACCOUNT_LETTERS.get(region, "")))
    if zone[-1] in letters:
        return None
    return (f"{region} has no availability zone {zone} (table of 2026-12-03: "
            f"{', '.join(region + x for x in letters)})")


#: EC2 instance types offered per Region, and per zone ID the ones a zone lacks: the dated table
#: components/aws_instance_offerings.txt, written by tools/aws_instance_offerings.py from
#: getmoto/moto@c6bd43ff moto/ec2/resources/instance_type_offerings (DescribeInstanceTypeOfferings
#: with LocationType region and availability-zone-id, recorded monthly by moto's
#: scripts/ec2_get_instance_type_offerings.py; snapshot 2026-08-01, each Region dated by the day it
#: was last recorded; me-central-1 and me-south-1 are left out, no longer recorded). It agrees with what was read before: no T2 in
#: eu-north-1 (https://aws.amazon.com/free/, read 2026-12-03), no T3 in use1-az3, no T2 in usw2-az4
#: (hashicorp/terraform-provider-aws acceptance tests). A type the table never saw (newer than it,
#: or misspelt) or a Region it lacks is let through: the cloud decides.
AWS_OFFERINGS_FILE = Path(__file__).with_name("aws_instance_offerings.txt")


@dataclass(frozen=True)
class AwsOfferings:
    recorded: dict[str, str]  # Region -> the day its offerings were last recorded (YYYY-MM-DD)
    source: str  # "owner/repo@commit path" of the recording
    regions: dict[str, frozenset[str]]  # Region -> instance types it offers
    zones_lacking: dict[str, frozenset[str]]  # AZ ID -> types its Region offers but it does not
    known: frozenset[str]  # every type some Region offers


def _aws_unpacked(words: list[str]) -> set[str]:
    """{m5.large, m5.xlarge} from ["m5.large,xlarge"] (the file's one-family-per-word packing)."""
    types = set()
    for word in words:
        family, sizes = word.split(".", 1)
        types.update(f"{family}.{size}" for size in sizes.split(","))
    return types


@functools.cache
def aws_offerings() -> AwsOfferings:
    """The table of components/aws_instance_offerings.txt, read once."""
    text = AWS_OFFERINGS_FILE.read_text(encoding="utf-8")
    source = re.search(r"^# Source: (\S+ \S+)", text, re.MULTILINE).group(1)
    recorded, regions, lacking = {}, {}, {}
    for line in text.splitlines():
        if line.startswith("region "):
            _, name, recorded[name], *words = line.split(" ")
            regions[name] = frozenset(_aws_unpacked(words))
        elif line.startswith("zone "):
            _, name, *words = line.split(" ")
            lacking[name] = frozenset(_aws_unpacked(words))
    return AwsOfferings(recorded, source, regions, lacking, frozenset().union(*regions.values()))


def _aws_some(names: list[str]) -> str:
    return (", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")) or "none"


def aws_type_problem(itype: str, location: str) -> str | None:
    """Why EC2 type ``itype`` cannot run in ``location`` (a Region, or a zone as this account names
    it) per the dated table; None when the table does not say so."""
    table = aws_offerings()
    region, zone = aws_split_zone(location)
    offered = table.regions.get(region)
    if offered is None or itype not in table.known:
        return None
    when = f"DescribeInstanceTypeOfferings recorded {table.recorded[region]}, {table.source[:table.source.index('@') + 9]}"
    if itype not in offered:
        elsewhere = sorted(r for r, types in table.regions.items() if itype in types)
        return f"{itype} is not offered in {region} ({when}); regions that offer it: {_aws_some(elsewhere)}"
    zone_ids = aws_zone_ids(region)
    if zone is None or itype not in table.zones_lacking.get(zone_ids.get(zone, ""), ()):
        return None
    others = [z for z, zid in zone_ids.items() if itype not in table.zones_lacking.get(zid, ())]
    return (f"{itype} is not offered in {zone} ({zone_ids[zone]}; {when}); zones of {region} that offer it: "
            f"{', '.join(others) or 'none'}")


#: Azure VM sizes retired everywhere, so no Region offers them (date: source, read 2026-12-03):
#: Basic and Standard A-series (A0-A11), 2024-08-31 (Azure/HDInsight release notes 2024-01-10,
#: https://github.com/Azure/HDInsight/releases/tag/2024-01-10); NV-series and NV_Promo,
#: 2023-09-06 (Microsoft Learn, "NV series retirement",
#: https://learn.microsoft.com/azure/virtual-machines/sizes/migration-guides/nv-series-retirement);
#: NC6s_v3, NC12s_v3, NC24s_v3, 2025-09-30 (Microsoft Learn, "NCv3 and NC6s NC12s NC24s Retirement",
#: https://learn.microsoft.com/azure/virtual-machines/ncv3-nc6s-nc12s-nc24s-retirement).
AZURE_RETIRED_SIZES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^(Basic_A[0-4]|Standard_A([0-9]|1[01]))$"), "the Basic and Standard A-series were retired on "
     "2024-08-31; the Av2-series (Standard_A2_v2) or B-series (Standard_B2s) replace them"),
    (re.compile(r"^Standard_NV(6|12|24)(_Promo)?$"), "the NV-series was retired on 2023-09-06"),
    (re.compile(r"^Standard_NC(6|12|24)s_v3$"), "NC6s_v3, NC12s_v3 and NC24s_v3 were retired on 2025-09-30"),
)

#: Azure VM sizes per Region, with their Linux pay-as-you-go price (USD/hour): the dated table
#: components/azure_vm_sizes.csv, written by tools/azure_vm_prices.py from
#: Azure/karpenter-provider-azure@352646f5 pkg/providers/pricing/zz_generated.pricing.go (generated
#: 2026-06-18 from the Azure Retail Prices API). A size the table has, in a Region the table has,
#: without a price there is not offered there; a size or Region the table lacks is let through,
#: and so are the sizes that exist without a price (refuse_if_absent 0). dockyard/cost.py prices
#: Azure VMs from the same table.
AZURE_VM_SIZES_FILE = Path(__file__).with_name("azure_vm_sizes.csv")


@dataclass(frozen=True)
class AzureVmSizes:
    generated: str  # the day the source table was generated (YYYY-MM-DD)
    source: str  # "owner/repo@commit path" of the source table
    regions: frozenset[str]
    prices: dict[str, dict[str, float]]  # lower-case size -> region -> USD/hour
    names: dict[str, str]  # lower-case size -> the size as Azure spells it
    never_refused: frozenset[str]  # lower-case sizes that exist without a price


@functools.cache
def azure_vm_sizes() -> AzureVmSizes:
    """The table of components/azure_vm_sizes.csv, read once."""
    text = AZURE_VM_SIZES_FILE.read_text(encoding="utf-8")
    generated = re.search(r"generated at (\d{4}-\d{2}-\d{2})", text).group(1)
    source = re.search(r"^# Source: (\S+ \S+)", text, re.MULTILINE).group(1)
    rows = csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))
    header = next(rows)
    regions = header[2:]
    prices, names, never = {}, {}, set()
    for size, refuse, *cells in rows:
        key = size.lower()
        names[key] = size
        prices[key] = {r: float(c) for r, c in zip(regions, cells, strict=True) if c}
        if refuse == "0":
            never.add(key)
    return AzureVmSizes(generated, source, frozenset(regions), prices, names, frozenset(never))


def azure_size_region_problem(size: str, location: str) -> str | None:
    """Why ``size`` is not offered in Azure ``location`` per the dated table (None when the table
    does not say so)."""
    table, region, key = azure_vm_sizes(), azure_location(location), size.lower()
    offered = table.prices.get(key)
    if offered is None or key in table.never_refused or region not in table.regions or region in offered:
        return None
    elsewhere = sorted(offered)
    some = ", ".join(elsewhere[:4]) + (f" and {len(elsewhere) - 4} more" if len(elsewhere) > 4 else "")
    repo_commit = table.source[:table.source.index("@") + 9]
    return (f"{size} is not offered in {region}: it has no pay-as-you-go price there (table generated "
            f"{table.generated} from the Azure Retail Prices API, {repo_commit}); regions that offer it: "
            f"{some or 'none'}")


#: Ports every Dockyard VM already opens, by rule: a host's sshPort or a swarm's published port
#: equal to one of them would give an Azure network security group two rules of one name
#: (tcp-<port>; names are unique in a group) and, on every cloud, two services one port.
RESERVED_HOST_PORTS = {22: "the nodes' SSH port", 2376: "the Docker API port (mutual TLS)"}

#: Ports a swarm needs between its members (Docker docs, "Open protocols and ports between the
#: hosts": 2377/tcp cluster management, 7946/tcp+udp node communication, 4789/udp VXLAN overlay).
SWARM_PORTS: tuple[tuple[int, str], ...] = ((2377, "tcp"), (7946, "tcp"), (7946, "udp"), (4789, "udp"))

#: Docker's plain-text API port, which no Dockyard host opens (Docker docs, "Protect the Docker
#: daemon socket", https://docs.docker.com/engine/security/protect-access/, read 2026-12-03:
#: 2375 unencrypted, 2376 TLS).
PLAIN_DOCKER_API_PORT = 2375


def ssh_port_problem(port: int) -> str | None:
    """Why SSH cannot listen on ``port``: it is one of Docker's own (API or swarm) ports."""
    if port == PLAIN_DOCKER_API_PORT:
        return "2375 is Docker's plain-text API port"
    if port != 22 and port in RESERVED_HOST_PORTS:
        return f"{port} is {RESERVED_HOST_PORTS[port]} of every host"
    swarm = sorted({f"{p}/{proto}" for p, proto in SWARM_PORTS if p == port})
    if swarm:
        return f"{port} is a Docker swarm port ({', '.join(swarm)}) that a node of a swarm listens on"
    return None


#: A swarm load balancer has one listener (AWS) or load-balancing rule (Azure) per published
#: port; at most 50 listeners per Network Load Balancer (ELB docs, "Quotas for your Network Load
#: Balancers") and 1,500 rules per Standard Load Balancer (Microsoft Learn, "Azure subscription and
#: service limits", Load Balancer), both read 2026-12-03.
LOAD_BALANCER_PORTS = {"aws": 50, "azure": 1500}


#: An Azure VM's public IP gets the host name as its DNS label with scope TenantReuse: the FQDN
#: <label>-<hash of tenant and label>.<location>.cloudapp.azure.com is the same for one label in
#: one tenant and location, so two VMs of one name in one location ask for the same DNS name
#: and a DNS name in use is refused (DnsRecordInUse). Azure update "Public preview: Public IP
#: Domain Name Label Scope" (https://azure.microsoft.com/updates/public-preview-public-ip-domain-name-label-scope/,
#: the hashed string "will remain constant within that scope"), read 2026-12-03.
AZURE_DNS_LABEL_SCOPE = ("the public IP DNS label (scope TenantReuse) is the same for one name in one location, "
                         "so the two VMs would ask for one DNS name")


def azure_location(location: str) -> str:
    """An Azure location as ARM normalises it: "West Europe" -> "westeurope"."""
    return location.replace(" ", "").lower()


#: The zone Dockyard puts a GCP VM in when given a region (every region has a zone "-b";
#: us-east1 and europe-west1 have no "-a"); components/hosts/gcp.py uses it.
GCP_ZONE_SUFFIX = "-b"


def gce_series(machine_type: str) -> str:
    return machine_type.split("-", 1)[0]


def gce_zones_refusing(machine_type: str, zones: list[str]) -> list[str]:
    """The zones among ``zones`` that do not offer ``machine_type``'s series."""
    offered = GCE_SERIES_ZONES.get(gce_series(machine_type))
    return [] if offered is None else [z for z in zones if z not in offered]


def gcp_zones_of(location: str, default_suffix: str = GCP_ZONE_SUFFIX) -> list[str]:
    """The zone(s) Dockyard places a VM or zonal cluster in, for a region or a zone."""
    parts = location.split("-")
    if len(parts) == 3 and len(parts[2]) == 1:  # already a zone (europe-west1-b)
        return [location]
    return [location + default_suffix]


def size_problem(cloud: str, size: str, region: str | None) -> str | None:
    """Why ``size`` cannot be created in ``region`` on ``cloud`` (None when nothing says it cannot)."""
    if not region:
        return None
    if cloud == "digitalocean" and region in DO_CLOSED_REGIONS:
        return (f"DigitalOcean region {region} accepts no new Droplets (table of 2026-12-02); "
                f"use {DO_CLOSED_REGIONS[region]}")
    if cloud == "aws":
        return aws_type_problem(size, region)
    if cloud == "azure":
        for pattern, why in AZURE_RETIRED_SIZES:
            if pattern.match(size):
                return f"{size} is offered in no Azure region: {why} (table of 2026-12-03)"
        return azure_size_region_problem(size, region)
    if cloud == "gcp":
        zones = gcp_zones_of(region)
        refusing = gce_zones_refusing(size, zones)
        if refusing:
            offered = sorted(GCE_SERIES_ZONES[gce_series(size)])
            return (f"{size}: the {gce_series(size).upper()} series is not offered in {', '.join(refusing)} "
                    f"(table of 2026-12-02: {', '.join(offered)})")
    return None


# --- tags (read 2026-12-02) --------------------------------------------------------------------

#: AWS: at most 50 tags per resource, keys up to 128 characters, values up to 256, and the aws:
#: prefix is reserved (AWS docs, "Tagging your AWS resources", tag naming limits and requirements).
#: Azure: at most 50 tags, names up to 512 characters, values up to 256, names without
#: < > % & \ ? / (Microsoft Learn, "Use tags to organize your Azure resources", limitations).
TAG_LIMITS = {"aws": (50, 128, 256), "azure": (50, 512, 256)}
AZURE_TAG_NAME_FORBIDDEN = set('<>%&\\?/')


def tag_problem(cloud: str, tags: dict[str, str], added: int) -> tuple[str | None, str] | None:
    """(offending key or None for the whole map, why) when ``tags`` plus the ``added`` tags
    Dockyard puts on every VM break what ``cloud`` accepts; None when they fit."""
    if cloud not in TAG_LIMITS:
        return None  # DigitalOcean tags and GCP labels are fitted by the drivers
    most, key_max, value_max = TAG_LIMITS[cloud]
    if len(tags) + added > most:
        return None, f"{len(tags)} tags plus Dockyard's {added} exceed the {most} {cloud} allows"
    for key, value in tags.items():
        if len(key) > key_max:
            return key, f"tag names are at most {key_max} characters on {cloud}"
        if len(str(value)) > value_max:
            return key, f"tag values are at most {value_max} characters on {cloud}"
        if cloud == "aws" and key.lower().startswith("aws:"):
            return key, "the aws: prefix is reserved for AWS's own tags"
        if cloud == "azure" and AZURE_TAG_NAME_FORBIDDEN & set(key):
            return key, "Azure tag names cannot contain < > % & \\ ? /"
    return None


# --- images (read 2026-12-03) --------------------------------------------------------------------

#: The `az vm image` aliases for the systems Dockyard provisions (Ubuntu with cloud-init, Flatcar
#: with Ignition), as the Azure CLI expands them (`az vm image list` offline list; Canonical's
#: "Find Ubuntu images on Azure", https://documentation.ubuntu.com/azure/azure-how-to/instances/find-ubuntu-images/).
AZURE_IMAGE_ALIASES = {
    "Ubuntu2404": "Canonical:ubuntu-24_04-lts:server:latest",
    "Ubuntu2204": "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
    "FlatcarLinuxFreeGen2": "kinvolk:flatcar-container-linux-free:stable-gen2:latest",
}
#: publisher:offer:sku:version, each part as the Marketplace spells it (letters, digits, . _ -).
_AZURE_URN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9][A-Za-z0-9._-]*){3}")
#: A managed image or a gallery image (version) by its resource id (Microsoft Learn, "Create a VM
#: from a managed image" / "Azure Compute Gallery": imageReference.id).
_AZURE_IMAGE_ID = re.compile(
    r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[\w.()-]+/providers/Microsoft\.Compute/"
    r"(images/[\w.-]+|galleries/[\w.]+/images/[\w.-]+(/versions/([0-9]+\.[0-9]+\.[0-9]+|latest))?)",
    re.IGNORECASE)


def azure_image_reference(image: str) -> dict[str, str]:
    """The ARM imageReference of a URN, an alias or an image resource id; ValueError otherwise."""
    urn = AZURE_IMAGE_ALIASES.get(image, image)
    if _AZURE_URN.fullmatch(urn):
        return dict(zip(("publisher", "offer", "sku", "version"), urn.split(":"), strict=True))
    if _AZURE_IMAGE_ID.fullmatch(image):
        return {"id": image}
    raise ValueError(f"{image!r} is not an Azure image: use publisher:offer:sku:version "
                     "(Canonical:ubuntu-24_04-lts:server:latest), an alias "
                     f"({', '.join(AZURE_IMAGE_ALIASES)}) or an image resource id (/subscriptions/...)")
