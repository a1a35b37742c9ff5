"""End to end: `kbcheck batch` on files against `assess()`, on the same cases.

The engine's throughput (bench/throughput.py) is what `kbcheck.engine.assess` does to a case
already read. A user runs `kbcheck batch` on files: it reads each case (YAML with line numbers,
or a line of JSON Lines), checks it against the contract, assesses it, builds the result and
writes its JSON line. This section writes the generated cases as YAML files and as one JSON
Lines file, and measures:

- the ratio the targets hold to 0.85, in one fresh process per input (the cases once through):
  `assess()` over 50 of the cases already read, then batch's own per-case function
  (`batch.assess_here`, what `kbcheck batch --workers 0` runs for each case) over the same 50
  files, each JSON line written to a file, and so on, so that both see the machine in the same
  state. On a
  shared 2-core machine two processes run minutes apart can differ by more than 15% (other
  programs, the memory they hold), which would swamp the difference measured here;
- whole `kbcheck batch ... -o FILE` processes (start-up, KB load, the final fsync included), on
  YAML and JSON Lines with `--workers 0`, YAML with `--trace compact`, and YAML with
  `--workers 1` (the default, one worker process), the fastest of the repeats, for the figures a
  user sees.

Where a ratio falls short, `stages` says where the time goes: each step of batch's per-case work
timed on its own over some of the same cases, in one process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.coldstart import kbcheck_command
from kbcheck.engine.case import Case

ROOT = Path(__file__).resolve().parent.parent

INTERLEAVED = """
import json, sys, time
from pathlib import Path
from kbcheck.engine import assess, batch, get_engine, load_kb, read_case
source, target, trace, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
kb = load_kb(); get_engine(kb, "durable", fallback=False)
folder = Path(sys.argv[5])
cases = [read_case(p, kb) for p in sorted(folder.glob("*.yaml"))]
items = batch.collect([source])
assert len(items) == len(cases)
mode = "compact" if trace == "compact" else True
out = open(target, "w", encoding="utf-8")
def run(chunk):
    for _, result in batch.assess_here(chunk, trace=mode):
        out.write(batch.jsonl(result) + "\\n")
for case in cases[:20]:
    assess(case, kb, "durable")
run(items[:20])
spent = {"assess": 0.0, "batch": 0.0}
clock = time.perf_counter
for _ in range(repeats):
    for start in range(0, len(cases), 50):
        began = clock()
        for case in cases[start : start + 50]:
            assess(case, kb, "durable")
        middle = clock()
        run(items[start : start + 50])
        spent["assess"] += middle - began
        spent["batch"] += clock() - middle
out.close()
done = len(cases) * repeats
print(json.dumps({"assess": done / spent["assess"], "batch": done / spent["batch"]}))
"""

STAGES = """
import json, sys, time
from pathlib import Path
from kbcheck.engine import assess, get_engine, load_kb, read_case
from kbcheck.engine.batch import Runner, collect, jsonl
kb = load_kb(); get_engine(kb, "durable", fallback=False)
files = sorted(Path(sys.argv[1]).glob("*.yaml"))
cases = [read_case(p, kb) for p in files]
results = [assess(c, kb, "durable") for c in cases]
lines = [dict(r.to_json(trace_text=True), source="x") for r in results]
yaml_items, jsonl_items = collect([str(p) for p in files]), collect([sys.argv[2]])
runner = Runner(None, "durable", True, False)
steps = {
    "read and check a YAML case (read_case)": lambda: [read_case(p, kb) for p in files],
    "assess() (working memory, engine, Assessment)": lambda: [assess(c, kb, "durable") for c in cases],
    "build the result (to_json)": lambda: [r.to_json(trace_text=True) for r in results],
    "write its JSON line (jsonl)": lambda: [jsonl(o) for o in lines],
    "all of batch's work on a YAML case (Runner.run + jsonl)": lambda: [jsonl(runner.run(i)) for i in yaml_items],
    "all of batch's work on a JSON Lines case": lambda: [jsonl(runner.run(i)) for i in jsonl_items],
}
out = {}
for name, step in steps.items():
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter(); step(); best = min(best, time.perf_counter() - started)
    out[name] = round(best / len(files) * 1e3, 4)
print(json.dumps(out))
"""


def write_inputs(folder: Path, cases: list[Case]) -> tuple[Path, Path]:
    """The cases as one YAML file each (in a folder) and as one JSON Lines file."""
    yaml_dir = folder / "yaml"
    yaml_dir.mkdir()
    for n, case in enumerate(cases):
        text = yaml.safe_dump(case.to_data(), sort_keys=False, allow_unicode=True)
        (yaml_dir / f"case-{n:05d}.yaml").write_text(text, encoding="utf-8")
    jsonl = folder / "cases.jsonl"
    jsonl.write_text("".join(json.dumps(c.to_data()) + "\n" for c in cases), encoding="utf-8")
    return yaml_dir, jsonl


def _python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr.strip()[-400:])
    return done.stdout.strip()


def _batch(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([*kbcheck_command(), "batch", *argv], capture_output=True, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(done.stderr.decode(errors="replace").strip()[-400:])
    return elapsed


def measure(cases: list[Case], repeats: int = 3, rounds: int = 1) -> dict[str, Any]:
    """`rounds` times over the cases in turn in one process (the ratios), `repeats` whole
    processes of each command (their fastest counts)."""
    rounds = max(1, rounds)
    out: dict[str, Any] = {"cases": len(cases), "repeats": max(1, repeats), "rounds": rounds}
    with tempfile.TemporaryDirectory(prefix="kbcheck-bench-e2e-") as tmp:
        folder = Path(tmp)
        yaml_dir, jsonl = write_inputs(folder, cases)
        target = str(folder / "out.jsonl")
        try:
            interleaved = {}
            for key, source, trace in (
                ("yaml", yaml_dir, "full"),
                ("jsonl", jsonl, "full"),
                ("yaml_compact", yaml_dir, "compact"),
            ):
                rates = json.loads(_python(INTERLEAVED, str(source), target, trace, str(rounds), str(yaml_dir)))
                interleaved[key] = {k: round(v, 2) for k, v in rates.items()}
            runs: dict[str, list[float]] = {"yaml": [], "jsonl": [], "yaml_compact": [], "yaml_workers_1": []}
            for _ in range(max(1, repeats)):
                runs["yaml"].append(_batch([str(yaml_dir), "--workers", "0", "-o", target]))
                runs["jsonl"].append(_batch([str(jsonl), "--workers", "0", "-o", target]))
                runs["yaml_compact"].append(
                    _batch([str(yaml_dir), "--workers", "0", "--trace", "compact", "-o", target])
                )
                runs["yaml_workers_1"].append(_batch([str(yaml_dir), "--workers", "1", "-o", target]))
        except (OSError, RuntimeError, ValueError) as exc:
            return {**out, "error": str(exc)}
        out["interleaved_cases_per_second"] = interleaved
        out["process_runs_seconds"] = {k: [round(s, 4) for s in v] for k, v in runs.items()}
        out["process_cases_per_second"] = {k: round(len(cases) / min(v), 2) for k, v in runs.items()}
    return out


def stages(cases: list[Case]) -> dict[str, Any]:
    """Batch's per-case work step by step (ms a case, fastest of 3), in one process: where the
    time goes when `kbcheck batch` falls short of `assess()`."""
    with tempfile.TemporaryDirectory(prefix="kbcheck-bench-e2e-") as tmp:
        yaml_dir, jsonl = write_inputs(Path(tmp), cases)
        try:
            return {"cases": len(cases), "ms_per_case": json.loads(_python(STAGES, str(yaml_dir), str(jsonl)))}
        except RuntimeError as exc:
            return {"cases": len(cases), "error": str(exc)}
