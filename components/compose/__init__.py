"""Compose files: loading, validation, normalisation, and converters to swarm, Kubernetes and ECS.

Public API (pure Python, no Pulumi resources; see docs/compose.md):
    load_compose(path, *, environ=None) -> ComposeProject           raises ComposeError
    to_kubernetes(project, *, namespace=None, create_namespace=False,
                  published_service_type="ClusterIP", volume_size="1Gi",
                  storage_class=None) -> KubernetesConversion (.objects, .warnings)
    to_swarm(project, *, stack=None, network_ids=None, config_ids=None,
             secret_ids=None) -> SwarmConversion (.services, .networks, .configs, .secrets, .warnings)
    to_ecs(project, *, services=None, log_configuration=None) -> EcsConversion (.services, .warnings)
The Fargate size table: components.compose.fargate_sizes. Helpers for a component's own
warnings: field_path(service, *parts), resolved_environment(service, conversion, target).
"""

from components.compose._common import field_path, resolved_environment
from components.compose.loader import load_compose
from components.compose.model import ComposeProject, Conversion, Service
from components.compose.to_ecs import EcsConversion, EcsService, to_ecs
from components.compose.to_kubernetes import KubernetesConversion, to_kubernetes
from components.compose.to_swarm import SwarmConversion, to_swarm

__all__ = ["load_compose", "ComposeProject", "Service", "Conversion", "field_path", "resolved_environment", "to_kubernetes", "KubernetesConversion",
           "to_swarm", "SwarmConversion", "to_ecs", "EcsConversion", "EcsService"]
