"""The normalised compose model: the single input of every converter.

The loader turns every accepted spelling (short and long port syntax, environment as list or
map, string or list commands, durations and sizes as text) into these dataclasses, so a
converter never parses compose syntax itself. Durations are float seconds, memory is bytes,
CPUs are float cores. Treat instances as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Port:
    target: int
    published: int | None = None
    protocol: str = "tcp"  # tcp | udp | sctp
    mode: str = "ingress"  # ingress | host
    host_ip: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Healthcheck:
    test: list[str] | None = None  # ["CMD", arg...] or ["CMD-SHELL", "command line"]; None: image default
    interval: float | None = None
    timeout: float | None = None
    start_period: float | None = None
    start_interval: float | None = None
    retries: int | None = None
    disable: bool = False


@dataclass(frozen=True)
class RestartPolicy:
    condition: str = "any"  # none | on-failure | any
    delay: float | None = None
    max_attempts: int | None = None
    window: float | None = None


@dataclass(frozen=True)
class UpdateConfig:
    parallelism: int | None = None
    delay: float | None = None
    failure_action: str | None = None  # continue | pause | rollback (update only)
    monitor: float | None = None
    max_failure_ratio: float | None = None
    order: str | None = None  # stop-first | start-first


@dataclass(frozen=True)
class ResourceSpec:
    cpus: float | None = None
    memory: int | None = None  # bytes
    pids: int | None = None
    devices: list = field(default_factory=list)  # kept verbatim (reservations.devices)
    generic_resources: list = field(default_factory=list)  # kept verbatim


@dataclass(frozen=True)
class Resources:
    limits: ResourceSpec = field(default_factory=ResourceSpec)
    reservations: ResourceSpec = field(default_factory=ResourceSpec)


@dataclass(frozen=True)
class Placement:
    constraints: list[str] = field(default_factory=list)  # "node.role == worker", spaces normalised
    preferences: list[str] = field(default_factory=list)  # spread descriptors: "node.labels.zone"
    max_replicas_per_node: int | None = None


@dataclass(frozen=True)
class Deploy:
    mode: str = "replicated"  # replicated | global
    replicas: int | None = None  # None: not given (1 for replicated)
    placement: Placement = field(default_factory=Placement)
    restart_policy: RestartPolicy | None = None
    update_config: UpdateConfig | None = None
    rollback_config: UpdateConfig | None = None
    resources: Resources = field(default_factory=Resources)
    labels: dict[str, str] = field(default_factory=dict)
    endpoint_mode: str | None = None  # vip | dnsrr


@dataclass(frozen=True)
class VolumeMount:
    type: str  # volume | bind | tmpfs
    target: str
    source: str | None = None  # volume key (volume), absolute host path (bind), None (anonymous/tmpfs)
    read_only: bool = False
    tmpfs_size: int | None = None


@dataclass(frozen=True)
class FileRef:
    """A service's use of a top-level config or secret."""

    source: str
    target: str
    uid: str | None = None
    gid: str | None = None
    mode: int | None = None


@dataclass(frozen=True)
class ServiceNetwork:
    aliases: list[str] = field(default_factory=list)
    ipv4_address: str | None = None


@dataclass(frozen=True)
class Service:
    name: str
    image: str | None
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    environment: dict[str, str | None] = field(default_factory=dict)  # None: value left to the shell
    env_file: dict[str, str | None] = field(default_factory=dict)  # merged contents of every env_file
    env_file_paths: list[Path] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    expose: list[Port] = field(default_factory=list)  # target + protocol only
    healthcheck: Healthcheck | None = None
    deploy: Deploy = field(default_factory=Deploy)
    labels: dict[str, str] = field(default_factory=dict)
    volumes: list[VolumeMount] = field(default_factory=list)
    networks: dict[str, ServiceNetwork] = field(default_factory=dict)  # {"default": ...} when unspecified
    configs: list[FileRef] = field(default_factory=list)
    secrets: list[FileRef] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    restart: str | None = None
    hostname: str | None = None
    working_dir: str | None = None
    user: str | None = None
    read_only: bool = False
    privileged: bool = False
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    stop_grace_period: float | None = None
    stop_signal: str | None = None
    extra_hosts: dict[str, str] = field(default_factory=dict)
    tty: bool = False
    stdin_open: bool = False
    #: Fields the loader accepts and keeps verbatim but does not normalise (build, logging,
    #: ulimits, ...). Every converter warns about each one it does not map.
    extras: dict[str, Any] = field(default_factory=dict)
    #: Keys present in the file, in file order: converters warn only about fields the user wrote.
    keys: tuple[str, ...] = ()

    @property
    def all_environment(self) -> dict[str, str | None]:
        """env_file values overridden by `environment`, as compose merges them."""
        merged: dict[str, str | None] = dict(self.env_file)
        merged.update(self.environment)
        return merged


@dataclass(frozen=True)
class Network:
    name: str  # the key in the compose file
    external: bool = False
    name_override: str | None = None  # the file's `name:` (for external objects: the existing name)
    driver: str | None = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    attachable: bool = False
    internal: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    implicit: bool = False  # the "default" network compose creates when a service names none


@dataclass(frozen=True)
class Volume:
    name: str
    external: bool = False
    name_override: str | None = None
    driver: str | None = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileObject:
    """A top-level config or secret: its data comes from `file`, `content`, `environment` or is external."""

    name: str
    file: Path | None = None
    content: str | None = None
    environment: str | None = None
    external: bool = False
    name_override: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def read_bytes(self) -> bytes | None:
        """The object's data when the compose file holds it (file or content); None otherwise."""
        if self.file is not None:
            from components.safeload import read_bytes

            return read_bytes(self.file)
        if self.content is not None:
            return self.content.encode()
        return None


@dataclass(frozen=True)
class ComposeProject:
    name: str
    path: Path
    services: dict[str, Service]
    networks: dict[str, Network] = field(default_factory=dict)
    volumes: dict[str, Volume] = field(default_factory=dict)
    configs: dict[str, FileObject] = field(default_factory=dict)
    secrets: dict[str, FileObject] = field(default_factory=dict)
    #: line numbers keyed by path tuple, e.g. ("services", "web", "ports", 0) -> 12
    lines: dict[tuple, int] = field(default_factory=dict, repr=False, compare=False)
    #: loader warnings (e.g. a variable the file interpolates is unset)
    warnings: list[str] = field(default_factory=list, compare=False)
    #: the active compose profiles the project was loaded with (services of others are left out)
    profiles: tuple[str, ...] = ()
    #: the folders whose files may be read (components/projectfiles.py); None: the file's folder
    files: Any = field(default=None, compare=False)

    def line(self, *path) -> int | None:
        """The line of the deepest element of `path` the file has (None if not even the first)."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def where(self, *path) -> str:
        """"FILE:LINE" of a field, for errors raised after loading (e.g. by a component)."""
        line = self.line(*path)
        return f"{self.path}:{line}" if line else str(self.path)

    def error(self, message: str, *path):
        """A ComposeError at the line of `path`."""
        from components.errors import ComposeError

        return ComposeError(str(self.path), message, self.line(*path))


@dataclass
class Conversion:
    """What a converter returns besides its objects: warnings naming the compose field."""

    warnings: list[str] = field(default_factory=list)

    def warn(self, path: str, message: str) -> None:
        text = f"{path}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)
