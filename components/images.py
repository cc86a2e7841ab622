"""Container images by digest: a tag (``:latest`` included) is resolved once per `pulumi up`.

A tag is a moving pointer. Deployed by tag, a second `pulumi up` with nothing changed could roll
out whatever the registry serves today, with no line in the preview saying so. Resolved to its
digest, the image reference a resource receives changes exactly when the registry's image does,
and the preview shows it as a changed ``image`` (``name:tag@sha256:...``). One implementation for
every place Dockyard deploys an image by reference: swarm services (components/swarm/stack.py) and
every Kubernetes workload (components/kubernetes/objects.py), and Fargate task definitions
(components/containers/fargate.py) as ``name@sha256:...`` (``keep_tag=False``): the ECS container
definition's ``image`` is ``repository-url/image:tag`` or ``repository-url/image@digest``, not both
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
#container_definition_image; the same text read 2026-12-03 in the AWS SDK for Kotlin reference,
ContainerDefinition.image, through a search index: the page itself was not fetched, the machine is
offline). App Service stays by tag: a search of Microsoft Learn on 2026-12-03 ("Configure a custom
container for Azure App Service") showed no digest form for ``linuxFxVersion`` (``DOCKER|<image>``)
in the excerpts read; the preview warns about each image it deploys by tag instead.

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


def without_tag(reference: str) -> str:
    """The repository alone: ``name:tag`` or ``name:tag@digest`` without ``:tag`` and ``@digest``."""
    name = reference.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]


def pin_image(reference: str, opts: pulumi.InvokeOptions | None = None, *,
              keep_tag: bool = True) -> pulumi.Input[str]:
    """``name:tag@sha256:<digest>`` for a reference by tag; a reference by digest unchanged.
    ``keep_tag=False`` gives ``name@sha256:<digest>`` for targets that take no combined form (ECS)."""
    if is_pinned(reference):
        if keep_tag:
            return reference
        return f"{without_tag(reference)}@{reference.split('@', 1)[1]}"
    import pulumi_docker as docker

    tagged = with_tag(reference)
    found = docker.get_registry_image_output(name=tagged, opts=opts)
    pinned_name = tagged if keep_tag else without_tag(tagged)
    return found.sha256_digest.apply(lambda digest: f"{pinned_name}@{digest}")


__all__ = ["is_pinned", "pin_image", "with_tag", "without_tag"]
