"""SwarmStack: a compose file deployed to a swarm, the successor of `docker stack deploy`.

The compose file is loaded and validated by components.compose (shared with the Kubernetes and
Fargate converters) and mapped field by field to pulumi_docker arguments by its swarm converter
(components/compose/to_swarm.py). This component only turns that conversion into resources —
overlay networks, configs, secrets, then services — on the Docker provider it is given (mutual TLS
to a manager, passed as ``providers={"docker": ...}``), and reports the converter's warning for
every compose field that has no swarm equivalent (``pulumi.log.warn``, never a silent drop).

As the converter's docstring says: convert once to learn which objects the stack must create,
create them, convert again with their ids so the services depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_docker as docker

from components.compose import load_compose
from components.compose.to_swarm import to_swarm
from components.images import pin_image


def _pinned(spec: dict) -> dict:
    """The service spec with its container image resolved to a digest (a copy: the conversion stays
    plain data)."""
    task = spec["task_spec"]
    container = dict(task["container_spec"], image=pin_image(task["container_spec"]["image"]))
    return dict(spec, task_spec=dict(task, container_spec=container))


@dataclass
class SwarmStackArgs:
    name: str
    compose: Path
    #: the path as the user wrote it (for warnings)
    display_path: str | None = None
    #: active compose profiles (None: COMPOSE_PROFILES, as docker compose)
    profiles: list[str] | None = None
    #: the folders the compose file may read from (components.projectfiles.ProjectFiles; None: its own)
    files: object = None


class SwarmStack(pulumi.ComponentResource):
    """Networks, configs, secrets and services of one compose file on a swarm.

    Attributes: ``services`` (compose name -> docker.Service), ``networks``, ``configs``,
    ``secrets`` (compose key -> resource), ``conversion`` (the converter's result).
    """

    def __init__(self, name: str, args: SwarmStackArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:SwarmStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Networks and services keep the names `docker stack deploy` gives (<stack>_<key>), unique
        # in the swarm (Docker API >= 1.44 refuses a second network of one name), so they are
        # replaced delete-first: the service is down while its successor starts. Configs and
        # secrets are named by content instead, so old and new coexist.
        fixed = pulumi.ResourceOptions(parent=self, delete_before_replace=True)
        project = load_compose(args.compose, profiles=args.profiles, files=args.files)
        first = to_swarm(project, stack=args.name)

        self.networks = {key: docker.Network(f"{name}-net-{key}", **spec, opts=fixed)
                         for key, spec in first.networks.items()}
        self.configs = {key: docker.ServiceConfig(f"{name}-config-{key}", **spec, opts=child)
                        for key, spec in first.configs.items()}
        self.secrets = {}
        for key, spec in first.secrets.items():
            spec = dict(spec, data=pulumi.Output.secret(spec["data"]))
            self.secrets[key] = docker.Secret(
                f"{name}-secret-{key}", **spec,
                opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["data"]))

        conv = to_swarm(
            project, stack=args.name,
            network_ids={k: r.id for k, r in self.networks.items()} if self.networks else None,
            config_ids={k: r.id for k, r in self.configs.items()} if self.configs else None,
            secret_ids={k: r.id for k, r in self.secrets.items()} if self.secrets else None,
        )
        self.conversion = conv
        where = args.display_path or str(args.compose)
        for warning in conv.warnings:
            pulumi.log.warn(f"{where}: {warning}", resource=self)

        # Each image by tag is deployed by the digest the registry serves for it now: a moved tag
        # shows in the preview as a changed image, never as a silent rollout (components/images.py).
        self.services = {key: docker.Service(f"{name}-{key}", **_pinned(spec), opts=fixed)
                         for key, spec in conv.services.items()}
        self.register_outputs({"services": {k: s.name for k, s in self.services.items()}})
