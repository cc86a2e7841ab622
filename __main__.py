"""Dockyard: build the components the stack config names and export their outputs.

Data flows one way: stack file -> components.config (validated) -> components -> outputs.
Each capability is imported only when the stack uses it, so a `local` stack never loads a
cloud SDK.
"""

import pulumi

from components import config, quotas
from components.errors import InputError

try:
    cfg = config.load()
    # Checks that need more than the config model (kubeconfig files, converted compose apps)
    # also run before the first resource is declared.
    kubernetes_plan = None
    if cfg.kubernetes is not None:
        from components.kubernetes.build import plan

        kubernetes_plan = plan(cfg, pulumi.get_stack())
except InputError as err:
    config.fail(err)

for warning in cfg.warnings:
    pulumi.log.warn(warning)

# --- hosts (issue 3: Docker hosts) ---
if cfg.hosts:
    from components.hosts import build_hosts

    build_hosts(cfg)

# --- swarm (issue 4: Docker Swarm) ---
if cfg.swarm is not None:
    from components.swarm import SwarmCluster, SwarmClusterArgs

    swarm = SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, pulumi.get_stack()))
    pulumi.export("swarm", swarm.swarm)

# --- containers (issue 5: Fargate, App Service) ---
if cfg.containers:
    from components.containers.build import build_containers

    pulumi.export("containers", build_containers(cfg))

# --- kubernetes (issue 6: clusters and apps) ---
if cfg.kubernetes is not None:
    from components.kubernetes.build import build_kubernetes

    kubernetes = build_kubernetes(cfg, kubernetes_plan)
    pulumi.export("kubeconfig", kubernetes.pop("kubeconfig"))
    pulumi.export("kubernetes", kubernetes)

# --- default cloud quotas the stack exceeds (components/quotas.py), once everything is declared ---
quotas.warn_exceeded()
