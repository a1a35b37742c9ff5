"""`kbcheck batch -`: cases read from standard input as they come, each result written as soon as
it is ready, so that kbcheck can sit in a pipeline (a producer that waits for each answer gets it)."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kbcheck.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
CASES = [ROOT / "examples" / "whatsapp-director.yaml", *sorted((ROOT / "tests" / "real").glob("2012-*.yaml"))[:3]]


def line_of(path: Path) -> str:
    data = yaml.safe_load(path.read_text())
    data.pop("expect", None)
    data.pop("source", None)
    return json.dumps(data, default=str)


def read_line(proc: subprocess.Popen, timeout: float = 60.0) -> str:
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    assert selector.select(timeout), "no result line while the input was still open"
    return proc.stdout.readline()


@pytest.mark.parametrize("workers", ["0", "1", "2"])
def test_each_result_comes_before_the_next_case_is_sent(workers):
    kbcheck = Path(sys.executable).with_name("kbcheck")
    proc = subprocess.Popen(
        [str(kbcheck), "batch", "-", "--no-trace", "--workers", workers],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        got = []
        for path in CASES:
            proc.stdin.write(line_of(path) + "\n")
            proc.stdin.flush()
            got.append(json.loads(read_line(proc)))  # the answer, with the input still open
        proc.stdin.close()
        assert proc.stdout.read() == ""
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        proc.kill()
    assert [r["source"] for r in got] == [f"-:{n}" for n in range(1, len(CASES) + 1)]
    assert got[0]["case"] == "whatsapp-director" and "conclusions" in got[0]


def test_a_stream_gives_what_the_files_give_and_an_error_line_for_a_bad_case(tmp_path):
    text = "\n".join(line_of(p) for p in CASES) + '\n{"case": "broken"}\nnot json\n'
    streamed = CliRunner().invoke(cli, ["batch", "-", "--no-trace", "--workers", "0"], input=text)
    assert streamed.exit_code == 1
    rows = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert [("error" in r) for r in rows] == [False] * len(CASES) + [True, True]
    source = tmp_path / "cases.jsonl"
    source.write_text(text)
    from_file = CliRunner().invoke(cli, ["batch", str(source), "--no-trace", "--workers", "0"])
    for a, b in zip(rows, (json.loads(line) for line in from_file.stdout.splitlines()), strict=True):
        a.pop("source"), b.pop("source")
        if "error" in a:  # the same error, each naming its own input
            assert a.pop("error").split(": ", 1)[1] == b.pop("error").split(": ", 1)[1]
        assert a == b


def test_standard_input_is_read_alone():
    result = CliRunner().invoke(cli, ["batch", "-", str(CASES[0])], input="")
    assert result.exit_code == 2 and "read standard input alone" in result.output
