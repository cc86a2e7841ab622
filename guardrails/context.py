"""What some rules need to know about the stack besides its resources.

Whether SSH from 198.51.100.0/24 is right, whether port 80 may be open to everyone, whether a
LoadBalancer Service was asked for: the resources alone cannot say, the stack config can. The
context is built in ONE place, :func:`from_model`, from the stack's config as the program's own
model validates it (components/config.py; compose files through components/compose), and passed
to :func:`guardrails.evaluate` explicitly. :func:`from_config` feeds it the raw values of
stacks/Pulumi.STACK.yaml or, inside the policy pack, of PULUMI_CONFIG. It is plain data (JSON round-trips), so the offline check
and the policy pack judge with the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: What DockerHost uses when adminCidrs is not set (issue 3): everyone, with a warning. The rules
#: accept the world as an admin source only when the stack says so explicitly.
DEFAULT_ADMIN_CIDRS = ("0.0.0.0/0",)
#: The sock-shop front end's Service, exposed as a LoadBalancer on managed clusters (issue 6).
SOCK_SHOP_LB = ("sock-shop", "front-end-lb")


@dataclass(frozen=True)
class Context:
    admin_cidrs: tuple[str, ...] = DEFAULT_ADMIN_CIDRS
    #: True when the stack set adminCidrs itself (then a 0.0.0.0/0 in it is a deliberate choice).
    admin_cidrs_explicit: bool = False
    #: SSH ports in use (22 plus every hosts[].sshPort).
    ssh_ports: frozenset[int] = frozenset({22})
    #: Application ports the config publishes: these alone may be open to the world.
    published_ports: frozenset[int] = frozenset()
    #: (namespace, name) of the Services the config asks to be of type LoadBalancer; "*" = any namespace.
    load_balancers: frozenset[tuple[str, str]] = frozenset()
    #: Names of containers that must run privileged: the local swarm's Docker-in-Docker nodes.
    privileged_allowed: frozenset[str] = frozenset()
    #: True when the stack leaves DOKS's control-plane firewall off (kubernetes.controlPlaneFirewall
    #: false, the default: the feature is invite-only, components/kubernetes/doks.py); the program warns.
    doks_api_open: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "adminCidrs": list(self.admin_cidrs),
            "adminCidrsExplicit": self.admin_cidrs_explicit,
            "sshPorts": sorted(self.ssh_ports),
            "publishedPorts": sorted(self.published_ports),
            "loadBalancers": [list(x) for x in sorted(self.load_balancers)],
            "privilegedAllowed": sorted(self.privileged_allowed),
            "doksApiOpen": self.doks_api_open,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Context:
        return cls(
            admin_cidrs=tuple(data.get("adminCidrs", DEFAULT_ADMIN_CIDRS)),
            admin_cidrs_explicit=bool(data.get("adminCidrsExplicit", False)),
            ssh_ports=frozenset(int(p) for p in data.get("sshPorts", [22])),
            published_ports=frozenset(int(p) for p in data.get("publishedPorts", [])),
            load_balancers=frozenset(tuple(x) for x in data.get("loadBalancers", [])),
            privileged_allowed=frozenset(data.get("privilegedAllowed", [])),
            doks_api_open=bool(data.get("doksApiOpen", False)),
        )


PROVIDER_KEYS = ("aws:region", "azure-native:location", "gcp:project", "gcp:region")


def from_config(config: Mapping[str, Any], root: Path | str = ".") -> Context:
    """The context of a stack's config: full keys (``dockyard:swarm``, ``aws:region``) to values.

    Values may be parsed YAML (a stack file) or text as Pulumi passes config to programs and policy
    packs (structured values as JSON). The config is validated by the program's own model
    (components/config.py), so defaults and meanings are the program's, not a second copy.
    """
    from components import config as model

    raw = {}
    for full, value in config.items():
        ns, _, key = str(full).partition(":")
        if ns == model.NAMESPACE:
            raw[key] = model._decode(key, value)
    providers = {k: config.get(k) for k in PROVIDER_KEYS}
    return from_model(model.validate(raw, providers, project_dir=Path(root)), root)


def _published(project) -> set[int]:
    return {p.published for svc in project.services.values() for p in svc.ports if p.published}


def from_model(cfg, root: Path | str = ".") -> Context:
    """The context of a validated ``components.config.StackConfig``."""
    from components.compose import load_compose
    from components.compose._common import dns_label

    root = Path(root)

    def compose(path: str):
        p = Path(path)
        return load_compose(p if p.is_absolute() else root / p, files=cfg.files)

    ssh_ports = {22} | {h.ssh_port for h in cfg.hosts}
    published: set[int] = set()
    privileged: set[str] = set()
    if cfg.swarm is not None:
        for st in cfg.swarm.stacks:
            published |= _published(compose(st.compose))
        if cfg.swarm.cloud == "local":
            privileged |= set(cfg.swarm.node_names())

    for app in cfg.containers:
        if not app.public:
            continue
        # A public app is reached through its load balancer's HTTP(S) listener, or on its own port.
        published |= {80, 443, app.port}
        if app.compose:
            project = compose(app.compose)
            svc = project.services.get(app.service) if app.service else None
            published |= _published(project) if svc is None else {p.published for p in svc.ports if p.published}

    lbs: set[tuple[str, str]] = set()
    k8s = cfg.kubernetes
    if k8s is not None:
        for app in k8s.apps:
            if app == SOCK_SHOP_LB[0]:
                opts = k8s.sock_shop
                # front-end-lb is a LoadBalancer unless the config says otherwise; on an existing
                # (local) cluster it defaults to a NodePort (issue 6).
                kind = opts.service_type or ("NodePort" if k8s.cluster == "existing" else "LoadBalancer")
                if kind == "LoadBalancer":
                    lbs.add((opts.namespace, SOCK_SHOP_LB[1]))
            else:
                ns = app.namespace or app.name
                for name, svc in compose(app.compose).services.items():
                    label = (svc.labels.get("kompose.service.type")
                             or svc.deploy.labels.get("kompose.service.type") or "")
                    # Asked for: kompose's label says so, or the service publishes ports (reachable
                    # from outside is what `ports:` asks; the cluster picks LoadBalancer or NodePort).
                    if label.lower() == "loadbalancer" or (not label and any(p.published for p in svc.ports)):
                        lbs.add((ns, dns_label(name)))

    return Context(
        admin_cidrs=tuple(cfg.admin_cidrs),
        admin_cidrs_explicit=not cfg._admin_cidrs_defaulted,
        ssh_ports=frozenset(ssh_ports),
        published_ports=frozenset(published),
        load_balancers=frozenset(lbs),
        privileged_allowed=frozenset(privileged),
        doks_api_open=k8s is not None and k8s.cluster == "doks" and not k8s.control_plane_firewall,
    )


def from_stack_file(stack: str, root: Path | str = ".") -> Context:
    """The context of stacks/Pulumi.STACK.yaml, read as `dockyard preview` reads it."""
    from dockyard import stackfile

    files = stackfile.load(stack, Path(root))
    return from_config(files.config, root)
