"""Dockyard: build the components the stack config names and export their outputs.

Data flows one way: stack file -> components.config (validated) -> components -> outputs.
Each capability is imported only when the stack uses it, so a `local` stack never loads a
cloud SDK.
"""

import pulumi

from components import config
from components.errors import InputError

try:
    cfg = config.load()
except InputError as err:
    config.fail(err)

for warning in cfg.warnings:
    pulumi.log.warn(warning)

# --- hosts (issue 3: Docker hosts) ---

# --- swarm (issue 4: Docker Swarm) ---

# --- containers (issue 5: Fargate, App Service) ---

# --- kubernetes (issue 6: clusters and apps) ---
