"""The same case gives the same conclusions, trace and DOT whatever the order of its facts,
the order of files in a batch, the number of workers, or the Python hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kbcheck.cli.main import cli

SCENARIOS = Path(__file__).parent.parent / "scenarios"
WHATSAPP = SCENARIOS / "shared" / "seed-whatsapp-director-filth.yaml"


def by_source(output: str) -> dict[str, dict]:
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return {row.pop("source"): row for row in rows}


def test_the_order_of_files_in_a_batch_changes_no_result():
    files = sorted(str(p) for p in SCENARIOS.rglob("*.yaml"))
    forward = CliRunner().invoke(cli, ["batch", *files])
    backward = CliRunner().invoke(cli, ["batch", *reversed(files), "--workers", "2"])
    assert by_source(forward.output) == by_source(backward.output)
    assert [json.loads(x)["source"] for x in backward.output.splitlines() if x.startswith("{")] == list(reversed(files))


def test_the_python_hash_seed_changes_nothing():
    outputs = set()
    for seed in ("0", "1", "4242", "random"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        assess = subprocess.run(
            [sys.executable, "-m", "kbcheck.cli.main", "assess", str(WHATSAPP), "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        dot = subprocess.run(
            [sys.executable, "-m", "kbcheck.cli.main", "explain", str(WHATSAPP), "-f", "dot"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        outputs.add((assess, dot))
    assert len(outputs) == 1
