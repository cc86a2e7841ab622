"""A compose file as the app definition on Fargate: the mapping field by field, service discovery,
and the container-definition JSON shape ECS requires.

The shape rules are written from the AWS documentation (ECS developer guide, "Amazon ECS task
definition parameters for Fargate", and the API reference, ContainerDefinition / PortMapping /
HealthCheck / LogConfiguration), independently of the converter:

* every container has ``name`` and ``image``; a task has at least one ``essential`` container;
* in awsvpc mode (the only mode on Fargate) ``hostPort`` is omitted or equals ``containerPort``;
  protocol is tcp or udp;
* parameters awsvpc/Fargate reject: links, hostname, dnsServers, dnsSearchDomains, extraHosts,
  privileged, dockerSecurityOptions;
* ``awslogs`` needs ``awslogs-group`` and ``awslogs-region``, and on Fargate ``awslogs-stream-prefix``;
* environment entries are ``{name, value}`` strings; healthCheck.command starts with CMD, CMD-SHELL
  or NONE; interval 5-300 s, timeout 2-60 s, retries 1-10, startPeriod 0-300 s.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, clear_text

from dockyard.mocks.swarm import registry_digest

# ContainerDefinition members (API reference). Anything else is rejected by RegisterTaskDefinition.
ECS_CONTAINER_KEYS = {
    "name", "image", "repositoryCredentials", "cpu", "memory", "memoryReservation", "links",
    "portMappings", "essential", "restartPolicy", "entryPoint", "command", "environment",
    "environmentFiles", "mountPoints", "volumesFrom", "linuxParameters", "secrets", "dependsOn",
    "startTimeout", "stopTimeout", "versionConsistency", "hostname", "user", "workingDirectory",
    "disableNetworking", "privileged", "readonlyRootFilesystem", "dnsServers", "dnsSearchDomains",
    "extraHosts", "dockerSecurityOptions", "interactive", "pseudoTerminal", "dockerLabels", "ulimits",
    "logConfiguration", "healthCheck", "systemControls", "resourceRequirements", "firelensConfiguration",
    "credentialSpecs",
}
NOT_ON_FARGATE = {"links", "hostname", "dnsServers", "dnsSearchDomains", "extraHosts", "privileged",
                  "dockerSecurityOptions"}
PORT_MAPPING_KEYS = {"containerPort", "hostPort", "protocol", "name", "appProtocol", "containerPortRange"}

TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
DISCOVERY = "aws:servicediscovery/service:Service"
NAMESPACE = "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def assert_ecs_shape(definitions_json: str, *, region: str, log_group: str) -> list[dict]:
    definitions = json.loads(definitions_json)
    assert isinstance(definitions, list) and definitions
    assert any(c.get("essential", True) for c in definitions)
    for c in definitions:
        assert isinstance(c["name"], str) and c["name"]
        assert isinstance(c["image"], str) and c["image"]
        assert set(c) <= ECS_CONTAINER_KEYS, set(c) - ECS_CONTAINER_KEYS
        assert not set(c) & NOT_ON_FARGATE
        for m in c.get("portMappings", []):
            assert set(m) <= PORT_MAPPING_KEYS
            assert isinstance(m["containerPort"], int) and 1 <= m["containerPort"] <= 65535
            assert m.get("hostPort", m["containerPort"]) == m["containerPort"]
            assert m.get("protocol", "tcp") in ("tcp", "udp")
        for e in c.get("environment", []):
            assert set(e) == {"name", "value"} and isinstance(e["value"], str)
        log = c["logConfiguration"]
        assert log["logDriver"] == "awslogs"
        assert log["options"]["awslogs-group"] == log_group
        assert log["options"]["awslogs-region"] == region
        assert log["options"]["awslogs-stream-prefix"]
        hc = c.get("healthCheck")
        if hc:
            assert hc["command"][0] in ("CMD", "CMD-SHELL", "NONE")
            assert 5 <= hc.get("interval", 30) <= 300
            assert 2 <= hc.get("timeout", 5) <= 60
            assert 1 <= hc.get("retries", 3) <= 10
            assert 0 <= hc.get("startPeriod", 0) <= 300
        for s in c.get("secrets", []):
            assert set(s) == {"name", "valueFrom"}
    return definitions


@pytest.fixture
def shop(run_apps):
    return run_apps([{"name": "shop", "platform": "fargate", "compose": str(FIXTURES / "three-services.yml")}])


def _by_service(result, type_, name):
    found = [r for r in result.of_type(type_) if r.name.startswith(f"shop-{name}-")]
    assert len(found) == 1, [r.name for r in result.of_type(type_)]
    return found[0]


def _container(result, name):
    task = _by_service(result, TASKDEF, name)
    log_group = result.get("aws:cloudwatch/logGroup:LogGroup").outputs["name"]
    (container,) = assert_ecs_shape(task.inputs["containerDefinitions"], region="eu-west-1", log_group=log_group)
    return task, container


def test_one_ecs_service_and_task_definition_per_compose_service(shop):
    assert len(shop.of_type(TASKDEF)) == 3
    assert len(shop.of_type(SERVICE)) == 3
    assert len(shop.of_type("aws:ecs/cluster:Cluster")) == 1
    for name in ("web", "api", "db"):
        task = _by_service(shop, TASKDEF, name)
        assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
        assert task.inputs["networkMode"] == "awsvpc"
        service = _by_service(shop, SERVICE, name)
        assert service.inputs["taskDefinition"] == task.outputs["arn"]
        assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_web_mapping_field_by_field(shop):
    task, c = _container(shop, "web")
    assert c["name"] == "web"
    assert c["image"] == "example/shop-web@" + registry_digest("example/shop-web:1.4")  # by digest
    assert c["essential"] is True
    assert [(m["containerPort"], m.get("hostPort"), m.get("protocol")) for m in c["portMappings"]] == [
        (8080, 8080, "tcp")]
    assert c["environment"] == [{"name": "API_URL", "value": "http://api:5000"}]
    assert c["healthCheck"] == {
        "command": ["CMD", "wget", "-q", "-O-", "http://localhost:8080/healthz"],
        "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 20,
    }
    # deploy.resources limits cpus 0.3 (307.2 units) / 600M -> the smallest Fargate size that
    # holds both: 512 CPU units with 1024 MiB (256 allows at most 2048 MiB but only 256 units).
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "1024")
    assert any("services.web.deploy.resources" in w and "rounded up" in w for w in shop.warnings)
    assert _by_service(shop, SERVICE, "web").inputs["desiredCount"] == 3  # deploy.replicas


def test_api_mapping_field_by_field(shop):
    task, c = _container(shop, "api")
    assert c["image"] == "example/shop-api@" + registry_digest("example/shop-api:1.4")  # by digest
    assert c["command"] == ["serve", "--port", "5000"]
    assert [m["containerPort"] for m in c["portMappings"]] == [5000]  # expose
    assert sorted((e["name"], e["value"]) for e in c["environment"]) == [("DB_HOST", "db"), ("LOG_LEVEL", "info")]
    assert "healthCheck" not in c
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("256", "512")  # no resources: the smallest task
    assert _by_service(shop, SERVICE, "api").inputs["desiredCount"] == 2


def test_db_mapping_field_by_field(shop):
    task, c = _container(shop, "db")
    assert c["image"] == "postgres@" + registry_digest("postgres:16")  # by digest
    assert c["environment"] == [{"name": "POSTGRES_DB", "value": "shop"}]
    assert c["healthCheck"]["command"] == ["CMD-SHELL", "pg_isready -U postgres"]
    assert (c["healthCheck"]["interval"], c["healthCheck"]["timeout"], c["healthCheck"]["retries"]) == (10, 3, 5)
    assert _by_service(shop, SERVICE, "db").inputs["desiredCount"] == 1


def test_only_published_services_are_behind_the_load_balancer(shop):
    web = _by_service(shop, SERVICE, "web")
    tg = shop.get("aws:lb/targetGroup:TargetGroup")
    assert web.inputs["loadBalancers"] == [{"targetGroupArn": tg.outputs["arn"], "containerName": "web",
                                            "containerPort": 8080}]
    for name in ("api", "db"):
        assert "loadBalancers" not in _by_service(shop, SERVICE, name).inputs
    listener = shop.get("aws:lb/listener:Listener")
    assert listener.inputs["port"] == 80  # the published port
    assert tg.inputs["port"] == 8080  # the container port
    assert shop.outputs["containers"]["shop"]["url"] == f"http://{shop.get('aws:lb/loadBalancer:LoadBalancer').outputs['dnsName']}"
    assert set(shop.outputs["containers"]["shop"]["urls"]) == {"web"}


def test_cloud_map_service_discovery_by_compose_name(shop):
    ns = shop.get(NAMESPACE)
    vpc_id = shop.get("aws:lb/targetGroup:TargetGroup").inputs["vpcId"]
    assert ns.inputs["vpc"] == vpc_id
    registries = {r.inputs["name"]: r for r in shop.of_type(DISCOVERY)}
    assert set(registries) == {"web", "api", "db"}
    for name, registry in registries.items():
        dns = registry.inputs["dnsConfig"]
        assert dns["namespaceId"] == ns.id
        assert dns["dnsRecords"] == [{"type": "A", "ttl": 10}]  # awsvpc tasks register their IP
        service = _by_service(shop, SERVICE, name)
        assert service.inputs["serviceRegistries"] == {"registryArn": registry.outputs["arn"]}


def test_service_connect_gives_the_short_compose_names(shop):
    """`api:5000` and `db:5432` (what the compose file's environment uses) resolve in every task."""
    ns = shop.get(NAMESPACE)
    aliases = {}
    for name in ("web", "api", "db"):
        _, c = _container(shop, name)
        sc = _by_service(shop, SERVICE, name).inputs["serviceConnectConfiguration"]
        assert sc["enabled"] is True and sc["namespace"] == ns.outputs["arn"]
        port_names = {m["name"]: m["containerPort"] for m in c["portMappings"] if "name" in m}
        for entry in sc.get("services", []):
            assert entry["portName"] in port_names  # refers to a named port of its own container
            for alias in entry["clientAlias"]:
                assert alias["port"] == port_names[entry["portName"]]
                aliases[alias["dnsName"]] = alias["port"]
        assert sc["logConfiguration"]["logDriver"] == "awslogs"
    assert aliases == {"web": 8080, "api": 5000, "db": 5432}


def test_services_reach_each_other_but_only_the_load_balancer_reaches_from_outside(shop):
    sgs = {r.name: r for r in shop.of_type("aws:ec2/securityGroup:SecurityGroup")}
    tasks_sg, lb_sg = sgs["shop-tasks"], sgs["shop-lb"]
    tasks_in = [r for r in shop.of_type(INGRESS) if r.inputs["securityGroupId"] == tasks_sg.id]
    assert all("cidrIpv4" not in r.inputs and "cidrIpv6" not in r.inputs for r in tasks_in)
    sources = {(r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in tasks_in}
    assert sources == {(8080, lb_sg.id), (8080, tasks_sg.id), (5000, tasks_sg.id), (5432, tasks_sg.id)}


def test_every_task_definition_has_the_ecs_shape(shop):
    log_group = shop.get("aws:cloudwatch/logGroup:LogGroup").outputs["name"]
    prefixes = set()
    for task in shop.of_type(TASKDEF):
        (c,) = assert_ecs_shape(task.inputs["containerDefinitions"], region="eu-west-1", log_group=log_group)
        prefixes.add(c["logConfiguration"]["options"]["awslogs-stream-prefix"])
    assert len(prefixes) == 3  # each service's logs are told apart


def test_one_service_of_a_compose_file(run_apps):
    result = run_apps([{"name": "shop", "platform": "fargate", "compose": str(FIXTURES / "three-services.yml"),
                        "service": "web"}])
    assert len(result.of_type(SERVICE)) == 1
    assert not result.of_type(NAMESPACE)  # nothing to discover
    (c,) = json.loads(result.get(TASKDEF).inputs["containerDefinitions"])
    assert c["image"] == "example/shop-web@" + registry_digest("example/shop-web:1.4")  # by digest


def test_config_overrides_compose(run_apps):
    """Config env, replicas and size win over the compose file; the size stays a valid pair."""
    result = run_apps([{"name": "hello", "platform": "fargate", "compose": str(FIXTURES / "single.yml"),
                        "env": {"MODE": "config"}, "replicas": 4, "cpu": 2048}])
    task = result.get(TASKDEF)
    # compose asks 1 vCPU / 3 GiB -> (1024, 3072); cpu 2048 from config needs at least 4096 MiB.
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("2048", "4096")
    (c,) = json.loads(task.inputs["containerDefinitions"])
    env = {e["name"]: e["value"] for e in c["environment"]}
    assert env == {"GREETING": "hello", "MODE": "config"}
    assert result.get(SERVICE).inputs["desiredCount"] == 4
    listener = result.get("aws:lb/listener:Listener")
    assert listener.inputs["port"] == 8080  # the published port of single.yml
    assert result.outputs["containers"]["hello"]["url"].endswith(":8080")


def test_compose_without_resources_rounds_nothing(run_apps):
    result = run_apps([{"name": "shop", "platform": "fargate", "compose": str(FIXTURES / "three-services.yml"),
                        "service": "api"}])
    assert not any("rounded" in w for w in result.warnings)


def test_the_same_compose_service_feeds_both_platforms(run_apps):
    result = run_apps([
        {"name": "on-aws", "platform": "fargate", "compose": str(FIXTURES / "single.yml")},
        {"name": "on-azure", "platform": "appservice", "compose": str(FIXTURES / "single.yml"), "sku": "S1"},
    ])
    (c,) = json.loads(result.get(TASKDEF).inputs["containerDefinitions"])
    site = result.get("azure-native:web:WebApp").inputs["siteConfig"]
    # Fargate by digest, App Service by tag (no digest form documented for linuxFxVersion).
    assert site["linuxFxVersion"] == "DOCKER|example/hello:2"
    assert c["image"] == "example/hello@" + registry_digest("example/hello:2")
    settings = {s["name"]: s["value"] for s in site["appSettings"]}
    assert settings["WEBSITES_PORT"] == str(c["portMappings"][0]["containerPort"])
    for e in c["environment"]:
        assert settings[e["name"]] == e["value"]


def test_secrets_reach_every_service_and_the_role_keeps_one_attachment(run_apps):
    result = run_apps(
        [{"name": "shop", "platform": "fargate", "compose": str(FIXTURES / "three-services.yml"),
          "secretEnv": ["DB_PASSWORD"]}],
        secrets={"shop:DB_PASSWORD": "pw-not-in-clear"},
    )
    params = {p.outputs["arn"] for p in result.of_type("aws:ssm/parameter:Parameter")}
    assert len(params) == 3
    for name in ("web", "api", "db"):
        _, c = _container(result, name)
        (secret,) = c["secrets"]
        assert secret["name"] == "DB_PASSWORD" and secret["valueFrom"] in params
    policy = json.loads(result.get("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert set(policy["Statement"][0]["Resource"]) == params
    assert [a.inputs["policyArn"] for a in result.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")] == [
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
    for r in result.resources:
        assert "pw-not-in-clear" not in clear_text(r.inputs) + clear_text(r.outputs), r.name


def test_nothing_published_means_no_load_balancer_and_no_url(run_apps):
    result = run_apps([{"name": "jobs", "platform": "fargate", "compose": str(FIXTURES / "workers.yml")}])
    assert not result.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert [r.name for r in result.of_type("aws:ec2/securityGroup:SecurityGroup")] == ["jobs-tasks"]
    assert result.outputs["containers"]["jobs"]["url"] is None
    # The queue is still reachable by its compose name from the worker; nothing else gets in.
    rules = result.of_type(INGRESS)
    assert [(r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in rules] == [
        (6379, result.get("aws:ec2/securityGroup:SecurityGroup").id)]
    worker_sc = _by_service_named(result, "jobs", "worker")["serviceConnectConfiguration"]
    assert worker_sc["enabled"] is True and not worker_sc.get("services")  # a client only


def _by_service_named(result, app, name):
    found = [r for r in result.of_type(SERVICE) if r.name.startswith(f"{app}-{name}-")]
    assert len(found) == 1
    return found[0].inputs
