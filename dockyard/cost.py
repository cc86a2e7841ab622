"""What a stack costs each month, estimated offline from its preview and dated price books.

The preview already names every resource, size, count and region, so the estimate needs no cloud
account: each priced resource type has a small function below that turns its inputs into priced
lines (quantity x a row of dockyard/pricebook/<cloud>.csv). The rules it keeps:

* a month is 730 hours (DigitalOcean rows are monthly: Droplets bill hourly up to a monthly cap);
* usage-based charges (traffic, load-balancer capacity units, data processed, log ingestion) are
  named as "not included" and never guessed;
* a size or region the price book lacks is named in a warning and the total says it is partial:
  no number is ever made up;
* every figure states the date of the price book it came from.

It works on the preview document (``dockyard preview --json``), so `dockyard diff` can price two
previews made elsewhere.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

HOURS_PER_MONTH = 730
CURRENCY = "USD"
PRICEBOOK_PACKAGE = "dockyard.pricebook"

# Defaults a resource's inputs leave to the cloud, with where they come from.
AWS_ROOT_VOLUME_GB = 8  # Canonical's Ubuntu AMIs have an 8 GiB root snapshot
AWS_ROOT_VOLUME_TYPE = "gp2"  # RunInstances' default volume type when the mapping names none
EKS_NODE_DISK_GB = 20  # EKS CreateNodegroup: diskSize defaults to 20 GiB (Linux)
EKS_NODE_DISK_TYPE = "gp2"  # priced as gp2, as Infracost prices a default node group
GCE_BOOT_DISK_GB = 10  # public Ubuntu images are 10 GB
GKE_NODE_DISK_GB = 100  # GKE node boot disk default: 100 GB pd-balanced


@dataclass(frozen=True)
class Price:
    cloud: str
    item: str
    size: str
    region: str
    unit: str
    usd: float
    source: str
    read: str


class PriceBook:
    """All rows of dockyard/pricebook/*.csv; a lookup prefers the exact region over '*'."""

    def __init__(self, rows: Iterable[Price]):
        self.rows: dict[tuple[str, str, str, str], Price] = {}
        self.dates: dict[str, str] = {}
        for p in rows:
            key = (p.cloud, p.item, p.size, p.region)
            if key in self.rows:
                raise ValueError(f"price book: duplicate row {key}")
            self.rows[key] = p
            self.dates[p.cloud] = max(self.dates.get(p.cloud, ""), p.read)

    @classmethod
    def load(cls) -> PriceBook:
        rows = []
        for entry in sorted(resources.files(PRICEBOOK_PACKAGE).iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".csv"):
                continue
            cloud = entry.name[: -len(".csv")]
            text = entry.read_text(encoding="utf-8")
            lines = [line for line in text.splitlines() if line and not line.startswith("#")]
            for rec in csv.DictReader(lines):
                rows.append(Price(cloud=cloud, item=rec["item"], size=rec["size"], region=rec["region"],
                                  unit=rec["unit"], usd=float(rec["usd"]), source=rec["source"], read=rec["read"]))
        return cls(rows + _azure_vm_rows())

    def lookup(self, cloud: str, item: str, size: str, region: str) -> Price | None:
        return self.rows.get((cloud, item, size, region)) or self.rows.get((cloud, item, size, "*"))


def _azure_vm_rows() -> list[Price]:
    """Azure VM hours come from the dated size table that config validation also reads
    (components/azure_vm_sizes.csv), so a size's price and its being offered have one source."""
    from components.cloud_limits import AZURE_VM_SIZES_FILE, azure_vm_sizes

    table = azure_vm_sizes()
    source = (f"https://azure.microsoft.com/pricing/details/virtual-machines/linux/ ; {table.source} "
              f"(Azure Retail Prices API, Linux pay-as-you-go, generated {table.generated}; via "
              f"components/{AZURE_VM_SIZES_FILE.name})")
    return [Price(cloud="azure", item="vm", size=table.names[key], region=region, unit="hour", usd=usd,
                  source=source, read=table.generated)
            for key, by_region in table.prices.items() for region, usd in by_region.items()]


@dataclass
class Line:
    what: str
    quantity: float
    unit: str
    unit_price: float
    read: str

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price

    def to_json(self) -> dict:
        return {"item": self.what, "quantity": _num(self.quantity), "unit": self.unit,
                "unitPrice": self.unit_price, "monthly": _num(self.monthly), "priceBook": self.read}


@dataclass
class ResourceCost:
    urn: str
    type: str
    name: str
    lines: list[Line] = field(default_factory=list)
    not_included: list[str] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)

    @property
    def monthly(self) -> float:
        return sum(line.monthly for line in self.lines)

    def to_json(self) -> dict:
        return {"monthly": _num(self.monthly), "lines": [line.to_json() for line in self.lines],
                "notIncluded": list(self.not_included), "unpriced": list(self.unpriced)}


@dataclass
class Estimate:
    resources: dict[str, ResourceCost]
    dates: dict[str, str]  # cloud -> date of the price book used

    @property
    def monthly(self) -> float:
        return sum(rc.monthly for rc in self.resources.values())

    @property
    def unpriced(self) -> list[str]:
        return sorted({u for rc in self.resources.values() for u in rc.unpriced})

    @property
    def not_included(self) -> list[str]:
        return sorted({n for rc in self.resources.values() for n in rc.not_included})

    @property
    def partial(self) -> bool:
        return bool(self.unpriced)

    def warnings(self) -> list[str]:
        return [f"cost: {u}: the monthly total is partial" for u in self.unpriced]

    def summary(self) -> dict:
        return {"currency": CURRENCY, "hoursPerMonth": HOURS_PER_MONTH, "monthly": _num(self.monthly),
                "partial": self.partial, "priceBooks": dict(sorted(self.dates.items())),
                "unpriced": self.unpriced, "notIncluded": self.not_included}


def _num(x: float) -> float:
    """Byte-stable JSON: four decimals is finer than any list price we hold."""
    r = round(x, 4)
    return int(r) if r == int(r) else r


# --- context a pricer may read ----------------------------------------------------------------


class _Ctx:
    def __init__(self, doc: dict, book: PriceBook):
        self.doc = doc
        self.book = book
        self.by_urn = {r["urn"]: r for r in doc.get("resources") or [] if isinstance(r, dict) and "urn" in r}
        self.types = {r.get("type") for r in self.by_urn.values()}
        self.clouds: set[str] = set()

    def default_region(self, cloud: str) -> str:
        """The region most of a cloud's resources name: resources without a region input use it."""
        keys = {"aws": ("region",), "azure": ("location",), "gcp": ("region",), "digitalocean": ("region",)}[cloud]
        prefix = {"aws": "aws:", "azure": "azure-native:", "gcp": "gcp:", "digitalocean": "digitalocean:"}[cloud]
        counts: dict[str, int] = {}
        for r in self.by_urn.values():
            if not str(r.get("type", "")).startswith(prefix):
                continue
            for k in keys:
                v = (r.get("inputs") or {}).get(k)
                if isinstance(v, str) and v:
                    counts[v] = counts.get(v, 0) + 1
        return max(sorted(counts), key=lambda k: counts[k]) if counts else ""

    def kubernetes_cloud(self) -> str | None:
        for t, cloud in (("eks:index:Cluster", "aws"), ("azure-native:containerservice:ManagedCluster", "azure"),
                         ("gcp:container/cluster:Cluster", "gcp"),
                         ("digitalocean:index/kubernetesCluster:KubernetesCluster", "digitalocean")):
            if t in self.types:
                return cloud
        return None

    def cluster_region(self, cloud: str) -> str:
        """Where a cluster's Service load balancers are made: the cluster's own region."""
        for r in self.by_urn.values():
            if r.get("type") == "digitalocean:index/kubernetesCluster:KubernetesCluster":
                return _inputs(r).get("region", "")
            if r.get("type") == "gcp:container/cluster:Cluster":
                return _gcp_region(self, r)
            if r.get("type") == "azure-native:containerservice:ManagedCluster":
                return _az_region(self, r)
        return self.default_region(cloud)

    def dependency(self, r: dict, prop: str) -> dict | None:
        for urn in (r.get("propertyDependencies") or {}).get(prop) or []:
            if urn in self.by_urn:
                return self.by_urn[urn]
        return None


class _Pricing:
    """Collects one resource's lines, looking each price up in the book."""

    def __init__(self, ctx: _Ctx, r: dict, cloud: str):
        self.ctx, self.cloud = ctx, cloud
        self.rc = ResourceCost(urn=r["urn"], type=r["type"], name=r.get("name", ""))

    def add(self, what: str, item: str, size: str, region: str, quantity: float, *, per: str = "") -> None:
        """One priced line: ``quantity`` units running all month (hourly rows x 730 hours)."""
        if quantity <= 0:
            return
        self.ctx.clouds.add(self.cloud)
        price = self.ctx.book.lookup(self.cloud, item, size, region)
        label = f"{self.cloud} {item}" + (f" {size}" if size else "") + (f" in {region}" if region else "")
        if price is None:
            date = self.ctx.book.dates.get(self.cloud, "none")
            self.rc.unpriced.append(f"no price for {label} in the price book ({self.cloud}: {date})")
            return
        if price.unit == "hour":
            unit = f"{per}-hours" if per else "hours"
            self.rc.lines.append(Line(what, quantity * HOURS_PER_MONTH, unit, price.usd, price.read))
        elif price.unit == "gb-hour":
            self.rc.lines.append(Line(what, quantity * HOURS_PER_MONTH, "GB-hours", price.usd, price.read))
        elif price.unit == "gb-month":
            self.rc.lines.append(Line(what, quantity, "GB-months", price.usd, price.read))
        else:  # month
            self.rc.lines.append(Line(what, quantity, "months", price.usd, price.read))

    def exclude(self, what: str) -> None:
        self.rc.not_included.append(what)


Pricer = Callable[[_Ctx, dict, _Pricing], None]
PRICERS: dict[str, tuple[str, Pricer]] = {}


def prices(type_: str, cloud: str):
    def register(fn: Pricer) -> Pricer:
        PRICERS[type_] = (cloud, fn)
        return fn

    return register


def _inputs(r: dict) -> dict:
    i = r.get("inputs")
    return i if isinstance(i, dict) else {}


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- AWS ----------------------------------------------------------------------------------------


def _aws_region(ctx: _Ctx, r: dict) -> str:
    return _inputs(r).get("region") or ctx.default_region("aws")


@prices("aws:ec2/instance:Instance", "aws")
def _aws_instance(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _aws_region(ctx, r)
    size = i.get("instanceType", "")
    p.add(f"instance {size}", "ec2-instance", size, region, 1)
    root = i.get("rootBlockDevice") or {}
    vtype = root.get("volumeType") or AWS_ROOT_VOLUME_TYPE
    p.add(f"root volume ({vtype})", "ebs-volume", vtype, region, _int(root.get("volumeSize"), AWS_ROOT_VOLUME_GB))
    if i.get("associatePublicIpAddress"):
        p.add("public IPv4 address", "public-ipv4", "", region, 1)
    p.exclude("data transfer out to the internet")


@prices("aws:ec2/eip:Eip", "aws")
def _aws_eip(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    p.add("public IPv4 address (Elastic IP)", "public-ipv4", "", _aws_region(ctx, r), 1)


@prices("aws:ec2/natGateway:NatGateway", "aws")
def _aws_nat(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    p.add("NAT gateway", "nat-gateway", "", _aws_region(ctx, r), 1)
    p.exclude("NAT gateway data processed (per GB)")


@prices("aws:lb/loadBalancer:LoadBalancer", "aws")
def _aws_lb(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _aws_region(ctx, r)
    kind = i.get("loadBalancerType") or "application"
    p.add(f"{kind} load balancer", "load-balancer", kind, region, 1)
    if not i.get("internal"):
        # An internet-facing load balancer holds one public IPv4 address in each zone (subnet) it spans.
        p.add("public IPv4 addresses (one per zone)", "public-ipv4", "", region, len(i.get("subnets") or []))
    p.exclude({"network": "NLB capacity units (NLCU)", "application": "ALB capacity units (LCU)"}.get(kind, "load-balancer capacity units"))


@prices("aws:ecs/service:Service", "aws")
def _aws_ecs_service(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _aws_region(ctx, r)
    if i.get("launchType") != "FARGATE":
        return
    count = _int(i.get("desiredCount"), 1)
    td = ctx.dependency(r, "taskDefinition")
    if td is None:
        p.rc.unpriced.append(f"no task definition found for ECS service {r.get('name')}")
        return
    tdi = _inputs(td)
    vcpu = _int(tdi.get("cpu")) / 1024
    gb = _int(tdi.get("memory")) / 1024
    arch = str((tdi.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64").lower()
    size = "linux-arm64" if arch == "arm64" else "linux-x86_64"
    p.add(f"Fargate vCPU ({count} tasks x {vcpu:g} vCPU)", "fargate-vcpu", size, region, count * vcpu, per="vCPU")
    p.add(f"Fargate memory ({count} tasks x {gb:g} GB)", "fargate-memory", size, region, count * gb)
    if (i.get("networkConfiguration") or {}).get("assignPublicIp"):
        p.add(f"public IPv4 addresses (one per task, {count})", "public-ipv4", "", region, count)
    p.exclude("data transfer out to the internet")


@prices("aws:cloudwatch/logGroup:LogGroup", "aws")
def _aws_logs(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    p.exclude("CloudWatch Logs ingestion and storage (per GB)")


@prices("eks:index:Cluster", "aws")
def _aws_eks(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    p.add("EKS control plane (standard support)", "eks-cluster", "standard-support", _aws_region(ctx, r), 1)
    p.exclude("EKS extended support (if the Kubernetes version leaves standard support)")


@prices("eks:index:ManagedNodeGroup", "aws")
def _aws_eks_nodes(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _aws_region(ctx, r)
    count = _int((i.get("scalingConfig") or {}).get("desiredSize"), 0)
    size = (i.get("instanceTypes") or [""])[0]
    p.add(f"{count} nodes {size}", "ec2-instance", size, region, count)
    disk = _int(i.get("diskSize"), EKS_NODE_DISK_GB)
    p.add(f"node volumes ({count} x {disk} GiB {EKS_NODE_DISK_TYPE})", "ebs-volume", EKS_NODE_DISK_TYPE, region, count * disk)


# --- DigitalOcean -------------------------------------------------------------------------------


@prices("digitalocean:index/droplet:Droplet", "digitalocean")
def _do_droplet(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i = _inputs(r)
    p.add(f"Droplet {i.get('size', '')}", "droplet", i.get("size", ""), i.get("region", ""), 1)
    if i.get("backups"):
        p.rc.unpriced.append("no price for digitalocean droplet backups in the price book")


@prices("digitalocean:index/reservedIp:ReservedIp", "digitalocean")
def _do_reserved_ip(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    assigned = bool(_inputs(r).get("dropletId")) or any(
        other.get("type") == "digitalocean:index/reservedIpAssignment:ReservedIpAssignment"
        and r["urn"] in (other.get("dependencies") or [])
        for other in ctx.by_urn.values()
    )
    item = "reserved-ip-assigned" if assigned else "reserved-ip-unassigned"
    p.add("reserved IPv4 " + ("(assigned)" if assigned else "(unassigned)"), item, "", _inputs(r).get("region", ""), 1)


@prices("digitalocean:index/kubernetesCluster:KubernetesCluster", "digitalocean")
def _do_kubernetes(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i = _inputs(r)
    region = i.get("region", "")
    p.add("DOKS control plane" + (" (HA)" if i.get("ha") else ""), "kubernetes-control-plane",
          "ha" if i.get("ha") else "", region, 1)
    pool = i.get("nodePool") or {}
    count = _int(pool.get("nodeCount"), 0)
    p.add(f"{count} nodes {pool.get('size', '')}", "droplet", pool.get("size", ""), region, count)


@prices("digitalocean:index/customImage:CustomImage", "digitalocean")
def _do_image(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    p.exclude("custom image storage (per GiB of image)")


# --- Azure --------------------------------------------------------------------------------------


def _az_region(ctx: _Ctx, r: dict) -> str:
    return _inputs(r).get("location") or ctx.default_region("azure")


@prices("azure-native:compute:VirtualMachine", "azure")
def _az_vm(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _az_region(ctx, r)
    size = (i.get("hardwareProfile") or {}).get("vmSize", "")
    p.add(f"VM {size} (Linux)", "vm", size, region, 1)
    os_disk = (i.get("storageProfile") or {}).get("osDisk") or {}
    sku = (os_disk.get("managedDisk") or {}).get("storageAccountType") or "Premium_LRS"
    gb = _int(os_disk.get("diskSizeGB"), 30)
    p.add(f"OS disk ({sku}, {gb} GiB)", "managed-disk", f"{sku}-{_disk_tier_gb(gb)}", region, 1)


def _disk_tier_gb(gb: int) -> int:
    """Azure bills managed disks by tier: the smallest tier size (GiB) that holds the disk."""
    for tier in (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767):
        if gb <= tier:
            return tier
    return gb


@prices("azure-native:network:PublicIPAddress", "azure")
def _az_pip(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i = _inputs(r)
    sku = (i.get("sku") or {}).get("name", "Standard")
    p.add(f"public IP ({sku}, static)", "public-ip", sku.lower(), _az_region(ctx, r), 1)


@prices("azure-native:network:LoadBalancer", "azure")
def _az_lb(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i = _inputs(r)
    rules = len(i.get("loadBalancingRules") or []) + len(i.get("outboundRules") or [])
    region = _az_region(ctx, r)
    p.add("Standard load balancer (first 5 rules)", "load-balancer-standard", "", region, 1)
    p.add(f"load-balancing rules beyond 5 ({max(rules - 5, 0)})", "load-balancer-rule", "", region, max(rules - 5, 0))
    p.exclude("load balancer data processed (per GB)")


@prices("azure-native:web:AppServicePlan", "azure")
def _az_plan(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    sku = _inputs(r).get("sku") or {}
    count = _int(sku.get("capacity"), 1)
    p.add(f"App Service plan {sku.get('name', '')} x {count} (Linux)", "app-service-plan", sku.get("name", ""),
          _az_region(ctx, r), count)


@prices("azure-native:containerservice:ManagedCluster", "azure")
def _az_aks(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _az_region(ctx, r)
    tier = str((i.get("sku") or {}).get("tier") or "Free").lower()
    p.add(f"AKS control plane ({tier} tier)", "aks-control-plane", tier, region, 1)
    for pool in i.get("agentPoolProfiles") or []:
        count = _int(pool.get("count"), 0)
        p.add(f"{count} nodes {pool.get('vmSize', '')} (pool {pool.get('name', '')})", "vm", pool.get("vmSize", ""), region, count)
    p.exclude("AKS node OS disks and the load balancer and outbound IP AKS creates in its node resource group")


@prices("azure-native:operationalinsights:Workspace", "azure")
def _az_logs(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    p.exclude("Log Analytics ingestion and retention (per GB)")


# --- Google Cloud -------------------------------------------------------------------------------


def _gcp_region(ctx: _Ctx, r: dict) -> str:
    i = _inputs(r)
    if i.get("region"):
        return i["region"]
    zone = i.get("zone") or i.get("location") or ""
    if zone.count("-") == 2:  # europe-west1-b -> europe-west1
        return zone.rsplit("-", 1)[0]
    return zone or ctx.default_region("gcp")


@prices("gcp:compute/instance:Instance", "gcp")
def _gcp_instance(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _gcp_region(ctx, r)
    size = i.get("machineType", "")
    p.add(f"VM {size}", "machine", size, region, 1)
    init = (i.get("bootDisk") or {}).get("initializeParams") or {}
    dtype = init.get("type") or "pd-standard"
    p.add(f"boot disk ({dtype})", "disk", dtype, region, _int(init.get("size"), GCE_BOOT_DISK_GB))
    for nic in i.get("networkInterfaces") or []:
        for ac in nic.get("accessConfigs") or []:
            if not ac.get("natIp"):  # an ephemeral external address; a reserved one is priced as an Address
                p.add("external IPv4 address (in use)", "external-ipv4-in-use", "", region, 1)


@prices("gcp:compute/address:Address", "gcp")
def _gcp_address(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    if (_inputs(r).get("addressType") or "EXTERNAL") != "EXTERNAL":
        return
    p.add("static external IPv4 address (in use)", "external-ipv4-in-use", "", _gcp_region(ctx, r), 1)


@prices("gcp:container/cluster:Cluster", "gcp")
def _gcp_gke(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    p.add("GKE cluster management fee", "gke-cluster", "", _gcp_region(ctx, r), 1)
    p.exclude("the GKE free tier credit (one zonal or Autopilot cluster per billing account)")


@prices("gcp:container/nodePool:NodePool", "gcp")
def _gcp_pool(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    i, region = _inputs(r), _gcp_region(ctx, r)
    count = _int(i.get("nodeCount"), 0)
    conf = i.get("nodeConfig") or {}
    size = conf.get("machineType") or "e2-medium"
    p.add(f"{count} nodes {size}", "machine", size, region, count)
    dtype = conf.get("diskType") or "pd-balanced"
    disk = _int(conf.get("diskSizeGb"), GKE_NODE_DISK_GB)
    p.add(f"node boot disks ({count} x {disk} GB {dtype})", "disk", dtype, region, count * disk)


# --- Kubernetes objects that buy cloud resources ----------------------------------------------


@prices("kubernetes:core/v1:Service", "kubernetes")
def _k8s_service(ctx: _Ctx, r: dict, p: _Pricing) -> None:
    if (_inputs(r).get("spec") or {}).get("type") != "LoadBalancer":
        return
    cloud = ctx.kubernetes_cloud()
    if cloud is None:
        return  # an existing cluster: its load balancers are whatever that cluster provides
    p.cloud = cloud
    region = ctx.cluster_region(cloud)
    if cloud == "aws":  # the in-tree cloud provider makes a Classic Load Balancer
        p.add("Classic Load Balancer (Service type LoadBalancer)", "load-balancer", "classic", region, 1)
        p.exclude("public IPv4 addresses of Kubernetes load balancers (one per zone)")
    elif cloud == "digitalocean":
        # The cloud controller makes a regional load balancer of do-loadbalancer-size-unit nodes (default 1,
        # digitalocean-cloud-controller-manager docs/controllers/services/annotations.md); on Kubernetes 1.33+
        # its type defaults to REGIONAL_NETWORK (DigitalOcean release notes, 16 June 2025; read 2026-12-03).
        notes = (_inputs(r).get("metadata") or {}).get("annotations") or {}
        kind = str(notes.get("service.beta.kubernetes.io/do-loadbalancer-type") or "REGIONAL_NETWORK").lower()
        nodes = _int(notes.get("service.beta.kubernetes.io/do-loadbalancer-size-unit"), 1)
        p.add(f"DigitalOcean {kind.replace('_', ' ')} load balancer, {nodes} node(s) (Service type LoadBalancer)",
              "load-balancer", kind.replace("_", "-"), region, nodes)
    elif cloud == "azure":
        p.add("public IP of a Service type LoadBalancer", "public-ip", "standard", region, 1)
    elif cloud == "gcp":
        # One external forwarding rule per Service. Google bills a region's forwarding rules as one minimum charge
        # covering the first 5 and a charge per rule beyond them (https://cloud.google.com/load-balancing/pricing, a
        # stored copy read 2026-12-03; SKUs "... Forwarding Rule Minimum" and "... Additional", and 1 or 5 rules costing
        # the same in Google's calculator: Cyclenerd/google-cloud-pricing-cost-calculator@e708efd0 t/README.md), so the
        # stack's first such Service carries the minimum, the 2nd to 5th add nothing, each later one the additional rate.
        nth = _load_balancer_services(ctx).index(r["urn"])
        if nth == 0:
            p.add("forwarding rule minimum charge, first 5 rules (Service type LoadBalancer)", "forwarding-rule",
                  "first-5", region, 1)
        elif nth >= 5:
            p.add("forwarding rule beyond the first 5 (Service type LoadBalancer)", "forwarding-rule", "additional",
                  region, 1)
    p.exclude("load balancer data processed (per GB)")


def _load_balancer_services(ctx: _Ctx) -> list[str]:
    """URNs of the stack's Services of type LoadBalancer, in preview order (the order charges are assigned in)."""
    return [urn for urn, r in ctx.by_urn.items() if r.get("type") == "kubernetes:core/v1:Service"
            and (_inputs(r).get("spec") or {}).get("type") == "LoadBalancer"]


# --- the estimate -------------------------------------------------------------------------------

_BOOK: PriceBook | None = None


def price_book() -> PriceBook:
    global _BOOK
    if _BOOK is None:
        _BOOK = PriceBook.load()
    return _BOOK


def estimate(doc: dict, book: PriceBook | None = None) -> Estimate:
    """Price every resource of a preview document (resources without charges are left out)."""
    ctx = _Ctx(doc, book or price_book())
    out: dict[str, ResourceCost] = {}
    for r in ctx.by_urn.values():
        entry = PRICERS.get(r.get("type"))
        if entry is None:
            continue
        cloud, fn = entry
        p = _Pricing(ctx, r, cloud)
        fn(ctx, r, p)
        if p.rc.lines or p.rc.unpriced or p.rc.not_included:
            out[r["urn"]] = p.rc
    # The date of every price book the stack's clouds need; a cloud without one says so.
    dates = {c: ctx.book.dates.get(c, "no price book") for c in ctx.clouds}
    return Estimate(resources=out, dates=dates)


def annotate(doc: dict) -> dict:
    """Add the estimate to a preview document: per resource ``cost`` and a top-level ``cost``."""
    est = estimate(doc)
    for r in doc.get("resources") or []:
        rc = est.resources.get(r.get("urn"))
        if rc is not None:
            r["cost"] = rc.to_json()
    doc["cost"] = est.summary()
    return doc


def money(x: float, sign: bool = False) -> str:
    text = f"${abs(x):,.2f}"
    if sign:
        return ("+" if x >= 0 else "-") + text
    return ("-" if x < 0 else "") + text


def dates_text(dates: dict[str, str]) -> str:
    return ", ".join(f"{c} {d}" for c, d in sorted(dates.items())) or "none used"


# --- per component, for `preview --cost` --------------------------------------------------------


def by_component(doc: dict, est: Estimate) -> list[tuple[str, float, list[ResourceCost]]]:
    """Group priced resources under their top-level component (or themselves at the top)."""
    by_urn = {r["urn"]: r for r in doc.get("resources") or []}

    def top(urn: str) -> str:
        seen = set()
        while True:
            parent = (by_urn.get(urn) or {}).get("parent")
            if not parent or parent not in by_urn or by_urn[parent]["type"] == "pulumi:pulumi:Stack" or parent in seen:
                return urn
            seen.add(urn)
            urn = parent

    groups: dict[str, list[ResourceCost]] = {}
    for urn, rc in est.resources.items():
        groups.setdefault(top(urn), []).append(rc)
    out = []
    for urn, rcs in groups.items():
        r = by_urn.get(urn, {})
        out.append((f"{r.get('type', '?')}  {r.get('name', '?')}", sum(rc.monthly for rc in rcs), rcs))
    return out


def to_text(doc: dict, est: Estimate) -> str:
    lines = [f"Monthly estimate ({CURRENCY}, {HOURS_PER_MONTH} hours a month; price books: {dates_text(est.dates)}):"]
    for label, total, rcs in by_component(doc, est):
        lines.append(f"    {label}: {money(total)}")
        for rc in rcs:
            for line in rc.lines:
                lines.append(f"        {rc.name}: {line.what}: {line.quantity:g} {line.unit} x "
                             f"${line.unit_price:g} = {money(line.monthly)}")
    lines.append(f"    total: {money(est.monthly)}" + (" (partial: see below)" if est.partial else ""))
    if est.not_included:
        lines.append("    not included (usage-based, never guessed): " + "; ".join(est.not_included))
    for w in est.warnings():
        lines.append(f"    {w}")
    return "\n".join(lines) + "\n"


# --- two previews, for `dockyard diff` ----------------------------------------------------------


@dataclass
class Delta:
    urn: str
    type: str
    name: str
    before: float
    after: float
    items: list[tuple[str, float]] = field(default_factory=list)  # (line item, monthly change)

    @property
    def change(self) -> float:
        return self.after - self.before


def _line_changes(before: ResourceCost | None, after: ResourceCost | None) -> list[tuple[str, float]]:
    old = {line.what: line.monthly for line in (before.lines if before else [])}
    new = {line.what: line.monthly for line in (after.lines if after else [])}
    out = []
    for what in dict.fromkeys([*old, *new]):
        change = new.get(what, 0.0) - old.get(what, 0.0)
        if round(change, 4) != 0:
            out.append((what, change))
    return out


def compare(base: dict, head: dict) -> tuple[Estimate, Estimate, list[Delta]]:
    b, h = estimate(base), estimate(head)
    deltas = []
    for urn in list(dict.fromkeys([*b.resources, *h.resources])):
        before = b.resources[urn].monthly if urn in b.resources else 0.0
        after = h.resources[urn].monthly if urn in h.resources else 0.0
        if round(after - before, 4) != 0:
            rc = h.resources.get(urn) or b.resources[urn]
            deltas.append(Delta(urn, rc.type, rc.name, before, after,
                                _line_changes(b.resources.get(urn), h.resources.get(urn))))
    return b, h, deltas


def budget_violation(est: Estimate, budget: float | int | None) -> str | None:
    """One line when the estimate exceeds ``dockyard:monthlyBudget``; None otherwise."""
    if budget is None or est.monthly <= budget:
        return None
    partial = " (partial: some resources are unpriced, the real total is higher)" if est.partial else ""
    return (f"dockyard:monthlyBudget: the monthly estimate {money(est.monthly)}{partial} exceeds the budget "
            f"{money(float(budget))} (price books: {dates_text(est.dates)})")


def _md(text: str) -> str:
    """One table cell's text, escaped as the diff's own cells are (dockyard.diff.md_text)."""
    from dockyard.diff import md_text

    return md_text(text)


def diff_section(base: dict, head: dict, markdown: bool = False) -> str:
    """What a change adds to or saves from the monthly bill: each resource whose cost changes, and the total."""
    b, h, deltas = compare(base, head)
    books = dates_text({**b.dates, **h.dates})
    partial = " (partial: " + "; ".join(sorted(set(b.unpriced) | set(h.unpriced))) + ")" if (b.partial or h.partial) else ""
    total = (f"{money(b.monthly)} → {money(h.monthly)} ({money(h.monthly - b.monthly, sign=True)} a month; "
             f"price books: {books}){partial}")
    if markdown:
        lines = ["", "#### Monthly cost", "",
                 "| Type | Name | Before | After | Change | Items |", "|---|---|---|---|---|---|"]
        from dockyard.diff import md_code

        lines += [f"| {md_code(d.type)} | {md_code(d.name)} | {money(d.before)} | {money(d.after)} | "
                  f"{money(d.change, sign=True)} | "
                  + "<br>".join(_md(f"{what}: {money(c, sign=True)}") for what, c in d.items) + " |"
                  for d in deltas]
        lines += ["", "**Total:** " + _md(total)]
        excluded = sorted(set(b.not_included) | set(h.not_included))
        if excluded:
            lines += ["", "_Not included (usage-based):_ " + _md("; ".join(excluded))]
        return "\n".join(lines) + "\n"
    lines = ["  monthly cost:"]
    for d in deltas:
        lines.append(f"    {money(d.change, sign=True):>10}  {d.type}  {d.name}")
        lines += [f"    {money(c, sign=True):>14}  {what}" for what, c in d.items]
    lines.append(f"    total: {total}")
    return "\n".join(lines) + "\n"
