"""An existing cluster reached through a kubeconfig context (e.g. Docker Desktop's).

Nothing is created. The Provider selects the context; it reads ``$KUBECONFIG`` or
``~/.kube/config`` at deploy time, so previews stay the same on every machine. Only when the
stack names a kubeconfig file is that file read, reduced to the chosen context, and output as a
secret.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from components import safeload
from components.errors import ConfigError
from components.kubernetes.cluster import ClusterArgs, ClusterParts

DEFAULT_CONTEXT = "docker-desktop"


def minify(text: str, context: str, where: str) -> str:
    """The kubeconfig reduced to one context, its cluster and its user (like ``kubectl config view --minify``)."""
    doc = safeload.parse_yaml(text, where, mapping=True)
    lists = {}
    for key in ("contexts", "clusters", "users"):
        items = doc.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("name", ""), str)
                                                  for i in items):
            raise ConfigError(where, f"{key}: expected a list of mappings with a name (is this a kubeconfig?)")
        lists[key] = items
    contexts = {c.get("name"): c.get("context") or {} for c in lists["contexts"]}
    if context not in contexts:
        known = ", ".join(sorted(repr(n) for n in contexts if n)) or "none"
        raise ConfigError("dockyard:kubernetes.context", f"no context {context!r} in {where} (contexts: {known})")
    ctx = contexts[context]
    if not isinstance(ctx, dict):
        raise ConfigError(where, f"contexts: the context {context!r} is not a mapping")
    clusters = [c for c in lists["clusters"] if c.get("name") == ctx.get("cluster")]
    users = [u for u in lists["users"] if u.get("name") == ctx.get("user")]
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
    if not full.exists():
        raise ConfigError("dockyard:kubernetes.kubeconfig", f"file '{path}' not found")
    return minify(safeload.read_text(full, path), context or DEFAULT_CONTEXT, path)


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
