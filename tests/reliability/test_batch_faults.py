"""Batch under faults: nothing lost, nothing left running. A write error stops the run with a
clear message and leaves an earlier -o file as it was; a reader that goes away or a parent that
is killed leaves no worker behind; a worker killed from outside costs no case; odd names,
dangling links, FIFOs, devices and over-long lines are said, not skipped or read for ever."""

from __future__ import annotations

import errno
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine import batch

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "cases"
SCENARIOS = ROOT / "tests" / "scenarios"
KBCHECK = [sys.executable, "-m", "kbcheck.cli.main"]
GOOD = "case: {id}\noffence_date: 2025-01-01\nassessment_date: 2025-03-01\nfacts:\n  medium: letter\n"


def results(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


# --- Write errors ------------------------------------------------------------------------------------
def test_a_write_error_stops_the_run_and_keeps_the_earlier_file(tmp_path, monkeypatch):
    out = tmp_path / "results.jsonl"
    out.write_text("the earlier run\n")
    calls = {"n": 0}
    original = batch.jsonl

    def full_disk(result):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(result)

    monkeypatch.setattr(batch, "jsonl", full_disk)
    result = CliRunner().invoke(cli, ["batch", str(SHARED), "--workers", "0", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output and "0 errors" not in result.output
    assert out.read_text() == "the earlier run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.jsonl"]  # no temporary file left


def test_a_full_disk_behind_standard_output_is_an_error_not_a_success():
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            KBCHECK + ["batch", str(SHARED), "--workers", "2"], stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
    assert proc.returncode == 2, proc.stderr
    assert "No space left on device" in proc.stderr and "errors" not in proc.stderr


# --- Nothing left running ------------------------------------------------------------------------------
def test_a_reader_that_goes_away_ends_the_run_and_its_workers():
    proc = subprocess.Popen(
        KBCHECK + ["batch", str(SCENARIOS), "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert proc.stdout is not None
    proc.stdout.read(100)
    proc.stdout.close()
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and b"Traceback" not in err, err


def test_a_killed_parent_leaves_no_worker_holding_the_output():
    proc = subprocess.Popen(
        KBCHECK + ["batch", str(SCENARIOS), str(ROOT / "tests" / "real"), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    proc.stdout.read(1)  # the run has started and its workers are at work
    os.kill(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    fd = proc.stdout.fileno()
    ended = False
    while not ended and time.monotonic() < deadline:  # the pipe ends only when no worker holds it
        ready, _, _ = select.select([fd], [], [], 0.5)
        ended = bool(ready) and os.read(fd, 1 << 16) == b""
    proc.wait(timeout=10)
    if not ended:
        subprocess.run(["pkill", "-KILL", "-f", "kbcheck.cli.main batch"], check=False)
    assert ended, "workers outlived their parent and kept the output open"


def _killed_once(original, marker: Path):  # type: ignore[no-untyped-def]
    def run(self, item):  # type: ignore[no-untyped-def]
        if item.label.endswith("seed-fake-profile.yaml") and not marker.exists():
            marker.write_text("killed")
            os.kill(os.getpid(), signal.SIGKILL)  # as an operator's kill or the OOM killer would
        return original(self, item)

    return run


def test_a_worker_killed_from_outside_costs_no_case(tmp_path, monkeypatch):
    items = batch.collect([str(SHARED)])
    clean: list[dict] = []
    batch.run(items, clean.append, workers=0, trace=False)
    monkeypatch.setattr(batch.Runner, "run", _killed_once(batch.Runner.run, tmp_path / "marker"))
    got: list[dict] = []
    counts = batch.run(items, got.append, workers=2, trace=False)
    assert (tmp_path / "marker").exists()
    assert got == clean and counts["errors"] == 0 and counts["workers_replaced"] >= 1


# --- Inputs that are said, not skipped -----------------------------------------------------------------
def test_a_name_that_is_not_utf8_is_read_and_shown_with_escapes(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD.format(id="good"))
    odd = os.fsdecode(b"caf\xe9.yaml")
    (folder / odd).write_text(GOOD.format(id="odd"))
    result = CliRunner().invoke(cli, ["batch", str(folder), "--no-trace"])
    assert result.exit_code == 0, result.output
    rows = results(result.output)
    assert sorted(r["case"] for r in rows) == ["good", "odd"]
    assert any("caf\\udce9.yaml" in r["source"] for r in rows)
    result.output.encode("utf-8")  # the output is writable as UTF-8


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_dangling_links_and_fifos_in_a_folder_are_error_lines(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD.format(id="good"))
    (folder / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    os.mkfifo(folder / "pipe.yaml")
    result = CliRunner().invoke(cli, ["batch", str(folder), "--no-trace"])
    assert result.exit_code == 1, result.output
    rows = {Path(r["source"]).name: r for r in results(result.output)}
    assert rows["good.yaml"]["case"] == "good"
    assert "a link to nothing; skipped" in rows["dangling.yaml"]["error"]
    assert "a FIFO, not a file; skipped" in rows["pipe.yaml"]["error"]


@pytest.mark.parametrize("how", ["device", "link to device", "fifo"])
def test_a_device_or_fifo_named_as_a_case_is_refused_without_reading_it(tmp_path, how):
    path = tmp_path / "case.yaml"
    if how == "device":
        path = Path("/dev/zero")
    elif how == "link to device":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)
    proc = subprocess.run(KBCHECK + ["assess", str(path)], capture_output=True, text=True, timeout=20, cwd=ROOT)
    assert proc.returncode == 2 and "is not a regular file" in proc.stderr, proc.stderr


def test_an_over_long_json_line_is_an_error_line_and_the_others_are_kept(tmp_path):
    good = {"case": "good", "offence_date": "2025-01-01", "facts": {"medium": "letter"}}
    huge = {"case": "huge", "offence_date": "2025-01-01", "title": "A" * 300_000}
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(json.dumps(c) for c in (good, huge, good | {"case": "after"})) + "\n")
    result = CliRunner().invoke(cli, ["batch", str(source), "--no-trace"])
    rows = results(result.output)
    assert [r.get("case") for r in rows] == ["good", None, "after"]
    assert "the line is too long" in rows[1]["error"]
