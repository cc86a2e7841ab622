"""SwarmCluster and SwarmStack under the shared mock engine: what they would create.

Expected values come from the issue and Docker's documentation (ports, the book's stack), never
from the code under test: counts are derived from the node counts, ports from Docker's "open
protocols and ports" list.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from components import config as C
from components.errors import ConfigError, InputError
from components.swarm import SwarmCluster, SwarmClusterArgs
from dockyard.engine import Secret

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROVIDERS = {"aws:region": "us-east-1", "azure-native:location": "westeurope",
             "gcp:project": "dockyard-test", "gcp:region": "europe-west1"}
# Docker docs, "Open protocols and ports between the hosts" (swarm tutorial).
SWARM_PORTS = {("tcp", 2377), ("tcp", 7946), ("udp", 7946), ("udp", 4789)}
CMD_LOCAL = "command:local:Command"
CMD_REMOTE = "command:remote:Command"


def run_swarm(mock_engine, swarm: dict, admin=None, stack="test", allow_outside=()):
    raw = {"swarm": swarm}
    if admin:
        raw["adminCidrs"] = admin
    if allow_outside:  # compose files in a test's tmp_path, outside the project
        raw["allowFilesOutsideProject"] = [str(p) for p in allow_outside]
    cfg = C.validate(raw, PROVIDERS, project_dir=ROOT)
    holder = {}

    def program():
        import pulumi

        cluster = SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, stack, project_dir=ROOT))
        holder["cluster"] = cluster
        pulumi.export("swarm", cluster.swarm)

    result = mock_engine.run(program, stack=stack, config=dict(PROVIDERS))
    return result


def plain_strings(value, path=""):
    """Every string reachable without unwrapping a Secret."""
    if isinstance(value, Secret):
        return
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from plain_strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from plain_strings(v, f"{path}[{i}]")


def depth(result) -> int:
    """Longest chain of dependencies (explicit and through Outputs) in the resource graph."""
    by_urn = {r.urn: r for r in result.resources}
    memo: dict[str, int] = {}

    def d(urn: str) -> int:
        if urn not in memo:
            deps = [u for u in by_urn[urn].dependencies if u in by_urn]
            memo[urn] = 1 + max((d(u) for u in deps), default=0)
        return memo[urn]

    return max(d(u) for u in by_urn)


def command_text(reg) -> str:
    return reg.inputs["create"]


# --- resource counts --------------------------------------------------------------------------


# Commands: a probe per manager but manager-1, the init (bootstrap), a join per other node, the
# reconcile, and the converge wait after the stack's services; per node but manager-1 a leave (on
# the node) and a forget (on manager-1) that act when Pulumi deletes them; on clouds also each
# DockerHost's TLS delivery (one per node).
@pytest.mark.parametrize("swarm,expect", [
    ({"cloud": "local", "managers": 1, "workers": 2}, {"docker:index/container:Container": 3,
                                                       "docker:index/volume:Volume": 3, CMD_LOCAL: 1 + 2 + 1 + 1 + 2 * 2}),
    ({"cloud": "local", "managers": 3, "workers": 4}, {"docker:index/container:Container": 7, CMD_LOCAL: 2 + 1 + 6 + 1 + 1 + 2 * 6}),
    ({"cloud": "digitalocean", "managers": 1, "workers": 2},
     {"dockyard:index:DockerHost": 3, "digitalocean:index/droplet:Droplet": 3, CMD_REMOTE: 5 + 3 + 2 * 2}),
    ({"cloud": "aws", "managers": 3, "workers": 5, "size": "t3.micro", "loadBalancer": True},
     {"dockyard:index:DockerHost": 8, "aws:ec2/instance:Instance": 8, CMD_REMOTE: 2 + 1 + 7 + 1 + 1 + 8 + 2 * 7,
      "aws:lb/loadBalancer:LoadBalancer": 1, "aws:lb/listener:Listener": 1,
      "aws:lb/targetGroupAttachment:TargetGroupAttachment": 8}),
    ({"cloud": "azure", "managers": 1, "workers": 2, "size": "Standard_D2s_v3", "loadBalancer": True},
     {"dockyard:index:DockerHost": 3, "azure-native:network:LoadBalancer": 1,
      "azure-native:compute:VirtualMachine": 3, CMD_REMOTE: 5 + 3 + 2 * 2}),
])
def test_resource_counts(mock_engine, swarm, expect):
    result = run_swarm(mock_engine, swarm)
    counts = Counter(result.types())
    for type_, n in expect.items():
        assert counts[type_] == n, (type_, counts[type_])
    assert counts["dockyard:index:SwarmCluster"] == 1
    # The default stack: the book's cluster app, one Service.
    assert counts["dockyard:index:SwarmStack"] == 1
    assert counts["docker:index/service:Service"] == 1
    if swarm["cloud"] == "local":
        for t in ("pulumi_aws", "aws:", "azure-native:", "gcp:", "digitalocean:"):
            assert not any(x.startswith(t) for x in counts)


def test_local_stack_never_imports_cloud_sdks():
    code = ("import sys; from dockyard import preview; preview.preview('local'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pulumi_aws','pulumi_azure_native','pulumi_gcp','pulumi_digitalocean')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


# --- graph depth ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cloud", ["local", "digitalocean"])
def test_graph_depth_does_not_grow_with_workers(mock_engine, cloud):
    small = run_swarm(mock_engine, {"cloud": cloud, "managers": 3, "workers": 5, "stacks": []})
    large = run_swarm(mock_engine, {"cloud": cloud, "managers": 3, "workers": 50, "stacks": []})
    assert len(large.resources) > len(small.resources)
    assert depth(small) == depth(large)
    # Every worker joins right after init, not after another worker.
    cmd = CMD_LOCAL if cloud == "local" else CMD_REMOTE
    init = large.get(cmd, "swarm-init").urn
    for i in range(1, 51):
        join = large.get(cmd, f"swarm-worker-{i}-join")
        joins = [u for u in join.dependencies if u.endswith("-join")]
        assert joins == [] and init in join.dependencies


def test_managers_join_one_after_another(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "local", "managers": 5, "workers": 1, "stacks": []})
    prev = result.get(CMD_LOCAL, "swarm-init").urn
    for i in range(2, 6):
        join = result.get(CMD_LOCAL, f"swarm-manager-{i}-join")
        assert prev in join.dependencies
        prev = join.urn
    reconcile = result.get(CMD_LOCAL, "swarm-reconcile")
    joins = {r.urn for r in result.of_type(CMD_LOCAL) if r.name.endswith("-join")}
    assert joins <= set(reconcile.dependencies)


# --- secrets --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cloud", ["local", "aws"])
def test_join_tokens_are_secret_everywhere(mock_engine, cloud):
    swarm = {"cloud": cloud, "managers": 3, "workers": 2}
    result = run_swarm(mock_engine, swarm)
    cmd = CMD_LOCAL if cloud == "local" else CMD_REMOTE
    init = result.get(cmd, "swarm-init")
    assert "stdout" in init.secret_outputs
    assert isinstance(init.outputs["stdout"], Secret)
    tokens = json.loads(init.outputs["stdout"].value)
    assert tokens["workerToken"].startswith("SWMTKN-") and tokens["managerToken"].startswith("SWMTKN-")
    # Logs of the init command carry stderr only; nothing passes the previous stdout along.
    assert init.inputs["logging"] == "stderr"
    assert init.inputs["addPreviousOutputInEnv"] is False
    for node, kind in (("manager-2", "managerToken"), ("worker-1", "workerToken")):
        join = result.get(cmd, f"swarm-{node}-join")
        assert isinstance(join.inputs["stdin"], Secret)
        assert join.inputs["stdin"].value.strip() == tokens[kind]
        assert "environment" not in join.inputs  # remote env needs AcceptEnv; stdin works everywhere
    # No token appears anywhere in plain text: inputs, outputs, stack outputs, script text.
    secrets = [tokens["workerToken"], tokens["managerToken"]]
    leaks = []
    for reg in result.resources:
        for where, text in [*plain_strings(reg.inputs, "inputs"), *plain_strings(reg.outputs, "outputs")]:
            if any(t in text for t in secrets):
                leaks.append((reg.name, where))
    leaks += [("stack", w) for w, t in plain_strings(result.outputs) if any(s in t for s in secrets)]
    assert leaks == []
    assert isinstance(result.outputs["swarm"]["clientKeyPem"], Secret)


# --- scripts wired as configured -------------------------------------------------------------------


def test_init_and_join_advertise_private_addresses(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "aws", "managers": 1, "workers": 1, "size": "t3.micro"})
    m1_eni = result.get("aws:ec2/networkInterface:NetworkInterface", "swarm-manager-1-eni").outputs["privateIp"]
    # A worker has no ENI of its own (no Elastic IP): its addresses are the instance's.
    w1_vm = result.get("aws:ec2/instance:Instance", "swarm-worker-1")
    w1_private = w1_vm.outputs["privateIp"]
    init = command_text(result.get(CMD_REMOTE, "swarm-init"))
    assert f"ADDR={m1_eni}\n" in init and "swarm init --advertise-addr" in init
    join = command_text(result.get(CMD_REMOTE, "swarm-worker-1-join"))
    # The only manager is the address to join through.
    assert f"ADDR={w1_private}\n" in join and f"JOIN_ADDRS={m1_eni}\n" in join
    conn = result.get(CMD_REMOTE, "swarm-worker-1-join").inputs["connection"]
    # The connection holds the generated private key, so the engine keeps all of it secret.
    assert isinstance(conn, Secret)
    conn = conn.value
    assert conn["host"] == w1_vm.outputs["publicIp"] and conn["user"] == "ubuntu"
    assert conn["privateKey"].startswith("-----BEGIN OPENSSH PRIVATE KEY")


def test_reconcile_follows_nodes_config_and_only_it_changes(mock_engine):
    base = {"cloud": "local", "managers": 1, "workers": 3, "stacks": []}
    changed = dict(base, nodes={"worker-2": {"role": "manager"}, "worker-3": {"role": "manager"},
                                "worker-1": {"availability": "drain", "labels": {"zone": "a"}}})
    a = run_swarm(mock_engine, base)
    b = run_swarm(mock_engine, changed)
    rec = command_text(b.get(CMD_LOCAL, "swarm-reconcile"))
    w = {n: b.get(CMD_LOCAL, f"swarm-{n}-join").outputs["stdout"].strip() for n in ("worker-1", "worker-2")}
    assert f"apply_node worker-1 {w['worker-1']} drain zone=a\n" in rec
    assert f"promote_node worker-2 {w['worker-2']} manager\n" in rec
    assert "promote_node manager-1 self manager\n" in rec and "apply_node manager-1 self active\n" in rec
    # Every node's ID is kept; any other node in the swarm is pruned.
    assert f"KEEP='{w['worker-1']} {w['worker-2']} " in rec
    # Same resources; only the reconcile command's inputs differ (a config change is that change).
    assert [r.urn for r in a.resources] == [r.urn for r in b.resources]
    differing = [r.name for r, s in zip(a.resources, b.resources, strict=True) if r.inputs != s.inputs]
    assert differing == ["swarm-reconcile"]
    out = b.outputs["swarm"]["nodes"]
    assert out["worker-1"]["availability"] == "drain" and out["worker-1"]["labels"] == {"zone": "a"}
    assert out["worker-2"]["role"] == "manager" and out["manager-1"]["role"] == "manager"


# --- local Docker-in-Docker nodes -------------------------------------------------------------------


def test_local_nodes_are_tls_dind_on_a_private_network(mock_engine, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///run/dy-test/docker.sock")
    result = run_swarm(mock_engine, {"cloud": "local", "managers": 1, "workers": 2}, stack="local")
    nets = [n for n in result.of_type("docker:index/network:Network") if n.inputs.get("driver") == "bridge"]
    assert len(nets) == 1
    for name in ("manager-1", "worker-1", "worker-2"):
        c = result.get("docker:index/container:Container", f"swarm-{name}")
        assert c.inputs["privileged"] is True and c.inputs["image"].startswith("sha256:")
        assert c.inputs["hostname"] == name
        cmd = c.inputs["command"]
        assert "--tlsverify" in cmd and "--host=tcp://0.0.0.0:2376" in cmd
        assert not any("2375" in a for a in cmd)
        assert "DOCKER_TLS_CERTDIR=" in c.inputs["envs"]  # no fallback to a plain TCP socket
        uploads = {u["file"]: u for u in c.inputs["uploads"]}
        assert isinstance(uploads["/etc/docker/tls/server-key.pem"]["content"], Secret)
        ports = c.inputs.get("ports", [])
        if name == "manager-1":
            assert {(p["internal"], p["ip"]) for p in ports} == {(2376, "127.0.0.1"), (80, "127.0.0.1")}
            # The app's 80 on 8080 by default: local-k8s (Docker Desktop) serves localhost:80.
            assert next(p["external"] for p in ports if p["internal"] == 80) == 8080
            # A fixed host port: an ephemeral one would change when Docker restarts the container.
            api_host_port = next(p["external"] for p in ports if p["internal"] == 2376)
            assert 23760 <= api_host_port <= 23999
        else:
            assert ports == []  # workers publish nothing; swarm traffic stays on the bridge
        cmdres = result.get(CMD_LOCAL, "swarm-init" if name == "manager-1" else f"swarm-{name}-join")
        # docker exec goes to the engine DOCKER_HOST names, whatever the CLI's current context.
        assert cmdres.inputs["interpreter"] == ["docker", "--host", "unix:///run/dy-test/docker.sock", "exec", "-i",
                                                f"dockyard-local-{name}", "sh", "-c"]
        # ... and so do the node containers: one explicit provider, the same endpoint.
        provider = result.by_urn(c.provider)
        assert provider.type == "pulumi:providers:docker" and provider.inputs["host"] == "unix:///run/dy-test/docker.sock"
    # Static addresses inside the network's subnet: a restart cannot change what the swarm advertises.
    import ipaddress

    subnet = ipaddress.ip_network(nets[0].inputs["ipamConfigs"][0]["subnet"])
    addrs = {}
    for name in ("manager-1", "worker-1", "worker-2"):
        (net_cfg,) = result.get("docker:index/container:Container", f"swarm-{name}").inputs["networksAdvanced"]
        addrs[name] = net_cfg["ipv4Address"]
        assert ipaddress.ip_address(addrs[name]) in subnet
    assert len(set(addrs.values())) == 3
    assert f"ADDR={addrs['manager-1']}\n" in command_text(result.get(CMD_LOCAL, "swarm-init"))
    other = run_swarm(mock_engine, {"cloud": "local", "stacks": []}, stack="local-two")
    (other_net,) = [n for n in other.of_type("docker:index/network:Network") if n.inputs.get("driver") == "bridge"]
    assert other_net.inputs["ipamConfigs"][0]["subnet"] != str(subnet)
    assert other_net.inputs["name"] != nets[0].inputs["name"]
    image = result.get("docker:index/remoteImage:RemoteImage")
    assert image.inputs["name"].startswith("docker:") and image.inputs["name"].endswith("-dind")
    out = result.outputs["swarm"]
    api = result.get("docker:index/container:Container", "swarm-manager-1").outputs["ports"]
    api_port = int(next(p["external"] for p in api if p["internal"] == 2376))
    assert out["dockerHost"] == f"tcp://127.0.0.1:{api_port}"
    assert out["url"] == "http://127.0.0.1:8080/"
    assert sorted(out["nodes"]) == ["manager-1", "worker-1", "worker-2"]


# --- firewalls and security groups ------------------------------------------------------------------


def _aws_rules(result, name):
    return result.get("aws:ec2/securityGroup:SecurityGroup", name).inputs.get("ingress", [])


def _aws_node_net(result, node) -> tuple[list, str]:
    """(security group ids, subnet) of a node: on its ENI (managers) or its instance (workers)."""
    enis = [r for r in result.of_type("aws:ec2/networkInterface:NetworkInterface") if r.name == f"swarm-{node}-eni"]
    if enis:
        return enis[0].inputs["securityGroups"], enis[0].inputs["subnetId"]
    vm = result.get("aws:ec2/instance:Instance", f"swarm-{node}")
    return vm.inputs["vpcSecurityGroupIds"], vm.inputs["subnetId"]


def test_aws_swarm_ports_only_between_members_and_lb(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "aws", "managers": 3, "workers": 2, "size": "t3.micro",
                                     "loadBalancer": True, "publicCidrs": ["192.0.2.0/24"]},
                       admin=["198.51.100.0/24"])
    cluster_sg = result.get("aws:ec2/securityGroup:SecurityGroup", "swarm-cluster-sg").id
    lb_sg = result.get("aws:ec2/securityGroup:SecurityGroup", "swarm-lb-sg")
    for node in ("manager-1", "manager-2", "manager-3", "worker-1", "worker-2"):
        rules = _aws_rules(result, f"swarm-{node}-sg")
        peer = {(r["protocol"], r["fromPort"]) for r in rules if r.get("securityGroups") == [cluster_sg]}
        assert peer == SWARM_PORTS
        for r in rules:
            opened = (r["protocol"], r["fromPort"])
            if opened in SWARM_PORTS:
                assert "cidrBlocks" not in r and "ipv6CidrBlocks" not in r
            if r.get("cidrBlocks"):
                assert r["cidrBlocks"] == ["198.51.100.0/24"]  # only ssh / 2376 from adminCidrs
                assert r["fromPort"] in (22, 2376)
        assert cluster_sg in _aws_node_net(result, node)[0]
    # Published port 80: to the load balancer from publicCidrs, to the nodes only from the LB.
    assert [(r["protocol"], r["fromPort"], r["cidrBlocks"]) for r in lb_sg.inputs["ingress"]] == [
        ("tcp", 80, ["192.0.2.0/24"])]
    (from_lb,) = result.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert from_lb.inputs["securityGroupId"] == cluster_sg
    assert from_lb.inputs["referencedSecurityGroupId"] == lb_sg.id
    assert (from_lb.inputs["ipProtocol"], from_lb.inputs["fromPort"]) == ("tcp", 80)
    lb = result.get("aws:lb/loadBalancer:LoadBalancer")
    # An NLB sends traffic only to targets in the zones it is enabled in (ELB docs, "Availability
    # Zones for your Network Load Balancer"): several zones, every node's among them.
    assert lb.inputs["loadBalancerType"] == "network" and len(lb.inputs["subnets"]) >= 2
    for node in ("manager-1", "manager-2", "manager-3", "worker-1", "worker-2"):
        assert _aws_node_net(result, node)[1] in lb.inputs["subnets"]
    assert result.outputs["swarm"]["defaultDnsTarget"] == lb.outputs["dnsName"]
    assert result.outputs["swarm"]["url"] == f"http://{lb.outputs['dnsName']}/"
    # Nodes spread over the availability zones' subnets.
    subnets = {result.get("aws:ec2/networkInterface:NetworkInterface", f"swarm-{n}-eni").inputs["subnetId"]
               for n in ("manager-1", "manager-2", "manager-3")}
    assert len(subnets) == 3


def test_aws_without_lb_opens_published_ports_on_nodes(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "aws", "managers": 1, "workers": 1, "size": "t3.micro",
                                     "publicCidrs": ["192.0.2.0/24"]})
    assert result.of_type("aws:lb/loadBalancer:LoadBalancer") == []
    for node in ("manager-1", "worker-1"):
        rules = _aws_rules(result, f"swarm-{node}-sg")
        assert any(r["fromPort"] == 80 and r.get("cidrBlocks") == ["192.0.2.0/24"] for r in rules)


def test_digitalocean_firewall_admits_swarm_ports_by_tag(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "digitalocean", "managers": 1, "workers": 2},
                       admin=["198.51.100.0/24"])
    for node in ("manager-1", "worker-1", "worker-2"):
        fw = result.get("digitalocean:index/firewall:Firewall", f"swarm-{node}-fw")
        droplet = result.get("digitalocean:index/droplet:Droplet", f"swarm-{node}")
        tagged = {(r["protocol"], int(r["portRange"])) for r in fw.inputs["inboundRules"] if r.get("sourceTags")}
        assert tagged == SWARM_PORTS
        tag = next(r["sourceTags"] for r in fw.inputs["inboundRules"] if r.get("sourceTags"))[0]
        assert tag in droplet.inputs["tags"]
        for r in fw.inputs["inboundRules"]:
            if (r["protocol"], int(r.get("portRange", 0) or 0)) in SWARM_PORTS:
                assert "sourceAddresses" not in r
        assert any(r.get("portRange") == "80" and r.get("sourceAddresses") == ["0.0.0.0/0"]
                   for r in fw.inputs["inboundRules"])
    # The scripts advertise the droplet's private VPC address.
    private = result.get("digitalocean:index/droplet:Droplet", "swarm-manager-1").outputs["ipv4AddressPrivate"]
    assert f"ADDR={private}\n" in command_text(result.get(CMD_REMOTE, "swarm-init"))


def test_gcp_nodes_share_one_network(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "gcp", "managers": 1, "workers": 2},
                       admin=["198.51.100.0/24"])
    (net,) = [n for n in result.of_type("gcp:compute/network:Network")]
    (subnet,) = result.of_type("gcp:compute/subnetwork:Subnetwork")
    for node in ("manager-1", "worker-1", "worker-2"):
        inst = result.get("gcp:compute/instance:Instance", f"swarm-{node}")
        assert inst.inputs["networkInterfaces"][0]["subnetwork"] == subnet.id
        peers = result.get("gcp:compute/firewall:Firewall", f"swarm-{node}-fw-peers").inputs
        assert peers["network"] == net.id
        assert {(a["protocol"], int(a["ports"][0])) for a in peers["allows"]} == SWARM_PORTS
        assert peers.get("sourceRanges") is None and peers["sourceTags"] == ["dockyard-test-swarm"]


def test_azure_docker_for_azure_layout(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "azure", "managers": 3, "workers": 2, "size": "Standard_D2s_v3",
                                     "loadBalancer": True}, admin=["198.51.100.0/24"])
    asg = result.get("azure-native:network:ApplicationSecurityGroup").id
    for node in ("manager-1", "worker-1"):
        nsg = result.get("azure-native:network:NetworkSecurityGroup", f"swarm-{node}-nsg")
        rules = nsg.inputs["securityRules"]
        peer = {(r["protocol"].lower(), int(r["destinationPortRange"])) for r in rules
                if r.get("sourceApplicationSecurityGroups") == [{"id": asg}]}
        assert peer == SWARM_PORTS
        for r in rules:
            if r["access"] == "Allow" and r.get("sourceAddressPrefixes") == ["0.0.0.0/0"]:
                assert r["destinationPortRange"] == "80"  # only the published port is public
    lb = result.get("azure-native:network:LoadBalancer")
    assert lb.inputs["sku"]["name"] == "Standard"
    # One NAT rule per manager, ports from 50000 as Docker for Azure had, each on its manager's NIC.
    nats = {r["name"]: r for r in lb.inputs["inboundNatRules"]}
    assert {n: (r["frontendPort"], r["backendPort"], r["protocol"]) for n, r in nats.items()} == {
        "ssh-manager-1": (50000, 22, "Tcp"), "ssh-manager-2": (50001, 22, "Tcp"), "ssh-manager-3": (50002, 22, "Tcp")}
    assert [(r["frontendPort"], r["backendPort"]) for r in lb.inputs["loadBalancingRules"]] == [(80, 80)]
    for node, nat in (("manager-2", ["ssh-manager-2"]), ("worker-2", None)):
        nic = result.get("azure-native:network:NetworkInterface", f"swarm-{node}-nic")
        config = nic.inputs["ipConfigurations"][0]
        assert [i["id"].rsplit("/", 1)[1] for i in config["loadBalancerBackendAddressPools"]] == ["nodes"]
        rules = config.get("loadBalancerInboundNatRules")
        assert (rules and [i["id"].rsplit("/", 2)[1:] for i in rules]) == (nat and [["inboundNatRules", nat[0]]])
    lb_ip = result.get("azure-native:network:PublicIPAddress", "swarm-lb-ip").outputs["ipAddress"]
    assert result.outputs["swarm"]["url"] == f"http://{lb_ip}/"
    # One command per manager, each a command a shell runs: `ssh -p PORT user@host`.
    assert result.outputs["swarm"]["sshManagers"] == {
        "manager-1": f"ssh -p 50000 ubuntu@{lb_ip}",
        "manager-2": f"ssh -p 50001 ubuntu@{lb_ip}",
        "manager-3": f"ssh -p 50002 ubuntu@{lb_ip}",
    }


def test_no_rule_anywhere_opens_2375(mock_engine):
    for swarm in ({"cloud": "aws", "managers": 1, "workers": 1, "size": "t3.micro"},
                  {"cloud": "digitalocean", "managers": 1, "workers": 1},
                  {"cloud": "local", "managers": 1, "workers": 1}):
        result = run_swarm(mock_engine, swarm)
        text = json.dumps([r.inputs for r in result.resources], default=repr)
        assert "2375" not in text


# --- stacks: compose -> Services -------------------------------------------------------------------


def test_book_stack_is_the_default_and_maps_field_by_field(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "local"})
    provider = result.get("pulumi:providers:docker", "swarm-manager-1")
    assert isinstance(provider.inputs["keyMaterial"], Secret)
    assert provider.inputs["caMaterial"].startswith("-----BEGIN CERTIFICATE")
    assert provider.inputs["host"].startswith("tcp://127.0.0.1:")
    reconcile = result.get(CMD_LOCAL, "swarm-reconcile").urn
    assert reconcile in provider.dependencies
    svc = result.get("docker:index/service:Service")
    assert svc.provider == provider.urn
    i = svc.inputs
    # apps/cluster/docker-compose.yml, as the book wrote it (chapter 8).
    assert i["name"] == "cluster_cluster"
    # ... by the digest the registry serves for that tag (components/images.py)
    assert re.fullmatch(r"russmckendrick/cluster:latest@sha256:[0-9a-f]{64}", i["taskSpec"]["containerSpec"]["image"])
    assert i["mode"] == {"replicated": {"replicas": 6}}
    assert i["taskSpec"]["restartPolicy"]["condition"] == "on-failure"
    assert i["taskSpec"]["placement"]["constraints"] == ["node.role == worker"]
    assert i["endpointSpec"]["ports"] == [{"protocol": "tcp", "publishMode": "ingress", "publishedPort": 80,
                                           "targetPort": 80}]
    net = result.get("docker:index/network:Network", "swarm-cluster-net-default")
    assert net.inputs["driver"] == "overlay" and net.provider == provider.urn
    assert i["taskSpec"]["networksAdvanceds"][0]["id"] == net.id


def test_full_stack_mapping_and_unmappable_field_warning(mock_engine):
    stack = {"name": "full", "compose": str(FIXTURES / "full-stack.yml")}
    result = run_swarm(mock_engine, {"cloud": "local", "stacks": [stack]})
    web = result.get("docker:index/service:Service", "swarm-full-web").inputs
    agent = result.get("docker:index/service:Service", "swarm-full-agent").inputs
    ts = web["taskSpec"]
    assert web["mode"] == {"replicated": {"replicas": 3}}
    assert agent["mode"] == {"global": True}
    assert ts["placement"] == {"constraints": ["node.labels.zone == a"], "prefs": ["spread=node.labels.rack"]}
    assert ts["restartPolicy"] == {"condition": "on-failure", "maxAttempts": 3}
    assert web["updateConfig"] == {"parallelism": 2, "delay": "10s", "order": "start-first"}
    assert web["rollbackConfig"] == {"parallelism": 1}
    assert ts["resources"]["limits"] == {"nanoCpus": 500_000_000, "memoryBytes": 128 * 1024 * 1024}
    assert ts["containerSpec"]["env"] == {"MODE": "production"}
    assert ts["containerSpec"]["args"] == ["nginx", "-g", "daemon off;"]
    assert ts["containerSpec"]["healthcheck"]["tests"] == ["CMD", "wget", "-q", "-O-", "http://localhost/"]
    assert {"label": "tier", "value": "front"} in ts["containerSpec"]["labels"]
    assert {"label": "team", "value": "web"} in web["labels"]
    assert web["endpointSpec"]["ports"][0]["publishedPort"] == 8080
    # Overlay network, config and secret are resources the services reference by id.
    net = result.get("docker:index/network:Network", "swarm-full-net-front")
    cfg = result.get("docker:index/serviceConfig:ServiceConfig", "swarm-full-config-site")
    sec = result.get("docker:index/secret:Secret", "swarm-full-secret-api_key")
    assert net.inputs["driver"] == "overlay"
    assert ts["networksAdvanceds"][0]["id"] == net.id
    assert ts["containerSpec"]["configs"][0]["configId"] == cfg.id
    assert ts["containerSpec"]["secrets"][0]["secretId"] == sec.id
    assert isinstance(sec.inputs["data"], Secret) and "data" in sec.secret_outputs
    assert not any("not-a-real-key" in t for _, t in plain_strings(sec.inputs))
    # privileged has no swarm equivalent: a warning names file and field.
    assert any("full-stack.yml" in w and "services.agent.privileged" in w for w in result.warnings)
    # Published 8080 reaches the laptop through manager-1.
    m1 = result.get("docker:index/container:Container", "swarm-manager-1")
    # (default localPortOffset 8000: 8080 + 8000)
    assert (8080, 16080, "127.0.0.1") in {(p["internal"], p.get("external"), p["ip"]) for p in m1.inputs["ports"]}


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("swarm,where", [
    ({"managers": 2}, "dockyard:swarm.managers"),
    ({"managers": 9}, "dockyard:swarm.managers"),
    ({"workers": 101}, "dockyard:swarm.workers"),
    ({"managers": 1, "workers": 1, "nodes": {"worker-1": {"role": "manager"}}}, "dockyard:swarm.nodes"),
    ({"managers": 3, "nodes": {"manager-1": {"availability": "drain"}, "manager-2": {"availability": "drain"},
                               "manager-3": {"availability": "pause"}}}, "dockyard:swarm.nodes"),
    ({"workers": 2, "nodes": {"worker-3": {}}}, "dockyard:swarm.nodes.worker-3"),
    ({"nodes": {"node-1": {}}}, "dockyard:swarm.nodes.node-1"),
    ({"nodes": {"manager-1": {"role": "worker"}}}, "dockyard:swarm.nodes.manager-1.role"),
    ({"nodes": {"worker-1": {"labels": {"a b": "c"}}}}, "dockyard:swarm.nodes.worker-1.labels"),
    ({"stacks": [{"name": "x", "compose": "apps/missing.yml"}]}, "dockyard:swarm.stacks[0].compose"),
])
def test_bad_swarm_config_names_the_key(swarm, where):
    with pytest.raises(ConfigError) as err:
        C.validate({"swarm": swarm}, PROVIDERS, project_dir=ROOT)
    assert err.value.where == where


def test_invalid_compose_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: lots\n")
    with pytest.raises(InputError) as err:
        C.validate({"swarm": {"stacks": [{"name": "bad", "compose": str(bad)}]},
                    "allowFilesOutsideProject": [str(tmp_path)]}, PROVIDERS, project_dir=ROOT)
    assert err.value.where == f"{bad}:5"


def test_warning_below_three_managers_outside_local():
    cfg = C.validate({"swarm": {"cloud": "digitalocean", "managers": 1}}, PROVIDERS, project_dir=ROOT)
    assert any("dockyard:swarm.managers" in w for w in cfg.warnings)
    assert not C.validate({"swarm": {"cloud": "local"}}, PROVIDERS, project_dir=ROOT).warnings
    local = C.validate({"swarm": {"cloud": "local", "size": "t3.micro", "publicCidrs": ["192.0.2.0/24"]}},
                       PROVIDERS, project_dir=ROOT)
    assert sorted(w.split(" ")[0] for w in local.warnings) == ["dockyard:swarm.publicCidrs",
                                                                "dockyard:swarm.size"]


@pytest.mark.parametrize("setting,where", [
    ("swarm.managers=2", "dockyard:swarm.managers"),
    ("swarm.nodes.worker-9.availability=drain", "dockyard:swarm.nodes.worker-9"),
])
def test_cli_exits_2_naming_the_key(setting, where):
    out = subprocess.run([sys.executable, "-m", "dockyard", "preview", "local", "--set", setting],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith(f"error: {where}")
    assert "Traceback" not in out.stderr


def test_worker_constraint_without_workers_warns(mock_engine):
    result = run_swarm(mock_engine, {"cloud": "local", "managers": 1, "workers": 0})
    assert any(w.startswith("dockyard:swarm.workers:") and "node.role == worker" in w for w in result.warnings)
    with_workers = run_swarm(mock_engine, {"cloud": "local", "managers": 1, "workers": 1})
    assert not any(w.startswith("dockyard:swarm.workers:") for w in with_workers.warnings)
