"""dockyard.testing and its pytest plugin: the API users test their own stacks with (docs/testing.md).

Expected values come from the stack files and the programs written here (aws-dev's 3 managers are
in stacks/Pulumi.aws-dev.yaml), not from the code under test; the preview JSON is compared with
the real CLI's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pulumi
import pulumi_tls as tls
import pytest

from dockyard import stackfile, testing

ROOT = Path(__file__).resolve().parent.parent
STACKS = stackfile.list_stacks(ROOT)
HOST = "dockyard:index:DockerHost"


def _env() -> dict[str, str]:
    # Subprocesses import the checkout under test, whatever the venv has installed.
    return {**os.environ, "PYTHONPATH": str(ROOT)}


# --- the result is the preview ---------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_previews():
    """`python -m dockyard preview STACK --json` of every shipped stack, each in a fresh process,
    all started at once (they run while the API's runs do)."""
    procs = {s: subprocess.Popen([sys.executable, "-m", "dockyard", "preview", s, "--json"], cwd=ROOT, env=_env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in STACKS}
    yield procs
    for p in procs.values():
        p.kill()
        p.communicate()


@pytest.mark.parametrize("stack", STACKS)
def test_result_json_is_byte_for_byte_the_preview_json(stack, dockyard_stack, cli_previews):
    api = dockyard_stack(stack).to_json()  # in this long-lived process, after other runs
    out, err = cli_previews[stack].communicate(timeout=600)
    assert cli_previews[stack].returncode == 0, err
    assert api == out


def test_project_dir_is_the_nearest_pulumi_yaml(dockyard_project_dir, tmp_path):
    assert dockyard_project_dir == ROOT
    assert testing.find_project_dir(ROOT / "components" / "hosts") == ROOT
    with pytest.raises(FileNotFoundError, match="Pulumi.yaml"):
        testing.find_project_dir(tmp_path)


# --- finding resources -----------------------------------------------------------------------


def test_find_by_type_name_pattern_and_component(dockyard_stack):
    aws = dockyard_stack("aws-dev")
    # stacks/Pulumi.aws-dev.yaml: one host (docker-aws), a swarm of 3 managers and 5 workers.
    assert [h.name for h in aws.find(HOST, name="docker-aws")] == ["docker-aws"]
    assert len(aws.find(HOST, name="*-manager-*")) == 3
    assert len(aws.find(HOST, within="swarm")) == 8
    swarm_instances = aws.find("aws:ec2/instance:Instance", within="swarm")
    assert len(swarm_instances) == 8
    assert len(aws.find("aws:ec2/instance:*")) == 9
    # within is transitive: the instance's parent is the DockerHost, whose parent is in the swarm.
    instance = swarm_instances[0]
    host = aws.parent(instance)
    assert host.type == HOST and instance in aws.children(host)
    assert aws.find(within=host) and all(aws.parent(r) is not None for r in aws.find(within=host))


def test_get_names_what_there_is_when_not_exactly_one(dockyard_stack):
    aws = dockyard_stack("aws-dev")
    with pytest.raises(LookupError, match=r"found 9: .*docker-aws.*swarm-manager-1"):
        aws.get("aws:ec2/instance:Instance")
    with pytest.raises(LookupError, match="found 0"):
        aws.get(HOST, name="no-such-host")
    assert aws.get(HOST, name="docker-aws").custom is False


def test_stack_outputs_and_their_secrets(dockyard_stack):
    aws = dockyard_stack("aws-dev")
    assert aws.outputs["swarm"]["managers"] == 3
    assert aws.is_secret("kubeconfig") and aws.is_secret("swarm.clientKeyPem")
    assert not aws.is_secret("swarm.caCertPem") and not aws.is_secret("hosts")
    # Revealed for assertions: the secret's plain value is there.
    assert aws.outputs["kubeconfig"] and aws.outputs["kubeconfig"] != "[secret]"
    assert '"kubeconfig": "[secret]"' in aws.to_json()


def test_each_call_gets_its_own_copy(dockyard_stack):
    first = dockyard_stack("local")
    first.outputs.clear()
    assert dockyard_stack("local").outputs


# --- config: overrides, mappings, errors ------------------------------------------------------


def test_set_overrides_as_strings_or_mapping(dockyard_stack):
    as_strings = dockyard_stack("local", set=["swarm.workers=4"])
    as_mapping = dockyard_stack("local", set={"swarm.workers": 4})
    assert len(as_strings.find("*", name="*worker-4*")) > 0
    assert as_strings.to_json() == as_mapping.to_json()
    assert not dockyard_stack("local").find("*", name="*worker-4*")


def test_a_config_mapping_instead_of_the_stack_file(dockyard_stack):
    result = dockyard_stack("mine", config={
        "dockyard:adminCidrs": ["198.51.100.0/24"],
        "aws:region": "us-west-2",
        "hosts": [{"name": "builder", "cloud": "aws", "size": "t3.small"}],  # the project's namespace
    })
    assert result.stack == "mine"
    (instance,) = result.find("aws:ec2/instance:Instance")
    assert instance.inputs["instanceType"] == "t3.small"
    assert result.outputs["hosts"]["builder"]["size"] == "t3.small"


def test_invalid_config_is_the_one_line_error(dockyard_stack):
    with pytest.raises(testing.InvalidInput, match=r"^dockyard:swarm\.managers: must be odd"):
        dockyard_stack("aws-dev", set=["swarm.managers=2"])
    with pytest.raises(testing.InvalidInput, match="no such stack 'nope'"):
        dockyard_stack("nope")


# --- guardrails ------------------------------------------------------------------------------


def test_guardrails_pass_on_a_shipped_stack(dockyard_stack):
    assert testing.check_guardrails(dockyard_stack("aws-dev")) == []
    testing.assert_guardrails_pass(dockyard_stack("aws-dev"))


def _open_docker_api():
    import pulumi_aws as aws

    aws.ec2.SecurityGroup("debug", ingress=[aws.ec2.SecurityGroupIngressArgs(
        protocol="tcp", from_port=2376, to_port=2376, cidr_blocks=["0.0.0.0/0"])])


def test_guardrails_name_what_a_program_gets_wrong(dockyard_program):
    result = dockyard_program(_open_docker_api, config={"aws:region": "us-east-1"})
    violations = testing.check_guardrails(result)
    assert violations and all(v.urn.endswith("::debug") for v in violations)
    assert any("2376" in v.message for v in violations)
    with pytest.raises(AssertionError) as failed:
        testing.assert_guardrails_pass(result)
    assert str(failed.value).splitlines()[1:] == ["  " + v.line() for v in violations]


# --- your own programs and resource types -----------------------------------------------------


class Record(pulumi.CustomResource):
    """A resource type of a provider Dockyard knows nothing about."""

    def __init__(self, name, value, opts=None):
        super().__init__("acme:dns:Record", name, {"value": value, "fqdn": None}, opts)


class Site(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("acme:index:Site", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.key = tls.PrivateKey(f"{name}-key", algorithm="ED25519", opts=child)
        self.record = Record(f"{name}-dns", "203.0.113.10", opts=child)
        self.register_outputs({"privateKey": self.key.private_key_pem, "fqdn": self.record.fqdn})


def _site_program():
    site = Site("shop")
    pulumi.export("fqdn", site.record.fqdn)
    pulumi.export("key", site.key.private_key_pem)


def test_own_types_echo_by_default(dockyard_program):
    result = dockyard_program(_site_program)
    record = result.get("acme:dns:Record")
    assert record.outputs["value"] == "203.0.113.10"  # echoed
    site = result.get("acme:index:Site", name="shop")
    assert result.find(within=site) == [result.get("tls:index/privateKey:PrivateKey"), record]
    assert site.is_secret("privateKey") and not site.is_secret("fqdn")
    assert result.is_secret("key")


def test_strict_makes_an_unmocked_type_an_error(dockyard_program):
    with pytest.raises(Exception, match="acme:dns:Record"):
        dockyard_program(_site_program, strict=True)


def test_own_mocks_compute_outputs(dockyard_program):
    seen = []

    def record(request: testing.MockRequest):
        seen.append((request.type, request.name, request.inputs["value"], request.region))
        return {"fqdn": f"{request.name}.example.com"}

    result = dockyard_program(_site_program, mocks={"acme:dns:Record": record}, config={"aws:region": "eu-west-1"})
    assert seen == [("acme:dns:Record", "shop-dns", "203.0.113.10", "eu-west-1")]
    assert result.outputs["fqdn"] == "shop-dns.example.com"
    assert result.get("acme:dns:Record").outputs["value"] == "203.0.113.10"  # the rest still echoes


def test_own_invoke_mocks(dockyard_program):
    def program():
        got = pulumi.runtime.invoke("acme:index:getZone", {"name": "example.com"}).value
        pulumi.export("zone", got["id"])

    result = dockyard_program(program, invokes={"acme:index:getZone": lambda args: {"id": "Z-" + args["name"]}})
    assert result.outputs["zone"] == "Z-example.com"


def test_lifecycle_options_are_exposed(dockyard_program):
    def program():
        first = Record("first", "a")
        Record("second", "b", opts=pulumi.ResourceOptions(
            protect=True, delete_before_replace=True, retain_on_delete=True, ignore_changes=["value"],
            replace_on_changes=["fqdn"], depends_on=[first], aliases=[pulumi.Alias(name="old-second")]))

    result = dockyard_program(program)
    first, second = result.get(name="first"), result.get(name="second")
    assert first.lifecycle == testing.Lifecycle()
    life = second.lifecycle
    assert (life.protect, life.delete_before_replace, life.retain_on_delete) == (True, True, True)
    assert life.ignore_changes == ("value",) and life.replace_on_changes == ("fqdn",)
    assert life.depends_on == (first.urn,)
    assert life.aliases == (second.urn.replace("::second", "::old-second"),)


# --- a user's failing test reads well ---------------------------------------------------------


def test_a_wrong_user_assertion_fails_readably(tmp_path):
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        def test_aws_dev_has_two_managers(dockyard_stack):
            aws = dockyard_stack("aws-dev")
            assert len(aws.find("dockyard:index:DockerHost", name="*-manager-*")) == 2
    """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "dockyard.pytest_plugin", "-p", "no:cacheprovider",
                          "-o", f"dockyard_project={ROOT}", "test_user.py"],
                         cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "assert 3 == 2" in run.stdout
    assert "<Resource dockyard:index:DockerHost 'swarm-manager-1'>" in run.stdout
    assert "Traceback" not in run.stdout and len(run.stdout.splitlines()) < 60, run.stdout


def test_the_example_project_passes():
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "dockyard.pytest_plugin", "-p", "no:cacheprovider"],
                         cwd=ROOT / "examples", env=_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
