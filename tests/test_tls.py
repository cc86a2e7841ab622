"""components/tls.py: the certificate parameters and the DockerTls chain under the mock engine."""

from __future__ import annotations

import subprocess

import pulumi
import pytest

from components.tls import DockerCa, DockerTls, DockerTlsArgs, certificate_parameters, server_sans
from dockyard.engine import reveal
from tests.conftest import require_tool


def test_sans_hold_public_private_and_local_addresses():
    p = certificate_parameters("web", public_ip="203.0.113.5", private_ip="10.0.0.5", dns_names=["web.example.com"])
    assert p.server.ip_addresses == ("203.0.113.5", "10.0.0.5", "127.0.0.1")
    assert p.server.dns_names == ("web.example.com", "localhost")
    assert p.server.allowed_uses == ("digital_signature", "server_auth")
    assert p.client.allowed_uses == ("digital_signature", "client_auth")
    assert p.ca.is_ca and not p.server.is_ca and not p.client.is_ca
    assert not p.ca.ip_addresses and not p.client.ip_addresses


def test_sans_are_deduplicated_and_normalised():
    dns, ips = server_sans("127.0.0.1", None, ["localhost", ""], ["2001:0db8:0000::0001"])
    assert ips == ("127.0.0.1", "2001:db8::1")
    assert dns == ("localhost",)


def test_a_non_ip_is_refused():
    with pytest.raises(ValueError):
        certificate_parameters("web", public_ip="web.example.com")


@pytest.mark.parametrize("validity,renewal", [(100, 100), (100, 200), (100, -1)])
def test_renewal_must_come_before_expiry(validity, renewal):
    with pytest.raises(ValueError):
        certificate_parameters("web", validity_hours=validity, early_renewal_hours=renewal)


def test_defaults_are_a_year_renewed_a_month_early():
    p = certificate_parameters("web")
    assert (p.validity_hours, p.early_renewal_hours) == (8760, 720)
    assert (p.algorithm, p.ecdsa_curve) == ("ECDSA", "P256")


def test_docker_tls_chain_from_output_ips(mock_engine, apply_guard):
    def program():
        public = pulumi.Output.from_input("203.0.113.9")
        private = pulumi.Output.secret("10.1.2.3")
        tls = DockerTls("h", DockerTlsArgs("h", public_ip=public, private_ip=private, dns_names=["h.example.org"],
                                           validity_hours=1000, early_renewal_hours=10))
        apply_guard.check(tls.server_ip_addresses, lambda ips: _eq(ips, ["203.0.113.9", "10.1.2.3", "127.0.0.1"]),
                          "sans")
        pulumi.export("key", tls.server_key_pem)
        pulumi.export("client", tls.client_key_pem)

    res = mock_engine.run(program)
    csr = res.get("tls:index/certRequest:CertRequest", "h-server-csr")
    ips = csr.inputs["ipAddresses"]
    # A secret private IP keeps the SAN list secret: the engine would not print it.
    assert isinstance(ips, mock_engine.Secret) and ips.value == ["203.0.113.9", "10.1.2.3", "127.0.0.1"]
    assert reveal(csr.inputs["dnsNames"]) == ["h.example.org", "localhost"]
    for name in ("h-server-cert", "h-client-cert"):
        cert = res.get("tls:index/locallySignedCert:LocallySignedCert", name)
        assert (cert.inputs["validityPeriodHours"], cert.inputs["earlyRenewalHours"]) == (1000, 10)
        assert isinstance(cert.inputs["caPrivateKeyPem"], mock_engine.Secret)
    assert isinstance(res.outputs["key"], mock_engine.Secret)
    assert isinstance(res.outputs["client"], mock_engine.Secret)
    types = res.types()
    assert types.count("tls:index/privateKey:PrivateKey") == 3  # CA, client, server
    assert types.count("tls:index/selfSignedCert:SelfSignedCert") == 1


def _eq(a, b):
    assert a == b


def test_shared_ca(mock_engine):
    def program():
        ca = DockerCa("c", certificate_parameters("cluster"))
        DockerTls("a", DockerTlsArgs("a", public_ip="203.0.113.1", ca=ca))
        DockerTls("b", DockerTlsArgs("b", public_ip="203.0.113.2", ca=ca))

    res = mock_engine.run(program)
    assert len(res.of_type("tls:index/selfSignedCert:SelfSignedCert")) == 1
    assert len(res.of_type("tls:index/locallySignedCert:LocallySignedCert")) == 3  # client + two servers


def test_openssl_accepts_the_parameters(tmp_path):
    """The parameters make a chain openssl verifies for its purposes (server for server, client for client)."""
    require_tool("openssl")
    from tests.hosts.certs import issue_chain

    chain = issue_chain(certificate_parameters("h", public_ip="203.0.113.4"), tmp_path)

    def verify(purpose, cert):
        return subprocess.run(["openssl", "verify", "-purpose", purpose, "-CAfile", str(chain.ca), str(cert)],
                              capture_output=True, text=True).returncode

    assert verify("sslserver", chain.server_cert) == 0
    assert verify("sslclient", chain.client_cert) == 0
    assert verify("sslclient", chain.server_cert) != 0
    assert verify("sslserver", chain.client_cert) != 0
    text = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", str(chain.server_cert)],
                          capture_output=True, text=True).stdout
    assert "IP Address:203.0.113.4" in text and "IP Address:127.0.0.1" in text and "DNS:localhost" in text
