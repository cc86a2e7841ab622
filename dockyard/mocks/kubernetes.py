"""Mock values for Kubernetes clusters (EKS, AKS, GKE, DOKS) and the objects deployed to them.

Kubeconfigs are shaped like the real ones each cloud hands out (exec plugins for EKS and GKE,
a client certificate for AKS, a token for DOKS) with obviously fake credentials; LoadBalancer
Services get an ingress address as the cloud controller would assign.
"""

from __future__ import annotations

import base64
import json

import yaml

from dockyard.mocks.registry import MockContext, invoke, resource_outputs

_SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"
_FAKE_CA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMOCK-CA\n-----END CERTIFICATE-----\n").decode()


def kubeconfig(name: str, server: str, user: dict) -> str:
    """A one-context kubeconfig document."""
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": _FAKE_CA}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [{"name": name, "user": user}],
        },
        sort_keys=False,
    )


# --- DigitalOcean -----------------------------------------------------------------------------

DOKS_VERSIONS = ["1.34.1-do.0", "1.33.5-do.0", "1.32.9-do.0"]


@invoke("digitalocean:index/getKubernetesVersions:getKubernetesVersions")
def _doks_versions(ctx, args):
    prefix = args.get("versionPrefix") or ""
    valid = [v for v in DOKS_VERSIONS if v.startswith(prefix)]
    return {"id": "versions", "latestVersion": valid[0] if valid else None, "validVersions": valid,
            "versionPrefix": args.get("versionPrefix")}


def _doks_id(name: str) -> str:
    """A cluster's id, from its name (unique in an account), so the resource and the
    getKubernetesCluster invoke describe the same cluster."""
    key = MockContext("doks|" + name)
    return f"{key.hex(8)}-{key.hex(4, 'a')}-{key.hex(4, 'b')}-{key.hex(4, 'c')}-{key.hex(12, 'd')}"


@resource_outputs("digitalocean:index/kubernetesCluster:KubernetesCluster")
def _doks(ctx, inputs):
    name = inputs.get("name", ctx.name)
    cid = _doks_id(name)
    endpoint = f"https://{cid}.k8s.ondigitalocean.com"
    raw = kubeconfig(f"do-{inputs.get('region', 'nyc1')}-{name}", endpoint,
                     {"token": "dop_v1_mock" + ctx.hex(40, "token")})
    pool = dict(inputs.get("nodePool") or {})
    pool.setdefault("id", ctx.hex(8, "pool"))
    pool["actualNodeCount"] = pool.get("nodeCount")
    return {
        "id": cid,
        "endpoint": endpoint,
        "ipv4Address": ctx.public_ip(),
        "status": "running",
        "clusterSubnet": "10.244.0.0/16",
        "serviceSubnet": "10.245.0.0/16",
        "urn": f"do:kubernetes:{cid}",
        "nodePool": pool,
        "kubeConfigs": [{"rawConfig": raw, "host": endpoint, "token": "dop_v1_mock" + ctx.hex(40, "token"),
                         "clusterCaCertificate": _FAKE_CA, "expiresAt": "2030-01-01T00:00:00Z"}],
    }


@invoke("digitalocean:index/getKubernetesCluster:getKubernetesCluster")
def _doks_now(ctx, args):
    # What the API answers when asked for the cluster now: DigitalOcean issues a new token (valid
    # for seven days) each time, so it differs from the one the cluster was created with. The
    # region is not in the invoke's arguments; DOKS kubeconfigs name it in the context only.
    name = args["name"]
    cid = _doks_id(name)
    endpoint = f"https://{cid}.k8s.ondigitalocean.com"
    token = "dop_v1_mock" + ctx.hex(40, "fresh-token")
    raw = kubeconfig(f"do-{name}", endpoint, {"token": token})
    return {"id": cid, "name": name, "endpoint": endpoint, "status": "running", "urn": f"do:kubernetes:{cid}",
            "kubeConfigs": [{"rawConfig": raw, "host": endpoint, "token": token,
                             "clusterCaCertificate": _FAKE_CA, "expiresAt": "2030-01-08T00:00:00Z"}]}


# --- AWS EKS (pulumi_eks registers one remote component; its outputs are mocked here) ----------


@resource_outputs("eks:index:Cluster")
def _eks(ctx, inputs):
    name = inputs.get("name") or ctx.name
    endpoint = f"https://{ctx.hex(32).upper()}.gr7.{ctx.region}.eks.amazonaws.com"
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubernetes", "cluster": {"server": endpoint, "certificate-authority-data": _FAKE_CA}}],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "current-context": "aws",
        "users": [{"name": "aws", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", name, "--output", "json"],
            "env": None,
        }}}],
    }
    return {
        "kubeconfig": doc,
        "kubeconfigJson": json.dumps(doc),
        "clusterSecurityGroupId": "sg-" + ctx.hex(17, "csg"),
        "nodeSecurityGroupId": "sg-" + ctx.hex(17, "nsg"),
        "oidcProviderArn": ctx.arn("iam", f"oidc-provider/oidc.eks.{ctx.region}.amazonaws.com/id/{ctx.hex(32).upper()}"),
        "oidcIssuer": f"oidc.eks.{ctx.region}.amazonaws.com/id/{ctx.hex(32).upper()}",
    }


# --- Azure AKS -------------------------------------------------------------------------------


@resource_outputs("azure-native:containerservice:ManagedCluster")
def _aks(ctx, inputs):
    prefix = inputs.get("dnsPrefix") or ctx.name
    location = inputs.get("location") or "westeurope"
    identity = dict(inputs.get("identity") or {})
    if identity.get("type") == "SystemAssigned":
        identity.update(principalId=_guid(ctx, "principal"), tenantId=_guid(ctx, "tenant"))
    name = inputs.get("resourceName") or f"{ctx.name}{ctx.hex(8, 'name')}"
    group = inputs.get("resourceGroupName", "rg")
    return {
        "name": name,
        "id": f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{group}/providers/"
              f"Microsoft.ContainerService/managedClusters/{name}",
        "fqdn": f"{prefix}-{ctx.hex(8)}.hcp.{location}.azmk8s.io",
        "identity": identity,
        "currentKubernetesVersion": inputs.get("kubernetesVersion") or "1.33.3",
        "provisioningState": "Succeeded",
        "nodeResourceGroup": f"MC_{inputs.get('resourceGroupName', 'rg')}_{ctx.name}_{location}",
        "azurePortalFQDN": f"{prefix}-{ctx.hex(8)}.portal.hcp.{location}.azmk8s.io",
    }


@resource_outputs("azure-native:operationalinsights:Workspace")
def _workspace(ctx, inputs):
    name = inputs.get("workspaceName") or f"{ctx.name}{ctx.hex(8, 'name')}"
    group = inputs.get("resourceGroupName", "rg")
    return {"name": name, "customerId": _guid(ctx, "customer"), "provisioningState": "Succeeded",
            "id": f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{group}/providers/"
                  f"Microsoft.OperationalInsights/workspaces/{name}"}


@resource_outputs("azure-native:monitor:DataCollectionRule")
def _data_collection_rule(ctx, inputs):
    # An ARM id, as the association's dataCollectionRuleId needs (the engine's default id is not one).
    name = inputs.get("dataCollectionRuleName") or f"{ctx.name}{ctx.hex(8, 'name')}"
    group = inputs.get("resourceGroupName", "rg")
    return {"name": name, "immutableId": "dcr-" + ctx.hex(32, "immutable"), "provisioningState": "Succeeded",
            "id": f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{group}/providers/"
                  f"Microsoft.Insights/dataCollectionRules/{name}"}


@invoke("azure-native:containerservice:listManagedClusterUserCredentials")
def _aks_credentials(ctx, args):
    cluster = args.get("resourceName", "aks")
    server = f"https://{cluster}-{ctx.hex(8)}.hcp.westeurope.azmk8s.io:443"
    doc = kubeconfig(cluster, server, {
        "client-certificate-data": base64.b64encode(b"MOCK-CLIENT-CERT").decode(),
        "client-key-data": base64.b64encode(b"MOCK-CLIENT-KEY").decode(),
        "token": ctx.hex(64, "token"),
    })
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(doc.encode()).decode()}]}


def _guid(ctx, salt: str) -> str:
    h = ctx.hex(32, salt)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --- Google GKE ------------------------------------------------------------------------------


@resource_outputs("gcp:container/cluster:Cluster")
def _gke(ctx, inputs):
    master = dict(inputs.get("masterAuth") or {})
    master["clusterCaCertificate"] = _FAKE_CA
    return {
        "endpoint": f"34.{ctx.number(250, 'e1')}.{ctx.number(250, 'e2')}.{ctx.number(250, 'e3')}",
        "masterAuth": master,
        "masterVersion": inputs.get("minMasterVersion") or "1.33.5-gke.1201000",
        "selfLink": f"https://container.googleapis.com/v1/projects/{inputs.get('project', 'project')}/"
                    f"locations/{inputs.get('location')}/clusters/{inputs.get('name', ctx.name)}",
        "operation": None,
    }


# --- Kubernetes objects ----------------------------------------------------------------------


@resource_outputs("kubernetes:core/v1:Service")
def _service(ctx, inputs):
    spec = dict(inputs.get("spec") or {})
    spec.setdefault("clusterIP", f"10.96.{ctx.number(250, 'c1')}.{2 + ctx.number(250, 'c2')}")
    status: dict = {"loadBalancer": {}}
    if spec.get("type") == "LoadBalancer":
        status = {"loadBalancer": {"ingress": [{"ip": ctx.public_ip()}]}}
    return {"spec": spec, "status": status}


@resource_outputs("kubernetes:helm.sh/v3:Release")
def _helm_release(ctx, inputs):
    return {"status": {"name": inputs.get("name"), "namespace": inputs.get("namespace"),
                       "chart": inputs.get("chart"), "version": inputs.get("version"),
                       "status": "deployed", "revision": 1}}


# --- AWS invokes the EKS VPC reads -------------------------------------------------------------


@invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def _zones(ctx, args):
    from dockyard.mocks.hosts import aws_zones

    region = args.get("region") or ctx.region
    skip_ids, skip_names = set(args.get("excludeZoneIds") or []), set(args.get("excludeNames") or [])
    zones = {n: i for n, i in aws_zones(region).items() if i not in skip_ids and n not in skip_names}
    return {"id": region, "names": list(zones), "zoneIds": list(zones.values()),
            "groupNames": [region] * len(zones), "state": args.get("state")}
