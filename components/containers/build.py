"""From validated `dockyard:containers` entries to FargateApp / AppServiceApp components.

The app definition is either an image or a compose service; both become the normalised compose
model (components.compose.model), so one converter (components.compose.to_ecs) makes every ECS
container definition and one table (components.compose.fargate_sizes) decides every task size.
The cloud SDKs are imported only when an app uses that platform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from components.compose.model import ComposeProject, Port, Service
from components.images import is_pinned

DEFAULT_LISTENER_PORT = 80
# Compose fields an App Service app takes (the rest are warned about by name).
TARGET = "App Service"
APPSERVICE_MAPPED = {"image", "ports", "expose", "environment", "env_file", "healthcheck", "deploy"}


def image_project(app) -> ComposeProject:
    """An image-only app as a one-service compose project: published on 80, listening on `port`."""
    service = Service(
        name=app.name,
        image=app.image,
        ports=[Port(target=app.port, published=DEFAULT_LISTENER_PORT)],
        environment={},
    )
    return ComposeProject(name=app.name, path=Path(f"image {app.image}"),
                          services={app.name: service})


def load_app_project(app, project_dir: Path | None = None, files=None) -> ComposeProject:
    """The app's compose project; a relative path is the project's (the working directory, where
    Pulumi runs the program)."""
    if app.compose is None:
        return image_project(app)
    from components.compose import load_compose

    path = Path(app.compose)
    return load_compose(path if path.is_absolute() else (project_dir or Path.cwd()) / path, profiles=app.profiles,
                        files=files)


def selected_services(app, project: ComposeProject) -> list[str]:
    if app.service:
        return [app.service]
    return list(project.services)


def build_containers(cfg, project_dir: Path | None = None) -> dict[str, Any]:
    """Declare every app of the stack; returns the `containers` stack output."""
    outputs: dict[str, Any] = {}
    for index, app in enumerate(cfg.containers):
        project = load_app_project(app, project_dir, cfg.files)
        if app.platform == "fargate":
            component, extra = fargate_app(app, index, project, cfg.providers.aws_region)
        else:
            component, extra = appservice_app(app, index, project, cfg.providers.azure_location)
        outputs[app.name] = {"platform": app.platform, "url": component.url, **extra}
    return outputs


def _warn_all(app, index: int, warnings: list[str]) -> None:
    where = app.compose or f"dockyard:containers[{index}]"
    for warning in warnings:
        pulumi.log.warn(f"{where}: {warning}")


# --- Fargate ------------------------------------------------------------------------------------


def fargate_services(app, index: int, project: ComposeProject) -> tuple[list, list[str]]:
    """The FargateService specs of an app, and the warnings of the conversion."""
    from components.compose.fargate_sizes import smallest_fargate_size
    from components.compose.to_ecs import to_ecs
    from components.containers.fargate import FargateService

    names = selected_services(app, project)
    conversion = to_ecs(project, services=names)
    warnings = list(conversion.warnings)
    set_fields = app.model_fields_set
    specs = []
    for name in names:
        converted = conversion.services[name]
        container = dict(converted.container_definition)
        if app.env:
            env = {e["name"]: e["value"] for e in container.get("environment", [])}
            env.update(app.env)
            container["environment"] = [{"name": k, "value": v} for k, v in sorted(env.items())]
        cpu, memory = converted.cpu, converted.memory
        if app.cpu is not None and app.memory is not None:
            cpu, memory = app.cpu, app.memory  # validated as a Fargate pair
        elif app.cpu is not None or app.memory is not None:
            # One dimension from config, the other from the compose file, rounded to a valid pair.
            cpu, memory = smallest_fargate_size(app.cpu if app.cpu is not None else cpu,
                                                app.memory if app.memory is not None else memory)
            if (app.cpu or cpu, app.memory or memory) != (cpu, memory):
                warnings.append(f"services.{name}: cpu {app.cpu or '-'} / memory {app.memory or '-'} from "
                                f"dockyard:containers[{index}] raised to the Fargate size {cpu} / {memory} "
                                "to hold the compose file's request")
        replicas = app.replicas if "replicas" in set_fields or app.compose is None else converted.desired_count
        published = []
        for port in converted.published_ports:
            if port.protocol != "tcp":
                warnings.append(f"services.{name}.ports: {port.published}/{port.protocol} is not published; "
                                "an Application Load Balancer forwards HTTP over tcp only")
                continue
            published.append((port.published, port.target))
        specs.append(
            FargateService(
                name=name,
                container=container,
                cpu=cpu,
                memory=memory,
                replicas=replicas,
                published=published,
                health_check_path=app.health_check_path,
                secrets=dict(app.secret_values),
            )
        )
    return specs, warnings


def fargate_app(app, index: int, project: ComposeProject, region: str | None):
    from components.containers.fargate import FargateApp, FargateAppArgs

    specs, warnings = fargate_services(app, index, project)
    _warn_all(app, index, warnings)
    component = FargateApp(
        app.name,
        FargateAppArgs(
            services=specs,
            region=region or "us-east-1",
            public=app.public,
            vpc_id=app.vpc_id,
            subnet_ids=list(app.subnet_ids) or None,
            assign_public_ip=app.assign_public_ip,
            log_retention_days=app.log_retention_days,
        ),
    )
    extra: dict[str, Any] = {"cluster": component.cluster.name}
    if len(specs) > 1:
        extra["urls"] = component.urls
    return component, extra


# --- App Service ----------------------------------------------------------------------------------


def appservice_args(app, project: ComposeProject, location: str | None):
    """AppServiceAppArgs of an app, and warnings naming each compose field App Service cannot take."""
    from components.compose._common import field_path, resolved_environment
    from components.compose.model import Conversion
    from components.containers.appservice import AppServiceAppArgs
    from components.containers.skus import DEFAULT_SKU, max_instances

    name = selected_services(app, project)[0]
    service = project.services[name]
    conv = Conversion()
    env = resolved_environment(service, conv, TARGET)
    env.update(app.env)
    port = app.port
    if app.compose is not None:
        targets = [p.target for p in list(service.ports) + list(service.expose) if p.protocol == "tcp"]
        port = targets[0] if targets else 80
        if len(set(targets)) > 1:
            conv.warn(field_path(service, "ports"), f"{TARGET} routes to one port; using {port}")
    hc = service.healthcheck
    if hc is not None and not hc.disable and hc.test:
        conv.warn(field_path(service, "healthcheck"), f"{TARGET} checks health over HTTP at "
                  f"healthCheckPath ({app.health_check_path}), not with a command")
    deploy = service.deploy
    replicas = app.replicas
    if "replicas" not in app.model_fields_set and deploy.replicas is not None:
        replicas = deploy.replicas
        if replicas == 0:
            conv.warn(field_path(service, "deploy", "replicas"),
                      f"0: {TARGET} cannot scale to zero (a plan runs at least 1 instance); using 1")
            replicas = 1
    sku = app.sku or DEFAULT_SKU
    if replicas > max_instances(sku):
        conv.warn(field_path(service, "deploy", "replicas"),
                  f"{replicas} exceeds the {max_instances(sku)} instances of {sku}; using {max_instances(sku)}")
        replicas = max_instances(sku)
    res = deploy.resources
    for key, used in (
        ("resources", any(v is not None for v in (res.limits.cpus, res.limits.memory,
                                                  res.reservations.cpus, res.reservations.memory))),
        ("mode", deploy.mode != "replicated"),
        ("placement", bool(deploy.placement.constraints or deploy.placement.preferences)),
        ("restart_policy", deploy.restart_policy is not None),
        ("update_config", deploy.update_config is not None),
        ("rollback_config", deploy.rollback_config is not None),
    ):
        if used:
            why = "the plan's sku sets the size" if key == "resources" else "App Service places and restarts instances"
            conv.warn(field_path(service, "deploy", key), f"not mapped to {TARGET} ({why})")
    for key in service.keys:
        if key not in APPSERVICE_MAPPED:
            conv.warn(field_path(service, key), f"not mapped to {TARGET}")
    if not is_pinned(service.image):
        # No digest form is documented for linuxFxVersion (components/images.py): say so.
        conv.warn(field_path(service, "image"), f"{service.image!r} is deployed by tag on {TARGET} (no digest "
                  "form documented): a tag the registry moves is pulled on a restart with no change in the preview")
    warnings = list(project.warnings) + conv.warnings
    args = AppServiceAppArgs(
        image=service.image,
        location=location or "westeurope",
        port=port,
        sku=sku,
        replicas=replicas,
        env=env,
        secrets=dict(app.secret_values),
        health_check_path=app.health_check_path,
    )
    return args, warnings


def appservice_app(app, index: int, project: ComposeProject, location: str | None):
    from components.containers.appservice import AppServiceApp

    args, warnings = appservice_args(app, project, location)
    _warn_all(app, index, warnings)
    component = AppServiceApp(app.name, args)
    return component, {"resourceGroup": component.resource_group.name}
