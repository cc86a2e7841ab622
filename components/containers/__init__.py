"""Managed containers: FargateApp (AWS) and AppServiceApp (Azure), the successors of the ECS
first-run wizard and the App Service portal.

Nothing cloud-specific is imported here: ``components.containers.fargate`` imports pulumi_aws and
``components.containers.appservice`` imports pulumi_azure_native, each only when a stack uses it.
``components.containers.build`` turns the validated config into either component.
"""
