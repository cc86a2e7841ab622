"""Mock values for the GCP IAM types GKE node pools use, and GKE node pools themselves.

Shapes from the IAM and GKE REST references (read 2026-12-02): a service account's email is
``<accountId>@<project>.iam.gserviceaccount.com`` and its uniqueId 21 digits; the accountId is 6-30
characters, ``[a-z]([-a-z0-9]*[a-z0-9])``.
"""

from __future__ import annotations

import re

from dockyard.mocks.registry import resource_outputs

_ACCOUNT_ID = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])\Z")


def _project(inputs) -> str:
    return inputs.get("project") or "dockyard-dev"


@resource_outputs("gcp:serviceaccount/account:Account")
def _service_account(ctx, inputs):
    account_id = inputs.get("accountId") or ""
    if not (6 <= len(account_id) <= 30 and _ACCOUNT_ID.match(account_id)):
        raise ctx.refuse(f"accountId {account_id!r} must be 6-30 characters of a-z, 0-9 and '-', starting "
                         "with a letter")
    email = f"{account_id}@{_project(inputs)}.iam.gserviceaccount.com"
    return {"id": f"projects/{_project(inputs)}/serviceAccounts/{email}", "email": email, "member": f"serviceAccount:{email}",
            "name": f"projects/{_project(inputs)}/serviceAccounts/{email}", "project": _project(inputs),
            "uniqueId": str(10 ** 20 + ctx.number(10 ** 20, "uid")), "disabled": bool(inputs.get("disabled", False))}


@resource_outputs("gcp:projects/iAMMember:IAMMember")
def _iam_member(ctx, inputs):
    member, role = inputs.get("member") or "", inputs.get("role") or ""
    if isinstance(member, str) and ":" not in member:
        raise ctx.refuse(f"member {member!r} must be TYPE:identity (user:, serviceAccount:, group:, domain:)")
    if isinstance(role, str) and not role.startswith(("roles/", "projects/", "organizations/")):
        raise ctx.refuse(f"role {role!r} must be roles/..., projects/.../roles/... or organizations/.../roles/...")
    return {"id": f"{_project(inputs)}/{role}/{member}", "project": _project(inputs), "etag": "BwY" + ctx.hex(9, "etag")}


@resource_outputs("gcp:container/nodePool:NodePool")
def _node_pool(ctx, inputs):
    project, location = _project(inputs), inputs.get("location") or "us-central1"
    name = inputs.get("name") or f"{ctx.name}-{ctx.hex(7, 'name')}"
    cluster = inputs.get("cluster") or "cluster"
    zones = inputs.get("nodeLocations") or [f"{location}-a", f"{location}-b", f"{location}-c"]
    groups = [f"https://www.googleapis.com/compute/v1/projects/{project}/zones/{z}/instanceGroupManagers/"
              f"gke-{str(cluster)[:14]}-{name[:14]}-{ctx.hex(8, z)}-grp" for z in zones]
    return {"id": f"projects/{project}/locations/{location}/clusters/{cluster}/nodePools/{name}", "name": name,
            "project": project, "location": location, "instanceGroupUrls": groups,
            "managedInstanceGroupUrls": [g.replace("instanceGroupManagers", "instanceGroups") for g in groups],
            "version": inputs.get("version") or "1.33.5-gke.1201000", "operation": None}
