"""What the GCP and DigitalOcean APIs refuse, checked on the inputs Dockyard would send.

The mock engine accepts any input; a real cloud does not. Each test states the API's rule (with
its source) and checks the recorded inputs against it. Expected values come from the provider
documentation, never from the code under test.
"""

from __future__ import annotations

import re
import subprocess

import pulumi
import pytest

from components import config
from components.hosts import DockerHost, DockerHostArgs, Location, PeerGroup, PortRule, build_hosts
from dockyard.mocks import registry
from tests.conftest import require_tool

PROVIDERS = {"gcp:project": "dockyard-test", "gcp:region": "europe-west1"}
# cloud.google.com/compute/docs/naming-resources: names (and network tags) are RFC 1035 labels.
RFC1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
# Pulumi auto-names a GCP resource "<logical name>-<7 random characters>" (pulumi-gcp resources.go).
AUTONAME_SUFFIX = "-abcdef0"
# DigitalOcean tags: letters, numbers, colons, dashes and underscores, <= 255 (tags API).
DO_TAG = re.compile(r"^[A-Za-z0-9:_-]{1,255}$")
# DigitalOcean firewall names: start alphanumeric, then alphanumerics, '.' or '-' (firewalls API).
DO_FIREWALL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
SWARM_RULES = [PortRule("tcp", "2377"), PortRule("tcp", "7946"), PortRule("udp", "7946"), PortRule("udp", "4789")]
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0 me@laptop"


def _gcp_host(name: str, peers: PeerGroup | None = None, captured: dict | None = None):
    def program():
        if captured is not None:
            def remember(args: pulumi.ResourceTransformationArgs):
                captured[(args.type_, args.name)] = args.opts
                return None

            pulumi.runtime.register_stack_transformation(remember)
        cfg = config.HostConfig(name=name, cloud="gcp")
        DockerHost(name, DockerHostArgs(config=cfg, admin_cidrs=["198.51.100.0/24", "2001:db8::/48"],
                                        ssh_public_key=KEY, peers=peers,
                                        location=Location(gcp_project="p", gcp_region="europe-west1")))
    return program


def _gcp_names_ok(res) -> list[str]:
    """Every GCE name and network tag the program would send, with the problems found."""
    problems = []
    for r in res.resources:
        if not r.type.startswith("gcp:compute/"):
            continue
        name = r.inputs.get("name") or r.name + AUTONAME_SUFFIX
        if len(name) > 63 or not RFC1035.match(name):
            problems.append(f"{r.type} {r.name}: name {name!r}")
        for key in ("tags", "targetTags", "sourceTags"):
            for tag in r.inputs.get(key) or []:
                if len(tag) > 63 or not RFC1035.match(tag):
                    problems.append(f"{r.type} {r.name}: {key} {tag!r}")
    return problems


# --- GCP -----------------------------------------------------------------------------------------


def test_gcp_long_host_name_gives_names_gce_accepts(mock_engine):
    # A valid Dockyard host name (a DNS label) of 63 characters.
    name = "docker-host-for-the-platform-team-in-europe-west1-number-00001"
    assert len(name) <= 63
    res = mock_engine.run(_gcp_host(name, PeerGroup("dockyard-gcp-dev-swarm", SWARM_RULES)))
    assert _gcp_names_ok(res) == []
    # Distinct resources keep distinct names after shortening.
    fws = res.of_type("gcp:compute/firewall:Firewall")
    assert len({f.name for f in fws}) == len(fws) == 5  # ssh v4/v6, 2376 v4/v6, peers


def test_gcp_swarm_with_a_long_stack_name_gives_valid_network_tags(mock_engine):
    from tests.swarm.test_swarm_mock import run_swarm

    stack = "platform-team-production-europe-west1-docker-swarm"  # 50 characters, a valid stack name
    res = run_swarm(mock_engine, {"cloud": "gcp", "managers": 1, "workers": 1}, admin=["198.51.100.0/24"],
                    stack=stack)
    assert _gcp_names_ok(res) == []
    # Peers still admit each other: the peer rule's source tag is on every member.
    peers = [f for f in res.of_type("gcp:compute/firewall:Firewall") if f.inputs.get("sourceTags")]
    assert len(peers) == 2
    for inst in res.of_type("gcp:compute/instance:Instance"):
        assert peers[0].inputs["sourceTags"][0] in inst.inputs["tags"]
        own = [f for f in peers if f.inputs["targetTags"][0] in inst.inputs["tags"]]
        assert len(own) == 1


def test_gcp_short_names_are_unchanged(mock_engine):
    """Shortening applies only to names GCE would refuse: existing stacks keep their URNs."""
    res = mock_engine.run(_gcp_host("docker-gcp"))
    names = {r.name for r in res.resources if r.type.startswith("gcp:compute/")}
    assert {"docker-gcp-net", "docker-gcp-subnet", "docker-gcp-ip", "docker-gcp-internal-ip",
            "docker-gcp-fw-0", "docker-gcp"} <= names
    assert res.get("gcp:compute/instance:Instance").inputs["tags"] == ["dockyard-docker-gcp"]


def test_gcp_instance_is_deleted_before_it_is_replaced(mock_engine):
    """The VM has a fixed name (unique per zone) and holds static external and internal addresses;
    GCE refuses a second VM on an address in use ("External IP address ... is already in-use",
    pulumi/pulumi#4128), so a replacement (new user data) must delete the old VM first."""
    captured: dict = {}
    res = mock_engine.run(_gcp_host("docker-gcp", captured=captured))
    inst = res.get("gcp:compute/instance:Instance")
    addresses = {a.outputs["address"] for a in res.of_type("gcp:compute/address:Address")}
    nic = inst.inputs["networkInterfaces"][0]
    assert {nic["networkIp"], nic["accessConfigs"][0]["natIp"]} == addresses
    assert inst.inputs["name"] == "docker-gcp"
    opts = captured[("gcp:compute/instance:Instance", "docker-gcp")]
    assert opts.delete_before_replace is True
    assert "metadata" in (opts.replace_on_changes or [])


# --- DigitalOcean ------------------------------------------------------------------------------


def _do_hosts(mock_engine, stack: str, ssh_key: str | None = None):
    cfg = {"dockyard:hosts": [{"name": "docker-digitalocean", "cloud": "digitalocean"},
                              {"name": "docker-flatcar", "cloud": "digitalocean", "os": "flatcar"}],
           "dockyard:adminCidrs": ["198.51.100.0/24"]}
    if ssh_key:
        cfg["dockyard:sshPublicKey"] = ssh_key
    return mock_engine.run(lambda: build_hosts(config.load()), stack=stack, config=cfg)


def test_do_firewall_names_are_valid_and_differ_between_stacks(mock_engine):
    """Cloud Firewall names are unique in an account ("409 duplicate name") and two stacks of one
    project (do-dev, do-prod) or two swarms (every one has a swarm-manager-1) share the account."""
    from tests.swarm.test_swarm_mock import run_swarm

    names = {}
    for stack in ("do-dev", "do-prod"):
        hosts = _do_hosts(mock_engine, stack)
        swarm = run_swarm(mock_engine, {"cloud": "digitalocean", "managers": 1, "workers": 2}, stack=stack)
        names[stack] = [f.inputs["name"] for res in (hosts, swarm)
                        for f in res.of_type("digitalocean:index/firewall:Firewall")]
        assert len(names[stack]) == 5 and len(set(names[stack])) == 5
        assert all(DO_FIREWALL_NAME.match(n) for n in names[stack]), names[stack]
    assert not set(names["do-dev"]) & set(names["do-prod"])


def test_do_peer_tags_use_the_tag_charset(mock_engine):
    peers = PeerGroup("dockyard-team.eu-swarm", SWARM_RULES)  # a stack name may contain '.'

    def program():
        cfg = config.HostConfig(name="node-do", cloud="digitalocean")
        DockerHost("node-do", DockerHostArgs(config=cfg, admin_cidrs=["198.51.100.0/24"], ssh_public_key=KEY,
                                             peers=peers))

    res = mock_engine.run(program)
    droplet = res.get("digitalocean:index/droplet:Droplet")
    assert all(DO_TAG.match(t) for t in droplet.inputs["tags"]), droplet.inputs["tags"]
    fw = res.get("digitalocean:index/firewall:Firewall")
    source_tags = {t for r in fw.inputs["inboundRules"] for t in r.get("sourceTags", [])}
    assert len(source_tags) == 1 and source_tags <= set(droplet.inputs["tags"])


def _md5_fingerprint(tmp_path, key: str) -> str:
    """DigitalOcean's key fingerprint (MD5, as `ssh-keygen -E md5` prints it)."""
    require_tool("ssh-keygen")
    path = tmp_path / "key.pub"
    path.write_text(key + "\n")
    out = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return out.split()[1].removeprefix("MD5:")


def _account_holds(monkeypatch, keys: list[dict], seen: list):
    def fake(ctx, args):
        seen.append(args)
        wanted = {v for f in args.get("filters") or [] if f["key"] == "fingerprint" for v in f["values"]}
        return {"id": "keys", "sshKeys": [k for k in keys if k["fingerprint"] in wanted]}

    monkeypatch.setitem(registry.INVOKES, "digitalocean:index/getSshKeys:getSshKeys", fake)


def test_do_ssh_key_already_in_the_account_is_used_not_registered_again(mock_engine, monkeypatch, tmp_path):
    """DigitalOcean refuses a key it already holds ("422 SSH Key is already in use on your
    account"); droplets accept a key's fingerprint in ssh_keys (droplet create API)."""
    fingerprint = _md5_fingerprint(tmp_path, KEY)
    seen: list = []
    _account_holds(monkeypatch, [{"id": 512190, "name": "my laptop", "fingerprint": fingerprint,
                                  "publicKey": KEY}], seen)
    res = _do_hosts(mock_engine, "do-dev", ssh_key=KEY)
    assert seen, "the account's keys were never looked up"
    assert res.of_type("digitalocean:index/sshKey:SshKey") == []
    for droplet in res.of_type("digitalocean:index/droplet:Droplet"):
        assert droplet.inputs["sshKeys"] == [fingerprint]


def test_do_ssh_key_of_this_stack_stays_managed(mock_engine, monkeypatch, tmp_path):
    """On the second `pulumi up` the account holds the stack's own registration: it must stay a
    resource of the stack (else Pulumi would delete it), and another stack's must not."""
    fingerprint = _md5_fingerprint(tmp_path, KEY)
    first = _do_hosts(mock_engine, "do-dev", ssh_key=KEY)
    (own,) = first.of_type("digitalocean:index/sshKey:SshKey")
    assert "do-dev" in own.inputs["name"]
    _account_holds(monkeypatch, [{"id": 1, "name": own.inputs["name"], "fingerprint": fingerprint,
                                  "publicKey": KEY}], [])
    again = _do_hosts(mock_engine, "do-dev", ssh_key=KEY)
    assert [k.inputs["name"] for k in again.of_type("digitalocean:index/sshKey:SshKey")] == [own.inputs["name"]]
    other = _do_hosts(mock_engine, "do-prod", ssh_key=KEY)
    assert other.of_type("digitalocean:index/sshKey:SshKey") == []
    assert {tuple(d.inputs["sshKeys"]) for d in other.of_type("digitalocean:index/droplet:Droplet")} == {
        (fingerprint,)}


def test_do_ssh_key_registered_before_the_stack_named_it_stays_managed(mock_engine, monkeypatch, tmp_path):
    """A stack whose key was registered as dockyard-ssh-key-<hash> keeps (and renames) it rather
    than dropping it from its state."""
    fingerprint = _md5_fingerprint(tmp_path, KEY)
    before = _do_hosts(mock_engine, "do-dev", ssh_key=KEY)
    (key,) = before.of_type("digitalocean:index/sshKey:SshKey")
    legacy = f"dockyard-{key.name}"
    _account_holds(monkeypatch, [{"id": 1, "name": legacy, "fingerprint": fingerprint, "publicKey": KEY}], [])
    again = _do_hosts(mock_engine, "do-dev", ssh_key=KEY)
    assert [k.name for k in again.of_type("digitalocean:index/sshKey:SshKey")] == [key.name]


@pytest.mark.parametrize("stack", ["do-dev"])
def test_do_swarm_of_ten_workers_fits_the_firewall_api(mock_engine, stack):
    """Firewall rules: protocol tcp/udp/icmp, a port range except for icmp, at least one rule."""
    from tests.swarm.test_swarm_mock import run_swarm

    res = run_swarm(mock_engine, {"cloud": "digitalocean", "managers": 1, "workers": 10}, stack=stack)
    fws = res.of_type("digitalocean:index/firewall:Firewall")
    assert len(fws) == 11
    for fw in fws:
        rules = fw.inputs["inboundRules"] + fw.inputs["outboundRules"]
        assert fw.inputs["inboundRules"] and fw.inputs["outboundRules"]
        for r in rules:
            assert r["protocol"] in ("tcp", "udp", "icmp")
            assert ("portRange" in r) == (r["protocol"] != "icmp")
        assert len(fw.inputs["dropletIds"]) == 1


def test_do_flatcar_droplet_asks_for_no_ipv6(mock_engine):
    """"You cannot use IPv6 with Droplets created from custom images" (DigitalOcean, Custom Images
    Limits); Flatcar is imported as a custom image. The Ubuntu droplet still gets IPv6."""
    cfg = {"dockyard:hosts": [{"name": "flat", "cloud": "digitalocean", "os": "flatcar", "ipv6": True},
                              {"name": "ubu", "cloud": "digitalocean", "ipv6": True}],
           "dockyard:adminCidrs": ["198.51.100.0/24"]}
    res = mock_engine.run(lambda: build_hosts(config.load()), stack="do-dev", config=cfg)
    assert res.get("digitalocean:index/customImage:CustomImage")
    assert res.get("digitalocean:index/droplet:Droplet", "flat").inputs["ipv6"] is False
    assert res.get("digitalocean:index/droplet:Droplet", "ubu").inputs["ipv6"] is True
    assert any("ipv6" in w and "flat" in w for w in res.warnings)
