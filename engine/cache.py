"""A disk cache of the validated KB, so a command does not parse ~50 YAML files.

Why it is built the way it is:

- **Plain data, never code.** The cache is JSON. Loading it cannot run code, whoever wrote the
  file: it is decoded field by field against the KB's own dataclasses (engine/model.py), and
  anything of another shape (a missing or extra field, a wrong type, an unknown class) is a
  cache miss, never an error. The compiled form is rebuilt from the KB on every load (a few
  milliseconds), so only one shape has to be trusted.
- **Keyed on content.** The key hashes the bytes of every KB file and of the modules that read
  and compile it, with the Python version. An edit that keeps a file's size and restores its
  modification time (`git checkout`, `rsync -t`, `cp -p`) still changes the key.
- **Not followed, not shared.** It lives under $KBCHECK_CACHE_DIR, else
  $XDG_CACHE_HOME/kbcheck, else ~/.cache/kbcheck; KBCHECK_CACHE=off turns it off. The folder
  is used only when it is a real folder (not a symlink) owned by this user and writable by no
  one else. An entry is opened without following a symlink, and checked on the open file
  (owner, mode, regular file, size), so nothing can be swapped between the check and the read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import stat
import sys
import tempfile
import types
import typing
from pathlib import Path
from typing import Any

from . import model

FORMAT = 5
KEEP = 8  # cache entries kept; older ones are removed when a new one is written
MAX_BYTES = 32 * 1024 * 1024  # an entry larger than this is not ours
PREFIX, SUFFIX = "kb-", ".json"

# The classes a cache entry may contain, by name: nothing else is ever constructed.
CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        model.Source,
        model.FactDef,
        model.ConclusionDef,
        model.ListDef,
        model.Offset,
        model.Test,
        model.All,
        model.AnyOf,
        model.Authority,
        model.Rule,
        model.Constraint,
        model.Aggregate,
        model.Derivation,
        model.Rise,
        model.SeriesDef,
        model.KB,
    )
}


class _Shape(Exception):
    """The entry is not of the KB's shape: treated as a miss."""


def cache_dir() -> Path | None:
    if os.environ.get("KBCHECK_CACHE", "").lower() in ("off", "0", "no"):
        return None
    explicit = os.environ.get("KBCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kbcheck"


def fingerprint(files: list[Path]) -> str:
    """A key from the bytes of each KB file (and its name) and of the modules that read and
    compile the KB, with the format and the Python version: any change to either rebuilds the
    cache. The KB is small, so hashing it costs under a millisecond."""
    digest = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}".encode())
    here = Path(__file__).resolve().parent
    code = [here / name for name in ("model.py", "loader.py", "compiler.py", "yamlio.py", "cache.py")]
    for path in [*code, *files]:
        data = path.read_bytes()
        digest.update(f"{path.name}|{len(data)}|".encode())
        digest.update(data)
    return digest.hexdigest()[:32]


# --- Encoding -------------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """The KB as JSON-ready data: a dataclass is a mapping with its class name under "__t"."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        data["__t"] = type(value).__name__
        return data
    if isinstance(value, dt.date):
        return {"__t": "date", "v": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


# --- Decoding, checked against the dataclasses' annotations ----------------------------------------
Decoder = typing.Callable[[Any], Any]
_DECODERS: dict[Any, Decoder] = {}


def decode(data: Any, hint: Any) -> Any:
    """Rebuild a value of type `hint` from JSON data, or raise _Shape."""
    return _decoder(hint)(data)


def _decoder(hint: Any) -> Decoder:
    """One checking decoder per type, built once from the annotations and reused."""
    if hint not in _DECODERS:
        _DECODERS[hint] = _build(hint)
    return _DECODERS[hint]


def _build(hint: Any) -> Decoder:  # noqa: C901 - one branch per kind of annotation
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(hint) if option is not type(None)]
        nullable = len(options) < len(typing.get_args(hint))
        by_class = {
            option.__name__: option
            for option in options
            if isinstance(option, type) and dataclasses.is_dataclass(option)
        }

        def union(data: Any) -> Any:
            if data is None:
                if nullable:
                    return None
                raise _Shape("null")
            if isinstance(data, dict) and data.get("__t") in by_class:
                return _decoder(by_class[data["__t"]])(data)
            for option in options:
                with contextlib.suppress(_Shape):
                    return _decoder(option)(data)
            raise _Shape(f"none of {options}")

        return union
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"cannot decode {hint!r}")
        item = args[0]

        def sequence(data: Any) -> Any:
            if not isinstance(data, list):
                raise _Shape("tuple")
            each = _decoder(item)
            return tuple(each(value) for value in data)

        return sequence
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        if key_type is not str:
            raise TypeError(f"cannot decode {hint!r}")

        def mapping(data: Any) -> Any:
            if not isinstance(data, dict):
                raise _Shape("dict")
            each = _decoder(value_type)
            return {k: each(v) for k, v in data.items()}

        return mapping
    if hint is dt.date:

        def date(data: Any) -> Any:
            if not isinstance(data, dict) or data.keys() != {"__t", "v"} or data["__t"] != "date":
                raise _Shape("date")
            try:
                return dt.date.fromisoformat(str(data["v"]))
            except ValueError as exc:
                raise _Shape("date") from exc

        return date
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if CLASSES.get(hint.__name__) is not hint:
            raise TypeError(f"cannot decode {hint!r}")
        hints = typing.get_type_hints(hint, vars(model))
        names = frozenset(f.name for f in dataclasses.fields(hint))
        expected = names | {"__t"}

        def record(data: Any) -> Any:
            if not isinstance(data, dict) or data.get("__t") != hint.__name__ or data.keys() != expected:
                raise _Shape(hint.__name__)
            return hint(**{name: _decoder(hints[name])(data[name]) for name in names})

        return record
    if hint in (bool, int, str):

        def plain(data: Any) -> Any:
            if type(data) is not hint:  # bool is not taken for int, nor int for bool
                raise _Shape(hint.__name__)
            return data

        return plain
    raise TypeError(f"cannot decode {hint!r}")


# --- The folder and its entries ---------------------------------------------------------------------
def _owned_by_me(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _safe_folder(folder: Path) -> bool:
    """A real folder of this user's that no one else can write to."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _owned_by_me(info) and not info.st_mode & 0o022


def _entry(folder: Path, key: str) -> Path:
    return folder / f"{PREFIX}{key}{SUFFIX}"


def _read_entry(path: Path) -> bytes | None:
    """The entry's bytes, checked on the opened file itself: no symlink, ours, not writable by
    others, a regular file, and not too large."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _owned_by_me(info) or info.st_mode & 0o022:
            return None
        if info.st_size > MAX_BYTES:
            return None
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_BYTES:
                return None
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def read(key: str) -> model.KB | None:
    """The cached KB for this key, or None: never an error, whatever the entry holds."""
    folder = cache_dir()
    if folder is None or not _safe_folder(folder):
        return None
    raw = _read_entry(_entry(folder, key))
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        kb = decode(data.get("kb"), model.KB)
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError, _Shape):
        return None
    return kb if isinstance(kb, model.KB) else None


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
    for stale in folder.glob("kb-*.pickle"):  # entries of the older format, which held code
        with contextlib.suppress(OSError):
            stale.unlink()


def write(key: str, kb: model.KB) -> None:
    folder = cache_dir()
    if folder is None:
        return
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _safe_folder(folder):
            return
        payload = json.dumps({"format": FORMAT, "key": key, "kb": encode(kb)}, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=".kb-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o600)
        os.replace(tmp, _entry(folder, key))
        tmp = None
        _prune(folder)
    except (OSError, ValueError, TypeError):
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
