"""DigitalOcean driver: reserved IP, SSH key, Cloud Firewall and a droplet (docker-machine's
`-d digitalocean`). Imported only by stacks with a DigitalOcean host.

The reserved IP is allocated before the droplet so the server certificate can name it; the
droplet's private VPC address is assigned only when the droplet is created, so it cannot be a
SAN here (connect over the reserved IP, or over SSH).

With ``Placement.ephemeral_public_ip`` (swarm workers) there is no reserved IP: an account gets 3
by default ("By default, you can reserve three reserved IPs per account",
docs.digitalocean.com/products/networking/reserved-ips/details/limits/, read 2026-12-02), and
do-dev's two hosts and three swarm nodes would need 5. The droplet's own public IPv4 address
(assigned at creation, kept until the droplet is destroyed) is used instead; it is not a SAN, so
the API is reached over SSH, as for AWS workers (components/hosts/aws.py).
"""

from __future__ import annotations

import base64
import hashlib
import re

import pulumi
import pulumi_digitalocean as do

from components import quotas
from components.hosts.host import Addresses, PortRule, image_ignore_changes, tags_list

UBUNTU_SLUG = "ubuntu-24-04-x64"
# Flatcar's DigitalOcean image, imported as a custom image, as Flatcar's DigitalOcean guide says
# (flatcar.org/docs/latest/installing/cloud/digitalocean/).
FLATCAR_IMAGE_URL = "https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_digitalocean_image.bin.bz2"
ALL_PORTS = "1-65535"
EVERYWHERE = ["0.0.0.0/0", "::/0"]


def do_tag(value: str) -> str:
    """A DigitalOcean tag: letters, numbers, colons, dashes and underscores, at most 255
    characters (docs.digitalocean.com, tags API). A stack name may hold a period."""
    return re.sub(r"[^A-Za-z0-9:_-]", "-", value)[:255]


def firewall_name(stack: str, name: str) -> str:
    """Cloud Firewall names are unique in the account (the API answers "409 duplicate name",
    harmony-one/harmony-ops#390) and take letters, digits, '.' and '-', starting with a letter or
    digit (docs.digitalocean.com, firewall create API). The stack is part of the name, so two
    stacks (do-dev, do-prod; every swarm's `swarm-manager-1`) in one account do not collide."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", f"dockyard-{stack}-{name}")[:255]


def md5_fingerprint(public_key: str) -> str | None:
    """The fingerprint DigitalOcean gives a key (MD5 of the key blob, colon-separated hex), which
    droplets' ``ssh_keys`` accept in place of the id; None when the text is no OpenSSH key."""
    parts = public_key.split()
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (IndexError, ValueError):
        return None
    digest = hashlib.md5(blob).hexdigest()  # noqa: S324 - DigitalOcean's fingerprint format, not security
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def registered_elsewhere(public_key: str, own_names: set[str]) -> str | None:
    """The fingerprint of ``public_key`` when the account already holds it under another name
    (registered by hand, by doctl or docker-machine, or by another stack): DigitalOcean refuses a
    second registration of one key ("422 SSH Key is already in use on your account",
    digitalocean/packer-plugin-digitalocean#113), so the droplets use that one. A key under one of
    ``own_names`` is this stack's own registration and stays managed here."""
    fingerprint = md5_fingerprint(public_key)
    if fingerprint is None:
        return None
    found = do.get_ssh_keys(filters=[{"key": "fingerprint", "values": [fingerprint]}]).ssh_keys or []
    return fingerprint if any(k.name not in own_names for k in found) else None


class Driver:
    def __init__(self, name: str, cfg, args, parent: pulumi.Resource, rules: list[PortRule]):
        self.name, self.cfg, self.args, self.rules = name, cfg, args, rules
        self.opts = pulumi.ResourceOptions(parent=parent)

    def addresses(self) -> Addresses:
        if self.args.placement.ephemeral_public_ip:
            self.reserved_ip = None  # the droplet's own address (machine_addresses)
            return Addresses(public_ip=None)
        self.reserved_ip = do.ReservedIp(f"{self.name}-ip", region=self.cfg.region, opts=self.opts)
        quotas.count("digitalocean.reserved_ips", self.name)
        return Addresses(public_ip=self.reserved_ip.ip_address)

    def machine_addresses(self, droplet: do.Droplet) -> Addresses:
        """A droplet without a reserved IP: its own public and private IPv4, known once it exists."""
        return Addresses(public_ip=droplet.ipv4_address, private_ip=droplet.ipv4_address_private)

    def _image(self) -> pulumi.Input[str]:
        if self.cfg.image:
            return self.cfg.image
        if self.cfg.os == "ubuntu":
            return UBUNTU_SLUG
        # Imported once: a later Dockyard with another image URL must not re-import it (a new
        # custom image, the droplet's deleted). Flatcar updates itself in place from its release
        # channel (flatcar.org/docs/latest/setup/releases/update-strategies/, read 2026-12-03);
        # pin `image` to move a host to another one.
        image = do.CustomImage(f"{self.name}-image", name=f"flatcar-stable-{self.name}", url=FLATCAR_IMAGE_URL,
                               regions=[self.cfg.region], distribution="CoreOS",
                               description="Flatcar Container Linux stable",
                               opts=self.opts.merge(pulumi.ResourceOptions(ignore_changes=["url"])))
        return image.image_id.apply(str)

    def internal_ip(self):
        return self.droplet.ipv4_address_private  # assigned with the droplet: not a SAN

    def machine(self, *, user_data, ssh_public_key):
        cfg, args = self.cfg, self.args
        if cfg.disk_gb is not None:
            pulumi.log.warn(f"{self.name}: diskGb is ignored on DigitalOcean, where the size sets the disk")
        key_id = args.digitalocean_ssh_key or self._ssh_key(ssh_public_key)
        # "You cannot use IPv6 with Droplets created from custom images" (docs.digitalocean.com,
        # Custom Images Limits): Flatcar comes in as one.
        ipv6 = cfg.ipv6
        if ipv6 and cfg.os == "flatcar" and not cfg.image:
            pulumi.log.warn(f"{self.name}: ipv6 is ignored: DigitalOcean gives no IPv6 to droplets from custom "
                            "images such as Flatcar's")
            ipv6 = False
        peer_tag = [do_tag(args.peers.name)] if args.peers else []
        droplet = do.Droplet(
            self.name,
            name=cfg.name,
            image=self._image(),
            region=cfg.region,
            size=cfg.size,
            ssh_keys=[key_id],
            user_data=user_data,
            ipv6=ipv6,
            backups=cfg.backups,
            monitoring=cfg.monitoring and cfg.os == "ubuntu",  # the agent is packaged for Ubuntu
            vpc_uuid=args.placement.network_id,
            tags=tags_list(cfg.tags, "dockyard", *peer_tag),
            graceful_shutdown=True,
            # An unpinned slug (or Flatcar's imported custom image) stays as recorded at the first
            # `up` (image_ignore_changes); a pinned `image` replaces when changed. Created first
            # when replaced: droplet names need not be unique, and the reserved IP moves to the
            # new droplet through its own assignment (whose delete unassigns the IP only from the
            # droplet it names: terraform-provider-digitalocean, reserved IP assignment Delete,
            # read 2026-12-03).
            opts=self.opts.merge(pulumi.ResourceOptions(ignore_changes=image_ignore_changes(cfg, "image"))),
        )
        self.droplet = droplet
        if self.reserved_ip is not None:
            do.ReservedIpAssignment(f"{self.name}-ip", ip_address=self.reserved_ip.ip_address,
                                    droplet_id=droplet.id.apply(int), opts=self.opts)

        inbound = [self._rule(r, source_addresses=list(r.sources)) for r in self.rules]
        if args.peers:
            inbound += [self._rule(r, source_tags=[do_tag(args.peers.name)]) for r in args.peers.rules]
        # A fixed name (unique in the account), but never replaced: every field, the name and the
        # droplet ids included, is updated in place (no ForceNew in terraform-provider-digitalocean's
        # digitalocean_firewall schema, read 2026-12-03), so a replaced droplet just moves over.
        do.Firewall(
            f"{self.name}-fw",
            name=firewall_name(pulumi.get_stack(), self.name),
            droplet_ids=[droplet.id.apply(int)],
            inbound_rules=inbound,
            # A DigitalOcean firewall without outbound rules drops all egress (apt, pulls).
            outbound_rules=[{"protocol": p, "destination_addresses": EVERYWHERE,
                             **({"port_range": ALL_PORTS} if p != "icmp" else {})} for p in ("tcp", "udp", "icmp")],
            opts=self.opts,
        )
        return droplet

    def _ssh_key(self, public_key) -> pulumi.Output[str]:
        """One registration per public key and program run: DigitalOcean refuses to register a
        key twice, and a swarm's nodes (or several hosts) share one. The first host using a key
        registers it; a plain-text key gets a name derived from the key, so it is stable. A
        plain-text key the account already holds (the operator's own key, usually) is used as it
        is, by fingerprint (see registered_elsewhere)."""
        from pulumi.runtime import settings

        cache = settings.get_root_resource().__dict__.setdefault("_dockyard_do_ssh_keys", {})
        if isinstance(public_key, str):
            slot, name, opts = ("text", public_key), f"ssh-key-{hashlib.sha256(public_key.encode()).hexdigest()[:8]}", None
        else:
            slot, name, opts = ("object", id(public_key)), f"{self.name}-ssh", self.opts
        if slot not in cache:
            fingerprint, key_name = None, f"dockyard-{name}"
            if isinstance(public_key, str):
                # The stack in the name tells this stack's registration from another's.
                key_name = f"dockyard-{pulumi.get_stack()}-{name}"
                # f"dockyard-{name}": what this stack named its registration before the stack was
                # part of the name; still its own (renamed in place).
                fingerprint = registered_elsewhere(public_key, {key_name, f"dockyard-{name}"})
            cache[slot] = (public_key, fingerprint or do.SshKey(name, name=key_name, public_key=public_key,
                                                                opts=opts).fingerprint)
        return cache[slot][1]

    @staticmethod
    def _rule(rule: PortRule, **source) -> dict:
        if rule.protocol not in ("tcp", "udp", "icmp"):
            raise ValueError(f"DigitalOcean Cloud Firewalls allow tcp, udp and icmp, not {rule.protocol}")
        ports = {} if rule.protocol == "icmp" else {"port_range": rule.ports or ALL_PORTS}
        return {"protocol": rule.protocol, **ports, **source}
