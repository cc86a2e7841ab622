"""GCP driver: VPC network and subnet, static external and internal addresses, firewall rules and
a Compute Engine instance (docker-machine's `-d google`). Imported only by stacks with a GCP host.

The host gets its own network because the `default` network comes with rules that open SSH, RDP
and ICMP to the world; a new VPC denies all ingress until our firewall rules allow it. Both
addresses are reserved before the instance, so both are SANs of the server certificate. The SSH
key is registered through instance metadata (`ssh-keys`), as GCP does for non-OS Login keys.
"""

from __future__ import annotations

import hashlib
import re

import pulumi
import pulumi_gcp as gcp

from components import quotas
from components.cloud_limits import GCP_ZONE_SUFFIX
from components.hosts.host import Addresses, PortRule, image_ignore_changes, split_families

UBUNTU_IMAGE = "ubuntu-os-cloud/ubuntu-2404-lts-amd64"  # image family of Canonical's 24.04 LTS
FLATCAR_IMAGE = "kinvolk-public/flatcar-stable"  # image family (flatcar.org docs, "Running on GCE")
SUBNET_CIDR = "10.43.1.0/24"
DEFAULT_ZONE_SUFFIX = GCP_ZONE_SUFFIX  # config checks sizes against the same zone


# GCE resource names and network tags: RFC 1035, `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63
# characters (cloud.google.com/compute/docs/naming-resources). Auto-named resources get
# "-" + 7 random characters from Pulumi (pulumi-gcp resources.go: Randlen 7), so the longest
# logical name here ("<host>-internal-ip") must leave room for that suffix.
GCE_NAME_MAX = 63
AUTONAME_SUFFIX = 8  # "-" + 7 random characters
LONGEST_SUFFIX = len("-internal-ip")


def _label(value: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", value.lower())[:63]


def gce_name(value: str, limit: int = GCE_NAME_MAX) -> str:
    """``value`` as an RFC 1035 name of at most ``limit`` characters; unchanged when it already is
    one, otherwise cut and made unique again with a short hash of the original."""
    clean = re.sub(r"[^a-z0-9-]", "-", value.lower())
    if not clean[:1].isalpha():
        clean = "x" + clean
    clean = clean.rstrip("-")
    if clean == value and len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:8]
    return f"{clean[:limit - 9].rstrip('-')}-{digest}"


class Driver:
    def __init__(self, name: str, cfg, args, parent: pulumi.Resource, rules: list[PortRule]):
        self.name, self.cfg, self.args, self.rules = name, cfg, args, rules
        # Prefix of the auto-named resources' logical names: short enough for the longest suffix
        # plus Pulumi's random one (a long host name would otherwise give names GCE refuses).
        self.prefix = gce_name(name, GCE_NAME_MAX - AUTONAME_SUFFIX - LONGEST_SUFFIX)
        self.opts = pulumi.ResourceOptions(parent=parent)
        self.region = cfg.region or args.location.gcp_region
        self.project = args.location.gcp_project
        self.zone = args.placement.zone or f"{self.region}{DEFAULT_ZONE_SUFFIX}"
        self.host_tag = gce_name(f"dockyard-{cfg.name}")  # a network tag: RFC 1035, <= 63
        self.labels = {_label(k): _label(v) for k, v in cfg.tags.items()} | {"dockyard-host": _label(cfg.name)}

    def addresses(self) -> Addresses:
        placement = self.args.placement
        if placement.network_id is None:
            network = gcp.compute.Network(f"{self.prefix}-net", auto_create_subnetworks=False, project=self.project,
                                          description=f"dockyard host {self.cfg.name}", opts=self.opts)
            self.network = network.id
        else:
            self.network = placement.network_id
        if placement.subnet_id is None:
            subnet = gcp.compute.Subnetwork(f"{self.prefix}-subnet", network=self.network, ip_cidr_range=SUBNET_CIDR,
                                            region=self.region, project=self.project, opts=self.opts)
            self.subnet = subnet.id
        else:
            self.subnet = placement.subnet_id
        self.external = gcp.compute.Address(f"{self.prefix}-ip", region=self.region, project=self.project,
                                            labels=self.labels, opts=self.opts)
        quotas.count("gcp.static_addresses", self.name, region=self.region)
        quotas.count("gcp.in_use_addresses", self.name, region=self.region)  # once on the VM
        self.internal = gcp.compute.Address(f"{self.prefix}-internal-ip", address_type="INTERNAL", subnetwork=self.subnet,
                                            region=self.region, project=self.project, labels=self.labels,
                                            opts=self.opts)
        self._firewall()
        if self.cfg.ipv6:
            pulumi.log.warn(f"{self.name}: ipv6 on GCP needs a dual-stack subnet; not set up")
        return Addresses(public_ip=self.external.address, private_ip=self.internal.address)

    def _firewall(self) -> None:
        for i, rule in enumerate(self.rules):
            v4, v6 = split_families(rule.sources)
            for fam, ranges in (("v4", v4), ("v6", v6)):
                if ranges:
                    gcp.compute.Firewall(
                        f"{self.prefix}-fw-{i}{'' if fam == 'v4' else '-v6'}", network=self.network, direction="INGRESS",
                        allows=[self._allow(rule)], source_ranges=ranges, target_tags=[self.host_tag],
                        description=rule.description, project=self.project, opts=self.opts)
        peers = self.args.peers
        if peers:
            gcp.compute.Firewall(f"{self.prefix}-fw-peers", network=self.network, direction="INGRESS",
                                 allows=[self._allow(r) for r in peers.rules], source_tags=[gce_name(peers.name)],
                                 target_tags=[self.host_tag], description=f"peers of {peers.name}",
                                 project=self.project, opts=self.opts)

    @staticmethod
    def _allow(rule: PortRule) -> dict:
        out = {"protocol": rule.protocol}
        if rule.ports and rule.protocol in ("tcp", "udp"):
            out["ports"] = [rule.ports]
        return out

    def internal_ip(self):
        return None  # the private IP is allocated before the VM (Addresses.private_ip)

    def machine(self, *, user_data, ssh_public_key):
        cfg = self.cfg
        image = cfg.image or (FLATCAR_IMAGE if cfg.os == "flatcar" else UBUNTU_IMAGE)
        init = {"image": image, "type": "pd-balanced"}
        if cfg.disk_gb is not None:
            init["size"] = cfg.disk_gb
        ssh_keys = pulumi.Output.from_input(ssh_public_key).apply(lambda k: f"{cfg.ssh_user}:{k.strip()}")
        tags = [self.host_tag] + ([gce_name(self.args.peers.name)] if self.args.peers else [])
        return gcp.compute.Instance(
            self.name,
            name=cfg.name,
            machine_type=cfg.size,
            zone=self.zone,
            project=self.project,
            boot_disk={"initialize_params": init, "auto_delete": True},
            network_interfaces=[{"subnetwork": self.subnet, "network_ip": self.internal.address,
                                 "access_configs": [{"nat_ip": self.external.address}]}],
            # cloud-init (Ubuntu) and Ignition (Flatcar) both read the `user-data` key on GCE.
            metadata={"user-data": user_data, "ssh-keys": ssh_keys, "enable-oslogin": "FALSE"},
            tags=tags,
            labels=self.labels,
            # Secure Boot where the image is known to support it (Canonical's UEFI images).
            shielded_instance_config={"enable_secure_boot": cfg.os == "ubuntu" and not cfg.image,
                                      "enable_vtpm": True, "enable_integrity_monitoring": True},
            allow_stopping_for_update=True,
            # User data is read on first boot only: a changed document needs a new instance
            # (certificates are not in it: they come over SSH, a renewal is not one). The old
            # one must go first: it holds the instance name (unique per zone) and both static
            # addresses, and GCE refuses a second VM on an address in use ("External IP address
            # ... is already in-use", pulumi/pulumi#4128); pulumi-gcp does not delete first by
            # default (pulumi/pulumi-gcp#2596).
            # An unpinned image family stays as recorded at the first `up` (image_ignore_changes):
            # a newer image in the family, or a new Dockyard default, never replaces the host.
            # Secure Boot follows the image, so it stays as recorded with it (unpinning a pinned
            # image must not turn Secure Boot on under an image not known to support it).
            opts=self.opts.merge(pulumi.ResourceOptions(
                replace_on_changes=["metadata"],
                ignore_changes=image_ignore_changes(cfg, "bootDisk.initializeParams.image",
                                                    "shieldedInstanceConfig.enableSecureBoot"),
                delete_before_replace=True)),
        )
