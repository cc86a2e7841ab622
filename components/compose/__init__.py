"""Compose files: loading, validation, normalisation, and converters to swarm, Kubernetes and ECS.

Public API (pure Python, no Pulumi resources):
    load_compose(path, *, environ=None) -> ComposeProject
    to_kubernetes(project, *, namespace=None, ...) -> KubernetesConversion
    to_swarm(project, *, stack, ...) -> SwarmConversion
    to_ecs(project, *, services=None, log_configuration=None) -> EcsConversion
The Fargate size table lives in components.compose.fargate_sizes.
"""

from components.compose.loader import load_compose
from components.compose.model import ComposeProject, Service

__all__ = ["load_compose", "ComposeProject", "Service"]
