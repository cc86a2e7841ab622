"""AppServiceApp names against Azure's limits.

Expected values: Microsoft Learn, "Naming rules and restrictions for Azure resources",
Microsoft.Web: sites 2-60 characters (a global DNS name: alphanumerics and hyphens, not starting
or ending with a hyphen), serverfarms 1-60. pulumi-azure-native auto-names append 8 random
characters (getDefaultName); the mock engine computes ``outputs["name"]`` the same way.
"""

from __future__ import annotations

import re

WEBAPP = "azure-native:web:WebApp"
PLAN = "azure-native:web:AppServicePlan"
SITE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


def test_long_app_name_gives_valid_site_and_plan_names(run_apps):
    name = "shop-" + "x" * 57 + "1"  # a 63-character DNS label, as dockyard:containers[].name allows
    assert len(name) == 63
    result = run_apps([{"name": name, "platform": "appservice", "image": "nginx:1.27", "port": 80}])
    site = result.get(WEBAPP).outputs["name"]
    assert 2 <= len(site) <= 60 and SITE_NAME.match(site), site
    plan = result.get(PLAN).outputs["name"]
    assert 1 <= len(plan) <= 60, plan
    # the basic-auth policies point at the same site
    for kind in ("azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"):
        assert result.get(kind).inputs["name"] == site
    assert result.outputs["containers"][name]["url"] == f"https://{site}.azurewebsites.net"


def test_short_app_name_keeps_its_resource_names(run_apps):
    # Names that always fitted keep their logical names (no replacement of deployed apps).
    result = run_apps([{"name": "hello", "platform": "appservice", "image": "nginx:1.27", "port": 80}])
    assert result.get(WEBAPP).name == "hello"
    assert result.get(PLAN).name == "hello-plan"
