"""Dockyard's security rules, each written once as a plain function.

A resource rule takes ``(resource, context)`` and returns findings; a stack rule takes the whole
list of resources (it has to follow references between them). Nothing here imports Pulumi, a
provider SDK or a Dockyard component: the offline ``dockyard preview --check`` and the CrossGuard
policy pack in policy/ call these same functions on what their engines hand them.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from components.cloud_limits import PLAIN_DOCKER_API_PORT, SWARM_PORTS
from components.names import AWS_PARTITIONS
from guardrails.context import Context
from guardrails.docker_api import docker_api_findings
from guardrails.model import Finding, Resource, as_list, dig, is_opaque, is_secret_wrapper, walk_strings
from guardrails.network import Source, ingress_rules, is_private, is_world, source, within

DOCKER_TLS_PORT = 2376
#: AWS's managed policy for pulling images and writing logs, and nothing else
#: (AWS docs, "Amazon ECS task execution IAM role"), in each partition (aws, aws-cn, aws-us-gov).
ECS_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
ECS_EXECUTION_POLICIES = frozenset(ECS_EXECUTION_POLICY.replace("arn:aws:", f"arn:{p}:", 1) for p in AWS_PARTITIONS)
#: What an execution role needs to hand a task its ``secrets``, and all it may add to the managed
#: policy: read the SSM parameters or Secrets Manager secrets the task definition names in
#: ``valueFrom`` (AWS docs, "Amazon ECS task execution IAM role", Secrets Manager or Systems
#: Manager permissions, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html,
#: read 2026-12-03).
SECRET_READ_ACTIONS = frozenset({"ssm:GetParameters", "secretsmanager:GetSecretValue"})
SECRET_TYPES = ("aws:ssm/parameter:Parameter", "aws:secretsmanager/secret:Secret")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    kind: str  # "resource" | "stack"
    check: Callable[..., Iterable[Finding]]


RULES: list[Rule] = []


def rule(id_: str, title: str, kind: str = "resource"):
    def register(fn):
        RULES.append(Rule(id_, title, kind, fn))
        return fn

    return register


def _admin_ok(src: Source, ctx: Context) -> bool:
    """A source is an admin source if it lies inside adminCidrs; the whole internet only when the
    stack listed it on purpose (the default 0.0.0.0/0 is a convenience, not a decision)."""
    if src.network is not None and src.network.is_loopback:
        return True  # the machine itself (a Docker port published on 127.0.0.1)
    if is_world(src) or (src.network is not None and src.network.prefixlen == 0):
        return ctx.admin_cidrs_explicit and within(src, ctx.admin_cidrs)
    return within(src, ctx.admin_cidrs)


def _admin_text(ctx: Context) -> str:
    return ", ".join(ctx.admin_cidrs) if ctx.admin_cidrs_explicit else "unset (defaults to everyone)"


# --- 1. Docker API: never 2375, never without tlsverify -----------------------------------------


@rule("docker-api-tls", "The Docker API is never on 2375 and never without tlsverify")
def docker_api_tls(res: Resource, ctx: Context) -> Iterable[Finding]:
    yield from docker_api_findings(res)
    for r in ingress_rules(res):
        if r.covers(2375) and not r.all_ports:
            yield Finding(f"{r.where} opens {r.describe_ports()} (2375, the plain-text Docker API)",
                          "remove the rule: Dockyard's dockerd listens on 2376 with mutual TLS only")


# --- 2. SSH and 2376 only from adminCidrs --------------------------------------------------------


@rule("admin-ports-from-admin-cidrs", "SSH and the Docker TLS port 2376 are open to adminCidrs only")
def admin_ports(res: Resource, ctx: Context) -> Iterable[Finding]:
    admin_ports = sorted({DOCKER_TLS_PORT, *ctx.ssh_ports})
    for r in ingress_rules(res):
        hit = [p for p in admin_ports if r.covers(p)]
        if not hit:
            continue
        bad = []
        for s in r.sources:
            if s.kind == "ref":
                continue  # another member of the same cloud network (tag, group, self)
            if r.all_ports and is_private(s):
                continue  # a node-to-node "everything inside the network" rule, not an admin opening
            if not _admin_ok(s, ctx):
                bad.append(s.value)
        if bad:
            yield Finding(
                f"{r.where} opens {'/'.join(map(str, hit))} to {', '.join(bad)}; adminCidrs is {_admin_text(ctx)}",
                "restrict the rule's sources to dockyard:adminCidrs (set it with "
                "`pulumi config set --path 'dockyard:adminCidrs[0]' YOUR.CIDR/32`)",
            )


# --- 3. swarm control ports stay inside the cluster ---------------------------------------------


@rule("swarm-ports-cluster-only", "Swarm ports 2377/tcp, 7946/tcp+udp and 4789/udp are open only between cluster members")
def swarm_ports(res: Resource, ctx: Context) -> Iterable[Finding]:
    for r in ingress_rules(res):
        hit = sorted({f"{p}/{proto}" for p, proto in SWARM_PORTS if r.covers(p, proto)})
        if not hit:
            continue
        if res.type == "docker:index/container:Container":
            yield Finding(f"{r.where} publishes swarm port {', '.join(hit)} on the host",
                          "do not publish swarm ports: nodes reach each other on their private network")
            continue
        bad = [s.value for s in r.sources if not is_private(s)]
        if bad:
            yield Finding(f"{r.where} opens swarm port(s) {', '.join(hit)} to {', '.join(bad)}",
                          "allow these ports only from the cluster's own nodes (security group self, "
                          "firewall tag, VirtualNetwork or the private subnet)")


# --- 4. nothing open to the world but published application ports ------------------------------


@rule("no-world-open-ingress", "No firewall, security group or NSG rule is open to the world except published application ports")
def no_world_open(res: Resource, ctx: Context) -> Iterable[Finding]:
    admin = {DOCKER_TLS_PORT, *ctx.ssh_ports}
    for r in ingress_rules(res):
        world = [s for s in r.sources if is_world(s)]
        if not world:
            continue
        if res.type == "docker:index/container:Container":
            ports = {p for lo, hi in r.ports for p in range(lo, hi + 1)}
            service = {p for lo, hi in r.targets for p in range(lo, hi + 1)}
        else:
            ports = r.port_numbers
            service = set()
        if r.protocol == "icmp" or ports is None:
            yield Finding(f"{r.where} allows {r.describe_ports()} from {', '.join(s.value for s in world)}",
                          "open only the application's published ports to the world; everything else "
                          "to dockyard:adminCidrs or the cluster's network")
            continue
        # Admin, swarm and Docker API ports have rules of their own (above): not reported twice.
        own_rule = admin | {p for p, _ in SWARM_PORTS} | {PLAIN_DOCKER_API_PORT}
        bad = set()
        for p in ports:
            if p in own_rule or service & own_rule:
                continue
            if p not in ctx.published_ports:
                bad.add(p)
        if bad:
            published = ", ".join(map(str, sorted(ctx.published_ports))) or "none"
            yield Finding(
                f"{r.where} opens {', '.join(map(str, sorted(bad)))} to {', '.join(s.value for s in world)} "
                f"(published application ports: {published})",
                "restrict the sources to dockyard:adminCidrs or the cluster's network, or publish the port "
                "in the app's compose file / container config if it really is an application port",
            )


# --- 5. the ECS execution role holds only the managed execution policy --------------------------


def _role_policies(role: Resource, resources: list[Resource]) -> tuple[set[str], list[tuple[str, Resource | None, Any]]]:
    """Managed policy ARNs attached to a role, and its inline policies as (description, the
    RolePolicy resource or None, the policy document or None when it cannot be read)."""
    arns = {str(a) for a in as_list(role.inputs.get("managedPolicyArns"))}
    inline: list[tuple[str, Resource | None, Any]] = [
        (f"inline policy {p.get('name', '?')}", None, p.get("policy"))
        for p in as_list(role.inputs.get("inlinePolicies")) if isinstance(p, Mapping) and p.get("policy")]
    role_name = role.inputs.get("name")
    for r in resources:
        refs = set(r.deps_of("role")) | set(r.deps_of("roles"))
        by_name = role_name is not None and (r.inputs.get("role") == role_name
                                             or role_name in as_list(r.inputs.get("roles")))
        if role.urn not in refs and not by_name:
            continue
        if r.type in ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"):
            arns.add(str(r.inputs.get("policyArn")))
        elif r.type == "aws:iam/rolePolicy:RolePolicy":
            inline.append((f"inline policy {r.name}", r, r.inputs.get("policy")))
        elif r.type == "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive":
            inline.extend((f"inline policy {n}", None, None) for n in as_list(r.inputs.get("policyNames")))
    return arns, inline


def _task_secrets(td: Resource) -> set[str]:
    """The ``valueFrom`` of every secret in a task definition's containerDefinitions."""
    defs = td.inputs.get("containerDefinitions")
    if isinstance(defs, str) and not is_opaque(defs):
        try:
            defs = json.loads(defs)
        except ValueError:
            return set()
    return {str(s["valueFrom"]) for c in as_list(defs) if isinstance(c, Mapping)
            for s in as_list(c.get("secrets")) if isinstance(s, Mapping) and s.get("valueFrom")}


def _reads_only_task_secrets(policy: Resource | None, document: Any, tds: list[Resource],
                             by_urn: Mapping[str, Resource]) -> bool:
    """True for an inline policy that lets the execution role read its tasks' secrets and nothing else."""
    if isinstance(document, str) and not is_opaque(document):
        try:
            document = json.loads(document)
        except ValueError:
            return False
    if not isinstance(document, Mapping):
        # Not known until the parameters exist (`pulumi preview`): judge what it is built from.
        if policy is None:
            return False
        deps = set(policy.deps_of("policy"))
        used = {u for td in tds for u in td.deps_of("containerDefinitions")}
        return bool(deps) and deps <= used and all(u in by_urn and by_urn[u].type in SECRET_TYPES for u in deps)
    wanted = set().union(*(_task_secrets(td) for td in tds))
    statements = as_list(document.get("Statement"))
    for st in statements:
        if not isinstance(st, Mapping) or set(st) - {"Sid", "Effect", "Action", "Resource"}:
            return False  # NotAction, NotResource, Condition, Principal: not the simple grant judged here
        if st.get("Effect") != "Allow":
            continue
        actions = {str(a) for a in as_list(st.get("Action"))}
        resources = {str(r) for r in as_list(st.get("Resource"))}
        if not actions or not actions <= SECRET_READ_ACTIONS or not resources or not resources <= wanted:
            return False
    return bool(statements)


@rule("ecs-execution-role-least-privilege", "An ECS task execution role holds exactly AmazonECSTaskExecutionRolePolicy", kind="stack")
def ecs_execution_role(resources: list[Resource], ctx: Context) -> Iterable[tuple[str, Finding]]:
    by_urn = {r.urn: r for r in resources}
    roles = [r for r in resources if r.type == "aws:iam/role:Role"]
    tasks: dict[str, list[Resource]] = {}  # execution role URN -> the task definitions using it
    for td in resources:
        if td.type != "aws:ecs/taskDefinition:TaskDefinition":
            continue
        arn = td.inputs.get("executionRoleArn")
        if arn is None and not td.deps_of("executionRoleArn"):
            continue
        found = [by_urn[u] for u in td.deps_of("executionRoleArn") if u in by_urn and by_urn[u].type == "aws:iam/role:Role"]
        if not found and isinstance(arn, str) and ":role/" in arn:
            name = arn.rsplit("/", 1)[-1]
            found = [r for r in roles if r.inputs.get("name") == name]
        if not found:
            yield td.urn, Finding(f"execution role {arn!r} is not declared in this stack, so its policies cannot be checked",
                                  "let FargateApp create the execution role (aws.iam.Role with only "
                                  "AmazonECSTaskExecutionRolePolicy attached)")
            continue
        for role in found:
            tasks.setdefault(role.urn, []).append(td)
    for role_urn, tds in tasks.items():
        role = by_urn[role_urn]
        names = ", ".join(td.name for td in tds)
        arns, inline = _role_policies(role, resources)
        extra = sorted(arns - ECS_EXECUTION_POLICIES) + [
            what for what, policy, document in inline if not _reads_only_task_secrets(policy, document, tds, by_urn)]
        if extra:
            yield role.urn, Finding(f"execution role of {names} also holds {', '.join(extra)}",
                                    "attach only " + ECS_EXECUTION_POLICY + " (in the region's partition) and an "
                                    "inline policy allowing ssm:GetParameters on exactly the task's secrets; give "
                                    "the app's own permissions to the task role (taskRoleArn)")
        if not arns & ECS_EXECUTION_POLICIES:
            yield role.urn, Finding(f"execution role of {names} lacks AmazonECSTaskExecutionRolePolicy",
                                    "attach " + ECS_EXECUTION_POLICY + " (in the region's partition) with an "
                                    "aws.iam.RolePolicyAttachment")


# --- 6-8. Kubernetes workloads and Services -----------------------------------------------------

#: Where each workload kind keeps its pod spec (Kubernetes API reference).
POD_SPEC_PATHS = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:core/v1:PodTemplate": ("template", "spec"),
    "kubernetes:core/v1:ReplicationController": ("spec", "template", "spec"),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


#: Charts render their objects inside the release: offline and in `pulumi preview` only the
#: values Dockyard passes are visible, so those are what the Kubernetes rules read for them.
HELM_TYPES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")


def _helm_values(res: Resource) -> Iterable[tuple[str, str, Any]]:
    """(path, key, value) of every entry of a Helm release's values."""
    if res.type not in HELM_TYPES:
        return

    def walk(value: Any, path: str):
        if isinstance(value, Mapping):
            for k, v in value.items():
                here = f"{path}.{k}" if path else str(k)
                yield here, str(k), v
                yield from walk(v, here)
        elif isinstance(value, list):
            for n, v in enumerate(value):
                yield from walk(v, f"{path}[{n}]")

    yield from walk(res.inputs.get("values"), "values")


def _workload_name(res: Resource) -> str:
    return str(res.get("metadata", "name") or res.inputs.get("name") or res.name)


def _pod_spec(res: Resource) -> Mapping[str, Any] | None:
    path = POD_SPEC_PATHS.get(res.type)
    spec = dig(res.inputs, *path) if path else None
    return spec if isinstance(spec, Mapping) else None


# What a container may take from its host, judged the same way for a Kubernetes container, a
# Docker container and a swarm service (the compose file is the same; only the target differs).

#: Capabilities that hand a container its host: ALL is privileged in all but name; SYS_ADMIN allows
#: mount(2), namespaces and most of what "privileged" gives (capabilities(7),
#: https://man7.org/linux/man-pages/man7/capabilities.7.html, read 2026-12-03). Docker and
#: Kubernetes take the names with or without the CAP_ prefix.
DANGEROUS_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN"})
#: The Docker API socket: whoever reaches it is root on the host. Binding the folder that holds it
#: hands it over too.
DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def dangerous_capabilities(caps: Any) -> list[str]:
    """The entries of a capability list that give the host away (ALL, SYS_ADMIN, any spelling)."""
    return [str(c) for c in as_list(caps)
            if isinstance(c, str) and c.strip().upper().removeprefix("CAP_") in DANGEROUS_CAPABILITIES]


def dangerous_host_path(path: Any) -> str | None:
    """Why binding this host path hands over the host (None: it does not, as far as a path shows).

    The path is the node's, not this machine's, so it is judged as written: normalised, never
    resolved (a symlink on the node cannot be seen from here)."""
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    norm = posixpath.normpath("/" + path.lstrip("/"))
    if norm == "/":
        return "the host's root filesystem"
    for sock in DOCKER_SOCKETS:
        if norm == sock:
            return "the Docker socket (root on the host through the Docker API)"
        if sock.startswith(norm + "/"):
            return f"{norm}, which holds the Docker socket {sock}"
    return None


def _service_spec(res: Resource) -> Mapping[str, Any] | None:
    """A swarm service's (or a Docker container's) container settings, as the rules read them."""
    if res.type == "docker:index/service:Service":
        spec = res.get("taskSpec", "containerSpec")
        return spec if isinstance(spec, Mapping) else None
    if res.type == "docker:index/container:Container":
        return res.inputs
    return None


def _docker_host_paths(res: Resource) -> Iterable[tuple[str, str]]:
    """(where, host path) of every bind a Docker container or swarm service asks for, including a
    local-driver volume that binds a host device (driver options o=bind, device=PATH)."""
    spec = _service_spec(res)
    if spec is None:
        return
    for n, m in enumerate(as_list(spec.get("mounts"))):
        if not isinstance(m, Mapping):
            continue
        if m.get("type") == "bind":
            yield f"mounts[{n}]", m.get("source")
        opts = dig(m, "volumeOptions", "driverOptions") or {}
        if isinstance(opts, Mapping) and "bind" in str(opts.get("o", "")).split(","):
            yield f"mounts[{n}].volumeOptions.driverOptions.device", opts.get("device")
    if res.type == "docker:index/container:Container":
        for n, v in enumerate(as_list(spec.get("volumes"))):
            if isinstance(v, Mapping) and v.get("hostPath"):
                yield f"volumes[{n}]", v.get("hostPath")


def _docker_name(res: Resource) -> str:
    return str(res.inputs.get("name") or res.name)


@rule("no-privileged-containers", "No privileged container and none that adds ALL or SYS_ADMIN: Kubernetes workloads, Docker containers and swarm services alike (the local Docker-in-Docker swarm nodes excepted, by name)")
def no_privileged(res: Resource, ctx: Context) -> Iterable[Finding]:
    cap_fix = "drop the capability; add only the narrow ones the container needs (NET_BIND_SERVICE, ...)"
    spec = _pod_spec(res)
    if spec is not None:
        for kind in ("initContainers", "containers", "ephemeralContainers"):
            for c in as_list(spec.get(kind)):
                if not isinstance(c, Mapping):
                    continue
                if dig(c, "securityContext", "privileged") is True:
                    yield Finding(f"{kind} {c.get('name', '?')} of {_workload_name(res)} runs privileged",
                                  "drop securityContext.privileged; add only the capabilities the container needs")
                bad = dangerous_capabilities(dig(c, "securityContext", "capabilities", "add"))
                if bad:
                    yield Finding(f"{kind} {c.get('name', '?')} of {_workload_name(res)} adds capability "
                                  f"{', '.join(bad)}", cap_fix)
    for path, key, value in _helm_values(res):
        if key == "privileged" and value is True:
            yield Finding(f"Helm release {_workload_name(res)} sets {path}: true",
                          "leave the chart's containers unprivileged")
        if key == "add" and path.endswith("capabilities.add") and dangerous_capabilities(value):
            yield Finding(f"Helm release {_workload_name(res)} sets {path}: "
                          f"{', '.join(dangerous_capabilities(value))}", cap_fix)
    docker = _service_spec(res)
    if docker is None:
        return
    name = _docker_name(res)
    if res.type == "docker:index/container:Container":
        # The DinD nodes are named after their swarm node (manager-1, worker-2), possibly behind a
        # stack prefix such as dockyard-local-manager-1.
        if any(name == n or name.endswith("-" + n) for n in ctx.privileged_allowed):
            return
        allowed = ", ".join(sorted(ctx.privileged_allowed)) or "none in this stack"
        if docker.get("privileged") is True:
            yield Finding(f"container {name} runs privileged (allowed: the local swarm's DinD nodes: {allowed})",
                          "run it unprivileged; only the local swarm's Docker-in-Docker nodes may be privileged")
        caps, what = dig(docker, "capabilities", "adds"), "container"
    else:
        caps, what = docker.get("capAdds"), "swarm service"
    bad = dangerous_capabilities(caps)
    if bad:
        yield Finding(f"{what} {name} adds capability {', '.join(bad)}", cap_fix)


@rule("no-host-root-or-docker-socket", "No Docker container or swarm service binds the host's root or the Docker socket (on Kubernetes every hostPath is refused: k8s-no-hostpath)")
def no_host_root_or_socket(res: Resource, ctx: Context) -> Iterable[Finding]:
    if res.type == "docker:index/volume:Volume":
        opts = res.inputs.get("driverOpts") or {}
        if isinstance(opts, Mapping) and "bind" in str(opts.get("o", "")).split(","):
            why = dangerous_host_path(opts.get("device"))
            if why:
                yield Finding(f"volume {_docker_name(res)} binds {opts.get('device')} ({why})",
                              "use a named volume without a bind device, or bind a folder of the app's own")
        return
    what = "swarm service" if res.type == "docker:index/service:Service" else "container"
    for where, path in _docker_host_paths(res):
        why = dangerous_host_path(path)
        if why:
            yield Finding(f"{what} {_docker_name(res)} {where} binds {path} ({why})",
                          "use a named volume, a config or a secret; never hand a container the host's "
                          "root or the Docker API")


@rule("k8s-no-hostpath", "No Kubernetes workload or volume mounts a hostPath")
def no_hostpath(res: Resource, ctx: Context) -> Iterable[Finding]:
    spec = _pod_spec(res)
    if spec is not None:
        for v in as_list(spec.get("volumes")):
            if isinstance(v, Mapping) and v.get("hostPath") is not None:
                yield Finding(f"volume {v.get('name', '?')} of {_workload_name(res)} is a hostPath "
                              f"({dig(v, 'hostPath', 'path', default='?')})",
                              "use an emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret instead")
    for path, key, value in _helm_values(res):
        if key == "hostPath" and value not in (None, False, {}, ""):
            yield Finding(f"Helm release {_workload_name(res)} sets {path}",
                          "use the chart's persistence through a PersistentVolumeClaim instead")
    if res.type == "kubernetes:core/v1:PersistentVolume" and res.get("spec", "hostPath") is not None:
        yield Finding(f"PersistentVolume {_workload_name(res)} is backed by a hostPath",
                      "use the cluster's storage class through a PersistentVolumeClaim")


@rule("k8s-loadbalancer-only-when-asked", "Kubernetes Services of type LoadBalancer exist only where the config asked for them")
def loadbalancer_when_asked(res: Resource, ctx: Context) -> Iterable[Finding]:
    for path, key, value in _helm_values(res):
        if key in ("type", "serviceType") and value == "LoadBalancer":
            ns, name = res.get("namespace") or "default", _workload_name(res)
            if (ns, name) not in ctx.load_balancers and ("*", name) not in ctx.load_balancers:
                yield Finding(f"Helm release {ns}/{name} asks for a LoadBalancer ({path}) the config did not ask for",
                              "use ClusterIP (reach it with `kubectl proxy` or `kubectl port-forward`)")
    if res.type != "kubernetes:core/v1:Service" or res.get("spec", "type") != "LoadBalancer":
        return
    name = _workload_name(res)
    ns = res.get("metadata", "namespace") or "default"
    if (ns, name) in ctx.load_balancers or ("*", name) in ctx.load_balancers:
        return
    asked = ", ".join(f"{n}/{s}" for n, s in sorted(ctx.load_balancers)) or "none"
    yield Finding(f"Service {ns}/{name} is a LoadBalancer the config did not ask for (asked: {asked})",
                  "make it ClusterIP or NodePort, or ask for it in the config (sock-shop's serviceType, "
                  "or the compose label kompose.service.type: LoadBalancer)")


# --- 9. keys, tokens and kubeconfigs only in secret outputs ------------------------------------

#: Outputs that carry credentials, per resource type (provider schemas; pulumi_eks's kubeconfig
#: embeds the cluster's auth settings and Dockyard treats every kubeconfig as a secret).
SENSITIVE_OUTPUTS = {
    "tls:index/privateKey:PrivateKey": ("privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"),
    "digitalocean:index/kubernetesCluster:KubernetesCluster": ("kubeConfigs",),
    "kubernetes:core/v1:Secret": ("data", "stringData"),
    "aws:iam/accessKey:AccessKey": ("secret",),
    "random:index/randomPassword:RandomPassword": ("result",),
    "eks:index:Cluster": ("kubeconfig", "kubeconfigJson"),
}
#: A command that prints one of these gives a credential on stdout.
_CREDENTIAL_COMMAND = re.compile(
    r"join-token|kubeconfig|\.kube/config|admin\.conf|key\.pem|-----BEGIN|get-credentials|"
    r"get-token|cat\s+\S*\.key\b", re.I)
#: Input names that hold credentials (Docker provider key material, kubeconfig of a provider...).
_SENSITIVE_INPUTS = {"keyMaterial", "kubeconfig", "password", "privateKey", "token", "registryAuth"}
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_PEM_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
#: A real swarm join token (not the text "SWMTKN-" in a script that checks for one).
_SWARM_TOKEN = re.compile(r"SWMTKN-1-[0-9a-z]{20,}-[0-9a-z]{10,}")


def _sensitive_name(key: str) -> bool:
    words = {w.lower() for w in _WORD.findall(key)} | {key.lower()}
    if words & {"public", "id", "name", "arn", "url", "fingerprint", "pair", "path", "file", "command", "cmd",
                "hint", "usage", "type", "kind", "ttl", "expiry", "expires"}:
        return False
    return bool(words & {"key", "token", "kubeconfig", "password", "passwd", "secret", "credentials",
                         "credential", "kubeconfigs", "kubeconfigjson", "privatekeypem"})


def _looks_secret(text: str) -> bool:
    return bool(_PEM_KEY.search(text)) or bool(_SWARM_TOKEN.search(text)) or (
        "clusters:" in text and ("client-key-data" in text or "token:" in text))


@rule("secrets-only-in-secret-outputs", "Keys, tokens and kubeconfigs appear only in secret outputs")
def secret_outputs(res: Resource, ctx: Context) -> Iterable[Finding]:
    wanted = list(SENSITIVE_OUTPUTS.get(res.type, ()))
    if res.type in ("command:local:Command", "command:remote:Command"):
        scripts = " ".join(str(res.inputs.get(k) or "") for k in ("create", "update"))
        if _CREDENTIAL_COMMAND.search(scripts):
            wanted.append("stdout")
    missing = [o for o in wanted if o not in res.secret_outputs]
    if missing:
        yield Finding(f"output(s) {', '.join(missing)} carry credentials but are not secret",
                      f"pass opts=ResourceOptions(additional_secret_outputs={missing!r})")
    # Inputs: visible only where the source keeps secret markers (the offline preview).
    if res.raw_inputs is not None:
        for key, value in res.raw_inputs.items():
            if key in _SENSITIVE_INPUTS and isinstance(value, str) and value and not is_opaque(value):
                yield Finding(f"input {key} holds a credential in plain text",
                              "wrap it with pulumi.Output.secret(...) so that state and previews hide it")
        for path, text in walk_strings(res.raw_inputs):
            if path.split(".")[0].split("[")[0] not in _SENSITIVE_INPUTS and _looks_secret(text):
                yield Finding(f"input {path} holds a private key, swarm token or kubeconfig in plain text",
                              "wrap it with pulumi.Output.secret(...) so that state and previews hide it")


def stack_output_findings(outputs: Mapping[str, Any] | None) -> list[Finding]:
    """Stack outputs: anything named like a credential, or that looks like one, must be secret.

    Offline only: the policy engine hands stack outputs with secrets already unwrapped, so a pack
    cannot tell a secret output from a plain one (pulumi_policy/deserialize.py).
    """
    found: list[Finding] = []

    def walk(value: Any, path: str, named: bool):
        if is_secret_wrapper(value) or value == "[secret]":
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k), named or _sensitive_name(str(k)))
            return
        if isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]", named)
            return
        if value in (None, "", False) or is_opaque(value):
            return
        if named or (isinstance(value, str) and _looks_secret(value)):
            found.append(Finding(f"stack output {path} holds a key, token or kubeconfig in plain text",
                                 "export it with pulumi.Output.secret(...) (pulumi stack output "
                                 "--show-secrets still shows it to its owner)"))

    walk(outputs or {}, "", False)
    return found


# --- 10-11. managed Kubernetes clusters --------------------------------------------------------


def _api_sources_ok(cidrs: list, ctx: Context) -> list[str]:
    """CIDRs of an API allow-list that fall outside adminCidrs."""
    return [str(c) for c in cidrs if not _admin_ok(source(str(c)), ctx)]


@rule("managed-cluster-rbac-identity", "Managed Kubernetes clusters run with RBAC and a managed identity")
def cluster_rbac(res: Resource, ctx: Context) -> Iterable[Finding]:
    t, i = res.type, res.inputs
    if t == "azure-native:containerservice:ManagedCluster":
        if i.get("enableRBAC") is not True:
            yield Finding("AKS cluster without enableRBAC: true", "set enable_rbac=True")
        if str(dig(i, "identity", "type", default="")).lower() not in ("systemassigned", "userassigned"):
            yield Finding("AKS cluster without a managed identity (identity.type)",
                          "set identity=ManagedClusterIdentityArgs(type='SystemAssigned')")
        if dig(i, "aadProfile", "enableAzureRBAC") is False and i.get("enableRBAC") is not True:
            yield Finding("AKS cluster with neither Kubernetes nor Azure RBAC", "set enable_rbac=True")
    elif t == "gcp:container/cluster:Cluster":
        if i.get("enableLegacyAbac") is True:
            yield Finding("GKE cluster with legacy ABAC on (RBAC bypassed)", "set enable_legacy_abac=False")
        if not dig(i, "workloadIdentityConfig", "workloadPool"):
            yield Finding("GKE cluster without workload identity",
                          "set workload_identity_config.workload_pool to PROJECT.svc.id.goog")
        if dig(i, "masterAuth", "clientCertificateConfig", "issueClientCertificate") is True:
            yield Finding("GKE cluster issues a static client certificate",
                          "set master_auth.client_certificate_config.issue_client_certificate=False")
    elif t == "aws:eks/cluster:Cluster":
        mode = dig(i, "accessConfig", "authenticationMode")
        if mode is not None and str(mode) not in ("API", "API_AND_CONFIG_MAP", "CONFIG_MAP"):
            yield Finding(f"EKS cluster with unknown authentication mode {mode}", "use authenticationMode API")


@rule("managed-cluster-api-restricted", "A managed cluster's API endpoint is reachable from adminCidrs only, where the cloud allows it")
def cluster_api(res: Resource, ctx: Context) -> Iterable[Finding]:
    t, i = res.type, res.inputs
    fix = "restrict the API endpoint to dockyard:adminCidrs"
    if t in ("aws:eks/cluster:Cluster", "eks:index:Cluster"):
        vpc = dig(i, "vpcConfig", default={}) if t == "aws:eks/cluster:Cluster" else i
        vpc = vpc if isinstance(vpc, Mapping) else {}
        if vpc.get("endpointPublicAccess", True) is not False:
            cidrs = as_list(vpc.get("publicAccessCidrs")) or ["0.0.0.0/0"]  # AWS's default
            bad = _api_sources_ok(cidrs, ctx)
            if bad:
                yield Finding(f"EKS public endpoint open to {', '.join(bad)}", fix + " (publicAccessCidrs)")
    elif t == "azure-native:containerservice:ManagedCluster":
        if dig(i, "apiServerAccessProfile", "enablePrivateCluster") is not True:
            ranges = as_list(dig(i, "apiServerAccessProfile", "authorizedIPRanges"))
            bad = _api_sources_ok(ranges or ["0.0.0.0/0"], ctx)
            if bad:
                yield Finding(f"AKS API server open to {', '.join(bad)}",
                              fix + " (apiServerAccessProfile.authorizedIPRanges)")
    elif t == "gcp:container/cluster:Cluster":
        if dig(i, "privateClusterConfig", "enablePrivateEndpoint") is not True:
            blocks = [dig(b, "cidrBlock") for b in as_list(dig(i, "masterAuthorizedNetworksConfig", "cidrBlocks"))]
            bad = _api_sources_ok([b for b in blocks if b] or ["0.0.0.0/0"], ctx)
            if bad:
                yield Finding(f"GKE control plane open to {', '.join(bad)}",
                              fix + " (masterAuthorizedNetworksConfig.cidrBlocks)")
    elif t == "digitalocean:index/kubernetesCluster:KubernetesCluster":
        enabled = dig(i, "controlPlaneFirewall", "enabled") is True
        allowed = as_list(dig(i, "controlPlaneFirewall", "allowedAddresses")) if enabled else ["0.0.0.0/0"]
        # The firewall is invite-only: a stack that leaves it off (the default, with a warning)
        # cannot do better; one that turns it on must admit adminCidrs only.
        bad = [] if not enabled and ctx.doks_api_open else _api_sources_ok(allowed, ctx)
        if bad:
            yield Finding(f"DOKS control plane open to {', '.join(bad)}",
                          fix + " (controlPlaneFirewall with enabled: true and allowedAddresses)")

