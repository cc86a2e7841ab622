"""What SwarmCluster needs from a node, whatever carries it (a dind container or a DockerHost).

A node is an address plus a way to run a generated script on it. The cluster code never asks
which kind of node it has, so the bootstrap graph is the same locally and on every cloud.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pulumi

#: run(resource_name, script, stdin, secret_stdout, depends_on) -> a pulumi_command Command
Runner = Callable[..., pulumi.CustomResource]


@dataclass
class SwarmNode:
    name: str
    private_ip: pulumi.Output[str]
    public_ip: pulumi.Output[str] | None
    run: Runner
    resources: Sequence[pulumi.Resource] = field(default_factory=list)

    @property
    def joins_as(self) -> str:
        """The role a node joins with comes from its name; `nodes:` roles are reconciled after."""
        return self.name.split("-")[0]


@dataclass
class ManagerApi:
    """How a Docker client reaches manager-1's API with mutual TLS (for SwarmStack's provider)."""

    host: pulumi.Output[str]
    ca_pem: pulumi.Output[str]
    cert_pem: pulumi.Output[str]
    key_pem: pulumi.Output[str]


@dataclass
class NodeSet:
    nodes: list[SwarmNode]
    api: ManagerApi
    #: base URL of published ports ("http://127.0.0.1", a load balancer's DNS name, manager-1's IP)
    app_host: pulumi.Output[str]
    extra_outputs: dict = field(default_factory=dict)
    #: how long each script waits for dockerd (a cloud VM installs Docker on first boot)
    wait_seconds: int = 180
