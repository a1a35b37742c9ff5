"""kbcheck.engine.assess_partition under a scheduler kbcheck does not own: the recipe of
docs/distributed.md, run on a local Dask cluster of two worker processes, must write the very
bytes `kbcheck batch --workers 2` writes for the same files, in the same order, error lines
included. The extra `dask` is installed by `make test`, so this runs in CI and is never skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine import assess_partition

try:
    import dask.bag as db
    from distributed import Client, LocalCluster
except ImportError as exc:  # an error, not a skip: CI must run this
    raise ImportError(f"{exc}: this test needs the extra dask: pip install -e '.[test,dask]' (make test does)") from exc

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "tests" / "scenarios").rglob("*.yaml"))
SAMPLE = SCENARIOS[:: max(1, len(SCENARIOS) // 50)][:50]  # about 50, spread over every folder


def line_of(path: Path) -> str:
    """A scenario file as the JSON Lines case record batch reads (its expectations left out)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("expect", None)
    data.pop("source", None)
    return json.dumps(data, default=str, ensure_ascii=False)


def write_inputs(folder: Path) -> list[Path]:
    """Three JSON Lines files of the sample, with what batch must turn into error lines: text
    that is not JSON, a case with no offence date, bytes that are not UTF-8; and a blank line,
    skipped but counted."""
    lines = [line_of(p) for p in SAMPLE]
    third = len(lines) // 3
    contents = [
        "\n".join(lines[:third]) + "\n",
        "\n".join(lines[third : 2 * third]) + '\nnot json\n\n{"case": "no-date"}\n',
        "\n".join(lines[2 * third :]) + "\n",
    ]
    paths = []
    for n, text in enumerate(contents):
        path = folder / f"cases-{n}.jsonl"
        path.write_bytes(text.encode("utf-8") + (b'{"case": "\xff"}\n' if n == 2 else b""))
        paths.append(path)
    return paths


def test_a_dask_cluster_of_two_workers_writes_what_batch_writes(tmp_path):
    inputs = write_inputs(tmp_path)
    kbcheck = Path(sys.executable).with_name("kbcheck")
    expected = tmp_path / "batch.jsonl"
    done = subprocess.run(
        [str(kbcheck), "batch", *map(str, inputs), "--workers", "2", "-o", str(expected)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr  # the error lines, and only them
    out = tmp_path / "dask"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        bag = db.read_text(
            [str(p) for p in inputs],
            encoding="utf-8",
            errors="surrogateescape",
            linedelimiter="\n",
            include_path=True,
        )
        bag.map_partitions(assess_partition).to_textfiles(
            str(out / "*.jsonl"), name_function=lambda i: f"{i:06d}", encoding="utf-8", last_endline=True
        )
    got = b"".join(p.read_bytes() for p in sorted(out.glob("*.jsonl")))
    want = expected.read_bytes()
    assert got == want
    rows = [json.loads(line) for line in want.splitlines()]
    assert len(rows) == len(SAMPLE) + 3
    errors = [r for r in rows if "error" in r]
    assert [r["source"] for r in errors] == [
        f"{inputs[1]}:{len(SAMPLE) // 3 + 1}",
        f"{inputs[1]}:{len(SAMPLE) // 3 + 3}",
        f"{inputs[2]}:{len(SAMPLE) - 2 * (len(SAMPLE) // 3) + 1}",
    ]
    assert errors[-1]["error"].endswith("is not UTF-8 text")


def test_plain_lines_are_what_batch_gives_standard_input_with_the_same_options():
    text = "\n".join(line_of(p) for p in SAMPLE[:4]) + "\nnot json\n"
    batch = CliRunner().invoke(cli, ["batch", "-", "--workers", "0", "--no-trace", "--status"], input=text)
    assert batch.exit_code == 1
    lines = text.splitlines(keepends=True)  # as Dask gives them, each with its newline
    got = list(assess_partition(lines, trace=False, status=True))
    assert "".join(line + "\n" for line in got) == batch.stdout
    assert list(assess_partition([line.rstrip("\n") for line in lines], trace=False, status=True)) == got


@pytest.mark.parametrize("fault", ["poison", "memory"])
def test_an_engine_failure_is_an_error_line_and_the_partition_goes_on(monkeypatch, fault):
    from kbcheck.engine import EngineError, batch

    lines = [line_of(p) for p in SAMPLE[:3]]
    clean = list(assess_partition(lines, trace=False))
    original = batch.Runner.run

    def run(self, item):  # type: ignore[no-untyped-def]
        if item.label == "-:2":
            if fault == "memory":
                raise MemoryError
            self.engine.poisoned = "injected"
            raise EngineError("durable_rules took two facts of this case for one (its 32-bit identity hash collided)")
        return original(self, item)

    monkeypatch.setattr(batch.Runner, "run", run)
    got = list(assess_partition(lines, trace=False))
    assert got[0] == clean[0] and got[2] == clean[2]  # the engine after the failure is a fresh one
    error = json.loads(got[1])
    assert error["source"] == "-:2" and error["exit"] == 1 and "error" in error
