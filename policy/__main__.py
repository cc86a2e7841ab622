"""Entry point the Pulumi CLI runs for `--policy-pack policy`: serves the pack, mandatory."""

from dockyard_policy import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
