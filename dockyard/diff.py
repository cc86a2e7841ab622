"""`dockyard diff BASE.json HEAD.json`: what a change would do, from two offline previews.

Resources are matched by URN. Changed resources list the input keys that differ; a value is
shown only when neither side is a secret, so a secret is never revealed (previews already hold
`[secret]`, and the diff never prints more than the preview holds).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.errors import InputError

SECRET = "[secret]"
SHOW_LIMIT = 60


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("base", help="preview JSON of the base (e.g. main)")
    p.add_argument("head", help="preview JSON of the head (e.g. the pull request)")
    p.add_argument("--format", choices=["text", "markdown"], default="text")


@dataclass
class Change:
    urn: str
    type: str
    name: str
    keys: list[tuple[str, Any, Any]] = field(default_factory=list)  # (key, before, after)


@dataclass
class Diff:
    stack: str
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    outputs: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.outputs)


def load(path: str) -> dict:
    p = Path(path)
    if not p.is_file():
        raise InputError(path, "file not found")
    try:
        doc = json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}", f"not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("resources"), list):
        raise InputError(path, "not a `dockyard preview --json` document (no resources list)")
    return doc


def _changed_keys(before: dict, after: dict) -> list[tuple[str, Any, Any]]:
    out = []
    for key in sorted(set(before) | set(after)):
        if before.get(key, None) != after.get(key, None) or (key in before) != (key in after):
            out.append((key, before.get(key), after.get(key)))
    return out


def compare(base: dict, head: dict) -> Diff:
    b = {r["urn"]: r for r in base["resources"]}
    h = {r["urn"]: r for r in head["resources"]}
    diff = Diff(stack=head.get("stack") or base.get("stack") or "")
    diff.added = [h[u] for u in h if u not in b]
    diff.removed = [b[u] for u in b if u not in h]
    for urn in h:
        if urn not in b:
            continue
        old, new = b[urn], h[urn]
        keys = _changed_keys(old.get("inputs") or {}, new.get("inputs") or {})
        for meta in ("provider", "parent"):
            if old.get(meta) != new.get(meta):
                keys.append((f"({meta})", old.get(meta), new.get(meta)))
        if keys:
            diff.changed.append(Change(urn, new["type"], new["name"], keys))
    diff.outputs = _changed_keys(base.get("outputs") or {}, head.get("outputs") or {})
    return diff


def _show(value: Any) -> str | None:
    """A short, non-secret rendering, or None when the value should not be printed."""
    text = json.dumps(value, sort_keys=True)
    if SECRET in text or len(text) > SHOW_LIMIT:
        return None
    return text


def _key_line(key: str, before: Any, after: Any) -> str:
    a, b = _show(before), _show(after)
    if before is None:
        return f"{key} (added)" + (f": {b}" if b else "")
    if after is None:
        return f"{key} (removed)"
    if a is not None and b is not None:
        return f"{key}: {a} → {b}"
    return key


def to_text(d: Diff) -> str:
    if d.empty:
        return f"stack {d.stack}: no changes\n"
    lines = [f"stack {d.stack}: {len(d.added)} to add, {len(d.changed)} to change, {len(d.removed)} to delete"]
    for r in d.added:
        lines.append(f"  + {r['type']}  {r['name']}")
    for c in d.changed:
        lines.append(f"  ~ {c.type}  {c.name}")
        lines += [f"      {_key_line(*k)}" for k in c.keys]
    for r in d.removed:
        lines.append(f"  - {r['type']}  {r['name']}")
    if d.outputs:
        lines.append("  outputs:")
        lines += [f"    ~ {_key_line(*k)}" for k in d.outputs]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(d: Diff) -> str:
    head = f"### Stack `{d.stack}`\n\n"
    if d.empty:
        return head + "No changes.\n"
    lines = [head + f"**{len(d.added)} to add, {len(d.changed)} to change, {len(d.removed)} to delete**", ""]
    lines += ["| | Type | Name | Changed inputs |", "|---|---|---|---|"]
    for r in d.added:
        lines.append(f"| ➕ | `{r['type']}` | `{r['name']}` | |")
    for c in d.changed:
        keys = "<br>".join(_md(_key_line(*k)) for k in c.keys)
        lines.append(f"| ✏️ | `{c.type}` | `{c.name}` | {keys} |")
    for r in d.removed:
        lines.append(f"| ➖ | `{r['type']}` | `{r['name']}` | |")
    if d.outputs:
        lines += ["", "Outputs changed:", ""]
        lines += [f"- {_md(_key_line(*k))}" for k in d.outputs]
    lines += ["", "_Offline preview: cloud-computed values are placeholders; secrets are never shown._"]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from dockyard import cost

    base, head = load(args.base), load(args.head)
    d = compare(base, head)
    sys.stdout.write(to_markdown(d) if args.format == "markdown" else to_text(d))
    sys.stdout.write(cost.diff_section(base, head, markdown=args.format == "markdown"))
    return 0
