"""Mock values for Docker hosts: tls resources, droplets, EC2, Azure VMs and GCP instances.

Owned by the hosts area (components/hosts, components/tls.py). Certificates and keys are
well-formed PEM envelopes around deterministic bytes, not real certificates: the real ones are
exercised by tests/hosts/test_dockerd_tls.py with openssl and dockerd.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import struct

from dockyard.mocks.registry import invoke, known, resource_outputs

_SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"


def _pem(kind: str, ctx, salt: str) -> str:
    body = base64.b64encode(hashlib.sha256(f"{ctx.key}|{salt}".encode()).digest() * 3).decode()
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def _openssh_ed25519(ctx) -> str:
    def s(b: bytes) -> bytes:
        return struct.pack(">I", len(b)) + b

    blob = s(b"ssh-ed25519") + s(hashlib.sha256(ctx.key.encode()).digest())
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


# --- tls ----------------------------------------------------------------------------------------


@resource_outputs("tls:index/privateKey:PrivateKey")
def _private_key(ctx, inputs):
    algorithm = inputs.get("algorithm", "RSA")
    kind = {"ECDSA": "EC PRIVATE KEY", "RSA": "RSA PRIVATE KEY"}.get(algorithm, "PRIVATE KEY")
    out = {
        "privateKeyPem": _pem(kind, ctx, "key"),
        "privateKeyPemPkcs8": _pem("PRIVATE KEY", ctx, "key"),
        "publicKeyPem": _pem("PUBLIC KEY", ctx, "pub"),
        "publicKeyFingerprintMd5": ":".join(ctx.hex(32, "md5")[i:i + 2] for i in range(0, 32, 2)),
        "publicKeyFingerprintSha256": "SHA256:" + ctx.hex(43, "sha"),
        "privateKeyOpenssh": _pem("OPENSSH PRIVATE KEY", ctx, "openssh"),
    }
    out["publicKeyOpenssh"] = (_openssh_ed25519(ctx) if algorithm == "ED25519"
                               else "ecdsa-sha2-nistp256 " + base64.b64encode(ctx.key.encode()).decode()) + "\n"
    return out


def _cert_times(inputs):
    return {"validityStartTime": "2026-01-01T00:00:00Z", "validityEndTime": "2027-01-01T00:00:00Z",
            "readyForRenewal": False}


def _inputs_digest(inputs) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


@resource_outputs("tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert")
def _cert(ctx, inputs):
    # Every input of these resources forces a new certificate in pulumi-tls (validity, early
    # renewal, uses, the CSR or key): the PEM follows the inputs, as a re-issued one would.
    return {"certPem": _pem("CERTIFICATE", ctx, "cert|" + _inputs_digest(inputs)), **_cert_times(inputs)}


@resource_outputs("tls:index/certRequest:CertRequest")
def _csr(ctx, inputs):
    return {"certRequestPem": _pem("CERTIFICATE REQUEST", ctx, "csr|" + _inputs_digest(inputs))}


# --- DigitalOcean -------------------------------------------------------------------------------


@resource_outputs("digitalocean:index/reservedIp:ReservedIp")
def _do_reserved_ip(ctx, inputs):
    ip = ctx.public_ip()
    return {"id": ip, "ipAddress": ip, "reservedIpUrn": f"do:reservedip:{ip}"}


# Droplet names: "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)", 255 at most
# (DigitalOcean API reference, Create a Droplet, read 2026-12-02).
_DO_NAME = re.compile(r"^[a-zA-Z0-9.-]{1,255}\Z")


@resource_outputs("digitalocean:index/droplet:Droplet")
def _do_droplet(ctx, inputs):
    if known(inputs.get("name")) and not _DO_NAME.match(inputs["name"]):
        raise ctx.refuse(f"name {inputs['name']!r}: only valid hostname characters are allowed "
                         "(a-z, A-Z, 0-9, . and -)")
    droplet_id = str(300000000 + ctx.number(10 ** 8))
    out = {"id": droplet_id, "ipv4Address": ctx.public_ip("droplet"), "ipv4AddressPrivate": ctx.private_ip(),
           "status": "active", "dropletUrn": f"do:droplet:{droplet_id}", "vpcUuid": inputs.get("vpcUuid") or
           f"{ctx.hex(8, 'vpc')}-0000-4000-8000-{ctx.hex(12, 'vpc2')}", "disk": 25, "memory": 1024, "vcpus": 1}
    if inputs.get("ipv6"):
        out["ipv6Address"] = ctx.ipv6()
    return out


@resource_outputs("digitalocean:index/sshKey:SshKey")
def _do_ssh_key(ctx, inputs):
    return {"id": str(40000000 + ctx.number(10 ** 7)),
            "fingerprint": ":".join(ctx.hex(32, "fp")[i:i + 2] for i in range(0, 32, 2))}


@invoke("digitalocean:index/getSshKeys:getSshKeys")
def _do_ssh_keys(ctx, args):
    # A fresh account: no key registered yet (tests that need one registered replace this).
    return {"id": "ssh-keys-" + ctx.hex(8), "sshKeys": [], "filters": args.get("filters"), "sorts": args.get("sorts")}


@resource_outputs("digitalocean:index/firewall:Firewall")
def _do_firewall(ctx, inputs):
    return {"id": f"{ctx.hex(8)}-0000-4000-8000-{ctx.hex(12, 'fw')}", "status": "succeeded"}


@resource_outputs("digitalocean:index/customImage:CustomImage")
def _do_custom_image(ctx, inputs):
    image_id = 150000000 + ctx.number(10 ** 7)
    return {"id": str(image_id), "imageId": image_id, "status": "available", "type": "custom"}


@resource_outputs("digitalocean:index/reservedIpAssignment:ReservedIpAssignment")
def _do_reserved_ip_assignment(ctx, inputs):
    return {"id": f"{inputs.get('ipAddress')}-{inputs.get('dropletId')}"}


# --- AWS ----------------------------------------------------------------------------------------

def aws_zones(region: str) -> dict[str, str]:
    """The mock account's zones of a region: name -> zone ID, from the dated table in
    components/cloud_limits.py (AWS_ZONES; in it, us-east-1e is use1-az3, the zone without t3)."""
    from components.cloud_limits import aws_zone_ids

    return aws_zone_ids(region)


def aws_default_subnet(region: str, zone: str) -> str:
    """The default subnet of a zone in the mock account's default VPC (stable across invokes)."""
    return "subnet-" + hashlib.sha256(f"{region}|{zone}".encode()).hexdigest()[:17]



@invoke("aws:ec2/getAmi:getAmi")
def _aws_get_ami(ctx, args):
    owners = args.get("owners") or []
    pattern = next((f["values"][0] for f in args.get("filters") or [] if f.get("name") == "name"), "image-*")
    arch = next((f["values"][0] for f in args.get("filters") or [] if f.get("name") == "architecture"), "x86_64")
    name = pattern.replace("*", "20260101")
    # One image per (owner, name, architecture) in the region: the same query finds the same AMI.
    region = args.get("region") or ctx.region
    ami = "ami-" + hashlib.sha256(f"{region}|{owners}|{pattern}|{arch}".encode()).hexdigest()[:17]
    return {"id": ami, "name": name, "ownerId": owners[0] if owners else ctx.account,
            "architecture": arch, "virtualizationType": "hvm", "rootDeviceName": "/dev/sda1",
            "imageId": ami, "mostRecent": bool(args.get("mostRecent")),
            "owners": owners, "filters": args.get("filters")}


@resource_outputs("aws:ec2/securityGroup:SecurityGroup")
def _aws_security_group(ctx, inputs):
    sg_id = "sg-" + ctx.hex(17, "sg")
    return {"id": sg_id, "arn": ctx.arn("ec2", f"security-group/{sg_id}"), "ownerId": ctx.account,
            "name": inputs.get("name") or f"{ctx.name}-{ctx.hex(7, 'name')}"}


# Addresses EC2 assigns: a private IP inside the subnet (not its first four or last address, VPC
# user guide "Subnet CIDR blocks"); DNS names ip-<private>.ec2.internal in us-east-1 and
# ip-<private>.<region>.compute.internal elsewhere, ec2-<public>.compute-1.amazonaws.com and
# ec2-<public>.<region>.compute.amazonaws.com (EC2 user guide, "Amazon EC2 instance hostname
# types" / "DNS hostnames", read 2026-12-02). Default subnets are /20s of 172.31.0.0/16.


def _aws_private_dns(ip: str, region: str) -> str:
    return f"ip-{ip.replace('.', '-')}." + ("ec2.internal" if region == "us-east-1" else f"{region}.compute.internal")


def _aws_public_dns(ip: str, region: str) -> str:
    return f"ec2-{ip.replace('.', '-')}." + ("compute-1.amazonaws.com" if region == "us-east-1"
                                             else f"{region}.compute.amazonaws.com")


def aws_subnet_facts(ctx, subnet_id, region: str) -> tuple[str, str]:
    """(CIDR block, availability zone) of a subnet this run created or of a default subnet."""
    state = ctx.state_of(subnet_id)
    if state and state.get("cidrBlock"):
        return state["cidrBlock"], state.get("availabilityZone") or region + "a"
    for i, zone in enumerate(aws_zones(region)):
        if aws_default_subnet(region, zone) == subnet_id:
            return f"172.31.{16 * i}.0/20", zone
    return "172.31.0.0/16", region + "a"


@resource_outputs("aws:ec2/networkInterface:NetworkInterface")
def _aws_eni(ctx, inputs):
    eni_id = "eni-" + ctx.hex(17, "eni")
    region = inputs.get("region") or ctx.region
    cidr, zone = aws_subnet_facts(ctx, inputs.get("subnetId"), region)
    private_ip = inputs.get("privateIp") or ctx.ip_in(cidr, "eni")
    return {"id": eni_id, "arn": ctx.arn("ec2", f"network-interface/{eni_id}"), "privateIp": private_ip,
            "privateIps": [private_ip], "macAddress": "02:" + ":".join(ctx.hex(10, "mac")[i:i + 2] for i in range(0, 10, 2)),
            "privateDnsName": _aws_private_dns(private_ip, region), "region": region}


@resource_outputs("aws:ec2/eip:Eip")
def _aws_eip(ctx, inputs):
    ip = ctx.public_ip()
    return {"id": "eipalloc-" + ctx.hex(17, "eip"), "allocationId": "eipalloc-" + ctx.hex(17, "eip"),
            "publicIp": ip, "publicDns": _aws_public_dns(ip, inputs.get("region") or ctx.region),
            "associationId": "eipassoc-" + ctx.hex(17, "assoc") if inputs.get("networkInterface") else None}


@resource_outputs("aws:ec2/keyPair:KeyPair")
def _aws_key_pair(ctx, inputs):
    name = inputs.get("keyName") or (inputs.get("keyNamePrefix") or "") + ctx.hex(26, "kp")
    return {"id": name, "keyName": name, "keyPairId": "key-" + ctx.hex(17, "kpid"),
            "arn": ctx.arn("ec2", f"key-pair/{name}"), "fingerprint": ctx.hex(40, "fp")}


def _aws_type_offered(ctx, itype, region: str, zone: str) -> None:
    """RunInstances refuses a type its region or the subnet's zone does not offer (the dated table
    components/aws_instance_offerings.txt; zone names are this account's, so the zone's ID decides)."""
    from components.cloud_limits import aws_type_problem

    if not known(itype) or not itype:
        return
    if aws_type_problem(itype, zone if zone in aws_zones(region) else region):
        raise ctx.refuse(f"Unsupported: your requested instance type ({itype}) is not supported in your "
                         f"requested Availability Zone ({zone})")


@resource_outputs("aws:ec2/instance:Instance")
def _aws_instance(ctx, inputs):
    iid = "i-" + ctx.hex(17, "i")
    region = inputs.get("region") or ctx.region
    nic = (inputs.get("primaryNetworkInterface") or {}).get("networkInterfaceId")
    subnet = (ctx.state_of(nic) or {}).get("subnetId") if nic else inputs.get("subnetId")
    cidr, zone = aws_subnet_facts(ctx, subnet, region)
    _aws_type_offered(ctx, inputs.get("instanceType"), region, zone)
    out = {"id": iid, "arn": ctx.arn("ec2", f"instance/{iid}"), "instanceState": "running",
           "availabilityZone": zone, "primaryNetworkInterfaceId": nic, "region": region}
    if not nic:
        # Launched into a subnet: EC2 picks the private IP in it and, when asked, an auto-assigned
        # public IPv4 address with its ec2-... DNS name.
        private_ip = inputs.get("privateIp") or ctx.ip_in(cidr, "instance")
        out.update({"privateIp": private_ip, "privateDns": _aws_private_dns(private_ip, region),
                    "primaryNetworkInterfaceId": "eni-" + ctx.hex(17, "ieni")})
        if inputs.get("associatePublicIpAddress"):
            ip = ctx.public_ip("instance")
            out.update({"publicIp": ip, "publicDns": _aws_public_dns(ip, region)})
    else:
        eni = ctx.state_of(nic) or {}
        out.update({"privateIp": eni.get("privateIp"), "privateDns": eni.get("privateDnsName")})
    return out


# --- Azure --------------------------------------------------------------------------------------


def _az_id(ctx, inputs, provider: str, kind: str, name_key: str) -> tuple[str, str]:
    name = inputs.get(name_key) or f"{ctx.name}{ctx.hex(8, name_key)}"
    rg = inputs.get("resourceGroupName", "rg")
    return name, f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{rg}/providers/{provider}/{kind}/{name}"


@resource_outputs("azure-native:network:VirtualNetwork")
def _az_vnet(ctx, inputs):
    name, rid = _az_id(ctx, inputs, "Microsoft.Network", "virtualNetworks", "virtualNetworkName")
    return {"id": rid, "name": name, "provisioningState": "Succeeded", "resourceGuid": ctx.hex(32, "guid")}


def _az_prefixes(value) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(v, strict=False) for v in value or [] if known(v)]


@resource_outputs("azure-native:network:Subnet")
def _az_subnet(ctx, inputs):
    # NetcfgInvalidSubnet / NetcfgSubnetRangesOverlap: a subnet lies inside its virtual network's
    # address space and overlaps no sibling (Microsoft Learn, "Add, change, or delete a virtual
    # network subnet", read 2026-12-02).
    mine = _az_prefixes([inputs.get("addressPrefix"), *(inputs.get("addressPrefixes") or [])])
    vnet, rg = inputs.get("virtualNetworkName"), inputs.get("resourceGroupName")
    for vnet_in, vnet_out in ctx.created("azure-native:network:VirtualNetwork"):
        if known(vnet) and vnet_out.get("name") == vnet and vnet_in.get("resourceGroupName") == rg:
            space = _az_prefixes((vnet_in.get("addressSpace") or {}).get("addressPrefixes"))
            for net in mine:
                if space and not any(net.version == s.version and net.subnet_of(s) for s in space):
                    raise ctx.refuse(f"NetcfgInvalidSubnet: {net} is outside the address space of "
                                     f"virtual network {vnet} ({', '.join(map(str, space))})")
    for other_in, _ in ctx.created("azure-native:network:Subnet"):
        if known(vnet) and other_in.get("virtualNetworkName") == vnet and other_in.get("resourceGroupName") == rg:
            for net in mine:
                for theirs in _az_prefixes([other_in.get("addressPrefix"), *(other_in.get("addressPrefixes") or [])]):
                    if net.version == theirs.version and net.overlaps(theirs):
                        raise ctx.refuse(f"NetcfgSubnetRangesOverlap: {net} overlaps {theirs} in {vnet}")
    name = inputs.get("subnetName") or inputs.get("name") or f"{ctx.name}{ctx.hex(8, 'subnet')}"
    rg, vnet = inputs.get("resourceGroupName", "rg"), inputs.get("virtualNetworkName", "vnet")
    rid = (f"/subscriptions/{_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/"
           f"{vnet}/subnets/{name}")
    return {"id": rid, "name": name, "provisioningState": "Succeeded"}


@resource_outputs("azure-native:network:NetworkSecurityGroup")
def _az_nsg(ctx, inputs):
    # Rule names are unique in their security group; priorities are 100-4096 and unique per
    # direction (Microsoft Learn, "Network security groups: security rules", read 2026-12-02).
    names: set[str] = set()
    priorities: dict[tuple, str] = {}
    for rule in inputs.get("securityRules") or []:
        name, priority = rule.get("name"), rule.get("priority")
        if known(name):
            if name.lower() in names:
                raise ctx.refuse(f"two security rules are named {name!r}; names are unique in a security group")
            names.add(name.lower())
        if known(priority):
            if not 100 <= int(priority) <= 4096:
                raise ctx.refuse(f"security rule {name!r}: priority {priority} is outside 100-4096")
            key = (rule.get("direction"), int(priority))
            if key in priorities:
                raise ctx.refuse(f"security rules {priorities[key]!r} and {name!r} share priority {priority} "
                                 f"({rule.get('direction')})")
            priorities[key] = name
    name, rid = _az_id(ctx, inputs, "Microsoft.Network", "networkSecurityGroups", "networkSecurityGroupName")
    return {"id": rid, "name": name, "provisioningState": "Succeeded"}


@resource_outputs("azure-native:network:PublicIPAddress")
def _az_public_ip(ctx, inputs):
    name, rid = _az_id(ctx, inputs, "Microsoft.Network", "publicIPAddresses", "publicIpAddressName")
    out = {"id": rid, "name": name, "ipAddress": ctx.public_ip(), "provisioningState": "Succeeded"}
    dns = inputs.get("dnsSettings")
    if dns and dns.get("domainNameLabel"):
        label = dns["domainNameLabel"]
        if dns.get("domainNameLabelScope"):
            label += "-" + ctx.hex(12, "label")  # Azure appends a hash for the reuse scopes
        out["dnsSettings"] = {**dns, "fqdn": f"{label}.{inputs.get('location', 'westeurope')}.cloudapp.azure.com"}
    return out


@resource_outputs("azure-native:network:NetworkInterface")
def _az_nic(ctx, inputs):
    name, rid = _az_id(ctx, inputs, "Microsoft.Network", "networkInterfaces", "networkInterfaceName")
    configs = []
    for i, c in enumerate(inputs.get("ipConfigurations") or []):
        # Dynamic allocation: an address of the subnet, not its first four or last (Microsoft
        # Learn, "Virtual network FAQ": reserved addresses, read 2026-12-02).
        subnet = ctx.state_of((c.get("subnet") or {}).get("id")) or {}
        prefix = subnet.get("addressPrefix") or "10.0.0.0/24"
        configs.append({**c, "privateIPAddress": c.get("privateIPAddress") or ctx.ip_in(prefix, f"nic{i}"),
                        "privateIPAddressVersion": "IPv4", "provisioningState": "Succeeded"})
    return {"id": rid, "name": name, "ipConfigurations": configs, "macAddress": ctx.hex(12, "mac").upper(),
            "provisioningState": "Succeeded"}


@resource_outputs("azure-native:compute:SshPublicKey")
def _az_ssh_key(ctx, inputs):
    name, rid = _az_id(ctx, inputs, "Microsoft.Compute", "sshPublicKeys", "sshPublicKeyName")
    return {"id": rid, "name": name}


# Linux VM names: 1-64 characters, none of ~!@#$%^&*()=+_[]{}\\|;:.'",<>/? and no spaces, not
# ending in '.' or '-'; computer names likewise (Microsoft Learn, "Naming rules and restrictions
# for Azure resources", Microsoft.Compute, read 2026-12-02).
_AZ_VM_NAME = re.compile(r"^[A-Za-z0-9-]{0,63}[A-Za-z0-9]\Z")


def az_size_offered(ctx, size, location) -> None:
    """ARM refuses a VM size its location does not offer (SkuNotAvailable): the dated tables of
    components/cloud_limits.py, the ones config validation checks first."""
    from components.cloud_limits import size_problem

    if known(size) and known(location) and size and location:
        problem = size_problem("azure", size, location)
        if problem:
            raise ctx.refuse(f"SkuNotAvailable: {problem}")


@resource_outputs("azure-native:compute:VirtualMachine")
def _az_vm(ctx, inputs):
    for key, value in (("vmName", inputs.get("vmName")), ("osProfile.computerName",
                                                          (inputs.get("osProfile") or {}).get("computerName"))):
        if known(value) and not _AZ_VM_NAME.match(value):
            raise ctx.refuse(f"{key} {value!r} must be 1-64 letters, digits and '-', not ending in '-'")
    az_size_offered(ctx, (inputs.get("hardwareProfile") or {}).get("vmSize"), inputs.get("location"))
    name, rid = _az_id(ctx, inputs, "Microsoft.Compute", "virtualMachines", "vmName")
    out = {"id": rid, "name": name, "vmId": f"{ctx.hex(8)}-0000-4000-8000-{ctx.hex(12, 'vm')}",
           "provisioningState": "Succeeded"}
    if isinstance(inputs.get("osProfile"), dict):
        # ARM never returns the write-only adminPassword and customData of a VM's osProfile
        # (Azure REST API, Virtual Machines - Get, OSProfile, read 2026-12-02).
        out["osProfile"] = {k: v for k, v in inputs["osProfile"].items() if k not in ("adminPassword", "customData")}
    return out


# --- GCP ----------------------------------------------------------------------------------------


def _gcp_link(ctx, inputs, kind: str, scope: str | None = None) -> tuple[str, str]:
    project = inputs.get("project") or "dockyard-dev"
    name = inputs.get("name") or f"{ctx.name}-{ctx.hex(7, 'name')}"
    path = f"projects/{project}/{scope + '/' if scope else 'global/'}{kind}/{name}"
    return name, path


@resource_outputs("gcp:compute/network:Network")
def _gcp_network(ctx, inputs):
    name, path = _gcp_link(ctx, inputs, "networks")
    return {"id": path, "name": name, "selfLink": "https://www.googleapis.com/compute/v1/" + path,
            "numericId": str(ctx.number(10 ** 18))}


def _gcp_ranges(inputs) -> list[ipaddress.IPv4Network]:
    ranges = [inputs.get("ipCidrRange")] + [r.get("ipCidrRange") for r in inputs.get("secondaryIpRanges") or []]
    return [ipaddress.ip_network(r) for r in ranges if known(r)]


@resource_outputs("gcp:compute/subnetwork:Subnetwork")
def _gcp_subnetwork(ctx, inputs):
    # A subnet's primary and secondary ranges overlap no other range of the network (Compute
    # Engine, "Subnets", IPv4 subnet ranges, read 2026-12-02).
    mine = _gcp_ranges(inputs)
    for i, a in enumerate(mine):
        for b in mine[i + 1:]:
            if a.overlaps(b):
                raise ctx.refuse(f"ranges {a} and {b} of the subnetwork overlap")
    network = inputs.get("network")
    for other_in, _ in ctx.created("gcp:compute/subnetwork:Subnetwork"):
        if known(network) and other_in.get("network") == network:
            for a in mine:
                for b in _gcp_ranges(other_in):
                    if a.overlaps(b):
                        raise ctx.refuse(f"range {a} overlaps {b} of subnetwork {other_in.get('name')}")
    name, path = _gcp_link(ctx, inputs, "subnetworks", f"regions/{inputs.get('region', 'us-central1')}")
    cidr = inputs.get("ipCidrRange", "10.43.1.0/24")
    return {"id": path, "name": name, "selfLink": "https://www.googleapis.com/compute/v1/" + path,
            "gatewayAddress": cidr.rsplit(".", 1)[0] + ".1"}


def _gcp_subnet_state(ctx, ref) -> dict | None:
    """The subnetwork this run created that ``ref`` (its id or self link) names."""
    if not known(ref):
        return None
    for _inputs, out in ctx.created("gcp:compute/subnetwork:Subnetwork"):
        if ref in (out.get("id"), out.get("selfLink")):
            return {**_inputs, **out}
    return None


@resource_outputs("gcp:compute/address:Address")
def _gcp_address(ctx, inputs):
    name, path = _gcp_link(ctx, inputs, "addresses", f"regions/{inputs.get('region', 'us-central1')}")
    internal = inputs.get("addressType") == "INTERNAL"
    # An internal address lies in its subnetwork's primary range, not among its first two or last
    # two addresses (Compute Engine, "Subnets": unusable addresses, read 2026-12-02).
    subnet = _gcp_subnet_state(ctx, inputs.get("subnetwork")) or {}
    ip = inputs.get("address") or (ctx.ip_in(subnet.get("ipCidrRange") or "10.128.0.0/20", "internal", 2, 2)
                                   if internal else ctx.public_ip())
    return {"id": path, "name": name, "address": ip, "addressType": inputs.get("addressType", "EXTERNAL"),
            "selfLink": "https://www.googleapis.com/compute/v1/" + path}


@resource_outputs("gcp:compute/firewall:Firewall")
def _gcp_firewall(ctx, inputs):
    name, path = _gcp_link(ctx, inputs, "firewalls")
    return {"id": path, "name": name, "selfLink": "https://www.googleapis.com/compute/v1/" + path,
            "priority": inputs.get("priority", 1000)}


# Compute Engine resource names: RFC 1035, [a-z]([-a-z0-9]{0,61}[a-z0-9])? (Compute Engine API,
# "Naming resources", read 2026-12-02); an instance name is unique in its zone.
_GCE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?\Z")


@resource_outputs("gcp:compute/instance:Instance")
def _gcp_instance(ctx, inputs):
    name, zone = inputs.get("name"), inputs.get("zone")
    if known(name):
        if not _GCE_NAME.match(name):
            raise ctx.refuse(f"name {name!r} must be 1-63 characters [a-z]([-a-z0-9]*[a-z0-9])")
        for other, _ in ctx.created("gcp:compute/instance:Instance"):
            if other.get("name") == name and other.get("zone") == zone and other.get("project") == inputs.get("project"):
                raise ctx.refuse(f"alreadyExists: an instance named {name!r} exists in zone {zone}")
    name, path = _gcp_link(ctx, inputs, "instances", f"zones/{inputs.get('zone', 'us-central1-b')}")
    return {"id": path, "name": name, "instanceId": str(ctx.number(10 ** 18)), "currentStatus": "RUNNING",
            "selfLink": "https://www.googleapis.com/compute/v1/" + path}


@invoke("aws:ec2/getInstanceType:getInstanceType")
def _aws_instance_type(ctx, args):
    # AWS names Graviton (arm64-only) families with a "g" after the generation digit (t4g, m7gd,
    # c6gn); a1 is the first Graviton. Every other family here runs x86_64.
    itype = args.get("instanceType") or "t3.micro"
    family = itype.split(".")[0]
    arm = family == "a1" or bool(re.match(r"^[a-z]+\d+g[a-z]*\Z", family))
    return {"id": itype, "instanceType": itype, "supportedArchitectures": ["arm64"] if arm else ["x86_64"],
            "region": args.get("region") or ctx.region}


@invoke("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings")
def _aws_instance_type_offerings(ctx, args):
    # The region's zones that offer the type per the dated table (components/cloud_limits.py
    # aws_type_problem), none in a region that does not offer it at all.
    from components.cloud_limits import aws_type_problem

    region = args.get("region") or ctx.region
    types = [v for f in args.get("filters") or [] if f.get("name") == "instance-type" for v in f.get("values", [])]
    itype = (types[:1] or ["t3.micro"])[0]
    zones = [name for name in aws_zones(region) if aws_type_problem(itype, name) is None]
    return {"id": region, "locations": zones, "locationTypes": ["availability-zone"] * len(zones),
            "instanceTypes": [itype] * len(zones), "filters": args.get("filters"),
            "locationType": args.get("locationType"), "region": region}
