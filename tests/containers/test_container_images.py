"""Fargate runs images by digest; App Service says it runs by tag (issue 11, "No silent drift").

The registry is the getRegistryImage mock (dockyard/mocks/swarm.py), replaced here by one that
serves chosen digests. Expected references follow the ECS container definition docs
(``repository-url/image@digest``; task_definition_parameters.html#container_definition_image,
read 2026-12-03) and Docker's rule that a bare name means ``:latest``.
"""

from __future__ import annotations

import json

from conftest import FIXTURES

TOKEN = "docker:index/getRegistryImage:getRegistryImage"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
WEBAPP = "azure-native:web:WebApp"
D1, D2, D3, D9 = ("sha256:" + c * 64 for c in "1239")
# three-services.yml: web example/shop-web:1.4, api example/shop-api:1.4, db postgres:16.
SERVED = {"example/shop-web:1.4": D1, "example/shop-api:1.4": D2, "postgres:16": D3}
SHOP = {"name": "shop", "platform": "fargate", "compose": str(FIXTURES / "three-services.yml")}


def _registry(served: dict[str, str], asked: list[str] | None = None):
    def answer(ctx, args):
        if asked is not None:
            asked.append(args["name"])
        return {"id": served[args["name"]], "name": args["name"], "sha256Digest": served[args["name"]]}
    return {TOKEN: answer}


def _run(mock_engine, apps, invokes):
    def program():
        import pulumi

        from components import config as stack_config
        from components.containers.build import build_containers

        pulumi.export("containers", build_containers(stack_config.load()))

    config = {"dockyard:containers": apps, "aws:region": "eu-west-1", "azure-native:location": "northeurope"}
    return mock_engine.run(program, config=config, invokes=invokes)


def _task_inputs(result) -> dict[str, str]:
    """Task definition name -> its containerDefinitions input, as the provider receives it."""
    return {r.name: r.inputs["containerDefinitions"] for r in result.of_type(TASKDEF)}


def _images(result) -> dict[str, str]:
    return {c["name"]: c["image"] for r in result.of_type(TASKDEF)
            for c in json.loads(r.inputs["containerDefinitions"])}


def test_fargate_task_definitions_use_the_digest(mock_engine):
    asked: list[str] = []
    result = _run(mock_engine, [SHOP, {"name": "one", "platform": "fargate", "image": "example/worker"}],
                  _registry({**SERVED, "example/worker:latest": D9}, asked))
    assert _images(result) == {
        "web": "example/shop-web@" + D1,
        "api": "example/shop-api@" + D2,
        "db": "postgres@" + D3,
        "one": "example/worker@" + D9,  # no tag means latest
    }
    assert sorted(asked) == sorted([*SERVED, "example/worker:latest"])


def test_nothing_changed_twice_gives_the_same_task_definitions(mock_engine):
    first = _task_inputs(_run(mock_engine, [SHOP], _registry(SERVED)))
    again = _task_inputs(_run(mock_engine, [SHOP], _registry(SERVED)))
    assert first == again
    assert all("@sha256:" in v for v in first.values())


def test_a_moved_tag_changes_only_that_containers_image(mock_engine):
    before = _run(mock_engine, [SHOP], _registry(SERVED))
    after = _run(mock_engine, [SHOP], _registry({**SERVED, "example/shop-api:1.4": D9}))
    old, new = _task_inputs(before), _task_inputs(after)
    changed = [name for name in old if old[name] != new[name]]
    assert changed == ["shop-api-task"]
    (api_old,) = json.loads(old["shop-api-task"])
    (api_new,) = json.loads(new["shop-api-task"])
    assert api_new["image"] == "example/shop-api@" + D9
    assert {**api_old, "image": None} == {**api_new, "image": None}  # the image and nothing else
    # Every other resource gets the same inputs.
    others = lambda r: {(x.type, x.name): x.inputs for x in r.resources if x.type != TASKDEF}  # noqa: E731
    assert others(before) == others(after)


def test_app_service_by_tag_is_named_in_a_warning(mock_engine):
    result = _run(mock_engine, [{"name": "web", "platform": "appservice", "image": "example/hello:2"},
                                {"name": "fixed", "platform": "appservice", "image": "example/hello@" + D1}],
                  _registry({}))
    sites = {r.inputs["siteConfig"]["linuxFxVersion"] for r in result.of_type(WEBAPP)}
    assert sites == {"DOCKER|example/hello:2", "DOCKER|example/hello@" + D1}
    by_tag = [w for w in result.warnings if "by tag" in w]
    assert len(by_tag) == 1 and "'example/hello:2'" in by_tag[0] and "App Service" in by_tag[0]
