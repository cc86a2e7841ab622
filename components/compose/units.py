"""Parsers for the units compose files use: Go-style durations, byte sizes and CPU counts.

Each parser raises ValueError with a short "expected ..." message; the loader turns that into a
ComposeError carrying the file and line.
"""

from __future__ import annotations

import math
import re

# Go's time.ParseDuration units (compose durations follow Go: "1m30s", "500ms", "1.5h").
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
#: The largest int32: Kubernetes' replicas, probe periods and thresholds and ECS's counts are
#: int32 fields (Kubernetes API reference, Deployment/Probe, read 2026-12-03:
#: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/), so a
#: count or a duration in seconds above it cannot be deployed anywhere Dockyard converts to.
INT32_MAX = 2**31 - 1
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_duration(value) -> float:
    """Seconds from a compose duration ("1m30s", "10s", "250ms"); a bare number means seconds."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30s or 1m30s, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"expected a non-negative duration, got {value!r}")
        return _bounded(float(value), value)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as 30s or 1m30s, got {value!r}")
    text = value.strip()
    if text in ("0", ""):
        if text == "":
            raise ValueError("expected a duration such as 30s or 1m30s, got an empty string")
        return 0.0
    pos, total = 0, 0.0
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        if not m:
            raise ValueError(f"expected a duration such as 30s or 1m30s, got {value!r}")
        total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    return _bounded(total, value)


def _bounded(seconds: float, value) -> float:
    if not seconds <= INT32_MAX:  # also NaN/inf from a float that overflowed
        raise ValueError(f"{value!r} is longer than {INT32_MAX} seconds (about 68 years), the most "
                         "Kubernetes takes in its int32 second fields")
    return seconds


def format_duration(seconds: float) -> str:
    """A Go duration string for Docker's API fields: whole seconds as "30s", otherwise "1500ms"."""
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    ms = seconds * 1000
    if float(round(ms, 6)).is_integer():
        return f"{int(round(ms))}ms"
    return f"{int(round(seconds * 1e9))}ns"


def ceil_seconds(seconds: float, minimum: int = 0) -> int:
    """Whole seconds, rounded up (Kubernetes and ECS take integer seconds)."""
    return max(minimum, int(math.ceil(seconds - 1e-9)))


# Docker's byte sizes (go-units RAMInBytes): binary multiples, optional "b", case-insensitive.
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*\Z", re.IGNORECASE)
_SIZE_MULT = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def parse_size(value) -> int:
    """Bytes from a compose size ("512M", "1g", "1.5GB", 1048576)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 512M or 1G, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"expected a non-negative size, got {value!r}")
        return value
    if isinstance(value, float):
        if value < 0:
            raise ValueError(f"expected a non-negative size, got {value!r}")
        return int(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a size such as 512M or 1G, got {value!r}")
    m = _SIZE.match(value)
    if not m:
        raise ValueError(f"expected a size such as 512M or 1G, got {value!r}")
    return int(float(m.group(1)) * _SIZE_MULT[m.group(2).lower()])


def parse_cpus(value) -> float:
    """A CPU count from compose's `cpus` ("0.5", 2)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number of CPUs such as 0.5, got {value!r}")
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number of CPUs such as 0.5, got {value!r}") from None
    if cpus < 0 or math.isnan(cpus) or math.isinf(cpus):
        raise ValueError(f"expected a non-negative number of CPUs, got {value!r}")
    return cpus
