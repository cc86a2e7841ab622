"""PyYAML loading that remembers the line of every key and list item.

Compose files are read with YAML 1.2 scalar rules, as Docker Compose reads them: `80:80` is a
string (YAML 1.1 would read it as the base-60 integer 4880) and yes/no/on/off stay strings.
Mappings come back as MarkedDict (with `.line` and `.key_lines`), sequences as MarkedList (with
`.line` and `.item_lines`); both are plain dict/list otherwise. Line numbers are 1-based.
"""

from __future__ import annotations

import re

import yaml
from yaml.constructor import ConstructorError

from components.safeload import _BoundedComposer, check_unique_keys


class MarkedDict(dict):
    line: int = 0
    key_lines: dict

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.key_lines = {}


class MarkedList(list):
    line: int = 0
    item_lines: list

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.item_lines = []




class _Resolver(yaml.resolver.Resolver):
    pass


# YAML 1.2 core schema for bool/int/float (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


class _Constructor(yaml.constructor.SafeConstructor):
    def construct_yaml_int(self, node):
        value = self.construct_scalar(node)
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value, 16)
        digits = value.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0"):
            # file modes (`mode: 0440`): octal, as Docker Compose's YAML parser reads them
            try:
                return int(value, 8)
            except ValueError:
                pass
        return int(value)

    def construct_marked_map(self, node):
        data = MarkedDict()
        data.line = node.start_mark.line + 1
        yield data
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        check_unique_keys(self, node)
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1

    def construct_marked_seq(self, node):
        data = MarkedList()
        data.line = node.start_mark.line + 1
        yield data
        for item in node.value:
            data.append(self.construct_object(item, deep=True))
            data.item_lines.append(item.start_mark.line + 1)


_Constructor.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_marked_map)
_Constructor.add_constructor("tag:yaml.org,2002:seq", _Constructor.construct_marked_seq)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


class MarkedLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                   _BoundedComposer, _Constructor, _Resolver):
    """Bounded like components.safeload.SafeLoader (depth), which also checks its aliases."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _BoundedComposer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def load_marked(text: str, shown: str = "<text>"):
    """Parse one YAML document with line marks (components.safeload.parse_yaml: FileError)."""
    from components.safeload import parse_yaml

    return parse_yaml(text, shown, loader=MarkedLoader)


def collect_lines(data, prefix: tuple = (), out: dict | None = None) -> dict:
    """Flatten the marks into {path tuple: line} for ComposeProject.lines."""
    out = {} if out is None else out
    if isinstance(data, MarkedDict):
        for key, value in data.items():
            out[prefix + (key,)] = data.key_lines.get(key, data.line)
            collect_lines(value, prefix + (key,), out)
    elif isinstance(data, MarkedList):
        for i, value in enumerate(data):
            out[prefix + (i,)] = data.item_lines[i] if i < len(data.item_lines) else data.line
            collect_lines(value, prefix + (i,), out)
    return out
