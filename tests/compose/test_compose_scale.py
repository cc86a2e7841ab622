"""Compose cost grows linearly with the file (issue 12: 10,000 services, a port range 1-65535).

Bounded by size, never by time: the number of Python function calls the loader and the three
converters make is counted for a file and for one four times its size; linear work gives four
times the calls, anything quadratic some sixteen. Timings live in benchmarks/compose_scaling.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from components.compose import load_compose, to_ecs, to_kubernetes, to_swarm


def _services(n: int) -> str:
    return "services:\n" + "".join(
        f"  s{i}:\n    image: nginx:1.27\n    ports:\n      - \"{10000 + i}:80\"\n" for i in range(n))


def _port_range(n: int) -> str:
    return f'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "20000-{20000 + n - 1}:20000-{20000 + n - 1}"\n'


def _calls(path: Path) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        project = load_compose(path, environ={})
        to_kubernetes(project)
        to_swarm(project, stack="s")
        to_ecs(project)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("make,small", [(_services, 100), (_port_range, 1000)], ids=["services", "port-range"])
def test_cost_is_linear_in_the_size_of_the_compose_file(tmp_path, make, small):
    sizes = {}
    for n in (small, 4 * small):
        path = tmp_path / f"{n}.yml"
        path.write_text(make(n))
        sizes[n] = _calls(path)
    assert sizes[4 * small] < 4.6 * sizes[small], sizes


def test_ten_thousand_services_convert(tmp_path):
    path = tmp_path / "docker-compose.yml"
    path.write_text(_services(10_000))
    project = load_compose(path, environ={})
    assert len(project.services) == 10_000
    assert len(to_kubernetes(project).objects) == 20_000  # a Deployment and a Service each
    assert len(to_swarm(project, stack="s").services) == 10_000


def test_the_whole_port_range_converts(tmp_path):
    path = tmp_path / "docker-compose.yml"
    path.write_text('services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "1-65535:1-65535"\n')
    project = load_compose(path, environ={})
    assert len(project.services["web"].ports) == 65535
    spec = to_swarm(project, stack="s").services["web"]
    assert len(spec["endpoint_spec"]["ports"]) == 65535
