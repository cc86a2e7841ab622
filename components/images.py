"""Container images by digest: a tag (``:latest`` included) is resolved once per `pulumi up`.

A tag is a moving pointer. Deployed by tag, a second `pulumi up` with nothing changed could roll
out whatever the registry serves today, with no line in the preview saying so. Resolved to its
digest, the image reference a resource receives changes exactly when the registry's image does,
and the preview shows it as a changed ``image`` (``name:tag@sha256:...``). One implementation for
every place Dockyard deploys an image by reference: swarm services (components/swarm/stack.py) and
every Kubernetes workload (components/kubernetes/objects.py). Fargate and App Service do not call
it yet: ECS and App Service document ``name:tag`` or ``name@digest``, not the combined form.

The digest comes from the registry through pulumi_docker's ``getRegistryImage`` data source
(pulumi_docker 5.2.0, ``get_registry_image``: "Reads the image metadata from a Docker Registry",
output ``sha256_digest``; SDK docstring read 2026-12-03). It asks the registry, not a Docker
engine; a private registry needs the default Docker provider's ``docker:registryAuth``.
"""

from __future__ import annotations

import pulumi


def is_pinned(reference: str) -> bool:
    """True when the reference names its content already (``...@sha256:<hex>``): never resolved."""
    return "@" in reference


def with_tag(reference: str) -> str:
    """The reference with its tag spelled out: a bare name means ``:latest``, as ``docker pull``
    reads it (a ``:`` in the first part only is a registry port, ``localhost:5000/app``)."""
    last = reference.rsplit("/", 1)[-1]
    return reference if ":" in last else f"{reference}:latest"


def pin_image(reference: str, opts: pulumi.InvokeOptions | None = None) -> pulumi.Input[str]:
    """``name:tag@sha256:<digest>`` for a reference by tag; a reference by digest unchanged."""
    if is_pinned(reference):
        return reference
    import pulumi_docker as docker

    tagged = with_tag(reference)
    found = docker.get_registry_image_output(name=tagged, opts=opts)
    return found.sha256_digest.apply(lambda digest: f"{tagged}@{digest}")


__all__ = ["is_pinned", "pin_image", "with_tag"]
