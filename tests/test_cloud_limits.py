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


# --- sizes offered per region on AWS and Azure, AWS availability zones (tables of 2026-12-03) --------
# Expected facts: T2 is not offered in eu-north-1 (Stockholm); Azure retired the Basic/Standard
# A-series (2024-08-31), the NV-series (2023-09-06) and NC6s/12s/24s_v3 (2025-09-30); ca-central-1's
# zones are a, b and d; us-east-1 has six zones (a-f), eu-west-1 three; us-west-1 and
# ap-northeast-1 have a zone "b" for older accounts only.

STOCKHOLM = {"aws:region": "eu-north-1"}


@pytest.mark.parametrize("raw,where", [
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "t2.micro"}]}, "dockyard:hosts[0].size"),
    ({"swarm": {"cloud": "aws", "size": "t2.small"}}, "dockyard:swarm.size"),
    ({"kubernetes": {"cluster": "eks", "nodeSize": "t2.large"}}, "dockyard:kubernetes.nodeSize"),
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "t2.micro", "region": "eu-north-1b"}]}, "dockyard:hosts[0].size"),
])
def test_an_aws_family_not_offered_in_the_region(raw, where):
    err = _refused(raw, STOCKHOLM)
    assert err.where == where and "eu-north-1" in err.message


def test_aws_sizes_the_table_does_not_refuse():
    config.validate({"hosts": [{"name": "web", "cloud": "aws", "size": "t3.micro"}]}, STOCKHOLM, ROOT, stack="dev")
    config.validate({"hosts": [{"name": "web", "cloud": "aws", "size": "t2.micro"}]}, AWS, ROOT, stack="dev")
    # A region the table does not know is the cloud's to judge.
    config.validate({"hosts": [{"name": "web", "cloud": "aws", "size": "t2.micro"}]},
                    {"aws:region": "xx-new-1"}, ROOT, stack="dev")


# Expected facts from DescribeInstanceTypeOfferings as recorded in getmoto/moto@c6bd43ff
# (moto/ec2/resources/instance_type_offerings, 2026-08-01): ca-west-1 offers no m7i, eu-north-1 no
# t3a, ap-northeast-2 no m6a; use1-az3 (us-east-1e here) offers no m7i and usw2-az4 (us-west-2d)
# no t2, while us-east-1a, us-west-2a, ca-central-1 and eu-west-1 offer them.
@pytest.mark.parametrize("raw,region,where", [
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "m7i.large"}]}, "ca-west-1", "dockyard:hosts[0].size"),
    ({"swarm": {"cloud": "aws", "size": "t3a.small"}}, "eu-north-1", "dockyard:swarm.size"),
    ({"kubernetes": {"cluster": "eks", "nodeSize": "m6a.large"}}, "ap-northeast-2", "dockyard:kubernetes.nodeSize"),
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "m7i.large", "region": "us-east-1e"}]}, "us-east-1",
     "dockyard:hosts[0].size"),
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "t2.micro", "region": "us-west-2d"}]}, "us-west-2",
     "dockyard:hosts[0].size"),
])
def test_an_aws_type_the_recorded_offerings_lack(raw, region, where):
    err = _refused(raw, {"aws:region": region})
    size = next(iter(raw.values()))
    size = size[0]["size"] if isinstance(size, list) else size.get("size") or size.get("nodeSize")
    assert err.where == where and size in err.message and "2026-08-01" in err.message


@pytest.mark.parametrize("raw,region", [
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "m7i.large"}]}, "ca-central-1"),
    ({"swarm": {"cloud": "aws", "size": "t3a.small"}}, "eu-west-1"),
    ({"kubernetes": {"cluster": "eks", "nodeSize": "m6a.large"}}, "us-east-2"),
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "m7i.large", "region": "us-east-1a"}]}, "us-east-1"),
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "t2.micro", "region": "us-west-2a"}]}, "us-west-2"),
    # A type the recording never saw (newer, or misspelt) is the cloud's to judge.
    ({"hosts": [{"name": "web", "cloud": "aws", "size": "m99.large"}]}, "ca-west-1"),
])
def test_an_aws_type_the_recorded_offerings_have(raw, region):
    config.validate(raw, {"aws:region": region}, ROOT, stack="dev")


def test_the_cli_refuses_an_aws_host_type_the_region_lacks(capsys):
    code = cli.main(["preview", "aws-dev", "-C", str(ROOT), "--set", "hosts[0].size=m7i.large",
                     "--set", "hosts[0].region=ca-west-1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: dockyard:hosts[0].size:") and "ca-west-1" in err


@pytest.mark.parametrize("generator,table", [
    ("aws_instance_offerings", "aws_instance_offerings.txt"),
    ("azure_vm_prices", "azure_vm_sizes.csv"),
])
def test_a_size_table_is_what_its_generator_writes_from_the_mirror(generator, table):
    """The committed tables are regenerated, never hand-edited (skipped where the mirror is absent, as in CI)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(generator, ROOT / "tools" / f"{generator}.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    if not Path(gen.MIRROR).is_dir():
        pytest.skip(f"no local mirror of {gen.REPO} at {gen.MIRROR}")
    assert gen.render() == (ROOT / "components" / table).read_text(encoding="utf-8")


@pytest.mark.parametrize("raw,where", [
    ({"hosts": [{"name": "web", "cloud": "azure", "size": "Basic_A1"}]}, "dockyard:hosts[0].size"),
    ({"hosts": [{"name": "web", "cloud": "azure", "size": "Standard_A2"}]}, "dockyard:hosts[0].size"),
    ({"swarm": {"cloud": "azure", "size": "Standard_NV6"}}, "dockyard:swarm.size"),
    ({"kubernetes": {"cluster": "aks", "nodeSize": "Standard_NC6s_v3"}}, "dockyard:kubernetes.nodeSize"),
])
def test_an_azure_size_no_region_offers(raw, where):
    err = _refused(raw, AZURE)
    assert err.where == where and "retired" in err.message


def test_azure_sizes_still_offered_pass():
    for size in ("Standard_A2_v2", "Standard_B2s", "Standard_NV12s_v3", "Standard_NC6s_v2"):
        config.validate({"hosts": [{"name": "web", "cloud": "azure", "size": size}]}, AZURE, ROOT, stack="dev")


# Expected facts (Azure/karpenter-provider-azure@352646f5 pkg/providers/pricing/zz_generated.pricing.go,
# generated 2026-06-18 from the Azure Retail Prices API): chilecentral has no Linux pay-as-you-go price
# for Standard_D2s_v3 (westeurope does: 0.12/hour); Standard_DS2_v2 has none there either, but it is one
# of the sizes that exist without a price (skus_missing_price.go at 84e2933b^), so it is not refused.
CHILE = {"azure-native:location": "chilecentral"}


@pytest.mark.parametrize("raw,where", [
    ({"hosts": [{"name": "web", "cloud": "azure", "size": "Standard_D2s_v3"}]}, "dockyard:hosts[0].size"),
    ({"swarm": {"cloud": "azure", "size": "Standard_D2s_v3"}}, "dockyard:swarm.size"),
    ({"kubernetes": {"cluster": "aks", "nodeSize": "Standard_D2s_v3"}}, "dockyard:kubernetes.nodeSize"),
])
def test_an_azure_size_not_offered_in_the_region(raw, where):
    err = _refused(raw, CHILE)
    assert err.where == where and "chilecentral" in err.message and "2026-06-18" in err.message
    assert "westeurope" in err.message or "more" in err.message  # names regions that do offer it


def test_azure_sizes_the_region_table_does_not_refuse():
    for size in ("Standard_DS2_v2", "Standard_B2s", "Standard_D2as_v5", "Standard_NV12s_v3"):
        config.validate({"hosts": [{"name": "web", "cloud": "azure", "size": size}]}, CHILE, ROOT, stack="dev")
    # A region the table does not know is Azure's to judge.
    config.validate({"hosts": [{"name": "web", "cloud": "azure", "size": "Standard_D2s_v3"}]},
                    {"azure-native:location": "newlandcentral"}, ROOT, stack="dev")


def test_the_cli_refuses_an_aks_node_size_the_region_lacks(capsys):
    code = cli.main(["preview", "azure-dev", "-C", str(ROOT), "--set", "kubernetes.region=chilecentral"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: dockyard:kubernetes.nodeSize:") and "Standard_D2s_v3" in err


@pytest.mark.parametrize("zone", ["us-east-1g", "ca-central-1c", "eu-west-1d", "ap-northeast-1e"])
def test_an_aws_host_in_a_zone_that_does_not_exist(zone):
    err = _refused({"hosts": [{"name": "web", "cloud": "aws", "region": zone}]}, AWS)
    assert err.where == "dockyard:hosts[0].region" and zone in err.message


@pytest.mark.parametrize("zone", ["us-east-1f", "ca-central-1d", "us-west-1b", "ap-northeast-1d", "xx-new-1z"])
def test_an_aws_host_in_a_zone_that_exists_or_is_unknown(zone):
    config.validate({"hosts": [{"name": "web", "cloud": "aws", "region": zone}]}, AWS, ROOT, stack="dev")


def test_a_swarm_or_eks_cluster_given_an_aws_zone_for_a_region():
    assert _refused({"swarm": {"cloud": "aws", "region": "us-east-1a"}}, AWS).where == "dockyard:swarm.region"
    err = _refused({"kubernetes": {"cluster": "eks", "region": "eu-west-1b"}}, AWS)
    assert err.where == "dockyard:kubernetes.region" and "'eu-west-1'" in err.message


def test_the_cli_refuses_a_missing_zone_naming_the_key(capsys):
    code = cli.main(["preview", "aws-dev", "-C", str(ROOT), "--set", "hosts[0].region=us-east-1g"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: dockyard:hosts[0].region: ")
