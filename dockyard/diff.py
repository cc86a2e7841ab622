"""`dockyard diff BASE.json HEAD.json`: what a change would do, from two offline previews.

Resources are matched by URN. Changed resources list the input keys that differ; a value is
shown only when neither side is a secret, so a secret is never revealed (previews already hold
`[secret]`, and the diff never prints more than the preview holds).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components import safeload
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
    keys: list[tuple[str, Any, Any]] = field(default_factory=list)  # (input path, before, after)
    action: str = "update"  # "update", "replace", "maybe" (may replace) or "unknown" (no table row)
    reasons: list[str] = field(default_factory=list)  # what replaces it (input paths, "provider")
    delete_first: bool = False
    ignored: list[str] = field(default_factory=list)  # ignoreChanges paths whose value differs
    unknown: str = ""  # why the table cannot tell, when action is "unknown"

    @property
    def verdict(self) -> str:
        """The action as `pulumi preview` would name it."""
        why = f" ({', '.join(self.reasons)})" if self.reasons else ""
        if self.action == "replace":
            return ("replace, delete first" if self.delete_first else "replace") + why
        if self.action == "maybe":
            return "update, may replace" + why
        if self.action == "unknown":
            return f"update (replacement unknown: {self.unknown or 'no row in dockyard/replacements.py'})" + why
        if self.action == "component":
            return "update (component: its children decide)"
        return "update in place"


@dataclass
class Diff:
    stack: str
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    outputs: list[tuple[str, Any, Any]] = field(default_factory=list)
    #: resources whose only differences are in their ignoreChanges paths: (type, name, paths)
    ignored: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.outputs)

    @property
    def replaced(self) -> int:
        return sum(c.action == "replace" for c in self.changed)


def load(path: str) -> dict:
    doc = safeload.load_json(Path(path), path)
    if not isinstance(doc, dict) or not isinstance(doc.get("resources"), list):
        raise InputError(path, "not a `dockyard preview --json` document (no resources list)")
    check_document(doc, path)
    return doc


#: Fields of DESIGN.md's preview schema that diff and the cost section read, by the type each must
#: have when present (fields the schema does not name are left alone: consumers tolerate them).
_STR, _OPT_STR, _BOOL, _MAP, _STRS, _LIST = "a string", "a string or null", "true or false", "an object", \
    "a list of strings", "a list"
_RESOURCE_FIELDS = {
    "urn": _STR, "type": _STR, "name": _STR, "parent": _OPT_STR, "provider": _OPT_STR, "custom": _BOOL,
    "inputs": _MAP, "propertyDependencies": _MAP, "dependencies": _STRS, "secretOutputs": _STRS,
    "deleteBeforeReplace": _BOOL, "ignoreChanges": _STRS, "replaceOnChanges": _STRS, "protect": _BOOL,
    "retainOnDelete": _BOOL, "aliases": _LIST, "dependsOn": _STRS,
}
_DOCUMENT_FIELDS = {"project": _STR, "stack": _STR, "outputs": _MAP, "warnings": _STRS}
_REQUIRED = ("urn", "type", "name")


def _has_type(value: Any, kind: str) -> bool:
    return {
        _STR: lambda v: isinstance(v, str),
        _OPT_STR: lambda v: v is None or isinstance(v, str),
        _BOOL: lambda v: isinstance(v, bool),
        _MAP: lambda v: isinstance(v, dict),
        _STRS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        _LIST: lambda v: isinstance(v, list),
    }[kind](value)


def check_document(doc: dict, path: str) -> None:
    """Refuse a preview document whose known fields have the wrong type, naming the field (never
    its value: a hand-edited file may hold anything)."""
    for key, kind in _DOCUMENT_FIELDS.items():
        if key in doc and not _has_type(doc[key], kind):
            raise InputError(path, f"{key} must be {kind}, not {_type_name(doc[key])}")
    seen: set[str] = set()
    for i, r in enumerate(doc["resources"]):
        if not isinstance(r, dict):
            raise InputError(path, f"resources[{i}] must be an object, not {_type_name(r)}")
        for key in _REQUIRED:
            if key not in r:
                raise InputError(path, f"resources[{i}] has no {key}")
        for key, kind in _RESOURCE_FIELDS.items():
            if key in r and not _has_type(r[key], kind):
                raise InputError(path, f"resources[{i}].{key} must be {kind}, not {_type_name(r[key])}")
        if r["urn"] in seen:
            raise InputError(path, f"resources[{i}]: a second resource with URN {r['urn']!r}")
        seen.add(r["urn"])


def _type_name(value: Any) -> str:
    return "null" if value is None else {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
                                         int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _changed_keys(before: dict, after: dict) -> list[tuple[str, Any, Any]]:
    out = []
    for key in sorted(set(before) | set(after)):
        if before.get(key, None) != after.get(key, None) or (key in before) != (key in after):
            out.append((key, before.get(key), after.get(key)))
    return out


# --- property paths (Pulumi's syntax: a.b[0]["c.d"], * for any key or element) -------------------

_MISSING = object()
_MAX_DEPTH = 32
_TOKEN = re.compile(r'\.?([^.\[\]"]+)|\[(\d+|\*)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_path(path: str) -> tuple[Any, ...] | None:
    """``a.b[0]["c.d"]`` -> ("a", "b", 0, "c.d"); ``*`` stays a wildcard. None when malformed."""
    out: list[Any] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m or m.end() == pos or (pos == 0 and path.startswith(".")):
            return None
        name, index, quoted = m.groups()
        if index is not None:
            out.append("*" if index == "*" else int(index))
        else:
            out.append(quoted.replace('\\"', '"') if quoted is not None else name)
        pos = m.end()
    return tuple(out) if out else None


def show_path(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_$@-]+", part):
            text += ("." if text else "") + part
        else:
            text += "[" + json.dumps(part) + "]"
    return text


def leaf_changes(old: Any, new: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """The deepest paths at which two input values differ (dicts by key, equal-length lists by index),
    down to a bounded depth (a hand-made document may nest without end)."""
    if len(path) >= _MAX_DEPTH:
        return [] if _same(old, new) else [(path, old, new)]
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            out += leaf_changes(old.get(key, _MISSING), new.get(key, _MISSING), (*path, key))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out += leaf_changes(a, b, (*path, i))
        return out
    return [] if _same(old, new) else [(path, old, new)]


def _same(old: Any, new: Any) -> bool:
    try:
        return old is new or (old is not _MISSING and new is not _MISSING and type(old) is type(new) and old == new)
    except RecursionError:  # absurdly deep values: call them changed rather than fail
        return False


def _values_at(value: Any, path: tuple[Any, ...], skip_indices: bool) -> list[Any]:
    """Every value at ``path`` under ``value`` (lists walked where the path does not index them)."""
    if not path:
        return [value]
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        if head == "*" or isinstance(head, int) and not skip_indices:
            items = value if head == "*" else value[head:head + 1]
            return [v for item in items for v in _values_at(item, rest, skip_indices)]
        if skip_indices:
            return [v for item in value for v in _values_at(item, path, skip_indices)]
        return []
    if isinstance(value, dict):
        if head == "*":
            return [v for item in value.values() for v in _values_at(item, rest, skip_indices)]
        if head in value:
            return _values_at(value[head], rest, skip_indices)
    return []


def _covers(rule: tuple[Any, ...], changed: tuple[Any, ...], old: dict, new: dict, skip_indices: bool) -> bool:
    """Whether a change at ``changed`` changes something at or below ``rule`` (Pulumi's
    PropertyPath.Contains, plus a change at an ancestor that alters the value under ``rule``)."""
    here = tuple(p for p in changed if not isinstance(p, int)) if skip_indices else changed
    n = min(len(rule), len(here))
    if any(r != "*" and r != h for r, h in zip(rule[:n], here[:n], strict=True)):
        return False
    if len(here) >= len(rule):
        return True
    return _values_at(old, rule, skip_indices) != _values_at(new, rule, skip_indices)


def _reset(old: Any, new: Any, path: tuple[Any, ...]) -> Any:
    """``new`` with the value at ``path`` taken from ``old`` (Pulumi's processIgnoreChanges)."""
    if not path:
        return old
    head, rest = path[0], path[1:]
    if isinstance(new, dict) and isinstance(old, dict):
        keys = list(new) if head == "*" else [head]
        out = dict(new)
        for k in keys:
            if k in old:
                out[k] = _reset(old[k], new.get(k, _MISSING), rest) if k in new else old[k]
            else:
                out.pop(k, None)
        return out
    if isinstance(new, list) and isinstance(old, list):
        out = list(new)
        idx = range(min(len(old), len(new))) if head == "*" else ([head] if isinstance(head, int) and head < min(
            len(old), len(new)) else [])
        for i in idx:
            out[i] = _reset(old[i], new[i], rest)
        return out
    return new


# --- comparing two previews ---------------------------------------------------------------------


def _classify(old: dict, new: dict, change: Change, replaced_providers: dict[str, str]) -> None:
    """Fill in the change's action and reasons the way `pulumi preview` decides them."""
    from dockyard import replacements

    before, after = old.get("inputs") or {}, new.get("inputs") or {}
    reasons: list[str] = []
    maybe: list[str] = []
    # A different provider reference: the engine asks the new provider's DiffConfig; offline we
    # cannot, so a resource moved to another provider is reported replaced (the safe reading).
    if old.get("provider") != new.get("provider"):
        reasons.append("provider")
    elif new.get("provider") in replaced_providers:
        (reasons if replaced_providers[new["provider"]] == "replace" else maybe).append("provider")
    leaves = leaf_changes(before, after)
    for raw in new.get("replaceOnChanges") or []:
        rule = parse_path(raw)
        if rule and any(_covers(rule, p, before, after, False) for p, _, _ in leaves):
            reasons.append(raw)
    row = replacements.row(new["type"])
    if row is not None:
        for rule_text in (*row.replace, *row.when, *row.maybe):
            rule = tuple(rule_text.split("."))
            if not any(_covers(rule, p, before, after, True) for p, _, _ in leaves):
                continue
            if rule_text in row.maybe:
                maybe.append(rule_text)
            elif rule_text in row.when and not after.get(row.when[rule_text]):
                continue
            elif rule_text not in reasons:
                reasons.append(rule_text)
    if reasons:
        change.action, change.reasons = "replace", reasons
        change.delete_first = bool(new.get("deleteBeforeReplace"))
    elif maybe:
        change.action, change.reasons = "maybe", maybe
    elif not new.get("custom", True):
        change.action = "component"
    elif row is None:
        change.action = "unknown"
    elif row.partial and leaves:
        change.action, change.unknown = "unknown", f"the table lists part of it; {row.partial}"


def compare(base: dict, head: dict) -> Diff:
    b = {r["urn"]: r for r in base["resources"]}
    h = {r["urn"]: r for r in head["resources"]}
    diff = Diff(stack=head.get("stack") or base.get("stack") or "")
    diff.added = [h[u] for u in h if u not in b]
    diff.removed = [b[u] for u in b if u not in h]
    replaced_providers: dict[str, str] = {}  # provider URN -> "replace" / "maybe"
    for urn in h:  # registration order: a provider is registered before the resources that use it
        if urn not in b:
            continue
        old, new = b[urn], h[urn]
        before, after = old.get("inputs") or {}, new.get("inputs") or {}
        ignored = []
        for raw in new.get("ignoreChanges") or []:
            path = parse_path(raw)
            if path is None:
                continue
            kept = _reset(before, after, path)
            if kept != after:
                ignored.append(raw)
                after = kept
        change = Change(urn, new["type"], new["name"], ignored=ignored)
        change.keys = [(show_path(p), None if x is _MISSING else x, None if y is _MISSING else y)
                       for p, x, y in leaf_changes(before, after)]
        for meta in ("provider", "parent"):
            if old.get(meta) != new.get(meta):
                change.keys.append((f"({meta})", old.get(meta), new.get(meta)))
        if not change.keys and new.get("provider") not in replaced_providers:
            if ignored:
                diff.ignored.append((new["type"], new["name"], ignored))
            continue
        _classify(old, {**new, "inputs": after}, change, replaced_providers)
        if new["type"].startswith("pulumi:providers:") and change.action in ("replace", "maybe", "unknown"):
            replaced_providers[urn] = "replace" if change.action == "replace" else "maybe"
        diff.changed.append(change)
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


_SYMBOL = {"replace": "+-", "maybe": "~?", "unknown": "~?"}


def _summary(d: Diff) -> str:
    text = f"{len(d.added)} to add, {len(d.changed)} to change, {len(d.removed)} to delete"
    return text + (f" ({d.replaced} of the changes replace)" if d.replaced else "")


def _ignored_text(c: Change) -> str:
    return f"ignored (ignoreChanges): {', '.join(c.ignored)}" if c.ignored else ""


def to_text(d: Diff) -> str:
    if d.empty and not d.ignored:
        return f"stack {d.stack}: no changes\n"
    lines = [f"stack {d.stack}: " + (_summary(d) if not d.empty else "no changes")]
    for r in d.added:
        lines.append(f"  + {r['type']}  {r['name']}")
    for c in d.changed:
        symbol = "-+" if c.action == "replace" and c.delete_first else _SYMBOL.get(c.action, "~ ")
        lines.append(f"  {symbol} {c.type}  {c.name}  {c.verdict}")
        lines += [f"      {_key_line(*k)}" for k in c.keys]
        if c.ignored:
            lines.append(f"      {_ignored_text(c)}")
    for r in d.removed:
        lines.append(f"  - {r['type']}  {r['name']}")
    for type_, name, paths in d.ignored:
        lines.append(f"  = {type_}  {name}  no change: ignored (ignoreChanges): {', '.join(paths)}")
    if d.outputs:
        lines.append("  outputs:")
        lines += [f"    ~ {_key_line(*k)}" for k in d.outputs]
    return "\n".join(lines) + "\n"


_PLAIN_CELL = re.compile(r"[^`|\\<>&\r\n]*")


def md_text(text: str) -> str:
    """Text safe in one GitHub table cell: no `|`, newline, HTML or backslash escapes leak out."""
    import html

    out = html.escape(str(text), quote=False).replace("\\", "&#92;").replace("|", "&#124;").replace("`", "&#96;")
    return out.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def md_code(text: str) -> str:
    """``text`` as inline code in a table cell; HTML <code> where backticks could not carry it."""
    text = str(text)
    if _PLAIN_CELL.fullmatch(text):
        return f"`{text}`"
    return f"<code>{md_text(text)}</code>"


def to_markdown(d: Diff) -> str:
    head = f"### Stack {md_code(d.stack)}\n\n"
    if d.empty and not d.ignored:
        return head + "No changes.\n"
    lines = [head + (f"**{_summary(d)}**" if not d.empty else "**No changes.**"), ""]
    lines += ["| | Type | Name | Action | Changed inputs |", "|---|---|---|---|---|"]
    for r in d.added:
        lines.append(f"| ➕ | {md_code(r['type'])} | {md_code(r['name'])} | create | |")
    for c in d.changed:
        icon = "♻️" if c.action == "replace" else "✏️"
        keys = [md_text(_key_line(*k)) for k in c.keys] + ([md_text(_ignored_text(c))] if c.ignored else [])
        lines.append(f"| {icon} | {md_code(c.type)} | {md_code(c.name)} | {md_text(c.verdict)} | {'<br>'.join(keys)} |")
    for r in d.removed:
        lines.append(f"| ➖ | {md_code(r['type'])} | {md_code(r['name'])} | delete | |")
    for type_, name, paths in d.ignored:
        lines.append(f"| ⏸️ | {md_code(type_)} | {md_code(name)} | no change | "
                     f"{md_text('ignored (ignoreChanges): ' + ', '.join(paths))} |")
    if d.outputs:
        lines += ["", "Outputs changed:", ""]
        lines += [f"- {md_text(_key_line(*k))}" for k in d.outputs]
    lines += ["", "_Offline preview: cloud-computed values are placeholders; secrets are never shown; "
                  "replace / update as the providers' documented rules decide (dockyard/replacements.py)._"]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from dockyard import cost

    base, head = load(args.base), load(args.head)
    d = compare(base, head)
    sys.stdout.write(to_markdown(d) if args.format == "markdown" else to_text(d))
    sys.stdout.write(cost.diff_section(base, head, markdown=args.format == "markdown"))
    return 0
