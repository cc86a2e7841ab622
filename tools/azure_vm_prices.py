"""Regenerate components/azure_vm_sizes.csv from a local mirror of Azure/karpenter-provider-azure.

Why: Microsoft's own region/size pages are rendered by script, so the dated, citable record of
which VM sizes have a Linux pay-as-you-go price in which region is the table that project
generates from the Azure Retail Prices API (pkg/providers/pricing/zz_generated.pricing.go). This
script only reads facts out of that file (region -> size -> USD/hour) and writes one wide CSV that
components/cloud_limits.py (sizes not offered in a region) and dockyard/cost.py (VM prices) share.

    python tools/azure_vm_prices.py [MIRROR_GIT_DIR] > components/azure_vm_sizes.csv
"""

from __future__ import annotations

import re
import subprocess
import sys

MIRROR = "/work/.mirror/Azure+karpenter-provider-azure/repo"
REPO = "Azure/karpenter-provider-azure"
COMMIT = "352646f599290c3a6d2f9710fb535a7b288f88ed"
PRICES = "pkg/providers/pricing/zz_generated.pricing.go"
# Sizes that exist but have no Retail Prices API price (so an absent price says nothing about
# them); the list was deleted in 84e2933b (2026-06-20), so it is read from that commit's parent.
MISSING_COMMIT = "84e2933b^"
MISSING = "pkg/providers/pricing/skus_missing_price.go"

#: The general-purpose families a Docker host or node pool uses: Av2, B, D/DS, E and F, every
#: version and letter suffix (Standard_D2s_v3, Standard_B2ats_v2); constrained-vCPU sizes
#: (Standard_E4-2ads_v5) and _Promo sizes are left out to keep the file small.
FAMILIES = re.compile(r"^Standard_(A\d+m?_v2|B\d+|DS?\d+|E\d+|F\d+)[a-z]*(_v\d)?$")

_REGION = re.compile(r'^\s*initialOnDemandPrices\["([a-z0-9]+)"\]\s*=')
_ENTRY = re.compile(r'^\s*"([A-Za-z0-9_.-]+)":\s*([0-9.]+),')
_GENERATED = re.compile(r"^// generated at (\S+)")


def _show(mirror: str, rev: str, path: str) -> str:
    return subprocess.run(["git", "-C", mirror, "show", f"{rev}:{path}"], check=True, capture_output=True,
                          text=True).stdout


def _price(text: str) -> str:
    """USD/hour as written, without trailing zeros (0.048000 -> 0.048)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse(go: str) -> tuple[str, dict[str, dict[str, str]]]:
    """(generation timestamp, region -> size -> price) of the generated Go file."""
    generated, regions, current = "", {}, None
    for line in go.splitlines():
        if m := _GENERATED.match(line):
            generated = m.group(1)
        elif m := _REGION.match(line):
            current = regions.setdefault(m.group(1), {})
        elif current is not None and (m := _ENTRY.match(line)):
            current[m.group(1)] = _price(m.group(2))
    return generated, regions


def render(mirror: str = MIRROR) -> str:
    generated, regions = parse(_show(mirror, COMMIT, PRICES))
    missing = set(re.findall(r'"(Standard_[A-Za-z0-9_-]+)":\s*MissingPrice', _show(mirror, MISSING_COMMIT, MISSING)))
    names = sorted(regions)
    sizes = sorted({s for r in regions.values() for s in r if FAMILIES.match(s)} | {s for s in missing if FAMILIES.match(s)})
    out = [
        f"# Azure VM sizes: Linux pay-as-you-go price in USD per hour, per region (armRegionName); generated at {generated}.",
        f"# Source: {REPO}@{COMMIT} {PRICES} (\"generated at {generated}\" from the Azure Retail Prices API",
        "# https://prices.azure.com/api/retail/prices with priceType Consumption, currencyCode USD, serviceName Virtual Machines;",
        "# Windows products, Low Priority and Spot meters left out). Written by tools/azure_vm_prices.py; do not edit by hand.",
        "# Families kept: Av2, B, D/DS, E, F (the general-purpose sizes a Docker host or node pool uses; no constrained-vCPU",
        "# or _Promo sizes); any other size is unknown here: never refused, and unpriced in a cost estimate.",
        "# An empty cell: no price in that region, read as \"not offered there\" when refuse_if_absent is 1. It is 0 for the",
        f"# sizes that exist without a price ({REPO}@84e2933b^ {MISSING}, deleted 2026-06-20), which are never refused.",
        "size,refuse_if_absent," + ",".join(names),
    ]
    for size in sizes:
        cells = [regions[r].get(size, "") for r in names]
        out.append(f"{size},{0 if size in missing else 1}," + ",".join(cells))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(*sys.argv[1:2]))
