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
    #: what else replaces, when the row lists only part of it; a change outside ``replace`` is
    #: then reported "replacement unknown", never "in place"
    partial: str = ""


# --- sources (each read on the date given in the rows that cite it) ------------------------------

_K8S = ("https://github.com/pulumi/pulumi-kubernetes/blob/94977969d64112b04e19945818a7d5d5f38f631d/"
        "provider/pkg/provider/diff.go")
_K8S_PROVIDER = ("https://github.com/pulumi/pulumi-kubernetes/blob/94977969d64112b04e19945818a7d5d5f38f631d/"
                 "provider/pkg/provider/provider.go (DiffConfig)")
_COMMAND = ("https://github.com/pulumi/pulumi-command/blob/010bd8e0dd8a2f13707aa3b5061739edd90790a5/"
            "provider/cmd/pulumi-resource-command/schema.json (replaceOnChanges)")
# Terraform AWS v6 gave most regional resources a `region` argument: "Changing the value of
# `region` will force resource replacement." (IAM is global and has none.)
_AWS_REGION_GUIDE = ("https://github.com/hashicorp/terraform-provider-aws/blob/0cb788ce0d5adada2f2b98572dc8462f8ed5738d/"
                     "website/docs/guides/enhanced-region-support.html.markdown")
_AWS_REGION = ("region",)
_AWS_LB = ("https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/elbv2/load_balancer.go "
           "(stored version id 1325024694)")
_AWS_EC2 = "https://github.com/hashicorp/terraform-provider-aws/blob/{}/internal/service/ec2/{}"
# ELBv2 load balancer CustomizeDiffs (customizeDiffLoadBalancerNLB / ALB in _AWS_LB) force a
# replacement on some subnet and security group changes, depending on the load balancer's type.
_AWS_LB_MAYBE = {
    "subnets": "for a network load balancer, unless the change only adds subnets",
    "subnetMappings": "when an existing mapping changes, or a network load balancer loses one",
    "securityGroups": "for a network load balancer gaining its first or losing its last security group",
}
# Files read through the code index at their newest stored version (no commit id given there).
_AWS_ECS_SERVICE = ("https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ecs/service.go "
                    "(stored version id 5237802116)")
_AWS_LISTENER = ("https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/elbv2/listener.go "
                 "(stored version id 4164048996)")
_AWS_TARGET_GROUP = ("https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/elbv2/"
                     "target_group.go (stored version id 1349870850)")
# ELBv2 listener (aws_lb_listener and its alias aws_alb_listener): only load_balancer_arn is
# ForceNew; its CustomizeDiff validates actions and replaces on nothing.
_AWS_LISTENER_REPLACE = (*_AWS_REGION, "loadBalancerArn")
_AWS_LISTENER_MAYBE = {"defaultActions.jwtValidation": "in the Pulumi SDK, newer than the version read"}
# ELBv2 target group (aws_lb_target_group / aws_alb_target_group); its CustomizeDiffs only validate.
_AWS_TARGET_GROUP_REPLACE = (*_AWS_REGION, "ipAddressType", "name", "namePrefix", "port", "protocol",
                             "protocolVersion", "targetType", "vpcId")
_AWS_TARGET_GROUP_MAYBE = {"targetControlPort": "in the Pulumi SDK, newer than the version read"}
# VPC security group rules: the rule base both ingress and egress rules share.
_AWS_SG_RULE = _AWS_EC2.format("d2b7f56a7c451244abd1e467109ba703bd9eedd3", "vpc_security_group_ingress_rule.go "
                                "(securityGroupRuleResource, shared by the egress rule)")
_AWS_SG_RULE_REPLACE = (*_AWS_REGION, "securityGroupId")
_AWS_SG_RULE_MAYBE = {p: "when the rule's source kind changes (cidrIpv4, cidrIpv6, prefixListId or "
                         "referencedSecurityGroupId); a new value of the same kind updates in place"
                      for p in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")}
_AWS_INSTANCE = ("https://github.com/hashicorp/terraform-provider-aws/blob/0015dfcd06d5d78e5e1c3cabe8cea837d379d1c7/"
                 "internal/service/ec2/ec2_instance.go (ForceNew; registry page "
                 "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/instance/)")

_DO = "https://github.com/digitalocean/terraform-provider-digitalocean/blob/401992a1e493a0e3cfc833197820867991fc011f/"
_DOCKER = "https://github.com/kreuzwerker/terraform-provider-docker/blob/83c00e0bf3cec8f00bab77a9315ab69a58dcda32/"
_GOOGLE = "https://github.com/hashicorp/terraform-provider-google/blob/e03b7622a26cf4e878f90bdccaca6aa3d03a7999/"
_TLS = "https://github.com/hashicorp/terraform-provider-tls/blob/d72d90e1b47b7cb5ce6863f528af3154963d61b7/"

# GKE node_config (schemaNodeConfig in node_config.go, shared by google_container_cluster and
# google_container_node_pool). ForceNew on a block itself only replaces when the block is added or
# removed (SDKv2 puts it on the block's count); a change inside it replaces where the field is
# ForceNew. Blocks whose every field is ForceNew are listed whole.
_GKE_NODE_CONFIG = tuple("nodeConfig." + p for p in (
    "advancedMachineFeatures.enableNestedVirtualization", "advancedMachineFeatures.threadsPerCore",
    "bootDiskKmsKey", "confidentialNodes.confidentialInstanceType", "enableConfidentialStorage",
    "ephemeralStorageLocalSsdConfig", "flexStart", "guestAccelerators", "hostMaintenancePolicy.maintenanceInterval",
    "localNvmeSsdBlockConfig", "localSsdCount", "localSsdEncryptionMode", "maxRunDuration", "metadata",
    "minCpuPlatform", "nodeGroup", "oauthScopes", "preemptible", "reservationAffinity", "secondaryBootDisks",
    "serviceAccount", "shieldedInstanceConfig", "soleTenantConfig.nodeAffinities", "spot"))
_GKE_NODE_CONFIG_MAYBE = {
    "nodeConfig.advancedMachineFeatures": "when the block is added or removed (ForceNew on the block)",
    "nodeConfig.sandboxConfig": "when the block is added or removed (ForceNew on the block, not its fields)",
    "nodeConfig.soleTenantConfig": "when the block is added or removed (ForceNew on the block)",
    # In the Pulumi SDK, not in the GA schema read (pulumi-gcp builds from google-beta / a newer version):
    "nodeConfig.ephemeralStorageConfig": "a google-beta field, not in the schema read",
    "nodeConfig.hostMaintenancePolicy.opportunisticMaintenanceStrategy": "newer than the schema read",
}
_GKE_NODE_CONFIG_SOURCE = _GOOGLE + "google/services/container/node_config.go (schemaNodeConfig)"

_AZURE_FORCE_NEW = ("https://github.com/pulumi/pulumi-azure-native/blob/1b7112af33c62b247daed1028686bf279f4d5e69/"
                    "provider/pkg/gen/replacement.go (forceNewMap; WillReplaceOnChanges in provider/pkg/gen/"
                    "properties.go)")
_AZURE_PARTIAL = "its name, resourceGroupName and create-only (x-ms-mutability) properties replace too"
# The provider's generated schema for the whole network module (API 2023-02-01, the installed SDK
# uses 2024-05-01), a test snapshot:
# for VirtualNetwork, Subnet, PublicIPAddress, NetworkInterface, NetworkSecurityGroup, LoadBalancer
# and ApplicationSecurityGroup the inputs marked willReplaceOnChanges are their path parameters
# (resourceGroupName and the resource's own name, a subnet's virtualNetworkName) plus the
# forceNewMap entries; nothing else. A type shared by several resources (a nested PublicIPAddress
# or NatGateway) takes its ForceNew flags from whichever resource generated it first
# (replacement.go), so a forceNewMap name inside one may replace too.
_AZURE_NETWORK_SCHEMA = ("https://github.com/pulumi/pulumi-azure-native/blob/2f5f650ee3c8add9f605bf9c428efaab6087ef47/"
                         "provider/pkg/gen/__snapshots__/gen_vnet_test.snap")
# Compute (API 2024-11-01, the version the installed SDK uses for VirtualMachine and SshPublicKey):
# neither resource's own properties nor the compute Resource base (location, tags) carry
# x-ms-mutability, and forceNewMap has no Compute entry, so only the path parameters
# (resourceGroupName and the name) replace. Create-only fields of nested types (the OS profile's)
# do not replace the resource (properties.go forceNew: ForceNewSetOnReferencedType).
_AZURE_COMPUTE_SPEC = ("https://github.com/Azure/azure-rest-api-specs/blob/{1}/specification/compute/resource-manager/"
                       "Microsoft.Compute/ComputeRP/stable/2024-11-01/{0}; https://github.com/Azure/"
                       "azure-rest-api-specs/blob/08272fcc1e9cf3e007cb7a333d777b99ceab7bf1/specification/compute/"
                       "resource-manager/Microsoft.Compute/common-types/v1/common.json; " + _AZURE_FORCE_NEW)
_AZURE_SHARED_TYPE = "when a forceNewMap field inside it (location, sku, ...) changes: the shared type's flags were not read"
# The provider's generated schema for ManagedCluster (API 2025-10-01), a test snapshot: its inputs
# marked willReplaceOnChanges are the forceNewMap entries plus the path parameters resourceGroupName
# and resourceName; no other input is create-only (x-ms-mutability). Create-only fields of nested
# types do not replace the resource (properties.go forceNew: ForceNewSetOnReferencedType).
_AZURE_AKS_SCHEMA = ("https://github.com/pulumi/pulumi-azure-native/blob/b823145301a4aee4a39fab540694ab7045e1c068/"
                     "provider/pkg/gen/__snapshots__/gen_managedcluster_test.snap; https://github.com/pulumi/"
                     "pulumi-azure-native/blob/f65ea5bef29384bd93a2edb09b0a21beaadc5a20/provider/pkg/gen/properties.go")

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
        ("ami", *_AWS_REGION, "associatePublicIpAddress", "availabilityZone", "cpuOptions",
         "ebsBlockDevices", "ebsOptimized", "enclaveOptions", "ephemeralBlockDevices", "hibernation", "hostId",
         "ipv6AddressCount", "ipv6Addresses", "keyName", "launchTemplate.id", "launchTemplate.name",
         "networkInterfaces", "placementGroup", "placementPartitionNumber", "privateDnsNameOptions", "privateIp",
         "rootBlockDevice.encrypted", "rootBlockDevice.kmsKeyId", "securityGroups", "subnetId", "tenancy"),
        _AWS_INSTANCE + "; " + _AWS_REGION_GUIDE, "2026-12-03",
        # CustomizeDiff, not ForceNew: user data replaces only with user_data_replace_on_change.
        when={"userData": "userDataReplaceOnChange", "userDataBase64": "userDataReplaceOnChange"},
        maybe={"primaryNetworkInterface": "added in Terraform AWS v6; the schema version read predates it"}),
    # --- tls, digitalocean, docker, gcp (bridged): the fields marked ForceNew (SDKv2) or
    # RequiresReplace / requireReplaceIf... (plugin framework) in the upstream resource's schema,
    # named as the Pulumi SDK names them (camelCase; lists pluralised by the bridge).
    Row("tls:index/privateKey:PrivateKey",
        ("algorithm", "ecdsaCurve", "rsaBits"),
        _TLS + "internal/provider/resource_private_key.go",
        "2026-12-03"),
    Row("tls:index/certRequest:CertRequest",
        ("dnsNames", "ipAddresses", "privateKeyPem", "subject", "uris"),
        _TLS + "internal/provider/resource_cert_request.go",
        "2026-12-03"),
    Row("tls:index/locallySignedCert:LocallySignedCert",
        ("allowedUses", "caCertPem", "caPrivateKeyPem", "certRequestPem", "isCaCertificate", "maxPathLength",
         "setSubjectKeyId", "validityPeriodHours"),
        _TLS + "internal/provider/resource_locally_signed_cert.go",
        "2026-12-03"),
    Row("tls:index/selfSignedCert:SelfSignedCert",
        ("allowedUses", "dnsNames", "ipAddresses", "isCaCertificate", "maxPathLength", "privateKeyPem",
         "setAuthorityKeyId", "setSubjectKeyId", "subject", "uris", "validityPeriodHours"),
        _TLS + "internal/provider/resource_self_signed_cert.go",
        "2026-12-03"),
    Row("digitalocean:index/droplet:Droplet",
        ("dropletAgent", "gpuPartitionMode", "image", "monitoring", "publicNetworking", "region", "sshKeys",
         "userData", "vpcUuid"),
        _DO + "digitalocean/droplet/resource_droplet.go",
        "2026-12-03"),
    Row("digitalocean:index/firewall:Firewall",
        (),
        _DO + "digitalocean/firewall/resource_firewall.go",
        "2026-12-03"),
    Row("digitalocean:index/customImage:CustomImage",
        ("url",),
        _DO + "digitalocean/image/resource_custom_image.go",
        "2026-12-03"),
    Row("digitalocean:index/kubernetesCluster:KubernetesCluster",
        ("clusterSubnet", "isolatedWorkers", "region", "serviceSubnet", "vpcUuid", "workerSubnetUuid"),
        _DO + "digitalocean/kubernetes/resource_kubernetes_cluster.go",
        "2026-12-03"),
    Row("digitalocean:index/reservedIp:ReservedIp",
        ("region",),
        _DO + "digitalocean/reservedip/resource_reserved_ip.go",
        "2026-12-03"),
    Row("digitalocean:index/reservedIpAssignment:ReservedIpAssignment",
        ("dropletId", "ipAddress"),
        _DO + "digitalocean/reservedip/resource_reserved_ip_assignment.go",
        "2026-12-03"),
    Row("digitalocean:index/sshKey:SshKey",
        ("publicKey",),
        _DO + "digitalocean/sshkey/resource_ssh_key.go",
        "2026-12-03"),
    Row("docker:index/container:Container",
        ("capabilities", "cgroupParent", "cgroupnsMode", "command", "cpus", "deviceRequests", "devices", "dns",
         "dnsOpts", "dnsSearches", "domainname", "entrypoints", "envs", "gpus", "groupAdds", "hostname",
         "hosts", "image", "ipcMode", "labels", "logDriver", "logOpts", "mounts", "name", "networkMode",
         "networksAdvanced", "pidMode", "platform", "ports", "privileged", "publishAllPorts", "readOnly",
         "runtime", "securityOpts", "shmSize", "stdinOpen", "stopSignal", "stopTimeout", "storageOpts",
         "sysctls", "tty", "ulimits", "uploads", "user", "usernsMode", "volumes", "workingDir"),
        _DOCKER + "internal/provider/resource_docker_container.go",
        "2026-12-03"),
    Row("docker:index/network:Network",
        ("attachable", "driver", "ingress", "internal", "ipamConfigs", "ipamDriver", "ipamOptions", "ipv6",
         "labels", "name", "options"),
        _DOCKER + "internal/provider/resource_docker_network.go",
        "2026-12-03"),
    Row("docker:index/secret:Secret",
        ("data", "labels", "name"),
        _DOCKER + "internal/provider/resource_docker_secret.go",
        "2026-12-03"),
    Row("docker:index/service:Service",
        ("auth", "mode", "name", "taskSpec.containerSpec.hosts", "taskSpec.containerSpec.sysctl",
         "taskSpec.networksAdvanceds.aliases", "taskSpec.networksAdvanceds.driverOpts",
         "taskSpec.networksAdvanceds.id", "taskSpec.networksAdvanceds.name"),
        _DOCKER + "internal/provider/resource_docker_service.go",
        "2026-12-03"),
    Row("docker:index/volume:Volume",
        ("cluster.group", "cluster.limitBytes", "cluster.requiredBytes", "cluster.scope", "cluster.sharing",
         "cluster.topologyPreferred", "cluster.topologyRequired", "cluster.type", "driver", "driverOpts",
         "labels", "name"),
        _DOCKER + "internal/provider/resource_docker_volume.go",
        "2026-12-03"),
    Row("docker:index/serviceConfig:ServiceConfig",
        ("data", "dataRaw", "labels", "name"),
        _DOCKER + "internal/provider/resource_docker_config.go",
        "2026-12-03"),
    Row("docker:index/remoteImage:RemoteImage",
        ("build", "forceRemove", "name", "platform", "pullTriggers", "triggers"),
        _DOCKER + "internal/provider/resource_docker_image.go",
        "2026-12-03"),
    Row("gcp:compute/address:Address",
        ("address", "addressType", "description", "ipCollection", "ipVersion", "ipv6EndpointType", "name",
         "network", "networkTier", "prefixLength", "project", "purpose", "region", "subnetwork"),
        _GOOGLE + "google/services/compute/resource_compute_address.go",
        "2026-12-03"),
    Row("gcp:compute/firewall:Firewall",
        ("direction", "name", "params", "project"),
        _GOOGLE + "google/services/compute/resource_compute_firewall.go",
        "2026-12-03"),
    Row("gcp:compute/instance:Instance",
        ("advancedMachineFeatures.enableUefiNetworking", "attachedDisks.forceAttach", "bootDisk",
         "confidentialInstanceConfig", "guestAccelerators", "hostname", "instanceEncryptionKey",
         "keyRevocationActionType", "name", "networkInterfaces", "networkPerformanceConfig", "params",
         "project", "reservationAffinity", "scheduling.localSsdRecoveryTimeout", "scheduling.maxRunDuration",
         "scheduling.onInstanceStopAction", "scheduling.preemptible", "scheduling.provisioningModel",
         "scheduling.terminationTime", "scratchDisks", "workloadIdentityConfig.identity",
         "workloadIdentityConfig.identityCertificateEnabled", "zone"),
        _GOOGLE + "google/services/compute/resource_compute_instance.go",
        "2026-12-03"),
    Row("gcp:compute/network:Network",
        ("autoCreateSubnetworks", "description", "internalIpv6Range", "name", "networkProfile", "params",
         "project"),
        _GOOGLE + "google/services/compute/resource_compute_network.go",
        "2026-12-03"),
    Row("gcp:compute/subnetwork:Subnetwork",
        ("description", "externalIpv6Prefix", "internalIpv6Prefix", "name", "network", "params", "project",
         "region", "reservedInternalRange", "resolveSubnetMask"),
        _GOOGLE + "google/services/compute/resource_compute_subnetwork.go",
        "2026-12-03"),
    Row("gcp:serviceaccount/account:Account",
        ("accountId", "project"),
        _GOOGLE + "google/services/resourcemanager/resource_google_service_account.go",
        "2026-12-03"),
    Row("gcp:projects/iAMMember:IAMMember",
        ("condition", "member", "project", "role"),
        _GOOGLE + "google/tpgiamresource/resource_iam_member.go",
        "2026-12-03"),
    Row("aws:ec2/keyPair:KeyPair", (*_AWS_REGION, "keyName", "keyNamePrefix", "publicKey"),
        _AWS_EC2.format("05bc9541efe73ea58b95ad961676ed4aba3fb03f", "ec2_key_pair.go") + "; " + _AWS_REGION_GUIDE,
        "2026-12-03"),
    Row("aws:ec2/eip:Eip",
        (*_AWS_REGION, "address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"),
        _AWS_EC2.format("01606926a0c0ab9174aec440f976a48b0baee722", "ec2_eip.go") + "; " + _AWS_REGION_GUIDE,
        "2026-12-03"),
    Row("aws:ec2/networkInterface:NetworkInterface", (*_AWS_REGION, "interfaceType", "subnetId"),
        _AWS_EC2.format("01c08000ddb14181b5bd19201d8fca311dc570e4", "vpc_network_interface.go") + "; "
        + _AWS_REGION_GUIDE, "2026-12-03",
        maybe={"privateIps": "when the primary private IP changes", "privateIpList": "when the primary private IP changes"}),
    Row("aws:ec2/securityGroup:SecurityGroup", (*_AWS_REGION, "description", "name", "namePrefix", "vpcId"),
        _AWS_EC2.format("01606926a0c0ab9174aec440f976a48b0baee722", "vpc_security_group.go") + "; " + _AWS_REGION_GUIDE,
        "2026-12-03"),
    Row("aws:ec2/subnet:Subnet",
        (*_AWS_REGION, "availabilityZone", "availabilityZoneId", "cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength",
         "ipv6IpamPoolId", "ipv6Native", "ipv6NetmaskLength", "outpostArn", "vpcId"),
        _AWS_EC2.format("00cda125a19d31754cb0d073cf551264c57955cb", "vpc_subnet.go") + "; " + _AWS_REGION_GUIDE,
        "2026-12-03",
        maybe={"ipv6CidrBlock": "when the subnet was created with assignIpv6AddressOnCreation"}),
    Row("aws:ec2/vpc:Vpc", (*_AWS_REGION, "cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"),
        _AWS_EC2.format("00081ce41cc691433ac19bf42227cdabffd0454d", "vpc_.go") + "; " + _AWS_REGION_GUIDE,
        "2026-12-03"),
    Row("aws:ec2/natGateway:NatGateway",
        (*_AWS_REGION, "allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId"),
        _AWS_EC2.format("04088eaa54948421bf1ef7494ae2b2c01d9243e3", "vpc_nat_gateway.go") + "; " + _AWS_REGION_GUIDE,
        "2026-12-03"),
    Row("aws:ec2/routeTableAssociation:RouteTableAssociation", (*_AWS_REGION, "gatewayId", "subnetId"),
        _AWS_EC2.format("0be71beb458ad8875e0acc5c91519c0ceeb214aa", "vpc_route_table_association.go") + "; "
        + _AWS_REGION_GUIDE, "2026-12-03"),
    Row("aws:ec2/internetGateway:InternetGateway", _AWS_REGION,
        _AWS_EC2.format("08923b68b5ad6fcfdd38362fb5247e39a9b07add", "vpc_internet_gateway.go") + "; "
        + _AWS_REGION_GUIDE, "2026-12-03"),
    Row("aws:ec2/routeTable:RouteTable", (*_AWS_REGION, "vpcId"),
        _AWS_EC2.format("022092419b7cda11527df3c6b51cbfe1876c1722", "vpc_route_table.go") + "; " + _AWS_REGION_GUIDE,
        "2026-12-03"),
    # IAM is global: no region argument.
    Row("aws:iam/rolePolicyAttachment:RolePolicyAttachment", ("policyArn", "role"),
        "https://github.com/hashicorp/terraform-provider-aws/blob/04c79849dbe7fbe76c3054b364357bcdaade9ac5/"
        "internal/service/iam/role_policy_attachment.go", "2026-12-03"),
    Row("aws:lb/targetGroupAttachment:TargetGroupAttachment",
        (*_AWS_REGION, "availabilityZone", "port", "targetGroupArn", "targetId"),
        "https://github.com/hashicorp/terraform-provider-aws/blob/07e0d0b940f57c782f8fcc9ccfd8b19f59383b51/"
        "internal/service/elbv2/target_group_attachment.go; " + _AWS_REGION_GUIDE, "2026-12-03"),
    Row("aws:iam/role:Role", ("name", "namePrefix", "path"),
        "https://github.com/hashicorp/terraform-provider-aws/blob/0040ea6911af00bea2cca6dbb14e86829826ad8e/"
        "internal/service/iam/role.go", "2026-12-03"),
    Row("aws:cloudwatch/logGroup:LogGroup", (*_AWS_REGION, "logGroupClass", "name", "namePrefix"),
        "https://github.com/hashicorp/terraform-provider-aws/blob/0073593e7d6993ba482409f4dc35438daaa79bb3/"
        "internal/service/logs/group.go; " + _AWS_REGION_GUIDE, "2026-12-03"),
    Row("aws:ecs/cluster:Cluster", (*_AWS_REGION, "name"),
        "https://github.com/hashicorp/terraform-provider-aws/blob/00a35305dc1b297a6fcdecdfbba33f1e63c3da39/"
        "internal/service/ecs/cluster.go; " + _AWS_REGION_GUIDE, "2026-12-03"),
    # A task definition is immutable: every argument but tags replaces it (a new revision).
    Row("aws:ecs/taskDefinition:TaskDefinition",
        (*_AWS_REGION, "containerDefinitions", "cpu", "enableFaultInjection", "ephemeralStorage", "executionRoleArn",
         "family", "ipcMode", "memory", "networkMode", "pidMode", "placementConstraints", "proxyConfiguration",
         "requiresCompatibilities", "runtimePlatform", "taskRoleArn", "volumes"),
        "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ecs/task_definition.go "
        "(stored version id 4453944302); " + _AWS_REGION_GUIDE, "2026-12-03"),
    Row("gcp:container/cluster:Cluster",
        ("clusterAutoscaling.autoProvisioningDefaults.bootDiskKmsKey", "clusterIpv4Cidr", "confidentialNodes",
         "datapathProvider", "dataplaneOptimizationMode", "defaultMaxPodsPerNode", "description",
         "enableAutopilot", "enableKubernetesAlpha", "enableTpu", "initialNodeCount", "ipAllocationPolicy",
         "location", "masterAuth.clientCertificateConfig", "name", "network", "networkingMode", "nodePools",
         "privateClusterConfig.masterIpv4CidrBlock", "privateClusterConfig.privateEndpointSubnetwork",
         "project", "subnetwork", "userManagedKeysConfig.aggregationCa", "userManagedKeysConfig.clusterCa",
         "userManagedKeysConfig.etcdApiCa", "userManagedKeysConfig.etcdPeerCa", *_GKE_NODE_CONFIG),
        _GOOGLE + "google/services/container/resource_container_cluster.go; " + _GKE_NODE_CONFIG_SOURCE,
        "2026-12-03", maybe=_GKE_NODE_CONFIG_MAYBE),
    Row("gcp:container/nodePool:NodePool",
        ("cluster", "initialNodeCount", "location", "maxPodsPerNode", "name", "namePrefix",
         "networkConfig.acceleratorNetworkProfile", "networkConfig.additionalNodeNetworkConfigs",
         "networkConfig.additionalPodNetworkConfigs", "networkConfig.createPodRange",
         "networkConfig.podCidrOverprovisionConfig", "networkConfig.podIpv4CidrBlock",
         "networkConfig.podRange", "networkConfig.subnetwork", "placementPolicy", "project",
         "queuedProvisioning", *_GKE_NODE_CONFIG),
        _GOOGLE + "google/services/container/resource_container_node_pool.go; " + _GKE_NODE_CONFIG_SOURCE,
        "2026-12-03", maybe=_GKE_NODE_CONFIG_MAYBE),
    # ECS service: the read version's CustomizeDiff replaces on nothing (a capacity provider
    # strategy change needs forceNewDeployment instead); older versions replaced on it.
    Row("aws:ecs/service:Service", (*_AWS_REGION, "cluster", "iamRole", "launchType", "name", "schedulingStrategy"),
        _AWS_ECS_SERVICE + "; " + _AWS_REGION_GUIDE, "2026-12-03",
        maybe={"capacityProviderStrategies": "provider versions before the one read replace on it unless "
                                             "forceNewDeployment is set"}),
    Row("aws:lb/listener:Listener", _AWS_LISTENER_REPLACE, _AWS_LISTENER + "; " + _AWS_REGION_GUIDE, "2026-12-03",
        maybe=_AWS_LISTENER_MAYBE),
    Row("aws:lb/loadBalancer:LoadBalancer",
        (*_AWS_REGION, "customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"),
        _AWS_LB + "; " + _AWS_REGION_GUIDE, "2026-12-03",
        maybe=_AWS_LB_MAYBE),
    Row("aws:lb/targetGroup:TargetGroup", _AWS_TARGET_GROUP_REPLACE, _AWS_TARGET_GROUP + "; " + _AWS_REGION_GUIDE,
        "2026-12-03", maybe=_AWS_TARGET_GROUP_MAYBE),
    Row("aws:alb/listener:Listener", _AWS_LISTENER_REPLACE, _AWS_LISTENER + "; " + _AWS_REGION_GUIDE, "2026-12-03",
        maybe=_AWS_LISTENER_MAYBE),
    Row("aws:alb/loadBalancer:LoadBalancer",
        (*_AWS_REGION, "customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"),
        _AWS_LB + "; " + _AWS_REGION_GUIDE, "2026-12-03",
        maybe=_AWS_LB_MAYBE),
    Row("aws:alb/targetGroup:TargetGroup", _AWS_TARGET_GROUP_REPLACE, _AWS_TARGET_GROUP + "; " + _AWS_REGION_GUIDE,
        "2026-12-03", maybe=_AWS_TARGET_GROUP_MAYBE),
    # VPC security group rules (plugin framework, one base schema for ingress and egress): only
    # security_group_id has RequiresReplace; ModifyPlan also replaces when the rule's source kind
    # changes (from cidr_ipv4 to referenced_security_group_id, say), a new value of the same kind
    # is modified in place.
    Row("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", _AWS_SG_RULE_REPLACE,
        _AWS_SG_RULE + "; " + _AWS_REGION_GUIDE, "2026-12-03", maybe=_AWS_SG_RULE_MAYBE),
    Row("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", _AWS_SG_RULE_REPLACE,
        _AWS_SG_RULE + "; " + _AWS_REGION_GUIDE, "2026-12-03", maybe=_AWS_SG_RULE_MAYBE),
    # Plugin framework: role_name has RequiresReplace, policy_arns is synced in place (IAM is global).
    Row("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", ("roleName",),
        "https://github.com/hashicorp/terraform-provider-aws/blob/feaafa423b63f3d3875aa4554aca3d749529b93a/"
        "internal/service/iam/role_policy_attachments_exclusive.go", "2026-12-03"),
    # --- azure-native: WillReplaceOnChanges is generated from path parameters (the resource's
    # name, resourceGroupName), properties the API spec marks create-only (x-ms-mutability) and
    # the provider's own forceNewMap; only the map is listed here, so these rows are partial
    # (ResourceGroup, ManagedCluster, the network resources, VirtualMachine and SshPublicKey
    # excepted: their generated schema or API spec was read, see their sources).
    # forceNewMap Resources/ResourceGroup (location), plus the path parameter; the 2024-03-01 spec
    # (the installed SDK's version) marks none of ResourceGroup's own properties create-only.
    Row("azure-native:resources:ResourceGroup", ("location", "resourceGroupName"),
        "https://github.com/Azure/azure-rest-api-specs/blob/1eb311c3f6f22913eab7d5ad755aa474ae15d67f/specification/"
        "resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json; " + _AZURE_FORCE_NEW,
        "2026-12-03"),
    Row("azure-native:network:VirtualNetwork", ("location", "resourceGroupName", "virtualNetworkName"),
        _AZURE_FORCE_NEW + "; " + _AZURE_NETWORK_SCHEMA, "2026-12-03"),
    Row("azure-native:network:PublicIPAddress",
        ("location", "publicIPAddressVersion", "publicIPPrefix", "publicIpAddressName", "resourceGroupName", "sku"),
        _AZURE_FORCE_NEW + "; " + _AZURE_NETWORK_SCHEMA, "2026-12-03",
        maybe={p: _AZURE_SHARED_TYPE for p in ("linkedPublicIPAddress", "natGateway", "servicePublicIPAddress")}),
    Row("azure-native:web:WebApp", ("kind", "location"), _AZURE_FORCE_NEW, "2026-12-03",
        partial=_AZURE_PARTIAL),  # forceNewMap Web/WebApp
    Row("azure-native:containerservice:ManagedCluster",
        ("diskEncryptionSetID", "dnsPrefix", "fqdnSubdomain", "linuxProfile", "location", "nodeResourceGroup",
         "windowsProfile", "networkProfile.serviceCidr", "networkProfile.serviceCidrs", "networkProfile.dnsServiceIP",
         "networkProfile.networkMode", "networkProfile.networkPlugin", "networkProfile.networkPluginMode",
         "networkProfile.podCidr", "networkProfile.networkDataplane", "networkProfile.networkPolicy",
         "networkProfile.outboundType", "agentPoolProfiles.networkProfile.nodePublicIPTags",
         "resourceGroupName", "resourceName"),
        _AZURE_FORCE_NEW + "; " + _AZURE_AKS_SCHEMA, "2026-12-03"),
    Row("azure-native:network:Subnet", ("resourceGroupName", "subnetName", "virtualNetworkName"),
        _AZURE_FORCE_NEW + "; " + _AZURE_NETWORK_SCHEMA, "2026-12-03"),
    Row("azure-native:web:AppServicePlan", (), _AZURE_FORCE_NEW, "2026-12-03", partial=_AZURE_PARTIAL),
    Row("azure-native:compute:SshPublicKey", ("resourceGroupName", "sshPublicKeyName"),
        _AZURE_COMPUTE_SPEC.format("sshPublicKey.json", "81075e2b061dd0dc20dbc54cba96fbff18e206f9"), "2026-12-03"),
    Row("azure-native:compute:VirtualMachine", ("resourceGroupName", "vmName"),
        _AZURE_COMPUTE_SPEC.format("virtualMachine.json", "04be2f1c1c9805e0014d90d904623350e66093c1"), "2026-12-03"),
    Row("azure-native:monitor:DataCollectionRule", (), _AZURE_FORCE_NEW, "2026-12-03", partial=_AZURE_PARTIAL),
    Row("azure-native:monitor:DataCollectionRuleAssociation", (), _AZURE_FORCE_NEW, "2026-12-03", partial=_AZURE_PARTIAL),
    Row("azure-native:network:ApplicationSecurityGroup", ("applicationSecurityGroupName", "resourceGroupName"),
        _AZURE_NETWORK_SCHEMA, "2026-12-03"),
    Row("azure-native:network:LoadBalancer", ("loadBalancerName", "resourceGroupName"), _AZURE_NETWORK_SCHEMA, "2026-12-03"),
    Row("azure-native:network:NetworkInterface", ("networkInterfaceName", "resourceGroupName"), _AZURE_NETWORK_SCHEMA,
        "2026-12-03"),
    Row("azure-native:network:NetworkSecurityGroup", ("networkSecurityGroupName", "resourceGroupName"),
        _AZURE_NETWORK_SCHEMA, "2026-12-03"),
    Row("azure-native:operationalinsights:Workspace", (), _AZURE_FORCE_NEW, "2026-12-03", partial=_AZURE_PARTIAL),
    Row("azure-native:web:WebAppFtpAllowed", (), _AZURE_FORCE_NEW, "2026-12-03", partial=_AZURE_PARTIAL),
    Row("azure-native:web:WebAppScmAllowed", (), _AZURE_FORCE_NEW, "2026-12-03", partial=_AZURE_PARTIAL),
    # Helm releases: the provider's Diff replaces on the release name or namespace only.
    Row("kubernetes:helm.sh/v3:Release", ("name", "namespace"),
        _K8S.replace("diff.go", "helm_release.go"), "2026-12-03"),
    # Bridged provider: its DiffConfig decides; not read, so the resources it manages "may" be
    # replaced when its configuration changes.
    Row("pulumi:providers:docker", (), "https://github.com/pulumi/pulumi-docker (bridged provider DiffConfig)",
        "2026-12-03", partial="the bridged provider's DiffConfig decides; not tabulated"),
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
