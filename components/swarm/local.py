"""Local swarm nodes: Docker-in-Docker containers on a private bridge network of your own engine.

``pulumi up -s local`` on a laptop that has nothing but Docker: each node is a privileged
``docker:dind`` container (the image Docker publishes for exactly this), named
``dockyard-<stack>-<node>``, with hostname ``<node>`` so ``docker node ls`` reads like the book.

Secure by default, as on the clouds: each node's dockerd listens on the unix socket and on 2376
with ``--tlsverify`` only (never 2375), with a server certificate from one per-swarm CA
(components.tls, the same code DockerHost uses); the entrypoint's own certificate generation is
switched off (``DOCKER_TLS_CERTDIR=``) so that a missing file can never fall back to plain TCP.
Only manager-1's API is published, on 127.0.0.1 and a port fixed per stack, for SwarmStack's provider;
the other nodes' APIs are reachable on the private bridge only. Published app ports are bound to
127.0.0.1 on manager-1, each moved by ``swarm.localPortOffset`` (default 8000: the cluster app's 80
on 8080, so `local` and `local-k8s` — Docker Desktop serves LoadBalancer services on localhost:80 —
can run side by side); the routing mesh inside the swarm reaches every task.

One engine: the endpoint is resolved once (components.config.docker_endpoint: DOCKER_HOST, else
the current docker context) and handed both to an explicit Docker provider for the node
containers and to every ``docker exec``, so they cannot land on two engines (Docker Desktop next
to Docker Engine, Colima).

Scripts run with ``docker --host <endpoint> exec -i <node> sh -c <script>``: the script then talks
to the node's own unix socket exactly as on a cloud node reached by SSH, no client key has to be
written to the laptop's disk, and the join token travels on stdin. Local nodes have no
provisioning, so the scripts do not wait for a provisioning marker.

/var/lib/docker of each node is a named volume, so replacing a container (new certificates, a
new dind image) keeps the node's swarm identity and state. Node addresses are static (the
network has a fixed subnet derived from the stack name): a swarm stores each node's advertised
address, and Docker would otherwise hand out addresses anew when the laptop restarts the
containers in a different order.
"""

from __future__ import annotations

import hashlib
import ipaddress

import pulumi
import pulumi_command as command
import pulumi_docker as docker

from components.swarm.nodes import ManagerApi, NodeSet, SwarmNode
from components.tls import DockerCa, DockerTls, DockerTlsArgs, certificate_parameters

#: The Docker-in-Docker image (Docker Hub "docker", dind variant), pinned to a major version that
#: docker-library still builds: library/docker in docker-library/official-images lists 29.x only
#: (commit 37079fb, read 2026-12-02); 28.x was dropped in November 2025 and gets no fixes.
DIND_IMAGE = "docker:29-dind"
TLS_DIR = "/etc/docker/tls"
API_PORT = 2376


def local_subnet(stack: str) -> ipaddress.IPv4Network:
    """A /24 in 10.210.0.0-10.249.255.0 chosen by the stack name, so two stacks do not collide."""
    digest = hashlib.sha256(stack.encode()).digest()
    return ipaddress.ip_network(f"10.{210 + digest[0] % 40}.{digest[1]}.0/24")


def api_port(stack: str) -> int:
    """manager-1's API port on 127.0.0.1, fixed per stack in 23760-23999 (an ephemeral port would
    change when Docker restarts the container, and the stack's provider would point at the old one)."""
    digest = hashlib.sha256(stack.encode()).digest()
    return 23760 + int.from_bytes(digest[2:4], "big") % 240


def node_address(subnet: ipaddress.IPv4Network, index: int) -> str:
    return str(subnet.network_address + 10 + index)


def dockerd_command() -> list[str]:
    """dockerd flags of a dind node: unix socket + mutual TLS on 2376 (never 2375)."""
    return [
        "dockerd",
        "--host=unix:///var/run/docker.sock",
        f"--host=tcp://0.0.0.0:{API_PORT}",
        "--tlsverify",
        f"--tlscacert={TLS_DIR}/ca.pem",
        f"--tlscert={TLS_DIR}/server-cert.pem",
        f"--tlskey={TLS_DIR}/server-key.pem",
    ]


def build_local_nodes(parent: pulumi.Resource, name: str, stack: str, node_names: list[str],
                      published_ports: list[tuple[int, str]], tls_config, endpoint=None,
                      port_offset: int = 8000) -> NodeSet:
    """Nodes on ``endpoint`` (components.config.DockerEndpoint; None: the default socket)."""
    from components.config import DockerEndpoint

    endpoint = endpoint or DockerEndpoint("unix:///var/run/docker.sock")
    # An explicit provider, not the default one: the default reads DOCKER_HOST but not the docker
    # context, and `docker exec` reads both. Moving existing nodes onto it does not replace them:
    # the engine asks the provider's DiffConfig for explicit providers too (pulumi/pulumi#18509,
    # merged 2025-02, read 2026-12-02).
    engine = docker.Provider(f"{name}-engine", host=endpoint.host, cert_path=endpoint.cert_path,
                             opts=pulumi.ResourceOptions(parent=parent))
    child = pulumi.ResourceOptions(parent=parent, provider=engine)
    prefix = f"dockyard-{stack}"
    subnet = local_subnet(stack)
    # The network, each node's volume and container have fixed names (and the network a fixed
    # subnet, each container a fixed address) on one engine, so a replacement could not coexist
    # with the old one: all are replaced delete-first. pulumi-docker deletes a container first by
    # itself (provider/resources.go, docker_container DeleteBeforeReplace, read 2026-12-03); it is
    # stated here too so the preview shows it. A container that a replaced network or volume
    # replaces goes before it (Pulumi deletes dependent replacements first).
    delete_first = child.merge(pulumi.ResourceOptions(delete_before_replace=True))
    network = docker.Network(
        f"{name}-net",
        name=f"{prefix}-swarm",
        driver="bridge",
        ipam_configs=[docker.NetworkIpamConfigArgs(subnet=str(subnet), gateway=str(subnet.network_address + 1))],
        # Swarm traffic (2377, 7946, 4789) stays on this bridge: nothing is published for it.
        labels=[docker.NetworkLabelArgs(label="dockyard.swarm", value=name)],
        opts=delete_first,
    )
    image = docker.RemoteImage(f"{name}-dind-image", name=DIND_IMAGE, keep_locally=True, opts=child)
    ca = DockerCa(f"{name}-ca", certificate_parameters(f"{prefix}-swarm",
                                                      validity_hours=tls_config.validity_hours,
                                                      early_renewal_hours=tls_config.early_renewal_hours),
                  opts=child)

    nodes: list[SwarmNode] = []
    api = None
    for index, node in enumerate(node_names):
        cname = f"{prefix}-{node}"
        address = node_address(subnet, index)
        certs = DockerTls(
            f"{name}-{node}-tls",
            DockerTlsArgs.from_config(cname, tls_config, private_ip=address, dns_names=[node, cname], ca=ca),
            opts=child,
        )
        volume = docker.Volume(f"{name}-{node}-data", name=f"{cname}-data", opts=delete_first)
        ports = []
        if node == "manager-1":
            ports.append(docker.ContainerPortArgs(internal=API_PORT, external=api_port(stack), ip="127.0.0.1"))
            for port, proto in published_ports:
                ports.append(docker.ContainerPortArgs(internal=port, external=port + port_offset,
                                                      ip="127.0.0.1", protocol=proto))
        container = docker.Container(
            f"{name}-{node}",
            name=cname,
            hostname=node,
            image=image.image_id,
            privileged=True,  # dind needs it: it mounts cgroups and manages iptables
            restart="unless-stopped",
            envs=["DOCKER_TLS_CERTDIR="],
            command=dockerd_command(),
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=network.name, aliases=[node],
                                                                   ipv4_address=address)],
            volumes=[docker.ContainerVolumeArgs(volume_name=volume.name, container_path="/var/lib/docker")],
            uploads=[
                docker.ContainerUploadArgs(file=f"{TLS_DIR}/ca.pem", content=certs.ca_cert_pem),
                docker.ContainerUploadArgs(file=f"{TLS_DIR}/server-cert.pem", content=certs.server_cert_pem),
                docker.ContainerUploadArgs(file=f"{TLS_DIR}/server-key.pem", content=certs.server_key_pem,
                                           permissions="0600"),
            ],
            ports=ports,
            labels=[docker.ContainerLabelArgs(label="dockyard.swarm.node", value=node)],
            opts=delete_first,
        )
        # The container's address as Docker reports it (the static one, once it exists).
        private_ip = container.network_datas.apply(lambda nd, a=address: nd[0].ip_address or a)
        nodes.append(SwarmNode(node, private_ip, None, _runner(parent, container, endpoint), [container],
                               engine_id=container.id))
        if node == "manager-1":
            published = container.ports.apply(
                lambda ps: next(p.external for p in ps if p.internal == API_PORT))
            api = ManagerApi(
                host=published.apply(lambda p: f"tcp://127.0.0.1:{int(p)}"),
                ca_pem=certs.ca_cert_pem,
                cert_pem=certs.client_cert_pem,
                key_pem=certs.client_key_pem,
            )
    return NodeSet(nodes, api, pulumi.Output.from_input("127.0.0.1"),
                   extra_outputs={"network": network.name, "dockerEndpoint": endpoint.host},
                   marker=None, port_offset=port_offset)


def _runner(parent: pulumi.Resource, container: docker.Container, endpoint):
    cli = ["docker", *endpoint.cli_args()]

    def run(resource_name: str, script, *, update=None, delete=None, stdin=None, secret_stdout: bool = False,
            depends_on=(), triggers=()) -> command.local.Command:
        return command.local.Command(
            resource_name,
            interpreter=container.name.apply(lambda n: [*cli, "exec", "-i", n, "sh", "-c"]),
            create=script,
            update=update,
            delete=delete,
            stdin=stdin,
            # Never hand the previous stdout (the init command's tokens) to the next run's env.
            add_previous_output_in_env=False,
            # A replaced container (new certificates, new image) runs the idempotent script again.
            triggers=[container.id, *triggers],
            logging=command.local.Logging.STDERR if secret_stdout else None,
            opts=pulumi.ResourceOptions(
                parent=parent, depends_on=[container, *depends_on],
                additional_secret_outputs=["stdout"] if secret_stdout else None,
            ),
        )

    return run
