"""Dockyard's own JSON Schema of the compose fields it accepts (shape only).

Written for Dockyard from the Compose Specification's prose
(https://github.com/compose-spec/compose-spec/blob/main/spec.md and deploy.md); it lists the
fields we support, not every field compose knows. Values whose syntax is richer than a type
(ports, durations, sizes, constraints) are checked again by the loader's normalisers, which
produce the precise messages. Extension fields (`x-*`) are allowed wherever compose allows them.
"""

from __future__ import annotations

from components.compose.units import INT32_MAX

_X = {"^x-": {}}

STRING = {"type": "string"}
INT = {"type": "integer"}
# Counts (replicas, retries, ...) become int32 fields in Kubernetes and ECS (components/compose/units.py).
COUNT = {"type": "integer", "minimum": 0, "maximum": INT32_MAX}
BOOL = {"type": "boolean"}
SCALAR = {"type": ["string", "number", "boolean", "null"]}
DURATION = {"type": ["string", "number"]}
SIZE = {"type": ["string", "integer"]}
STRING_OR_LIST = {"type": ["string", "array"], "items": STRING}
STRING_LIST = {"type": "array", "items": STRING}
# environment, labels, extra_hosts, sysctls: ["K=V", ...] or {K: V}
LIST_OR_DICT = {
    "type": ["array", "object"],
    "items": STRING,
    "additionalProperties": SCALAR,
}


def _obj(props: dict, required: tuple = (), extensions: bool = True) -> dict:
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if extensions:
        schema["patternProperties"] = _X
    if required:
        schema["required"] = list(required)
    return schema


def _either(kinds: list[str], object_schema: dict) -> dict:
    """A value that is a scalar of `kinds` or, when it is a mapping, matches `object_schema`."""
    return {"type": kinds + ["object"], "if": {"type": "object"}, "then": object_schema}


PORT_LONG = _obj({
    "name": STRING,
    "target": {"type": ["integer", "string"]},
    "published": {"type": ["integer", "string"]},
    "host_ip": STRING,
    "protocol": {"enum": ["tcp", "udp", "sctp"]},
    "mode": {"enum": ["ingress", "host"]},
    "app_protocol": STRING,
}, required=("target",))

HEALTHCHECK = _obj({
    "test": STRING_OR_LIST,
    "interval": DURATION,
    "timeout": DURATION,
    "start_period": DURATION,
    "start_interval": DURATION,
    "retries": COUNT,
    "disable": BOOL,
})

UPDATE = _obj({
    "parallelism": COUNT,
    "delay": DURATION,
    "failure_action": {"enum": ["continue", "pause", "rollback"]},
    "monitor": DURATION,
    "max_failure_ratio": {"type": "number", "minimum": 0},
    "order": {"enum": ["stop-first", "start-first"]},
})

RESOURCE = _obj({
    "cpus": {"type": ["string", "number"]},
    "memory": SIZE,
    "pids": INT,
    "devices": {"type": "array"},
    "generic_resources": {"type": "array"},
})

DEPLOY = _obj({
    "mode": {"enum": ["replicated", "global"]},
    "replicas": COUNT,
    "endpoint_mode": {"enum": ["vip", "dnsrr"]},
    "labels": LIST_OR_DICT,
    "placement": _obj({
        "constraints": STRING_LIST,
        "preferences": {"type": "array", "items": _obj({"spread": STRING}, required=("spread",))},
        "max_replicas_per_node": COUNT,
    }),
    "restart_policy": _obj({
        "condition": {"enum": ["none", "on-failure", "any"]},
        "delay": DURATION,
        "max_attempts": COUNT,
        "window": DURATION,
    }),
    "update_config": UPDATE,
    "rollback_config": UPDATE,
    "resources": _obj({"limits": RESOURCE, "reservations": RESOURCE}),
})

VOLUME_LONG = _obj({
    "type": {"enum": ["volume", "bind", "tmpfs"]},
    "source": STRING,
    "target": STRING,
    "read_only": BOOL,
    "consistency": STRING,
    "bind": _obj({"propagation": STRING, "create_host_path": BOOL, "selinux": STRING}),
    "volume": _obj({"nocopy": BOOL, "subpath": STRING}),
    "tmpfs": _obj({"size": SIZE, "mode": {"type": ["integer", "string"]}}),
}, required=("target",))

FILE_REF_LONG = _obj({
    "source": STRING,
    "target": STRING,
    "uid": {"type": ["string", "integer"]},
    "gid": {"type": ["string", "integer"]},
    "mode": {"type": ["integer", "string"]},
}, required=("source",))

SERVICE_NETWORKS = {
    "type": ["array", "object"],
    "items": STRING,
    "additionalProperties": {
        "type": ["object", "null"],
        "if": {"type": "object"},
        "then": _obj({
            "aliases": STRING_LIST,
            "ipv4_address": STRING,
            "ipv6_address": STRING,
            "priority": INT,
        }),
    },
}

DEPENDS_ON = {
    "type": ["array", "object"],
    "items": STRING,
    "additionalProperties": _obj({
        "condition": {"enum": ["service_started", "service_healthy", "service_completed_successfully"]},
        "restart": BOOL,
        "required": BOOL,
    }),
}

#: Service fields normalised into model.Service attributes.
NORMALISED_SERVICE_FIELDS = {
    "image": STRING,
    "command": STRING_OR_LIST,
    "entrypoint": STRING_OR_LIST,
    "environment": LIST_OR_DICT,
    "env_file": {"type": ["string", "array"], "items": _either(["string"], _obj({
        "path": STRING, "required": BOOL, "format": STRING}, required=("path",)))},
    "ports": {"type": "array", "items": _either(["string", "integer"], PORT_LONG)},
    "expose": {"type": "array", "items": {"type": ["string", "integer"]}},
    "healthcheck": HEALTHCHECK,
    "deploy": DEPLOY,
    "labels": LIST_OR_DICT,
    "volumes": {"type": "array", "items": _either(["string"], VOLUME_LONG)},
    "tmpfs": STRING_OR_LIST,
    "networks": SERVICE_NETWORKS,
    "configs": {"type": "array", "items": _either(["string"], FILE_REF_LONG)},
    "secrets": {"type": "array", "items": _either(["string"], FILE_REF_LONG)},
    "depends_on": DEPENDS_ON,
    "restart": {"type": "string", "pattern": r"^(no|always|unless-stopped|on-failure(:\d+)?)$"},
    "hostname": STRING,
    "working_dir": STRING,
    "user": {"type": ["string", "integer"]},
    "read_only": BOOL,
    "privileged": BOOL,
    "cap_add": STRING_LIST,
    "cap_drop": STRING_LIST,
    "stop_grace_period": DURATION,
    "stop_signal": STRING,
    "extra_hosts": LIST_OR_DICT,
    "tty": BOOL,
    "stdin_open": BOOL,
    "scale": COUNT,  # the older spelling of deploy.replicas
}

#: Service fields the loader accepts and keeps as they are (Service.extras); converters map the
#: ones their target has and warn about the rest.
KEPT_SERVICE_FIELDS = {
    "build": {"type": ["string", "object"]},
    "container_name": STRING,
    "domainname": STRING,
    "dns": STRING_OR_LIST,
    "dns_search": STRING_OR_LIST,
    "dns_opt": STRING_LIST,
    "logging": _obj({"driver": STRING, "options": {"type": "object", "additionalProperties": SCALAR}}),
    "ulimits": {"type": "object"},
    "sysctls": LIST_OR_DICT,
    "devices": {"type": "array"},
    "network_mode": STRING,
    "pid": {"type": ["string", "null"]},
    "ipc": STRING,
    "security_opt": STRING_LIST,
    "shm_size": SIZE,
    "init": BOOL,
    "group_add": {"type": "array", "items": {"type": ["string", "integer"]}},
    "platform": STRING,
    "pull_policy": {"enum": ["always", "never", "missing", "if_not_present", "build"]},
    "profiles": STRING_LIST,
    "links": STRING_LIST,
    "external_links": STRING_LIST,
    "mem_limit": SIZE,
    "mem_reservation": SIZE,
    "cpus": {"type": ["string", "number"]},
    "isolation": STRING,
    "runtime": STRING,
}

SERVICE = _obj({**NORMALISED_SERVICE_FIELDS, **KEPT_SERVICE_FIELDS})

EXTERNAL = {"type": ["boolean", "object"]}

NETWORK = {"type": ["object", "null"], "if": {"type": "object"}, "then": _obj({
    "name": STRING,
    "driver": STRING,
    "driver_opts": {"type": "object", "additionalProperties": SCALAR},
    "attachable": BOOL,
    "internal": BOOL,
    "external": EXTERNAL,
    "labels": LIST_OR_DICT,
    "ipam": {"type": "object"},
    "enable_ipv6": BOOL,
})}

VOLUME = {"type": ["object", "null"], "if": {"type": "object"}, "then": _obj({
    "name": STRING,
    "driver": STRING,
    "driver_opts": {"type": "object", "additionalProperties": SCALAR},
    "external": EXTERNAL,
    "labels": LIST_OR_DICT,
})}

FILE_OBJECT = _obj({
    "name": STRING,
    "file": STRING,
    "content": STRING,
    "environment": STRING,
    "external": EXTERNAL,
    "labels": LIST_OR_DICT,
    "template_driver": STRING,
})

COMPOSE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Dockyard compose subset",
    **_obj({
        "version": {"type": ["string", "number"]},
        "name": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9_-]*$"},
        "services": {
            "type": "object",
            "propertyNames": {"pattern": r"^[a-zA-Z0-9._-]+$"},
            "additionalProperties": SERVICE,
        },
        "networks": {"type": "object", "additionalProperties": NETWORK},
        "volumes": {"type": "object", "additionalProperties": VOLUME},
        "configs": {"type": "object", "additionalProperties": FILE_OBJECT},
        "secrets": {"type": "object", "additionalProperties": FILE_OBJECT},
    }, required=("services",)),
}
