"""What a cloud refuses at create time, for inputs a user reaches through the stack config.

Checked by components/config.py before anything is declared, each error naming its config key.
The tables are dated: a cloud's offer changes, so each entry says where it was read. They list
what is NOT offered where (a combination missing here is let through, and the cloud has the last
word); the offline preview's mocks (dockyard/mocks/) refuse the same things as a backstop.
"""

from __future__ import annotations

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

#: Ports every Dockyard VM already opens, by rule: a host's sshPort or a swarm's published port
#: equal to one of them would give an Azure network security group two rules of one name
#: (tcp-<port>; names are unique in a group) and, on every cloud, two services one port.
RESERVED_HOST_PORTS = {22: "the nodes' SSH port", 2376: "the Docker API port (mutual TLS)"}


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
