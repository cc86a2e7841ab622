"""DigitalOcean Kubernetes (DOKS): ``doctl kubernetes cluster create`` as a resource.

The version is the newest DOKS offers (the getKubernetesVersions invoke), or the newest patch of
the configured ``version`` prefix (``1.33``).

Control-plane firewall (admit adminCidrs only): opt-in, ``kubernetes.controlPlaneFirewall``, off
by default. DigitalOcean's API reference says it "is in early availability (invite only)"
(Kubernetes cluster object, control_plane_firewall; read 2026-12-02): on an account without the
invitation, creating a cluster that asks for it fails, so asking by default would break the
first `pulumi up` on many accounts. Off, the API is reachable from anywhere (it still needs the
cluster's token); on, the account must have the feature. Either way the program warns.

Kubeconfig: the one DOKS hands out carries a token that expires after seven days, and the one
the KubernetesCluster resource keeps in state is the one from creation, so a week later every
Kubernetes resource fails with 401. The credentials are fetched fresh on every run instead, with
the getKubernetesCluster invoke (DigitalOcean issues a new token each time it is asked). Chosen
over a token-less kubeconfig with an exec plugin (``doctl kubernetes cluster kubeconfig
exec-credential``) because that needs doctl installed and logged in wherever `pulumi up` runs and
wherever the kubeconfig output is used, while the invoke needs only DIGITALOCEAN_TOKEN, which the
stack already requires. The ``kubeconfig`` output is therefore valid for seven days after the
last `pulumi up` (or `pulumi refresh`); it stays a secret.
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
    firewall = args.control_plane_firewall and not open_to_all
    if args.control_plane_firewall:
        pulumi.log.warn(
            f"{name}: kubernetes.controlPlaneFirewall is on: DigitalOcean's DOKS control-plane firewall is "
            "invite-only (early availability); on an account without it, creating the cluster fails. "
            + ("The API admits adminCidrs only." if firewall else
               "adminCidrs include 0.0.0.0/0, so no firewall is set."))
    else:
        pulumi.log.warn(
            f"{name}: the DOKS API is reachable from anywhere (authenticated by the cluster's token): "
            "kubernetes.controlPlaneFirewall is off by default because DigitalOcean's control-plane firewall is "
            "invite-only; set it to true if your account has it, to admit adminCidrs only")
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
        control_plane_firewall={"enabled": True, "allowed_addresses": args.api_cidrs} if firewall else None,
        tags=["dockyard", *(f"{k}:{v}" for k, v in sorted(args.tags.items()))],
        # A cluster name is unique in the account (the kubeconfig context names it): replaced
        # delete-first, or the new cluster would be refused under the old one's name.
        opts=pulumi.ResourceOptions(additional_secret_outputs=["kubeConfigs"], delete_before_replace=True).merge(child),
    )
    # Fresh credentials on every run (module docstring). ``cluster.name`` carries the dependency
    # on the cluster: an output-form invoke waits for it, and in a preview of the cluster's
    # creation it is not run at all (an unknown result), so it never asks for a missing cluster.
    current = do.get_kubernetes_cluster_output(name=cluster.name, opts=pulumi.InvokeOutputOptions(parent=component))
    kubeconfig = pulumi.Output.secret(current.kube_configs.apply(lambda cfgs: cfgs[0].raw_config if cfgs else None))
    return ClusterParts(
        kubeconfig=kubeconfig,
        node_address="<node-address>",
        outputs={"clusterName": cluster.name, "endpoint": cluster.endpoint, "version": cluster.version},
    )
