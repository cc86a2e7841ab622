"""FargateApp under the mock engine: every resource and its security settings.

Expected values are written from the issue and the AWS documentation, not read from the component:
the execution role carries exactly the managed policy
arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy; Fargate needs
requiresCompatibilities FARGATE and networkMode awsvpc; ALB targets for awsvpc tasks are of type
``ip``; the load balancer is open on its listener port to the world and the tasks only to the
load balancer.
"""

from __future__ import annotations

import json

import pytest
from conftest import clear_text

from dockyard.engine import Secret
from dockyard.mocks.swarm import registry_digest

APP = "cluster"
IMAGE = "russmckendrick/cluster:latest"
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
ECS_TASKS = "ecs-tasks.amazonaws.com"

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"


@pytest.fixture
def app(run_apps):
    return run_apps(
        [{"name": APP, "platform": "fargate", "image": IMAGE, "port": 8080, "replicas": 3,
          "cpu": 512, "memory": 1024, "healthCheckPath": "/health", "logRetentionDays": 14,
          "env": {"COLOUR": "blue"}, "secretEnv": ["API_TOKEN"]}],
        secrets={f"{APP}:API_TOKEN": "tok-very-secret"},
    )


def _sg(result, suffix):
    found = [r for r in result.of_type(SG) if r.name.endswith(suffix)]
    assert len(found) == 1, [r.name for r in result.of_type(SG)]
    return found[0]


def _rules(result, type_, sg):
    return [r for r in result.of_type(type_) if r.inputs["securityGroupId"] == sg.id]


def _roles(result):
    """(execution role, task role), told apart by what the task definition references."""
    task = result.get(TASKDEF)
    roles = {r.outputs["arn"]: r for r in result.of_type(ROLE)}
    return roles[task.inputs["executionRoleArn"]], roles[task.inputs["taskRoleArn"]]


def test_everything_is_inside_the_component(app):
    component = app.get("dockyard:index:FargateApp", APP)
    aws = [r for r in app.resources if r.type.startswith("aws:")]
    assert aws and all(r.parent == component.urn for r in aws)
    assert not any(r.type.startswith("azure-native:") for r in app.resources)


def test_cluster_has_container_insights(app):
    cluster = app.get("aws:ecs/cluster:Cluster")
    assert {"name": "containerInsights", "value": "enabled"} in cluster.inputs["settings"]


def test_log_group_has_retention(app):
    assert app.get("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 14


def test_execution_role_has_exactly_the_managed_policy(app):
    execution, task = _roles(app)
    assert execution.urn != task.urn
    for role in (execution, task):
        trust = json.loads(role.inputs["assumeRolePolicy"])
        principals = [s["Principal"]["Service"] for s in trust["Statement"]]
        assert principals == [ECS_TASKS]
        assert "managedPolicyArns" not in role.inputs
    attachments = app.of_type(ATTACHMENT)
    on_execution = [a for a in attachments if a.inputs["role"] == execution.outputs["name"]]
    assert [a.inputs["policyArn"] for a in on_execution] == [EXECUTION_POLICY]
    # ...and the task role (the app's own permissions) gets nothing at all.
    assert [a for a in attachments if a.inputs["role"] == task.outputs["name"]] == []
    assert len(attachments) == 1
    exclusive = app.get("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive")
    assert exclusive.inputs["roleName"] == execution.outputs["name"]
    assert exclusive.inputs["policyArns"] == [EXECUTION_POLICY]


def test_secrets_are_ssm_parameters_read_by_the_execution_role_only(app):
    param = app.get("aws:ssm/parameter:Parameter")
    assert param.inputs["type"] == "SecureString"
    assert isinstance(param.inputs["value"], Secret) and param.inputs["value"].value == "tok-very-secret"
    container = json.loads(app.get(TASKDEF).inputs["containerDefinitions"])[0]
    assert container["secrets"] == [{"name": "API_TOKEN", "valueFrom": param.outputs["arn"]}]
    assert "API_TOKEN" not in {e["name"] for e in container.get("environment", [])}
    execution, _ = _roles(app)
    inline = app.get("aws:iam/rolePolicy:RolePolicy")
    assert inline.inputs["role"] == execution.outputs["name"]
    statements = json.loads(inline.inputs["policy"])["Statement"]
    assert statements == [{"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [param.outputs["arn"]]}]
    for r in app.resources:
        assert "tok-very-secret" not in clear_text(r.inputs) + clear_text(r.outputs), r.name


def test_security_groups(app):
    lb_sg, tasks_sg = _sg(app, "-lb"), _sg(app, "-tasks")
    vpc_id = lb_sg.inputs["vpcId"]
    assert vpc_id.startswith("vpc-") and tasks_sg.inputs["vpcId"] == vpc_id
    # No inline rules: each rule is its own resource, so nothing else is open.
    for sg in (lb_sg, tasks_sg):
        assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")

    lb_in = _rules(app, INGRESS, lb_sg)
    assert [(r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"], r.inputs.get("cidrIpv4"))
            for r in lb_in] == [("tcp", 80, 80, "0.0.0.0/0")]
    lb_out = _rules(app, EGRESS, lb_sg)
    assert [(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["referencedSecurityGroupId"]) for r in lb_out] == [
        (8080, 8080, tasks_sg.id)]
    assert all("cidrIpv4" not in r.inputs for r in lb_out)

    tasks_in = _rules(app, INGRESS, tasks_sg)
    assert [(r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"],
             r.inputs.get("referencedSecurityGroupId"), r.inputs.get("cidrIpv4")) for r in tasks_in] == [
        ("tcp", 8080, 8080, lb_sg.id, None)]
    tasks_out = _rules(app, EGRESS, tasks_sg)
    assert [(r.inputs["ipProtocol"], r.inputs.get("cidrIpv4")) for r in tasks_out] == [("-1", "0.0.0.0/0")]


def test_load_balancer_target_group_listener(app):
    lb = app.get("aws:lb/loadBalancer:LoadBalancer")
    assert lb.inputs["loadBalancerType"] == "application"
    assert lb.inputs["internal"] is False
    assert lb.inputs["securityGroups"] == [_sg(app, "-lb").id]
    assert lb.inputs["dropInvalidHeaderFields"] is True
    assert len(lb.inputs["subnets"]) >= 2  # an ALB spans at least two availability zones
    tg = app.get("aws:lb/targetGroup:TargetGroup")
    assert tg.inputs["targetType"] == "ip"
    assert tg.inputs["port"] == 8080 and tg.inputs["protocol"] == "HTTP"
    assert tg.inputs["vpcId"] == _sg(app, "-tasks").inputs["vpcId"]
    assert tg.inputs["healthCheck"]["path"] == "/health"
    assert tg.inputs["healthCheck"]["enabled"] is True
    listener = app.get("aws:lb/listener:Listener")
    assert listener.inputs["loadBalancerArn"] == lb.outputs["arn"]
    assert listener.inputs["port"] == 80 and listener.inputs["protocol"] == "HTTP"
    assert listener.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": tg.outputs["arn"]}]


def test_task_definition(app):
    task = app.get(TASKDEF)
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert task.inputs["networkMode"] == "awsvpc"
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "1024")
    containers = json.loads(task.inputs["containerDefinitions"])
    assert [c["name"] for c in containers] == [APP]
    c = containers[0]
    # By digest, tag dropped: ECS documents image:tag or image@digest (components/images.py).
    assert c["image"] == "russmckendrick/cluster@" + registry_digest(IMAGE)
    assert c["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert {"name": "COLOUR", "value": "blue"} in c["environment"]
    log = c["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    assert log["options"]["awslogs-group"] == app.get("aws:cloudwatch/logGroup:LogGroup").outputs["name"]
    assert log["options"]["awslogs-region"] == "eu-west-1"  # the stack's aws:region


def test_service(app):
    service = app.get(SERVICE)
    task = app.get(TASKDEF)
    assert service.inputs["cluster"] == app.get("aws:ecs/cluster:Cluster").outputs["arn"]
    assert service.inputs["taskDefinition"] == task.outputs["arn"]
    assert service.inputs["launchType"] == "FARGATE"
    assert service.inputs["desiredCount"] == 3
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    net = service.inputs["networkConfiguration"]
    assert net["securityGroups"] == [_sg(app, "-tasks").id]
    assert net["assignPublicIp"] is True  # default VPC: public subnets, no NAT, to pull the image
    assert net["subnets"] == app.get("aws:lb/loadBalancer:LoadBalancer").inputs["subnets"]
    assert service.inputs["loadBalancers"] == [{
        "targetGroupArn": app.get("aws:lb/targetGroup:TargetGroup").outputs["arn"],
        "containerName": APP, "containerPort": 8080}]
    # The service waits for the listener (ECS refuses a target group not yet behind a load balancer).
    assert app.get("aws:lb/listener:Listener").urn in service.dependencies
    assert "serviceRegistries" not in service.inputs  # one service: no Cloud Map


def test_default_vpc_is_looked_up_and_its_subnets_used(app):
    # The mock cloud's default VPC (mocks/containers.py) and its default subnets reach the program.
    lb = app.get("aws:lb/loadBalancer:LoadBalancer")
    assert all(s.startswith("subnet-") for s in lb.inputs["subnets"])
    assert not app.of_type("aws:ec2/vpc:Vpc")  # nothing created: the default VPC is used


def test_url_output(app):
    lb = app.get("aws:lb/loadBalancer:LoadBalancer")
    out = app.outputs["containers"][APP]
    assert out["platform"] == "fargate"
    assert out["url"] == f"http://{lb.outputs['dnsName']}"


def test_private_app_gets_an_internal_load_balancer_open_to_the_vpc_only(run_apps):
    result = run_apps([{"name": APP, "platform": "fargate", "image": IMAGE, "public": False}])
    assert result.get("aws:lb/loadBalancer:LoadBalancer").inputs["internal"] is True
    lb_in = _rules(result, INGRESS, _sg(result, "-lb"))
    # The default VPC's CIDR (AWS: every default VPC is 172.31.0.0/16).
    assert [r.inputs["cidrIpv4"] for r in lb_in] == ["172.31.0.0/16"]


def test_named_vpc_and_subnets(run_apps):
    vpc, subnets = "vpc-0a1b2c3d4e5f60718", ["subnet-0a1b2c3d", "subnet-4e5f6071"]
    result = run_apps([{"name": APP, "platform": "fargate", "image": IMAGE, "vpcId": vpc, "subnetIds": subnets}])
    assert {r.inputs["vpcId"] for r in result.of_type(SG)} == {vpc}
    assert result.get("aws:lb/targetGroup:TargetGroup").inputs["vpcId"] == vpc
    assert result.get("aws:lb/loadBalancer:LoadBalancer").inputs["subnets"] == subnets
    net = result.get(SERVICE).inputs["networkConfiguration"]
    assert net["subnets"] == subnets
    assert net["assignPublicIp"] is False  # your VPC: private subnets with a NAT are the norm


def test_default_size_is_the_smallest_fargate_task(run_apps):
    result = run_apps([{"name": APP, "platform": "fargate", "image": IMAGE}])
    task = result.get(TASKDEF)
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("256", "512")
    assert result.get(SERVICE).inputs["desiredCount"] == 1


def test_cpu_alone_gets_the_smallest_memory_for_it(run_apps):
    result = run_apps([{"name": APP, "platform": "fargate", "image": IMAGE, "cpu": 1024}])
    task = result.get(TASKDEF)
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("1024", "2048")


def test_two_apps_in_one_stack_do_not_collide(run_apps):
    result = run_apps([{"name": "one", "platform": "fargate", "image": IMAGE},
                       {"name": "two", "platform": "appservice", "image": IMAGE}])
    assert set(result.outputs["containers"]) == {"one", "two"}
    assert len(result.of_type("aws:ecs/cluster:Cluster")) == 1
    assert len(result.of_type("azure-native:web:WebApp")) == 1
