"""Docker swarms: SwarmCluster (nodes, bootstrap, roles) and SwarmStack (compose stacks).

Per-cloud modules (cloud networking, load balancers) are imported only by the stacks that use
that cloud; a `local` swarm imports pulumi_docker and pulumi_command only.
"""

from components.swarm.cluster import SwarmCluster, SwarmClusterArgs

__all__ = ["SwarmCluster", "SwarmClusterArgs"]
