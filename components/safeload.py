"""The one way Dockyard reads a file a user hands it: stack files, compose files, env files,
kubeconfigs, `preview --json` files, outputs files, docker context files.

A careless or hostile file must end in one exit-2 line (``error: FILE[:LINE]: message``), never
in a traceback, a hang or an exhausted memory. So, before anything is parsed:

- only a regular file is read: the path is stat'ed first, then opened with O_NONBLOCK (a FIFO
  swapped in after the stat cannot block the open) and checked again on the open descriptor,
  so a FIFO, /dev/zero, a socket or a directory is refused without reading a byte;
- at most ``MAX_BYTES`` are read;
- text must be UTF-8 (a UTF-8 BOM is dropped): UTF-16, NUL bytes and other binary are refused.

YAML is parsed with a composer that caps nesting depth (no RecursionError, here or in the
recursive code that walks the data later) and the nodes an alias may add (a "billion laughs"
file of a few hundred bytes is refused instead of expanded), refuses an alias that contains
itself, and refuses duplicate keys (the Pulumi CLI and Docker Compose refuse them too). JSON is
parsed with the same depth cap, duplicate keys refused and NaN/Infinity refused.

Errors name the file and at most a line number: never what the file holds.
"""

from __future__ import annotations

import errno
import itertools
import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from components.errors import InputError

#: Largest file read (bytes). The biggest shipped `preview --json` is well under 1 MiB.
MAX_BYTES = 16 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted (a Kubernetes object in a preview is ~15 deep).
MAX_DEPTH = 100
#: Most YAML nodes that aliases may add beyond the file's own nodes (shared `x-` blocks in a
#: compose file add a few hundred; a "billion laughs" file adds 10^9).
MAX_ALIAS_NODES = 100_000


class FileError(InputError):
    """A file that cannot be read or parsed; ``where`` is ``FILE`` or ``FILE:LINE``."""

    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(f"{file}:{line}" if line else str(file), message)
        self.file = str(file)
        self.line = line


# --- bytes ----------------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _os_error(shown: str, what: str, exc: OSError) -> FileError:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return FileError(shown, f"{what} not found")
    if exc.errno == errno.EISDIR:
        return FileError(shown, f"is a directory, not a {what}")
    if exc.errno == errno.ELOOP:
        return FileError(shown, "cannot be read (symlink loop)")
    return FileError(shown, f"cannot be read ({exc.strerror or exc.__class__.__name__})")


def read_bytes(path: Path | str, shown: str | None = None, *, what: str = "file",
               max_bytes: int = MAX_BYTES) -> bytes:
    """The content of the regular file ``path``, at most ``max_bytes``; FileError otherwise.

    ``shown`` is how errors name the file (default: the path as given)."""
    shown = str(path) if shown is None else shown
    if "\0" in str(path):
        raise FileError(shown if "\0" not in shown else repr(shown), "holds a NUL character; not a path")
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _os_error(shown, what, exc) from None
    except ValueError:  # embedded NUL in bytes paths and the like
        raise FileError(repr(shown), "not a path") from None
    if not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise FileError(shown, f"is a directory, not a {what}")
        raise FileError(shown, f"is {_kind(st.st_mode)}, not a regular file; refusing to read it")
    if st.st_size > max_bytes:
        raise FileError(shown, f"is {st.st_size} bytes; the limit is {max_bytes}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _os_error(shown, what, exc) from None
    try:
        st = os.fstat(fd)  # what was opened, which may not be what was stat'ed
        if not stat.S_ISREG(st.st_mode):
            raise FileError(shown, f"is {_kind(st.st_mode)}, not a regular file; refusing to read it")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise FileError(shown, f"is over {max_bytes} bytes; the limit is {max_bytes}")
    except OSError as exc:
        raise _os_error(shown, what, exc) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def _line_at(data: bytes | str, offset: int) -> int:
    return data.count(b"\n" if isinstance(data, bytes) else "\n", 0, offset) + 1


def decode_text(data: bytes, shown: str) -> str:
    """UTF-8 text (a leading UTF-8 BOM dropped); FileError for UTF-16/32, NUL bytes, other binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(shown, "is UTF-16 (or UTF-32) text; save it as UTF-8")
    nul = data.find(b"\0")
    if nul >= 0:
        raise FileError(shown, "holds a NUL byte; it is binary, not a text file", _line_at(data, nul))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(shown, f"is not UTF-8 text (byte {exc.start})", _line_at(data, exc.start)) from None


def read_text(path: Path | str, shown: str | None = None, *, what: str = "file",
              max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of the regular file ``path`` (see read_bytes and decode_text)."""
    shown = str(path) if shown is None else shown
    return decode_text(read_bytes(path, shown, what=what, max_bytes=max_bytes), shown)


# --- YAML -----------------------------------------------------------------------------------------


class _BoundedComposer(yaml.composer.Composer):
    """PyYAML's composer with a depth cap (it recurses once per level)."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_graph(root: yaml.Node) -> None:
    """Refuse a node graph an alias makes cyclic, or whose aliases add more than MAX_ALIAS_NODES.

    PyYAML shares one node between an anchor and its aliases; walking the graph with each node's
    expanded size memoised costs one visit per node, however many times aliases repeat it."""
    size: dict[int, int] = {}
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    own = 0
    stack: list[tuple[yaml.Node, list, int]] = [(root, [], -1)]
    while stack:
        node, children, i = stack.pop()
        if i < 0:  # first visit
            if id(node) in size:
                continue
            if state.get(id(node)) == 1:
                raise yaml.composer.ComposerError(None, None, "an alias refers to a node that contains it",
                                                  node.start_mark)
            own += 1
            if isinstance(node, yaml.ScalarNode):
                size[id(node)] = 1
                continue
            state[id(node)] = 1
            children = ([v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode)
                        else list(node.value))
            i = 0
        if i < len(children):
            stack.append((node, children, i + 1))
            stack.append((children[i], [], -1))
            continue
        state[id(node)] = 2
        size[id(node)] = 1 + sum(size[id(c)] for c in children)
        if size[id(node)] - own > MAX_ALIAS_NODES:
            raise yaml.composer.ComposerError(None, None, f"aliases expand to more than {MAX_ALIAS_NODES} "
                                              "extra nodes (a YAML alias bomb?)", node.start_mark)


def check_unique_keys(constructor, node: yaml.MappingNode) -> None:
    """DuplicateKey for a key written twice in one mapping (merge keys `<<` excepted), a
    ConstructorError for a key that cannot be one (a list or a mapping)."""
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = constructor.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "found an unhashable key",
                                                    key_node.start_mark) from None
        if key in seen:
            raise DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)


class _NoDuplicates:
    """Constructor mixin: check_unique_keys on every mapping."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            check_unique_keys(self, node)
        return super().construct_mapping(node, deep=deep)


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key, line: int):
        super().__init__(f"duplicate key {key!r}")
        self.key = key
        self.line = line


class SafeLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _BoundedComposer,
                 _NoDuplicates, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """yaml.SafeLoader (YAML 1.1 scalars, as the Pulumi CLI's stack files) with the bounds above."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _BoundedComposer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


def parse_yaml(text: str, shown: str, *, loader: type | None = None, mapping: bool = False) -> Any:
    """One YAML document from ``text``, or FileError naming ``shown`` and the line.

    ``loader``: a PyYAML loader class whose composer is _BoundedComposer (default SafeLoader);
    ``mapping``: the top level must be a mapping (an empty document gives {})."""
    loader = loader or SafeLoader
    ld = None
    try:
        ld = loader(text)
        node = ld.get_single_node()
        if node is None:
            data = None
        else:
            _check_graph(node)
            data = ld.construct_document(node)
    except DuplicateKey as exc:
        raise FileError(shown, f"duplicate key {_short(exc.key)}", exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed"
        raise FileError(shown, f"malformed YAML: {_one_line(problem)}", mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        raise FileError(shown, f"malformed YAML: character #x{exc.character:04x} is not allowed in YAML"
                        if isinstance(exc.character, int) else "malformed YAML: not text",
                        _line_at(text, exc.position) if isinstance(exc.position, int) else None) from None
    except yaml.YAMLError as exc:
        line = getattr(exc, "line", None)
        raise FileError(shown, f"malformed YAML: {_one_line(str(exc))}", line) from None
    except (ValueError, OverflowError, TypeError):  # int('9'*5000), a timestamp 2024-13-45...
        raise FileError(shown, "malformed YAML: a number or date is out of range") from None
    except RecursionError:
        raise FileError(shown, f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        if ld is not None:
            ld.dispose()
    if mapping:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise FileError(shown, f"expected a mapping at the top level, got {_type_name(data)}",
                            getattr(data, "line", None) or 1)
    return data


def load_yaml(path: Path | str, shown: str | None = None, *, what: str = "file", loader: type | None = None,
              mapping: bool = False) -> Any:
    """read_text + parse_yaml."""
    shown = str(path) if shown is None else shown
    return parse_yaml(read_text(path, shown, what=what), shown, loader=loader, mapping=mapping)


# --- JSON -----------------------------------------------------------------------------------------


def _no_duplicates(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _JsonDuplicate(key)
        out[key] = value
    return out


class _JsonDuplicate(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


class _JsonConstant(ValueError):
    pass


def _refuse_constant(name: str):
    raise _JsonConstant(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _JsonConstant("a number this large")
    return value


def parse_json(text: str, shown: str, *, what: str = "JSON", mapping: bool = False) -> Any:
    """One JSON value from ``text``, or FileError: duplicate keys, NaN/Infinity and nesting deeper
    than MAX_DEPTH are refused (none of them is JSON that `pulumi` or Dockyard writes)."""
    if _json_depth(text) > MAX_DEPTH:
        raise FileError(shown, f"not valid {what}: nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant,
                          parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise FileError(shown, f"not valid {what}: {exc.msg}", exc.lineno) from None
    except _JsonDuplicate as exc:
        raise FileError(shown, f"not valid {what}: duplicate key {_short(exc.key)}") from None
    except _JsonConstant as exc:
        raise FileError(shown, f"not valid {what}: {exc.args[0]} is not a JSON number") from None
    except RecursionError:
        raise FileError(shown, f"not valid {what}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # an integer of more digits than int() converts
        raise FileError(shown, f"not valid {what}: a number has too many digits") from None
    if mapping and not isinstance(data, dict):
        raise FileError(shown, f"expected a JSON object at the top level, got {_type_name(data)}")
    return data


def load_json(path: Path | str, shown: str | None = None, *, what: str = "file", kind: str = "JSON",
              mapping: bool = False) -> Any:
    """read_text + parse_json."""
    shown = str(path) if shown is None else shown
    return parse_json(read_text(path, shown, what=what), shown, what=kind, mapping=mapping)


# --- helpers --------------------------------------------------------------------------------------


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _json_depth(text: str) -> int:
    """How deep the brackets of a JSON text nest (strings skipped), found before parsing: json's
    C parser recurses once per level, and a RecursionError caught on CPython 3.11 can break the next
    compile in the process (python/cpython#106905), so it must never be raised."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)


def type_word(value: Any) -> str:
    """What a parsed value is, in the words messages use (mapping, list, string, integer...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _type_name(value: Any) -> str:
    word = type_word(value)
    return word if word == "null" else ("an " if word[0] in "aeiou" else "a ") + word


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...'"

