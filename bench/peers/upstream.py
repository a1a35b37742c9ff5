"""durable_rules' own Python layer (`durable.engine`, `durable.lang`), for the benchmark's
baseline "durable_rules used the documented way".

kbcheck no longer installs durable_rules from PyPI (it cannot be imported on Python 3.13 and
later); it builds the C engine itself (third_party/durable_rules, setup.py). The Python layer of
the same release is kept beside it, unchanged and not installed, and runs here on kbcheck's
build, so that the baseline is the same on every Python.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATHS = (ROOT / "third_party" / "durable_rules" / "libpy", Path(__file__).resolve().parent / "upstream_path")


def use() -> None:
    """Make `import durable.engine` work in this process, on the build kbcheck imports."""
    from kbcheck.engine import _durable  # type: ignore[attr-defined]  # noqa: F401  (the shim reuses it)

    for path in reversed(PATHS):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def environ() -> dict[str, str]:
    """The environment of a process in which `import durable.lang` works."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, PATHS), *filter(None, [env.get("PYTHONPATH", "")])])
    return env
