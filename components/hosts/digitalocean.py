"""DigitalOcean driver: reserved IP, SSH key, Cloud Firewall and a droplet (docker-machine's
`-d digitalocean`). Imported only by stacks with a DigitalOcean host.

The reserved IP is allocated before the droplet so the server certificate can name it; the
droplet's private VPC address is assigned only when the droplet is created, so it cannot be a
SAN here (connect over the reserved IP, or over SSH).
"""

from __future__ import annotations

import hashlib

import pulumi
import pulumi_digitalocean as do

from components.hosts.host import Addresses, PortRule, tags_list

UBUNTU_SLUG = "ubuntu-24-04-x64"
# Flatcar's DigitalOcean image, imported as a custom image, as Flatcar's DigitalOcean guide says
# (flatcar.org/docs/latest/installing/cloud/digitalocean/).
FLATCAR_IMAGE_URL = "https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_digitalocean_image.bin.bz2"
ALL_PORTS = "1-65535"
EVERYWHERE = ["0.0.0.0/0", "::/0"]


class Driver:
    def __init__(self, name: str, cfg, args, parent: pulumi.Resource, rules: list[PortRule]):
        self.name, self.cfg, self.args, self.rules = name, cfg, args, rules
        self.opts = pulumi.ResourceOptions(parent=parent)

    def addresses(self) -> Addresses:
        self.reserved_ip = do.ReservedIp(f"{self.name}-ip", region=self.cfg.region, opts=self.opts)
        return Addresses(public_ip=self.reserved_ip.ip_address)

    def _image(self) -> pulumi.Input[str]:
        if self.cfg.image:
            return self.cfg.image
        if self.cfg.os == "ubuntu":
            return UBUNTU_SLUG
        image = do.CustomImage(f"{self.name}-image", name=f"flatcar-stable-{self.name}", url=FLATCAR_IMAGE_URL,
                               regions=[self.cfg.region], distribution="CoreOS",
                               description="Flatcar Container Linux stable", opts=self.opts)
        return image.image_id.apply(str)

    def internal_ip(self):
        return self.droplet.ipv4_address_private  # assigned with the droplet: not a SAN

    def machine(self, *, user_data, ssh_public_key):
        cfg, args = self.cfg, self.args
        if cfg.disk_gb is not None:
            pulumi.log.warn(f"{self.name}: diskGb is ignored on DigitalOcean, where the size sets the disk")
        key_id = args.digitalocean_ssh_key or self._ssh_key(ssh_public_key)
        peer_tag = [args.peers.name] if args.peers else []
        droplet = do.Droplet(
            self.name,
            name=cfg.name,
            image=self._image(),
            region=cfg.region,
            size=cfg.size,
            ssh_keys=[key_id],
            user_data=user_data,
            ipv6=cfg.ipv6,
            backups=cfg.backups,
            monitoring=cfg.monitoring and cfg.os == "ubuntu",  # the agent is packaged for Ubuntu
            vpc_uuid=args.placement.network_id,
            tags=tags_list(cfg.tags, "dockyard", *peer_tag),
            graceful_shutdown=True,
            opts=self.opts,
        )
        self.droplet = droplet
        do.ReservedIpAssignment(f"{self.name}-ip", ip_address=self.reserved_ip.ip_address,
                                droplet_id=droplet.id.apply(int), opts=self.opts)

        inbound = [self._rule(r, source_addresses=list(r.sources)) for r in self.rules]
        if args.peers:
            inbound += [self._rule(r, source_tags=[args.peers.name]) for r in args.peers.rules]
        do.Firewall(
            f"{self.name}-fw",
            name=f"dockyard-{self.name}",
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
        registers it; a plain-text key gets a name derived from the key, so it is stable."""
        from pulumi.runtime import settings

        cache = settings.get_root_resource().__dict__.setdefault("_dockyard_do_ssh_keys", {})
        if isinstance(public_key, str):
            slot, name, opts = ("text", public_key), f"ssh-key-{hashlib.sha256(public_key.encode()).hexdigest()[:8]}", None
        else:
            slot, name, opts = ("object", id(public_key)), f"{self.name}-ssh", self.opts
        if slot not in cache:
            cache[slot] = (public_key, do.SshKey(name, name=f"dockyard-{name}", public_key=public_key,
                                                 opts=opts).fingerprint)
        return cache[slot][1]

    @staticmethod
    def _rule(rule: PortRule, **source) -> dict:
        if rule.protocol not in ("tcp", "udp", "icmp"):
            raise ValueError(f"DigitalOcean Cloud Firewalls allow tcp, udp and icmp, not {rule.protocol}")
        ports = {} if rule.protocol == "icmp" else {"port_range": rule.ports or ALL_PORTS}
        return {"protocol": rule.protocol, **ports, **source}
