"""The reliability suite runs small in `make test` and at full scale in `make reliability`
(KBCHECK_RELIABILITY=full), and records its figures for the end of the run."""

from __future__ import annotations

import json
import os
from pathlib import Path

FULL = os.environ.get("KBCHECK_RELIABILITY") == "full"
FIGURES: dict[str, object] = {}
FIGURES_FILE = os.environ.get("KBCHECK_FIGURES")


def scale(small: int, full: int) -> int:
    return full if FULL else small


def record(name: str, value: object) -> None:
    FIGURES[name] = value


def pytest_sessionfinish(session):  # type: ignore[no-untyped-def]
    """Under pytest-xdist (make test runs -n auto) the figures are recorded in the workers: hand
    them to the controller, which prints them (tests/conftest.py collects them)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and FIGURES:
        workeroutput["reliability_figures"] = json.dumps(FIGURES)


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    if not FIGURES:
        return
    terminalreporter.section("reliability figures" + (" (full scale)" if FULL else " (make test scale)"))
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
    if FIGURES_FILE:
        Path(FIGURES_FILE).write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
