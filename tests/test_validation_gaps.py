"""Hostile input, validation gaps (issue 12): each value here was accepted (or crashed) before.

Every case runs the real program through `dockyard preview` (or `dockyard convert`) in a scratch
project and expects what the README promises for a bad input: exit 2 and exactly one line
``error: <key path or file:line>: ...`` naming the key. Expected facts come from Docker, the
clouds and Kubernetes (cited in components/cloud_limits.py, components/config.py and
components/compose/units.py), not from the code's output.
"""

from __future__ import annotations

import json

import pytest

from dockyard import cli
from tests.test_config import ROOT, _preview, _project

DO_HOST = ["hosts[0].name=web", "hosts[0].cloud=digitalocean"]
AZURE_HOST = ["hosts[0].name=web", "hosts[0].cloud=azure", "azure-native:location=westeurope"]
CLUSTER = "cluster.yml"  # a copy of the book's cluster app: publishes 80/tcp through the routing mesh


def _swarm_project(path):
    """A scratch project holding its own copy of the cluster app (compose files are read from the project only)."""
    project = _project(path)
    (project / CLUSTER).write_text((ROOT / "apps/cluster/docker-compose.yml").read_text())
    return project


def _one_error(code: int, err: str, where: str) -> str:
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {where}: "), lines[0]
    assert "Traceback" not in err
    return lines[0]


# --- regexes match the whole value: `$` also matched before a trailing newline -------------------

NEWLINE_CASES = [
    ("host-name", DO_HOST[1:] + ['hosts[0].name="web\\n"'], "dockyard:hosts[0].name"),
    ("ssh-user", DO_HOST + ['hosts[0].sshUser="ops\\n"'], "dockyard:hosts[0].sshUser"),
    ("secret-env-name", ["containers[0].name=app", "containers[0].platform=fargate", "containers[0].image=nginx",
                         "aws:region=us-east-1", 'containers[0].secretEnv[0]="DB\\n"'],
     "dockyard:containers[0].secretEnv"),
    ("subnet-id", ["containers[0].name=app", "containers[0].platform=fargate", "containers[0].image=nginx",
                   "aws:region=us-east-1", "containers[0].vpcId=vpc-0123abcd",
                   'containers[0].subnetIds[0]="subnet-0123abcd\\n"', "containers[0].subnetIds[1]=subnet-4567abcd"],
     "dockyard:containers[0].subnetIds[0]"),
    ("eks-admin-arn", ["aws:region=us-east-1", "kubernetes.cluster=eks",
                       'kubernetes.admins[0]="arn:aws:iam::123456789012:role/ops\\n"'],
     "dockyard:kubernetes.admins[0]"),
    ("node-label", ['swarm.nodes.worker-1.labels.zone="a\\n"'], "dockyard:swarm.nodes.worker-1.labels"),
    ("azure-size", AZURE_HOST + ['hosts[0].size="Standard_B2s\\n"'], "dockyard:hosts[0].size"),
]


@pytest.mark.parametrize("sets,where", [c[1:] for c in NEWLINE_CASES], ids=[c[0] for c in NEWLINE_CASES])
def test_a_trailing_newline_is_not_a_valid_value(tmp_path, capsys, sets, where):
    line = _one_error(*_preview(capsys, _project(tmp_path), *sets), where)
    assert "\\n" in line  # the value is shown with repr quoting, on the one line


def test_a_compose_value_with_a_trailing_newline_is_refused(tmp_path, capsys):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text('services:\n  web:\n    image: nginx:1.27\n    extra_hosts:\n      - "db:10.0.0.5\\n"\n')
    code = cli.main(["convert", str(compose)])
    _one_error(code, capsys.readouterr().err, f"{compose}:5")


# --- SSH never on Docker's own ports, nor on an application's -----------------------------------

@pytest.mark.parametrize("port", [2375, 2377, 7946, 4789])
def test_ssh_on_a_docker_or_swarm_port_is_refused(tmp_path, capsys, port):
    # 2375: plain-text Docker API; 2377/tcp, 7946/tcp+udp, 4789/udp: the swarm's own ports.
    line = _one_error(*_preview(capsys, _project(tmp_path), *DO_HOST, f"hosts[0].sshPort={port}"),
                      "dockyard:hosts[0].sshPort")
    assert str(port) in line


def test_ssh_on_a_published_application_port_is_refused(tmp_path, capsys):
    stack = ["swarm.cloud=local", "swarm.stacks[0].name=web", f"swarm.stacks[0].compose={CLUSTER}"]
    line = _one_error(*_preview(capsys, _swarm_project(tmp_path), *DO_HOST, "hosts[0].sshPort=80", *stack),
                      "dockyard:hosts[0].sshPort")
    assert "dockyard:swarm.stacks[0]" in line
    (tmp_path / "other").mkdir()
    code, err = _preview(capsys, _swarm_project(tmp_path / "other"), *DO_HOST, "hosts[0].sshPort=2222", *stack)
    assert code == 0, err


# --- swarm stacks: one name each, one service per published port --------------------------------

def test_duplicate_swarm_stack_names_are_refused(tmp_path, capsys):
    line = _one_error(*_preview(capsys, _swarm_project(tmp_path), "swarm.stacks[0].name=web", f"swarm.stacks[0].compose={CLUSTER}",
                                "swarm.stacks[1].name=web", f"swarm.stacks[1].compose={CLUSTER}"),
                      "dockyard:swarm.stacks[1].name")
    assert "'web'" in line


def test_two_swarm_stacks_publishing_one_ingress_port_are_refused(tmp_path, capsys):
    line = _one_error(*_preview(capsys, _swarm_project(tmp_path), "swarm.stacks[0].name=a", f"swarm.stacks[0].compose={CLUSTER}",
                                "swarm.stacks[1].name=b", f"swarm.stacks[1].compose={CLUSTER}"),
                      "dockyard:swarm.stacks[1].compose")
    assert "80/tcp" in line and "a/cluster" in line
    # 80/udp is another port, and a host-mode port bypasses the routing mesh.
    (tmp_path / "other").mkdir()
    project = _swarm_project(tmp_path / "other")
    (project / "dns.yml").write_text('services:\n  dns:\n    image: coredns/coredns:1.11.3\n    ports:\n'
                                     '      - "80:53/udp"\n      - {target: 8080, published: 80, mode: host}\n')
    code, err = _preview(capsys, project, "swarm.stacks[0].name=a",
                         f"swarm.stacks[0].compose={CLUSTER}", "swarm.stacks[1].name=b", "swarm.stacks[1].compose=dns.yml")
    assert code == 0, err


# --- names a cloud holds once in one scope -------------------------------------------------------

def test_an_azure_host_named_like_a_swarm_node_in_the_same_location_is_refused(tmp_path, capsys):
    # Stack "t": swarm node manager-1 is the VM "t-manager-1"; both public IPs would ask for the
    # DNS label t-manager-1 with scope TenantReuse in westeurope.
    sets = ["hosts[0].name=t-manager-1", "hosts[0].cloud=azure", "azure-native:location=westeurope",
            "swarm.cloud=azure", "swarm.stacks[0].name=web", f"swarm.stacks[0].compose={CLUSTER}"]
    line = _one_error(*_preview(capsys, _swarm_project(tmp_path), *sets), "dockyard:hosts[0].name")
    assert "manager-1" in line and "westeurope" in line
    # Another location is another DNS scope.
    (tmp_path / "other").mkdir()
    code, err = _preview(capsys, _swarm_project(tmp_path / "other"), *sets, "hosts[0].region=northeurope")
    assert code == 0, err


# --- Azure images: a URN, an alias or an image resource id ---------------------------------------

def test_an_unknown_azure_image_is_refused(tmp_path, capsys):
    line = _one_error(*_preview(capsys, _project(tmp_path), *AZURE_HOST, "hosts[0].image=ubuntu"),
                      "dockyard:hosts[0].image")
    assert "'ubuntu'" in line


@pytest.mark.parametrize("image,reference", [
    # `az vm image` alias -> the URN Canonical publishes for Ubuntu 24.04 LTS (Gen2, amd64).
    ("Ubuntu2404", {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}),
    ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/"
     "galleries/shared/images/docker-host/versions/1.2.3",
     {"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/"
            "Microsoft.Compute/galleries/shared/images/docker-host/versions/1.2.3"}),
])
def test_the_azure_image_forms_reach_the_vm(tmp_path, capsys, image, reference):
    code = cli.main(["preview", "t", "-C", str(_project(tmp_path)), "--json",
                     *sum((["--set", s] for s in [*AZURE_HOST, f"hosts[0].image={image}"]), [])])
    out = capsys.readouterr()
    assert code == 0, out.err
    vm = next(r for r in json.loads(out.out)["resources"]
              if r["type"] == "azure-native:compute:VirtualMachine")
    assert vm["inputs"]["storageProfile"]["imageReference"] == reference
    assert "plan" not in vm["inputs"]


# --- provider settings of the wrong type: exit 2 in every mode -----------------------------------

@pytest.mark.parametrize("mode", [[], ["--check"], ["--json"]])
@pytest.mark.parametrize("yaml_text,where", [
    ("aws:region: 5\n  dockyard:hosts:\n    - {name: web, cloud: aws}\n", "aws:region"),
    ("gcp:project: [a, b]\n  gcp:region: europe-west1\n  dockyard:hosts:\n    - {name: web, cloud: gcp}\n",
     "gcp:project"),
    ("azure-native:location: {name: westeurope}\n  dockyard:hosts:\n    - {name: web, cloud: azure}\n",
     "azure-native:location"),
], ids=["aws-region-number", "gcp-project-list", "azure-location-map"])
def test_provider_settings_of_the_wrong_type(tmp_path, capsys, yaml_text, where, mode):
    project = _project(tmp_path, "config:\n  " + yaml_text)
    code = cli.main(["preview", "t", "-C", str(project), *mode])
    _one_error(code, capsys.readouterr().err, where)


# --- Kubernetes int32 fields ---------------------------------------------------------------------

INT32_CASES = [
    ("replicas", "    deploy:\n      replicas: 2147483648\n", 5, "services.web.deploy.replicas"),
    ("probe-period", "    healthcheck:\n      test: [CMD, 'true']\n      interval: 596524h\n", 6,
     "services.web.healthcheck.interval"),  # 596524 h = 2147486400 s
    ("retries", "    healthcheck:\n      test: [CMD, 'true']\n      retries: 3000000000\n", 6,
     "services.web.healthcheck.retries"),
]


@pytest.mark.parametrize("extra,line,path", [c[1:] for c in INT32_CASES], ids=[c[0] for c in INT32_CASES])
def test_kubernetes_int32_fields_do_not_overflow(tmp_path, capsys, extra, line, path):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n" + extra)
    code = cli.main(["convert", str(compose)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {compose}"), err
    assert lines[0].startswith(f"error: {compose}:{line}: {path}: "), err
    # The largest int32 is still a value.
    compose.write_text(compose.read_text().replace("2147483648", "2147483647").replace("596524h", "596523h")
                       .replace("3000000000", "2147483647"))
    assert cli.main(["convert", str(compose)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("value", ["3000000000", "\u00b2"], ids=["over-int32", "unicode-digit"])
def test_a_kompose_retries_label_out_of_int32_is_ignored_with_a_warning(tmp_path, capsys, value):
    """kompose labels that Dockyard cannot apply are warnings (as kompose does), never a crash or an overflow."""
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n    labels:\n"
                       f"      kompose.service.healthcheck.liveness.retries: '{value}'\n"
                       "      kompose.service.healthcheck.liveness.tcp_port: '80'\n")
    code = cli.main(["convert", str(compose)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.err.startswith("warning: services.web.labels.kompose.service.healthcheck.liveness.retries: ")
    assert "failureThreshold: 3\n" in out.out  # Docker's default retries, as without the label
