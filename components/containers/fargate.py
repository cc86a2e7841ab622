"""FargateApp: one app (one image, or every service of a compose file) on AWS Fargate behind an ALB.

What the ECS first-run wizard clicked together in Mastering Docker chapter 10 (a cluster, the
``cluster-task`` task definition in awsvpc mode with the ecsTaskExecutionRole, a service), plus
what the wizard left out: a load balancer, so the app has a stable URL instead of a task IP that
changes on every deployment; security groups that let only the load balancer reach the tasks;
logs with a retention; a circuit breaker that rolls a failed deployment back.

Facts used (AWS docs): Fargate tasks must use the ``awsvpc`` network mode, where a port mapping's
``hostPort`` must equal its ``containerPort`` (ECS developer guide, "Task definition parameters",
portMappings); ALB target groups for awsvpc tasks use target type ``ip``; the managed policy
``service-role/AmazonECSTaskExecutionRolePolicy`` is what the execution role needs to pull public
images and write logs ("Amazon ECS task execution IAM role"); reading SecureString parameters for
``secrets`` additionally needs ``ssm:GetParameters`` on those parameters ("Pass sensitive data to
an Amazon ECS container"), which we grant as an inline policy scoped to exactly those ARNs so the
role's policy *attachments* stay exactly the managed policy.

A multi-service compose file becomes one ECS service per compose service, as the retired Docker
Compose ECS integration did: Cloud Map (a private DNS namespace) registers each service, Service
Connect lets them call each other by compose name, and only services with published ports get a
listener on the load balancer.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.images import pin_image
from components.names import aws_managed_arn

TASK_EXECUTION_POLICY = "policy/service-role/AmazonECSTaskExecutionRolePolicy"


def managed_policy_arn(region: str, policy: str = TASK_EXECUTION_POLICY) -> str:
    return aws_managed_arn(region, "iam", policy)


# Name limits the logical names can break (a DNS-label app name is up to 63 characters, a compose
# service name may hold '_' and '.'): ALB and target group names are at most 32 alphanumerics or
# hyphens, and an ALB's must not begin with "internal-" (ELB API reference, CreateLoadBalancer and
# CreateTargetGroup, Name); IAM role names at most 64 (IAM API reference, CreateRole, RoleName).
ELB_NAME_MAX = 32
ROLE_NAME_MAX = 64
AUTONAME_SUFFIX = 8  # Pulumi's auto-name: the logical name, "-" and 7 random characters


def fitted_name(logical: str, limit: int, invalid: str = r"[^A-Za-z0-9-]+", load_balancer: bool = False) -> str | None:
    """None when Pulumi's auto-name of ``logical`` is a valid name; otherwise an explicit name that
    is: the cleaned logical name, cut, plus a hash of project, stack and logical name."""
    clean = re.sub(invalid, "-", logical).strip("-")
    if load_balancer and clean.lower().startswith("internal-"):
        clean = "x" + clean
    if clean == logical and len(logical) + AUTONAME_SUFFIX <= limit:
        return None
    seed = f"{pulumi.get_project()}/{pulumi.get_stack()}/{logical}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:AUTONAME_SUFFIX - 1]
    return f"{clean[:limit - AUTONAME_SUFFIX].rstrip('-')}-{digest}"


def _assume_role_policy(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        },
        sort_keys=True,
    )


@dataclass
class FargateService:
    """One ECS service of the app: a compose service, or the app's single image.

    ``container`` is an ECS container definition as the compose converter makes it (name, image,
    essential, portMappings, environment, healthCheck, ...). The component adds what depends on
    resources it creates: ``logConfiguration`` and ``secrets``.
    """

    name: str
    container: dict[str, Any]
    cpu: int
    memory: int
    replicas: int = 1
    # (listener port on the load balancer, container port) for each published port.
    published: list[tuple[int, int]] = field(default_factory=list)
    health_check_path: str = "/"
    # Environment variable name -> secret value (a pulumi secret Output).
    secrets: dict[str, Any] = field(default_factory=dict)

    @property
    def container_ports(self) -> list[int]:
        return sorted({int(m["containerPort"]) for m in self.container.get("portMappings", [])})


@dataclass
class FargateAppArgs:
    services: list[FargateService]
    region: str
    public: bool = True
    vpc_id: str | None = None
    subnet_ids: list[str] | None = None
    # Tasks need a route to the image registry: in the default VPC (public subnets, no NAT) that
    # is a public IP. The task security group still admits only the load balancer.
    assign_public_ip: bool | None = None
    log_retention_days: int = 30
    namespace: str | None = None  # Cloud Map namespace for multi-service apps (default <app>.local)


class FargateApp(pulumi.ComponentResource):
    """An app on ECS Fargate behind an Application Load Balancer; output ``url``."""

    url: pulumi.Output[str | None]

    def __init__(self, name: str, args: FargateAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:FargateApp", name, None, opts)
        if not args.services:
            raise ValueError("FargateApp needs at least one service")
        child = pulumi.ResourceOptions(parent=self)
        invoke_opts = pulumi.InvokeOptions(parent=self)

        # --- network: a VPC you name, or the region's default VPC ---------------------------------
        if args.vpc_id:
            vpc = aws.ec2.get_vpc_output(id=args.vpc_id, opts=invoke_opts)
            subnet_filters = [{"name": "vpc-id", "values": [args.vpc_id]}]
        else:
            vpc = aws.ec2.get_vpc_output(default=True, opts=invoke_opts)
            subnet_filters = [
                {"name": "vpc-id", "values": [vpc.id]},
                {"name": "default-for-az", "values": ["true"]},
            ]
        subnet_ids = (
            args.subnet_ids
            if args.subnet_ids
            else aws.ec2.get_subnets_output(filters=subnet_filters, opts=invoke_opts).ids
        )
        assign_public_ip = (not args.vpc_id) if args.assign_public_ip is None else args.assign_public_ip

        # --- cluster and logs ---------------------------------------------------------------------
        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[{"name": "containerInsights", "value": "enabled"}],
            opts=child,
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=args.log_retention_days, opts=child
        )

        # --- IAM: the execution role (ECS agent: pull, logs, secrets) and the task role (the app) --
        execution_role = aws.iam.Role(
            f"{name}-execution",
            name=fitted_name(f"{name}-execution", ROLE_NAME_MAX, r"[^\w+=,.@-]+"),
            assume_role_policy=_assume_role_policy("ecs-tasks.amazonaws.com"),
            description=f"ECS task execution role of {name}: pull images, write logs, read its secrets",
            opts=child,
        )
        policy_arn = managed_policy_arn(args.region)
        aws.iam.RolePolicyAttachment(
            f"{name}-execution-policy", role=execution_role.name, policy_arn=policy_arn, opts=child
        )
        # Enforce "exactly this managed policy": attachments added out of band are removed.
        aws.iam.RolePolicyAttachmentsExclusive(
            f"{name}-execution-exclusive",
            role_name=execution_role.name,
            policy_arns=[policy_arn],
            opts=child,
        )
        task_role = aws.iam.Role(
            f"{name}-task",
            name=fitted_name(f"{name}-task", ROLE_NAME_MAX, r"[^\w+=,.@-]+"),
            assume_role_policy=_assume_role_policy("ecs-tasks.amazonaws.com"),
            description=f"Role of {name}'s containers; no permissions until the app needs some",
            opts=child,
        )

        # Secret settings: SecureString parameters, read by the execution role at task start, so
        # their values never appear in the task definition.
        stack = pulumi.get_stack()
        parameters: dict[str, dict[str, aws.ssm.Parameter]] = {}
        for svc in args.services:
            for var in sorted(svc.secrets):
                prefix = f"{name}-{svc.name}" if len(args.services) > 1 else name
                parameters.setdefault(svc.name, {})[var] = aws.ssm.Parameter(
                    f"{prefix}-secret-{var}",
                    name=f"/dockyard/{stack}/{name}/{svc.name}/{var}",
                    type="SecureString",
                    value=pulumi.Output.secret(svc.secrets[var]),
                    description=f"{var} of {name}/{svc.name}",
                    opts=child,
                )
        all_parameters = [p for by_var in parameters.values() for p in by_var.values()]
        if all_parameters:
            aws.iam.RolePolicy(
                f"{name}-execution-secrets",
                role=execution_role.name,
                policy=pulumi.Output.all(*[p.arn for p in all_parameters]).apply(
                    lambda arns: json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": sorted(arns)}
                            ],
                        },
                        sort_keys=True,
                    )
                ),
                opts=child,
            )

        # --- security groups: world -> LB (listener ports), LB -> tasks (container ports) ----------
        listeners = sorted({lp for svc in args.services for lp, _ in svc.published})
        targets = sorted({cp for svc in args.services for _, cp in svc.published})
        # No published port, no load balancer (and no group for one).
        lb_sg = (
            aws.ec2.SecurityGroup(f"{name}-lb", vpc_id=vpc.id, description=f"{name}: load balancer", opts=child)
            if listeners
            else None
        )
        tasks_sg = aws.ec2.SecurityGroup(
            f"{name}-tasks", vpc_id=vpc.id, description=f"{name}: tasks, reachable only from the load balancer",
            opts=child,
        )
        def tcp_rule(kind, rule_name: str, sg, port: int, description: str, **source):
            """One tcp port of one security group, from/to one source: a CIDR or another group."""
            kind(rule_name, security_group_id=sg.id, ip_protocol="tcp", from_port=port, to_port=port,
                 description=description, **source, opts=child)

        ingress, egress = aws.vpc.SecurityGroupIngressRule, aws.vpc.SecurityGroupEgressRule
        clients = "0.0.0.0/0" if args.public else vpc.cidr_block
        for port in listeners:
            tcp_rule(ingress, f"{name}-lb-in-{port}", lb_sg, port,
                     "clients to the listener" + ("" if args.public else " (inside the VPC)"), cidr_ipv4=clients)
        for port in targets:
            tcp_rule(egress, f"{name}-lb-out-{port}", lb_sg, port, "load balancer to the tasks",
                     referenced_security_group_id=tasks_sg.id)
            tcp_rule(ingress, f"{name}-tasks-in-{port}", tasks_sg, port, "from the load balancer only",
                     referenced_security_group_id=lb_sg.id)
        multi = len(args.services) > 1
        if multi:
            # Services of one compose file talk to each other on their container ports, as on
            # compose's default network (published ones included: web may call api's port).
            for port in sorted({p for svc in args.services for p in svc.container_ports}):
                tcp_rule(ingress, f"{name}-tasks-peer-{port}", tasks_sg, port, "between the app services",
                         referenced_security_group_id=tasks_sg.id)
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-tasks-out",
            security_group_id=tasks_sg.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            # Rule descriptions allow only a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$* (EC2 API
            # reference, IpRange.Description): no apostrophe.
            description="image pulls, logs, secrets and the app calls out",
            opts=child,
        )

        # --- load balancer: one listener per published port -----------------------------------------
        self.load_balancer = None
        target_groups: dict[tuple[str, int], aws.lb.TargetGroup] = {}
        listener_resources: list[aws.lb.Listener] = []
        urls: dict[str, pulumi.Output[str]] = {}
        if listeners:
            # Short names are Pulumi's (a random suffix: old and new coexist, created first). A
            # long one is a fixed hash (fitted_name), unique per account and region: then the load
            # balancer and its target groups are replaced delete-first (the listeners with them).
            lb_name = fitted_name(f"{name}-alb", ELB_NAME_MAX, load_balancer=True)
            lb = aws.lb.LoadBalancer(
                f"{name}-alb",
                name=lb_name,
                load_balancer_type="application",
                internal=not args.public,
                security_groups=[lb_sg.id],
                subnets=subnet_ids,
                drop_invalid_header_fields=True,
                opts=pulumi.ResourceOptions(delete_before_replace=lb_name is not None).merge(child),
            )
            self.load_balancer = lb
            for svc in args.services:
                for lp, cp in svc.published:
                    tg_name = f"{name}-{svc.name}-{cp}" if multi else f"{name}-{cp}"
                    tg_fixed = fitted_name(tg_name, ELB_NAME_MAX)
                    tg = aws.lb.TargetGroup(
                        tg_name,
                        name=tg_fixed,
                        target_type="ip",
                        protocol="HTTP",
                        port=cp,
                        vpc_id=vpc.id,
                        deregistration_delay=30,
                        health_check={
                            "enabled": True,
                            "path": svc.health_check_path,
                            "protocol": "HTTP",
                            "matcher": "200-399",
                            "interval": 15,
                            "timeout": 5,
                            "healthy_threshold": 2,
                            "unhealthy_threshold": 3,
                        },
                        opts=pulumi.ResourceOptions(delete_before_replace=tg_fixed is not None).merge(child),
                    )
                    target_groups[(svc.name, cp)] = tg
                    listener_resources.append(
                        aws.lb.Listener(
                            f"{name}-listener-{lp}",
                            load_balancer_arn=lb.arn,
                            port=lp,
                            protocol="HTTP",
                            default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
                            opts=child,
                        )
                    )
                    suffix = "" if lp == 80 else f":{lp}"
                    urls.setdefault(svc.name, lb.dns_name.apply(lambda d, s=suffix: f"http://{d}{s}"))

        # --- Cloud Map: compose services find each other by name ----------------------------------
        # A private DNS namespace with one A-record service per compose service (<name>.<namespace>
        # from anywhere in the VPC), and Service Connect in the same namespace for the short
        # compose names (<name>:<port>) inside the app's tasks; see _service_connect.
        registries: dict[str, aws.servicediscovery.Service] = {}
        self.namespace = None
        if multi:
            ns = aws.servicediscovery.PrivateDnsNamespace(
                f"{name}-ns",
                name=args.namespace or f"{name}.local",
                vpc=vpc.id,
                description=f"service discovery of {name}'s compose services",
                opts=child,
            )
            self.namespace = ns
            for svc in args.services:
                registries[svc.name] = aws.servicediscovery.Service(
                    f"{name}-{svc.name}-discovery",
                    name=svc.name,
                    dns_config={
                        "namespace_id": ns.id,
                        "routing_policy": "MULTIVALUE",
                        "dns_records": [{"type": "A", "ttl": 10}],
                    },
                    health_check_custom_config={"failure_threshold": 1},
                    force_destroy=True,
                    opts=child,
                )

        # --- task definitions and services ----------------------------------------------------------
        self.services: dict[str, aws.ecs.Service] = {}
        self.task_definitions: dict[str, aws.ecs.TaskDefinition] = {}
        for svc in args.services:
            prefix = f"{name}-{svc.name}" if multi else name
            secrets = parameters.get(svc.name, {})
            container = _with_port_names(svc) if multi else svc.container
            # By digest (components/images.py): a moved tag shows as a changed task definition.
            image = pin_image(container["image"], invoke_opts, keep_tag=False)
            definitions = pulumi.Output.all(
                image, logs.name, *[secrets[v].arn for v in sorted(secrets)]
            ).apply(
                lambda vals, c=container, svc=svc, names=sorted(secrets): _container_definitions_json(
                    {**c, "image": vals[0]}, vals[1], args.region, svc.name,
                    dict(zip(names, vals[2:], strict=True)),
                )
            )
            task = aws.ecs.TaskDefinition(
                f"{prefix}-task",
                family=prefix,
                requires_compatibilities=["FARGATE"],
                network_mode="awsvpc",
                cpu=str(svc.cpu),
                memory=str(svc.memory),
                execution_role_arn=execution_role.arn,
                task_role_arn=task_role.arn,
                runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
                container_definitions=definitions,
                opts=child,
            )
            self.task_definitions[svc.name] = task
            load_balancers = [
                {"target_group_arn": target_groups[(svc.name, cp)].arn,
                 "container_name": svc.container["name"], "container_port": cp}
                for _, cp in svc.published
            ]
            service_opts = pulumi.ResourceOptions(parent=self, depends_on=listener_resources)
            self.services[svc.name] = aws.ecs.Service(
                f"{prefix}-service",
                cluster=cluster.arn,
                task_definition=task.arn,
                launch_type="FARGATE",
                desired_count=svc.replicas,
                deployment_circuit_breaker={"enable": True, "rollback": True},
                deployment_minimum_healthy_percent=100,
                deployment_maximum_percent=200,
                network_configuration={
                    "subnets": subnet_ids,
                    "security_groups": [tasks_sg.id],
                    "assign_public_ip": assign_public_ip,
                },
                load_balancers=load_balancers or None,
                health_check_grace_period_seconds=60 if load_balancers else None,
                service_registries=(
                    {"registry_arn": registries[svc.name].arn} if svc.name in registries else None
                ),
                service_connect_configuration=(
                    _service_connect(svc, container, self.namespace, logs.name, args.region) if multi else None
                ),
                propagate_tags="SERVICE",
                enable_ecs_managed_tags=True,
                enable_execute_command=False,
                wait_for_steady_state=False,
                opts=service_opts,
            )

        self.cluster = cluster
        self.log_group = logs
        self.execution_role = execution_role
        self.task_role = task_role
        self.lb_security_group = lb_sg
        self.tasks_security_group = tasks_sg
        first = next((urls[s.name] for s in args.services if s.name in urls), None)
        self.url = first if first is not None else pulumi.Output.from_input(None)
        self.urls = urls
        self.register_outputs(
            {
                "url": self.url,
                "urls": urls,
                "cluster": cluster.name,
                "logGroup": logs.name,
            }
        )


def _port_name(service: str, port: int) -> str:
    return f"{service.lower().replace('_', '-').replace('.', '-')}-{port}"


def _with_port_names(svc: FargateService) -> dict[str, Any]:
    """Name each tcp port mapping: Service Connect refers to ports by name."""
    container = dict(svc.container)
    container["portMappings"] = [
        {**m, "name": _port_name(svc.name, m["containerPort"])} if m.get("protocol", "tcp") == "tcp" else m
        for m in svc.container.get("portMappings", [])
    ]
    return container


def _service_connect(svc: FargateService, container: dict, namespace, log_group, region: str) -> dict:
    """Service Connect in the app's Cloud Map namespace: other services reach this one at
    ``<compose name>:<port>``, the short name compose gives them (ECS writes the alias into each
    client task and proxies the connection). ECS docs, ServiceConnectConfiguration: any namespace
    type is supported. Services without ports are clients only."""
    services = [
        {
            "port_name": m["name"],
            # The Cloud Map service Service Connect creates; the DNS registry already uses svc.name.
            "discovery_name": m["name"],
            "client_alias": [{"port": m["containerPort"], "dns_name": svc.name.lower()}],
        }
        for m in container.get("portMappings", [])
        if "name" in m
    ]
    return {
        "enabled": True,
        "namespace": namespace.arn,
        "services": services or None,
        "log_configuration": {
            "log_driver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": f"{svc.name}-connect",
            },
        },
    }


def _container_definitions_json(
    container: dict[str, Any], log_group: str, region: str, stream_prefix: str, secret_arns: dict[str, str]
) -> str:
    """The task's containerDefinitions: the converter's definition plus logs and secrets."""
    definition = dict(container)
    definition["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group,
            "awslogs-region": region,
            "awslogs-stream-prefix": stream_prefix,
        },
    }
    if secret_arns:
        definition["secrets"] = [{"name": k, "valueFrom": v} for k, v in sorted(secret_arns.items())]
    return json.dumps([definition], sort_keys=True)
