"""App Service plan SKUs for Linux containers: names, tiers and what each tier allows.

Pure data, no SDK import, so config validation can use it. Source: Microsoft Learn, "App Service
pricing tiers" / "Azure App Service plan overview" (Free F1; Basic B1-B3; Standard S1-S3;
Premium v2, v3 and v4, including the memory-optimised "m" sizes). Shared (D1) does not run
Linux, and Isolated sizes need an App Service Environment, which Dockyard does not create.
"""

from __future__ import annotations

# SKU name -> (tier, maximum instances of a plan in that tier).
_TIERS: dict[str, tuple[str, int]] = {}
_TIERS["F1"] = ("Free", 1)
for _n in ("B1", "B2", "B3"):
    _TIERS[_n] = ("Basic", 3)
for _n in ("S1", "S2", "S3"):
    _TIERS[_n] = ("Standard", 10)
for _n in ("P1v2", "P2v2", "P3v2"):
    _TIERS[_n] = ("PremiumV2", 30)
for _n in ("P0v3", "P1v3", "P2v3", "P3v3", "P1mv3", "P2mv3", "P3mv3", "P4mv3", "P5mv3"):
    _TIERS[_n] = ("PremiumV3", 30)
for _n in ("P0v4", "P1v4", "P2v4", "P3v4", "P1mv4", "P2mv4", "P3mv4", "P4mv4", "P5mv4"):
    _TIERS[_n] = ("PremiumV4", 30)

SKUS: tuple[str, ...] = tuple(_TIERS)
DEFAULT_SKU = "B1"


def canonical_sku(name: str) -> str | None:
    """The SKU as Azure spells it (``p1V3`` -> ``P1v3``), or None if unknown."""
    for sku in SKUS:
        if sku.lower() == name.lower():
            return sku
    return None


def sku_tier(name: str) -> str:
    return _TIERS[name][0]


def max_instances(name: str) -> int:
    return _TIERS[name][1]


def always_on_allowed(name: str) -> bool:
    """Always On keeps the container warm; the Free tier does not offer it."""
    return sku_tier(name) != "Free"
