"""SwarmCluster: a Docker swarm from config, the successor of `docker swarm init/join` by hand.

Nodes come from a node set (local Docker-in-Docker containers, or DockerHosts on a cloud), then
the scripts of components/swarm/scripts.py run through pulumi_command in this order:

* ``probe`` on managers 2..N (in parallel): does this engine hold a swarm? They run again
  whenever manager-1's engine changes;
* ``init`` on manager-1 (the bootstrap), the probe lines on its stdin: on the swarm's first run
  (the command's create) it initialises the swarm unless a manager holds one; on every later run
  (its update: manager-1 replaced, a probe changed) it joins the swarm another manager holds and
  never initialises a second one while the config has other managers. Its stdout (the join
  tokens) is a secret output and is not logged;
* managers 2..N join one after another (Raft membership changes are applied one at a time, and
  at most six managers make this chain short); every worker joins right after ``init``, in
  parallel, so the depth of the resource graph does not grow with the worker count. A node in
  another or a stale swarm (told by the cluster ID ``init`` reports) leaves it first;
* one ``reconcile`` on manager-1 makes roles, availability, labels and membership match the
  config: promotions first, demotions one at a time, nodes the config no longer names (scaled
  away, stale entries of replaced nodes) demoted and drained, and removed if they are down;
* per node but manager-1, ``leave`` (on the node) and ``forget`` (on manager-1) act when Pulumi
  deletes them, after every create and update and before the node's host: a dropped node runs
  ``docker swarm leave`` itself, then manager-1 removes its entry;
* the compose stacks (SwarmStack) are deployed through a Docker provider speaking mutual TLS to
  manager-1, after the reconcile; a ``converge`` step then waits (bounded) for every service's
  tasks to run, so a rollout whose tasks never start fails the update.

What happens when every manager is replaced at once: see docs/swarm.md, "Day-2 operations".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from components.swarm import scripts
from components.swarm.nodes import NodeSet

_HTTP_PORTS = {80: "http", 443: "https", 8080: "http"}


@dataclass
class SwarmClusterArgs:
    """Inputs of SwarmCluster, built from components.config (components never read config)."""

    config: object  # components.config.SwarmConfig
    stack: str = "dev"
    admin_cidrs: list[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    ssh_public_key: str | None = None
    project_dir: Path = Path(".")
    #: provider settings (components.config.ProviderConfig) for the DockerHosts of a cloud swarm
    providers: object = None
    #: the engine a local swarm lives on (components.config.DockerEndpoint); None: the default socket
    docker_endpoint: object = None
    #: the folders compose files may read from (components.projectfiles.ProjectFiles; None: each
    #: compose file's own folder)
    files: object = None

    @classmethod
    def from_config(cls, cfg, stack: str, project_dir: Path | None = None) -> SwarmClusterArgs:
        """From a validated components.config.StackConfig (Pulumi runs in the project dir)."""
        return cls(config=cfg.swarm, stack=stack, admin_cidrs=list(cfg.admin_cidrs),
                   ssh_public_key=cfg.ssh_public_key, project_dir=project_dir or Path.cwd(),
                   providers=cfg.providers, docker_endpoint=cfg.docker_endpoint, files=cfg.files)


def published_ports(stacks, project_dir: Path, files=None) -> list[tuple[int, str]]:
    """Ports the stacks publish, (port, protocol), sorted: what firewalls and load balancers open."""
    from components.compose import load_compose

    ports: set[tuple[int, str]] = set()
    for stack in stacks:
        path = Path(stack.compose)
        project = load_compose(path if path.is_absolute() else project_dir / path,
                               profiles=getattr(stack, "profiles", None), files=files)
        for service in project.services.values():
            for port in service.ports:
                if port.published is not None:
                    ports.add((port.published, port.protocol))
    return sorted(ports)


def _replicas(spec: dict) -> int | None:
    """Replicas of a converted service (None: global, one task per eligible node)."""
    mode = spec.get("mode") or {}
    if mode.get("global_"):
        return None
    return int((mode.get("replicated") or {}).get("replicas", 1))


def app_url(host: str, ports: list[tuple[int, str]]) -> str | None:
    tcp = [p for p, proto in ports if proto == "tcp"]
    if not tcp:
        return None
    port = tcp[0]
    scheme = "https" if port == 443 else "http"
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + ("" if port == default else f":{port}") + "/"


class SwarmCluster(pulumi.ComponentResource):
    """A swarm of ``managers`` + ``workers`` nodes with roles, availability, labels and stacks."""

    swarm: dict

    def __init__(self, name: str, args: SwarmClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:SwarmCluster", name, None, opts)
        cfg = args.config
        names = cfg.node_names()
        ports = published_ports(cfg.stacks, args.project_dir, args.files)

        node_set = self._nodes(name, args, names, ports)
        by_name = {n.name: n for n in node_set.nodes}
        m1 = by_name["manager-1"]
        wait, marker = node_set.wait_seconds, node_set.marker
        managers = [n for n in names if n.startswith("manager-")]

        # --- bootstrap: probes, manager-1, joins (workers in parallel), reconcile ---------------
        # Each configured manager but manager-1 says whether it holds a swarm; they run again
        # whenever manager-1's engine changes, so a fresh manager-1 learns where to join.
        probes = [
            by_name[n].run(f"{name}-{n}-probe", scripts.probe_script(n, wait_seconds=wait, marker=marker),
                           secret_stdout=True, triggers=[m1.engine_id])
            for n in managers[1:]
        ]
        probe_lines = (pulumi.Output.secret(pulumi.Output.all(*[p.stdout for p in probes]).apply("".join))
                       if probes else None)

        def bootstrap(first: bool):
            return m1.private_ip.apply(lambda ip: scripts.bootstrap_script(
                "manager-1", ip, managers=len(managers), first=first, wait_seconds=wait, marker=marker))

        # create runs once, on the swarm's first `pulumi up`; every later run of this command
        # (manager-1 replaced, a probe answering differently) is its update, which never
        # initialises a second swarm while another configured manager could hold the first.
        # With `update` set, a changed trigger (manager-1's engine) runs the update, not a
        # replacement (pulumi_command 1.2 CommandArgs.triggers and .update docs, read 2026-12-02).
        init = m1.run(f"{name}-init", bootstrap(True), update=bootstrap(False), stdin=probe_lines,
                      secret_stdout=True, depends_on=probes)
        boot = pulumi.Output.secret(init.stdout).apply(json.loads)
        token_for = {
            "manager": pulumi.Output.secret(boot.apply(lambda t: t["managerToken"] + "\n")),
            "worker": pulumi.Output.secret(boot.apply(lambda t: t["workerToken"] + "\n")),
        }
        # The swarm's identity is not secret: join scripts compare it with the node's swarm.
        cluster_id = pulumi.Output.unsecret(boot.apply(lambda b: b["clusterId"]))
        manager_ids = pulumi.Output.unsecret(boot.apply(lambda b: list(b["managerIds"])))
        manager_ips = pulumi.Output.all(*[by_name[n].private_ip for n in managers])
        self.cluster_id = cluster_id
        node_ids: dict[str, pulumi.Output[str]] = {"manager-1": pulumi.Output.from_input("self")}
        previous_manager = init
        for node in node_set.nodes[1:]:
            script = pulumi.Output.all(node.private_ip, manager_ips, cluster_id, manager_ids).apply(
                lambda a, n=node.name: scripts.join_script(n, a[0], a[1], cluster_id=a[2], manager_ids=a[3],
                                                           wait_seconds=wait, marker=marker))
            after = [previous_manager] if node.joins_as == "manager" else [init]
            join = node.run(f"{name}-{node.name}-join", script, stdin=token_for[node.joins_as],
                            depends_on=after)
            if node.joins_as == "manager":
                previous_manager = join
            node_ids[node.name] = join.stdout.apply(lambda s: s.strip())
            # When the node is scaled away, Pulumi deletes these two after every update (the
            # reconcile has demoted and drained the node by then) and before the node's host:
            # first `leave`, on the node itself, then `forget`, on manager-1, which removes the
            # entry once the node is down. Each acts only on the node ID it was created for, so
            # the delete of a replaced node's commands never touches its successor.
            node_id = node_ids[node.name]
            forget = m1.run(
                f"{name}-{node.name}-forget", f"# the swarm removes {node.name} when this is deleted\n",
                delete=node_id.apply(lambda i: scripts.forget_script("manager-1", i, marker=marker)),
                triggers=[node_id], depends_on=[join])
            node.run(f"{name}-{node.name}-leave", f"# {node.name} leaves the swarm when this is deleted\n",
                     delete=node_id.apply(lambda i, n=node.name: scripts.leave_script(n, i, marker=marker)),
                     triggers=[node_id], depends_on=[forget])
        self.node_ids = node_ids
        self.probes = probes
        self.init = init

        def reconcile_text(ids: list[str]) -> str:
            specs = [
                scripts.NodeSpec(n, i, cfg.role_of(n), cfg.availability_of(n),
                                 dict(cfg.nodes[n].labels) if n in cfg.nodes else {})
                for n, i in zip(names, ids, strict=True)
            ]
            return scripts.reconcile_script("manager-1", specs, wait_seconds=wait, marker=marker)

        reconcile = m1.run(f"{name}-reconcile",
                           pulumi.Output.all(*[node_ids[n] for n in names]).apply(reconcile_text))
        self.reconcile = reconcile

        # --- stacks ---------------------------------------------------------------------------
        self.stacks = []
        if cfg.stacks:
            import pulumi_docker as docker

            from components.swarm.stack import SwarmStack, SwarmStackArgs

            provider = docker.Provider(
                f"{name}-manager-1",
                host=node_set.api.host,
                ca_material=node_set.api.ca_pem,
                cert_material=node_set.api.cert_pem,
                key_material=pulumi.Output.secret(node_set.api.key_pem),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[reconcile]),
            )
            self.provider = provider
            for stack in cfg.stacks:
                path = Path(stack.compose)
                self.stacks.append(SwarmStack(
                    f"{name}-{stack.name}",
                    SwarmStackArgs(name=stack.name,
                                   compose=path if path.is_absolute() else args.project_dir / path,
                                   display_path=stack.compose, profiles=stack.profiles, files=args.files),
                    opts=pulumi.ResourceOptions(parent=self, providers={"docker": provider},
                                                depends_on=[reconcile]),
                ))

        # --- converge: the update fails when a rollout's tasks never start --------------------
        services = [svc for deployed in self.stacks for svc in deployed.services.values()]
        self.converge = None
        if services:
            # A service that is never restarted (restart_policy none) is a one-shot job: its tasks
            # end, so it has nothing to converge to.
            wanted = {spec["name"]: _replicas(spec) for deployed in self.stacks
                      for spec in deployed.conversion.services.values()
                      if (spec["task_spec"].get("restart_policy") or {}).get("condition") != "none"}

            def converge_text(task_specs: list) -> str:
                # The services' specs as the provider reports them: a changed rollout waits again.
                digest = hashlib.sha256(json.dumps(task_specs, sort_keys=True, default=str).encode())
                return scripts.converge_script("manager-1", wanted, timeout_seconds=cfg.rollout_timeout_seconds,
                                               wait_seconds=wait, marker=marker, revision=digest.hexdigest()[:16])

            self.converge = m1.run(f"{name}-converge",
                                   pulumi.Output.all(*[svc.task_spec for svc in services]).apply(converge_text),
                                   depends_on=services)

        has_workers = any(cfg.role_of(n) == "worker" for n in names)
        for stack, deployed in zip(cfg.stacks, self.stacks, strict=True):
            for key, spec in deployed.conversion.services.items():
                constraints = spec["task_spec"].get("placement", {}).get("constraints", [])
                if not has_workers and any(c.replace(" ", "") == "node.role==worker" for c in constraints):
                    pulumi.log.warn(f"dockyard:swarm.workers: service {key} of stack {stack.name} runs on "
                                    "node.role == worker only, and this swarm has no workers: its tasks "
                                    "would stay pending", resource=self)

        # --- outputs --------------------------------------------------------------------------
        def node_out(n: str, ip: str) -> dict:
            return {"name": n, "address": ip, "role": cfg.role_of(n),
                    "availability": cfg.availability_of(n),
                    "labels": dict(cfg.nodes[n].labels) if n in cfg.nodes else {}}

        nodes_out = pulumi.Output.all(*[by_name[n].private_ip for n in names]).apply(
            lambda ips: {n: node_out(n, ip) for n, ip in zip(names, ips, strict=True)})
        public = {n.name: n.public_ip for n in node_set.nodes if n.public_ip is not None}
        if public:
            nodes_out = pulumi.Output.all(nodes_out, pulumi.Output.all(**public)).apply(
                lambda v: {n: {**d, **({"publicAddress": v[1][n]} if n in v[1] else {})}
                           for n, d in v[0].items()})
        # A dict of Outputs, not one Output: only the client key is secret, the rest stays readable.
        self.swarm = {
            "cloud": cfg.cloud,
            "managers": cfg.managers,
            "workers": cfg.workers,
            "nodes": nodes_out,
            "dockerHost": node_set.api.host,
            "caCertPem": node_set.api.ca_pem,
            "clientCertPem": node_set.api.cert_pem,
            "clientKeyPem": pulumi.Output.secret(node_set.api.key_pem),
            "publishedPorts": [f"{p}/{proto}" for p, proto in ports],
            "url": node_set.app_host.apply(lambda h: app_url(h, [(p + node_set.port_offset, proto)
                                                                 for p, proto in ports])),
            **node_set.extra_outputs,
        }
        self.register_outputs({"swarm": self.swarm})

    def _nodes(self, name: str, args: SwarmClusterArgs, names: list[str], ports) -> NodeSet:
        cfg = args.config
        if cfg.cloud == "local":
            from components.swarm.local import build_local_nodes

            return build_local_nodes(self, name, args.stack, names, ports, cfg.tls, endpoint=args.docker_endpoint,
                                     port_offset=cfg.local_port_offset)
        from components.swarm.cloud import build_cloud_nodes

        return build_cloud_nodes(self, name, args, names, ports)
