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
