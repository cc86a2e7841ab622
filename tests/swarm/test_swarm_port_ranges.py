"""A compose port range reaches a cloud's firewall as one range, not one rule per port (issue 12).

A service publishing "30000-30999" used to give every node's firewall 1000 rules: the preview's
cost grew with the width of the range, and the clouds refuse that many (AWS: 60 inbound rules per
security group, "Amazon VPC quotas", read 2026-12-03). Every firewall Dockyard writes takes a
port range (AWS fromPort/toPort, Azure destinationPortRange "30000-30999", GCP ports
["30000-30999"], DigitalOcean port_range), so consecutive published ports make one rule.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from components import config as C
from components.swarm import SwarmCluster, SwarmClusterArgs
from components.swarm.cloud import published_rules

ROOT = Path(__file__).resolve().parents[2]


def test_consecutive_ports_make_one_rule_per_protocol():
    ports = [(p, "tcp") for p in range(30000, 31000)] + [(53, "tcp"), (53, "udp"), (54, "udp"), (80, "tcp")]
    rules = published_rules(sorted(ports), ["0.0.0.0/0"])
    assert [(r.protocol, r.ports) for r in rules] == [
        ("tcp", "53"), ("udp", "53-54"), ("tcp", "80"), ("tcp", "30000-30999")]


CLOUDS = {
    "aws": {"aws:region": "us-east-1"},
    "azure": {"azure-native:location": "westeurope"},
    "gcp": {"gcp:project": "dockyard-test", "gcp:region": "europe-west1"},
    "digitalocean": {},
}


def _declared_size(mock_engine, tmp_path: Path, cloud: str, width: int) -> int:
    """How much the swarm declares in the cloud (the length of those resources' inputs) for a range of ``width`` ports."""
    providers = CLOUDS[cloud]
    compose = tmp_path / f"range{width}.yml"
    last = 30000 + width - 1
    compose.write_text(textwrap.dedent(f"""\
        services:
          game:
            image: nginx:1.27
            ports:
              - "30000-{last}:30000-{last}"
        """))
    raw = {"swarm": {"cloud": cloud, "managers": 1, "workers": 1,
                     "stacks": [{"name": "game", "compose": str(compose)}]},
           "adminCidrs": ["198.51.100.0/24"], "allowFilesOutsideProject": [str(tmp_path)]}
    cfg = C.validate(raw, providers, project_dir=ROOT, stack="test")
    result = mock_engine.run(lambda: SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, "test", project_dir=ROOT)),
                             stack="test", config=dict(providers))
    # The swarm service itself lists every port (Docker's endpoint spec has no ranges): the
    # cloud's resources are what is measured.
    return len(repr([r.inputs for r in result.resources if not r.type.startswith("docker:")]))


@pytest.mark.parametrize("cloud", list(CLOUDS))
def test_a_wide_port_range_costs_what_a_narrow_one_does(mock_engine, tmp_path, cloud):
    # Bounded by size, not by time: 100 ports declare what 2 ports do, give or take the width
    # of the numbers; one rule per port would declare some 50 times more firewall rules.
    narrow = _declared_size(mock_engine, tmp_path, cloud, 2)
    wide = _declared_size(mock_engine, tmp_path, cloud, 100)
    assert wide < narrow * 1.05, (narrow, wide)


@pytest.mark.parametrize("cloud,most", [("aws", 50), ("azure", 1500)])
def test_a_load_balancer_takes_as_many_ports_as_the_cloud_allows(tmp_path, cloud, most):
    # One listener (NLB: at most 50, "Quotas for your Network Load Balancers") or rule (Azure
    # Standard Load Balancer: at most 1,500) per published port; a range cannot be collapsed there.
    from components.errors import ConfigError

    def raw(width: int) -> dict:
        compose = tmp_path / f"lb{width}.yml"
        compose.write_text(f'services:\n  game:\n    image: nginx:1.27\n    ports:\n'
                           f'      - "30000-{30000 + width - 1}:30000-{30000 + width - 1}"\n')
        return {"swarm": {"cloud": cloud, "loadBalancer": True, "stacks": [{"name": "game", "compose": str(compose)}]},
                "allowFilesOutsideProject": [str(tmp_path)]}

    providers = CLOUDS[cloud]
    C.validate(raw(most), providers, project_dir=ROOT, stack="test")
    with pytest.raises(ConfigError) as err:
        C.validate(raw(most + 1), providers, project_dir=ROOT, stack="test")
    assert err.value.where == "dockyard:swarm.stacks" and str(most) in err.value.message
