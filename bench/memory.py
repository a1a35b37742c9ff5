"""Peak memory of one long batch: `python -m bench.memory --cases N` in a process of its own.

The cases are generated one at a time from the seed and dropped once assessed (with their full
trace), so that the figure is the engine's memory, not the batch's input or output: a leak per
case, or a session left alive, shows as growth between 1,000 and 100,000 cases. The peak is the
kernel's high-water mark (VmHWM in /proc/self/status); RSS is sampled along the way.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def status_kb(field: str) -> int:
    """A memory figure of this process in kB (VmHWM, VmRSS) from /proc; 0 where there is no /proc."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    if field == "VmHWM":
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


def run(cases: int, seed: int, engine: str) -> dict[str, Any]:
    from bench.cases import generate_case
    from kbcheck.engine import assess, get_engine, load_kb

    kb = load_kb()
    get_engine(kb, engine, fallback=False)
    loaded = {"rss_kb": status_kb("VmRSS"), "hwm_kb": status_kb("VmHWM")}
    rnd = random.Random(seed)
    samples: list[dict[str, int]] = []
    marks = {min(cases, m) for m in (100, 1_000, 10_000, 30_000, 60_000, 100_000)} | {cases}
    firings = 0
    started = time.perf_counter()
    for i in range(1, cases + 1):
        firings += len(assess(generate_case(kb, rnd, f"m{i}"), kb, engine).firings)
        if i in marks:
            samples.append({"cases": i, "rss_kb": status_kb("VmRSS"), "hwm_kb": status_kb("VmHWM")})
    elapsed = time.perf_counter() - started
    return {
        "cases": cases,
        "engine": engine,
        "seconds": round(elapsed, 2),
        "cases_per_second": round(cases / elapsed, 1),
        "firings": firings,
        "after_kb_load": loaded,
        "samples": samples,
        "peak_rss_kb": status_kb("VmHWM"),
        "final_rss_kb": status_kb("VmRSS"),
    }


def measure(cases: int, seed: int, engine: str = "durable") -> dict[str, Any]:
    """Run one size in a fresh process, so that each peak is its own."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--cases", str(cases), "--seed", str(seed), "--engine", engine],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        return {"cases": cases, "engine": engine, "error": done.stderr.strip()[-500:]}
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", default="durable")
    args = parser.parse_args()
    print(json.dumps(run(args.cases, args.seed, args.engine)))


if __name__ == "__main__":
    main()
