"""ComposeApp: a compose file deployed to a Kubernetes cluster (``kompose convert`` + ``kubectl apply``).

The conversion is components.compose's (the same one ``dockyard convert`` prints); this module
only runs it before any resource is declared, so a bad compose file stops the program with its
file and line, and declares the resulting manifests as typed resources. The converter's
warnings (every compose field it could not map) are logged as Pulumi warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from components.compose import load_compose
from components.compose.to_kubernetes import CONTROL_PLANE_LABEL, to_kubernetes


@dataclass
class ComposePlan:
    """A converted compose file: manifests in apply order and the converter's warnings."""

    name: str
    namespace: str
    objects: list[dict]
    warnings: list[str] = field(default_factory=list)


def plan(name: str, compose: str | Path, namespace: str | None = None, *,
         service_type: str = "LoadBalancer", single_node: bool = False, label: str | None = None,
         profiles: list[str] | None = None, service_groups: bool = False, files=None) -> ComposePlan:
    """Load and convert a compose file (raises ComposeError naming file and line).

    ``service_type``: the Service type of services that publish ports.
    ``single_node``: the cluster may be one control-plane node (Docker Desktop): a
    ``node.role == worker`` placement becomes a preference instead of a requirement there, or
    its pods would never be scheduled.
    ``label``: how warnings name the file (the path as the stack file spells it).
    ``profiles``: the active compose profiles (None: COMPOSE_PROFILES, as docker compose).
    ``service_groups``: services sharing a kompose.service.group label run in one pod.
    ``files``: the folders the compose file may read from (components.projectfiles; None: its own).
    """
    namespace = namespace or name
    label = label or str(compose)
    project = load_compose(Path(compose), profiles=profiles, files=files)
    conv = to_kubernetes(project, namespace=namespace, create_namespace=True,
                         published_service_type=service_type, service_groups=service_groups)
    warnings = [w if w.startswith(label + ":") else f"{label}: {w}" for w in conv.warnings]
    objects = conv.objects
    if single_node:
        softened = [o["metadata"]["name"] for o in objects if _prefer_workers(o)]
        if softened:
            warnings.append(
                f"{label}: node.role == worker of {', '.join(softened)} is a preference on this "
                "cluster (a single-node cluster such as Docker Desktop has only a control-plane node)"
            )
    return ComposePlan(name=name, namespace=namespace, objects=objects, warnings=warnings)


def _prefer_workers(manifest: dict) -> bool:
    """Turn a required 'not on the control plane' node affinity into a preferred one, in place."""
    pod = manifest.get("spec", {}).get("template", {}).get("spec", {})
    node = pod.get("affinity", {}).get("nodeAffinity", {})
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if not required:
        return False
    changed = False
    for term in required.get("nodeSelectorTerms", []):
        exprs = term.get("matchExpressions", [])
        keep = [e for e in exprs if not (e.get("key") == CONTROL_PLANE_LABEL and e.get("operator") == "DoesNotExist")]
        if len(keep) != len(exprs):
            term["matchExpressions"] = keep
            changed = True
    if not changed:
        return False
    terms = [t for t in required["nodeSelectorTerms"] if t.get("matchExpressions") or t.get("matchFields")]
    if terms:
        node["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": terms}
    else:
        del node["requiredDuringSchedulingIgnoredDuringExecution"]
    node.setdefault("preferredDuringSchedulingIgnoredDuringExecution", []).append({
        "weight": 100,
        "preference": {"matchExpressions": [{"key": CONTROL_PLANE_LABEL, "operator": "DoesNotExist"}]},
    })
    return True


@dataclass
class ComposeAppArgs:
    plan: ComposePlan
    provider: pulumi.ProviderResource | None = None
    node_address: str = "localhost"


class ComposeApp(pulumi.ComponentResource):
    """A converted compose file on a cluster; ``urls`` maps each published service to its URL."""

    def __init__(self, name: str, args: ComposeAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:ComposeApp", name, None, opts)
        from components.kubernetes.objects import declare, service_url

        for warning in args.plan.warnings:
            pulumi.log.warn(warning, resource=self)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        self.resources = declare(args.plan.objects, name, child)
        self.namespace = args.plan.namespace
        self.urls = {
            key[2]: service_url(res, args.node_address)
            for key, res in self.resources.items()
            if key[0] == "Service" and _published(args.plan.objects, key)
        }
        self.register_outputs({"namespace": self.namespace, "urls": self.urls})


def _published(objects: list[dict], key: tuple[str, str, str]) -> bool:
    for o in objects:
        if (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) == key:
            return o.get("spec", {}).get("type") in ("LoadBalancer", "NodePort")
    return False
