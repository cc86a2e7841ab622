"""ACME's platform: Dockyard's swarm and EKS cluster from the stack config, and our K3sHost.

Dockyard's components read their config through ``components.config`` (the ``dockyard:``
namespace); ours is in the project's namespace (``acme-platform:ciCluster``).
"""

import pulumi
from acme_platform import K3sHost, K3sHostArgs

from components import config
from components.errors import InputError
from components.hosts import Location
from components.kubernetes.build import build_kubernetes, plan
from components.swarm import SwarmCluster, SwarmClusterArgs

try:
    cfg = config.load()
    kubernetes_plan = plan(cfg, pulumi.get_stack()) if cfg.kubernetes is not None else None
    ci = pulumi.Config().get_object("ciCluster") or {}
    ci_host = config.HostConfig(name=f"ci-{pulumi.get_stack()}", cloud="aws", size=ci.get("size"))
except InputError as err:
    config.fail(err)

for warning in cfg.warnings:
    pulumi.log.warn(warning)

if cfg.swarm is not None:
    swarm = SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, pulumi.get_stack()))
    pulumi.export("swarm", swarm.swarm)

if cfg.kubernetes is not None:
    kubernetes = build_kubernetes(cfg, kubernetes_plan)
    pulumi.export("kubeconfig", kubernetes.pop("kubeconfig"))
    pulumi.export("kubernetes", kubernetes)

ci_cluster = K3sHost("ci", K3sHostArgs(host=ci_host, admin_cidrs=cfg.admin_cidrs,
                                       location=Location.from_providers(cfg.providers)))
pulumi.export("ciKubeconfig", ci_cluster.kubeconfig)
pulumi.export("ciDockerHost", ci_cluster.docker_host)
