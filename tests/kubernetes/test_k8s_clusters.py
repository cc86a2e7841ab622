"""KubernetesCluster per cloud, through the real program under the mock engine.

Each test checks what `eksctl` / `az aks create` / `gcloud container clusters create` / DOKS
would have been asked for: node count and size, identity and RBAC, network layout, and that the
kubeconfig leaves the program only as a secret and reaches the apps through one Provider.
"""

from __future__ import annotations

import base64
import ipaddress
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from dockyard.engine import Secret

ADMINS = ["198.51.100.0/24"]
K8S_PROVIDER = "pulumi:providers:kubernetes"


def only_k8s_provider(result):
    (provider,) = result.of_type(K8S_PROVIDER)
    return provider


def assert_kubeconfig_secret(result, *, user_key: str | None = None) -> dict:
    """The stack output and the Provider's input are secrets holding one kubeconfig."""
    out = result.outputs["kubeconfig"]
    assert isinstance(out, Secret), "kubeconfig output must be a secret"
    provider = only_k8s_provider(result)
    assert isinstance(provider.inputs["kubeconfig"], Secret), "the Provider's kubeconfig must stay secret"
    assert provider.inputs["kubeconfig"].value == out.value
    doc = yaml.safe_load(out.value)
    assert doc["kind"] == "Config" and doc["clusters"] and doc["users"]
    assert doc["current-context"] in {c["name"] for c in doc["contexts"]}
    if user_key:
        assert user_key in doc["users"][0]["user"]
    return doc


def assert_apps_use_the_cluster_provider(result):
    provider = only_k8s_provider(result)
    objects = [r for r in result.resources if r.type.startswith("kubernetes:")]
    assert objects, "no Kubernetes objects"
    for r in objects:
        assert r.provider == provider.urn, f"{r.type} {r.name} does not deploy through the cluster's Provider"


# --- EKS -------------------------------------------------------------------------------------


def test_eks_vpc_like_eksctl(run_kubernetes):
    r = run_kubernetes({"cluster": "eks", "apps": ["sock-shop"]}, admin_cidrs=ADMINS)
    (vpc,) = r.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "192.168.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True
    subnets = r.of_type("aws:ec2/subnet:Subnet")
    public = [s for s in subnets if s.inputs["mapPublicIpOnLaunch"]]
    private = [s for s in subnets if not s.inputs["mapPublicIpOnLaunch"]]
    assert len(public) == 3 and len(private) == 3
    # one public and one private subnet in each of three zones
    assert sorted(s.inputs["availabilityZone"] for s in public) == sorted(s.inputs["availabilityZone"] for s in private)
    assert len({s.inputs["availabilityZone"] for s in public}) == 3
    assert all(s.inputs["tags"].get("kubernetes.io/role/elb") == "1" for s in public)
    assert all(s.inputs["tags"].get("kubernetes.io/role/internal-elb") == "1" for s in private)
    nets = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in subnets]
    assert all(n.subnet_of(ipaddress.ip_network("192.168.0.0/16")) and n.prefixlen == 19 for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])
    assert all(s.inputs["vpcId"] == vpc.id for s in subnets)

    # public subnets route to the internet gateway, private ones through the one NAT gateway
    (igw,) = r.of_type("aws:ec2/internetGateway:InternetGateway")
    (nat,) = r.of_type("aws:ec2/natGateway:NatGateway")
    assert nat.inputs["subnetId"] in {s.id for s in public}
    tables = {t.id: t for t in r.of_type("aws:ec2/routeTable:RouteTable")}
    routes = {}
    for assoc in r.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        routes[assoc.inputs["subnetId"]] = tables[assoc.inputs["routeTableId"]].inputs["routes"][0]
    assert set(routes) == {s.id for s in subnets}
    for s in public:
        assert routes[s.id] == {"cidrBlock": "0.0.0.0/0", "gatewayId": igw.id}
    for s in private:
        assert routes[s.id] == {"cidrBlock": "0.0.0.0/0", "natGatewayId": nat.id}


def test_eks_cluster_node_group_and_access_entries(run_kubernetes):
    admin = "arn:aws:iam::123456789012:role/platform-admins"
    r = run_kubernetes({"cluster": "eks", "nodeCount": 3, "nodeSize": "t3.large", "version": "1.33",
                        "admins": [admin], "apps": ["sock-shop"]}, admin_cidrs=ADMINS)
    (cluster,) = r.of_type("eks:index:Cluster")
    subnets = r.of_type("aws:ec2/subnet:Subnet")
    public = {s.id for s in subnets if s.inputs["mapPublicIpOnLaunch"]}
    private = {s.id for s in subnets if not s.inputs["mapPublicIpOnLaunch"]}
    i = cluster.inputs
    assert i["vpcId"] == r.get("aws:ec2/vpc:Vpc").id
    assert set(i["publicSubnetIds"]) == public and set(i["privateSubnetIds"]) == private
    assert i["version"] == "1.33"
    assert i["skipDefaultNodeGroup"] is True, "nodes come from the managed node group only"
    assert i["nodeAssociatePublicIpAddress"] is False
    assert i["authenticationMode"] == "API", "access entries, not the aws-auth ConfigMap"
    assert i["publicAccessCidrs"] == ADMINS
    assert {"kubeconfig", "kubeconfigJson"} <= set(cluster.secret_outputs)
    assert isinstance(cluster.outputs["kubeconfigJson"], Secret)
    (entry,) = i["accessEntries"].values()
    assert entry["principalArn"] == admin
    (policy,) = entry["accessPolicies"].values()
    assert policy["policyArn"].endswith("/AmazonEKSClusterAdminPolicy")
    assert policy["accessScope"] == {"type": "cluster"}

    (group,) = r.of_type("eks:index:ManagedNodeGroup")
    g = group.inputs
    assert g["cluster"] == {"$ref": cluster.urn}
    assert g["scalingConfig"] == {"desiredSize": 3, "minSize": 3, "maxSize": 3}
    assert g["instanceTypes"] == ["t3.large"]
    assert set(g["subnetIds"]) == private, "nodes live in the private subnets"
    role = r.get("aws:iam/role:Role", "dockyard-test-nodes")
    assert g["nodeRole"] == {"$ref": role.urn}
    assert "ec2.amazonaws.com" in role.inputs["assumeRolePolicy"]
    attached = {a.inputs["policyArn"].rsplit("/", 1)[1] for a in r.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if a.parent == cluster.parent}
    assert attached == {"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"}

    doc = assert_kubeconfig_secret(r, user_key="exec")
    assert doc["users"][0]["user"]["exec"]["command"] == "aws"
    assert_apps_use_the_cluster_provider(r)


def test_eks_defaults_two_nodes_of_eksctls_size(run_kubernetes):
    r = run_kubernetes({"cluster": "eks"})
    g = r.get("eks:index:ManagedNodeGroup").inputs
    assert g["scalingConfig"]["desiredSize"] == 2
    assert g["instanceTypes"] == ["m5.large"]
    assert "accessEntries" not in r.get("eks:index:Cluster").inputs


# --- AKS -------------------------------------------------------------------------------------


def test_aks_identity_rbac_monitoring(run_kubernetes):
    r = run_kubernetes({"cluster": "aks", "nodeCount": 3, "nodeSize": "Standard_D4s_v5", "version": "1.33.3",
                        "apps": ["sock-shop"]}, admin_cidrs=ADMINS)
    (mc,) = r.of_type("azure-native:containerservice:ManagedCluster")
    i = mc.inputs
    assert i["identity"] == {"type": "SystemAssigned"}
    assert "servicePrincipalProfile" not in i
    assert i["enableRBAC"] is True
    assert i["kubernetesVersion"] == "1.33.3"
    (pool,) = i["agentPoolProfiles"]
    assert (pool["count"], pool["vmSize"], pool["mode"], pool["osType"]) == (3, "Standard_D4s_v5", "System", "Linux")
    assert i["apiServerAccessProfile"]["authorizedIPRanges"] == ADMINS
    (ws,) = r.of_type("azure-native:operationalinsights:Workspace")
    oms = i["addonProfiles"]["omsagent"]
    assert oms["enabled"] is True
    assert oms["config"]["logAnalyticsWorkspaceResourceID"] == ws.id
    assert mc.property_dependencies["addonProfiles"] == [ws.urn]
    # Container Insights with managed-identity auth needs its data collection rule on the cluster
    (dcr,) = r.of_type("azure-native:monitor:DataCollectionRule")
    assert dcr.inputs["destinations"]["logAnalytics"][0]["workspaceResourceId"] == ws.id
    (assoc,) = r.of_type("azure-native:monitor:DataCollectionRuleAssociation")
    assert assoc.inputs["resourceUri"] == mc.id
    assert assoc.inputs["dataCollectionRuleId"] == dcr.id
    (group,) = r.of_type("azure-native:resources:ResourceGroup")
    assert i["resourceGroupName"] == group.inputs["resourceGroupName"]
    assert group.inputs["location"] == "westeurope"

    assert_kubeconfig_secret(r, user_key="client-certificate-data")
    assert_apps_use_the_cluster_provider(r)


def test_aks_open_api_server_when_admin_cidrs_allow_everyone(run_kubernetes):
    r = run_kubernetes({"cluster": "aks"})
    assert "apiServerAccessProfile" not in r.get("azure-native:containerservice:ManagedCluster").inputs
    assert r.get("azure-native:containerservice:ManagedCluster").inputs["agentPoolProfiles"][0]["count"] == 2


# --- GKE -------------------------------------------------------------------------------------


def test_gke_default_pool_removed_managed_pool_workload_identity(run_kubernetes):
    r = run_kubernetes({"cluster": "gke", "region": "europe-west1-b", "nodeCount": 3, "nodeSize": "e2-standard-4",
                        "apps": ["sock-shop"]}, admin_cidrs=ADMINS)
    (cluster,) = r.of_type("gcp:container/cluster:Cluster")
    c = cluster.inputs
    assert c["removeDefaultNodePool"] is True
    assert c["initialNodeCount"] == 1
    assert c["location"] == "europe-west1-b"
    assert c["project"] == "dockyard-test"
    assert c["workloadIdentityConfig"] == {"workloadPool": "dockyard-test.svc.id.goog"}
    assert c["enableLegacyAbac"] is False, "RBAC only"
    assert c["masterAuthorizedNetworksConfig"]["cidrBlocks"][0]["cidrBlock"] == ADMINS[0]
    (pool,) = r.of_type("gcp:container/nodePool:NodePool")
    p = pool.inputs
    assert p["cluster"] == c["name"] and p["location"] == "europe-west1-b"
    assert p["nodeCount"] == 3
    assert p["nodeConfig"]["machineType"] == "e2-standard-4"
    assert p["nodeConfig"]["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert pool.property_dependencies["cluster"] == [cluster.urn]
    # nodes run as their own service account with the node role only
    (account,) = r.of_type("gcp:serviceaccount/account:Account")
    assert p["nodeConfig"]["serviceAccount"] == f"{account.inputs['accountId']}@dockyard-test.iam.gserviceaccount.com"
    (member,) = r.of_type("gcp:projects/iAMMember:IAMMember")
    assert member.inputs["role"] == "roles/container.defaultNodeServiceAccount"
    assert member.inputs["member"] == "serviceAccount:" + p["nodeConfig"]["serviceAccount"]

    doc = assert_kubeconfig_secret(r, user_key="exec")
    exec_ = doc["users"][0]["user"]["exec"]
    assert exec_["command"] == "gke-gcloud-auth-plugin"
    assert exec_["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert doc["clusters"][0]["cluster"]["server"] == "https://" + cluster.outputs["endpoint"]
    assert doc["clusters"][0]["cluster"]["certificate-authority-data"] == \
        cluster.outputs["masterAuth"]["clusterCaCertificate"]
    assert doc["current-context"] == f"gke_dockyard-test_europe-west1-b_{c['name']}"
    assert_apps_use_the_cluster_provider(r)


def test_gke_gets_its_own_vpc_native_network_never_the_default(run_kubernetes):
    # The project's default network opens 22 and 3389 to the world (GCP "pre-populated rules")
    # and may not exist: the cluster gets a custom-mode network and a subnetwork whose secondary
    # ranges hold the pods and services (VPC-native, alias IPs), in the cluster's region.
    r = run_kubernetes({"cluster": "gke", "region": "europe-west1-b"}, admin_cidrs=ADMINS)
    cluster = r.get("gcp:container/cluster:Cluster")
    (network,) = r.of_type("gcp:compute/network:Network")
    (subnet,) = r.of_type("gcp:compute/subnetwork:Subnetwork")
    assert network.inputs["autoCreateSubnetworks"] is False
    assert cluster.inputs["network"] == network.id != "default"
    assert cluster.inputs["subnetwork"] == subnet.id
    assert subnet.inputs["network"] == network.id
    assert subnet.inputs["region"] == "europe-west1"  # the zone's region
    assert cluster.inputs["networkingMode"] == "VPC_NATIVE"
    ranges = {x["rangeName"]: ipaddress.ip_network(x["ipCidrRange"]) for x in subnet.inputs["secondaryIpRanges"]}
    policy = cluster.inputs["ipAllocationPolicy"]
    assert set(ranges) == {policy["clusterSecondaryRangeName"], policy["servicesSecondaryRangeName"]}
    # Pods, services and nodes never overlap (GKE refuses overlapping ranges).
    nodes = ipaddress.ip_network(subnet.inputs["ipCidrRange"])
    all_ranges = [nodes, *ranges.values()]
    assert not any(a.overlaps(b) for i, a in enumerate(all_ranges) for b in all_ranges[i + 1:])
    assert all(n.is_private for n in all_ranges)
    # Room for GKE's defaults: a /14 of pod addresses, a /20 of services.
    assert ranges[policy["clusterSecondaryRangeName"]].prefixlen <= 14
    assert ranges[policy["servicesSecondaryRangeName"]].prefixlen <= 20
    # No firewall rule of ours opens anything on it: GKE adds the rules the cluster needs.
    assert not r.of_type("gcp:compute/firewall:Firewall")


def test_gke_authorized_networks_take_the_ipv4_admin_blocks_of_a_mixed_list(run_kubernetes):
    # Dockyard restricts managed API endpoints by IPv4 blocks only (components/kubernetes/cluster.py):
    # an IPv6 adminCidr never reaches masterAuthorizedNetworksConfig, and the stack is told.
    mixed = ["2001:db8::/32", "198.51.100.0/24", "2001:db8:5::/48", "203.0.113.0/24"]
    r = run_kubernetes({"cluster": "gke", "region": "europe-west1-b"}, admin_cidrs=mixed)
    c = r.get("gcp:container/cluster:Cluster").inputs
    blocks = [b["cidrBlock"] for b in c["masterAuthorizedNetworksConfig"]["cidrBlocks"]]
    assert blocks == ["198.51.100.0/24", "203.0.113.0/24"]
    assert any("IPv6 entries are not applied" in w for w in r.warnings)
    assert "privateClusterConfig" not in c  # nodes and endpoint public: the allow-list is the guard


def test_gke_region_defaults_to_gcp_region(run_kubernetes):
    r = run_kubernetes({"cluster": "gke"})
    assert r.get("gcp:container/cluster:Cluster").inputs["location"] == "europe-west1"
    assert "masterAuthorizedNetworksConfig" not in r.get("gcp:container/cluster:Cluster").inputs


# --- DOKS ------------------------------------------------------------------------------------


def test_doks_latest_version_from_the_invoke(run_kubernetes):
    from dockyard.mocks.kubernetes import DOKS_VERSIONS

    r = run_kubernetes({"cluster": "doks", "nodeCount": 4, "nodeSize": "s-4vcpu-8gb", "apps": ["sock-shop"]},
                       admin_cidrs=ADMINS)
    (cluster,) = r.of_type("digitalocean:index/kubernetesCluster:KubernetesCluster")
    i = cluster.inputs
    assert i["version"] == DOKS_VERSIONS[0]  # the newest the (mocked) API lists
    assert i["region"] == "nyc1"
    assert i["nodePool"]["nodeCount"] == 4 and i["nodePool"]["size"] == "s-4vcpu-8gb"
    assert "kubeConfigs" in cluster.secret_outputs
    assert isinstance(cluster.outputs["kubeConfigs"], Secret)
    assert_kubeconfig_secret(r, user_key="token")
    assert_apps_use_the_cluster_provider(r)


def test_doks_control_plane_firewall_is_opt_in_with_a_warning_either_way(run_kubernetes):
    # DigitalOcean's API reference: the control-plane firewall "is in early availability (invite
    # only)"; asking for it on an account without it fails the cluster's creation.
    off = run_kubernetes({"cluster": "doks"}, admin_cidrs=ADMINS)
    assert "controlPlaneFirewall" not in off.get("digitalocean:index/kubernetesCluster:KubernetesCluster").inputs
    assert any("controlPlaneFirewall" in w and "invite-only" in w and "anywhere" in w for w in off.warnings), \
        off.warnings
    on = run_kubernetes({"cluster": "doks", "controlPlaneFirewall": True}, admin_cidrs=ADMINS)
    assert on.get("digitalocean:index/kubernetesCluster:KubernetesCluster").inputs["controlPlaneFirewall"] == \
        {"enabled": True, "allowedAddresses": ADMINS}
    assert any("controlPlaneFirewall is on" in w and "invite-only" in w for w in on.warnings), on.warnings


def test_doks_kubeconfig_is_fetched_fresh_on_every_run(run_kubernetes):
    # The token in the kubeconfig DOKS returned at creation expires after seven days; the one the
    # provider and the output use comes from asking the API again (getKubernetesCluster) each run.
    r = run_kubernetes({"cluster": "doks", "apps": ["sock-shop"]}, admin_cidrs=ADMINS)
    cluster = r.get("digitalocean:index/kubernetesCluster:KubernetesCluster")
    at_creation = yaml.safe_load(cluster.outputs["kubeConfigs"].value[0]["rawConfig"])["users"][0]["user"]["token"]
    doc = assert_kubeconfig_secret(r, user_key="token")
    assert doc["users"][0]["user"]["token"] != at_creation
    assert doc["clusters"][0]["cluster"]["server"] == cluster.outputs["endpoint"]  # the same cluster
    assert_apps_use_the_cluster_provider(r)


def test_doks_version_prefix_picks_the_newest_patch(run_kubernetes):
    r = run_kubernetes({"cluster": "doks", "version": "1.33", "region": "ams3"})
    i = r.get("digitalocean:index/kubernetesCluster:KubernetesCluster").inputs
    assert i["version"].startswith("1.33.")
    assert i["region"] == "ams3"
    assert "controlPlaneFirewall" not in i


# --- existing --------------------------------------------------------------------------------

KUBECONFIG = textwrap.dedent("""\
    apiVersion: v1
    kind: Config
    clusters:
    - name: docker-desktop
      cluster: {server: "https://kubernetes.docker.internal:6443", certificate-authority-data: Q0E=}
    - name: prod
      cluster: {server: "https://prod.example:6443"}
    contexts:
    - name: docker-desktop
      context: {cluster: docker-desktop, user: docker-desktop}
    - name: prod
      context: {cluster: prod, user: prod-admin}
    current-context: prod
    users:
    - name: docker-desktop
      user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}
    - name: prod-admin
      user: {token: prod-token}
    """)


def test_existing_creates_nothing_and_selects_the_context(run_kubernetes):
    r = run_kubernetes({"cluster": "existing", "context": "docker-desktop", "apps": ["sock-shop"]})
    cloud = [x for x in r.resources if x.custom and not x.type.startswith(("kubernetes:", "pulumi:providers:"))]
    assert cloud == []
    provider = only_k8s_provider(r)
    assert provider.inputs == {"context": "docker-desktop"}, "the provider reads the user's kubeconfig at deploy time"
    assert isinstance(r.outputs["kubeconfig"], Secret)
    assert r.outputs["kubernetes"]["sockShop"]["url"] == "http://localhost:30001/"
    assert_apps_use_the_cluster_provider(r)


def test_existing_kubeconfig_file_is_reduced_to_the_context(run_kubernetes, tmp_path):
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    r = run_kubernetes({"cluster": "existing", "context": "docker-desktop", "kubeconfig": str(path)})
    doc = assert_kubeconfig_secret(r, user_key="client-certificate-data")
    assert [c["name"] for c in doc["contexts"]] == ["docker-desktop"]
    assert "prod-token" not in r.outputs["kubeconfig"].value, "other contexts' credentials must not leak"
    assert only_k8s_provider(r).inputs["context"] == "docker-desktop"


def test_local_stack_never_imports_a_cloud_sdk():
    code = textwrap.dedent("""
        import sys
        from components.kubernetes.cluster import KubernetesCluster
        from components.kubernetes import build, existing, sockshop, compose_app, dashboard
        from components import config
        cfg = config.validate({"kubernetes": {"cluster": "existing", "dashboard": True,
            "apps": ["sock-shop", {"name": "cluster", "compose": "apps/cluster/docker-compose.yml"}]}})
        build.plan(cfg, "local-k8s")
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in
            ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp", "pulumi_eks", "pulumi_digitalocean"))
        print(loaded)
        """)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(root), check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_unknown_cluster_kind_is_refused_by_the_component():
    from components.kubernetes.cluster import ClusterArgs, KubernetesCluster

    with pytest.raises(ValueError, match="unknown cluster type"):
        KubernetesCluster.__init__(object.__new__(KubernetesCluster), "x", ClusterArgs(cluster="openshift"))


def test_aks_kubeconfig_decoding():
    from components.kubernetes.aks import _decode

    class Creds:
        class K:
            value = base64.b64encode(b"apiVersion: v1\nkind: Config\n").decode()
        kubeconfigs = [K()]

    assert _decode(Creds()) == "apiVersion: v1\nkind: Config\n"
