"""The stack facts the rules use, built from a stack's config by the program's own model."""

from __future__ import annotations

import textwrap

import pytest

import guardrails
from components.errors import InputError
from tests.conftest import ROOT


@pytest.fixture
def project(tmp_path):
    (tmp_path / "web.yml").write_text(textwrap.dedent("""\
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80", "127.0.0.1:9000:9000/tcp"]
          api:
            image: example/api:1
            ports:
              - target: 5000
                published: 5001
          worker:
            image: example/worker:1
        """))
    (tmp_path / "k8s.yml").write_text(textwrap.dedent("""\
        services:
          front_end:
            image: nginx:1.27
            labels:
              kompose.service.type: LoadBalancer
          admin:
            image: example/admin:1
            ports: ["8081:80"]
            labels:
              kompose.service.type: NodePort
          internal:
            image: example/internal:1
            ports: ["7000:7000"]
          queue:
            image: example/queue:1
        """))
    return tmp_path


def ctx(project, **config):
    return guardrails.from_config({f"dockyard:{k}": v for k, v in config.items()}, project)


def test_admin_cidrs_explicit_or_defaulted(project):
    unset = ctx(project)
    assert unset.admin_cidrs_explicit is False and unset.admin_cidrs == ("0.0.0.0/0",)
    mine = ctx(project, adminCidrs=["198.51.100.0/24"])
    assert mine.admin_cidrs_explicit is True and mine.admin_cidrs == ("198.51.100.0/24",)


def test_ssh_ports_include_every_hosts_ssh_port(project):
    c = guardrails.from_config({"dockyard:hosts": [{"name": "a", "cloud": "digitalocean"},
                                                   {"name": "b", "cloud": "digitalocean", "sshPort": 2222}]}, project)
    assert c.ssh_ports == {22, 2222}


def test_published_ports_come_from_the_swarm_stacks_compose_files(project):
    c = ctx(project, swarm={"cloud": "local", "managers": 1, "workers": 2,
                            "stacks": [{"name": "web", "compose": "web.yml"}]})
    assert c.published_ports == {8080, 9000, 5001}
    assert c.privileged_allowed == {"manager-1", "worker-1", "worker-2"}


def test_cloud_swarms_allow_no_privileged_container(project):
    c = guardrails.from_config({"dockyard:swarm": {"cloud": "digitalocean", "managers": 3, "workers": 1,
                                                   "stacks": [{"name": "web", "compose": "web.yml"}]}}, project)
    assert c.privileged_allowed == frozenset()


def test_public_containers_publish_their_port_and_the_load_balancer_listeners(project):
    config = {"dockyard:containers": [{"name": "app", "platform": "fargate", "image": "nginx:1.27", "port": 8000},
                                      {"name": "private", "platform": "fargate", "image": "nginx:1.27",
                                       "port": 7000, "public": False}],
              "aws:region": "us-east-1"}
    assert guardrails.from_config(config, project).published_ports == {80, 443, 8000}


def test_sock_shop_asks_for_front_end_lb_on_managed_clusters_only(project):
    managed = ctx(project, kubernetes={"cluster": "doks", "apps": ["sock-shop"]})
    assert managed.load_balancers == {("sock-shop", "front-end-lb")}
    local = ctx(project, kubernetes={"cluster": "existing", "context": "docker-desktop", "apps": ["sock-shop"]})
    assert local.load_balancers == frozenset()
    asked = ctx(project, kubernetes={"cluster": "existing", "context": "docker-desktop", "apps": ["sock-shop"],
                                     "sockShop": {"serviceType": "LoadBalancer", "namespace": "shop"}})
    assert asked.load_balancers == {("shop", "front-end-lb")}
    declined = ctx(project, kubernetes={"cluster": "doks", "apps": ["sock-shop"], "sockShop": {"serviceType": "NodePort"}})
    assert declined.load_balancers == frozenset()


def test_doks_api_open_only_when_the_stack_leaves_the_firewall_off(project):
    assert ctx(project, kubernetes={"cluster": "doks"}).doks_api_open is True  # the default: off
    assert ctx(project, kubernetes={"cluster": "doks", "controlPlaneFirewall": True}).doks_api_open is False
    assert ctx(project, kubernetes={"cluster": "existing", "context": "docker-desktop"}).doks_api_open is False
    opened = ctx(project, kubernetes={"cluster": "doks"})
    assert type(opened).from_json(opened.to_json()) == opened  # the policy pack's round trip


def test_compose_apps_ask_by_label_or_by_publishing_ports(project):
    c = ctx(project, kubernetes={"cluster": "doks", "apps": [{"name": "shop", "compose": "k8s.yml"}]})
    # front_end: the label; internal: publishes a port; admin: labelled NodePort; queue: nothing.
    assert c.load_balancers == {("shop", "front-end"), ("shop", "internal")}


def test_invalid_config_is_an_input_error_naming_the_key(project):
    with pytest.raises(InputError) as err:
        ctx(project, swarm={"cloud": "local", "managers": 2})
    assert "dockyard:swarm.managers" in str(err.value)


def test_the_context_of_a_shipped_stack_file():
    """Cloud stacks ship with adminCidrs set: the world is not their admin network."""
    for stack in ("do-dev", "aws-dev", "azure-dev", "gcp-dev"):
        assert guardrails.from_stack_file(stack, ROOT).admin_cidrs_explicit, stack
