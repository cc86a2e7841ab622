"""Google Kubernetes Engine: ``gcloud container clusters create`` as resources.

The cluster's default node pool is removed (it cannot be changed without recreating the
cluster) and one separately managed node pool takes its place, running as a dedicated service
account that holds only the Kubernetes Engine default-node role rather than the project's
Editor-powered default compute account. Workload identity is on (pods use IAM through
Kubernetes service accounts, and node metadata is hidden from pods). The kubeconfig authenticates
with ``gke-gcloud-auth-plugin``, as gcloud writes it since Kubernetes 1.26
(https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl).

``region`` may be a region (a regional cluster: ``nodeCount`` nodes in each of its zones, like
``gcloud --num-nodes``) or a zone (``europe-west1-b``: a zonal cluster, as in the book).

Network: the cluster gets a VPC network of its own (custom mode) and one subnetwork with two
secondary ranges, ``pods`` and ``services``, that the cluster uses for VPC-native alias IPs —
never the project's ``default`` network, whose pre-populated rules admit SSH (22) and RDP (3389)
from 0.0.0.0/0 (cloud.google.com/vpc/docs/firewalls, "Pre-populated rules in the default
network", read 2026-12-02) and which some projects (organisation policy
compute.skipDefaultNetworkCreation) do not have. A new network has no ingress rules at all; GKE
adds the ones the cluster needs. The GCP hosts and swarm do the same (components/hosts/gcp.py,
components/swarm/gcp_net.py). The ranges are GKE's own defaults in size (nodes /20, pods /14,
services /20; "VPC-native clusters", cloud.google.com/kubernetes-engine/docs/concepts/alias-ips).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import yaml

from components import quotas
from components.kubernetes.cluster import ClusterArgs, ClusterParts

NODE_ROLE = "roles/container.defaultNodeServiceAccount"
NODES_CIDR = "10.20.0.0/20"
PODS_RANGE = ("pods", "10.24.0.0/14")
SERVICES_RANGE = ("services", "10.28.0.0/20")
#: a regional cluster puts nodeCount nodes in each zone GKE picks: three by default
REGIONAL_ZONES = 3
AUTH_PLUGIN = "gke-gcloud-auth-plugin"
INSTALL_HINT = (
    "Install gke-gcloud-auth-plugin for use with kubectl by following "
    "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin"
)


def kubeconfig(project: str, location: str, name: str, endpoint: str, ca: str) -> str:
    """The kubeconfig `gcloud container clusters get-credentials` writes (exec plugin, no token)."""
    context = f"gke_{project}_{location}_{name}"
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": f"https://{endpoint}",
                                                       "certificate-authority-data": ca}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
            "users": [{"name": context, "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": AUTH_PLUGIN,
                "installHint": INSTALL_HINT,
                "provideClusterInfo": True,
            }}}],
        },
        sort_keys=False,
    )


def _ca(master_auth) -> str:
    """masterAuth's CA, whether the SDK hands back its typed object or a plain dict."""
    ca = getattr(master_auth, "cluster_ca_certificate", None)
    if ca is None and isinstance(master_auth, dict):
        ca = master_auth.get("cluster_ca_certificate") or master_auth.get("clusterCaCertificate")
    return ca


def create(component, name: str, args: ClusterArgs) -> ClusterParts:
    opts = pulumi.ResourceOptions(parent=component)
    project, location = args.project, args.region
    # Fixed names (gcloud's, and the kubeconfig context names the cluster), so each is replaced
    # delete-first: a create-first replacement would meet its own name ("alreadyExists"; names
    # are unique per project / region / location / cluster, docs/hosts.md "Replacements that work").
    fixed = pulumi.ResourceOptions(delete_before_replace=True).merge(opts)
    nodes_account = gcp.serviceaccount.Account(
        f"{name}-nodes",
        account_id=f"{name}-nodes"[:30].rstrip("-"),
        display_name=f"GKE nodes of {name}",
        project=project,
        opts=fixed,
    )
    # The email GCP assigns: <account id>@<project>.iam.gserviceaccount.com.
    email = nodes_account.account_id.apply(lambda account: f"{account}@{project}.iam.gserviceaccount.com")
    grant = gcp.projects.IAMMember(
        f"{name}-nodes-role",
        project=project,
        role=NODE_ROLE,
        member=email.apply(lambda e: f"serviceAccount:{e}"),
        opts=opts,
    )
    region = quotas.gcp_region(location)
    network = gcp.compute.Network(f"{name}-net", name=f"{name}-net", project=project, auto_create_subnetworks=False,
                                  description=f"dockyard GKE cluster {name}", opts=fixed)
    subnet = gcp.compute.Subnetwork(
        f"{name}-subnet",
        name=f"{name}-subnet",
        project=project,
        region=region,
        network=network.id,
        ip_cidr_range=NODES_CIDR,
        secondary_ip_ranges=[{"range_name": r, "ip_cidr_range": c} for r, c in (PODS_RANGE, SERVICES_RANGE)],
        private_ip_google_access=True,  # nodes reach Google APIs (image pulls from Artifact Registry)
        opts=fixed,
    )
    open_to_all = args.api_open_to_all
    cluster = gcp.container.Cluster(
        name,
        name=name,
        project=project,
        location=location,
        remove_default_node_pool=True,
        initial_node_count=1,
        min_master_version=args.version,
        release_channel={"channel": "REGULAR"},
        network=network.id,
        subnetwork=subnet.id,
        networking_mode="VPC_NATIVE",
        ip_allocation_policy={"cluster_secondary_range_name": PODS_RANGE[0],
                              "services_secondary_range_name": SERVICES_RANGE[0]},
        workload_identity_config={"workload_pool": f"{project}.svc.id.goog"},
        master_authorized_networks_config=None if open_to_all else {
            "cidr_blocks": [{"cidr_block": c, "display_name": "dockyard adminCidrs"} for c in args.api_cidrs],
        },
        enable_shielded_nodes=True,
        enable_legacy_abac=False,  # authorization by Kubernetes RBAC only
        resource_labels={"dockyard-cluster": name, **args.tags},
        # Deleting the stack deletes the cluster, as `gcloud container clusters delete` would.
        deletion_protection=False,
        opts=fixed,
    )
    gcp.container.NodePool(
        f"{name}-pool",
        name=f"{name}-pool",
        project=project,
        cluster=cluster.name,
        location=cluster.location,
        node_count=args.node_count,
        node_config={
            "machine_type": args.size,
            "service_account": email,
            "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            "workload_metadata_config": {"mode": "GKE_METADATA"},
            "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
            "labels": {"dockyard-pool": "default"},
        },
        management={"auto_repair": True, "auto_upgrade": True},
        # Delete-first, not a suffixed pool created beside the old one: the pool's replacing
        # nodeConfig fields are not tabulated (dockyard/replacements.py), so a name hashed from its
        # replacing inputs could miss a change and collide anyway. GKE cordons and drains the old
        # pool's nodes before deleting them (https://cloud.google.com/kubernetes-engine/docs/how-to/
        # node-pools#deleting_a_node_pool, cited 2026-12-03, not fetched offline); the apps are down until the new pool's
        # nodes are ready.
        opts=pulumi.ResourceOptions(depends_on=[grant]).merge(fixed),
    )
    # Each node has an ephemeral external IPv4 address (the cluster is not private).
    nodes = args.node_count * (1 if region != location else REGIONAL_ZONES)
    quotas.count("gcp.in_use_addresses", f"{name} nodes", nodes, region=region)
    config = pulumi.Output.all(cluster.endpoint, cluster.master_auth).apply(
        lambda v: kubeconfig(project, location, name, v[0], _ca(v[1]))
    )
    return ClusterParts(
        kubeconfig=config,
        node_address="<node-address>",
        outputs={"clusterName": cluster.name, "endpoint": cluster.endpoint, "network": network.name},
    )
