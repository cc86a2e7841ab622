"""`dockyard preview STACK`: run the real program offline and show what it would create.

Like `cdk synth`, it needs no credentials and no Pulumi CLI: the program runs under the mock
engine (dockyard/engine.py), not in preview mode, so every value is computed; values a cloud
would compute (ids, IPs, ARNs, DNS names) are plausible placeholders.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import runpy
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from components.errors import InputError, error_line
from dockyard import stackfile

SECRET = "[secret]"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("stack", help="stack name (stacks/Pulumi.STACK.yaml)")
    p.add_argument("--json", action="store_true", help="print the preview as JSON (DESIGN.md schema)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a config value; PATH as `pulumi config set --path` takes it "
                        "(namespace dockyard by default, e.g. swarm.workers=5 or aws:region=us-west-2)")
    p.add_argument("-C", "--cwd", type=Path, default=stackfile.PROJECT_DIR,
                   help="project directory holding Pulumi.yaml (default: this checkout)")
    p.add_argument("--check", action="store_true",
                   help="evaluate the guardrails (and dockyard:monthlyBudget) on the preview; exit 3 on any violation")
    p.add_argument("--cost", action="store_true",
                   help="print the monthly cost estimate per component and in total (docs/cost.md)")
    p.add_argument("--dry-run", action="store_true",
                   help="run the program as `pulumi preview` does: values a cloud computes (ids, IPs, "
                        "kubeconfigs) are unknown, and applies on them do not run")


# --- building the preview -----------------------------------------------------------------------


def render(value: Any) -> Any:
    """Plain JSON with secrets as [secret]."""
    from dockyard.engine import Secret

    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, dict):
        return {str(k): render(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v) for v in value]
    return value


def preview(stack: str, overrides: list[str] = (), project_dir: Path = stackfile.PROJECT_DIR,
            dry_run: bool = False) -> dict:
    """Evaluate a stack and return the preview document (DESIGN.md §Preview JSON).

    Raises InputError for bad input and SystemExit when the program itself exits (it prints
    its own one-line error first).
    """
    return document(evaluate(stack, overrides, project_dir, dry_run=dry_run)[1])


def evaluate(stack: str, overrides: list[str] = (), project_dir: Path = stackfile.PROJECT_DIR,
             dry_run: bool = False):
    """The stack's files and the engine's result (secret values still wrapped) for `preview`."""
    files = stackfile.load(stack, project_dir)
    for assignment in overrides:
        stackfile.apply_set(files, assignment)
    return files, run_files(files, dry_run=dry_run)


def run_files(files: stackfile.StackFiles, dry_run: bool = False, **engine_options):
    """Run the project's program on loaded stack files (dockyard.testing passes its mock options)."""
    project_dir = files.project_dir
    stack = files.stack
    main = project_dir / "__main__.py"
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))

    def program():
        runpy.run_path(str(main), run_name="__main__")

    from dockyard import engine  # imports the Pulumi SDK: only once the input is known good

    here = os.getcwd()
    os.chdir(project_dir)  # as `pulumi up` runs the program
    try:
        return engine.run(program, stack=stack, project=files.project, config=files.config,
                          secret_keys=files.secret_keys, preview=dry_run, **engine_options)
    finally:
        os.chdir(here)


def document(result) -> dict:
    """The preview JSON (DESIGN.md schema), with the monthly cost estimate (docs/cost.md)."""
    from dockyard import cost

    return cost.annotate(_document(result))


def _document(result) -> dict:
    resources = []
    for r in result.resources:
        resources.append({
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "custom": r.custom,
            "provider": r.provider,
            "inputs": render(r.inputs),
            "dependencies": list(r.dependencies),
            "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
            "secretOutputs": list(r.secret_outputs),
            # Lifecycle options as the monitor received them (docs/preview.md).
            "deleteBeforeReplace": r.delete_before_replace,
            "ignoreChanges": list(r.ignore_changes),
            "replaceOnChanges": list(r.replace_on_changes),
            "protect": r.protect,
            "retainOnDelete": r.retain_on_delete,
            "aliases": list(r.aliases),
            "dependsOn": list(r.depends_on),
        })
    return {
        "project": result.project,
        "stack": result.stack,
        "resources": resources,
        "outputs": render(result.outputs),
        "warnings": list(result.warnings),
    }


def to_json(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# --- human output -------------------------------------------------------------------------------


def lifecycle_marks(r: dict) -> str:
    """The text tree's marks for a resource's lifecycle options, e.g. ``[protect] [ignore: ami]``."""
    marks = []
    if r.get("deleteBeforeReplace"):
        marks.append("[delete-before-replace]")
    if r.get("protect"):
        marks.append("[protect]")
    if r.get("retainOnDelete"):
        marks.append("[retain-on-delete]")
    if r.get("ignoreChanges"):
        marks.append(f"[ignore: {', '.join(r['ignoreChanges'])}]")
    if r.get("replaceOnChanges"):
        marks.append(f"[replace-on: {', '.join(r['replaceOnChanges'])}]")
    if r.get("aliases"):
        marks.append(f"[aliases: {len(r['aliases'])}]")
    if r.get("dependsOn"):
        marks.append(f"[depends-on: {len(r['dependsOn'])}]")
    return " ".join(marks)


def to_text(doc: dict) -> str:
    lines = [
        f"Previewing stack {doc['project']}/{doc['stack']} offline: values a cloud computes "
        "(ids, IPs, ARNs, DNS names, kubeconfigs) are placeholders.",
        "",
    ]
    children: dict[str | None, list[dict]] = {}
    for r in doc["resources"]:
        children.setdefault(r["parent"], []).append(r)
    rows: list[tuple[str, str]] = []

    def walk(parent: str | None, prefix: str, top: bool):
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            branch = "" if top else ("└─ " if last else "├─ ")
            marks = lifecycle_marks(r)
            rows.append((prefix + branch + r["type"], r["name"] + (" " + marks if marks else "")))
            walk(r["urn"], prefix + ("" if top else ("   " if last else "│  ")), False)

    walk(None, "", True)
    width = max((len(t) for t, _ in rows), default=4) + 2
    lines.append(f"     {'Type'.ljust(width)}Name")
    for type_, name in rows:
        lines.append(f" +   {type_.ljust(width)}{name}".rstrip())

    if doc["outputs"]:
        lines += ["", "Outputs:"]
        for key in sorted(doc["outputs"]):
            text = json.dumps(doc["outputs"][key], sort_keys=True, indent=2)
            text = text.replace("\n", "\n    ")
            lines.append(f"    {key}: {text}")

    counts = Counter(r["type"] for r in doc["resources"] if r["type"] != "pulumi:pulumi:Stack")
    lines += ["", "Resources:", f"    + {sum(counts.values()) + 1} to create"]
    for type_, n in sorted(counts.items()):
        lines.append(f"      {n:>3} {type_}")

    if doc["warnings"]:
        lines += ["", "Warnings:"] + [f"    {w}" for w in doc["warnings"]]

    summary = doc.get("cost")
    if summary and summary.get("priceBooks"):
        from dockyard import cost

        books = cost.dates_text(summary["priceBooks"])
        partial = f", partial: {len(summary['unpriced'])} unpriced" if summary["partial"] else ""
        lines += ["", f"Monthly estimate: {cost.money(summary['monthly'])} (price books: {books}{partial}); "
                      "`--cost` shows the breakdown and what is not included."]
    return "\n".join(lines) + "\n"


# --- the command --------------------------------------------------------------------------------


def check(files: stackfile.StackFiles, result) -> list:
    """Guardrail violations (guardrails/ holds the rules), judged on the engine's registrations,
    whose secret values are still wrapped (secret user data is inspected too), with the stack's
    context (adminCidrs, published ports, LoadBalancers asked for) from its config."""
    import guardrails

    return guardrails.check_result(result, files.config, files.project_dir)


def run(args: argparse.Namespace) -> int:
    # A short-lived process: no cyclic GC while the SDKs import and the program runs (the engine
    # pauses it for the run anyway); peak memory is the same, the time is not.
    gc.disable()
    try:
        files, result = evaluate(args.stack, args.set, args.cwd.resolve(), dry_run=args.dry_run)
    except InputError:
        raise
    except Exception as exc:
        from dockyard import engine

        if isinstance(exc, engine.Refused):  # the offline cloud refused a resource config let through
            print(error_line(exc), file=sys.stderr)
            return 2
        if isinstance(exc, (engine.MockResourceMissing, engine.MockInvokeMissing)):  # Dockyard's own bug
            print(f"error: internal: {exc}", file=sys.stderr)
            return 1
        raise
    except SystemExit as exc:  # the program printed its own one-line error
        return exc.code if isinstance(exc.code, int) else 1
    doc = document(result)
    out = to_json(doc) if args.json else to_text(doc)
    sys.stdout.write(out)
    if args.cost and not args.json:
        from dockyard import cost

        sys.stdout.write("\n" + cost.to_text(doc, cost.estimate(doc)))
    if args.check:
        from dockyard import cost

        violations = [v.line() for v in check(files, result)]
        over = cost.budget_violation(cost.estimate(doc), files.config.get("dockyard:monthlyBudget"))
        if over:
            violations.append(over)
        for line in violations:  # one line each: URN, rule, what is wrong, how to fix it
            print(line, file=sys.stderr)
        if violations:
            return 3
        if not args.json:
            print("Guardrails: all rules pass.")
    return 0
