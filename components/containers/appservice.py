"""AppServiceApp: one container on Azure App Service (Web App for Containers) with a URL.

What Mastering Docker chapter 10 clicked through in the portal (a Linux plan, a Web App running a
Docker Hub image), declared with the settings the portal leaves at their insecure defaults:
HTTPS only, TLS 1.2 minimum, FTP and basic-auth publishing off.

Facts used (Microsoft Learn, "Configure a custom container for Azure App Service"): the container
is named by ``linuxFxVersion = DOCKER|<image>``; ``WEBSITES_PORT`` tells App Service which port
the container listens on; ``WEBSITES_ENABLE_APP_SERVICE_STORAGE=false`` keeps the /home share out
of the container. Always On is unavailable on the Free tier ("Configure an App Service app").
Basic publishing credentials are switched off with the ``basicPublishingCredentialsPolicies``
``ftp`` and ``scm`` resources ("Disable basic authentication in App Service deployments").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_azure_native as azure_native

from components.containers.skus import always_on_allowed, sku_tier

# Microsoft.Web name limits (Microsoft Learn, "Naming rules and restrictions for Azure resources"):
# sites 2-60 characters (a global DNS name), serverfarms 1-60. azure-native auto-names append 8
# random characters (pulumi-azure-native getDefaultName), so a long app name is shortened first.
WEB_NAME_MAX = 60
AUTONAME_SUFFIX = 8


def _autoname_prefix(name: str, suffix: str = "") -> str:
    return name[:WEB_NAME_MAX - AUTONAME_SUFFIX - len(suffix)].rstrip("-") + suffix


@dataclass
class AppServiceAppArgs:
    image: str
    location: str
    port: int = 80
    sku: str = "B1"
    replicas: int = 1
    env: dict[str, str] = field(default_factory=dict)
    # Environment variable name -> secret value (a pulumi secret Output).
    secrets: dict[str, Any] = field(default_factory=dict)
    health_check_path: str | None = "/"
    tags: dict[str, str] = field(default_factory=dict)


class AppServiceApp(pulumi.ComponentResource):
    """A Linux Web App for Containers on its own plan; output ``url``."""

    url: pulumi.Output[str]

    def __init__(self, name: str, args: AppServiceAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("dockyard:index:AppServiceApp", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        web = azure_native.web

        group = azure_native.resources.ResourceGroup(
            f"{name}-rg", location=args.location, tags=args.tags or None, opts=child
        )
        plan = web.AppServicePlan(
            _autoname_prefix(name, "-plan"),
            resource_group_name=group.name,
            location=args.location,
            kind="linux",
            reserved=True,  # Linux plan
            sku={"name": args.sku, "tier": sku_tier(args.sku), "capacity": args.replicas},
            tags=args.tags or None,
            opts=child,
        )

        settings: list[dict[str, Any]] = [
            {"name": "WEBSITES_PORT", "value": str(args.port)},
            {"name": "WEBSITES_ENABLE_APP_SERVICE_STORAGE", "value": "false"},
        ]
        reserved = {s["name"] for s in settings}
        settings += [{"name": k, "value": v} for k, v in sorted(args.env.items()) if k not in reserved]
        settings += [
            {"name": k, "value": pulumi.Output.secret(v)}
            for k, v in sorted(args.secrets.items())
            if k not in reserved
        ]

        site_config: dict[str, Any] = {
            "linux_fx_version": f"DOCKER|{args.image}",
            "app_settings": settings,
            "always_on": always_on_allowed(args.sku),
            "ftps_state": web.FtpsState.DISABLED,
            "min_tls_version": web.SupportedTlsVersions.SUPPORTED_TLS_VERSIONS_1_2,
            "scm_min_tls_version": web.SupportedTlsVersions.SUPPORTED_TLS_VERSIONS_1_2,
            "http20_enabled": True,
            "remote_debugging_enabled": False,
        }
        if args.health_check_path:
            site_config["health_check_path"] = args.health_check_path

        # Secret settings stay secret in the state too, not only in the inputs.
        app_opts = pulumi.ResourceOptions(
            parent=self, additional_secret_outputs=["siteConfig"] if args.secrets else None
        )
        app = web.WebApp(
            _autoname_prefix(name),
            resource_group_name=group.name,
            location=args.location,
            server_farm_id=plan.id,
            kind="app,linux,container",
            reserved=True,
            https_only=True,
            client_affinity_enabled=False,
            site_config=site_config,
            tags=args.tags or None,
            opts=app_opts,
        )
        # FTP is off (ftpsState) and so is basic-auth publishing over FTP and to the SCM site.
        web.WebAppFtpAllowed(
            f"{name}-ftp-basic-auth", name=app.name, resource_group_name=group.name, allow=False, opts=child
        )
        web.WebAppScmAllowed(
            f"{name}-scm-basic-auth", name=app.name, resource_group_name=group.name, allow=False, opts=child
        )

        self.resource_group = group
        self.plan = plan
        self.web_app = app
        self.url = app.default_host_name.apply(lambda host: f"https://{host}")
        self.register_outputs({"url": self.url, "resourceGroup": group.name})
