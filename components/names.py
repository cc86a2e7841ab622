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


#: The ARN partitions: China regions (cn-north-1, cn-northwest-1) are aws-cn, GovCloud regions
#: (us-gov-west-1, us-gov-east-1) aws-us-gov, every other region aws; an ARN names its partition
#: and IAM refuses one of another partition (AWS docs, "Identify AWS resources with Amazon
#: Resource Names (ARNs)", partition, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html,
#: read 2026-12-03).
AWS_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def aws_partition(region: str | None) -> str:
    """The ARN partition of an AWS region."""
    region = region or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def aws_managed_arn(region: str | None, service: str, resource: str) -> str:
    """The ARN of an AWS-managed object (``iam``, ``policy/...``) in ``region``'s partition."""
    return f"arn:{aws_partition(region)}:{service}::aws:{resource}"
