"""Importing this package loads every area's mock values into the registry."""

import importlib
import pkgutil

from dockyard.mocks.registry import (
    INVOKES,
    RESOURCES,
    InvokeFn,
    MockContext,
    Refused,
    ResourceFn,
    invoke,
    resource_outputs,
    stable_key,
)

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _mod != "registry":
        importlib.import_module(f"{__name__}.{_mod}")

__all__ = ["INVOKES", "RESOURCES", "InvokeFn", "MockContext", "Refused", "ResourceFn", "invoke",
           "resource_outputs", "stable_key"]
