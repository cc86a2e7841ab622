#!/usr/bin/env python3
"""A stand-in for the ``docker`` CLI that keeps a swarm's node table in a JSON file.

It answers exactly the commands and ``--format`` templates the reconcile script
(components/swarm/scripts.py) sends, applies promote/demote/update/rm to the table, and appends
every changing command, with the manager count after it, to the file's ``log``. It refuses what
dockerd refuses: removing a node that is still a Raft member, even with --force, and demoting the
last manager (moby/swarmkit manager/controlapi/node.go, RemoveNode and UpdateNode, read
2026-12-03; the texts below are those errors'). Anything else it does not know is an error, so a script that starts sending new
commands fails here instead of passing unseen.

State file (env FAKE_SWARM): {"self": ID, "nodes": {ID: {"hostname", "role", "availability",
"labels", "state"}}, "services": {NAME: [running, desired]}, "log": [[argv..., managers], ...]}.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    path = os.environ["FAKE_SWARM"]
    with open(path) as f:
        st = json.load(f)
    nodes: dict = st["nodes"]

    def managers() -> int:
        return sum(1 for n in nodes.values() if n["role"] == "manager")

    def save(change: list[str]) -> None:
        st["log"].append([*change, managers()])
        with open(path, "w") as f:
            json.dump(st, f)

    def node(ident: str) -> dict:
        if ident not in nodes:
            sys.exit(f"Error response from daemon: node {ident} not found")
        return nodes[ident]

    args = list(argv)
    fmt = None
    if "--format" in args:
        i = args.index("--format")
        fmt = args[i + 1]
        del args[i:i + 2]

    if args[:1] == ["info"]:
        answers = {"{{.ID}}": "ENGINE", "{{.Swarm.ControlAvailable}}": "true",
                   "{{.Swarm.NodeID}}": st["self"], "{{.Swarm.LocalNodeState}}": "active"}
        if fmt not in answers:
            sys.exit(f"fake docker: unknown info format {fmt!r}")
        print(answers[fmt])
        return 0
    if args[:2] == ["service", "ls"] and fmt == "{{.Name}} {{.Replicas}}":
        # "running/desired" per service, as the services table holds them
        for name, (running, desired) in st.get("services", {}).items():
            print(f"{name} {running}/{desired}")
        return 0
    if args[:1] != ["node"]:
        sys.exit(f"fake docker: unknown command {argv!r}")
    cmd, rest = args[1], args[2:]

    if cmd == "inspect":
        n = node(rest[-1])
        answers = {
            "{{.ID}}": rest[-1],
            "{{.Spec.Role}}": n["role"],
            "{{.Spec.Role}}{{if .ManagerStatus}} raft{{end}}": n["role"] + (" raft" if n["role"] == "manager" else ""),
            "{{.Spec.Availability}}": n["availability"],
            "{{.Status.State}}": n["state"],
            "{{.Description.Hostname}} ({{.ID}})": f"{n['hostname']} ({rest[-1]})",
            '{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}}{{"\\n"}}{{end}}':
                "".join(f"{k}={v}\n" for k, v in sorted(n["labels"].items())),
        }
        if fmt not in answers:
            sys.exit(f"fake docker: unknown node inspect format {fmt!r}")
        sys.stdout.write(answers[fmt] + ("" if answers[fmt].endswith("\n") else "\n"))
        return 0
    if cmd == "ls":
        if rest == ["-q"] and fmt is None:
            print("\n".join(nodes))
            return 0
        if rest == ["--filter", "role=manager"] and fmt == "{{.ID}}={{.ManagerStatus}}":
            for ident, n in nodes.items():
                if n["role"] == "manager":
                    print(f"{ident}={'Leader' if ident == st['self'] else 'Reachable'}")
            return 0
        sys.exit(f"fake docker: unknown node ls {argv!r}")
    if cmd == "ps":
        return 0  # no tasks run anywhere in this table
    if cmd == "promote":
        node(rest[0])["role"] = "manager"
        save(["promote", nodes[rest[0]]["hostname"]])
        return 0
    if cmd == "demote":
        n = node(rest[0])
        if n["role"] == "manager" and managers() == 1:
            sys.exit("Error response from daemon: attempting to demote the last manager of the swarm")
        n["role"] = "worker"
        save(["demote", n["hostname"]])
        return 0
    if cmd == "update":
        ident, opts = rest[-1], rest[:-1]
        n = node(ident)
        while opts:
            flag, value = opts[0], opts[1]
            opts = opts[2:]
            if flag == "--availability":
                n["availability"] = value
            elif flag == "--label-add":
                k, _, v = value.partition("=")
                n["labels"][k] = v
            elif flag == "--label-rm":
                n["labels"].pop(value)
            else:
                sys.exit(f"fake docker: unknown node update flag {flag!r}")
        save(["update", n["hostname"], *rest[:-1]])
        return 0
    if cmd == "rm":
        ident = rest[-1]
        n = node(ident)
        if n["role"] == "manager":
            sys.exit(f"Error response from daemon: rpc error: code = FailedPrecondition desc = node {ident} "
                     "is a cluster manager and is a member of the raft cluster. It must be demoted to "
                     "worker before removal")
        del nodes[ident]
        save(["rm", n["hostname"]])
        return 0
    sys.exit(f"fake docker: unknown node command {argv!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
