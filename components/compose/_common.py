"""Small helpers the three converters share (naming, environment, warnings about kept fields)."""

from __future__ import annotations

import re

from components.compose.model import Conversion, Service


def dns_label(name: str, max_len: int = 63) -> str:
    """An RFC 1035 label from a compose name: lower case, '-' for '_' and '.', starts with a letter."""
    out = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    if not out or not out[0].isalpha():
        out = "s-" + out if out else "s"
    return out[:max_len].rstrip("-")


def field_path(service: Service | str, *parts) -> str:
    """"services.web.deploy.resources" style path for warnings."""
    name = service if isinstance(service, str) else service.name
    out = f"services.{name}"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def resolved_environment(service: Service, conv: Conversion, target: str) -> dict[str, str]:
    """env_file and environment merged; a variable with no value becomes "" with a warning."""
    out = {}
    for key, value in service.all_environment.items():
        if value is None:
            conv.warn(field_path(service, "environment", key),
                      f"has no value in the compose file; set to an empty string on {target}")
            value = ""
        out[key] = value
    return out


def warn_unmapped_extras(service: Service, conv: Conversion, target: str, mapped: set[str]) -> None:
    """One warning per kept-but-unmapped field the user wrote."""
    for key in service.extras:
        if key not in mapped:
            conv.warn(field_path(service, key), f"not mapped to {target}")


def present(fields: dict) -> dict:
    """The fields that are set: drops None, False and empty values (lists are copied).

    Converters map many optional compose fields one to one; this keeps "only if given" in one place.
    """
    out = {}
    for key, value in fields.items():
        if value is None or value is False or (isinstance(value, (list, dict, str)) and not value):
            continue
        out[key] = list(value) if isinstance(value, list) else value
    return out
