"""Find how a resource configures dockerd, wherever its inputs carry it.

A Docker daemon's listen addresses and TLS settings reach the cloud inside other documents:
cloud-init user data (``write_files`` with /etc/docker/daemon.json, possibly base64 or gzip),
an Ignition v3 config (``storage.files[].contents.source`` as a data URL, systemd units and
drop-ins), MIME multipart user data, base64 ``customData`` on Azure, a container's command and
environment (Docker-in-Docker), or a Docker provider's connection settings. :func:`documents`
unpacks all of them into plain texts; :func:`docker_api_findings` judges them.

Facts used (dockerd reference, "Daemon socket option" and "Protect the Docker daemon socket"):
2375 is the conventional plain-text port and 2376 the TLS one; ``tlsverify`` makes dockerd demand
client certificates signed by ``tlscacert``; the docker:dind image serves TLS on 2376 only while
DOCKER_TLS_CERTDIR is set, and falls back to plain 2375 when it is set empty.
"""

from __future__ import annotations

import base64
import binascii
import email
import gzip
import json
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from guardrails.model import Finding, Resource, as_list, walk_strings

PLAIN_PORT = 2375
_B64 = re.compile(r"^[A-Za-z0-9+/=\s]+\Z")
_TCP_2375 = re.compile(r"tcp://[^\s\"',;]*:2375(?![0-9])")
_DOCKERD_TCP = re.compile(r"(?:-H|--host)(?:\s+|=)[\"']?tcp://", re.I)
_TLS_OFF = re.compile(r"--tls(?:verify)?=(?:false|0)\b", re.I)
_DATA_URL = re.compile(r"^data:([^,]*?),(.*)\Z", re.S)
#: A systemd socket unit's TCP listener (Flatcar hands dockerd its sockets with -H fd://).
_LISTEN_TCP = re.compile(r"^ListenStream=(?:\S*:)?(\d+)\s*$", re.M)

FIX_DAEMON = ("listen on tcp://0.0.0.0:2376 only, with tlsverify: true and tlscacert/tlscert/tlskey "
              "in /etc/docker/daemon.json (DockerHost's provisioning does this)")


@dataclass(frozen=True)
class Doc:
    where: str  # the input path, plus the file inside it
    text: str


def _try_b64(text: str) -> bytes | None:
    t = text.strip()
    if len(t) < 24 or not _B64.match(t) or " " in t:
        return None
    compact = "".join(t.split())
    if len(compact) % 4:
        return None
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


def _bytes_text(data: bytes) -> str | None:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except OSError:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _data_url(url: str) -> str | None:
    m = _DATA_URL.match(url)
    if not m:
        return None
    meta, payload = m.group(1), m.group(2)
    if meta.endswith(";base64"):
        try:
            return _bytes_text(base64.b64decode(payload))
        except (binascii.Error, ValueError):
            return None
    return urllib.parse.unquote(payload)


def _expand(where: str, text: str, depth: int = 0) -> Iterator[Doc]:
    yield Doc(where, text)
    if depth > 3:
        return
    raw = _try_b64(text)
    if raw is not None:
        decoded = _bytes_text(raw)
        if decoded is not None:
            yield from _expand(where + " (base64)", decoded, depth + 1)
        return
    stripped = text.lstrip()
    if stripped.startswith("data:"):
        decoded = _data_url(stripped)
        if decoded is not None:
            yield from _expand(where + " (data URL)", decoded, depth + 1)
    elif stripped.startswith("#cloud-config"):
        yield from _cloud_config(where, stripped, depth)
    elif stripped.startswith("{"):
        yield from _ignition(where, stripped, depth)
    elif stripped.lower().startswith(("content-type: multipart", "mime-version")):
        msg = email.message_from_string(stripped)
        for n, part in enumerate(msg.walk()):
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            body = _bytes_text(payload) if isinstance(payload, bytes) else None
            if body:
                yield from _expand(f"{where} (MIME part {n})", body, depth + 1)


def _cloud_config(where: str, text: str, depth: int) -> Iterator[Doc]:
    try:
        import yaml  # PyYAML: in both the main and the policy virtualenvs
        data = yaml.safe_load(text)
    except Exception:  # noqa: BLE001 - an unparsable document is judged as plain text only
        return
    if not isinstance(data, dict):
        return
    for n, f in enumerate(as_list(data.get("write_files"))):
        if not isinstance(f, dict) or not isinstance(f.get("content"), str):
            continue
        content, enc = f["content"], str(f.get("encoding", "")).lower()
        if "b64" in enc or "base64" in enc:
            try:
                content = _bytes_text(base64.b64decode(content)) or ""
            except (binascii.Error, ValueError):
                content = ""
        yield from _expand(f"{where} write_files[{n}] {f.get('path', '')}", content, depth + 1)


def _ignition(where: str, text: str, depth: int) -> Iterator[Doc]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict) or "ignition" not in data:
        return
    storage = data.get("storage") or {}
    for n, f in enumerate(as_list(storage.get("files"))):
        src = ((f or {}).get("contents") or {}).get("source")
        if isinstance(src, str):
            body = _data_url(src)
            if body is not None:
                if str((f.get("contents") or {}).get("compression", "")) == "gzip":
                    body = _bytes_text(body.encode("latin-1")) or body
                yield from _expand(f"{where} storage.files[{n}] {f.get('path', '')}", body, depth + 1)
    for n, u in enumerate(as_list((data.get("systemd") or {}).get("units"))):
        if isinstance(u.get("contents"), str):
            yield Doc(f"{where} systemd.units[{n}] {u.get('name', '')}", u["contents"])
        for m, d in enumerate(as_list(u.get("dropins"))):
            if isinstance(d.get("contents"), str):
                yield Doc(f"{where} systemd.units[{n}].dropins[{m}] {d.get('name', '')}", d["contents"])


def documents(res: Resource) -> list[Doc]:
    """Every text a resource's inputs carry, with encodings and containers unpacked."""
    out: list[Doc] = []
    for path, text in walk_strings(res.inputs):
        out.extend(_expand(path, text))
    # A container's command line is a list of words: judge it as the one line dockerd sees.
    for key in ("entrypoints", "command"):
        words = res.inputs.get(key)
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            out.append(Doc(key, " ".join(words)))
    return out


def _daemon_json(doc: Doc) -> dict | None:
    t = doc.text.strip()
    if not t.startswith("{"):
        return None
    try:
        data = json.loads(t)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if doc.where.rstrip().endswith("daemon.json") or {"hosts", "tlsverify", "tlscacert"} & set(data):
        return data
    return None


def _daemon_findings(doc: Doc, cfg: dict) -> Iterable[Finding]:
    hosts = [str(h) for h in as_list(cfg.get("hosts"))]
    tcp = [h for h in hosts if h.startswith("tcp://")]
    if cfg.get("tls") is False or cfg.get("tlsverify") is False:
        yield Finding(f"{doc.where}: daemon.json turns TLS verification off", FIX_DAEMON)
    if tcp and cfg.get("tlsverify") is not True:
        yield Finding(f"{doc.where}: dockerd listens on {', '.join(tcp)} without \"tlsverify\": true",
                      FIX_DAEMON)
    if tcp and not all(cfg.get(k) for k in ("tlscacert", "tlscert", "tlskey")):
        yield Finding(f"{doc.where}: daemon.json has tcp hosts but not all of tlscacert, tlscert, tlskey",
                      FIX_DAEMON)


def docker_api_findings(res: Resource) -> list[Finding]:
    """Plain-text 2375 anywhere, or a tcp listener / client without mutual TLS."""
    found: list[Finding] = []
    docs = documents(res)
    configs = [(d, c) for d in docs if (c := _daemon_json(d)) is not None]
    tls_in_config = any(c.get("tlsverify") is True for _, c in configs)
    # The same text is seen once as the raw input and again inside each document unpacked from
    # it: report each problem once, at the most specific place.
    hits: dict[tuple[str, str], tuple[str, Finding]] = {}

    def hit(doc: Doc, what: str, finding_for) -> None:
        key = (doc.where.split(" ")[0], what)
        if key not in hits or len(doc.where) > len(hits[key][0]):
            hits[key] = (doc.where, finding_for(doc.where))

    for doc in docs:
        for m in _TCP_2375.finditer(doc.text):
            url = m.group(0)
            hit(doc, url, lambda w, url=url: Finding(
                f"{w}: Docker API address {url} is the plain-text port {PLAIN_PORT}",
                "use tcp://HOST:2376 with mutual TLS; never 2375"))
        for line in doc.text.splitlines():
            if not re.search(r"\bdockerd\b", line):
                continue
            off = _TLS_OFF.search(line)
            if off:
                hit(doc, "tls-off", lambda w, o=off.group(0): Finding(
                    f"{w}: dockerd started with TLS off ({o})", FIX_DAEMON))
            elif _DOCKERD_TCP.search(line) and "--tlsverify" not in line and not tls_in_config:
                hit(doc, "no-tlsverify", lambda w: Finding(f"{w}: dockerd listens on tcp without --tlsverify",
                                                         FIX_DAEMON))
        if "[Socket]" in doc.text and "docker" in doc.where.lower():
            for m in _LISTEN_TCP.finditer(doc.text):
                port = int(m.group(1))
                if port == PLAIN_PORT:
                    hit(doc, f"socket-{port}", lambda w, p=port: Finding(
                        f"{w}: a Docker socket unit listens on tcp {p}, the plain-text port",
                        "listen on 2376 and set tlsverify in daemon.json"))
                elif not tls_in_config:
                    hit(doc, f"socket-{port}", lambda w, p=port: Finding(
                        f"{w}: a Docker socket unit listens on tcp {p} but no daemon.json sets \"tlsverify\": true",
                        FIX_DAEMON))
    found.extend(f for _, f in hits.values())
    for doc, cfg in configs:
        found.extend(_daemon_findings(doc, cfg))

    if res.type == "docker:index/container:Container":
        command = " ".join(str(w) for w in as_list(res.inputs.get("command")))
        own_tls = "dockerd" in command and "--tlsverify" in command and not _TLS_OFF.search(command)
        for env in as_list(res.inputs.get("envs")):
            # Empty, the dind entrypoint serves plain 2375, unless the container runs its own
            # dockerd with --tlsverify (then the empty value only stops the entrypoint's auto-TLS).
            if str(env).strip() == "DOCKER_TLS_CERTDIR=" and not own_tls:
                found.append(Finding("envs: DOCKER_TLS_CERTDIR is empty, so docker:dind serves the API on "
                                     "plain-text 2375", "leave DOCKER_TLS_CERTDIR=/certs (the image default) so "
                                     "dind serves 2376 with TLS"))
    if res.type == "pulumi:providers:docker":
        host = str(res.inputs.get("host") or "")
        has_material = all(res.inputs.get(k) for k in ("caMaterial", "certMaterial", "keyMaterial"))
        if host.startswith("tcp://") and not has_material and not res.inputs.get("certPath"):
            found.append(Finding(f"Docker provider talks to {host} without client certificates",
                                 "set caMaterial, certMaterial and keyMaterial (as secrets) from DockerTls"))
    return found
