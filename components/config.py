"""The stack config: pydantic models of every `dockyard:` key, and the only reader of pulumi.Config.

Everything is validated before the first resource is declared. An error names the key path the
way ``pulumi config set --path`` spells it (``dockyard:hosts[0].os``), says what is allowed, and
is raised as :class:`ConfigError`; ``__main__.py`` turns it into one line and exit status 2.

pydantic is used because it gives typed, documented models with per-field error locations, from
which both the error paths and the README's config reference are derived.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components import safeload
from components.errors import ConfigError, InputError

NAMESPACE = "dockyard"
PROJECT_DIR = Path(__file__).resolve().parent.parent

Cloud = Literal["digitalocean", "aws", "azure", "gcp"]
CLOUDS: tuple[str, ...] = typing.get_args(Cloud)
OsName = Literal["ubuntu", "flatcar"]

# Which provider config each cloud needs (DigitalOcean reads DIGITALOCEAN_TOKEN from the
# environment and needs no config key).
PROVIDER_KEYS: dict[str, tuple[str, ...]] = {
    "aws": ("aws:region",),
    "azure": ("azure-native:location",),
    "gcp": ("gcp:project", "gcp:region"),
    "digitalocean": (),
}

#: The shapes of the provider settings Dockyard reads. Pulumi hands a program every config value
#: as text (a list as its JSON), so a number or a list in the stack file reaches the program as
#: text that is no region or project; checked here so that every mode refuses it alike.
#: AWS regions: us-east-1, us-gov-west-1, cn-north-1 (AWS docs, "Regions and Zones"); GCP
#: regions: europe-west1 (Compute Engine docs, "Regions and zones"); GCP project IDs: lowercase
#: letters, digits and hyphens, optionally "domain:" scoped (Resource Manager docs, "Creating
#: and managing projects"); Azure locations: westeurope, or the display name "West Europe"
#: (all read 2026-12-03).
PROVIDER_FORMATS: dict[str, tuple[re.Pattern, str]] = {
    "aws:region": (re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+"), "an AWS region such as us-east-1"),
    "azure-native:location": (re.compile(r"[A-Za-z][A-Za-z0-9 ]*"), "an Azure location such as westeurope"),
    "gcp:project": (re.compile(r"([a-z0-9.-]+:)?[a-z]([a-z0-9-]*[a-z0-9])?"), "a GCP project ID such as my-project"),
    "gcp:region": (re.compile(r"[a-z]+-[a-z]+[0-9]+(-[a-z])?"), "a GCP region such as europe-west1"),
}

_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")

# Size names per cloud, to catch a size pasted from another cloud's docs.
SIZE_PATTERNS: dict[str, re.Pattern] = {
    "digitalocean": re.compile(r"^(s|c|c2|g|gd|m|m3|m6|so|so1_5|gpu)-[0-9a-z-]*\d+(vcpu|gb)[0-9a-z-]*\Z|^(c|c2)-\d+\Z"),
    "aws": re.compile(r"^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)\Z"),
    "azure": re.compile(r"^(Standard|Basic)_[A-Za-z0-9_-]+\Z"),
    "gcp": re.compile(r"^[a-z][a-z0-9]*-(micro|small|medium|standard|highmem|highcpu|highgpu|megamem|ultramem|ultragpu|custom|hypermem)(-\d+)?[a-z0-9-]*\Z"),
}

DEFAULT_SIZES = {"digitalocean": "s-1vcpu-1gb", "aws": "t3.micro", "azure": "Standard_B2s", "gcp": "e2-small"}
DEFAULT_REGIONS = {"digitalocean": "nyc3"}
AZURE_RESERVED_USERS = frozenset({
    "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a",
    "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root",
    "server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5",
})


def size_clouds(size: str) -> list[str]:
    """The clouds whose size naming ``size`` follows."""
    return [c for c, p in SIZE_PATTERNS.items() if p.match(size)]


def check_size(size: str, cloud: str) -> str:
    """Refuse a size that is recognisably another cloud's (``t3.micro`` on DigitalOcean), or that
    no cloud could name (every cloud's sizes are letters, digits and . _ -)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", size):
        raise ValueError(f"{size!r} is not a size name (letters, digits, '.', '_' and '-'; e.g. {DEFAULT_SIZES[cloud]})")
    clouds = size_clouds(size)
    if clouds and cloud not in clouds:
        raise ValueError(
            f"{size!r} is {_an(clouds[0])} size, not {_an(cloud)} one (e.g. {DEFAULT_SIZES[cloud]})"
        )
    return size


def _an(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        raise ValueError(f"{value!r} is not a CIDR such as 203.0.113.0/24 or 0.0.0.0/0") from None


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS label (lowercase letters, digits and '-', 1-63 characters, "
            "not starting or ending with '-')"
        )
    return value


Cidr = Annotated[str, AfterValidator(lambda v: _cidr(v))]


class Model(BaseModel):
    """Strict base: camelCase keys as in the stack file, unknown keys are errors."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=True,
    )


# --- shared pieces ----------------------------------------------------------------------------


class TlsConfig(Model):
    """Certificates of a Docker API: a CA, a server and a client certificate."""

    validity_hours: int = Field(
        8760, ge=24, le=87600, description="How long each certificate is valid (default one year)."
    )
    early_renewal_hours: int = Field(
        720,
        ge=0,
        description="Re-issue certificates this long before they expire, on the next `pulumi up`.",
    )

    @model_validator(mode="after")
    def _renewal_before_expiry(self):
        if self.early_renewal_hours >= self.validity_hours:
            raise ValueError("earlyRenewalHours must be smaller than validityHours")
        return self


# --- hosts ------------------------------------------------------------------------------------


class HostConfig(Model):
    """One Docker host with a mutual-TLS API, the successor of `docker-machine create`."""

    name: str = Field(description="DNS label naming the host; unique in the stack.")
    cloud: Cloud = Field(description="digitalocean, aws, azure or gcp.")
    os: OsName = Field("ubuntu", description="ubuntu (cloud-init) or flatcar (Ignition).")
    region: str | None = Field(
        None, description="DigitalOcean region (default nyc3); elsewhere the provider's region. On aws and "
                          "gcp a zone (us-east-1b, europe-west1-b) places the host in that zone."
    )
    size: str | None = Field(
        None,
        description="Droplet size / instance type / VM size / machine type "
        "(defaults: s-1vcpu-1gb, t3.micro, Standard_B2s, e2-small).",
    )
    image: str | None = Field(None, description="Override the OS image (slug, AMI id, URN, image).")
    disk_gb: int | None = Field(None, ge=10, le=16384, description="Root disk size in GB.")
    ssh_user: str | None = Field(
        None, description="SSH user (default root on DigitalOcean Ubuntu, ubuntu elsewhere, core on Flatcar)."
    )
    ssh_port: int = Field(22, ge=1, le=65535, description="SSH port opened to adminCidrs.")
    ipv6: bool = Field(False, description="Give the host an IPv6 address.")
    private_networking: bool = Field(False, description="Attach the host to a private network.")
    backups: bool = Field(False, description="Provider backups (DigitalOcean, Azure).")
    monitoring: bool = Field(False, description="Provider monitoring agent / detailed monitoring.")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags or labels on the VM.")
    tls: TlsConfig = Field(default_factory=TlsConfig, description="Certificate validity.")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _dns_label(v)

    @field_validator("size")
    @classmethod
    def _size(cls, v, info):
        if v is not None and info.data.get("cloud"):
            check_size(v, info.data["cloud"])
        return v

    @field_validator("image")
    @classmethod
    def _image(cls, v, info):
        from components.cloud_limits import azure_image_reference

        if v is not None and info.data.get("cloud") == "azure":
            azure_image_reference(v)
        return v

    @field_validator("ssh_user")
    @classmethod
    def _ssh_user(cls, v, info):
        if v is None:
            return v
        if not re.match(r"^[a-z_][a-z0-9_-]{0,31}\Z", v):
            raise ValueError(f"{v!r} is not a Linux user name (lowercase letters, digits, '_' and '-')")
        # Azure refuses these admin user names (Microsoft Learn, "adminUsername" of osProfile).
        if info.data.get("cloud") == "azure" and v in AZURE_RESERVED_USERS:
            raise ValueError(f"{v!r} is reserved on Azure; use another name such as ubuntu or azureuser")
        return v

    @model_validator(mode="after")
    def _defaults(self):
        if self.size is None:
            self.size = DEFAULT_SIZES[self.cloud]
        if self.region is None and self.cloud in DEFAULT_REGIONS:
            self.region = DEFAULT_REGIONS[self.cloud]
        if self.ssh_user is None:
            if self.os == "flatcar":
                self.ssh_user = "core"
            else:
                self.ssh_user = "root" if self.cloud == "digitalocean" else "ubuntu"
        return self


# --- swarm ------------------------------------------------------------------------------------

# Node keys are checked against the node count in _check_swarm, which names the key in its error.
NodeName = str


class SwarmNodeConfig(Model):
    """Desired state of one swarm node: the config form of `docker node promote/update`."""

    role: Literal["manager", "worker"] | None = Field(
        None, description="Override the role implied by the node's name (promote/demote)."
    )
    availability: Literal["active", "pause", "drain"] = Field("active", description="Node availability.")
    labels: dict[str, str] = Field(default_factory=dict, description="Node labels for placement.")
    image: str | None = Field(
        None, description="Pin this node's OS image (as hosts[].image): changing it replaces this node "
        "only, to upgrade one node per `pulumi up`."
    )

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        # The reconcile script passes labels as `key=value` words: no whitespace, quotes or '='
        # in keys, no whitespace or quotes in values (swarm label keys are DNS-ish anyway).
        for key, value in v.items():
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._/-]*\Z", key):
                raise ValueError(f"label key {key!r} must be letters, digits and . _ / - (no spaces or '=')")
            if not re.match(r"^[A-Za-z0-9._/:@,+=-]*\Z", str(value)):
                raise ValueError(f"label {key!r} value {value!r} must be letters, digits and ._/:@,+=- only")
        return v


_PROFILE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*|\*")


def _compose_profiles(v):
    """Compose profile names as `docker compose --profile` accepts them ("*": every profile)."""
    if v is None:
        return v
    for name in v:
        if not _PROFILE.fullmatch(name):
            raise ValueError(f"profile {name!r} must be letters, digits, '_', '.' and '-' (or '*')")
    return v


_PROFILES_HELP = ("Active compose profiles: services listing other profiles are not deployed "
                  "(default: COMPOSE_PROFILES from the environment, as docker compose).")


class SwarmStackConfig(Model):
    """A compose file deployed to the swarm, like `docker stack deploy`."""

    name: str = Field(description="Stack name (a DNS label).")
    compose: str = Field(description="Path of the compose file, relative to the project.")
    profiles: list[str] | None = Field(None, description=_PROFILES_HELP)

    @field_validator("profiles")
    @classmethod
    def _profiles(cls, v):
        return _compose_profiles(v)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _dns_label(v)


DEFAULT_STACK = {"name": "cluster", "compose": "apps/cluster/docker-compose.yml"}


class SwarmConfig(Model):
    """A Docker swarm: nodes, roles, availability, networking and stacks."""

    cloud: Literal["local", "digitalocean", "aws", "azure", "gcp"] = Field(
        "local", description="local (Docker-in-Docker on your Docker engine) or a cloud."
    )
    managers: int = Field(1, ge=1, le=7, description="Number of managers: odd, 1-7.")
    workers: int = Field(2, ge=0, le=100, description="Number of workers: 0-100.")
    size: str | None = Field(None, description="Node size (cloud defaults as for hosts).")
    os: OsName = Field("ubuntu", description="Node OS on clouds.")
    region: str | None = Field(None, description="Region (cloud default as for hosts).")
    image: str | None = Field(
        None, description="Pin the nodes' OS image (as hosts[].image; unset: each node keeps the image "
        "of its first `pulumi up`). A change replaces every node without an image of its own in `nodes`."
    )
    nodes: dict[NodeName, SwarmNodeConfig] = Field(
        default_factory=dict, description="Per-node role, availability, labels and image, keyed manager-N / worker-N."
    )
    load_balancer: bool = Field(
        False, description="Publish ports through a cloud load balancer (aws, azure), as Docker for AWS/Azure did."
    )
    public_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"], description="Who may reach published ports."
    )
    stacks: list[SwarmStackConfig] = Field(
        default_factory=lambda: [SwarmStackConfig(**DEFAULT_STACK)],
        description="Compose stacks to deploy (default: the cluster app).",
    )
    tls: TlsConfig = Field(default_factory=TlsConfig, description="Certificate validity of the nodes.")
    local_port_offset: int = Field(
        8000, ge=0, le=65535,
        description="local only: each published port P listens on 127.0.0.1:P+offset (default 8000: "
                    "port 80 on 8080, clear of local-k8s on 80).",
    )
    rollout_timeout_seconds: int = Field(
        300, ge=10, le=3600,
        description="How long `pulumi up` waits for every service's tasks to run before it fails.",
    )

    @field_validator("managers")
    @classmethod
    def _odd(cls, v: int) -> int:
        if v % 2 == 0:
            raise ValueError(f"must be odd (1, 3, 5 or 7) so that a majority survives a failure, got {v}")
        return v

    @field_validator("size")
    @classmethod
    def _size(cls, v, info):
        cloud = info.data.get("cloud")
        if v is not None and cloud in CLOUDS:
            check_size(v, cloud)
        return v

    def node_names(self) -> list[str]:
        return [f"manager-{i}" for i in range(1, self.managers + 1)] + [
            f"worker-{i}" for i in range(1, self.workers + 1)
        ]

    def role_of(self, node: str) -> str:
        override = self.nodes.get(node)
        if override is not None and override.role:
            return override.role
        return node.split("-")[0]

    def availability_of(self, node: str) -> str:
        override = self.nodes.get(node)
        return override.availability if override else "active"

    def image_of(self, node: str) -> str | None:
        """The node's pinned OS image: its own, else the swarm's; None: unpinned (kept as created)."""
        override = self.nodes.get(node)
        return (override.image if override else None) or self.image


# --- containers -------------------------------------------------------------------------------


class ContainerConfig(Model):
    """One container app on a managed platform: AWS Fargate or Azure App Service."""

    name: str = Field(description="App name (a DNS label).")
    platform: Literal["fargate", "appservice"] = Field(description="fargate or appservice.")
    image: str | None = Field(None, description="Container image; or give compose + service.")
    compose: str | None = Field(None, description="Compose file holding the app definition.")
    service: str | None = Field(None, description="Service of the compose file to run.")
    profiles: list[str] | None = Field(None, description=_PROFILES_HELP)
    port: int = Field(80, ge=1, le=65535, description="Port the container listens on.")
    cpu: int | None = Field(None, description="Fargate CPU units (256 = 0.25 vCPU).")
    memory: int | None = Field(None, description="Fargate memory in MiB.")
    replicas: int = Field(1, ge=0, le=100, description="Tasks (Fargate; 0 scales the service to zero) or "
                                                      "instances (App Service, at least 1).")
    env: dict[str, str] = Field(default_factory=dict, description="Plain environment variables.")
    secret_env: list[str] = Field(
        default_factory=list,
        description="Environment variables whose values are secret config keys `<name>:<VAR>` "
        "(set with `pulumi config set --secret <name>:<VAR> ...`).",
    )
    public: bool = Field(True, description="Reachable from the internet.")
    health_check_path: str = Field("/", description="HTTP path of the health check.")
    sku: str | None = Field(None, description="App Service plan SKU (default B1).")
    vpc_id: str | None = Field(None, description="Fargate: VPC to use (default: the default VPC).")
    subnet_ids: list[str] = Field(
        default_factory=list,
        description="Fargate with vpcId: subnets of the load balancer and tasks, one per availability zone.",
    )
    assign_public_ip: bool | None = Field(
        None, description="Fargate: give tasks public IPs (default: true in the default VPC, else false)."
    )
    log_retention_days: int = Field(30, description="Fargate: days CloudWatch keeps the app's logs.")

    _secret_values: dict[str, Any] = PrivateAttr(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _dns_label(v)

    @field_validator("profiles")
    @classmethod
    def _profiles(cls, v):
        return _compose_profiles(v)

    @field_validator("replicas")
    @classmethod
    def _replicas(cls, v, info):
        # An App Service plan runs at least one instance (sku.capacity >= 1); Fargate's
        # desiredCount may be 0 (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html, read 2026-12-02).
        if v == 0 and info.data.get("platform") == "appservice":
            raise ValueError("an App Service plan runs at least 1 instance; 0 is only possible on fargate")
        return v

    @field_validator("compose")
    @classmethod
    def _one_source(cls, v, info):
        if v is not None and info.data.get("image") is not None:
            raise ValueError("give either image or compose (with service), not both")
        return v

    @field_validator("service")
    @classmethod
    def _service_needs_compose(cls, v, info):
        if v is not None and "compose" in info.data and info.data["compose"] is None:
            raise ValueError("is only used with compose: the service of that compose file to run")
        return v

    @staticmethod
    def _on(platform: str, v, info, other: str) -> bool:
        """True when a platform-specific value is set and should be checked; refuses it elsewhere.

        With no valid platform (its own error is reported) there is nothing to check against.
        """
        if v is None or "platform" not in info.data:
            return False
        if info.data["platform"] != platform:
            raise ValueError(f"is only used on {platform}; {other}")
        return True

    # Per-platform checks are field validators (fields validate in declaration order, so
    # `platform` is known) so that an error names the exact key, e.g. containers[0].memory.
    @field_validator("port")
    @classmethod
    def _port(cls, v: int, info):
        if info.data.get("compose") is not None and v != 80:
            raise ValueError("the ports come from the compose file; remove port or use image")
        return v

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, v, info):
        from components.compose.fargate_sizes import FARGATE_CPU_MEMORY

        if not cls._on("fargate", v, info, "an App Service plan's size comes from sku"):
            return v
        if v not in FARGATE_CPU_MEMORY:
            raise ValueError(f"{v} is not a Fargate CPU size; use one of {', '.join(map(str, FARGATE_CPU_MEMORY))}")
        return v

    @field_validator("memory")
    @classmethod
    def _memory(cls, v, info):
        from components.compose.fargate_sizes import FARGATE_CPU_MEMORY, describe_fargate_sizes

        if not cls._on("fargate", v, info, "an App Service plan's size comes from sku"):
            return v
        cpu = info.data.get("cpu")
        if cpu in FARGATE_CPU_MEMORY and v not in FARGATE_CPU_MEMORY[cpu]:
            allowed = FARGATE_CPU_MEMORY[cpu]
            listed = ", ".join(map(str, allowed)) if len(allowed) <= 3 else \
                f"{allowed[0]}-{allowed[-1]} in steps of {allowed[1] - allowed[0]}"
            raise ValueError(f"{v} MiB is not valid with cpu {cpu} on Fargate; use {listed}")
        if cpu is None and not any(v in mems for mems in FARGATE_CPU_MEMORY.values()):
            raise ValueError(f"{v} MiB is not a Fargate memory size ({describe_fargate_sizes()})")
        return v

    @field_validator("public")
    @classmethod
    def _public(cls, v: bool, info) -> bool:
        if not v and info.data.get("platform") == "appservice":
            raise ValueError("false is only supported on fargate (an internal load balancer); a private "
                             "App Service app needs a private endpoint, which Dockyard does not create")
        return v

    @field_validator("health_check_path")
    @classmethod
    def _health_path(cls, v: str) -> str:
        if not re.fullmatch(r"/[!-~]*", v):  # printable ASCII without spaces, as a URL path is
            raise ValueError(f"{v!r} must be a URL path starting with '/'")
        return v

    @field_validator("sku")
    @classmethod
    def _sku(cls, v, info):
        from components.containers.skus import SKUS, canonical_sku, max_instances

        if not cls._on("appservice", v, info, "Fargate sizes come from cpu and memory"):
            return v
        sku = canonical_sku(v)
        if sku is None:
            guess = difflib.get_close_matches(v, SKUS, n=1)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            raise ValueError(f"{v!r} is not a Linux App Service plan SKU; {hint}use one of {', '.join(SKUS)}")
        replicas = info.data.get("replicas", 1)
        if replicas > max_instances(sku):
            most = max_instances(sku)
            raise ValueError(f"{sku} allows at most {most} instance{'s' if most > 1 else ''}, "
                             f"but replicas is {replicas}")
        return sku

    @field_validator("vpc_id", "subnet_ids", "assign_public_ip", "log_retention_days")
    @classmethod
    def _fargate_only(cls, v, info):
        if info.data.get("platform") == "appservice" and v not in (None, [], 30):
            raise ValueError("is only used on fargate")
        return v

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, v: list[str], info):
        for i, subnet in enumerate(v):
            if not re.match(r"^subnet-[0-9a-f]{8,17}\Z", subnet):
                raise ValueError(f"subnetIds[{i}]: {subnet!r} is not a subnet id (subnet-0123abcd...)")
        if v and not info.data.get("vpc_id"):
            raise ValueError("needs vpcId, the VPC these subnets are in")
        if info.data.get("vpc_id") and len(v) < 2:
            raise ValueError("with vpcId, list at least two subnets in different availability zones "
                             "(an Application Load Balancer needs two)")
        return v

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        # The values CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays).
        allowed = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                   2192, 2557, 2922, 3288, 3653)
        if v not in allowed:
            raise ValueError(f"{v} is not a CloudWatch retention; use one of {', '.join(map(str, allowed))}")
        return v

    @field_validator("secret_env", "env")
    @classmethod
    def _env_names(cls, v: list[str]) -> list[str]:
        for name in v:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*\Z", name):
                raise ValueError(f"{name!r} is not an environment variable name")
        return v

    @model_validator(mode="after")
    def _source(self):
        if self.image is None and self.compose is None:
            raise ValueError("give image or compose (with service): the app definition is missing")
        if self.service is not None and self.compose is None:
            raise ValueError("service is only used with compose")
        if self.profiles is not None and self.compose is None:
            raise ValueError("profiles is only used with compose")
        overlap = sorted(set(self.env) & set(self.secret_env))
        if overlap:
            raise ValueError(f"{', '.join(overlap)} is in both env and secretEnv")
        if self.platform == "fargate" and (self.cpu is None) != (self.memory is None) and self.compose is None:
            from components.compose.fargate_sizes import FARGATE_CPU_MEMORY

            if self.memory is None:
                self.memory = FARGATE_CPU_MEMORY[self.cpu][0]
            else:
                self.cpu = next(c for c, mems in FARGATE_CPU_MEMORY.items() if self.memory in mems)
        return self

    @property
    def secret_values(self) -> dict[str, Any]:
        """Secret config values (pulumi Outputs) by environment variable name."""
        return dict(self._secret_values)


def check_container_compose(app: ContainerConfig, index: int, project) -> None:
    """The compose service(s) an app runs exist and can run on its platform."""
    key = f"dockyard:containers[{index}]"
    names = list(project.services)
    if app.service is not None and app.service not in project.services:
        guess = difflib.get_close_matches(app.service, names, n=1)
        hint = f"did you mean '{guess[0]}'? " if guess else ""
        raise ConfigError(f"{key}.service", f"no service '{app.service}' in {app.compose}; "
                                            f"{hint}it has {', '.join(names)}")
    if app.service is None and app.platform == "appservice" and len(names) != 1:
        raise ConfigError(f"{key}.service", f"{app.compose} has {len(names)} services ({', '.join(names)}); "
                                            "App Service runs one: name it with service")
    owner: dict[int, str] = {}
    for name in [app.service] if app.service else names:
        if not project.services[name].image:
            raise ConfigError(f"{key}.service" if app.service else f"{key}.compose",
                              f"compose service '{name}' has no image; {app.platform} runs images "
                              "from a registry (build and push it first)")
        for port in project.services[name].ports:
            if app.platform == "fargate" and port.published is not None and port.protocol == "tcp":
                if port.published in owner:
                    raise ConfigError(f"{key}.compose", f"services {owner[port.published]} and {name} both "
                                                        f"publish port {port.published}; the load balancer "
                                                        "has one listener per port")
                owner[port.published] = name


# --- kubernetes -------------------------------------------------------------------------------


class KubernetesComposeApp(Model):
    """A compose file converted to Kubernetes objects (better than kompose)."""

    name: str = Field(description="App name (a DNS label).")
    compose: str = Field(description="Path of the compose file, relative to the project.")
    namespace: str | None = Field(None, description="Namespace (default: the app name).")
    profiles: list[str] | None = Field(None, description=_PROFILES_HELP)
    service_groups: bool = Field(False, description="Services sharing a kompose.service.group label run in one "
                                                    "pod (kompose's --service-group-mode=label).")

    @field_validator("profiles")
    @classmethod
    def _profiles(cls, v):
        return _compose_profiles(v)

    @field_validator("name", "namespace")
    @classmethod
    def _label(cls, v):
        return _dns_label(v) if v is not None else v


SOCK_SHOP = "sock-shop"
_IAM_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+\Z")


class SockShopConfig(Model):
    """How the sock-shop app is deployed (used when apps lists "sock-shop")."""

    namespace: str = Field(SOCK_SHOP, description="Namespace of the demo.")
    replicas: int = Field(1, ge=1, le=50, description="Replicas of each stateless service (databases stay at 1).")
    service_type: Literal["LoadBalancer", "NodePort", "ClusterIP"] | None = Field(
        None, description="Type of the front-end-lb Service (default: NodePort on existing clusters, else LoadBalancer)."
    )
    node_port: int = Field(30001, ge=30000, le=32767, description="NodePort of front-end-lb when its type is NodePort.")

    @field_validator("namespace")
    @classmethod
    def _label(cls, v):
        return _dns_label(v)


class KubernetesConfig(Model):
    """A Kubernetes cluster (EKS, AKS, GKE, DOKS or an existing one) and the apps on it."""

    cluster: Literal["eks", "aks", "gke", "doks", "existing"] = Field(
        description="eks, aks, gke, doks or existing."
    )
    version: str | None = Field(None, description="Kubernetes version (default: the cloud's default/latest).")
    region: str | None = Field(None, description="Region (default: the provider's; doks: nyc1).")
    node_count: int = Field(2, ge=1, le=1000, description="Nodes in the node pool.")
    node_size: str | None = Field(None, description="Node size (cloud-specific default).")
    context: str | None = Field(None, description="existing: kubeconfig context, e.g. docker-desktop.")
    kubeconfig: str | None = Field(None, description="existing: kubeconfig file (default ~/.kube/config).")
    dashboard: bool = Field(False, description="Install Headlamp, the Kubernetes web UI (read-only login, "
                                                "reached with kubectl port-forward).")
    control_plane_firewall: bool = Field(
        False,
        description="doks: restrict the cluster API to adminCidrs with DigitalOcean's control-plane firewall "
                    "(invite-only on many accounts, so off by default; a warning either way).",
    )
    apps: list[Literal["sock-shop"] | KubernetesComposeApp] = Field(
        default_factory=list, description='Apps: "sock-shop" or {name, compose, namespace}.'
    )
    sock_shop: SockShopConfig = Field(default_factory=SockShopConfig, description="Options of the sock-shop app.")
    admins: list[str] = Field(
        default_factory=list,
        description="eks: IAM role/user ARNs given cluster-admin through EKS access entries (the creator always is).",
    )

    @field_validator("node_size")
    @classmethod
    def _node_size(cls, v, info):
        cloud = {"eks": "aws", "aks": "azure", "gke": "gcp", "doks": "digitalocean"}.get(info.data.get("cluster"))
        if v is not None and cloud:
            check_size(v, cloud)
        return v

    @field_validator("control_plane_firewall")
    @classmethod
    def _control_plane_firewall(cls, v, info):
        cluster = info.data.get("cluster")
        if v and cluster != "doks":
            raise ValueError(f"is only used with cluster: doks (cluster is {cluster}; eks, aks and gke "
                             "restrict their API to adminCidrs without it)")
        return v

    @field_validator("admins")
    @classmethod
    def _admins(cls, v, info):
        if v and info.data.get("cluster") != "eks":
            raise ValueError(f"is only used with cluster: eks (cluster is {info.data.get('cluster')})")
        for i, arn in enumerate(v):
            if not _IAM_PRINCIPAL.match(arn):
                raise ValueError(f"admins[{i}]: {arn!r} is not an IAM role or user ARN "
                                 "(arn:aws:iam::123456789012:role/name)")
        return v

    @field_validator("apps", mode="before")
    @classmethod
    def _apps(cls, v):
        if not isinstance(v, list):
            return v
        for i, app in enumerate(v):
            if isinstance(app, str) and app != SOCK_SHOP:
                raise ValueError(f'apps[{i}]: "{app}" is neither "sock-shop" nor {{name, compose, namespace}}')
            if not isinstance(app, (str, dict)):
                raise ValueError(f'apps[{i}]: must be "sock-shop" or {{name, compose, namespace}}')
        return v

    @model_validator(mode="after")
    def _existing_only(self):
        if self.cluster != "existing":
            for key in ("context", "kubeconfig"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key} is only used with cluster: existing (cluster is {self.cluster})")
        return self

    @property
    def cloud(self) -> str | None:
        return {"eks": "aws", "aks": "azure", "gke": "gcp", "doks": "digitalocean"}.get(self.cluster)


# --- the whole stack --------------------------------------------------------------------------


class ProviderConfig(BaseModel):
    """Provider settings Dockyard reads (not in the dockyard namespace)."""

    aws_region: str | None = None
    azure_location: str | None = None
    gcp_project: str | None = None
    gcp_region: str | None = None


class StackConfig(Model):
    """All `dockyard:` keys of a stack. A stack uses any subset."""

    admin_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"],
        description="Who may reach SSH (22) and the Docker API (2376), and cluster APIs where the cloud allows.",
    )
    ssh_public_key: str | None = Field(
        None, description="OpenSSH public key for the hosts; generated (and output as a secret) if unset."
    )
    hosts: list[HostConfig] = Field(default_factory=list, description="Docker hosts.")
    swarm: SwarmConfig | None = Field(None, description="A Docker swarm.")
    containers: list[ContainerConfig] = Field(default_factory=list, description="Managed container apps.")
    kubernetes: KubernetesConfig | None = Field(None, description="A Kubernetes cluster and its apps.")
    monthly_budget: int | None = Field(
        None, ge=1, le=10_000_000,
        description="Monthly budget in whole US dollars: `dockyard preview --check` exits 3 when the cost "
                    "estimate exceeds it (docs/cost.md).",
    )

    allow_files_outside_project: list[str] = Field(
        default_factory=list,
        description="Folders outside the project (relative to it, or absolute) whose files compose files may "
                    "name: configs, secrets, env_file, bind-mounted files shipped in ConfigMaps. Default: none; "
                    "only files under Pulumi.yaml's folder are read (docs/compose.md).",
    )

    _providers: ProviderConfig = PrivateAttr(default_factory=ProviderConfig)
    _files: Any = PrivateAttr(None)
    _warnings: list[str] = PrivateAttr(default_factory=list)
    _admin_cidrs_defaulted: bool = PrivateAttr(False)
    _docker_endpoint: Any = PrivateAttr(None)

    @field_validator("admin_cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("must list at least one CIDR (0.0.0.0/0 allows everyone)")
        return v

    @field_validator("ssh_public_key")
    @classmethod
    def _ssh_key(cls, v):
        if v is not None and not re.match(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?\Z", v.strip()):
            raise ValueError("must be an OpenSSH public key line (ssh-ed25519 AAAA... comment)")
        return v.strip() if v else v

    @property
    def providers(self) -> ProviderConfig:
        return self._providers

    @property
    def docker_endpoint(self) -> DockerEndpoint | None:
        """The Docker engine a local swarm lives on, resolved once (DOCKER_HOST or the docker context)."""
        return self._docker_endpoint

    @property
    def warnings(self) -> list[str]:
        return list(self._warnings)

    @property
    def files(self):
        """The folders compose files may read from (components/projectfiles.ProjectFiles); None
        before validate(), which the loader takes as the compose file's own folder."""
        return self._files

    def clouds(self) -> dict[str, str]:
        """Each cloud the stack uses, with the key path of its first user."""
        used: dict[str, str] = {}
        for i, h in enumerate(self.hosts):
            used.setdefault(h.cloud, f"dockyard:hosts[{i}].cloud")
        if self.swarm and self.swarm.cloud in CLOUDS:
            used.setdefault(self.swarm.cloud, "dockyard:swarm.cloud")
        for i, c in enumerate(self.containers):
            cloud = "aws" if c.platform == "fargate" else "azure"
            used.setdefault(cloud, f"dockyard:containers[{i}].platform")
        if self.kubernetes and self.kubernetes.cloud:
            used.setdefault(self.kubernetes.cloud, "dockyard:kubernetes.cluster")
        return used


# --- error paths --------------------------------------------------------------------------------


def key_path(loc: tuple, namespace: str = NAMESPACE) -> str:
    """('hosts', 0, 'os') -> 'dockyard:hosts[0].os', as `pulumi config set --path` spells it."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not out:
            out = str(part)
        elif re.match(r"^[A-Za-z_][A-Za-z0-9_-]*\Z", str(part)):
            out += f".{part}"
        else:
            out += f'["{part}"]'
    return f"{namespace}:{out}" if out else f"{namespace}"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class found by following ``loc`` (aliases and list indices) from ``model``."""
    current: Any = model
    for part in loc:
        current = _unwrap(current, part)
        if current is None:
            return None
    current = _unwrap(current, None)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any, part: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, getattr(__import__("types"), "UnionType", Union)):
        for arg in typing.get_args(tp):
            found = _unwrap(arg, part)
            if found is not None:
                return found
        return None
    if origin is Annotated:
        return _unwrap(typing.get_args(tp)[0], part)
    if part is None:
        return tp
    if origin in (list, tuple) and isinstance(part, int):
        return typing.get_args(tp)[0]
    if origin is dict and isinstance(part, str):
        return typing.get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        for name, f in tp.model_fields.items():
            if part in (name, f.alias):
                return f.annotation
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _message(err: dict, root: type[BaseModel]) -> tuple[tuple, str]:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal[", "union["))))
    # Union members appear as extra path parts (e.g. 'KubernetesComposeApp'): drop them.
    loc = tuple(p for p in loc if not (isinstance(p, str) and p[:1].isupper()))
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        options = allowed_keys(parent) if parent else []
        key = str(loc[-1])
        guess = difflib.get_close_matches(key, options, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else ""
        return loc, f"unknown key '{key}'{hint} (allowed: {', '.join(options)})"
    if kind == "missing":
        return loc, "required"
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if kind in ("literal_error", "enum", "int_parsing", "int_type", "bool_parsing", "bool_type",
                "string_type", "list_type", "dict_type", "model_type", "greater_than_equal",
                "less_than_equal", "string_pattern_mismatch", "int_from_float"):
        got = err.get("input")
        if not isinstance(got, (dict, list)):
            msg += f" (got {got!r})"
    # A Value error raised for an item of a list field names the item itself.
    m = re.match(r"^(\w+)\[(\d+)\]: (.*)\Z", msg)
    if m and loc and str(loc[-1]) == m.group(1):
        loc = loc + (int(m.group(2)),)
        msg = m.group(3)
    return loc, msg


def from_validation_error(exc: ValidationError, root: type[BaseModel] = StackConfig,
                          prefix: tuple = ()) -> ConfigError:
    errors = exc.errors()
    # In a union ("sock-shop" or an object) report the branch that matches the input's shape.
    specific = [e for e in errors if not any(isinstance(p, str) and p.startswith("literal[") for p in e["loc"])]
    errors = specific or errors
    loc, msg = _message(errors[0], root)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ConfigError(key_path(prefix + loc), msg + more)


def validate(raw: dict[str, Any], providers: dict[str, str | None] | None = None,
             project_dir: Path = PROJECT_DIR, stack: str | None = None) -> StackConfig:
    """Validate a `dockyard:` namespace (keys without the namespace) into a StackConfig.

    ``stack`` (the Pulumi stack name) lets the checks see the VM names derived from it."""
    try:
        cfg = StackConfig.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    cfg._admin_cidrs_defaulted = "adminCidrs" not in raw and "admin_cidrs" not in raw
    cfg._files = _project_files(cfg, project_dir)
    _check_stack(cfg, providers or {}, cfg._files)
    _check_cloud_limits(cfg, stack, cfg._files)
    return cfg


def _project_files(cfg: StackConfig, project_dir: Path):
    """The project's folder and the ones dockyard:allowFilesOutsideProject lists (each must exist)."""
    from components.projectfiles import ProjectFiles

    for i, folder in enumerate(cfg.allow_files_outside_project):
        if not folder or "\0" in folder or not (Path(project_dir) / folder).is_dir():
            raise ConfigError(f"dockyard:allowFilesOutsideProject[{i}]",
                              f"{folder!r} is not a folder (paths are relative to the project)")
    return ProjectFiles.of(project_dir, cfg.allow_files_outside_project)


def _check_cloud_limits(cfg: StackConfig, stack: str | None, files) -> None:
    """What a cloud refuses at create time (components/cloud_limits.py), named by config key."""
    from components import cloud_limits as limits
    from components.names import swarm_node_host_name

    prov = cfg.providers
    default_region = {"aws": prov.aws_region, "azure": prov.azure_location, "gcp": prov.gcp_region,
                      "digitalocean": DEFAULT_REGIONS["digitalocean"]}

    def sized(where: str, cloud: str, size: str | None, region: str | None, region_key: str) -> None:
        problem = limits.size_problem(cloud, size or DEFAULT_SIZES[cloud], region)
        if problem:
            closed = cloud == "digitalocean" and region in limits.DO_CLOSED_REGIONS
            raise ConfigError(region_key if closed else where, problem)

    def aws_location(where: str, location: str | None, zone_allowed: bool) -> None:
        # An AWS host may name an availability zone (it is placed there); a swarm or cluster
        # spreads over the region's zones, and the provider takes a region only.
        if not location:
            return
        region, zone = limits.aws_split_zone(location)
        if zone is None:
            return
        if not zone_allowed:
            raise ConfigError(where, f"{location!r} is an availability zone; give the region ({region!r}): "
                                     "the nodes are spread over its zones")
        problem = limits.aws_zone_problem(zone)
        if problem:
            raise ConfigError(where, problem)

    gce_names: dict[tuple[str, str], str] = {}  # (zone, instance name) -> its config key
    dns_labels: dict[tuple[str, str], str] = {}  # (azure location, public IP DNS label) -> its key
    published = published_ports(cfg, files) if cfg.hosts else {}
    for i, host in enumerate(cfg.hosts):
        problem = limits.ssh_port_problem(host.ssh_port)
        if problem:
            raise ConfigError(f"dockyard:hosts[{i}].sshPort", f"{problem}; pick another port for SSH")
        if host.ssh_port in published:
            raise ConfigError(f"dockyard:hosts[{i}].sshPort",
                              f"{host.ssh_port} is also an application port ({published[host.ssh_port]} publishes "
                              "it), which the stack opens to the world; pick another port for SSH")
        region = host.region or default_region[host.cloud]
        if host.cloud == "aws":
            aws_location(f"dockyard:hosts[{i}].region", host.region, zone_allowed=True)
        sized(f"dockyard:hosts[{i}].size", host.cloud, host.size, region, f"dockyard:hosts[{i}].region")
        # The drivers add "Name" (aws) and "dockyard-host" to every VM's tags.
        tag = limits.tag_problem(host.cloud, host.tags, 2 if host.cloud == "aws" else 1)
        if tag:
            key = tag[0]
            path = "" if key is None else (f".{key}" if re.match(r"^[A-Za-z_][A-Za-z0-9_]*\Z", key) else f'["{key}"]')
            raise ConfigError(f"dockyard:hosts[{i}].tags{path}", tag[1])
        if host.cloud == "gcp" and region:
            gce_names[(limits.gcp_zones_of(region)[0], host.name)] = f"dockyard:hosts[{i}].name"
        if host.cloud == "azure" and region:
            dns_labels[(limits.azure_location(region), host.name)] = f"dockyard:hosts[{i}].name"

    swarm = cfg.swarm
    if swarm is not None and swarm.cloud in CLOUDS:
        region = swarm.region or default_region[swarm.cloud]
        if swarm.cloud == "aws":
            aws_location("dockyard:swarm.region", swarm.region, zone_allowed=False)
        sized("dockyard:swarm.size", swarm.cloud, swarm.size, region, "dockyard:swarm.region")
        lb_ports: set[int] = set()
        for i, st in enumerate(swarm.stacks):
            project = _compose_file(st.compose, f"dockyard:swarm.stacks[{i}].compose", files, st.profiles)
            for service in (project.services.values() if project is not None else ()):
                for port in service.ports:
                    if port.published is not None:
                        lb_ports.add(port.published)
                    if port.published in limits.RESERVED_HOST_PORTS and port.protocol == "tcp":
                        raise ConfigError(
                            f"dockyard:swarm.stacks[{i}].compose",
                            f"service {service.name} publishes {port.published}/tcp, "
                            f"{limits.RESERVED_HOST_PORTS[port.published]} of every node; publish another port "
                            f"(on azure the security group would get two rules named tcp-{port.published})")
        most = limits.LOAD_BALANCER_PORTS.get(swarm.cloud)
        if swarm.load_balancer and most is not None and len(lb_ports) > most:
            raise ConfigError("dockyard:swarm.stacks", f"publish {len(lb_ports)} ports; the {swarm.cloud} load "
                                                       f"balancer takes at most {most} (one listener or rule each)")
        if swarm.cloud == "gcp" and region and stack is not None:
            zone = limits.gcp_zones_of(region)[0]
            for node in swarm.node_names():
                key = gce_names.get((zone, swarm_node_host_name(stack, node)))
                if key:
                    raise ConfigError(key, f"'{swarm_node_host_name(stack, node)}' is also the VM name of swarm "
                                           f"node {node} in zone {zone}; instance names are unique in a zone")
        if swarm.cloud == "azure" and region and stack is not None:
            location = limits.azure_location(region)
            for node in swarm.node_names():
                key = dns_labels.get((location, swarm_node_host_name(stack, node)))
                if key:
                    raise ConfigError(key, f"'{swarm_node_host_name(stack, node)}' is also the name of swarm node "
                                           f"{node} in {location}: {limits.AZURE_DNS_LABEL_SCOPE}")

    k8s = cfg.kubernetes
    if k8s is not None and k8s.cloud == "aws":
        aws_location("dockyard:kubernetes.region", k8s.region, zone_allowed=False)
    if k8s is not None and (k8s.cloud == "digitalocean" or (k8s.cloud is not None and k8s.node_size)):
        region = k8s.region or ({**default_region, "digitalocean": "nyc1"}[k8s.cloud])
        sized("dockyard:kubernetes.nodeSize", k8s.cloud, k8s.node_size, region, "dockyard:kubernetes.region")


def _check_stack(cfg: StackConfig, providers: dict[str, str | None], files) -> None:
    """Checks that span keys or read files; each names its own key path."""
    seen: dict[str, int] = {}
    for i, host in enumerate(cfg.hosts):
        if host.name in seen:
            raise ConfigError(f"dockyard:hosts[{i}].name",
                              f"duplicate host name '{host.name}' (also hosts[{seen[host.name]}])")
        seen[host.name] = i
        # Compute Engine names start with a letter (RFC 1035: [a-z]([-a-z0-9]*[a-z0-9])?).
        if host.cloud == "gcp" and not host.name[0].isalpha():
            raise ConfigError(f"dockyard:hosts[{i}].name",
                              f"'{host.name}' must start with a letter on gcp (Compute Engine names)")
        # Azure's Ubuntu and Flatcar images ship a 30 GB OS disk; a smaller one is refused.
        if host.cloud == "azure" and host.disk_gb is not None and host.disk_gb < 30:
            raise ConfigError(f"dockyard:hosts[{i}].diskGb",
                              f"{host.disk_gb} GB is smaller than the image's 30 GB OS disk on azure")
    seen = {}
    for i, app in enumerate(cfg.containers):
        if app.name in seen:
            raise ConfigError(f"dockyard:containers[{i}].name", f"duplicate app name '{app.name}'")
        seen[app.name] = i

    for key, (pattern, what) in PROVIDER_FORMATS.items():
        value = providers.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ConfigError(key, f"must be {what}, got {value!r}")
        if value and not pattern.fullmatch(value):
            raise ConfigError(key, f"{value!r} is not {what}")
    for cloud, user in cfg.clouds().items():
        for key in PROVIDER_KEYS[cloud]:
            if not providers.get(key):
                raise ConfigError(key, f"required because {user} uses {cloud}; set it with "
                                       f"`pulumi config set {key} <value>`")
    cfg._providers = ProviderConfig(
        aws_region=providers.get("aws:region"),
        azure_location=providers.get("azure-native:location"),
        gcp_project=providers.get("gcp:project"),
        gcp_region=providers.get("gcp:region"),
    )

    if cfg.swarm:
        cfg._warnings.extend(_check_swarm(cfg.swarm, files))
        if cfg.swarm.cloud == "local":
            cfg._docker_endpoint = docker_endpoint()
    for i, app in enumerate(cfg.containers):
        if app.compose is not None:
            project = _compose_file(app.compose, f"dockyard:containers[{i}].compose", files,
                                    app.profiles)
            if project is not None:
                check_container_compose(app, i, project)
    if cfg.kubernetes and cfg.kubernetes.cloud:
        v4 = [c for c in cfg.admin_cidrs if ipaddress.ip_network(c).version == 4]
        if not v4:
            raise ConfigError("dockyard:adminCidrs", f"a {cfg.kubernetes.cluster} cluster restricts its API "
                                                     "endpoint by IPv4 blocks only; list at least one IPv4 CIDR")
        if len(v4) < len(cfg.admin_cidrs):
            cfg._warnings.append(f"dockyard:adminCidrs: the {cfg.kubernetes.cluster} API endpoint admits the "
                                 "IPv4 blocks only; IPv6 entries are not applied to it")
    if cfg.kubernetes:
        for i, app in enumerate(cfg.kubernetes.apps):
            if isinstance(app, KubernetesComposeApp):
                _compose_file(app.compose, f"dockyard:kubernetes.apps[{i}].compose", files,
                              app.profiles)

    if cfg._admin_cidrs_defaulted and (cfg.hosts or (cfg.swarm and cfg.swarm.cloud != "local")):
        cfg._warnings.append(
            "dockyard:adminCidrs is not set: SSH (22) and the Docker API (2376) are open to "
            "0.0.0.0/0, protected by keys only; set it to your own network"
        )


def _check_swarm(swarm: SwarmConfig, files) -> list[str]:
    warnings = []
    names = swarm.node_names()
    for key in swarm.nodes:
        if key not in names:
            raise ConfigError(
                f"dockyard:swarm.nodes.{key}",
                f"no such node; this swarm has manager-1..manager-{swarm.managers}"
                + (f" and worker-1..worker-{swarm.workers}" if swarm.workers else " and no workers"),
            )
    if swarm.role_of("manager-1") != "manager":
        raise ConfigError('dockyard:swarm.nodes.manager-1.role',
                          "manager-1 initialised the swarm and runs the reconcile: it must stay a manager "
                          "(promote another node and drain manager-1 instead)")
    managers = [n for n in names if swarm.role_of(n) == "manager"]
    active = [n for n in managers if swarm.availability_of(n) == "active"]
    if len(managers) % 2 == 0:
        raise ConfigError("dockyard:swarm.nodes",
                          f"leaves {len(managers)} managers ({', '.join(managers)}); the count must be odd")
    if not active:
        raise ConfigError("dockyard:swarm.nodes", "leaves no active manager; keep at least one manager active")
    if swarm.load_balancer and swarm.cloud not in ("aws", "azure"):
        raise ConfigError("dockyard:swarm.loadBalancer",
                          f"is supported on aws and azure (the Docker for AWS/Azure layouts), not {swarm.cloud}")
    if swarm.cloud != "local" and swarm.managers < 3:
        warnings.append(f"dockyard:swarm.managers is {swarm.managers}: a swarm needs 3 managers "
                        "to survive the loss of one")
    if swarm.cloud == "local":
        warnings.extend(_check_local_swarm(swarm, files))
        # Local nodes are containers: no VM size or region, and published ports bind to 127.0.0.1.
        for key, value in (("size", swarm.size), ("region", swarm.region), ("image", swarm.image),
                           *((f"nodes.{n}.image", c.image) for n, c in swarm.nodes.items())):
            if value is not None:
                warnings.append(f"dockyard:swarm.{key} is ignored on a local swarm")
        if swarm.public_cidrs != ["0.0.0.0/0"]:
            warnings.append("dockyard:swarm.publicCidrs is ignored on a local swarm: published ports "
                            "listen on 127.0.0.1 only")
    else:
        for key, image in (("image", swarm.image), *((f"nodes.{n}.image", c.image) for n, c in swarm.nodes.items())):
            if image is not None:
                _check_node_image(f"dockyard:swarm.{key}", swarm.cloud, image)
    stack_names: dict[str, int] = {}
    ingress: dict[tuple[int, str], str] = {}  # (published port, protocol) -> "stack/service"
    for i, stack in enumerate(swarm.stacks):
        if stack.name in stack_names:
            raise ConfigError(f"dockyard:swarm.stacks[{i}].name", f"duplicate stack name {stack.name!r} (also "
                                                               f"swarm.stacks[{stack_names[stack.name]}]); "
                                                               "a swarm holds one stack of each name")
        stack_names[stack.name] = i
        project = _compose_file(stack.compose, f"dockyard:swarm.stacks[{i}].compose", files, stack.profiles)
        # The routing mesh gives a published port to one service of the whole swarm ("port
        # already in use by service"): Docker docs, "Use swarm mode routing mesh", read 2026-12-03
        # (https://docs.docker.com/engine/swarm/ingress/).
        for service in (project.services.values() if project is not None else ()):
            for port in service.ports:
                if port.published is None or port.mode != "ingress":
                    continue
                owner = ingress.setdefault((port.published, port.protocol), f"{stack.name}/{service.name}")
                if owner != f"{stack.name}/{service.name}":
                    raise ConfigError(f"dockyard:swarm.stacks[{i}].compose",
                                      f"service {service.name} publishes {port.published}/{port.protocol}, "
                                      f"which {owner} already publishes; the swarm's routing mesh gives "
                                      "each published port to one service")
    return warnings


def _check_node_image(key: str, cloud: str, image: str) -> None:
    """A swarm node's image passes the checks of a host's ``image`` (one implementation: HostConfig)."""
    try:
        HostConfig(name="node", cloud=cloud, image=image)
    except ValidationError as exc:
        raise ConfigError(key, exc.errors()[0]["msg"].removeprefix("Value error, ")) from None


def published_ports(cfg: StackConfig, files) -> dict[int, str]:
    """Ports the stack's apps publish to the world, each with the config key of one publisher:
    the swarm stacks' published ports, and a public container app's listener ports (80, 443
    and its own port, or its compose service's published ports)."""
    out: dict[int, str] = {}
    if cfg.swarm is not None:
        for i, st in enumerate(cfg.swarm.stacks):
            project = _compose_file(st.compose, f"dockyard:swarm.stacks[{i}].compose", files, st.profiles)
            for svc in (project.services.values() if project is not None else ()):
                for port in svc.ports:
                    if port.published:
                        out.setdefault(port.published, f"dockyard:swarm.stacks[{i}]")
    for i, app in enumerate(cfg.containers):
        if not app.public:
            continue
        key = f"dockyard:containers[{i}]"
        ports = {80, 443, app.port}
        if app.compose:
            project = _compose_file(app.compose, f"{key}.compose", files, app.profiles)
            if project is not None:
                services = ([project.services[app.service]] if app.service in project.services
                            else project.services.values())
                ports |= {p.published for svc in services for p in svc.ports if p.published}
        for port in sorted(ports):
            out.setdefault(port, key)
    return out


def _check_local_swarm(swarm: SwarmConfig, files, machine: str | None = None) -> list[str]:
    """Host ports past 65535, and images on an arm64 machine (amd64-only ones never get a task)."""
    import platform

    images: set[str] = set()
    for i, stack in enumerate(swarm.stacks):
        project = _compose_file(stack.compose, f"dockyard:swarm.stacks[{i}].compose", files,
                                stack.profiles)
        if project is None:
            continue
        for service in project.services.values():
            if service.image:
                images.add(service.image)
            for port in service.ports:
                if port.published is not None and port.published + swarm.local_port_offset > 65535:
                    raise ConfigError("dockyard:swarm.localPortOffset",
                                      f"{swarm.local_port_offset} moves published port {port.published} of "
                                      f"{stack.compose} past 65535; use a smaller offset")
    machine = (machine or platform.machine()).lower()
    if machine in ("arm64", "aarch64") and images:
        return [
            "dockyard:swarm.cloud is local on an arm64 machine: the swarm schedules a task only where its "
            f"image has a linux/arm64 variant, and an amd64-only image never gets one ({', '.join(sorted(images))}; "
            "check each with `docker manifest inspect`). `pulumi up` waits "
            "dockyard:swarm.rolloutTimeoutSeconds for the tasks, then fails naming the service"]
    return []


@dataclass(frozen=True)
class DockerEndpoint:
    """The one Docker engine a local swarm lives on: the Docker provider and `docker exec` use it."""

    host: str
    #: directory with ca.pem, cert.pem and key.pem for a TLS endpoint
    cert_path: str | None = None
    #: where it came from (for messages): DOCKER_HOST, the context's name, or the default socket
    source: str = "default"

    def cli_args(self) -> list[str]:
        """Global `docker` options that select this endpoint whatever the user's current context."""
        args = ["--host", self.host]
        if self.cert_path:
            args += ["--tlsverify", f"--tlscacert={self.cert_path}/ca.pem",
                     f"--tlscert={self.cert_path}/cert.pem", f"--tlskey={self.cert_path}/key.pem"]
        return args


DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"


def docker_endpoint(env: typing.Mapping[str, str] | None = None, home: Path | None = None) -> DockerEndpoint:
    """Resolve the Docker endpoint once, the way the docker CLI does.

    Order (docker/cli, cli/command/cli.go resolveContextName and docs "docker context", read
    2026-12-02): DOCKER_HOST; else DOCKER_CONTEXT; else ``currentContext`` in
    $DOCKER_CONFIG/config.json (default ~/.docker); else the default socket. A named context's
    endpoint is in ``contexts/meta/<sha256 of the name>/meta.json`` (Endpoints.docker.Host) and
    its TLS files, if any, in ``contexts/tls/<same digest>/docker/``.
    """
    import hashlib
    import os

    env = os.environ if env is None else env
    if env.get("DOCKER_HOST"):
        cert = env.get("DOCKER_CERT_PATH") if env.get("DOCKER_TLS_VERIFY") else None
        return DockerEndpoint(env["DOCKER_HOST"], cert, "DOCKER_HOST")
    config_dir = Path(env["DOCKER_CONFIG"]) if env.get("DOCKER_CONFIG") else (home or Path.home()) / ".docker"
    name = env.get("DOCKER_CONTEXT")
    if not name:
        # The docker CLI warns about an unreadable config.json and goes on with the defaults; so do
        # we, but read it through safeload (a FIFO or /dev/zero there must not hang or fill memory).
        try:
            name = safeload.load_json(config_dir / "config.json", mapping=True).get("currentContext")
        except safeload.FileError:
            name = None
        if not isinstance(name, str):
            name = None
    if not name or name == "default":
        return DockerEndpoint(DEFAULT_DOCKER_HOST)
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest / "meta.json"
    try:
        host = safeload.load_json(meta, mapping=True)["Endpoints"]["docker"]["Host"]
        if not isinstance(host, str):
            raise TypeError
    except (safeload.FileError, KeyError, TypeError) as exc:
        why = exc.message if isinstance(exc, safeload.FileError) else "no Endpoints.docker.Host string"
        raise ConfigError("dockyard:swarm.cloud", f"is local, and the current docker context {name!r} cannot be "
                                                  f"read ({meta}: {why}); run "
                                                  "`docker context ls` or set DOCKER_HOST") from None
    tls = config_dir / "contexts" / "tls" / digest / "docker"
    return DockerEndpoint(host, str(tls) if (tls / "ca.pem").is_file() else None, f"context {name}")


def _compose_file(path: str, key: str, files, profiles: list[str] | None = None):
    """Load and validate a compose file now, so a bad one stops the program before any resource.

    ``files`` (components/projectfiles.ProjectFiles): the compose file, and every file it names,
    must lie in the project or a folder dockyard:allowFilesOutsideProject lists."""
    from components.projectfiles import OutsideProject

    full = (files.root / path) if not Path(path).is_absolute() else Path(path)
    try:
        files.resolve(full, path)
    except OutsideProject as exc:
        raise ConfigError(key, str(exc)) from None
    if not full.is_file():
        raise ConfigError(key, f"compose file '{path}' not found (paths are relative to the project)")
    try:
        from components.compose import load_compose
    except ImportError:  # pragma: no cover - the compose package is part of the program
        return None
    return load_compose(full, profiles=profiles, files=files)


# --- reading pulumi.Config ----------------------------------------------------------------------

TOP_LEVEL_TYPES = {"adminCidrs": list, "sshPublicKey": str, "hosts": list, "swarm": dict,
                   "containers": list, "kubernetes": dict, "allowFilesOutsideProject": list}


def _decode(key: str, text: Any) -> Any:
    if not isinstance(text, str):
        return text
    expected = TOP_LEVEL_TYPES.get(key)
    if expected is str:
        return text
    # `pulumi config set` stores structured values as JSON text; parsed bounded (safeload), and
    # anything that is not JSON stays the string the user set, which validation then judges.
    try:
        return safeload.parse_json(text, key)
    except safeload.FileError:
        return text


def _all_keys() -> list[str]:
    from pulumi.runtime import config as runtime_config

    keys = set(runtime_config.CONFIG.get().keys()) | set(runtime_config.get_config_env().keys())
    return sorted(keys)


def load() -> StackConfig:
    """Read and validate the stack config; raises ConfigError (or ComposeError) on bad input."""
    import pulumi

    raw: dict[str, Any] = {}
    conf = pulumi.Config(NAMESPACE)
    for full in _all_keys():
        ns, _, key = full.partition(":")
        if ns != NAMESPACE:
            continue
        raw[key] = _decode(key, conf.get(key))
    providers = {}
    for full in ("aws:region", "azure-native:location", "gcp:project", "gcp:region"):
        ns, _, key = full.partition(":")
        providers[full] = pulumi.Config(ns).get(key)
    # Pulumi runs the program in the project directory: compose paths are relative to it.
    cfg = validate(raw, providers, project_dir=Path.cwd(), stack=pulumi.get_stack())
    for i, app in enumerate(cfg.containers):
        app_conf = pulumi.Config(app.name)
        for j, var in enumerate(app.secret_env):
            value = app_conf.get_secret(var)
            if value is None:
                raise ConfigError(f"dockyard:containers[{i}].secretEnv[{j}]",
                                  f"secret config key {app.name}:{var} is not set; run "
                                  f"`pulumi config set --secret {app.name}:{var} <value>`")
            app._secret_values[var] = value
    return cfg


def fail(err: InputError) -> typing.NoReturn:
    """Print the one-line error for a user mistake and exit with status 2."""
    import sys

    from components.errors import error_line

    print(error_line(err), file=sys.stderr)
    raise SystemExit(2)
