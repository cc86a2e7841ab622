"""The shared mock engine: the pitfalls of the stock mocks must not reach our tests or previews."""

import pulumi
import pulumi_tls as tls
import pytest
from pulumi.runtime import mocks as stock_mocks

from dockyard import engine
from dockyard.mocks import registry


class _Widget(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("dockyard:index:Widget", name, None, opts)
        self.key = tls.PrivateKey(f"{name}-key", algorithm="ED25519", opts=pulumi.ResourceOptions(parent=self))
        self.cert = tls.SelfSignedCert(
            f"{name}-cert",
            private_key_pem=self.key.private_key_pem,
            validity_period_hours=24,
            allowed_uses=["cert_signing"],
            subject=tls.SelfSignedCertSubjectArgs(common_name=name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def _program():
    w = _Widget("w")
    pulumi.export("key", w.key.private_key_pem)
    pulumi.export("keyType", w.key.algorithm)


@pytest.fixture
def tls_values(monkeypatch):
    """Computed values for the two tls types used here, independent of other areas' mocks."""
    monkeypatch.setitem(registry.RESOURCES, "tls:index/privateKey:PrivateKey",
                        lambda ctx, i: {"privateKeyPem": "PEM-" + ctx.hex(), "publicKeyOpenssh": "ssh-ed25519 AAAA"})
    monkeypatch.setitem(registry.RESOURCES, "tls:index/selfSignedCert:SelfSignedCert",
                        lambda ctx, i: {"certPem": "CERT-" + ctx.hex()})


def test_additional_secret_outputs_stay_secret(mock_engine, tls_values):
    result = mock_engine.run(_program)
    key = result.get("tls:index/privateKey:PrivateKey", "w-key")
    # pulumi_tls marks the PEM as an additional secret output; the stock mocks drop that.
    assert "privateKeyPem" in key.secret_outputs
    assert isinstance(result.outputs["key"], engine.Secret)
    assert result.outputs["keyType"] == "ED25519"
    # And the value flowing into the certificate's inputs stays secret too.
    cert = result.get("tls:index/selfSignedCert:SelfSignedCert", "w-cert")
    assert isinstance(cert.inputs["privateKeyPem"], engine.Secret)


def test_parent_and_dependencies_are_recorded(mock_engine, tls_values):
    result = mock_engine.run(_program)
    widget = result.get("dockyard:index:Widget", "w")
    key = result.get("tls:index/privateKey:PrivateKey", "w-key")
    cert = result.get("tls:index/selfSignedCert:SelfSignedCert", "w-cert")
    assert key.parent == widget.urn and cert.parent == widget.urn
    assert widget.parent.endswith("pulumi:pulumi:Stack::dockyard-test")
    assert cert.property_dependencies["privateKeyPem"] == [key.urn]
    assert key.urn in cert.dependencies
    assert key.custom and not widget.custom


def test_resources_listed_in_construction_order(mock_engine):
    def many():
        for i in range(30):
            tls.PrivateKey(f"k{i:02d}", algorithm="ED25519")

    names = [r.name for r in mock_engine.run(many).resources[1:]]
    assert names == [f"k{i:02d}" for i in range(30)]


def test_missing_invoke_fails_loudly(mock_engine, tmp_path):
    import pulumi_kubernetes as k8s

    manifest = tmp_path / "ns.yaml"
    manifest.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n")

    def uses_yaml():
        # ConfigFile decodes YAML through an invoke; a mock returning {} would create nothing.
        k8s.yaml.ConfigFile("app", file=str(manifest))

    with pytest.raises(Exception, match="no mock for invoke kubernetes:yaml:decode"):
        mock_engine.run(uses_yaml)


def test_unregistered_invoke_raises_mock_error():
    mocks = engine._Mocks("us-east-1")
    token = "example:index/neverMocked:neverMocked"
    assert token not in registry.INVOKES
    with pytest.raises(engine.MockInvokeMissing, match=token):
        mocks.call(stock_mocks.MockCallArgs(token, {}, ""))


def test_registering_a_type_twice_is_an_error():
    token = "test:index/dup:Dup"
    registry.resource_outputs(token)(lambda ctx, i: {})
    try:
        with pytest.raises(RuntimeError, match="registered twice"):
            registry.resource_outputs(token)(lambda ctx, i: {})
    finally:
        registry.RESOURCES.pop(token, None)


def test_apply_runs_because_engine_is_not_in_preview(mock_engine, apply_guard):
    seen = []

    def program():
        key = tls.PrivateKey("k", algorithm="ED25519")
        apply_guard.check(key.algorithm, lambda v: seen.append(v), "algorithm")

    mock_engine.run(program)
    assert seen == ["ED25519"]


def test_apply_guard_catches_an_apply_skipped_in_preview_mode(apply_guard):
    """The pitfall itself: with the stock mocks in preview mode an unknown output skips apply."""

    class Unknowns(stock_mocks.Mocks):
        def new_resource(self, args):
            return "", {}  # in preview, outputs the mock does not give are unknown

        def call(self, args):
            return {}

    guard = apply_guard
    pulumi.runtime.set_mocks(Unknowns(), preview=True)
    try:
        key = tls.PrivateKey("k", algorithm="ED25519")
        guard.check(key.public_key_openssh, lambda v: None, "unknown")

        @pulumi.runtime.test
        def wait():
            return key.urn.apply(lambda _: None)

        wait()
    finally:
        pulumi.runtime.settings.reset_options()
    assert guard.missing() == ["unknown"]
    guard.pending.clear()  # caught: the fixture's own teardown would fail this test otherwise


def test_mock_values_are_deterministic():
    a = registry.MockContext("x::y")
    b = registry.MockContext("x::y")
    assert a.public_ip() == b.public_ip()
    assert a.public_ip().startswith("203.0.113.")
    assert registry.MockContext("x::z").hex(16) != a.hex(16)


# --- strict mocks (issue 10) ---------------------------------------------------------------------

_THING = "test:index/thing:Thing"


def _things():
    pulumi.CustomResource(_THING, "t", {"size": 3})


def test_an_unmocked_resource_type_fails_loudly(mock_engine):
    assert _THING not in registry.RESOURCES
    with pytest.raises(engine.MockResourceMissing, match=_THING):
        mock_engine.run(_things)


@pytest.mark.parametrize("echo", [{_THING}, lambda t: t.startswith("test:"), True])
def test_a_caller_can_opt_a_type_in_to_an_echoing_mock(mock_engine, echo):
    result = mock_engine.run(_things, echo=echo)
    thing = result.get(_THING, "t")
    assert thing.outputs == {"size": 3} and thing.id


def test_a_run_can_add_its_own_mock(mock_engine):
    result = mock_engine.run(_things, resources={_THING: lambda ctx, inputs: {"id": "thing-1", "ready": True}})
    thing = result.get(_THING, "t")
    assert thing.id == "thing-1" and thing.outputs == {"size": 3, "ready": True}


def test_mock_state_holds_only_what_the_provider_outputs(mock_engine):
    """azure-native returns the ARM resource: resourceGroupName is an input, never an output."""
    import pulumi_azure_native as az

    def program():
        az.resources.ResourceGroup("rg", resource_group_name="dockyard-rg", location="westeurope")

    rg = mock_engine.run(program).get("azure-native:resources:ResourceGroup", "rg")
    assert "resourceGroupName" not in rg.outputs
    assert rg.outputs["name"] == "dockyard-rg" and rg.outputs["location"] == "westeurope"
    assert rg.id == "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/dockyard-rg"


def test_a_mock_returning_what_the_provider_never_outputs_is_an_error(mock_engine):
    def program():
        tls.PrivateKey("k", algorithm="ED25519")

    bogus = {"tls:index/privateKey:PrivateKey": lambda ctx, inputs: {"privateKeyPem": "x", "keyId": "nope"}}
    with pytest.raises(RuntimeError, match="keyId"):
        mock_engine.run(program, resources=bogus)


def test_a_refusal_surfaces_as_the_mocks_own_error(mock_engine):
    import pulumi_aws as aws

    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("outside", vpc_id=vpc.id, cidr_block="10.1.0.0/24")

    with pytest.raises(engine.Refused, match="InvalidSubnet.Range"):
        mock_engine.run(program)


# --- preview mode (issue 10) ----------------------------------------------------------------------


def test_preview_mode_leaves_what_the_provider_computes_unknown(mock_engine):
    seen = {}

    def program():
        key = tls.PrivateKey("k", algorithm="ED25519")
        key.algorithm.apply(lambda v: seen.setdefault("algorithm", v))  # an input: known
        key.public_key_openssh.apply(lambda v: seen.setdefault("public", v))  # computed: unknown
        key.id.apply(lambda v: seen.setdefault("id", v))

    result = mock_engine.run(program, preview=True)
    assert seen == {"algorithm": "ED25519"}
    assert result.get("tls:index/privateKey:PrivateKey", "k").id is None
    seen.clear()
    mock_engine.run(program)
    assert set(seen) == {"algorithm", "public", "id"}


# --- lifecycle options (issue 10) -----------------------------------------------------------------


def test_lifecycle_options_are_recorded_as_the_monitor_receives_them(mock_engine, tls_values):
    def program():
        first = tls.PrivateKey("first", algorithm="ED25519")
        tls.PrivateKey("second", algorithm="ED25519", opts=pulumi.ResourceOptions(
            delete_before_replace=True, protect=True, retain_on_delete=True, ignore_changes=["rsaBits"],
            replace_on_changes=["algorithm"], aliases=[pulumi.Alias(name="old-second")], depends_on=[first]))
        tls.SelfSignedCert("cert", private_key_pem=first.private_key_pem, validity_period_hours=1,
                           allowed_uses=["cert_signing"], subject={"common_name": "x"})

    result = mock_engine.run(program)
    first = result.get("tls:index/privateKey:PrivateKey", "first")
    second = result.get("tls:index/privateKey:PrivateKey", "second")
    assert second.delete_before_replace and second.protect and second.retain_on_delete
    assert second.ignore_changes == ["rsaBits"] and second.replace_on_changes == ["algorithm"]
    assert second.aliases == [second.urn.replace("::second", "::old-second")]
    assert second.depends_on == [first.urn]
    assert not (first.delete_before_replace or first.protect or first.retain_on_delete)
    assert first.ignore_changes == first.replace_on_changes == first.aliases == first.depends_on == []
    # A dependency through a property is not an explicit depends_on.
    cert = result.get("tls:index/selfSignedCert:SelfSignedCert", "cert")
    assert first.urn in cert.dependencies and cert.depends_on == []
