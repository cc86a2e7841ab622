"""Passing and failing cases for every guardrail, as data.

Both test suites use these: tests/guardrails/test_rules.py feeds them to ``guardrails.evaluate`` as
preview resources (the offline path), and policy/tests/test_policy_pack.py feeds them to the
policy pack's analyzer as protobuf requests (the path of ``pulumi preview --policy-pack policy``).
This module is plain data on the standard library, so that both virtualenvs can import it.

Each resource is a preview-JSON dict; a secret input value is wrapped in :class:`Secret` (as the
offline engine records it; the policy tests send it as the wire's secret envelope).
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any


class Secret:
    """A secret value (name and ``.value`` as dockyard.engine.Secret)."""

    def __init__(self, value: Any):
        self.value = value

    def __repr__(self) -> str:
        return "[secret]"


ADMIN = {"adminCidrs": ["198.51.100.0/24"], "adminCidrsExplicit": True}
OPEN_ADMIN = {"adminCidrs": ["0.0.0.0/0", "::/0"], "adminCidrsExplicit": True}
DEFAULT_ADMIN = {"adminCidrs": ["0.0.0.0/0"], "adminCidrsExplicit": False}
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


@dataclass
class Case:
    id: str
    rule: str
    expect: bool  # True: the rule must report a violation; False: nothing at all may be reported
    resources: list[dict]
    context: dict = field(default_factory=lambda: dict(ADMIN))
    outputs: dict | None = None
    #: False where the policy engine cannot see what the rule needs (it unwraps secrets before a
    #: policy runs, so plain-vs-secret is invisible to a pack).
    policy: bool = True


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::dockyard::{type_}::{name}"


def res(type_: str, name: str, inputs: dict, **extra) -> dict:
    return {"urn": urn(type_, name), "type": type_, "name": name, "parent": None, "custom": True,
            "inputs": inputs, "dependencies": extra.pop("dependencies", []),
            "propertyDependencies": extra.pop("propertyDependencies", {}),
            "secretOutputs": extra.pop("secretOutputs", []), **extra}


# --- documents a host's provisioning carries ----------------------------------------------------

GOOD_DAEMON = {"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"], "tlsverify": True,
               "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/server.pem",
               "tlskey": "/etc/docker/server-key.pem", "labels": ["provider=digitalocean"]}
PLAIN_DAEMON = {**GOOD_DAEMON, "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]}
NO_VERIFY_DAEMON = {k: v for k, v in GOOD_DAEMON.items() if k != "tlsverify"}
#: Flatcar: systemd hands dockerd its sockets, so daemon.json has no "hosts".
FLATCAR_DAEMON = {k: v for k, v in GOOD_DAEMON.items() if k != "hosts"}


def cloud_config(daemon: dict, b64: bool = False) -> str:
    body = json.dumps(daemon, indent=2)
    if b64:
        entry = (f"  - path: /etc/docker/daemon.json\n    encoding: b64\n"
                 f"    content: {base64.b64encode(body.encode()).decode()}\n")
    else:
        entry = "  - path: /etc/docker/daemon.json\n    content: |\n" + "".join(
            f"      {line}\n" for line in body.splitlines())
    return ("#cloud-config\npackages: [docker-ce]\nwrite_files:\n" + entry
            + "  - path: /etc/docker/server-key.pem\n    permissions: '0600'\n    content: |\n"
              "      -----BEGIN RSA PRIVATE KEY-----\n      MIIEow\n      -----END RSA PRIVATE KEY-----\n")


def ignition(daemon: dict | None, dropin: str | None = None, gz: bool = False, socket_port: int | None = None) -> str:
    files = []
    if daemon is not None:
        body = json.dumps(daemon).encode()
        if gz:
            source = "data:;base64," + base64.b64encode(gzip.compress(body)).decode()
            contents = {"source": source, "compression": "gzip"}
        else:
            contents = {"source": "data:," + urllib.parse.quote(body.decode())}
        files.append({"path": "/etc/docker/daemon.json", "mode": 420, "contents": contents})
    units = []
    if dropin is not None:
        units.append({"name": "docker.service", "enabled": True,
                      "dropins": [{"name": "10-dockyard.conf", "contents": dropin}]})
    if socket_port is not None:
        units.append({"name": "docker-tls-tcp.socket", "enabled": True,
                      "contents": f"[Unit]\nDescription=Docker TLS socket\n[Socket]\nListenStream={socket_port}\n"
                                  "BindIPv6Only=both\nService=docker.service\n[Install]\nWantedBy=sockets.target\n"})
    return json.dumps({"ignition": {"version": "3.3.0"}, "storage": {"files": files},
                       "systemd": {"units": units}})


def droplet(name: str, user_data: str) -> dict:
    return res("digitalocean:index/droplet:Droplet", name,
               {"image": "ubuntu-24-04-x64", "region": "nyc3", "size": "s-1vcpu-1gb",
                "userData": Secret(user_data)})


def do_firewall(name: str, *rules: tuple) -> dict:
    inbound = []
    for proto, port, sources in rules:
        r = {"protocol": proto, "sourceAddresses": [s for s in sources if "/" in s or ":" in s]}
        tags = [s for s in sources if "/" not in s and ":" not in s]
        if tags:
            r["sourceTags"] = tags
        if port is not None:
            r["portRange"] = port
        inbound.append(r)
    return res("digitalocean:index/firewall:Firewall", name, {"name": name, "inboundRules": inbound})


def aws_sg(name: str, *ingress: dict) -> dict:
    return res("aws:ec2/securityGroup:SecurityGroup", name, {"ingress": list(ingress), "egress": []})


def nsg(name: str, *rules: dict) -> dict:
    full = []
    for n, r in enumerate(rules):
        full.append({"name": f"rule-{n}", "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                     "priority": 100 + n, "sourcePortRange": "*", "destinationAddressPrefix": "*", **r})
    return res("azure-native:network:NetworkSecurityGroup", name,
               {"resourceGroupName": "rg", "securityRules": full})


def gcp_fw(name: str, allows: list[dict], **kw) -> dict:
    return res("gcp:compute/firewall:Firewall", name, {"network": "default", "allows": allows, **kw})


def deployment(name: str, pod: dict, ns: str = "sock-shop") -> dict:
    return res("kubernetes:apps/v1:Deployment", name,
               {"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"name": name}},
                         "template": {"metadata": {"labels": {"name": name}}, "spec": pod}}})


def container(name: str, **sc) -> dict:
    c = {"name": name, "image": f"weaveworksdemos/{name}:0.4.8", "ports": [{"containerPort": 80}]}
    if sc:
        c["securityContext"] = sc
    return c


def k8s_service(name: str, type_: str, ns: str = "sock-shop") -> dict:
    return res("kubernetes:core/v1:Service", name,
               {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
                "spec": {"type": type_, "ports": [{"port": 80, "targetPort": 8079}],
                         "selector": {"name": "front-end"}}})


def dashboard(values: dict) -> dict:
    return res("kubernetes:helm.sh/v3:Release", "kubernetes-dashboard",
               {"chart": "kubernetes-dashboard", "name": "kubernetes-dashboard", "namespace": "kubernetes-dashboard",
                "version": "7.13.0", "values": values})


def swarm_service(name: str, mounts: list | None = None, **spec) -> dict:
    """A swarm service as SwarmStack declares it (pulumi_docker wire names)."""
    cs = {"image": "russmckendrick/cluster:latest", **spec}
    if mounts is not None:
        cs["mounts"] = mounts
    return res("docker:index/service:Service", name,
               {"name": f"cluster_{name}", "taskSpec": {"containerSpec": cs},
                "mode": {"replicated": {"replicas": 1}}})


def bind(source: str, target: str = "/host") -> dict:
    return {"type": "bind", "source": source, "target": target}


def ecs_stack(*extra: dict, role_inputs: dict | None = None, attach: tuple[str, ...] = (EXEC_POLICY,),
              secrets: tuple[str, ...] = ()) -> list[dict]:
    role = res("aws:iam/role:Role", "cluster-execution-role",
               {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [
                   {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole"}]}), **(role_inputs or {})})
    task_role = res("aws:iam/role:Role", "cluster-task-role", {"assumeRolePolicy": "{}"})
    attachments = [
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"cluster-execution-policy-{n}",
            {"role": "cluster-execution-role-1234567", "policyArn": arn},
            propertyDependencies={"role": [role["urn"]]}, dependencies=[role["urn"]])
        for n, arn in enumerate(attach)
    ]
    td = res("aws:ecs/taskDefinition:TaskDefinition", "cluster-task",
             {"family": "cluster-task", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
              "cpu": "256", "memory": "512",
              "executionRoleArn": "arn:aws:iam::123456789012:role/cluster-execution-role-1234567",
              "taskRoleArn": "arn:aws:iam::123456789012:role/cluster-task-role-7654321",
              "containerDefinitions": json.dumps([{"name": "cluster-container", "image": "russmckendrick/cluster:latest",
                                                   **({"secrets": [{"name": f"S{i}", "valueFrom": arn}
                                                                   for i, arn in enumerate(secrets)]} if secrets else {})}])},
             propertyDependencies={"executionRoleArn": [role["urn"]], "taskRoleArn": [task_role["urn"]]},
             dependencies=[role["urn"], task_role["urn"]])
    return [role, task_role, *attachments, *extra, td]


def secrets_policy(statement: dict) -> dict:
    """The execution role's inline policy (as FargateApp writes it for secretEnv) with ``statement``."""
    return res("aws:iam/rolePolicy:RolePolicy", "cluster-execution-secrets",
               {"role": "cluster-execution-role-1234567",
                "policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})},
               propertyDependencies={"role": [urn("aws:iam/role:Role", "cluster-execution-role")]})


#: An SSM parameter ARN in the China partition, and the managed policies of the other partitions.
CN_PARAMETER = "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/dockyard/dev/cluster/cluster/API_TOKEN"
EXEC_POLICY_CN = EXEC_POLICY.replace("arn:aws:", "arn:aws-cn:")
EXEC_POLICY_GOV = EXEC_POLICY.replace("arn:aws:", "arn:aws-us-gov:")


def paths(value, path=()):
    """Every path into a JSON-like value (for making each input unknown in turn)."""
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*path, i))


def replaced(value, path, new):
    """A copy of ``value`` with the node at ``path`` replaced by ``new``."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (replaced(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(replaced(v, rest, new) if i == head else v) for i, v in enumerate(value)]


KUBECONFIG = ("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://203.0.113.9'}\n"
              "users:\n- name: u\n  user: {token: abc.def}\n")
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"

CASES: list[Case] = [
    # --- docker-api-tls -----------------------------------------------------------------------
    Case("cloud-init daemon.json with tlsverify on 2376", "docker-api-tls", False,
         [droplet("docker-digitalocean", cloud_config(GOOD_DAEMON))]),
    Case("cloud-init daemon.json on 2375", "docker-api-tls", True,
         [droplet("docker-digitalocean", cloud_config(PLAIN_DAEMON))]),
    Case("cloud-init base64 daemon.json without tlsverify", "docker-api-tls", True,
         [droplet("docker-digitalocean", cloud_config(NO_VERIFY_DAEMON, b64=True))]),
    Case("Ignition daemon.json data URL with tlsverify (gzip)", "docker-api-tls", False,
         [droplet("docker-flatcar", ignition(GOOD_DAEMON, gz=True))]),
    Case("Flatcar: socket unit on 2376 and daemon.json with tlsverify (hosts from systemd)", "docker-api-tls", False,
         [droplet("docker-flatcar", ignition(FLATCAR_DAEMON, socket_port=2376))]),
    Case("Flatcar: socket unit on 2375", "docker-api-tls", True,
         [droplet("docker-flatcar", ignition(FLATCAR_DAEMON, socket_port=2375))]),
    Case("Flatcar: socket unit on 2376 without tlsverify anywhere", "docker-api-tls", True,
         [droplet("docker-flatcar", ignition({"labels": ["provider=digitalocean"], "tlscacert": "/etc/docker/ca.pem"},
                                             socket_port=2376))]),
    Case("Ignition daemon.json data URL on 2375", "docker-api-tls", True,
         [droplet("docker-flatcar", ignition(PLAIN_DAEMON))]),
    Case("Ignition drop-in dockerd -H tcp without tlsverify", "docker-api-tls", True,
         [droplet("docker-flatcar", ignition(None, "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd "
                                                   "-H fd:// -H tcp://0.0.0.0:2376\n"))]),
    Case("Ignition drop-in dockerd with --tlsverify", "docker-api-tls", False,
         [droplet("docker-flatcar", ignition(None, "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// "
                                                   "-H tcp://0.0.0.0:2376 --tlsverify --tlscacert=/etc/docker/ca.pem "
                                                   "--tlscert=/etc/docker/server.pem --tlskey=/etc/docker/key.pem\n"))]),
    Case("Azure customData (base64 cloud-config) with 2375", "docker-api-tls", True,
         [res("azure-native:compute:VirtualMachine", "docker-azure",
              {"osProfile": {"computerName": "docker-azure", "adminUsername": "ubuntu",
                             "customData": Secret(base64.b64encode(cloud_config(PLAIN_DAEMON).encode()).decode())}})]),
    Case("security group opening 2375 to the VPC", "docker-api-tls", True,
         [aws_sg("docker-aws", {"protocol": "tcp", "fromPort": 2375, "toPort": 2375, "cidrBlocks": ["10.0.0.0/16"]})]),
    Case("DinD container with DOCKER_TLS_CERTDIR emptied", "docker-api-tls", True,
         [res("docker:index/container:Container", "manager-1",
              {"name": "manager-1", "image": "docker:dind", "privileged": True, "envs": ["DOCKER_TLS_CERTDIR="]})],
         context={**ADMIN, "privilegedAllowed": ["manager-1"]}),
    Case("DinD node running its own dockerd with --tlsverify (entrypoint TLS off)", "docker-api-tls", False,
         [res("docker:index/container:Container", "swarm-manager-1",
              {"name": "dockyard-local-manager-1", "image": "docker:27-dind", "privileged": True,
               "envs": ["DOCKER_TLS_CERTDIR="],
               "command": ["dockerd", "--host=unix:///var/run/docker.sock", "--host=tcp://0.0.0.0:2376",
                           "--tlsverify", "--tlscacert=/certs/ca.pem", "--tlscert=/certs/cert.pem",
                           "--tlskey=/certs/key.pem"]})],
         context={**ADMIN, "privilegedAllowed": ["manager-1"]}),
    Case("DinD node running dockerd on tcp without --tlsverify", "docker-api-tls", True,
         [res("docker:index/container:Container", "swarm-manager-1",
              {"name": "dockyard-local-manager-1", "image": "docker:27-dind", "privileged": True,
               "command": ["dockerd", "--host=unix:///var/run/docker.sock", "--host=tcp://0.0.0.0:2376"]})],
         context={**ADMIN, "privilegedAllowed": ["manager-1"]}),
    Case("Docker provider over tcp without client certificates", "docker-api-tls", True,
         [res("pulumi:providers:docker", "swarm-manager", {"host": "tcp://203.0.113.10:2376"})]),
    Case("Docker provider over tcp with client certificates", "docker-api-tls", False,
         [res("pulumi:providers:docker", "swarm-manager",
              {"host": "tcp://203.0.113.10:2376", "caMaterial": "CA", "certMaterial": "CERT",
               "keyMaterial": Secret(PEM)})]),

    # --- admin-ports-from-admin-cidrs --------------------------------------------------------
    Case("DO firewall: 22 and 2376 from adminCidrs", "admin-ports-from-admin-cidrs", False,
         [do_firewall("docker-digitalocean", ("tcp", "22", ["198.51.100.0/24"]),
                      ("tcp", "2376", ["198.51.100.7/32"]))]),
    Case("AWS SG: SSH from everyone while adminCidrs is an office", "admin-ports-from-admin-cidrs", True,
         [aws_sg("docker-aws", {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]})]),
    Case("AWS SG: 2376 from a public range outside adminCidrs", "admin-ports-from-admin-cidrs", True,
         [aws_sg("docker-aws", {"protocol": "tcp", "fromPort": 2376, "toPort": 2376, "cidrBlocks": ["203.0.113.0/24"]})]),
    Case("GCP firewall: 2376 with no source (GCP means 0.0.0.0/0)", "admin-ports-from-admin-cidrs", True,
         [gcp_fw("docker-gcp", [{"protocol": "tcp", "ports": ["2376"]}])]),
    Case("GCP firewall: 22 and 2376 from adminCidrs", "admin-ports-from-admin-cidrs", False,
         [gcp_fw("docker-gcp", [{"protocol": "tcp", "ports": ["22", "2376"]}], sourceRanges=["198.51.100.0/24"])]),
    Case("Azure NSG: SSH from the Internet tag", "admin-ports-from-admin-cidrs", True,
         [nsg("docker-azure", {"destinationPortRange": "22", "sourceAddressPrefix": "Internet"})]),
    Case("Azure NSG: SSH from adminCidrs", "admin-ports-from-admin-cidrs", False,
         [nsg("docker-azure", {"destinationPortRange": "22", "sourceAddressPrefixes": ["198.51.100.0/24"]})]),
    Case("world SSH with adminCidrs unset", "admin-ports-from-admin-cidrs", True,
         [do_firewall("docker-digitalocean", ("tcp", "22", ["0.0.0.0/0", "::/0"]))], context=DEFAULT_ADMIN),
    Case("world SSH and 2376 when adminCidrs lists everyone on purpose", "admin-ports-from-admin-cidrs", False,
         [do_firewall("docker-digitalocean", ("tcp", "22", ["0.0.0.0/0", "::/0"]),
                      ("tcp", "2376", ["0.0.0.0/0", "::/0"]))], context=OPEN_ADMIN),
    Case("a custom sshPort open to everyone", "admin-ports-from-admin-cidrs", True,
         [do_firewall("docker-digitalocean", ("tcp", "2222", ["0.0.0.0/0"]))],
         context={**ADMIN, "sshPorts": [22, 2222]}),
    Case("swarm nodes reach each other on every port (self)", "admin-ports-from-admin-cidrs", False,
         [aws_sg("swarm-nodes", {"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True})]),
    Case("container publishes 2376 on all host addresses", "admin-ports-from-admin-cidrs", True,
         [res("docker:index/container:Container", "manager-1",
              {"name": "manager-1", "image": "docker:dind", "privileged": True,
               "ports": [{"internal": 2376, "external": 23761}]})],
         context={**ADMIN, "privilegedAllowed": ["manager-1"]}),
    Case("container publishes 2376 on loopback only", "admin-ports-from-admin-cidrs", False,
         [res("docker:index/container:Container", "manager-1",
              {"name": "manager-1", "image": "docker:dind", "privileged": True,
               "ports": [{"internal": 2376, "external": 23761, "ip": "127.0.0.1"}]})],
         context={**ADMIN, "privilegedAllowed": ["manager-1"]}),

    # --- swarm-ports-cluster-only ---------------------------------------------------------------
    Case("swarm ports between members (SG self, DO tags, VirtualNetwork, GCP tags)", "swarm-ports-cluster-only", False,
         [aws_sg("swarm-aws", {"protocol": "tcp", "fromPort": 2377, "toPort": 2377, "self": True},
                 {"protocol": "udp", "fromPort": 4789, "toPort": 4789, "self": True}),
          do_firewall("swarm-do", ("tcp", "7946", ["swarm"]), ("udp", "7946", ["swarm"]), ("udp", "4789", ["swarm"])),
          nsg("swarm-azure", {"destinationPortRanges": ["2377", "7946"], "sourceAddressPrefix": "VirtualNetwork"}),
          gcp_fw("swarm-gcp", [{"protocol": "udp", "ports": ["4789", "7946"]}], sourceTags=["swarm"])]),
    Case("DO firewall: 2377 open to everyone", "swarm-ports-cluster-only", True,
         [do_firewall("swarm-do", ("tcp", "2377", ["0.0.0.0/0"]))]),
    Case("GCP firewall: VXLAN 4789/udp from a public range", "swarm-ports-cluster-only", True,
         [gcp_fw("swarm-gcp", [{"protocol": "udp", "ports": ["4789"]}], sourceRanges=["203.0.113.0/24"])]),
    Case("Azure SecurityRule: 7946 from *", "swarm-ports-cluster-only", True,
         [res("azure-native:network:SecurityRule", "swarm-gossip",
              {"name": "gossip", "direction": "Inbound", "access": "Allow", "protocol": "*",
               "destinationPortRange": "7946", "sourceAddressPrefix": "*", "priority": 200})]),
    Case("AWS SG ingress rule: 2377 from admin CIDR is still beyond the cluster", "swarm-ports-cluster-only", True,
         [res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "swarm-2377",
              {"ipProtocol": "tcp", "fromPort": 2377, "toPort": 2377, "cidrIpv4": "198.51.100.0/24",
               "securityGroupId": "sg-1"})]),
    Case("local DinD node publishes 2377 on the host", "swarm-ports-cluster-only", True,
         [res("docker:index/container:Container", "manager-1",
              {"name": "manager-1", "image": "docker:dind", "privileged": True,
               "ports": [{"internal": 2377, "external": 2377, "ip": "127.0.0.1"}]})],
         context={**ADMIN, "privilegedAllowed": ["manager-1"]}),

    # --- no-world-open-ingress ------------------------------------------------------------------
    Case("published app port 80 open to everyone", "no-world-open-ingress", False,
         [do_firewall("swarm-do", ("tcp", "80", ["0.0.0.0/0", "::/0"]))],
         context={**ADMIN, "publishedPorts": [80]}),
    Case("unpublished port 8080 open to everyone", "no-world-open-ingress", True,
         [do_firewall("swarm-do", ("tcp", "8080", ["0.0.0.0/0", "::/0"]))],
         context={**ADMIN, "publishedPorts": [80]}),
    Case("AWS SG: all traffic from everyone", "no-world-open-ingress", True,
         [aws_sg("anything", {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]})],
         context={**ADMIN, "publishedPorts": [80]}),
    Case("AWS SG rule: IPv6 world on a database port", "no-world-open-ingress", True,
         [res("aws:ec2/securityGroupRule:SecurityGroupRule", "db",
              {"type": "ingress", "protocol": "tcp", "fromPort": 5432, "toPort": 5432,
               "ipv6CidrBlocks": ["::/0"], "securityGroupId": "sg-1"})],
         context={**ADMIN, "publishedPorts": [80]}),
    Case("Azure NSG: * to *", "no-world-open-ingress", True,
         [nsg("anything", {"protocol": "*", "destinationPortRange": "*", "sourceAddressPrefix": "*"})]),
    Case("DO firewall: ICMP from everyone", "no-world-open-ingress", True,
         [do_firewall("docker-digitalocean", ("icmp", None, ["0.0.0.0/0"]))]),
    Case("GCP firewall: published 80 and 443 from everyone", "no-world-open-ingress", False,
         [gcp_fw("web", [{"protocol": "tcp", "ports": ["80", "443"]}], sourceRanges=["0.0.0.0/0"])],
         context={**ADMIN, "publishedPorts": [80, 443]}),
    Case("load balancer SG open on its listener, tasks only from the load balancer", "no-world-open-ingress", False,
         [aws_sg("cluster-lb", {"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["0.0.0.0/0"],
                                "ipv6CidrBlocks": ["::/0"]}),
          aws_sg("cluster-tasks", {"protocol": "tcp", "fromPort": 80, "toPort": 80, "securityGroups": ["sg-lb"]})],
         context={**ADMIN, "publishedPorts": [80, 443]}),

    # --- ecs-execution-role-least-privilege ----------------------------------------------------
    Case("execution role with exactly the managed policy", "ecs-execution-role-least-privilege", False,
         ecs_stack()),
    Case("execution role with AdministratorAccess too", "ecs-execution-role-least-privilege", True,
         ecs_stack(attach=(EXEC_POLICY, "arn:aws:iam::aws:policy/AdministratorAccess"))),
    Case("execution role with an inline RolePolicy", "ecs-execution-role-least-privilege", True,
         ecs_stack(res("aws:iam/rolePolicy:RolePolicy", "cluster-execution-inline",
                       {"role": "cluster-execution-role-1234567", "policy": "{}"},
                       propertyDependencies={"role": [urn("aws:iam/role:Role", "cluster-execution-role")]}))),
    Case("execution role with managedPolicyArns beyond the execution policy", "ecs-execution-role-least-privilege", True,
         ecs_stack(role_inputs={"managedPolicyArns": [EXEC_POLICY, "arn:aws:iam::aws:policy/AmazonS3FullAccess"]},
                   attach=())),
    Case("execution role without the execution policy", "ecs-execution-role-least-privilege", True,
         ecs_stack(attach=())),
    Case("execution role with the managed policy of the China partition", "ecs-execution-role-least-privilege", False,
         ecs_stack(attach=(EXEC_POLICY_CN,))),
    Case("execution role with the managed policy of GovCloud", "ecs-execution-role-least-privilege", False,
         ecs_stack(attach=(EXEC_POLICY_GOV,))),
    Case("execution role reading exactly its task's secrets", "ecs-execution-role-least-privilege", False,
         ecs_stack(secrets_policy({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [CN_PARAMETER]}),
                   attach=(EXEC_POLICY_CN,), secrets=(CN_PARAMETER,))),
    Case("execution role reading a parameter its task does not use", "ecs-execution-role-least-privilege", True,
         ecs_stack(secrets_policy({"Effect": "Allow", "Action": ["ssm:GetParameters"],
                                   "Resource": [CN_PARAMETER, CN_PARAMETER.replace("API_TOKEN", "OTHER")]}),
                   attach=(EXEC_POLICY_CN,), secrets=(CN_PARAMETER,))),
    Case("execution role reading every parameter", "ecs-execution-role-least-privilege", True,
         ecs_stack(secrets_policy({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": "*"}),
                   secrets=(CN_PARAMETER,))),
    Case("execution role granted more than reading its secrets", "ecs-execution-role-least-privilege", True,
         ecs_stack(secrets_policy({"Effect": "Allow", "Action": ["ssm:GetParameters", "ssm:PutParameter"],
                                   "Resource": [CN_PARAMETER]}), secrets=(CN_PARAMETER,))),
    Case("execution role with a managed policy of an unknown partition", "ecs-execution-role-least-privilege", True,
         ecs_stack(attach=(EXEC_POLICY.replace("arn:aws:", "arn:aws-xx:"),))),
    Case("execution role from outside the stack", "ecs-execution-role-least-privilege", True,
         [res("aws:ecs/taskDefinition:TaskDefinition", "cluster-task",
              {"family": "cluster-task", "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
               "containerDefinitions": "[]"})]),

    # --- no-privileged-containers ----------------------------------------------------------------
    Case("sock-shop style workload, unprivileged", "no-privileged-containers", False,
         [deployment("carts", {"containers": [container("carts", runAsNonRoot=True, readOnlyRootFilesystem=True,
                                                        capabilities={"drop": ["all"], "add": ["NET_BIND_SERVICE"]})]})]),
    Case("Deployment container privileged", "no-privileged-containers", True,
         [deployment("carts", {"containers": [container("carts", privileged=True)]})]),
    Case("CronJob init container privileged", "no-privileged-containers", True,
         [res("kubernetes:batch/v1:CronJob", "backup",
              {"metadata": {"name": "backup"},
               "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
                   "restartPolicy": "Never",
                   "initContainers": [container("prep", privileged=True)],
                   "containers": [container("backup")]}}}}}})]),
    Case("local swarm DinD node privileged, excepted by name", "no-privileged-containers", False,
         [res("docker:index/container:Container", "manager-1",
              {"name": "manager-1", "image": "docker:dind", "privileged": True})],
         context={**ADMIN, "privilegedAllowed": ["manager-1", "worker-1"]}),
    Case("DinD node named with the stack prefix, excepted", "no-privileged-containers", False,
         [res("docker:index/container:Container", "swarm-worker-2",
              {"name": "dockyard-local-worker-2", "image": "docker:dind", "privileged": True})],
         context={**ADMIN, "privilegedAllowed": ["manager-1", "worker-1", "worker-2"]}),
    Case("a privileged container borrowing no node's name", "no-privileged-containers", True,
         [res("docker:index/container:Container", "swarm-worker-9",
              {"name": "dockyard-local-worker-9", "image": "docker:dind", "privileged": True})],
         context={**ADMIN, "privilegedAllowed": ["manager-1", "worker-1", "worker-2"]}),
    Case("some other container privileged", "no-privileged-containers", True,
         [res("docker:index/container:Container", "helper",
              {"name": "helper", "image": "busybox", "privileged": True})],
         context={**ADMIN, "privilegedAllowed": ["manager-1", "worker-1"]}),

    Case("Helm values that make a chart's container privileged", "no-privileged-containers", True,
         [dashboard({"metricsScraper": {"containerSecurityContext": {"privileged": True}}})]),

    # the same rule for swarm services and Docker containers: capabilities that give the host away
    Case("swarm service adds NET_ADMIN only", "no-privileged-containers", False,
         [swarm_service("web", capAdds=["NET_ADMIN", "NET_BIND_SERVICE"], capDrops=["ALL"])]),
    Case("swarm service adds SYS_ADMIN", "no-privileged-containers", True,
         [swarm_service("web", capAdds=["SYS_ADMIN"])]),
    Case("swarm service adds all capabilities (privileged in all but name)", "no-privileged-containers", True,
         [swarm_service("web", capAdds=["all"])]),
    Case("swarm service adds cap_sys_admin, spelt with the prefix", "no-privileged-containers", True,
         [swarm_service("web", capAdds=["cap_sys_admin"])]),
    Case("Kubernetes container adds SYS_ADMIN", "no-privileged-containers", True,
         [deployment("carts", {"containers": [container("carts", capabilities={"add": ["SYS_ADMIN"]})]})]),
    Case("Kubernetes init container adds ALL", "no-privileged-containers", True,
         [deployment("carts", {"initContainers": [container("prep", capabilities={"add": ["ALL"]})],
                               "containers": [container("carts")]})]),
    Case("Docker container adds ALL", "no-privileged-containers", True,
         [res("docker:index/container:Container", "helper",
              {"name": "helper", "image": "busybox", "capabilities": {"adds": ["ALL"]}})]),
    Case("Helm values that add SYS_ADMIN", "no-privileged-containers", True,
         [dashboard({"app": {"containerSecurityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}})]),

    # --- no-host-root-or-docker-socket ------------------------------------------------------------
    Case("swarm service binds a folder of its own and a named volume", "no-host-root-or-docker-socket", False,
         [swarm_service("web", [bind("/srv/cluster/data", "/data"), bind("/var/run/app", "/run/app"),
                                {"type": "volume", "source": "cluster_redis", "target": "/redis",
                                 "volumeOptions": {"driverOptions": {"type": "tmpfs", "device": "tmpfs"}}}])]),
    Case("swarm service binds the host's root", "no-host-root-or-docker-socket", True,
         [swarm_service("web", [bind("/")])]),
    Case("swarm service binds the host's root spelt //", "no-host-root-or-docker-socket", True,
         [swarm_service("web", [bind("//")])]),
    Case("swarm service binds the root through ..", "no-host-root-or-docker-socket", True,
         [swarm_service("web", [bind("/var/run/../../")])]),
    Case("swarm service binds the Docker socket", "no-host-root-or-docker-socket", True,
         [swarm_service("visualizer", [bind("/var/run/docker.sock", "/var/run/docker.sock")])]),
    Case("swarm service binds /run/docker.sock", "no-host-root-or-docker-socket", True,
         [swarm_service("visualizer", [bind("/run/docker.sock", "/var/run/docker.sock")])]),
    Case("swarm service binds /run, which holds the Docker socket", "no-host-root-or-docker-socket", True,
         [swarm_service("web", [bind("/run/", "/hostrun")])]),
    Case("swarm service mounts a local volume that binds the host's root", "no-host-root-or-docker-socket", True,
         [swarm_service("web", [{"type": "volume", "source": "cluster_root", "target": "/host",
                                 "volumeOptions": {"driverOptions": {"type": "none", "o": "bind", "device": "/"}}}])]),
    Case("Docker volume that binds /var/run", "no-host-root-or-docker-socket", True,
         [res("docker:index/volume:Volume", "sock", {"name": "sock", "driver": "local",
                                                     "driverOpts": {"type": "none", "o": "bind", "device": "/var/run"}})]),
    Case("Docker container with the Docker socket as a host volume", "no-host-root-or-docker-socket", True,
         [res("docker:index/container:Container", "helper",
              {"name": "helper", "image": "busybox",
               "volumes": [{"hostPath": "/var/run/docker.sock", "containerPath": "/var/run/docker.sock"}]})]),
    Case("Docker container binding the root through mounts", "no-host-root-or-docker-socket", True,
         [res("docker:index/container:Container", "helper",
              {"name": "helper", "image": "busybox", "mounts": [bind("/")]})]),

    # --- k8s-no-hostpath ----------------------------------------------------------------------
    Case("emptyDir volume", "k8s-no-hostpath", False,
         [deployment("carts", {"containers": [container("carts")], "volumes": [{"name": "tmp", "emptyDir": {"medium": "Memory"}}]})]),
    Case("hostPath volume in a Deployment", "k8s-no-hostpath", True,
         [deployment("carts", {"containers": [container("carts")],
                               "volumes": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]})]),
    Case("hostPath PersistentVolume", "k8s-no-hostpath", True,
         [res("kubernetes:core/v1:PersistentVolume", "data",
              {"metadata": {"name": "data"}, "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                                      "hostPath": {"path": "/data"}}})]),

    Case("Helm values mounting a hostPath", "k8s-no-hostpath", True,
         [dashboard({"app": {"extraVolumes": [{"name": "h", "hostPath": {"path": "/etc"}}]}})]),

    # --- k8s-loadbalancer-only-when-asked -----------------------------------------------------
    Case("front-end-lb asked for by the sock-shop config", "k8s-loadbalancer-only-when-asked", False,
         [k8s_service("front-end-lb", "LoadBalancer")],
         context={**ADMIN, "loadBalancers": [["sock-shop", "front-end-lb"]]}),
    Case("a LoadBalancer nobody asked for", "k8s-loadbalancer-only-when-asked", True,
         [k8s_service("catalogue", "LoadBalancer")],
         context={**ADMIN, "loadBalancers": [["sock-shop", "front-end-lb"]]}),
    Case("front-end-lb on a local cluster asked for nothing", "k8s-loadbalancer-only-when-asked", True,
         [k8s_service("front-end-lb", "LoadBalancer")]),
    Case("NodePort front end on a local cluster", "k8s-loadbalancer-only-when-asked", False,
         [k8s_service("front-end-lb", "NodePort")]),

    Case("dashboard chart with its proxy on ClusterIP", "k8s-loadbalancer-only-when-asked", False,
         [dashboard({"app": {"ingress": {"enabled": False}}, "kong": {"proxy": {"type": "ClusterIP"}}})]),
    Case("dashboard chart exposing its proxy as a LoadBalancer", "k8s-loadbalancer-only-when-asked", True,
         [dashboard({"kong": {"proxy": {"type": "LoadBalancer"}}})],
         context={**ADMIN, "loadBalancers": [["sock-shop", "front-end-lb"]]}),

    # --- secrets-only-in-secret-outputs --------------------------------------------------------
    Case("TLS private key with its PEM outputs secret", "secrets-only-in-secret-outputs", False,
         [res("tls:index/privateKey:PrivateKey", "ca-key", {"algorithm": "ECDSA", "ecdsaCurve": "P256"},
              secretOutputs=["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"])]),
    Case("TLS private key whose PEM output is not secret", "secrets-only-in-secret-outputs", True,
         [res("tls:index/privateKey:PrivateKey", "ca-key", {"algorithm": "ECDSA"}, secretOutputs=["privateKeyOpenssh"])]),
    Case("swarm join-token command with secret stdout", "secrets-only-in-secret-outputs", False,
         [res("command:remote:Command", "worker-token",
              {"create": "docker swarm join-token -q worker", "connection": Secret({"host": "203.0.113.5"})},
              secretOutputs=["connection", "stdout"])]),
    Case("swarm join-token command with plain stdout", "secrets-only-in-secret-outputs", True,
         [res("command:remote:Command", "worker-token",
              {"create": "docker swarm join-token -q worker", "connection": Secret({"host": "203.0.113.5"})},
              secretOutputs=["connection"])]),
    Case("join script that checks for a token it reads from secret stdin", "secrets-only-in-secret-outputs", False,
         [res("command:remote:Command", "worker-1-join",
              {"create": 'read -r T; case "$T" in SWMTKN-*) ;; *) exit 1 ;; esac; docker swarm join --token "$T" 10.0.0.2',
               "stdin": Secret("SWMTKN-1-" + "a" * 50 + "-" + "b" * 25)}, secretOutputs=["connection"])]),
    Case("join script with the token written into it", "secrets-only-in-secret-outputs", True,
         [res("command:remote:Command", "worker-1-join",
              {"create": "docker swarm join --token SWMTKN-1-" + "a" * 50 + "-" + "b" * 25 + " 10.0.0.2"},
              secretOutputs=["connection"])], policy=False),
    Case("a command that prints how to get a token is not a token", "secrets-only-in-secret-outputs", False,
         [], outputs={"kubernetes": {"dashboard": {"tokenCommand": "kubectl -n kubernetes-dashboard create token viewer"}}},
         policy=False),
    Case("pulumi_eks Cluster whose kubeconfigJson is not secret", "secrets-only-in-secret-outputs", True,
         [res("eks:index:Cluster", "eks", {"vpcId": "vpc-1", "publicAccessCidrs": ["198.51.100.0/24"]},
              secretOutputs=["kubeconfig"])]),
    Case("kubeconfig stack output secret", "secrets-only-in-secret-outputs", False,
         [], outputs={"kubeconfig": Secret(KUBECONFIG), "hosts": {"docker-aws": {"ip": "203.0.113.4"}}}, policy=False),
    Case("kubeconfig stack output in plain text", "secrets-only-in-secret-outputs", True,
         [], outputs={"kubeconfig": KUBECONFIG}, policy=False),
    Case("a private key in an innocently named stack output", "secrets-only-in-secret-outputs", True,
         [], outputs={"hosts": {"docker-aws": {"notes": PEM}}}, policy=False),
    Case("Docker provider key material in plain text", "secrets-only-in-secret-outputs", True,
         [res("pulumi:providers:docker", "swarm-manager",
              {"host": "tcp://203.0.113.10:2376", "caMaterial": "CA", "certMaterial": "CERT", "keyMaterial": PEM})],
         policy=False),

    # --- managed-cluster-rbac-identity --------------------------------------------------------
    Case("AKS with RBAC and a system-assigned identity", "managed-cluster-rbac-identity", False,
         [res("azure-native:containerservice:ManagedCluster", "aks",
              {"enableRBAC": True, "identity": {"type": "SystemAssigned"},
               "apiServerAccessProfile": {"authorizedIPRanges": ["198.51.100.0/24"]}})]),
    Case("AKS without RBAC", "managed-cluster-rbac-identity", True,
         [res("azure-native:containerservice:ManagedCluster", "aks",
              {"enableRBAC": False, "identity": {"type": "SystemAssigned"},
               "apiServerAccessProfile": {"authorizedIPRanges": ["198.51.100.0/24"]}})]),
    Case("AKS with a service principal instead of an identity", "managed-cluster-rbac-identity", True,
         [res("azure-native:containerservice:ManagedCluster", "aks",
              {"enableRBAC": True, "servicePrincipalProfile": {"clientId": "x", "secret": Secret("y")},
               "apiServerAccessProfile": {"authorizedIPRanges": ["198.51.100.0/24"]}})]),
    Case("GKE with workload identity and no legacy ABAC", "managed-cluster-rbac-identity", False,
         [res("gcp:container/cluster:Cluster", "gke",
              {"workloadIdentityConfig": {"workloadPool": "dockyard-dev.svc.id.goog"}, "enableLegacyAbac": False,
               "masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "198.51.100.0/24", "displayName": "admin"}]}})]),
    Case("GKE with legacy ABAC", "managed-cluster-rbac-identity", True,
         [res("gcp:container/cluster:Cluster", "gke",
              {"workloadIdentityConfig": {"workloadPool": "dockyard-dev.svc.id.goog"}, "enableLegacyAbac": True,
               "masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "198.51.100.0/24"}]}})]),
    Case("GKE without workload identity", "managed-cluster-rbac-identity", True,
         [res("gcp:container/cluster:Cluster", "gke",
              {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "198.51.100.0/24"}]}})]),

    # --- managed-cluster-api-restricted -------------------------------------------------------
    Case("EKS public endpoint limited to adminCidrs", "managed-cluster-api-restricted", False,
         [res("aws:eks/cluster:Cluster", "eks",
              {"roleArn": "arn:aws:iam::1:role/eks", "vpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": True,
                                                                 "publicAccessCidrs": ["198.51.100.0/24"]}})]),
    Case("EKS public endpoint with AWS's default 0.0.0.0/0", "managed-cluster-api-restricted", True,
         [res("aws:eks/cluster:Cluster", "eks",
              {"roleArn": "arn:aws:iam::1:role/eks", "vpcConfig": {"subnetIds": ["subnet-1"]}})]),
    Case("pulumi_eks Cluster component without publicAccessCidrs", "managed-cluster-api-restricted", True,
         [res("eks:index:Cluster", "eks", {"vpcId": "vpc-1", "endpointPublicAccess": True},
              secretOutputs=["kubeconfig", "kubeconfigJson"])]),
    Case("pulumi_eks Cluster component restricted", "managed-cluster-api-restricted", False,
         [res("eks:index:Cluster", "eks", {"vpcId": "vpc-1", "publicAccessCidrs": ["198.51.100.0/24"]},
              secretOutputs=["kubeconfig", "kubeconfigJson"])]),
    Case("AKS without authorized IP ranges", "managed-cluster-api-restricted", True,
         [res("azure-native:containerservice:ManagedCluster", "aks",
              {"enableRBAC": True, "identity": {"type": "SystemAssigned"}})]),
    Case("GKE with a private endpoint", "managed-cluster-api-restricted", False,
         [res("gcp:container/cluster:Cluster", "gke",
              {"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"},
               "privateClusterConfig": {"enablePrivateEndpoint": True, "enablePrivateNodes": True}})]),
    # Private nodes alone leave the control plane's public endpoint up: only enablePrivateEndpoint
    # takes it off the internet (cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept,
    # read 2026-12-03).
    Case("GKE with private nodes but a public endpoint open to all", "managed-cluster-api-restricted", True,
         [res("gcp:container/cluster:Cluster", "gke",
              {"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"},
               "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": False}})]),
    Case("GKE authorized networks of IPv4 and IPv6 admin blocks", "managed-cluster-api-restricted", False,
         [res("gcp:container/cluster:Cluster", "gke",
              {"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"},
               "masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "198.51.100.0/24"},
                                                                 {"cidrBlock": "2001:db8:1::/48"}]}})],
         context={"adminCidrs": ["2001:db8::/32", "198.51.100.0/24"], "adminCidrsExplicit": True}),
    Case("GKE authorized networks with an IPv6 block outside adminCidrs", "managed-cluster-api-restricted", True,
         [res("gcp:container/cluster:Cluster", "gke",
              {"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"},
               "masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "198.51.100.0/24"},
                                                                 {"cidrBlock": "2001:db9::/32"}]}})],
         context={"adminCidrs": ["2001:db8::/32", "198.51.100.0/24"], "adminCidrsExplicit": True}),
    Case("GKE open control plane", "managed-cluster-api-restricted", True,
         [res("gcp:container/cluster:Cluster", "gke", {"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"}})]),
    Case("DOKS without a control-plane firewall", "managed-cluster-api-restricted", True,
         [res("digitalocean:index/kubernetesCluster:KubernetesCluster", "doks",
              {"region": "nyc3", "version": "1.31.1-do.0", "nodePool": {"name": "default", "size": "s-2vcpu-4gb", "nodeCount": 2}},
              secretOutputs=["kubeConfigs"])]),
    Case("DOKS with a control-plane firewall for adminCidrs", "managed-cluster-api-restricted", False,
         [res("digitalocean:index/kubernetesCluster:KubernetesCluster", "doks",
              {"region": "nyc3", "version": "1.31.1-do.0",
               "controlPlaneFirewall": {"enabled": True, "allowedAddresses": ["198.51.100.0/24"]}},
              secretOutputs=["kubeConfigs"])]),
    # kubernetes.controlPlaneFirewall off (the default: the firewall is invite-only on DigitalOcean).
    Case("DOKS open API when the stack leaves the invite-only firewall off", "managed-cluster-api-restricted",
         False, [res("digitalocean:index/kubernetesCluster:KubernetesCluster", "doks", {"region": "nyc3"},
                     secretOutputs=["kubeConfigs"])], context={**ADMIN, "doksApiOpen": True}),
    Case("DOKS with the firewall on but open beyond adminCidrs", "managed-cluster-api-restricted", True,
         [res("digitalocean:index/kubernetesCluster:KubernetesCluster", "doks",
              {"region": "nyc3", "controlPlaneFirewall": {"enabled": True, "allowedAddresses": ["0.0.0.0/0"]}},
              secretOutputs=["kubeConfigs"])], context={**ADMIN, "doksApiOpen": True}),
    Case("DOKS open API when adminCidrs lists everyone on purpose", "managed-cluster-api-restricted", False,
         [res("digitalocean:index/kubernetesCluster:KubernetesCluster", "doks", {"region": "nyc3"},
              secretOutputs=["kubeConfigs"])], context=OPEN_ADMIN),
]

RULE_IDS = sorted({c.rule for c in CASES})
