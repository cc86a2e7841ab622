"""The shipped stacks run the book's cluster app: aws-dev on Fargate, azure-dev on App Service."""

from __future__ import annotations

import json

import pytest

from dockyard import cli
from dockyard.mocks.swarm import registry_digest


def _preview_json(capsys, stack: str) -> dict:
    code = cli.main(["preview", stack, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


@pytest.mark.parametrize(
    "stack,platform,component,scheme",
    [("aws-dev", "fargate", "dockyard:index:FargateApp", "http://"),
     ("azure-dev", "appservice", "dockyard:index:AppServiceApp", "https://")],
)
def test_stack_runs_the_cluster_app_with_a_url(capsys, stack, platform, component, scheme):
    preview = _preview_json(capsys, stack)
    app = preview["outputs"]["containers"]["cluster"]
    assert app["platform"] == platform
    assert app["url"].startswith(scheme) and len(app["url"]) > len(scheme) + 3
    components = [r for r in preview["resources"] if r["type"] == component]
    assert [r["name"] for r in components] == ["cluster"]
    # The app definition is the same compose file the swarm stacks deploy: its image runs here.
    images = json.dumps([r["inputs"] for r in preview["resources"] if r["parent"] == components[0]["urn"]])
    if platform == "fargate":  # ECS takes name@digest (components/images.py)
        assert "russmckendrick/cluster@" + registry_digest("russmckendrick/cluster:latest") in images
    else:
        assert "russmckendrick/cluster:latest" in images
