"""Cold start: whole `kbcheck` processes, timed from outside, against the floor any Python CLI on
this engine pays (`python -c "import click, durable.lang"`).

The commands are run in turn, round after round, so that a busy moment on the machine falls
on all of them alike; each figure is the median of its rounds, and the minimum is kept too.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.peers import upstream

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "whatsapp-director.yaml"


def kbcheck_command() -> list[str]:
    """The kbcheck of the interpreter running the benchmark (its virtualenv's script)."""
    script = Path(sys.executable).parent / "kbcheck"
    if script.exists():
        return [str(script)]
    found = shutil.which("kbcheck")
    return [found] if found else [sys.executable, "-m", "kbcheck.cli.main"]


UNCACHED = "kbcheck assess CASE --json, KB cache off"
# The pair the issue holds to 2x: one conclusion's diagram against the plain assessment.
ASSESS = "kbcheck assess CASE"
EXPLAIN_ONE = "kbcheck explain CASE offence.mca_s1 -o FILE.svg"
EXPLAIN_FILE = Path(tempfile.gettempdir()) / f"kbcheck-bench-explain-{os.getpid()}.svg"
# durable_rules' own Python layer on kbcheck's build of its engine (bench/peers/upstream.py).
FLOOR = 'python -c "import click, durable.lang"'


def commands(case: Path = CASE) -> dict[str, list[str]]:
    """The commands timed, by name. The one named UNCACHED runs with KBCHECK_CACHE=off: what the
    first command after a change to the KB pays."""
    kbcheck = kbcheck_command()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        FLOOR: [sys.executable, "-c", "import click, durable.lang"],
        "kbcheck --help": [*kbcheck, "--help"],
        "kbcheck assess CASE --json": [*kbcheck, "assess", str(case), "--json"],
        ASSESS: [*kbcheck, "assess", str(case)],
        EXPLAIN_ONE: [*kbcheck, "explain", str(case), "offence.mca_s1", "-o", str(EXPLAIN_FILE)],
        "kbcheck explain CASE --format svg": [*kbcheck, "explain", str(case), "--format", "svg"],
        UNCACHED: [*kbcheck, "assess", str(case), "--json"],
    }


@dataclass
class ColdStart:
    command: str
    argv: list[str]
    seconds: list[float] = field(default_factory=list)
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0

    @property
    def best(self) -> float:
        return min(self.seconds) if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "argv": self.argv,
            "median_ms": round(self.median * 1e3, 2),
            "min_ms": round(self.best * 1e3, 2),
            "runs_ms": [round(s * 1e3, 2) for s in self.seconds],
            "error": self.error,
        }


def measure(rounds: int = 10, case: Path = CASE) -> dict[str, ColdStart]:
    # Bytecode caches are used and written, as for an installed CLI.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    results = {name: ColdStart(name, argv) for name, argv in commands(case).items()}
    for warm in range(rounds + 1):  # round 0 warms the page cache and writes bytecode: not counted
        for result in results.values():
            if result.error:
                continue
            started = time.perf_counter()
            run_env = dict(env, KBCHECK_CACHE="off") if result.command == UNCACHED else env
            if result.command == FLOOR:
                run_env = dict(run_env, PYTHONPATH=upstream.environ()["PYTHONPATH"])
            done = subprocess.run(result.argv, capture_output=True, env=run_env, cwd=ROOT)
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                result.error = f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()[-300:]}"
            elif warm:
                result.seconds.append(elapsed)
    EXPLAIN_FILE.unlink(missing_ok=True)
    return results
