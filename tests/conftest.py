"""Shared fixtures, and pytest collection of scenario files (tests/scenarios/**/*.yaml, and the
reported decisions in tests/real/*.yaml): the same files `kbcheck test` runs, through the same
code (kbcheck.engine.scenarios.run_file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbcheck.engine import load_kb
from kbcheck.engine.model import KB
from kbcheck.engine.scenarios import run_file
from kbcheck.explain.text import value_text

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
REAL = ROOT / "tests" / "real"  # scenarios drawn from reported decisions, each naming its source
SHARED_CASES = ROOT.parent / "shared" / "cases"


def pytest_testnodedown(node, error):  # type: ignore[no-untyped-def]
    """pytest-xdist's controller: gather the reliability figures each worker recorded, so that
    `make test` prints them as a run in one process does (tests/reliability/conftest.py)."""
    figures = getattr(node, "workeroutput", {}).get("reliability_figures")
    if figures:
        from tests.reliability.conftest import FIGURES

        FIGURES.update(json.loads(figures))


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    if getattr(terminalreporter.config, "workerinput", None) is not None:
        return
    from tests.reliability import conftest as reliability

    # Where the reliability conftest is itself a plugin of this process, it prints its own.
    if reliability.FIGURES and reliability not in terminalreporter.config.pluginmanager.get_plugins():
        reliability.pytest_terminal_summary(terminalreporter)


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files in tests/golden/ from the current output (review with git diff).",
    )


@pytest.fixture
def update_golden(request) -> bool:  # type: ignore[no-untyped-def]
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def kb() -> KB:
    return load_kb()


class ScenarioItem(pytest.Item):
    def __init__(self, *, engine: str, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.engine = engine

    def runtest(self) -> None:
        outcome = run_file(Path(self.fspath), load_kb(), self.engine)
        if outcome.error:
            raise ScenarioFailure(outcome.error)
        if outcome.failures:
            lines = []
            for failure in outcome.failures:
                lines.append(f"{failure.conclusion}: expected {failure.expected}, got {value_text(failure.actual)}")
                for firing in failure.firings:
                    lines.append(f"    step {firing.step}: {firing.rule.id} because {', '.join(firing.premise_ids())}")
            raise ScenarioFailure("\n".join(lines))

    def repr_failure(self, excinfo, style=None):  # type: ignore[no-untyped-def]
        if isinstance(excinfo.value, ScenarioFailure):
            return f"{self.fspath}\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):  # type: ignore[no-untyped-def]
        return self.fspath, 0, f"scenario {self.name}"


class ScenarioFailure(Exception):
    pass


class ScenarioFile(pytest.File):
    def collect(self):  # type: ignore[no-untyped-def]
        for engine in ("durable", "reference"):
            yield ScenarioItem.from_parent(self, name=engine, engine=engine)


def pytest_collect_file(parent, file_path):  # type: ignore[no-untyped-def]
    if file_path.suffix in (".yaml", ".yml") and (SCENARIOS in file_path.parents or REAL in file_path.parents):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None
