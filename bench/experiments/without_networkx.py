"""The real `kbcheck` CLI with explain's graph built on tinygraph.py (plain dicts, the part of
networkx's DiGraph kbcheck uses) instead of networkx: what `kbcheck explain` would gain by
leaving networkx, which the design card names and kbcheck therefore keeps.

Run: python -m bench.experiments.without_networkx explain CASE --format svg -o /tmp/x.svg
"""

from __future__ import annotations

import sys


def main() -> None:
    from . import tinygraph

    sys.modules["networkx"] = tinygraph  # type: ignore[assignment]
    from kbcheck.cli.main import main as kbcheck

    sys.argv = ["kbcheck", *sys.argv[1:]]
    kbcheck()


if __name__ == "__main__":
    main()
