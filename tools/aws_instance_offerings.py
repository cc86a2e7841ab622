"""Regenerate components/aws_instance_offerings.txt from a local mirror of getmoto/moto.

Why: AWS publishes no static page of which EC2 instance types each Region and zone offers; the
dated, citable record is the answer of DescribeInstanceTypeOfferings that moto's
scripts/ec2_get_instance_type_offerings.py records every month per Region (LocationType region)
and per zone ID (LocationType availability-zone-id) into moto/ec2/resources/instance_type_offerings.
This script only reads those facts and writes one compact text file that components/cloud_limits.py
(refusals) and dockyard/mocks (getInstanceTypeOfferings, RunInstances) share.

    python tools/aws_instance_offerings.py [MIRROR_GIT_DIR] > components/aws_instance_offerings.txt

Format: ``region NAME DATE FAMILY.size,size FAMILY.size ...`` lists what the Region offers as
recorded on DATE (the last day moto's files for that Region changed: the monthly job rewrites them
only when AWS's answer differs); ``zone AZ-ID FAMILY.size,...`` lists what the Region offers but
that zone does not. A Region none of whose files changed in the STALE_DAYS before the snapshot is
left out: the job no longer records it (me-central-1 and me-south-1 in this snapshot; the last
me-central-1 recording, 2026-03-16, offers no T family at all, unlike every earlier one).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections import defaultdict

MIRROR = "/work/.mirror/getmoto+moto/repo"
REPO = "getmoto/moto"
COMMIT = "c6bd43ff2d090b35b6491f1cc80bffd29063e5c8"  # "chore: update EC2 Instance Offerings (#10150)"
PATH = "moto/ec2/resources/instance_type_offerings"
KINDS = ("region", "availability-zone", "availability-zone-id")
STALE_DAYS = 90


def _git(mirror: str, *args: str) -> str:
    return subprocess.run(["git", "-C", mirror, *args], check=True, capture_output=True, text=True).stdout


def _load(mirror: str, kind: str, region: str) -> list[dict]:
    return json.loads(_git(mirror, "show", f"{COMMIT}:{PATH}/{kind}/{region}.json"))


def _packed(types) -> str:
    """``m5.large,xlarge c5.large`` for {m5.large, m5.xlarge, c5.large}: one family per word."""
    by_family = defaultdict(list)
    for t in sorted(types):
        family, size = t.split(".", 1)
        by_family[family].append(size)
    return " ".join(f"{f}.{','.join(s)}" for f, s in sorted(by_family.items()))


def render(mirror: str = MIRROR) -> str:
    date = _git(mirror, "show", "-s", "--format=%cs", COMMIT).strip()
    oldest = datetime.date.fromisoformat(date) - datetime.timedelta(days=STALE_DAYS)
    names = _git(mirror, "ls-tree", "--name-only", f"{COMMIT}:{PATH}/region").split()
    # The commercial partition only (Dockyard's AWS Regions); gov and China Regions are left out.
    regions = sorted(n[:-5] for n in names
                     if n.endswith(".json") and "-gov-" not in n and not n.startswith("cn-"))
    out = ["# EC2 instance types offered per Region, and per zone ID those the Region offers but the",
           "# zone does not: DescribeInstanceTypeOfferings as recorded by moto's",
           "# scripts/ec2_get_instance_type_offerings.py (written by tools/aws_instance_offerings.py).",
           f"# Source: {REPO}@{COMMIT} {PATH}",
           f"# snapshot {date}; each Region line gives the day it was last recorded"]
    for region in regions:
        recorded = max(_git(mirror, "log", "-1", "--format=%cs", COMMIT, "--", f"{PATH}/{kind}/{region}.json").strip()
                       for kind in KINDS)
        if datetime.date.fromisoformat(recorded) < oldest:
            continue
        offered = {o["InstanceType"] for o in _load(mirror, "region", region)}
        out.append(f"region {region} {recorded} {_packed(offered)}")
        zones = defaultdict(set)
        for o in _load(mirror, "availability-zone-id", region):
            zones[o["Location"]].add(o["InstanceType"])
        for zone_id in sorted(zones):
            missing = offered - zones[zone_id]
            out.append(f"zone {zone_id} {_packed(missing)}".rstrip())
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(*sys.argv[1:2]))
