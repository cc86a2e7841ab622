"""Azure driver: resource group, virtual network, static public IP, NSG, NIC, registered SSH key
and a Linux VM (docker-machine's `-d azure`). Imported only by stacks with an Azure host.

The public IP (Standard SKU, static) and the NIC (whose private IP Azure assigns when the NIC is
created) exist before the VM, so both IPs are SANs of the server certificate.
"""

from __future__ import annotations

import base64
import re

import pulumi
import pulumi_azure_native as az

from components import quotas
from components.cloud_limits import azure_image_reference
from components.hosts.host import Addresses, PortRule, image_ignore_changes, split_families

# Canonical's Ubuntu 24.04 LTS image on Azure (Microsoft Learn, "Find Azure Marketplace images":
# publisher Canonical, offer ubuntu-24_04-lts, sku server).
UBUNTU_IMAGE = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}
# Flatcar on Azure is a Marketplace image with a plan (flatcar.org docs, "Running on Microsoft
# Azure"); its terms must be accepted once per subscription (`az vm image terms accept`).
FLATCAR_IMAGE = {"publisher": "kinvolk", "offer": "flatcar-container-linux-free", "sku": "stable-gen2",
                 "version": "latest"}
PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "esp": "Esp"}
# A public IP's DNS label: 3-63 characters, lowercase letter first (Microsoft Learn, "ARM template
# best practices": domainNameLabel must match this expression). Host names are DNS labels, which
# may start with a digit or be shorter.
AZURE_DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]\Z")
# azure-native auto-names append 8 random characters (pulumi-azure-native getDefaultName);
# virtual network names are 2-64 characters (Microsoft Learn, "Naming rules and restrictions
# for Azure resources", Microsoft.Network/virtualNetworks).
AUTONAME_SUFFIX = 8
VNET_NAME_MAX = 64
VNET_CIDR = "10.42.0.0/16"
SUBNET_CIDR = "10.42.1.0/24"


def image_reference(cfg) -> dict:
    if cfg.image:
        return azure_image_reference(cfg.image)  # checked by the config already
    return dict(FLATCAR_IMAGE if cfg.os == "flatcar" else UBUNTU_IMAGE)


class Driver:
    def __init__(self, name: str, cfg, args, parent: pulumi.Resource, rules: list[PortRule]):
        self.name, self.cfg, self.args, self.rules = name, cfg, args, rules
        self.opts = pulumi.ResourceOptions(parent=parent)
        self.location = cfg.region or args.location.azure_location
        self.tags = {**cfg.tags, "dockyard-host": cfg.name}
        self.zones = [args.placement.zone] if args.placement.zone else None

    def _security_rules(self) -> list[dict]:
        out, priority = [], 100
        for rule in self.rules:
            v4, v6 = split_families(rule.sources)
            for i, family in enumerate(f for f in (v4, v6) if f):
                out.append(self._rule(f"{_slug(rule)}-{i}" if i else _slug(rule), priority, rule,
                                      source_address_prefixes=family))
                priority += 10
        peers = self.args.peers
        if peers:
            if peers.azure_application_security_group_id is None:
                raise ValueError("PeerGroup.azure_application_security_group_id is required on Azure")
            for rule in peers.rules:
                out.append(self._rule(f"peer-{_slug(rule)}", priority, rule, source_application_security_groups=[
                    {"id": peers.azure_application_security_group_id}]))
                priority += 10
        if self.args.placement.azure_lb_backend_pool_ids:
            # The VirtualNetwork tag denied below includes the host's virtual IP 168.63.129.16, where
            # the load balancer's health probes come from (Microsoft Learn, "Azure service tags":
            # VirtualNetwork / AzureLoadBalancer); without this, a publicCidrs narrower than
            # 0.0.0.0/0 marks every backend down. Azure's own AllowAzureLoadBalancerInBound
            # (65001) comes after the deny, so restate it ahead of it.
            out.append({"name": "allow-azure-lb-probes", "priority": 4095, "direction": "Inbound",
                        "access": "Allow", "protocol": "*", "source_address_prefix": "AzureLoadBalancer",
                        "source_port_range": "*", "destination_address_prefix": "*",
                        "destination_port_range": "*", "description": "load balancer health probes"})
        # Azure's default rules admit everything from the virtual network (AllowVnetInBound,
        # priority 65000); close that so only the rules above open anything.
        out.append({"name": "deny-vnet-inbound", "priority": 4096, "direction": "Inbound", "access": "Deny",
                    "protocol": "*", "source_address_prefix": "VirtualNetwork", "source_port_range": "*",
                    "destination_address_prefix": "*", "destination_port_range": "*"})
        return out

    @staticmethod
    def _rule(name: str, priority: int, rule: PortRule, **source) -> dict:
        ports = rule.ports if rule.ports and rule.protocol in ("tcp", "udp") else "*"
        return {"name": name, "priority": priority, "direction": "Inbound", "access": "Allow",
                "protocol": PROTOCOLS[rule.protocol], "source_port_range": "*", "destination_address_prefix": "*",
                "destination_port_range": ports, "description": rule.description or name, **source}

    def addresses(self) -> Addresses:
        cfg, placement = self.cfg, self.args.placement
        if placement.resource_group_name is not None:
            self.resource_group_name = placement.resource_group_name
        else:
            rg = az.resources.ResourceGroup(f"{self.name}-rg", location=self.location, tags=self.tags,
                                            opts=self.opts)
            self.resource_group_name = rg.name
        rg_name = self.resource_group_name
        subnet_id = placement.subnet_id
        if subnet_id is None:
            prefix = self.name[:VNET_NAME_MAX - AUTONAME_SUFFIX - len("-vnet")].rstrip("-")
            vnet = az.network.VirtualNetwork(f"{prefix}-vnet", resource_group_name=rg_name, location=self.location,
                                             address_space={"address_prefixes": [VNET_CIDR]}, tags=self.tags,
                                             opts=self.opts.merge(pulumi.ResourceOptions(ignore_changes=["subnets"])))
            subnet = az.network.Subnet(f"{self.name}-subnet", resource_group_name=rg_name,
                                       virtual_network_name=vnet.name, address_prefix=SUBNET_CIDR, opts=self.opts)
            subnet_id = subnet.id
        self.nsg = az.network.NetworkSecurityGroup(f"{self.name}-nsg", resource_group_name=rg_name,
                                                   location=self.location, security_rules=self._security_rules(),
                                                   tags=self.tags, opts=self.opts)
        if not AZURE_DNS_LABEL.match(cfg.name):
            pulumi.log.warn(f"{self.name}: '{cfg.name}' is not an Azure DNS label (3-63 characters, starting "
                            "with a letter): the public IP gets no DNS name")
        # Standard SKU: secure by default (closed until an NSG allows), and Basic is retired.
        # Auto-named, so a replacement coexists with the old address; its DNS label is fixed but
        # unique per location, and only a location change replaces the address (a new region's
        # cloudapp.azure.com zone), so it is created first. The NIC and the resource group are
        # auto-named too.
        self.public_ip_resource = az.network.PublicIPAddress(
            f"{self.name}-ip", resource_group_name=rg_name, location=self.location,
            public_ip_allocation_method="Static", sku={"name": "Standard"}, zones=self.zones,
            # <label>-<hash>.<location>.cloudapp.azure.com: the hash (TenantReuse scope) keeps the
            # label unique in the region, so the name is a SAN of the server certificate.
            dns_settings=({"domain_name_label": cfg.name, "domain_name_label_scope": "TenantReuse"}
                          if AZURE_DNS_LABEL.match(cfg.name) else None),
            tags=self.tags, opts=self.opts)
        ip_config = {"name": "primary", "primary": True, "subnet": {"id": subnet_id},
                     "private_ip_allocation_method": "Dynamic",
                     "public_ip_address": {"id": self.public_ip_resource.id}}
        if placement.azure_lb_backend_pool_ids:
            ip_config["load_balancer_backend_address_pools"] = [{"id": i} for i in placement.azure_lb_backend_pool_ids]
        if placement.azure_lb_inbound_nat_rule_ids:
            ip_config["load_balancer_inbound_nat_rules"] = [{"id": i} for i in placement.azure_lb_inbound_nat_rule_ids]
        peers = self.args.peers
        if peers and peers.azure_application_security_group_id is not None:
            ip_config["application_security_groups"] = [{"id": peers.azure_application_security_group_id}]
        self.nic = az.network.NetworkInterface(f"{self.name}-nic", resource_group_name=rg_name,
                                               location=self.location, ip_configurations=[ip_config],
                                               network_security_group={"id": self.nsg.id}, tags=self.tags,
                                               opts=self.opts)
        private_ip = self.nic.ip_configurations.apply(lambda cs: cs[0].private_ip_address if cs else None)
        if cfg.ipv6:
            pulumi.log.warn(f"{self.name}: ipv6 on Azure needs a dual-stack virtual network; not set up")
        fqdn = self.public_ip_resource.dns_settings.apply(lambda d: d.fqdn if d else None)
        return Addresses(public_ip=self.public_ip_resource.ip_address, private_ip=private_ip, dns_name=fqdn)

    def internal_ip(self):
        return None  # the private IP is allocated before the VM (Addresses.private_ip)

    def machine(self, *, user_data, ssh_public_key):
        cfg = self.cfg
        rg_name = self.resource_group_name
        if cfg.backups:
            pulumi.log.warn(f"{self.name}: backups on Azure need a Recovery Services vault; not set up")
        key = az.compute.SshPublicKey(f"{self.name}-ssh", resource_group_name=rg_name, location=self.location,
                                      public_key=ssh_public_key, tags=self.tags, opts=self.opts)
        image = image_reference(cfg)
        os_disk = {"create_option": "FromImage", "delete_option": "Delete",
                   "managed_disk": {"storage_account_type": "StandardSSD_LRS"}}
        if cfg.disk_gb is not None:
            os_disk["disk_size_gb"] = cfg.disk_gb
        plan = ({"name": image["sku"], "product": image["offer"], "publisher": image["publisher"]}
                if image.get("publisher") == "kinvolk" else None)
        vcpus = quotas.azure_vcpus(cfg.size)
        if vcpus is not None:
            quotas.count("azure.regional_vcpus", self.name, vcpus, region=self.location)
        return az.compute.VirtualMachine(
            self.name,
            vm_name=cfg.name,
            resource_group_name=rg_name,
            location=self.location,
            hardware_profile={"vm_size": cfg.size},
            network_profile={"network_interfaces": [{"id": self.nic.id, "primary": True}]},
            os_profile={
                "computer_name": cfg.name,
                "admin_username": cfg.ssh_user,
                "custom_data": user_data.apply(lambda text: base64.b64encode(text.encode()).decode()),
                "linux_configuration": {
                    "disable_password_authentication": True,
                    "ssh": {"public_keys": [{"path": f"/home/{cfg.ssh_user}/.ssh/authorized_keys",
                                             "key_data": key.public_key}]},
                },
            },
            storage_profile={"image_reference": image, "os_disk": os_disk},
            plan=plan,
            diagnostics_profile={"boot_diagnostics": {"enabled": cfg.monitoring}},
            zones=self.zones,
            tags=self.tags,
            # Custom data is read on first boot only: a changed document needs a new VM.
            # Certificates are not in it (they come over SSH), so a renewal is not.
            # An unpinned image reference (`latest`, or a default a newer Dockyard changes) stays
            # as recorded at the first `up` (image_ignore_changes); a pinned one replaces.
            # Replaced delete-first: the VM name is fixed (vm_name, unique in its resource group:
            # a create-first replacement fails with "already exists") and its NIC can belong to
            # one VM only. The OS disk goes with the old VM (delete_option Delete) and the new
            # one gets a disk Azure names after the VM plus a unique suffix.
            opts=self.opts.merge(pulumi.ResourceOptions(
                replace_on_changes=["osProfile.customData"],
                ignore_changes=image_ignore_changes(cfg, "storageProfile.imageReference"),
                delete_before_replace=True)),
        )


def _slug(rule: PortRule) -> str:
    return f"{rule.protocol}-{(rule.ports or 'all').replace('-', 'to')}"
