"""`durable_rules_engine`, the name durable_rules' own Python layer (third_party/durable_rules/
libpy) imports its C engine by, as kbcheck's build of that engine (kbcheck.engine._durable).

For the benchmark's baseline only: with this folder and libpy on the path (bench/peers/
upstream.py), `import durable.lang` works as it did from PyPI. The build is loaded from its
file, without importing kbcheck, so that the cold-start floor `python -c "import click,
durable.lang"` costs what it did with PyPI's durable_rules.
"""

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[3] / "engine"
NAME = "kbcheck.engine._durable"


def _load():  # type: ignore[no-untyped-def]
    if NAME in sys.modules:
        return sys.modules[NAME]
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = ENGINE / f"_durable{suffix}"
        if path.exists():  # an editable install builds it here
            loader = importlib.machinery.ExtensionFileLoader(NAME, str(path))
            spec = importlib.util.spec_from_file_location(NAME, path, loader=loader)
            module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            loader.exec_module(module)
            return module
    from kbcheck.engine import _durable  # type: ignore[attr-defined]

    return _durable


sys.modules[__name__] = _load()
