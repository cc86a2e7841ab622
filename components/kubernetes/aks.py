"""Azure Kubernetes Service: ``az aks create --enable-addons monitoring`` as resources.

A resource group, a Log Analytics workspace, and a managed cluster with a system-assigned
identity (no service principal secret to rotate), Kubernetes RBAC, one system node pool of
``nodeCount`` VMs and the monitoring add-on (Container Insights) authenticating with that managed
identity; the data collection rule and its association are what ``az aks create`` adds for that
mode (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable).
The API server admits adminCidrs only.
"""

from __future__ import annotations

import base64

import pulumi
import pulumi_azure_native as azure

from components import quotas
from components.kubernetes.cluster import ClusterArgs, ClusterParts

INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default"
# AKS puts the nodes in a resource group it names MC_<group>_<cluster>_<location> and refuses a
# cluster whose node resource group name is longer than 80 characters ("The length of the node
# resource group name is too long. The maximum length is 80", https://aka.ms/aks-naming-rules).
NODE_RESOURCE_GROUP_MAX = 80


def node_resource_group(name: str, group: str, location: str | None) -> str | None:
    """A name for the node resource group when AKS's default would be too long, else None (the
    default; nodeResourceGroup is fixed at creation, so clusters that fit keep theirs)."""
    if location and len(f"MC_{group}_{name}_{location}") > NODE_RESOURCE_GROUP_MAX:
        return f"{name}-nodes"
    return None


def _decode(creds) -> str | None:
    kubeconfigs = creds.kubeconfigs or []
    return base64.b64decode(kubeconfigs[0].value).decode() if kubeconfigs else None


def create(component, name: str, args: ClusterArgs) -> ClusterParts:
    opts = pulumi.ResourceOptions(parent=component)
    location = args.region
    tags = {"dockyard-cluster": name, **args.tags}
    vcpus = quotas.azure_vcpus(args.size)
    if vcpus is not None:
        quotas.count("azure.regional_vcpus", f"{name} nodes", args.node_count * vcpus, region=location)
    # Fixed names, as `az group create -n` / `az aks create -n` give: the kubeconfig names them.
    group_name = f"{name}-rg"
    # Both are replaced delete-first: a create-first replacement would meet its own fixed name
    # (unique per subscription / resource group). Only a location change replaces the group, and
    # that replaces everything in it anyway.
    fixed = pulumi.ResourceOptions(delete_before_replace=True).merge(opts)
    group = azure.resources.ResourceGroup(f"{name}-rg", resource_group_name=group_name, location=location,
                                          tags=tags, opts=fixed)
    workspace = azure.operationalinsights.Workspace(
        f"{name}-logs",
        resource_group_name=group.name,
        location=group.location,
        sku={"name": "PerGB2018"},
        retention_in_days=30,
        tags=tags,
        opts=opts,
    )
    open_to_all = args.api_open_to_all
    cluster = azure.containerservice.ManagedCluster(
        name,
        resource_name_=name,
        resource_group_name=group.name,
        location=group.location,
        dns_prefix=name,
        node_resource_group=node_resource_group(name, group_name, location),
        kubernetes_version=args.version,
        identity={"type": "SystemAssigned"},
        enable_rbac=True,
        sku={"name": "Base", "tier": "Free"},
        agent_pool_profiles=[{
            "name": "system",
            "mode": "System",
            "count": args.node_count,
            "vm_size": args.size,
            "os_type": "Linux",
            "type": "VirtualMachineScaleSets",
        }],
        network_profile={"network_plugin": "azure", "network_plugin_mode": "overlay",
                         "load_balancer_sku": "standard"},
        addon_profiles={
            "omsagent": {
                "enabled": True,
                "config": {"logAnalyticsWorkspaceResourceID": workspace.id, "useAADAuth": "true"},
            },
        },
        api_server_access_profile=None if open_to_all else {"authorized_ip_ranges": args.api_cidrs},
        tags=tags,
        opts=fixed,
    )
    rule = azure.monitor.DataCollectionRule(
        f"{name}-insights",
        resource_group_name=group.name,
        location=group.location,
        kind="Linux",
        data_sources={"extensions": [{
            "name": "ContainerInsightsExtension",
            "extension_name": "ContainerInsights",
            "streams": [INSIGHTS_STREAM],
            "extension_settings": {"dataCollectionSettings": {"interval": "1m", "namespaceFilteringMode": "Off",
                                                              "enableContainerLogV2": True}},
        }]},
        destinations={"log_analytics": [{"name": "ciworkspace", "workspace_resource_id": workspace.id}]},
        data_flows=[{"streams": [INSIGHTS_STREAM], "destinations": ["ciworkspace"]}],
        tags=tags,
        opts=opts,
    )
    azure.monitor.DataCollectionRuleAssociation(
        f"{name}-insights",
        association_name="ContainerInsightsExtension",
        data_collection_rule_id=rule.id,
        resource_uri=cluster.id,
        opts=opts,
    )
    creds = azure.containerservice.list_managed_cluster_user_credentials_output(
        resource_group_name=group.name,
        resource_name=cluster.name,
        opts=pulumi.InvokeOutputOptions(parent=component),
    )
    return ClusterParts(
        kubeconfig=creds.apply(_decode),
        node_address="<node-address>",
        outputs={"clusterName": cluster.name, "resourceGroup": group.name, "fqdn": cluster.fqdn},
    )
