"""The valid Fargate task sizes: the one table Dockyard uses (compose conversion and config checks).

Source: AWS documentation, "Amazon ECS task definition parameters for Fargate" -> Task size
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
CPU is in CPU units (1024 = 1 vCPU), memory in MiB.
"""

from __future__ import annotations

import math


def _steps(start: int, stop: int, step: int) -> tuple[int, ...]:
    return tuple(range(start, stop + 1, step))


#: cpu units -> the memory sizes (MiB) Fargate accepts with it, ascending.
FARGATE_CPU_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}

#: The size Dockyard uses when nothing asks for more: the smallest Fargate task.
DEFAULT_FARGATE_SIZE = (256, 512)


def is_valid_fargate_size(cpu: int, memory: int) -> bool:
    """True when (cpu units, memory MiB) is a pair Fargate accepts."""
    return memory in FARGATE_CPU_MEMORY.get(cpu, ())


def describe_fargate_sizes() -> str:
    """The table as one line for error messages."""
    parts = []
    for cpu, mems in FARGATE_CPU_MEMORY.items():
        if len(mems) <= 3:
            parts.append(f"{cpu}: {', '.join(map(str, mems))}")
        else:
            parts.append(f"{cpu}: {mems[0]}-{mems[-1]} by {mems[1] - mems[0]}")
    return "cpu: memory (MiB) = " + "; ".join(parts)


def smallest_fargate_size(cpu_units: float, memory_mib: float) -> tuple[int, int] | None:
    """The cheapest valid (cpu, memory) with cpu >= cpu_units and memory >= memory_mib.

    Candidates are ordered by cpu then memory, so the first fit is the smallest size that holds
    both requests. None when the request exceeds the largest Fargate task.
    """
    want_cpu = math.ceil(cpu_units - 1e-9)
    want_mem = math.ceil(memory_mib - 1e-9)
    for cpu, mems in FARGATE_CPU_MEMORY.items():
        if cpu < want_cpu:
            continue
        for mem in mems:
            if mem >= want_mem:
                return cpu, mem
    return None
