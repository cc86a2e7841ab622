"""Mock values for Kubernetes clusters (EKS, AKS, GKE, DOKS) and the objects deployed to them.

Kubeconfigs are shaped like the real ones each cloud hands out (exec plugins for EKS and GKE,
a client certificate for AKS, a token for DOKS) with obviously fake credentials; LoadBalancer
Services get an ingress address as the cloud controller would assign.
"""

from __future__ import annotations

import base64
import json
import re

import yaml

from dockyard.mocks.hosts import az_size_offered
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
        "clusterUrn": f"do:kubernetes:{cid}",
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
    for pool in inputs.get("agentPoolProfiles") or []:
        az_size_offered(ctx, pool.get("vmSize") if isinstance(pool, dict) else None, location)
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


# The API server's create-time checks and the fields it fills in (Kubernetes API conventions and
# "Object Names and IDs", read 2026-12-02): names are DNS-1123 subdomains, Namespaces RFC 1123
# labels, Services RFC 1035 labels; uid, resourceVersion, generation and creationTimestamp are the
# server's. pulumi-kubernetes names an object without metadata.name "<logical name>-<8 hex>"
# (provider/pkg/metadata/naming.go, NewUniqueHex).
_LABEL_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?\Z")
_CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}


def _k8s_name_error(kind: str, name: str) -> str | None:
    if kind == "Service":
        ok, rule = len(name) <= 63 and _LABEL_1035.match(name), "an RFC 1035 label (a-z, 0-9, '-', 63 at most, starting with a letter)"
    elif kind == "Namespace":
        ok, rule = len(name) <= 63 and _LABEL_1123.match(name), "an RFC 1123 label (a-z, 0-9, '-', 63 at most)"
    else:
        ok = len(name) <= 253 and all(_LABEL_1123.match(p) for p in name.split("."))
        rule = "a DNS-1123 subdomain (a-z, 0-9, '-', '.', 253 at most)"
    return None if ok else f"metadata.name {name!r} must be {rule}"


def _k8s_object(ctx, inputs) -> dict:
    kind = inputs.get("kind") or ctx.type.rsplit(":", 1)[-1]
    meta = dict(inputs.get("metadata") or {})
    meta.setdefault("name", f"{ctx.name}-{ctx.hex(8, 'autoname')}")
    problem = _k8s_name_error(kind, meta["name"])
    if problem:
        raise ctx.refuse(f"{kind} is invalid: {problem}")
    if kind not in _CLUSTER_SCOPED:
        meta.setdefault("namespace", "default")
    meta.update(uid=_guid(ctx, "uid"), resourceVersion=str(1000 + ctx.number(10 ** 6, "rv")), generation=1,
                creationTimestamp="2026-01-01T00:00:00Z")
    return {"metadata": meta}


@resource_outputs("kubernetes:core/v1:Service")
def _service(ctx, inputs):
    spec = dict(inputs.get("spec") or {})
    spec.setdefault("type", "ClusterIP")
    if spec.get("clusterIP") != "None":
        spec.setdefault("clusterIP", f"10.96.{ctx.number(250, 'c1')}.{2 + ctx.number(250, 'c2')}")
        spec["clusterIPs"] = [spec["clusterIP"]]
    ports = []
    for i, port in enumerate(spec.get("ports") or []):
        port = {"protocol": "TCP", **port}
        port.setdefault("targetPort", port.get("port"))
        if spec["type"] in ("NodePort", "LoadBalancer") and not port.get("nodePort"):
            port["nodePort"] = 30000 + ctx.number(2768, f"nodeport{i}")  # the default 30000-32767 range
        ports.append(port)
    if ports:
        spec["ports"] = ports
    status: dict = {"loadBalancer": {}}
    if spec.get("type") == "LoadBalancer":
        status = {"loadBalancer": {"ingress": [{"ip": ctx.public_ip()}]}}
    return {**_k8s_object(ctx, inputs), "spec": spec, "status": status}


@resource_outputs("kubernetes:core/v1:Namespace")
def _namespace(ctx, inputs):
    return {**_k8s_object(ctx, inputs), "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


@resource_outputs("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")
def _workload(ctx, inputs):
    # pulumi-kubernetes waits for the rollout: on success every replica is ready and updated.
    spec = dict(inputs.get("spec") or {})
    replicas = spec.setdefault("replicas", 1)
    status = {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
              "updatedReplicas": replicas, "availableReplicas": replicas}
    if ctx.type.endswith(":StatefulSet"):
        status.pop("availableReplicas")
        status["currentReplicas"] = replicas
    return {**_k8s_object(ctx, inputs), "spec": spec, "status": status}


@resource_outputs("kubernetes:apps/v1:DaemonSet")
def _daemon_set(ctx, inputs):
    status = {"observedGeneration": 1, "currentNumberScheduled": 2, "desiredNumberScheduled": 2,
              "numberReady": 2, "numberMisscheduled": 0, "updatedNumberScheduled": 2, "numberAvailable": 2}
    return {**_k8s_object(ctx, inputs), "status": status}


@resource_outputs("kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret",
                  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
                  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
                  "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                  "kubernetes:networking.k8s.io/v1:NetworkPolicy")
def _plain_object(ctx, inputs):
    """Objects with no status: the server fills in metadata only."""
    return _k8s_object(ctx, inputs)


@resource_outputs("kubernetes:core/v1:Pod")
def _pod(ctx, inputs):
    # The provider waits for the Pod to be ready: scheduled, an IP from the pod network.
    return {**_k8s_object(ctx, inputs), "status": {
        "phase": "Running", "podIP": f"10.244.{ctx.number(250, 'p1')}.{2 + ctx.number(250, 'p2')}",
        "conditions": [{"type": "Ready", "status": "True"}]}}


@resource_outputs("kubernetes:batch/v1:Job")
def _job(ctx, inputs):
    # The provider waits for a Job to complete.
    spec = dict(inputs.get("spec") or {})
    completions = spec.get("completions") or 1
    return {**_k8s_object(ctx, inputs), "status": {"succeeded": completions, "active": 0,
                                                   "startTime": "2026-01-01T00:00:00Z",
                                                   "completionTime": "2026-01-01T00:01:00Z"}}


@resource_outputs("kubernetes:batch/v1:CronJob")
def _cron_job(ctx, inputs):
    return {**_k8s_object(ctx, inputs), "status": {}}


@resource_outputs("kubernetes:policy/v1:PodDisruptionBudget")
def _pdb(ctx, inputs):
    return {**_k8s_object(ctx, inputs), "status": {"observedGeneration": 1, "currentHealthy": 0,
                                                   "desiredHealthy": 0, "disruptionsAllowed": 0,
                                                   "expectedPods": 0}}


@resource_outputs("kubernetes:core/v1:PersistentVolumeClaim")
def _pvc(ctx, inputs):
    spec = dict(inputs.get("spec") or {})
    spec.setdefault("volumeName", f"pvc-{_guid(ctx, 'pv')}")
    return {**_k8s_object(ctx, inputs), "spec": spec,
            "status": {"phase": "Bound", "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                       "capacity": (spec.get("resources") or {}).get("requests") or {}}}


@resource_outputs("kubernetes:networking.k8s.io/v1:Ingress")
def _ingress(ctx, inputs):
    return {**_k8s_object(ctx, inputs), "status": {"loadBalancer": {"ingress": [{"ip": ctx.public_ip()}]}}}


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


@resource_outputs("eks:index:ManagedNodeGroup")
def _eks_node_group(ctx, inputs):
    # pulumi_eks registers one remote component whose output `nodeGroup` is a reference to the
    # aws.eks.NodeGroup it creates inside the eks provider; Dockyard reads none of it, and an offline
    # engine cannot hand out a reference to a resource it never registered: nothing computed here.
    if not inputs.get("cluster") and not inputs.get("clusterName"):
        raise ctx.refuse("a managed node group needs its cluster")
    return {}


@resource_outputs("azure-native:monitor:DataCollectionRuleAssociation")
def _dcr_association(ctx, inputs):
    # An extension resource of the associated resource (ARM: <resourceUri>/providers/...).
    name = inputs.get("associationName") or f"{ctx.name}{ctx.hex(8, 'name')}"
    if not inputs.get("dataCollectionRuleId") and not inputs.get("dataCollectionEndpointId"):
        raise ctx.refuse("a data collection rule association needs a rule or an endpoint")
    return {"id": f"{inputs.get('resourceUri')}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}",
            "name": name, "type": "Microsoft.Insights/dataCollectionRuleAssociations",
            "etag": f'"{ctx.hex(8, "etag")}-0000-0000-0000-{ctx.hex(12, "etag2")}"', "provisioningState": "Succeeded"}
