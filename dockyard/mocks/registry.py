"""Plausible values for what a cloud computes, keyed by resource type or invoke token.

Every module in this package registers its own types; registering one twice is an error, so two
areas can never silently disagree about a type. Values are deterministic: they derive from the
resource's URN (or the invoke's token and arguments), never from time or randomness, so the same
config previews byte-identically.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable
from typing import Any

ResourceFn = Callable[["MockContext", dict], dict]
InvokeFn = Callable[["MockContext", dict], dict]

RESOURCES: dict[str, ResourceFn] = {}
INVOKES: dict[str, InvokeFn] = {}

_PUBLIC_NET = ipaddress.ip_network("203.0.113.0/24")  # RFC 5737 documentation range

# The engine's markers for values unknown during a preview (pulumi/runtime/rpc.py UNKNOWN and
# pulumi_policy's typed ones): a refusal never judges them.
UNKNOWNS = frozenset({
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
})


def known(value: Any) -> bool:
    """True for a value a mock can judge: present and not unknown (in a preview)."""
    return value is not None and not (isinstance(value, str) and value in UNKNOWNS)


class MockContext:
    """Deterministic value source for one resource or invoke."""

    def __init__(self, key: str, name: str = "", urn: str = "", region: str = "us-east-1",
                 account: str = "123456789012", type_: str = "",
                 lookup: Callable[[str], dict | None] | None = None,
                 created: Callable[[str], list[tuple[dict, dict]]] | None = None):
        self.key = key
        self.name = name
        self.urn = urn
        self.region = region
        self.account = account
        self.type = type_
        self._lookup = lookup
        self._created = created

    def created(self, type_: str) -> list[tuple[dict, dict]]:
        """(inputs, computed values) of every resource of ``type_`` this run created so far."""
        return self._created(type_) if self._created else []

    def state_of(self, resource_id: Any) -> dict | None:
        """The outputs of a resource this run already created, by its id (None if unknown, e.g.
        an existing resource the program names by id or a value unknown in preview)."""
        if not self._lookup or not isinstance(resource_id, str):
            return None
        return self._lookup(resource_id)

    def refuse(self, message: str) -> Refused:
        """The cloud's create-time refusal of this resource (raise it)."""
        return Refused(self.type, self.name, message)

    def _digest(self, salt: str = "") -> bytes:
        return hashlib.sha256(f"{self.key}|{salt}".encode()).digest()

    def hex(self, n: int = 8, salt: str = "") -> str:
        return self._digest(salt).hex()[:n]

    def number(self, modulo: int, salt: str = "") -> int:
        return int.from_bytes(self._digest(salt)[:8], "big") % modulo

    def public_ip(self, salt: str = "") -> str:
        return str(_PUBLIC_NET.network_address + 2 + self.number(250, "pub" + salt))

    def private_ip(self, salt: str = "") -> str:
        return f"10.0.{self.number(250, 'p1' + salt)}.{2 + self.number(250, 'p2' + salt)}"

    def ip_in(self, cidr: str, salt: str = "", head: int = 4, tail: int = 1) -> str:
        """A host address of ``cidr`` the cloud could assign: not among its first ``head`` or last
        ``tail`` addresses, which the cloud reserves (AWS and Azure: 4 and 1; GCP: 2 and 2)."""
        net = ipaddress.ip_network(cidr, strict=False)
        usable = max(net.num_addresses - head - tail, 1)
        return str(net.network_address + head + self.number(usable, "in" + salt))

    def ipv6(self, salt: str = "") -> str:
        return f"2001:db8::{self.hex(4, 'v6' + salt)}"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    @property
    def partition(self) -> str:
        """The region's ARN partition (aws, aws-cn, aws-us-gov), as AWS puts it in every ARN."""
        from components.names import aws_partition

        return aws_partition(self.region)

    def dns(self, suffix: str) -> str:
        return f"{self.name or 'res'}-{self.hex(8, 'dns')}.{suffix}"


def resource_outputs(*types: str) -> Callable[[ResourceFn], ResourceFn]:
    """Register the computed outputs of one or more resource types."""

    def register(fn: ResourceFn) -> ResourceFn:
        for t in types:
            if t in RESOURCES:
                raise RuntimeError(f"mock outputs for {t} registered twice")
            RESOURCES[t] = fn
        return fn

    return register


def invoke(*tokens: str) -> Callable[[InvokeFn], InvokeFn]:
    """Register the result of one or more invokes (data sources)."""

    def register(fn: InvokeFn) -> InvokeFn:
        for t in tokens:
            if t in INVOKES:
                raise RuntimeError(f"mock invoke {t} registered twice")
            INVOKES[t] = fn
        return fn

    return register


def stable_key(token: str, args: dict[str, Any]) -> str:
    return token + "|" + json.dumps(args, sort_keys=True, default=str)


class Refused(Exception):
    """What the cloud refuses at create time (the API's error), raised by a mock.

    Config validation catches what a user can reach first, naming the config key; a refusal is
    the backstop for what gets past it and surfaces as one line, exit status 2."""

    def __init__(self, type_: str, name: str, message: str):
        super().__init__(f"{type_} {name!r}: the cloud would refuse this: {message}")
        self.type = type_
        self.name = name
        self.message = message
