"""DockerTls: the certificates of a mutual-TLS Docker API (CA, server, client) with pulumi_tls.

docker-machine generated these on the operator's laptop and broke ("x509: certificate is valid for
A, not B") whenever a host's IP changed, until someone ran `regenerate-certs`. Here the server
certificate's SANs are Outputs of the VM's addresses, so an IP change re-issues it on the next
`pulumi up`, and ``validityHours``/``earlyRenewalHours`` rotate the chain before it expires.

:func:`certificate_parameters` is the one place that decides algorithm, key usages, SANs and
validity. The component feeds pulumi_tls from it and tests/hosts/test_dockerd_tls.py issues real
certificates with openssl from the same value, so what the real dockerd accepts is what the
component would create.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_tls as tls

# Defaults mirror components.config.TlsConfig (one year, re-issued 30 days before expiry).
DEFAULT_VALIDITY_HOURS = 8760
DEFAULT_EARLY_RENEWAL_HOURS = 720

# ECDSA P-256: accepted by every Docker client and daemon (Go crypto/tls), small and fast to sign.
KEY_ALGORITHM = "ECDSA"
ECDSA_CURVE = "P256"

# Names as pulumi_tls spells them (allowed_uses). With an ECDSA key the TLS handshake signs, it
# never encrypts to the key, so key_encipherment is not asked for.
CA_USES = ("cert_signing", "crl_signing", "digital_signature")
SERVER_USES = ("digital_signature", "server_auth")
CLIENT_USES = ("digital_signature", "client_auth")

# The daemon is also reached on the host itself (ssh + docker, health checks).
LOCAL_DNS = ("localhost",)
LOCAL_IPS = ("127.0.0.1",)


@dataclass(frozen=True)
class CertProfile:
    """What one certificate says about itself; plain values only."""

    common_name: str
    organization: str
    allowed_uses: tuple[str, ...]
    is_ca: bool = False
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertParameters:
    """Everything that shapes a host's certificates: fed to pulumi_tls and to the openssl test."""

    algorithm: str
    ecdsa_curve: str
    validity_hours: int
    early_renewal_hours: int
    ca: CertProfile
    server: CertProfile
    client: CertProfile


def server_sans(
    public_ip: str | None = None,
    private_ip: str | None = None,
    dns_names: Sequence[str] = (),
    extra_ips: Sequence[str] = (),
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(DNS SANs, IP SANs) of a host's server certificate, de-duplicated, in a stable order."""
    dns = list(dict.fromkeys([*(d for d in dns_names if d), *LOCAL_DNS]))
    ips: list[str] = []
    for ip in (public_ip, private_ip, *extra_ips, *LOCAL_IPS):
        if ip:
            text = str(ipaddress.ip_address(ip))  # refuses a non-IP early and normalises IPv6
            if text not in ips:
                ips.append(text)
    return tuple(dns), tuple(ips)


def certificate_parameters(
    host: str,
    *,
    public_ip: str | None = None,
    private_ip: str | None = None,
    dns_names: Sequence[str] = (),
    extra_ips: Sequence[str] = (),
    validity_hours: int = DEFAULT_VALIDITY_HOURS,
    early_renewal_hours: int = DEFAULT_EARLY_RENEWAL_HOURS,
    organization: str = "dockyard",
) -> CertParameters:
    """The certificate parameters of one Docker host (plain values; see module docstring)."""
    if not 0 <= early_renewal_hours < validity_hours:
        raise ValueError("early_renewal_hours must be at least 0 and smaller than validity_hours")
    dns, ips = server_sans(public_ip, private_ip, dns_names, extra_ips)
    return CertParameters(
        algorithm=KEY_ALGORITHM,
        ecdsa_curve=ECDSA_CURVE,
        validity_hours=validity_hours,
        early_renewal_hours=early_renewal_hours,
        ca=CertProfile(f"{organization} CA {host}", organization, CA_USES, is_ca=True),
        server=CertProfile(host, organization, SERVER_USES, dns_names=dns, ip_addresses=ips),
        client=CertProfile(f"{organization} client {host}", organization, CLIENT_USES),
    )


@dataclass
class DockerTlsArgs:
    """Inputs of DockerTls. The IPs are usually Outputs of the VM; ``ca`` shares one CA
    (and its client certificate) between several hosts, e.g. the nodes of one swarm."""

    host: str
    public_ip: pulumi.Input[str] | None = None
    private_ip: pulumi.Input[str] | None = None
    dns_names: Sequence[pulumi.Input[str]] = ()
    validity_hours: int = DEFAULT_VALIDITY_HOURS
    early_renewal_hours: int = DEFAULT_EARLY_RENEWAL_HOURS
    extra_ips: Sequence[pulumi.Input[str]] = ()
    ca: DockerCa | None = None

    @classmethod
    def from_config(cls, host: str, tls_config: Any, **kwargs) -> DockerTlsArgs:
        """Build from a components.config.TlsConfig (validity_hours, early_renewal_hours)."""
        return cls(
            host=host,
            validity_hours=tls_config.validity_hours,
            early_renewal_hours=tls_config.early_renewal_hours,
            **kwargs,
        )


def _subject(profile: CertProfile) -> dict:
    return {"common_name": profile.common_name, "organization": profile.organization}


def _issue(name: str, params: CertParameters, profile: CertProfile, ca_key_pem, ca_cert_pem,
           opts: pulumi.ResourceOptions, **sans) -> tuple[tls.PrivateKey, tls.LocallySignedCert]:
    """A key, its CSR (with ``dns_names`` / ``ip_addresses`` when given) and the CA's signature."""
    key = tls.PrivateKey(f"{name}-key", algorithm=params.algorithm, ecdsa_curve=params.ecdsa_curve, opts=opts)
    csr = tls.CertRequest(f"{name}-csr", private_key_pem=key.private_key_pem, subject=_subject(profile),
                          opts=opts, **sans)
    cert = tls.LocallySignedCert(
        f"{name}-cert",
        cert_request_pem=csr.cert_request_pem,
        ca_private_key_pem=ca_key_pem,
        ca_cert_pem=ca_cert_pem,
        allowed_uses=list(profile.allowed_uses),
        validity_period_hours=params.validity_hours,
        early_renewal_hours=params.early_renewal_hours,
        opts=opts,
    )
    return key, cert


class DockerCa(pulumi.ComponentResource):
    """A CA and the client certificate it grants: who holds the client key may use every
    Docker API whose server certificate this CA signed."""

    ca_cert_pem: pulumi.Output[str]
    ca_private_key_pem: pulumi.Output[str]
    client_cert_pem: pulumi.Output[str]
    client_key_pem: pulumi.Output[str]

    def __init__(self, name: str, params: CertParameters, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:DockerCa", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.params = params

        ca_key = tls.PrivateKey(f"{name}-ca-key", algorithm=params.algorithm,
                                ecdsa_curve=params.ecdsa_curve, opts=child)
        ca_cert = tls.SelfSignedCert(
            f"{name}-ca-cert",
            private_key_pem=ca_key.private_key_pem,
            subject=_subject(params.ca),
            is_ca_certificate=True,
            set_subject_key_id=True,
            allowed_uses=list(params.ca.allowed_uses),
            validity_period_hours=params.validity_hours,
            early_renewal_hours=params.early_renewal_hours,
            opts=child,
        )
        client_key, client_cert = _issue(f"{name}-client", params, params.client, ca_key.private_key_pem,
                                         ca_cert.cert_pem, child)
        self.ca_cert_pem = ca_cert.cert_pem
        self.ca_private_key_pem = pulumi.Output.secret(ca_key.private_key_pem)
        self.client_cert_pem = client_cert.cert_pem
        self.client_key_pem = pulumi.Output.secret(client_key.private_key_pem)
        self.register_outputs({"caCertPem": self.ca_cert_pem, "clientCertPem": self.client_cert_pem,
                               "clientKeyPem": self.client_key_pem})


class DockerTls(pulumi.ComponentResource):
    """CA (own or shared), server and client certificates of one Docker host's TLS API.

    Attributes: ca_cert_pem, server_cert_pem, server_key_pem (secret), client_cert_pem,
    client_key_pem (secret), params (the plain CertParameters without the IP SANs).
    """

    ca_cert_pem: pulumi.Output[str]
    server_cert_pem: pulumi.Output[str]
    server_key_pem: pulumi.Output[str]
    client_cert_pem: pulumi.Output[str]
    client_key_pem: pulumi.Output[str]
    server_ip_addresses: pulumi.Output[list]

    def __init__(self, name: str, args: DockerTlsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:DockerTls", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Everything but the addresses is known now, so previews show algorithm and usages even
        # before the VM has an IP; the SANs are the same function applied to the VM's outputs.
        params = certificate_parameters(args.host, validity_hours=args.validity_hours,
                                        early_renewal_hours=args.early_renewal_hours)
        self.params = params
        ca = args.ca or DockerCa(name, params, opts=child)

        sans = pulumi.Output.all(args.public_ip, args.private_ip, list(args.dns_names),
                                 list(args.extra_ips)).apply(
            lambda v: certificate_parameters(
                args.host, public_ip=v[0], private_ip=v[1], dns_names=v[2], extra_ips=v[3],
                validity_hours=args.validity_hours, early_renewal_hours=args.early_renewal_hours,
            ).server
        )
        ip_sans = sans.apply(lambda s: list(s.ip_addresses))
        self.server_ip_addresses = ip_sans

        server_key, server_cert = _issue(f"{name}-server", params, params.server, ca.ca_private_key_pem,
                                         ca.ca_cert_pem, child, dns_names=sans.apply(lambda s: list(s.dns_names)),
                                         ip_addresses=ip_sans)
        self.ca = ca
        self.ca_cert_pem = ca.ca_cert_pem
        self.server_cert_pem = server_cert.cert_pem
        self.server_key_pem = pulumi.Output.secret(server_key.private_key_pem)
        self.client_cert_pem = ca.client_cert_pem
        self.client_key_pem = ca.client_key_pem
        self.register_outputs({"caCertPem": self.ca_cert_pem, "serverCertPem": self.server_cert_pem,
                               "serverKeyPem": self.server_key_pem})


__all__ = ["CertParameters", "CertProfile", "DockerCa", "DockerTls", "DockerTlsArgs",
           "certificate_parameters", "server_sans"]
