"""A disk cache of the validated, compiled KB, so a command does not parse ~50 YAML files.

The cache is keyed by a fingerprint of every KB file's bytes (and by kbcheck's and Python's
versions), so any change to a KB file rebuilds it. It lives under $KBCHECK_CACHE_DIR, else
$XDG_CACHE_HOME/kbcheck, else ~/.cache/kbcheck; KBCHECK_CACHE=off turns it off. A file that is
not ours (another owner, writable by others) or does not load is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 2
KEEP = 8  # cache files kept; older ones are removed when a new one is written


def cache_dir() -> Path | None:
    if os.environ.get("KBCHECK_CACHE", "").lower() in ("off", "0", "no"):
        return None
    explicit = os.environ.get("KBCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kbcheck"


def fingerprint(files: list[Path]) -> str:
    """A key from each KB file's path, size and modification time, and the same of the modules
    that read and compile the KB, with the Python version: any change to either rebuilds the
    cache. Stat calls, not reading the files, so a command starts fast."""
    digest = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}".encode())
    here = Path(__file__).resolve().parent
    code = [here / name for name in ("model.py", "loader.py", "compiler.py", "yamlio.py", "cache.py")]
    for path in [*code, *files]:
        info = path.stat()
        digest.update(f"{path.as_posix()}|{info.st_size}|{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:24]


def _trusted(path: Path) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owner_ok and not info.st_mode & 0o022


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("kb-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def read(key: str) -> Any:
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"kb-{key}.pickle"
    if not path.is_file() or not _trusted(path):
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a stale or broken cache is rebuilt, never trusted
        return None


def write(key: str, value: Any) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".kb-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o600)
        os.replace(tmp, folder / f"kb-{key}.pickle")
        _prune(folder)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
