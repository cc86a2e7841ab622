"""Test helper: real certificates from components.tls.certificate_parameters.

openssl (not pulumi_tls, which needs the engine) issues the chain, translating the very
CertParameters value the DockerTls component hands pulumi_tls. The translation table below maps
pulumi_tls ``allowed_uses`` names to OpenSSL extension names (RFC 5280 key usages).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from components.tls import CertParameters, CertProfile

KEY_USAGE = {
    "digital_signature": "digitalSignature",
    "key_encipherment": "keyEncipherment",
    "cert_signing": "keyCertSign",
    "crl_signing": "cRLSign",
}
EXT_KEY_USAGE = {"server_auth": "serverAuth", "client_auth": "clientAuth"}
CURVES = {"P256": "P-256", "P384": "P-384", "P521": "P-521"}


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def _key(params: CertParameters, path: Path) -> Path:
    assert params.algorithm == "ECDSA", "the helper issues ECDSA keys only"
    _run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
         f"ec_paramgen_curve:{CURVES[params.ecdsa_curve]}", "-out", str(path))
    return path


def _extensions(profile: CertProfile) -> str:
    lines = [f"basicConstraints=critical,CA:{'TRUE' if profile.is_ca else 'FALSE'}"]
    unknown = [u for u in profile.allowed_uses if u not in KEY_USAGE and u not in EXT_KEY_USAGE]
    assert not unknown, f"add {unknown} to the translation table"
    ku = [KEY_USAGE[u] for u in profile.allowed_uses if u in KEY_USAGE]
    eku = [EXT_KEY_USAGE[u] for u in profile.allowed_uses if u in EXT_KEY_USAGE]
    if ku:
        lines.append("keyUsage=critical," + ",".join(ku))
    if eku:
        lines.append("extendedKeyUsage=" + ",".join(eku))
    sans = [f"DNS:{d}" for d in profile.dns_names] + [f"IP:{i}" for i in profile.ip_addresses]
    if sans:
        lines.append("subjectAltName=" + ",".join(sans))
    return "\n".join(lines) + "\n"


def _subject(profile: CertProfile) -> str:
    return f"/O={profile.organization}/CN={profile.common_name}"


@dataclass
class Chain:
    ca: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def issue_chain(params: CertParameters, out: Path) -> Chain:
    """CA, server and client certificate in ``out``, shaped by ``params``."""
    out.mkdir(parents=True, exist_ok=True)
    days = str(params.validity_hours // 24)
    ca_key = _key(params, out / "ca-key.pem")
    # A config of our own, so the distribution's openssl.cnf adds no extensions of its own.
    (out / "ca.cnf").write_text("[req]\ndistinguished_name=dn\nx509_extensions=v3\n[dn]\n[v3]\n"
                                "subjectKeyIdentifier=hash\n" + _extensions(params.ca))
    _run("openssl", "req", "-x509", "-new", "-key", str(ca_key), "-subj", _subject(params.ca),
         "-days", days, "-config", str(out / "ca.cnf"), "-out", str(out / "ca.pem"))

    def leaf(kind: str, profile: CertProfile) -> tuple[Path, Path]:
        key = _key(params, out / f"{kind}-key.pem")
        _run("openssl", "req", "-new", "-key", str(key), "-subj", _subject(profile),
             "-out", str(out / f"{kind}.csr"))
        (out / f"{kind}.ext").write_text(_extensions(profile))
        _run("openssl", "x509", "-req", "-in", str(out / f"{kind}.csr"), "-CA", str(out / "ca.pem"),
             "-CAkey", str(ca_key), "-CAcreateserial", "-days", days,
             "-extfile", str(out / f"{kind}.ext"), "-out", str(out / f"{kind}-cert.pem"))
        return out / f"{kind}-cert.pem", key

    server_cert, server_key = leaf("server", params.server)
    client_cert, client_key = leaf("client", params.client)
    for p in out.glob("*-key.pem"):
        p.chmod(0o600)
    return Chain(out / "ca.pem", ca_key, server_cert, server_key, client_cert, client_key)
