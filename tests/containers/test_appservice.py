"""AppServiceApp under the mock engine: every resource, its security settings, secrets, compose input.

Expected values come from the issue and Microsoft's documentation, not from the component:
linuxFxVersion is ``DOCKER|<image>``, WEBSITES_PORT is the container port,
WEBSITES_ENABLE_APP_SERVICE_STORAGE is ``false``, HTTPS only, TLS 1.2, FTP disabled, basic
publishing credentials off, Always On except on the Free tier.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, clear_text

from dockyard.engine import Secret

APP = "hello"
IMAGE = "russmckendrick/cluster:latest"
WEBAPP = "azure-native:web:WebApp"
PLAN = "azure-native:web:AppServicePlan"
GROUP = "azure-native:resources:ResourceGroup"


def settings_of(webapp) -> dict:
    return {s["name"]: s["value"] for s in webapp.inputs["siteConfig"]["appSettings"]}


@pytest.fixture
def image_app(run_apps):
    return run_apps(
        [{"name": APP, "platform": "appservice", "image": IMAGE, "port": 8080,
          "env": {"COLOUR": "blue"}, "secretEnv": ["DB_PASSWORD"]}],
        secrets={f"{APP}:DB_PASSWORD": "hunter2-not-in-clear"},
    )


def test_resources_and_parents(image_app):
    component = image_app.get("dockyard:index:AppServiceApp", APP)
    children = image_app.children(component.urn)
    assert sorted(r.type for r in children) == sorted(
        [GROUP, PLAN, WEBAPP, "azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"]
    )
    # Nothing of this app lives outside the component.
    azure = [r for r in image_app.resources if r.type.startswith("azure-native:")]
    assert all(r.parent == component.urn for r in azure)


def test_resource_group_and_linux_plan(image_app):
    group = image_app.get(GROUP)
    assert group.inputs["location"] == "northeurope"
    plan = image_app.get(PLAN)
    assert plan.inputs["resourceGroupName"] == group.outputs["name"]
    assert plan.inputs["kind"] == "linux"
    assert plan.inputs["reserved"] is True  # a Linux plan
    assert plan.inputs["sku"]["name"] == "B1"  # the default
    assert plan.inputs["sku"]["tier"] == "Basic"
    assert plan.inputs["sku"]["capacity"] == 1


def test_web_app_for_containers_settings(image_app):
    app = image_app.get(WEBAPP)
    plan = image_app.get(PLAN)
    site = app.inputs["siteConfig"]
    assert app.inputs["serverFarmId"] == plan.id and plan.id.endswith("/serverfarms/" + plan.outputs["name"])
    assert site["linuxFxVersion"] == "DOCKER|russmckendrick/cluster:latest"
    settings = settings_of(app)
    assert settings["WEBSITES_PORT"] == "8080"
    assert settings["WEBSITES_ENABLE_APP_SERVICE_STORAGE"] == "false"
    assert settings["COLOUR"] == "blue"
    assert site["alwaysOn"] is True  # B1 offers Always On


def test_security_settings(image_app):
    app = image_app.get(WEBAPP)
    site = app.inputs["siteConfig"]
    assert app.inputs["httpsOnly"] is True
    assert site["minTlsVersion"] == "1.2"
    assert site["scmMinTlsVersion"] == "1.2"
    assert site["ftpsState"] == "Disabled"
    assert site.get("remoteDebuggingEnabled") is False
    # Basic-auth publishing (FTP and the SCM site) is switched off for this very app.
    for kind in ("azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"):
        policy = image_app.get(kind)
        assert policy.inputs["allow"] is False
        assert policy.inputs["name"] == app.outputs["name"]
        assert policy.inputs["resourceGroupName"] == app.inputs["resourceGroupName"]


def test_secret_settings_stay_secret(image_app):
    app = image_app.get(WEBAPP)
    value = settings_of(app)["DB_PASSWORD"]
    assert isinstance(value, Secret) and value.value == "hunter2-not-in-clear"
    assert "siteConfig" in app.secret_outputs
    # The clear value appears nowhere outside a secret: inputs, state, outputs of every resource.
    for r in image_app.resources:
        assert "hunter2" not in clear_text(r.inputs) + clear_text(r.outputs), r.name
    assert "hunter2" not in clear_text(image_app.outputs)


def test_url_output(image_app):
    app = image_app.get(WEBAPP)
    url = image_app.outputs["containers"][APP]["url"]
    assert url == f"https://{app.outputs['defaultHostName']}"
    assert image_app.outputs["containers"][APP]["platform"] == "appservice"


def test_free_tier_has_no_always_on(run_apps):
    result = run_apps([{"name": APP, "platform": "appservice", "image": IMAGE, "sku": "f1"}])
    plan = result.get(PLAN)
    assert plan.inputs["sku"] == {"name": "F1", "tier": "Free", "capacity": 1}
    assert result.get(WEBAPP).inputs["siteConfig"]["alwaysOn"] is False


def test_premium_sku_and_replicas(run_apps):
    result = run_apps([{"name": APP, "platform": "appservice", "image": IMAGE, "sku": "P1v3", "replicas": 4}])
    assert result.get(PLAN).inputs["sku"] == {"name": "P1v3", "tier": "PremiumV3", "capacity": 4}


def test_no_secret_outputs_without_secrets(run_apps):
    result = run_apps([{"name": APP, "platform": "appservice", "image": IMAGE}])
    assert result.get(WEBAPP).secret_outputs == []


def test_compose_service_feeds_app_service(run_apps):
    """single.yml: image, the container port (3000, not the published 8080), environment, replicas."""
    result = run_apps([{"name": APP, "platform": "appservice", "compose": str(FIXTURES / "single.yml"),
                        "env": {"MODE": "config"}, "sku": "S1"}])
    app = result.get(WEBAPP)
    assert app.inputs["siteConfig"]["linuxFxVersion"] == "DOCKER|example/hello:2"
    settings = settings_of(app)
    assert settings["WEBSITES_PORT"] == "3000"
    assert settings["GREETING"] == "hello"
    assert settings["MODE"] == "config"  # config env wins over the compose file
    assert result.get(PLAN).inputs["sku"]["capacity"] == 2  # deploy.replicas
    # What App Service cannot take is named, never dropped silently.
    joined = "\n".join(result.warnings)
    assert "services.app.healthcheck" in joined
    assert "services.app.deploy.resources" in joined


def test_compose_service_of_a_multi_service_file(run_apps):
    result = run_apps([{"name": "shop", "platform": "appservice", "compose": str(FIXTURES / "three-services.yml"),
                        "service": "api"}])
    app = result.get(WEBAPP)
    assert app.inputs["siteConfig"]["linuxFxVersion"] == "DOCKER|example/shop-api:1.4"
    settings = settings_of(app)
    assert settings["WEBSITES_PORT"] == "5000"  # only exposed
    assert settings["DB_HOST"] == "db" and settings["LOG_LEVEL"] == "info"
    assert any("services.api.command" in w for w in result.warnings)


def test_each_platform_imports_only_its_cloud_sdk():
    """An App Service app never loads pulumi_aws, a Fargate app never loads pulumi_azure_native.

    Run in a fresh interpreter: in this process other tests have imported both SDKs already.
    """
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = """
import json, sys
import pulumi
from dockyard import engine
platform, image = sys.argv[1], "nginx:1.27"
def program():
    from components import config
    from components.containers.build import build_containers
    pulumi.export("containers", build_containers(config.load()))
engine.run(program, config={"dockyard:containers": [{"name": "a", "platform": platform, "image": image}],
                            "aws:region": "us-east-1", "azure-native:location": "westeurope"})
print(json.dumps(sorted(m for m in sys.modules if m in ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp"))))
"""
    for platform, expected in (("appservice", ["pulumi_azure_native"]), ("fargate", ["pulumi_aws"])):
        out = subprocess.run([sys.executable, "-c", script, platform], cwd=root, capture_output=True,
                             text=True, check=True)
        assert json.loads(out.stdout.strip().splitlines()[-1]) == expected, (platform, out.stderr)
