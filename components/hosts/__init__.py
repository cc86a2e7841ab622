"""Docker hosts (docker-machine's create/env/ls as code). Cloud drivers are imported lazily."""

from components.hosts.host import (
    DockerHost,
    DockerHostArgs,
    Location,
    PeerGroup,
    Placement,
    PortRule,
    build_hosts,
    digitalocean_ssh_key,
    generated_ssh_key,
    inbound_rules,
)

__all__ = ["DockerHost", "DockerHostArgs", "Location", "PeerGroup", "Placement", "PortRule", "build_hosts", "digitalocean_ssh_key",
           "generated_ssh_key", "inbound_rules"]
