"""What SwarmCluster needs from a node, whatever carries it (a dind container or a DockerHost).

A node is an address plus a way to run a generated script on it. The cluster code never asks
which kind of node it has, so the bootstrap graph is the same locally and on every cloud.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pulumi

#: run(resource_name, script, *, update=None, delete=None, stdin=None, secret_stdout=False,
#:     depends_on=(), triggers=()) -> a pulumi_command Command. ``update``: the script for later
#: runs (without it, create runs again); ``delete``: the script run when Pulumi deletes the command
#: (before what it depends on); ``triggers``: more values whose change runs the command again.
Runner = Callable[..., pulumi.CustomResource]


@dataclass
class SwarmNode:
    name: str
    private_ip: pulumi.Output[str]
    public_ip: pulumi.Output[str] | None
    run: Runner
    resources: Sequence[pulumi.Resource] = field(default_factory=list)
    #: changes when the node's engine is replaced (container ID, VM ID): a fresh engine
    engine_id: pulumi.Output[str] | None = None

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
    #: how long each script waits for provisioning and dockerd (a cloud VM installs Docker on first boot)
    wait_seconds: int = 180
    #: the file provisioning writes last (cloud nodes); None: no provisioning to wait for (local)
    marker: str | None = None
    #: local only: published port P listens on 127.0.0.1:P+port_offset
    port_offset: int = 0
