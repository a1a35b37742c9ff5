"""The Dask recipe of docs/distributed.md against `kbcheck batch`, on the same cores.

A police force that outgrows one machine runs kbcheck.engine.assess_partition on a Dask cluster;
what it costs against batch's own pool is the question this answers: the same JSON Lines files
(the generated cases, split into files so that the partitions spread over the workers), the
same number of worker processes, full traces, results written to disk by both. Batch is timed
as a whole `kbcheck batch --workers N -o FILE` process, start-up included, since that is how it
is run; the Dask run is timed from the client's call to the last file written, on a LocalCluster
started beforehand (its start-up is reported apart), so its first run builds each worker's
engine and later runs reuse it, as a long-lived cluster would. The two runs take turns, so that
a change in the machine's load falls on both, and their outputs are compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.coldstart import kbcheck_command
from kbcheck.engine.case import Case


def write_inputs(folder: Path, cases: list[Case], files: int) -> list[Path]:
    """The cases as JSON Lines, in `files` files of nearly equal size, in order."""
    paths = []
    for n in range(files):
        part = cases[n * len(cases) // files : (n + 1) * len(cases) // files]
        path = folder / f"cases-{n:03d}.jsonl"
        path.write_text("".join(json.dumps(c.to_data(), default=str) + "\n" for c in part), encoding="utf-8")
        paths.append(path)
    return paths


def _digest(paths: Iterable[Path]) -> str:
    """The files' bytes, one after another, as one hash: what `cat` of them would give."""
    h = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def measure(cases: list[Case], workers: int = 2, repeats: int = 1, files: int = 8) -> dict[str, Any]:
    """Time batch and the Dask recipe over `cases`, `repeats` times each, taking turns."""
    try:
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError as exc:
        return {"workers": workers, "error": f"dask is not installed here ({exc}): pip install -e '.[dask]'"}
    from kbcheck.engine import assess_partition

    out: dict[str, Any] = {"workers": workers, "cases": len(cases), "files": files}
    with tempfile.TemporaryDirectory(prefix="kbcheck-bench-dask-") as tmp:
        folder = Path(tmp)
        inputs = write_inputs(folder, cases, files)
        batch_runs: list[float] = []
        dask_runs: list[float] = []
        identical = True
        started = time.perf_counter()
        try:
            with (
                LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster,
                Client(cluster),
            ):
                out["cluster_start_seconds"] = round(time.perf_counter() - started, 3)
                for n in range(max(1, repeats)):
                    batch_out = folder / f"batch-{n}.jsonl"
                    clock = time.perf_counter()
                    done = subprocess.run(
                        [
                            *kbcheck_command(),
                            "batch",
                            *map(str, inputs),
                            "--workers",
                            str(workers),
                            "-o",
                            str(batch_out),
                        ],
                        capture_output=True,
                        text=True,
                    )
                    batch_runs.append(time.perf_counter() - clock)
                    if done.returncode != 0:
                        raise RuntimeError(f"kbcheck batch exited {done.returncode}: {done.stderr.strip()[-200:]}")
                    dask_out = folder / f"dask-{n}"
                    clock = time.perf_counter()
                    bag = db.read_text(
                        [str(p) for p in inputs],
                        encoding="utf-8",
                        errors="surrogateescape",
                        linedelimiter="\n",
                        include_path=True,
                    )
                    bag.map_partitions(assess_partition).to_textfiles(
                        str(dask_out / "*.jsonl"),
                        name_function=lambda i: f"{i:06d}",
                        encoding="utf-8",
                        last_endline=True,
                    )
                    dask_runs.append(time.perf_counter() - clock)
                    parts = sorted(dask_out.glob("*.jsonl"))
                    identical = identical and _digest([batch_out]) == _digest(parts)
                    for path in [batch_out, *parts]:  # a run with full traces writes ~100 kB a case
                        path.unlink()
        except Exception as exc:  # a cluster that will not start, a failed run: reported, not fatal
            return {**out, "error": f"{type(exc).__name__}: {exc}"}
    return {
        **out,
        "batch_seconds": round(min(batch_runs), 4),
        "dask_seconds": round(min(dask_runs), 4),
        "dask_first_seconds": round(dask_runs[0], 4),
        "batch_runs": [round(s, 4) for s in batch_runs],
        "dask_runs": [round(s, 4) for s in dask_runs],
        "batch_cases_per_second": len(cases) / min(batch_runs),
        "dask_cases_per_second": len(cases) / min(dask_runs),
        "dask_first_cases_per_second": len(cases) / dask_runs[0],
        "identical": identical,
    }
