"""An existing cluster reached through a kubeconfig context (e.g. Docker Desktop's).

Nothing is created. The Provider selects the context; it reads ``$KUBECONFIG`` or
``~/.kube/config`` at deploy time, so previews stay the same on every machine. Only when the
stack names a kubeconfig file is that file read, reduced to the chosen context, and output as a
secret.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from components.errors import ConfigError
from components.kubernetes.cluster import ClusterArgs, ClusterParts

DEFAULT_CONTEXT = "docker-desktop"


def minify(text: str, context: str, where: str) -> str:
    """The kubeconfig reduced to one context, its cluster and its user (like ``kubectl config view --minify``)."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(where + (f":{mark.line + 1}" if mark else ""), "is not valid YAML") from None
    if not isinstance(doc, dict):
        raise ConfigError(where, "is not a kubeconfig (expected a mapping)")
    contexts = {c.get("name"): c.get("context", {}) for c in doc.get("contexts") or []}
    if context not in contexts:
        known = ", ".join(sorted(n for n in contexts if n)) or "none"
        raise ConfigError("dockyard:kubernetes.context", f"no context '{context}' in {where} (contexts: {known})")
    ctx = contexts[context]
    clusters = [c for c in doc.get("clusters") or [] if c.get("name") == ctx.get("cluster")]
    users = [u for u in doc.get("users") or [] if u.get("name") == ctx.get("user")]
    out = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": clusters,
        "contexts": [{"name": context, "context": ctx}],
        "users": users,
        "current-context": context,
    }
    return yaml.safe_dump(out, sort_keys=False)


def load(path: str, context: str | None) -> str:
    """Read a kubeconfig file named by the stack and reduce it to the context (validation time)."""
    full = Path(path).expanduser()
    if not full.is_file():
        raise ConfigError("dockyard:kubernetes.kubeconfig", f"file '{path}' not found")
    return minify(full.read_text(), context or DEFAULT_CONTEXT, path)


# Contexts whose NodePorts are published on the workstation itself.
LOCALHOST_CONTEXTS = ("docker-desktop", "docker-for-desktop", "rancher-desktop")


def create(component, name: str, args: ClusterArgs) -> ClusterParts:
    context = args.context or DEFAULT_CONTEXT
    return ClusterParts(
        kubeconfig=args.kubeconfig_text,
        provider_args={"context": context},
        node_address="localhost" if context in LOCALHOST_CONTEXTS else "<node-address>",
        local=True,
        outputs={"context": context},
    )
