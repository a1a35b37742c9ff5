"""Strict YAML (and JSON) reading with line numbers.

PyYAML's safe loader already refuses tags that construct Python objects. On top of it this
loader refuses duplicate keys (PyYAML silently keeps the last), refuses aliases (a few lines of
aliases can expand to gigabytes), and remembers the line of every mapping and key so that every
error can point at the line to fix.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

# libyaml's parser, where PyYAML was built with it (its wheels are); None where it was not.
_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)

MAX_FILE_BYTES = 1_000_000  # a KB file
MAX_CASE_BYTES = 256_000  # a case file, or one line of JSON Lines: real ones are a few KB, and
# the pure-Python YAML parser takes seconds and hundreds of MB on a file of about 1 MB


class LDict(dict):  # type: ignore[type-arg]
    """A dict that remembers its own line and the line of each key."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LList(list):  # type: ignore[type-arg]
    """A list that remembers its own line and the line of each item."""

    line: int | None = None
    item_lines: list[int]

    def line_of(self, index: int) -> int | None:
        lines = getattr(self, "item_lines", [])
        return lines[index] if index < len(lines) else self.line


class _Problem(Exception):
    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases or duplicate keys, keeping line numbers."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Problem(event.start_mark.line + 1, "YAML aliases (*name) are not allowed")
        event = self.peek_event()
        if getattr(event, "anchor", None):  # the anchor is on the event; composed nodes do not keep it
            raise _Problem(event.start_mark.line + 1, "YAML anchors (&name) are not allowed")
        return super().compose_node(parent, index)

    def construct_strict_map(self, node: yaml.MappingNode) -> LDict:
        result = LDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Problem(key_node.start_mark.line + 1, "YAML merge keys (<<) are not allowed")
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _Problem(key_node.start_mark.line + 1, f"a key must be text, not {key!r}")
            if key in result:
                raise _Problem(
                    key_node.start_mark.line + 1,
                    f"duplicate key '{key}' (first on line {result.key_lines[key]})",
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_strict_seq(self, node: yaml.SequenceNode) -> LList:
        result = LList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _timestamp_as_text(loader: StrictLoader, node: yaml.ScalarNode) -> str:
    """Dates stay text here, so that kbcheck's own date parser can name the field and line of a
    date that does not exist (2025-02-30) instead of PyYAML failing without either."""
    return str(loader.construct_scalar(node))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(loader: StrictLoader, node: yaml.ScalarNode) -> str:
    """Text, with an emoji or other character written as a pair of JSON-style escapes
    ("\\ud83d\\ude00") joined into the one character it stands for, as a JSON reader would; a
    surrogate left alone stays, for the case reader to refuse."""
    text = str(loader.construct_scalar(node))
    if _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return text


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
StrictLoader.add_constructor("tag:yaml.org,2002:str", _text)
StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_strict_map)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_strict_seq)


if _CParser is not None:

    class _CStrictLoader(_CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """The same loader on libyaml's parser (PyYAML's C extension), about ten times as fast as the
        pure-Python one. libyaml resolves aliases and anchors itself and words its errors its own
        way, so it is used only where neither can matter (see `parse_yaml`); the values and line
        numbers are those StrictLoader gives, its constructors called node by node (`_build`)."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        # The tag of a short plain scalar by its text: a case repeats the same few (true, false,
        # the names of facts), and PyYAML's resolver tries its patterns on each one again.
        # Kept for texts up to 64 characters and up to 4,096 of them, so it stays small.
        _tags: dict[tuple[str, Any], str] = {}

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is not yaml.ScalarNode or self.yaml_path_resolvers or len(value) > 64:
                return super().resolve(kind, value, implicit)
            key = (value, implicit)
            tag = self._tags.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._tags) < 4096:
                    self._tags[key] = tag
            return tag

        def get_single_data(self) -> Any:
            node = self.get_single_node()
            return None if node is None else self._build(node)

        def _build(self, node: yaml.Node) -> Any:
            """What StrictLoader's constructors make of a node, called directly rather than through
            PyYAML's general construct_object (which tracks aliases and recursion that cannot occur
            here). Only plain mappings, lists and the scalars a case or KB file holds are built;
            anything else (a tag, a merge key, a key that is not text, a duplicate key) raises, and
            the strict loader reads the file instead."""
            if isinstance(node, yaml.ScalarNode):
                build = _SCALARS[node.tag]  # KeyError for any other tag
                return build(self, node)
            line = node.start_mark.line + 1
            if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
                result = LDict()
                result.line = line
                result.key_lines = key_lines = {}
                for key_node, value_node in node.value:
                    key = self._build(key_node)
                    if not isinstance(key, str) or key in result or key_node.tag == _MERGE:
                        raise _Problem(None, "left to the strict loader")
                    result[key] = self._build(value_node)
                    key_lines[key] = key_node.start_mark.line + 1
                return result
            if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
                items = LList(self._build(child) for child in node.value)
                items.line = line
                items.item_lines = [child.start_mark.line + 1 for child in node.value]
                return items
            raise _Problem(None, "left to the strict loader")

    _MAP, _SEQ, _MERGE = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"
    # The scalars StrictLoader builds, with its own functions: text, dates kept as text, and
    # SafeConstructor's booleans, numbers and null.
    _SCALARS: dict[str, Callable[[Any, yaml.ScalarNode], Any]] = {
        "tag:yaml.org,2002:str": _text,
        "tag:yaml.org,2002:timestamp": _timestamp_as_text,
        "tag:yaml.org,2002:bool": yaml.constructor.SafeConstructor.construct_yaml_bool,
        "tag:yaml.org,2002:int": yaml.constructor.SafeConstructor.construct_yaml_int,
        "tag:yaml.org,2002:float": yaml.constructor.SafeConstructor.construct_yaml_float,
        "tag:yaml.org,2002:null": yaml.constructor.SafeConstructor.construct_yaml_null,
    }


# What sends a text to the pure-Python loader: an anchor or alias could be written (the
# characters & and * anywhere), or a character PyYAML's reader refuses (which libyaml might not).
_NOT_FOR_LIBYAML = re.compile(r"[&*]|" + yaml.reader.Reader.NON_PRINTABLE.pattern)


def _fast_yaml(text: str) -> tuple[bool, Any]:
    """(True, the data) where libyaml reads the text without complaint, (False, None) where the
    pure-Python loader must read it: any problem at all is left to that loader, so that every
    error keeps its exact words and line."""
    if _CParser is None or _NOT_FOR_LIBYAML.search(text):
        return False, None
    try:
        loader = _CStrictLoader(text)
        try:
            return True, loader.get_single_data()
        finally:
            loader.dispose()
    except Exception:  # a malformed file, a duplicate key, a tag: the strict loader says which
        return False, None


def read_bytes(path: Path, label: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file of at most `limit` bytes. A FIFO, a device (/dev/zero) or a socket,
    or a link to one, is refused before it is read, and the read stops at limit + 1 bytes
    whatever the file says its size is; the checks are made on the file opened, not on its name."""
    if not path.exists() and not path.is_symlink():
        raise InputError(label, "no such file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    except IsADirectoryError:
        raise InputError(label, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(label, f"cannot be read: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    problem = (
        "is a directory, not a file"
        if stat.S_ISDIR(info.st_mode)
        else "is not a regular file (a FIFO, a device or a socket); it is not read"
        if not stat.S_ISREG(info.st_mode)
        else f"file is too large ({info.st_size:,} bytes; the limit is {limit:,})"
        if info.st_size > limit
        else None
    )
    if problem is not None:
        os.close(fd)
        raise InputError(label, problem)
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise InputError(label, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(label, f"file is too large (more than {limit:,} bytes)")
    return data


def read_text(path: Path, label: str, limit: int = MAX_FILE_BYTES) -> str:
    """Read a small UTF-8 text file, refusing what is not one."""
    data = read_bytes(path, label, limit)
    if b"\x00" in data:
        raise InputError(label, "is a binary file, not YAML or JSON text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(label, "is not UTF-8 text", line=line) from None


def parse_yaml(text: str, label: str) -> Any:
    """Parse one YAML document strictly; errors name the file and the line. libyaml reads it
    where it can (`_fast_yaml`); otherwise, and for every error, the pure-Python loader does."""
    done, data = _fast_yaml(text)
    if done:
        return data
    try:
        loader = StrictLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _Problem as exc:
        raise InputError(label, exc.message, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        if "could not determine a constructor" in str(exc):
            problem = "YAML tags that construct objects are not allowed"
        raise InputError(label, f"malformed YAML: {problem}", line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        char = exc.character
        shown = (
            f"U+{char:04X}"
            if isinstance(char, int)
            else f"U+{ord(char):04X}"
            if isinstance(char, str) and char
            else "?"
        )
        raise InputError(label, f"malformed YAML: the control character {shown} is not allowed", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(label, f"malformed YAML: {exc}") from None
    except RecursionError:
        raise InputError(label, "malformed YAML: nested too deeply") from None
    except ValueError as exc:  # e.g. a timestamp such as 2025-02-30 that does not exist
        raise InputError(label, f"malformed YAML: {exc}") from None


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key '{key}'")
        result[key] = value
    return result


def parse_json(text: str, label: str) -> Any:
    """Parse JSON strictly (no duplicate keys); errors name the file and the line."""
    try:
        return json.loads(text, object_pairs_hook=_json_pairs)
    except json.JSONDecodeError as exc:
        raise InputError(label, f"malformed JSON: {exc.msg}", line=exc.lineno) from None
    except ValueError as exc:
        raise InputError(label, f"malformed JSON: {exc}") from None
    except RecursionError:
        raise InputError(label, "malformed JSON: nested too deeply") from None


def load_file(path: Path, label: str | None = None, limit: int = MAX_FILE_BYTES) -> Any:
    """Load a YAML or JSON file (by its suffix) strictly."""
    label = label or str(path)
    text = read_text(path, label, limit)
    if path.suffix.lower() == ".json":
        return parse_json(text, label)
    return parse_yaml(text, label)
