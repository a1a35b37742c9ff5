"""Builds durable_rules' C engine (third_party/durable_rules) as the extension module
`kbcheck.engine._durable`, which the hardened adapter drives (engine/durable_adapter.py).

Everything else about the package is in pyproject.toml; setuptools reads extension modules
from here. The extension is optional: where it cannot be compiled (no C compiler, no Python
headers, an unsupported platform) the install still succeeds, and kbcheck says on stderr that
it uses its reference engine instead. `make` checks for the compiler and headers first.
"""

import sys

from setuptools import Extension, setup

ENGINE = "third_party/durable_rules/src"
SOURCES = [f"{ENGINE}/rules/{name}.c" for name in ("json", "rete", "state", "events", "regex")]

# The flags durable_rules' own setup.py sets: C99 with the GNU extensions it uses (asprintf),
# and on macOS -fcommon for its tentative definitions.
FLAGS = [] if sys.platform == "win32" else ["-std=c99", "-D_GNU_SOURCE"]
if sys.platform == "darwin":
    FLAGS.append("-fcommon")

setup(
    ext_modules=[
        Extension(
            "kbcheck.engine._durable",
            sources=[f"{ENGINE}/rulespy/rules.c", *SOURCES],
            include_dirs=[f"{ENGINE}/rules"],
            extra_compile_args=FLAGS,
            optional=True,
        )
    ]
)
