"""DigitalOcean Kubernetes (DOKS): ``doctl kubernetes cluster create`` as a resource.

The version is the newest DOKS offers (the getKubernetesVersions invoke), or the newest patch of
the configured ``version`` prefix (``1.33``). The control-plane firewall admits adminCidrs only.
DigitalOcean's kubeconfig carries a token that expires after seven days: `pulumi refresh`
renews it.
"""

from __future__ import annotations

import pulumi
import pulumi_digitalocean as do

from components.kubernetes.cluster import ClusterArgs, ClusterParts

DEFAULT_REGION = "nyc1"


def create(component, name: str, args: ClusterArgs) -> ClusterParts:
    child = pulumi.ResourceOptions(parent=component)
    versions = do.get_kubernetes_versions_output(
        version_prefix=args.version, opts=pulumi.InvokeOutputOptions(parent=component)
    )
    open_to_all = args.api_open_to_all
    cluster = do.KubernetesCluster(
        name,
        name=name,
        region=args.region or DEFAULT_REGION,
        version=versions.latest_version,
        # Patch upgrades in the maintenance window, one surge node at a time.
        auto_upgrade=True,
        surge_upgrade=True,
        maintenance_policy={"day": "sunday", "start_time": "04:00"},
        node_pool={
            "name": f"{name}-pool",
            "size": args.size,
            "node_count": args.node_count,
            "labels": {"dockyard/pool": "default"},
        },
        control_plane_firewall=None if open_to_all else {"enabled": True, "allowed_addresses": args.api_cidrs},
        tags=["dockyard", *(f"{k}:{v}" for k, v in sorted(args.tags.items()))],
        opts=pulumi.ResourceOptions(additional_secret_outputs=["kubeConfigs"]).merge(child),
    )
    kubeconfig = cluster.kube_configs.apply(lambda cfgs: cfgs[0].raw_config if cfgs else None)
    return ClusterParts(
        kubeconfig=kubeconfig,
        node_address="<node-address>",
        outputs={"clusterName": cluster.name, "endpoint": cluster.endpoint, "version": cluster.version},
    )
