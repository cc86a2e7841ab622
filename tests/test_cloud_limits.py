"""Create-time rules a cloud enforces on what the user can reach (issue 10), refused by config
validation before anything is declared: one line naming the config key, exit status 2.

Expected facts are the clouds' (cited in components/cloud_limits.py), not the code's: DigitalOcean
NYC2/AMS2/SFO1 accept no new Droplets; Compute Engine's T2A series is offered in us-central1-a/b/f,
europe-west4-a/b and asia-southeast1-b/c only; instance names are unique in a zone; an Azure
network security group holds one rule of each name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from components import config
from components.errors import ConfigError
from dockyard import cli

ROOT = Path(__file__).resolve().parent.parent
GCP = {"gcp:project": "p", "gcp:region": "europe-west1"}


def _refused(raw: dict, providers: dict, stack: str = "dev") -> ConfigError:
    with pytest.raises(ConfigError) as err:
        config.validate(raw, providers, project_dir=ROOT, stack=stack)
    return err.value


@pytest.mark.parametrize("region", ["nyc2", "ams2", "sfo1"])
def test_a_digitalocean_region_closed_to_new_droplets(region):
    err = _refused({"hosts": [{"name": "web", "cloud": "digitalocean", "region": region}]}, {})
    assert err.where == "dockyard:hosts[0].region"


def test_a_closed_digitalocean_region_for_a_swarm_or_doks():
    assert _refused({"swarm": {"cloud": "digitalocean", "region": "sfo1"}}, {}).where == "dockyard:swarm.region"
    assert _refused({"kubernetes": {"cluster": "doks", "region": "nyc2"}}, {}).where == "dockyard:kubernetes.region"


def test_an_open_digitalocean_region_passes():
    config.validate({"hosts": [{"name": "web", "cloud": "digitalocean", "region": "sfo3"}]}, {}, ROOT, stack="dev")


@pytest.mark.parametrize("region,offered", [("europe-west1", False), ("us-east1", False),
                                            ("us-central1", True), ("europe-west4", True)])
def test_a_gce_series_offered_in_some_zones_only(region, offered):
    raw = {"hosts": [{"name": "arm", "cloud": "gcp", "size": "t2a-standard-1"}]}
    providers = {**GCP, "gcp:region": region}
    if offered:
        config.validate(raw, providers, ROOT, stack="dev")
    else:
        err = _refused(raw, providers)
        assert err.where == "dockyard:hosts[0].size" and f"{region}-b" in err.message


def test_a_gke_node_size_not_offered_in_the_clusters_zone():
    err = _refused({"kubernetes": {"cluster": "gke", "region": "europe-west1-b", "nodeSize": "t2a-standard-2"}}, GCP)
    assert err.where == "dockyard:kubernetes.nodeSize"


def test_gce_instance_names_are_unique_in_a_zone_across_hosts_and_swarm_nodes():
    raw = {"hosts": [{"name": "dev-worker-1", "cloud": "gcp"}], "swarm": {"cloud": "gcp", "workers": 1}}
    err = _refused(raw, GCP, stack="dev")
    assert err.where == "dockyard:hosts[0].name" and "worker-1" in err.message
    # Another zone is another scope.
    config.validate({**raw, "hosts": [{"name": "dev-worker-1", "cloud": "gcp", "region": "europe-west4"}]},
                    GCP, ROOT, stack="dev")


def test_ssh_on_the_docker_api_port_is_refused():
    err = _refused({"hosts": [{"name": "web", "cloud": "azure", "sshPort": 2376}]}, {"azure-native:location": "westeurope"})
    assert err.where == "dockyard:hosts[0].sshPort"


def test_a_cloud_swarm_publishing_the_nodes_ssh_port_is_refused(tmp_path):
    compose = tmp_path / "ssh.yml"
    compose.write_text("services:\n  git:\n    image: gitea/gitea:1.22\n    ports:\n      - \"22:22\"\n")
    raw = {"swarm": {"cloud": "azure", "stacks": [{"name": "git", "compose": str(compose)}]},
           "allowFilesOutsideProject": [str(tmp_path)]}  # the compose file is in tmp_path
    err = _refused(raw, {"azure-native:location": "westeurope"})
    assert err.where == "dockyard:swarm.stacks[0].compose" and "22/tcp" in err.message


def test_the_cli_prints_one_line_and_exits_2(capsys):
    code = cli.main(["preview", "do-dev", "-C", str(ROOT), "--set", "hosts[0].region=sfo1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: dockyard:hosts[0].region: ")


AWS = {"aws:region": "us-east-1"}
AZURE = {"azure-native:location": "westeurope"}


@pytest.mark.parametrize("cloud,providers,tags,where", [
    ("aws", AWS, {"aws:team": "ops"}, 'dockyard:hosts[0].tags["aws:team"]'),
    ("aws", AWS, {"team": "x" * 257}, "dockyard:hosts[0].tags.team"),
    ("aws", AWS, {"k" * 129: "v"}, f"dockyard:hosts[0].tags.{'k' * 129}"),
    ("aws", AWS, {f"t{n}": "v" for n in range(49)}, "dockyard:hosts[0].tags"),  # + Name, dockyard-host
    ("azure", AZURE, {"cost/center": "42"}, 'dockyard:hosts[0].tags["cost/center"]'),
    ("azure", AZURE, {"team": "x" * 257}, "dockyard:hosts[0].tags.team"),
])
def test_tags_a_cloud_refuses(cloud, providers, tags, where):
    err = _refused({"hosts": [{"name": "web", "cloud": cloud, "tags": tags}]}, providers)
    assert err.where == where


def test_tags_a_cloud_accepts():
    config.validate({"hosts": [{"name": "web", "cloud": "aws", "tags": {f"t{n}": "v" * 256 for n in range(48)}}]},
                    AWS, ROOT, stack="dev")
    config.validate({"hosts": [{"name": "web", "cloud": "azure", "tags": {"cost-center": "42"}}]},
                    AZURE, ROOT, stack="dev")
