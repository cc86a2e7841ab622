"""Which input changes replace a resource instead of updating it in place, per resource type.

`dockyard diff` reads this table to say "update in place" or "replace (ami)" the way `pulumi
preview` does (docs/preview.md §Diff). The facts come from the providers, never from our mocks:

* native providers mark such inputs in their schema (`willReplaceOnChanges` /
  `replaceOnChanges`), and the Pulumi registry's API pages print them as "Changes to this property
  will trigger replacement."; pulumi-kubernetes decides in its own Diff (provider/pkg/provider/diff.go);
* bridged providers (aws, gcp, digitalocean, tls, docker, random) replace where the upstream
  Terraform schema says ``ForceNew: true`` (SDKv2) or ``RequiresReplace()`` (plugin framework).

Paths are the preview JSON's input keys joined by dots (``rootBlockDevice.volumeSize``); list
indices are left out, so a path covers every element of a list on its way. A change at or below
a path replaces. A type with no row is reported as "replacement unknown", never as in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """One resource type: the input paths whose change replaces it, and where that was read."""

    type: str
    replace: tuple[str, ...]
    source: str  # the page or file read (URL, pinned to a commit where it is source code)
    read: str  # the date it was read, YYYY-MM-DD
    #: path -> input that must be true in the new inputs for a change at path to replace
    when: dict[str, str] = field(default_factory=dict)
    #: path -> the condition, decided by the provider at run time, under which it replaces
    maybe: dict[str, str] = field(default_factory=dict)


# --- sources (each read on the date given in the rows that cite it) ------------------------------

_K8S = ("https://github.com/pulumi/pulumi-kubernetes/blob/94977969d64112b04e19945818a7d5d5f38f631d/"
        "provider/pkg/provider/diff.go")
_K8S_PROVIDER = ("https://github.com/pulumi/pulumi-kubernetes/blob/94977969d64112b04e19945818a7d5d5f38f631d/"
                 "provider/pkg/provider/provider.go (DiffConfig)")
_COMMAND = ("https://github.com/pulumi/pulumi-command/blob/010bd8e0dd8a2f13707aa3b5061739edd90790a5/"
            "provider/cmd/pulumi-resource-command/schema.json (replaceOnChanges)")
_AWS_INSTANCE = ("https://github.com/hashicorp/terraform-provider-aws/blob/0015dfcd06d5d78e5e1c3cabe8cea837d379d1c7/"
                 "internal/service/ec2/ec2_instance.go (ForceNew; registry page "
                 "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/instance/)")

# pulumi-kubernetes: every object is replaced when metadata.name or metadata.namespace changes.
_META = ("metadata.name", "metadata.namespace")
_SELECTOR = ("spec.selector",)  # .spec.selector and everything under it (matchLabels, matchExpressions)
_CONTAINER = ("args", "command", "env", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "ports",
              "readinessProbe", "resources", "securityContext", "stdin", "stdinOnce", "terminationMessagePath",
              "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts", "workingDir")
_POD_SPEC = ("affinity", "automountServiceAccountToken", "dnsConfig", "dnsPolicy", "enableServiceLinks",
             "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostname", "imagePullSecrets", "nodeName",
             "nodeSelector", "overhead", "preemptionPolicy", "priority", "priorityClassName", "readinessGates",
             "restartPolicy", "runtimeClassName", "schedulerName", "securityContext", "serviceAccount",
             "serviceAccountName", "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "volumes")

_ROWS: list[Row] = [
    # --- aws (bridged: Terraform ForceNew) ---
    Row("aws:ec2/instance:Instance",
        ("ami", "associatePublicIpAddress", "availabilityZone", "cpuCoreCount", "cpuOptions", "cpuThreadsPerCore",
         "ebsBlockDevices", "ebsOptimized", "enclaveOptions", "ephemeralBlockDevices", "hibernation", "hostId",
         "ipv6AddressCount", "ipv6Addresses", "keyName", "launchTemplate.id", "launchTemplate.name",
         "networkInterfaces", "placementGroup", "placementPartitionNumber", "privateDnsNameOptions", "privateIp",
         "rootBlockDevice.encrypted", "rootBlockDevice.kmsKeyId", "securityGroups", "subnetId", "tenancy"),
        _AWS_INSTANCE, "2026-12-03",
        # CustomizeDiff, not ForceNew: user data replaces only with user_data_replace_on_change.
        when={"userData": "userDataReplaceOnChange", "userDataBase64": "userDataReplaceOnChange"},
        maybe={"region": "Terraform AWS v6 added per-resource region; the schema version read predates it",
               "primaryNetworkInterface": "added in Terraform AWS v6; the schema version read predates it"}),
    # --- command (native: schema replaceOnChanges) ---
    Row("command:local:Command", ("triggers",), _COMMAND, "2026-12-03"),
    Row("command:remote:Command", ("triggers",), _COMMAND, "2026-12-03"),
    # --- kubernetes (pulumi-kubernetes forceNewProperties) ---
    Row("kubernetes:core/v1:Namespace", _META, _K8S, "2026-12-03"),
    Row("kubernetes:core/v1:ServiceAccount", _META, _K8S, "2026-12-03"),
    Row("kubernetes:core/v1:ConfigMap", _META, _K8S, "2026-12-03",
        maybe={"data": "unless the provider runs with enableConfigMapMutable and the ConfigMap is not immutable",
               "binaryData": "unless the provider runs with enableConfigMapMutable and the ConfigMap is not immutable"}),
    Row("kubernetes:core/v1:Secret", (*_META, "type"), _K8S, "2026-12-03",
        maybe={"data": "unless the provider runs with enableSecretMutable and the Secret is not immutable",
               "stringData": "unless the provider runs with enableSecretMutable and the Secret is not immutable"}),
    Row("kubernetes:core/v1:Service", (*_META, "spec.clusterIP"), _K8S, "2026-12-03"),
    Row("kubernetes:core/v1:PersistentVolumeClaim",
        (*_META, "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"), _K8S, "2026-12-03"),
    Row("kubernetes:core/v1:Pod",
        (*_META, *(f"spec.{p}" for p in _POD_SPEC), *(f"spec.containers.{p}" for p in _CONTAINER),
         *(f"spec.initContainers.{p}" for p in _CONTAINER)), _K8S, "2026-12-03"),
    Row("kubernetes:apps/v1:Deployment", (*_META, *_SELECTOR), _K8S, "2026-12-03"),
    Row("kubernetes:apps/v1:DaemonSet", (*_META, *_SELECTOR), _K8S, "2026-12-03"),
    Row("kubernetes:apps/v1:StatefulSet",
        (*_META, "spec.podManagementPolicy", "spec.revisionHistoryLimit", *_SELECTOR, "spec.serviceName",
         "spec.volumeClaimTemplates"), _K8S, "2026-12-03"),
    Row("kubernetes:batch/v1:Job",
        (*_META, "spec.completions", "spec.parallelism", *_SELECTOR, "spec.template"), _K8S, "2026-12-03"),
    # CronJob and policy/v1 PodDisruptionBudget have no kind-specific entry: name and namespace only.
    Row("kubernetes:batch/v1:CronJob", _META, _K8S, "2026-12-03"),
    Row("kubernetes:policy/v1:PodDisruptionBudget", _META, _K8S, "2026-12-03"),
    Row("kubernetes:rbac.authorization.k8s.io/v1:Role", _META, _K8S, "2026-12-03"),
    Row("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", _META, _K8S, "2026-12-03"),
    Row("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", (*_META, "roleRef"), _K8S, "2026-12-03"),
    Row("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", (*_META, "roleRef"), _K8S, "2026-12-03"),
    Row("kubernetes:networking.k8s.io/v1:Ingress", _META, _K8S, "2026-12-03"),
    Row("kubernetes:networking.k8s.io/v1:NetworkPolicy", _META, _K8S, "2026-12-03"),
    # The provider resource: DiffConfig replaces it (and so every object it manages) when the
    # active cluster of the kubeconfig changes, or renderYamlToDirectory / clusterIdentifier does.
    Row("pulumi:providers:kubernetes", ("renderYamlToDirectory", "clusterIdentifier"), _K8S_PROVIDER, "2026-12-03",
        maybe={"kubeconfig": "when the kubeconfig's active cluster changes",
               "context": "when the active cluster changes", "cluster": "when the active cluster changes"}),
]

ROWS: dict[str, Row] = {}
for _row in _ROWS:
    if _row.type in ROWS:
        raise ValueError(f"two rows for {_row.type}")
    ROWS[_row.type] = _row
del _row


def row(type_: str) -> Row | None:
    """The type's row, or None when the table does not know it (the diff then says so)."""
    return ROWS.get(type_)
