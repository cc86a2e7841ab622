"""AKS inputs against Azure's limits.

Expected values: AKS names the node resource group ``MC_<resource group>_<cluster>_<location>``
and refuses one longer than 80 characters ("The length of the node resource group name is too
long. The maximum length is 80", https://aka.ms/aks-naming-rules); dnsPrefix is 1-54 characters,
alphanumerics and hyphens, starting and ending with an alphanumeric; managedClusters names are
1-63 characters (Microsoft Learn, "Naming rules and restrictions for Azure resources").
"""

from __future__ import annotations

import re

MC = "azure-native:containerservice:ManagedCluster"
DNS_PREFIX = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,52}[A-Za-z0-9])?$")


def node_resource_group_name(inputs: dict, location: str) -> str:
    return inputs.get("nodeResourceGroup") or (
        f"MC_{inputs['resourceGroupName']}_{inputs['resourceName']}_{location}")


def test_node_resource_group_fits_with_a_long_stack_name_and_region(run_kubernetes):
    location = "southcentralus"  # an Azure region with a long name
    r = run_kubernetes({"cluster": "aks", "region": location}, stack="staging-environment-one")
    i = r.get(MC).inputs
    assert i["location"] == location
    assert len(node_resource_group_name(i, location)) <= 80
    assert 1 <= len(i["resourceName"]) <= 63
    assert DNS_PREFIX.match(i["dnsPrefix"])


def test_short_names_keep_the_default_node_resource_group(run_kubernetes):
    # nodeResourceGroup is fixed at creation: a cluster that always fitted must not be replaced.
    r = run_kubernetes({"cluster": "aks"}, stack="azure-dev")
    i = r.get(MC).inputs
    assert "nodeResourceGroup" not in i
    assert len(node_resource_group_name(i, "westeurope")) <= 80


def test_insights_association_names_the_rule_by_arm_id(run_kubernetes):
    r = run_kubernetes({"cluster": "aks"})
    (assoc,) = r.of_type("azure-native:monitor:DataCollectionRuleAssociation")
    rule_id = assoc.inputs["dataCollectionRuleId"]
    assert re.match(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Insights/"
                    r"dataCollectionRules/[^/]+$", rule_id, re.IGNORECASE), rule_id
