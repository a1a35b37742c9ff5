"""Files kbcheck writes: the umask and an existing file's mode are kept, a read-only file is not
replaced, a missing folder is a clear error, and slides of an earlier run do not linger."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli

CASES = Path(__file__).resolve().parents[2] / "tests" / "scenarios"
SHORT = "case: short\noffence_date: 2025-01-01\nassessment_date: 2025-03-01\nfacts:\n  medium: letter\n"


@pytest.fixture
def case(tmp_path: Path) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(SHORT)
    return path


@pytest.fixture
def umask_077():
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("command", ["report", "explain", "batch"])
def test_a_new_file_respects_the_umask(tmp_path, case, umask_077, command):
    out = tmp_path / {"report": "r.html", "explain": "d.svg", "batch": "b.jsonl"}[command]
    result = CliRunner().invoke(cli, [command, str(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600


@pytest.mark.parametrize("command", ["report", "batch"])
def test_a_file_written_again_keeps_its_mode(tmp_path, case, command):
    out = tmp_path / ("r.html" if command == "report" else "b.jsonl")
    out.write_text("old")
    out.chmod(0o640)
    assert CliRunner().invoke(cli, [command, str(case), "-o", str(out)]).exit_code == 0
    assert mode(out) == 0o640 and out.read_text() != "old"


@pytest.mark.parametrize("command", ["report", "batch"])
def test_a_read_only_file_is_not_replaced(tmp_path, case, command):
    out = tmp_path / ("r.html" if command == "report" else "b.jsonl")
    out.write_text("keep me")
    out.chmod(0o444)
    result = CliRunner().invoke(cli, [command, str(case), "-o", str(out)])
    assert result.exit_code == 2 and "read-only" in result.output, result.output
    assert out.read_text() == "keep me" and mode(out) == 0o444
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_batch_into_a_missing_folder_is_a_clear_error(tmp_path, case):
    result = CliRunner().invoke(cli, ["batch", str(case), "-o", str(tmp_path / "no" / "such" / "b.jsonl")])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'no' / 'such' / 'b.jsonl'}: the folder {tmp_path / 'no' / 'such'} does not exist"
    ]


def test_slides_of_an_earlier_run_are_refused_unless_cleared(tmp_path, case):
    """A short case first gives more slides (more is left open) than the stalking scenario: run
    again into the same folder, its slides are refused (a class must not be shown a mix of two
    runs), and with --clear removed, leaving the user's other files alone."""
    other = CASES / "charging" / "stalking-charged-when-s1-open.yaml"
    slides = tmp_path / "slides"
    args = ["explain", "offence.mca_s1", "--steps", str(slides), "-f", "dot"]
    assert CliRunner().invoke(cli, [args[0], str(case), *args[1:]]).exit_code == 0
    before = sorted(p.name for p in slides.glob("step-*.dot"))
    (slides / "notes.txt").write_text("mine")
    refused = CliRunner().invoke(cli, [args[0], str(other), *args[1:]])
    assert refused.exit_code == 2 and "give --clear to replace them" in refused.output
    assert sorted(p.name for p in slides.glob("step-*.dot")) == before
    result = CliRunner().invoke(cli, [args[0], str(other), *args[1:], "--clear"])
    assert result.exit_code == 0, result.output
    after = sorted(p.name for p in slides.glob("step-*.dot"))
    assert 0 < len(after) < len(before), (len(after), len(before))
    assert after == [f"step-{n:03d}.dot" for n in range(1, len(after) + 1)]
    assert all(b"stalking-charged-when-s1-open" in (slides / name).read_bytes() for name in after)
    assert (slides / "notes.txt").read_text() == "mine"
