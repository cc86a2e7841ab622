"""Mock values for the swarm area: Docker-in-Docker nodes (pulumi_docker) and the bootstrap
commands (pulumi_command).

The command mocks answer like the generated scripts do on a first run (components/swarm/scripts.py):
a probe prints ``none``, the init (bootstrap) script prints the cluster ID, manager IDs, node ID and
the two join tokens as JSON, a join script prints the node's swarm ID, the reconcile script what
it changed, the converge script ``converged``. Which script a command runs is read from the
``STEP=`` line every script starts with, not from the resource name.
"""

from __future__ import annotations

import hashlib
import re

from dockyard.mocks.registry import invoke, resource_outputs

_STEP = re.compile(r"^STEP='?([a-z-]+)'?$", re.M)
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(ctx, n: int, salt: str) -> str:
    return "".join(_B36[int(c, 16) % 36] for c in ctx.hex(n, salt))


def _script_output(ctx, inputs: dict) -> str:
    step = _STEP.search(inputs.get("create") or "")
    if not step:
        return ""
    if step.group(1) == "init":
        # The bootstrap's JSON line: cluster and node IDs (25 base36 chars, as Docker prints
        # them) and SWMTKN-1-<50 base36 chars of cluster CA digest>-<25 chars of secret>.
        mt = f"SWMTKN-1-{_b36(ctx, 50, 'ca')}-{_b36(ctx, 25, 'manager')}"
        wt = f"SWMTKN-1-{_b36(ctx, 50, 'ca')}-{_b36(ctx, 25, 'worker')}"
        node = _b36(ctx, 25, "node-id")
        return (f'{{"clusterId":"{_b36(ctx, 25, "cluster")}","managerIds":["{node}"],'
                f'"managerToken":"{mt}","nodeId":"{node}","workerToken":"{wt}"}}\n')
    if step.group(1) == "join":
        return _b36(ctx, 25, "node-id") + "\n"
    if step.group(1) == "probe":
        return "none\n"  # a fresh engine: the swarm's first run
    if step.group(1) == "converge":
        return "converged\n"
    return "unchanged\n"


@resource_outputs("command:local:Command", "command:remote:Command")
def _command(ctx, inputs):
    return {"stdout": _script_output(ctx, inputs), "stderr": ""}


@resource_outputs("docker:index/container:Container")
def _container(ctx, inputs):
    networks = inputs.get("networksAdvanced") or []
    datas = [
        {"networkName": n.get("name"),
         "ipAddress": n.get("ipv4Address") or f"172.30.0.{2 + ctx.number(250, 'ip' + str(i))}",
         "ipPrefixLength": 24, "gateway": "172.30.0.1", "macAddress": "02:42:ac:1e:00:" + ctx.hex(2, str(i))}
        for i, n in enumerate(networks)
    ]
    ports = []
    for i, p in enumerate(inputs.get("ports") or []):
        port = {"protocol": "tcp", "ip": "0.0.0.0", **p}
        if not port.get("external"):
            port["external"] = 32768 + ctx.number(28000, f"port{i}")
        ports.append(port)
    return {"id": ctx.hex(64, "id"), "networkDatas": datas, "ports": ports, "exitCode": None}


# Docker's own name rule for containers, networks, services, configs and secrets
# (moby daemon/names: "[a-zA-Z0-9][a-zA-Z0-9_.-]", read 2026-12-02).
_DOCKER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")


def _docker_name(ctx, inputs) -> str:
    name = inputs.get("name") or ctx.name
    if not _DOCKER_NAME.match(name):
        raise ctx.refuse(f"invalid name {name!r}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    return name


@resource_outputs("docker:index/service:Service")
def _service(ctx, inputs):
    # A swarm object id: 25 base36 characters (what `docker service create` prints).
    _docker_name(ctx, inputs)
    out = {"id": _b36(ctx, 25, "service")}
    endpoint = dict(inputs.get("endpointSpec") or {})
    if endpoint.get("ports"):
        # Ingress-mode ports without a published port get one from 30000-32767, as swarm assigns.
        endpoint["ports"] = [{"protocol": "tcp", "publishMode": "ingress", **p,
                              "publishedPort": p.get("publishedPort") or 30000 + ctx.number(2768, f"pub{i}")}
                             for i, p in enumerate(endpoint["ports"])]
        out["endpointSpec"] = {"mode": "vip", **endpoint}
    return out


@resource_outputs("docker:index/serviceConfig:ServiceConfig", "docker:index/secret:Secret")
def _swarm_data(ctx, inputs):
    _docker_name(ctx, inputs)
    return {"id": _b36(ctx, 25, "data")}


# The reference grammar a registry accepts (distribution/reference, reference.go: lower-case path
# components separated by . _ __ or dashes, an optional host[:port] first, a tag of word characters,
# dots and dashes up to 128; read 2026-12-03). Anything else is "invalid reference format".
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(rf"(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?{_COMPONENT}(?:/{_COMPONENT})*"
                        r"(?::[\w][\w.-]{0,127})?")


def registry_digest(reference: str) -> str:
    """The digest the registry serves for a reference: one per reference, the same on every run
    (a registry whose tag has not moved), never derived from the resource asking for it."""
    return "sha256:" + hashlib.sha256(f"registry|{reference}".encode()).hexdigest()


@invoke("docker:index/getRegistryImage:getRegistryImage")
def _registry_image(ctx, args):
    name = args.get("name") or ""
    if "@" in name or not _REFERENCE.fullmatch(name):
        raise ctx.refuse(f"invalid reference format: {name!r} (getRegistryImage resolves a name:tag)")
    return {"id": registry_digest(name), "name": name, "sha256Digest": registry_digest(name),
            "insecureSkipVerify": bool(args.get("insecureSkipVerify"))}


@resource_outputs("docker:index/remoteImage:RemoteImage")
def _remote_image(ctx, inputs):
    name = inputs.get("name", "").split("@")[0]
    head, _, last = name.rpartition("/")
    repo = (head + "/" if head else "") + last.split(":")[0]
    return {"imageId": "sha256:" + ctx.hex(64, "image"), "repoDigest": f"{repo}@{registry_digest(name)}"}


@resource_outputs("docker:index/volume:Volume")
def _volume(ctx, inputs):
    return {"driver": "local", "mountpoint": f"/var/lib/docker/volumes/{inputs.get('name', ctx.name)}/_data"}


@resource_outputs("docker:index/network:Network")
def _network(ctx, inputs):
    return {"id": ctx.hex(64, "id"), "scope": inputs.get("driver") == "overlay" and "swarm" or "local"}


# --- Azure: swarm networking (components/swarm/azure_net.py) ------------------------------------


def _azure_child_ids(base: str, items, kind: str) -> list:
    return [{**item, "id": f"{base}/{kind}/{item.get('name')}"} for item in items or []]


@resource_outputs("azure-native:network:LoadBalancer")
def _azure_lb(ctx, inputs):
    name = inputs.get("loadBalancerName") or f"{ctx.name}{ctx.hex(8, 'name')}"
    rg = inputs.get("resourceGroupName", "rg")
    base = (f"/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/{rg}"
            f"/providers/Microsoft.Network/loadBalancers/{name}")
    return {"id": base, "name": name,
            "backendAddressPools": _azure_child_ids(base, inputs.get("backendAddressPools"), "backendAddressPools"),
            "frontendIPConfigurations": _azure_child_ids(base, inputs.get("frontendIPConfigurations"),
                                                         "frontendIPConfigurations"),
            "provisioningState": "Succeeded"}


@resource_outputs("azure-native:network:ApplicationSecurityGroup")
def _azure_asg(ctx, inputs):
    name = inputs.get("applicationSecurityGroupName") or f"{ctx.name}{ctx.hex(8, 'name')}"
    rg = inputs.get("resourceGroupName", "rg")
    return {"id": f"/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/{rg}"
                  f"/providers/Microsoft.Network/applicationSecurityGroups/{name}", "name": name}
