"""DockerHost under the shared mock engine: resources per cloud, firewalls, secrets, SANs, user data."""

from __future__ import annotations

import json
import subprocess

import pytest

from components import config
from components.errors import ConfigError
from components.hosts import DockerHost, DockerHostArgs, Location, PeerGroup, Placement, PortRule, build_hosts
from dockyard.engine import Secret, reveal
from tests.conftest import require_tool

ADMIN = ["198.51.100.0/24", "2001:db8:1::/48"]
PROVIDERS = {"aws:region": "us-east-1", "azure-native:location": "westeurope", "gcp:project": "dockyard-test",
             "gcp:region": "europe-west1"}

# What each cloud's host must consist of (besides the DockerTls chain), written from the issue.
EXPECTED_TYPES = {
    ("digitalocean", "ubuntu"): {"digitalocean:index/reservedIp:ReservedIp", "digitalocean:index/sshKey:SshKey",
                                 "digitalocean:index/droplet:Droplet", "digitalocean:index/firewall:Firewall",
                                 "digitalocean:index/reservedIpAssignment:ReservedIpAssignment"},
    ("digitalocean", "flatcar"): {"digitalocean:index/reservedIp:ReservedIp", "digitalocean:index/sshKey:SshKey",
                                  "digitalocean:index/droplet:Droplet", "digitalocean:index/firewall:Firewall",
                                  "digitalocean:index/reservedIpAssignment:ReservedIpAssignment",
                                  "digitalocean:index/customImage:CustomImage"},
    ("aws", "ubuntu"): {"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/networkInterface:NetworkInterface",
                        "aws:ec2/eip:Eip", "aws:ec2/keyPair:KeyPair", "aws:ec2/instance:Instance"},
    ("azure", "ubuntu"): {"azure-native:resources:ResourceGroup", "azure-native:network:VirtualNetwork",
                          "azure-native:network:Subnet", "azure-native:network:NetworkSecurityGroup",
                          "azure-native:network:PublicIPAddress", "azure-native:network:NetworkInterface",
                          "azure-native:compute:SshPublicKey", "azure-native:compute:VirtualMachine"},
    ("gcp", "ubuntu"): {"gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork",
                        "gcp:compute/address:Address", "gcp:compute/firewall:Firewall", "gcp:compute/instance:Instance"},
}
TLS_TYPES = {"dockyard:index:DockerHost", "dockyard:index:DockerTls", "dockyard:index:DockerCa",
             "tls:index/privateKey:PrivateKey", "tls:index/selfSignedCert:SelfSignedCert",
             "tls:index/certRequest:CertRequest", "tls:index/locallySignedCert:LocallySignedCert",
             "command:remote:Command"}  # the TLS material goes over SSH
VM_TYPES = {"digitalocean": "digitalocean:index/droplet:Droplet", "aws": "aws:ec2/instance:Instance",
            "azure": "azure-native:compute:VirtualMachine", "gcp": "gcp:compute/instance:Instance"}
CASES = list(EXPECTED_TYPES)


def run_hosts(mock_engine, hosts: list[dict], **extra):
    cfg = {"dockyard:hosts": hosts, "dockyard:adminCidrs": ADMIN, **PROVIDERS, **extra}
    return mock_engine.run(lambda: build_hosts(config.load()), stack="test", config=cfg)


@pytest.fixture(scope="module")
def results():
    from tests.conftest import MockEngine

    engine = MockEngine()
    return {case: run_hosts(engine, [{"name": f"h-{case[0]}", "cloud": case[0], "os": case[1]}]) for case in CASES}


def _ids(cases):
    return [f"{c}-{o}" for c, o in cases]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_resource_types(results, case):
    assert set(results[case].types()) - {"pulumi:pulumi:Stack"} == EXPECTED_TYPES[case] | TLS_TYPES


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_children_are_parented_to_the_host(results, case):
    res = results[case]
    host = res.get("dockyard:index:DockerHost")
    top = [r for r in res.resources if r.parent == res.resources[0].urn or r.parent is None]
    assert [r.type for r in top if r.type != "pulumi:pulumi:Stack"] in (["dockyard:index:DockerHost"], [
        "tls:index/privateKey:PrivateKey", "dockyard:index:DockerHost"])  # + the generated SSH key
    assert res.get(VM_TYPES[case[0]]).parent == host.urn


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_no_2375_anywhere(results, case):
    for r in results[case].resources:
        assert "2375" not in json.dumps(r.inputs, default=repr), r.urn


def _ports_and_sources(res, cloud) -> list[tuple[str, str, tuple[str, ...]]]:
    """(protocol, ports, sources) of every inbound allow rule, read from the firewall resource."""
    out = []
    if cloud == "digitalocean":
        for rule in res.get("digitalocean:index/firewall:Firewall").inputs["inboundRules"]:
            out.append((rule["protocol"], rule["portRange"], tuple(rule.get("sourceAddresses", []))))
    elif cloud == "aws":
        for rule in res.get("aws:ec2/securityGroup:SecurityGroup").inputs["ingress"]:
            assert rule["fromPort"] == rule["toPort"]
            out.append((rule["protocol"], str(rule["fromPort"]),
                        tuple(rule.get("cidrBlocks", []) + rule.get("ipv6CidrBlocks", []))))
    elif cloud == "azure":
        for rule in res.get("azure-native:network:NetworkSecurityGroup").inputs["securityRules"]:
            if rule["access"] == "Allow":
                assert rule["direction"] == "Inbound"
                out.append((rule["protocol"].lower(), rule["destinationPortRange"],
                            tuple(rule["sourceAddressPrefixes"])))
    else:
        for fw in res.of_type("gcp:compute/firewall:Firewall"):
            assert fw.inputs["direction"] == "INGRESS"
            for allow in fw.inputs["allows"]:
                for port in allow["ports"]:
                    out.append((allow["protocol"], port, tuple(fw.inputs["sourceRanges"])))
    return out


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_firewall_opens_only_ssh_and_docker_tls_to_admins(results, case):
    rules = _ports_and_sources(results[case], case[0])
    assert {(p, port) for p, port, _ in rules} == {("tcp", "22"), ("tcp", "2376")}
    opened = {}
    for _proto, port, sources in rules:
        opened.setdefault(port, set()).update(sources)
    assert opened == {"22": set(ADMIN), "2376": set(ADMIN)}


def test_azure_closes_the_vnet_default_allow(results):
    rules = results[("azure", "ubuntu")].get("azure-native:network:NetworkSecurityGroup").inputs["securityRules"]
    deny = [r for r in rules if r["access"] == "Deny"]
    assert deny and deny[0]["sourceAddressPrefix"] == "VirtualNetwork" and deny[0]["priority"] < 65000


def test_gcp_host_does_not_use_the_default_network(results):
    res = results[("gcp", "ubuntu")]
    net = res.get("gcp:compute/network:Network")
    assert net.inputs["autoCreateSubnetworks"] is False
    for fw in res.of_type("gcp:compute/firewall:Firewall"):
        assert fw.inputs["network"] == net.id
        assert fw.inputs["targetTags"] == ["dockyard-h-gcp"]
    assert "dockyard-h-gcp" in res.get("gcp:compute/instance:Instance").inputs["tags"]


def test_aws_uses_the_canonical_ubuntu_lts_ami_and_imdsv2(results):
    inst = results[("aws", "ubuntu")].get("aws:ec2/instance:Instance")
    assert inst.inputs["ami"].startswith("ami-")
    assert inst.inputs["instanceType"] == "t3.micro"
    assert inst.inputs["metadataOptions"]["httpTokens"] == "required"
    assert inst.inputs["userDataReplaceOnChange"] is True


def test_default_sizes(results):
    assert results[("digitalocean", "ubuntu")].get("digitalocean:index/droplet:Droplet").inputs["size"] == "s-1vcpu-1gb"
    assert results[("digitalocean", "ubuntu")].get("digitalocean:index/droplet:Droplet").inputs["region"] == "nyc3"
    vm = results[("azure", "ubuntu")].get("azure-native:compute:VirtualMachine").inputs
    assert vm["hardwareProfile"]["vmSize"] == "Standard_B2s"
    assert vm["storageProfile"]["imageReference"]["offer"] == "ubuntu-24_04-lts"
    gce = results[("gcp", "ubuntu")].get("gcp:compute/instance:Instance").inputs
    assert gce["machineType"] == "e2-small" and "2404" in gce["bootDisk"]["initializeParams"]["image"]
    assert results[("digitalocean", "ubuntu")].get("digitalocean:index/droplet:Droplet").inputs["image"] == "ubuntu-24-04-x64"


# --- secrets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_secrets_stay_secret(results, case):
    res = results[case]
    assert isinstance(res.outputs["hostCredentials"], Secret)
    creds = res.outputs["hostCredentials"].value[f"h-{case[0]}"]
    assert set(creds) == {"ca", "cert", "key"} and "PRIVATE KEY" in creds["key"]
    assert isinstance(res.outputs["sshPrivateKey"], Secret)
    assert not isinstance(res.outputs["hosts"], Secret)
    for key in res.of_type("tls:index/privateKey:PrivateKey"):
        assert isinstance(key.outputs["privateKeyPem"], Secret), key.name
    vm = res.get(VM_TYPES[case[0]])
    user_data = _user_data_input(vm, case[0])
    assert isinstance(user_data, Secret), "user data holds the server key"
    text = json.dumps(res.outputs["hosts"], default=repr)
    assert "PRIVATE KEY" not in text


def _user_data_input(vm, cloud):
    if cloud == "azure":
        return vm.inputs["osProfile"]["customData"]
    if cloud == "gcp":
        return vm.inputs["metadata"]["user-data"]
    return vm.inputs["userData"]


def _user_data_text(vm, cloud) -> str:
    import base64

    value = _user_data_input(vm, cloud)
    text = value.value if isinstance(value, Secret) else value
    return base64.b64decode(text).decode() if cloud == "azure" else text


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_hosts_output(results, case):
    cloud, os_ = case
    res = results[case]
    entry = res.outputs["hosts"][f"h-{cloud}"]
    assert entry["dockerHost"] == f"tcp://{entry['ip']}:2376"
    assert (entry["cloud"], entry["os"], entry["sshPort"]) == (cloud, os_, 22)
    assert entry["sshUser"] == {"flatcar": "core"}.get(os_, "root" if cloud == "digitalocean" else "ubuntu")
    assert entry["size"] == {"digitalocean": "s-1vcpu-1gb", "aws": "t3.micro", "azure": "Standard_B2s",
                             "gcp": "e2-small"}[cloud]


# --- SANs from the addresses, and the graph that re-issues ---------------------------------------


def _addresses(res, cloud) -> tuple[object, str, str | None]:
    """(address resource, public IP, private IP) as the mocked cloud reported them."""
    if cloud == "digitalocean":
        r = res.get("digitalocean:index/reservedIp:ReservedIp")
        return r, r.outputs["ipAddress"], None
    if cloud == "aws":
        eni = res.get("aws:ec2/networkInterface:NetworkInterface")
        eip = res.get("aws:ec2/eip:Eip")
        return eip, eip.outputs["publicIp"], eni.outputs["privateIp"]
    if cloud == "azure":
        pip = res.get("azure-native:network:PublicIPAddress")
        nic = res.get("azure-native:network:NetworkInterface")
        return pip, pip.outputs["ipAddress"], nic.outputs["ipConfigurations"][0]["privateIPAddress"]
    ext = res.get("gcp:compute/address:Address", "h-gcp-ip")
    internal = res.get("gcp:compute/address:Address", "h-gcp-internal-ip")
    return ext, ext.outputs["address"], internal.outputs["address"]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_server_sans_come_from_the_address_outputs(results, case):
    cloud = case[0]
    res = results[case]
    address, public, private = _addresses(res, cloud)
    csr = res.get("tls:index/certRequest:CertRequest", f"h-{cloud}-server-csr")
    expected = [public] + ([private] if private else []) + ["127.0.0.1"]
    assert csr.inputs["ipAddresses"] == expected
    dns = {"aws": lambda: [address.outputs["publicDns"]],
           "azure": lambda: [address.outputs["dnsSettings"]["fqdn"]]}.get(cloud, lambda: [])()
    assert csr.inputs["dnsNames"] == dns + ["localhost"]
    assert address.urn in csr.property_dependencies["ipAddresses"]
    assert res.outputs["hosts"][f"h-{cloud}"]["ip"] == public


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_certificates_reach_the_host_over_ssh_not_through_user_data(results, case):
    """An address change re-issues the server cert (CSR input); the certificates feed the TLS
    delivery command, never the VM (issue 11: a renewal must not replace it)."""
    cloud = case[0]
    res = results[case]
    cert = res.get("tls:index/locallySignedCert:LocallySignedCert", f"h-{cloud}-server-cert")
    csr = res.get("tls:index/certRequest:CertRequest", f"h-{cloud}-server-csr")
    assert csr.urn in cert.property_dependencies["certRequestPem"]
    vm = res.get(VM_TYPES[cloud])
    tls_urns = {r.urn for r in res.resources if r.type.startswith("tls:") and "ssh" not in r.name}
    assert not tls_urns & set(vm.dependencies), "the VM must not depend on a certificate"
    files = _files(_user_data_text(vm, cloud))
    assert not any(path.startswith("/etc/docker/tls/") for path in files)
    delivery = res.get("command:remote:Command", f"h-{cloud}-tls")
    server_key = res.get("tls:index/privateKey:PrivateKey", f"h-{cloud}-server-key").outputs["privateKeyPem"]
    assert delivery.inputs["stdin"].value == server_key.value  # secret, on stdin only
    assert cert.outputs["certPem"] in delivery.inputs["create"]
    assert cert.outputs["certPem"] in delivery.inputs["triggers"]
    assert vm.id in delivery.inputs["triggers"]  # a replaced VM gets them again
    assert reveal(delivery.inputs["connection"])["hostKey"] == res.get(
        "tls:index/privateKey:PrivateKey", f"h-{cloud}-ssh-host-key").outputs["publicKeyOpenssh"]


def _files(text: str) -> dict[str, str]:
    """path -> content of the files a cloud-init or Ignition document writes."""
    import base64

    import yaml

    if text.startswith("#cloud-config"):
        return {f["path"]: f["content"] for f in yaml.safe_load(text)["write_files"]}
    doc = json.loads(text)
    return {f["path"]: base64.b64decode(f["contents"]["source"].split(",", 1)[1]).decode()
            for f in doc["storage"]["files"]}


def test_certificate_parameters_reach_pulumi_tls(results):
    res = results[("aws", "ubuntu")]
    cert = res.get("tls:index/locallySignedCert:LocallySignedCert", "h-aws-server-cert")
    assert cert.inputs["allowedUses"] == ["digital_signature", "server_auth"]
    assert cert.inputs["validityPeriodHours"] == 8760 and cert.inputs["earlyRenewalHours"] == 720
    client = res.get("tls:index/locallySignedCert:LocallySignedCert", "h-aws-client-cert")
    assert client.inputs["allowedUses"] == ["digital_signature", "client_auth"]
    ca = res.get("tls:index/selfSignedCert:SelfSignedCert")
    assert ca.inputs["isCaCertificate"] is True
    for key in res.of_type("tls:index/privateKey:PrivateKey"):
        if key.name.startswith("h-aws-") and key.name != "h-aws-ssh-host-key":
            assert (key.inputs["algorithm"], key.inputs["ecdsaCurve"]) == ("ECDSA", "P256")


def test_tls_validity_from_config(mock_engine):
    res = run_hosts(mock_engine, [{"name": "h", "cloud": "digitalocean",
                                   "tls": {"validityHours": 2000, "earlyRenewalHours": 100}}])
    for cert in res.of_type("tls:index/locallySignedCert:LocallySignedCert") + res.of_type(
            "tls:index/selfSignedCert:SelfSignedCert"):
        assert (cert.inputs["validityPeriodHours"], cert.inputs["earlyRenewalHours"]) == (2000, 100)


# --- the generated user data passes the real validators -------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_generated_user_data_validates(results, case, tmp_path):
    cloud, os_ = case
    text = _user_data_text(results[case].get(VM_TYPES[cloud]), cloud)
    f = tmp_path / "user-data"
    f.write_text(text)
    if os_ == "ubuntu":
        require_tool("cloud-init")
        out = subprocess.run(["cloud-init", "schema", "--config-file", str(f)], capture_output=True, text=True)
        assert "provider=" + cloud in text
    else:
        require_tool("ignition-validate")
        out = subprocess.run(["ignition-validate", str(f)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# --- ssh key -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cloud", ["digitalocean", "aws", "azure", "gcp"])
def test_ssh_port_replaces_22(mock_engine, cloud):
    res = run_hosts(mock_engine, [{"name": "h", "cloud": cloud, "sshPort": 2222}])
    ports = {port for _, port, _ in _ports_and_sources(res, cloud)}
    assert ports == {"2222", "2376"}
    assert res.outputs["hosts"]["h"]["sshPort"] == 2222
    text = _user_data_text(res.get(VM_TYPES[cloud]), cloud)
    assert "ListenStream=2222" in text


def test_configured_ssh_key_is_used_and_nothing_generated(mock_engine):
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0 me@laptop"
    res = run_hosts(mock_engine, [{"name": "h", "cloud": "digitalocean"}], **{"dockyard:sshPublicKey": key})
    assert res.get("digitalocean:index/sshKey:SshKey").inputs["publicKey"] == key
    assert "sshPrivateKey" not in res.outputs
    # no login key is generated (the only ED25519 key is the host's own SSH host key)
    assert [k.name for k in res.of_type("tls:index/privateKey:PrivateKey")
            if k.inputs.get("algorithm") == "ED25519"] == ["h-ssh-host-key"]
    # Dockyard's own SSH (the TLS delivery) then uses the operator's agent: no private key
    assert "privateKey" not in reveal(res.get("command:remote:Command", "h-tls").inputs["connection"])


def test_generated_ssh_key_is_shared_by_the_hosts(mock_engine):
    res = run_hosts(mock_engine, [{"name": "a", "cloud": "digitalocean"}, {"name": "b", "cloud": "digitalocean"}])
    ed = [k for k in res.of_type("tls:index/privateKey:PrivateKey") if k.inputs.get("algorithm") == "ED25519"
          and not k.name.endswith("-ssh-host-key")]
    assert len(ed) == 1
    pub = ed[0].outputs["publicKeyOpenssh"]
    # DigitalOcean refuses a second registration of one key: one SshKey, used by both droplets.
    [do_key] = res.of_type("digitalocean:index/sshKey:SshKey")
    assert do_key.inputs["publicKey"] == pub
    for droplet in res.of_type("digitalocean:index/droplet:Droplet"):
        assert droplet.inputs["sshKeys"] == [do_key.outputs["fingerprint"]]
    assert res.outputs["sshPrivateKey"].value == ed[0].outputs["privateKeyOpenssh"].value


def test_configured_ssh_key_is_registered_once_on_digitalocean(mock_engine):
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0 me@laptop"
    res = run_hosts(mock_engine, [{"name": "a", "cloud": "digitalocean"}, {"name": "b", "cloud": "digitalocean"},
                                  {"name": "c", "cloud": "aws"}], **{"dockyard:sshPublicKey": key})
    assert len(res.of_type("digitalocean:index/sshKey:SshKey")) == 1
    assert len(res.of_type("aws:ec2/keyPair:KeyPair")) == 1


def test_flatcar_on_digitalocean_boots_the_flatcar_image(results):
    res = results[("digitalocean", "flatcar")]
    image = res.get("digitalocean:index/customImage:CustomImage")
    assert "flatcar" in image.inputs["url"] and image.inputs["regions"] == ["nyc3"]
    droplet = res.get("digitalocean:index/droplet:Droplet")
    assert droplet.inputs["image"] == str(image.outputs["imageId"])
    assert json.loads(_user_data_text(droplet, "digitalocean"))["ignition"]["version"].startswith("3.")


# --- the reuse API: extra rules, peers, placement --------------------------------------------------


def _host_program(cloud: str, **kwargs):
    def program():
        cfg = config.HostConfig(name=f"node-{cloud}", cloud=cloud)
        DockerHost(f"node-{cloud}", DockerHostArgs(
            config=cfg, admin_cidrs=["198.51.100.0/24"],
            ssh_public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0",
            location=Location("us-east-1", "westeurope", "p", "europe-west1"), **kwargs))
    return program


SWARM = [PortRule("tcp", "2377"), PortRule("tcp", "7946"), PortRule("udp", "7946"), PortRule("udp", "4789")]


@pytest.mark.parametrize("cloud", ["digitalocean", "aws", "azure", "gcp"])
def test_peers_and_extra_ingress(mock_engine, cloud):
    peers = PeerGroup("swarm-x", SWARM, aws_security_group_id="sg-0cluster",
                      azure_application_security_group_id="/subscriptions/s/asg/x")
    extra = [PortRule("tcp", "80", ("0.0.0.0/0",), "http")]
    res = mock_engine.run(_host_program(cloud, peers=peers, extra_ingress=extra),
                          config={"aws:region": "us-east-1"})
    dump = json.dumps([r.inputs for r in res.resources], default=repr)
    assert "2375" not in dump
    if cloud == "digitalocean":
        rules = res.get("digitalocean:index/firewall:Firewall").inputs["inboundRules"]
        assert {"protocol": "tcp", "portRange": "80", "sourceAddresses": ["0.0.0.0/0"]} in rules
        assert {"protocol": "udp", "portRange": "4789", "sourceTags": ["swarm-x"]} in rules
        assert "swarm-x" in res.get("digitalocean:index/droplet:Droplet").inputs["tags"]
    elif cloud == "aws":
        ingress = res.get("aws:ec2/securityGroup:SecurityGroup").inputs["ingress"]
        peer = [r for r in ingress if r.get("securityGroups") == ["sg-0cluster"]]
        assert {(r["protocol"], r["fromPort"]) for r in peer} == {("tcp", 2377), ("tcp", 7946), ("udp", 7946),
                                                                  ("udp", 4789)}
        assert "sg-0cluster" in res.get("aws:ec2/networkInterface:NetworkInterface").inputs["securityGroups"]
    elif cloud == "azure":
        rules = res.get("azure-native:network:NetworkSecurityGroup").inputs["securityRules"]
        peer = [r for r in rules if r.get("sourceApplicationSecurityGroups")]
        assert len(peer) == 4 and all(r["priority"] < 4096 for r in peer)
        nic = res.get("azure-native:network:NetworkInterface").inputs["ipConfigurations"][0]
        assert nic["applicationSecurityGroups"] == [{"id": "/subscriptions/s/asg/x"}]
    else:
        fw = res.get("gcp:compute/firewall:Firewall", "node-gcp-fw-peers")
        assert fw.inputs["sourceTags"] == ["swarm-x"]
        assert "swarm-x" in res.get("gcp:compute/instance:Instance").inputs["tags"]


@pytest.mark.parametrize("cloud", ["digitalocean", "aws"])
def test_internal_ip_is_known_on_every_cloud(mock_engine, apply_guard, cloud):
    seen = {}

    def with_host():
        cfg = config.HostConfig(name="n", cloud=cloud)
        h = DockerHost("n", DockerHostArgs(config=cfg, ssh_public_key="ssh-ed25519 AAAA x",
                                           location=Location("us-east-1")))
        apply_guard.check(h.internal_ip, lambda ip: seen.setdefault("ip", ip), "internal ip")

    res = mock_engine.run(with_host, config={"aws:region": "us-east-1"})
    vm_private = {"digitalocean": lambda: res.get("digitalocean:index/droplet:Droplet").outputs["ipv4AddressPrivate"],
                  "aws": lambda: res.get("aws:ec2/networkInterface:NetworkInterface").outputs["privateIp"]}[cloud]()
    assert seen["ip"] == vm_private


def test_placement_is_used_instead_of_own_network(mock_engine):
    res = mock_engine.run(_host_program("aws", placement=Placement(network_id="vpc-1", subnet_id="subnet-1")),
                          config={"aws:region": "us-east-1"})
    assert res.get("aws:ec2/networkInterface:NetworkInterface").inputs["subnetId"] == "subnet-1"
    assert res.get("aws:ec2/securityGroup:SecurityGroup").inputs["vpcId"] == "vpc-1"
    res = mock_engine.run(_host_program("gcp", placement=Placement(network_id="net", subnet_id="sub", zone="z-1")))
    assert "gcp:compute/network:Network" not in res.types()
    assert res.get("gcp:compute/instance:Instance").inputs["zone"] == "z-1"


def test_shared_ca_is_not_duplicated(mock_engine):
    from components.tls import DockerCa, certificate_parameters

    def program():
        ca = DockerCa("cluster-ca", certificate_parameters("cluster"))
        for i in (1, 2):
            cfg = config.HostConfig(name=f"n{i}", cloud="digitalocean")
            DockerHost(f"n{i}", DockerHostArgs(config=cfg, ssh_public_key="ssh-ed25519 AAAA x", tls_ca=ca))

    res = mock_engine.run(program)
    assert len(res.of_type("dockyard:index:DockerCa")) == 1
    assert len(res.of_type("tls:index/selfSignedCert:SelfSignedCert")) == 1
    ca_cert = res.get("tls:index/selfSignedCert:SelfSignedCert")
    for cert in res.of_type("tls:index/locallySignedCert:LocallySignedCert"):
        assert ca_cert.urn in cert.property_dependencies["caCertPem"]


@pytest.mark.parametrize("rule", [lambda: PortRule("tcp", "2375"), lambda: PortRule("tcp", "2000-3000"),
                                  lambda: PortRule("sctp", "80"), lambda: PortRule("icmp", "8"),
                                  lambda: PortRule("tcp", "70000"), lambda: PortRule("tcp", "80", ("not-a-cidr",))])
def test_bad_port_rules_are_refused(rule):
    with pytest.raises(ValueError):
        rule()


# --- bad input (config; the lead's tests/test_config.py covers the CLI's exit 2 for the common cases) --


@pytest.mark.parametrize("hosts,where", [
    ([{"name": "h", "cloud": "azure", "sshUser": "root"}], "dockyard:hosts[0].sshUser"),
    ([{"name": "h", "cloud": "digitalocean", "sshUser": "Bad User"}], "dockyard:hosts[0].sshUser"),
    ([{"name": "h", "cloud": "gcp", "size": "s-1vcpu-1gb"}], "dockyard:hosts[0].size"),
    ([{"name": "h", "cloud": "aws", "size": "Standard_B2s"}], "dockyard:hosts[0].size"),
    ([{"name": "h", "cloud": "aws"}, {"name": "g", "cloud": "gcp", "os": "coreos"}], "dockyard:hosts[1].os"),
    ([{"name": "h", "cloud": "digitalocean"}, {"name": "h", "cloud": "aws"}], "dockyard:hosts[1].name"),
    ([{"name": "h-", "cloud": "digitalocean"}], "dockyard:hosts[0].name"),
    ([{"name": "h", "cloud": "vultr"}], "dockyard:hosts[0].cloud"),
])
def test_bad_host_config(mock_engine, hosts, where):
    with pytest.raises(ConfigError) as err:
        run_hosts(mock_engine, hosts)
    assert err.value.where == where


def test_bad_host_exits_2_through_the_program(tmp_path):
    """The real program (`dockyard preview`) turns it into one line and exit status 2."""
    import sys

    from tests.conftest import ROOT

    proc = subprocess.run([sys.executable, "-m", "dockyard", "preview", "do-dev", "--set", "hosts[1].os=coreos"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith("error: dockyard:hosts[1].os:")


def test_local_stack_imports_no_cloud_sdk(tmp_path):
    import sys

    from tests.conftest import ROOT

    code = ("import sys, components.hosts, components.tls, components.hosts.provisioning;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pulumi_aws','pulumi_azure_native','pulumi_gcp','pulumi_digitalocean')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("port", [22, 2222])
def test_hosts_output_has_a_known_hosts_line_for_the_pinned_key(mock_engine, port):
    res = run_hosts(mock_engine, [{"name": "h", "cloud": "gcp", "sshPort": port}])
    entry = res.outputs["hosts"]["h"]
    pub = res.get("tls:index/privateKey:PrivateKey", "h-ssh-host-key").outputs["publicKeyOpenssh"]
    where = entry["ip"] if port == 22 else f"[{entry['ip']}]:{port}"  # OpenSSH known_hosts syntax
    assert entry["sshKnownHosts"] == f"{where} {pub.strip()}"
    assert res.get("tls:index/privateKey:PrivateKey", "h-ssh-host-key").inputs["algorithm"] == "ED25519"
    # the host's private key is secret wherever it goes
    vm = res.get(VM_TYPES["gcp"])
    assert isinstance(vm.inputs["metadata"]["user-data"], Secret)


def test_metadata_services_without_the_guard_do_not_hand_user_data_to_containers(results):
    """AWS: IMDSv2 only, token PUT hop limit 1 (a bridged container's reply dies at the extra hop).
    Azure: the document is customData, which IMDS does not serve; the IMDS-served `userData`
    property stays unset. (DigitalOcean and GCP get the metadata guard: test_provisioning.py.)"""
    aws = results[("aws", "ubuntu")].get(VM_TYPES["aws"]).inputs["metadataOptions"]
    assert (aws["httpTokens"], aws["httpPutResponseHopLimit"]) == ("required", 1)
    azure = results[("azure", "ubuntu")].get(VM_TYPES["azure"]).inputs
    assert "userData" not in azure and azure["osProfile"]["customData"]
