"""Exit statuses as the README states them, where the environment or the user gets in the way:
a missing Graphviz, a narrow output encoding, an option given as a file name, Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "scenarios" / "charging" / "stalking-charged-when-s1-open.yaml"
KBCHECK = [sys.executable, "-m", "kbcheck.cli.main"]


def run(args: list[str], encoding: str = "utf-8", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        KBCHECK + args, capture_output=True, encoding=encoding, env={**os.environ, **env}, cwd=ROOT, timeout=120
    )


@pytest.mark.parametrize("command", ["report", "explain", "batch"])
def test_an_option_given_as_the_output_file_is_refused(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [command, str(CASE), "-o", "--help"])
    assert result.exit_code == 2, result.output
    assert "looks like an option" in result.output
    assert not Path("--help").exists()


def test_a_missing_graphviz_is_named_not_an_internal_error(tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python").symlink_to(sys.executable)
    proc = run(["explain", str(CASE), "-o", str(tmp_path / "d.svg")], PATH=str(bare))
    assert proc.returncode == 2, proc.stderr
    assert "Graphviz" in proc.stderr and "internal error" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert not (tmp_path / "d.svg").exists()


def test_a_narrow_output_encoding_escapes_rather_than_fails(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(
        "case: narrow\ntitle: Menaces \u2014 \u00a7 1 \u2713 \U0001f600\noffence_date: 2025-01-01\n"
        "assessment_date: 2025-03-01\nfacts:\n  medium: letter\n",
        encoding="utf-8",
    )
    proc = run(["assess", str(case)], encoding="latin-1", PYTHONIOENCODING="latin-1")
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr
    assert "Menaces \\u2014 \xa7 1 \\u2713" in proc.stdout  # what latin-1 cannot show, escaped


def test_ctrl_c_exits_130(tmp_path):
    folder = tmp_path / "many"
    for n in range(12):
        shutil.copytree(ROOT / "tests" / "scenarios", folder / str(n))
    proc = subprocess.Popen(KBCHECK + ["test", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    time.sleep(2.5)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
