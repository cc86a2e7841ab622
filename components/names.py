"""Names derived from user input (stack names, app names) that every cloud accepts."""

import re


def dns_label(text: str, limit: int = 63) -> str:
    """``text`` as a DNS label: lowercase letters, digits and '-', at most ``limit`` characters.

    Pulumi stack names may hold uppercase letters, '.' and '_' (`Team.Dev`), which no cloud
    accepts in a VM or cluster name.
    """
    slug = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "x"


def swarm_node_host_name(stack: str, node: str) -> str:
    """The VM name of swarm node ``node`` (manager-1) of ``stack``: "<stack label>-<node>", at most
    63 characters, the node part kept whole (cutting it would give two nodes one name)."""
    return f"{dns_label(stack, 63 - len(node) - 1)}-{node}"
