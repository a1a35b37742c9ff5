"""Batch throughput: the same seeded cases through each engine, in worker processes.

Every engine goes through the same path: a pool of spawned worker processes, each of which
loads the KB, builds its engine once (durable_rules compiles once per process and is not
thread-safe), assesses a few cases to warm up, and waits at a barrier until every worker is
ready; only then does the clock start. The work is handed out in small chunks of case indices
(the cases themselves are sent once, when the pool starts), and each case is assessed in full:
working memory, the engine run, and the Assessment with its trace, as `kbcheck.engine.assess`
does. The figure is the wall-clock time of the whole batch, as a user of a batch would see it.
The batch is run several times in the same pool and the fastest run is the figure (other
programs on the machine can only ever add time); every run is kept in the results.

Around each run the machine's busy CPU time is read (/proc/stat), so that the CPU other programs
took while it ran is known: a figure they slowed down says so.

A second, untimed pass over a prefix of the cases returns digests of each case's trace and
conclusions, so that every engine is checked against the reference evaluator: kbcheck's
durable engine must give identical traces, the peers the same conclusions.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

from kbcheck.engine.case import Case

CHUNK = 10
WARM_UP = 20

# Set in each worker by _init.
_state: dict[str, Any] = {}


@dataclass
class Throughput:
    engine: str
    workers: int
    cases: int
    firings: int
    seconds: float
    runs: list[float] = field(default_factory=list)
    worker_cpu_seconds: list[float] = field(default_factory=list)
    worker_cases: list[int] = field(default_factory=list)
    other_cpu_seconds: float | None = None
    build_seconds: float = 0.0
    checked: int = 0
    trace_mismatches: int = 0
    conclusion_mismatches: int = 0
    error: str = ""

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    @property
    def us_per_firing(self) -> float:
        return self.seconds / self.firings * 1e6 if self.firings else 0.0

    @property
    def ms_per_case(self) -> float:
        return self.seconds / self.cases * 1e3 if self.cases else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            cases_per_second=round(self.cases_per_second, 2),
            us_per_firing=round(self.us_per_firing, 3),
            ms_per_case=round(self.ms_per_case, 4),
            firings_per_case=round(self.firings / self.cases, 2) if self.cases else 0,
        )
        return data


def make_runner(engine: str) -> tuple[Any, Any]:
    """(kb, a function Case -> Assessment) for an engine name, built in the calling process."""
    from kbcheck.engine import assess, compiled, get_engine, load_kb
    from kbcheck.engine.memory import plain_facts
    from kbcheck.engine.result import Assessment

    kb = load_kb()
    if engine in ("durable", "reference"):
        get_engine(kb, engine, fallback=False)
        return kb, lambda case: assess(case, kb, engine)
    ckb = compiled(kb)
    runner: Any
    if engine == "raw-durable":
        from bench.peers.raw_durable import RawDurableEngine

        runner = RawDurableEngine(ckb)
    elif engine == "clipspy":
        from bench.peers.clips import ClipsEngine

        runner = ClipsEngine(ckb)
    elif engine == "experta":
        from bench.peers.experta_port import ExpertaEngine

        runner = ExpertaEngine(ckb)
    else:
        raise ValueError(f"unknown engine {engine}")
    name = runner.name
    return kb, lambda case: Assessment.from_records(case, ckb, name, runner.run(plain_facts(kb, case, ckb.offsets)))


def _init(engine: str, cases: list[Case], barrier: Any) -> None:
    # An exception here would make the pool start the worker again, forever: keep it for _ready.
    _state.update(cases=cases, barrier=barrier, error="")
    try:
        started = time.perf_counter()
        _kb, run = make_runner(engine)
        _state.update(run=run, build=time.perf_counter() - started)
        for case in cases[:WARM_UP]:
            run(case)
    except Exception as exc:
        _state["error"] = f"{type(exc).__name__}: {exc}"


def _ready(_: int) -> tuple[int, float, str]:
    _state["barrier"].wait()  # one task per worker: each waits here until all are ready
    _state["cpu"] = time.process_time()
    _state["done"] = 0
    return os.getpid(), _state.get("build", 0.0), _state["error"]


def _chunk(bounds: tuple[int, int]) -> int:
    run, cases = _state["run"], _state["cases"]
    firings = 0
    for i in range(*bounds):
        firings += len(run(cases[i]).firings)
    _state["done"] += bounds[1] - bounds[0]
    return firings


def _report(_: int) -> tuple[int, float, int]:
    _state["barrier"].wait()  # one report task per worker
    return os.getpid(), time.process_time() - _state["cpu"], _state["done"]


def _digests(bounds: tuple[int, int]) -> list[tuple[int, int]]:
    """(trace digest, conclusions digest) of each case: crc32 of their repr, the same in any process."""
    run, cases = _state["run"], _state["cases"]
    out = []
    for i in range(*bounds):
        result = run(cases[i])
        trace = repr([(f.name, f.premises) for f in result.firings]).encode()
        values = repr(sorted(result.values.items())).encode()
        out.append((zlib.crc32(trace), zlib.crc32(values)))
    return out


def _busy_seconds() -> float | None:
    """CPU time the whole machine has spent busy (all CPUs, every program), from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _chunks(n: int, size: int = CHUNK) -> list[tuple[int, int]]:
    return [(i, min(i + size, n)) for i in range(0, n, size)]


def measure(
    engine: str,
    cases: list[Case],
    workers: int = 1,
    repeats: int = 1,
    check: int = 0,
    expected: list[tuple[int, int]] | None = None,
) -> tuple[Throughput, list[tuple[int, int]]]:
    """Time `cases` through `engine` with `workers` processes, `repeats` times; digest the first
    `check` cases. Returns the measurement (its fastest run) and the digests, compared with
    `expected` when given.
    """
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers)
    try:
        with ctx.Pool(workers, initializer=_init, initargs=(engine, cases, barrier)) as pool:
            runs = []
            for _ in range(max(1, repeats)):
                ready = pool.map(_ready, range(workers), chunksize=1)
                failed = [r[2] for r in ready if r[2]]
                if failed:
                    raise RuntimeError(failed[0])
                busy, own = _busy_seconds(), time.process_time()
                started = time.perf_counter()
                firings = sum(pool.imap_unordered(_chunk, _chunks(len(cases))))
                seconds = time.perf_counter() - started
                own, after = time.process_time() - own, _busy_seconds()
                reports = pool.map(_report, range(workers), chunksize=1)
                # What other programs took meanwhile: the machine's busy time less this process's
                # and the workers' (to the tick, so small values are noise).
                other = None if busy is None or after is None else after - busy - own - sum(r[1] for r in reports)
                runs.append((seconds, reports, other))
            digests = [d for part in pool.map(_digests, _chunks(check)) for d in part] if check else []
    except Exception as exc:  # a peer that will not build or run: reported, not fatal
        return Throughput(engine, workers, 0, 0, 0.0, error=f"{type(exc).__name__}: {exc}"), []
    seconds, reports, other = min(runs, key=lambda run: run[0])
    result = Throughput(
        engine,
        workers,
        len(cases),
        firings,
        seconds,
        runs=[round(r[0], 4) for r in runs],
        worker_cpu_seconds=[round(r[1], 3) for r in reports],
        other_cpu_seconds=None if other is None else round(max(other, 0.0), 2),
        worker_cases=[r[2] for r in reports],
        build_seconds=round(max(r[1] for r in ready), 3),
        checked=len(digests),
    )
    if expected is not None and digests:
        pairs = list(zip(digests, expected, strict=False))
        result.trace_mismatches = sum(a[0] != b[0] for a, b in pairs)
        result.conclusion_mismatches = sum(a[1] != b[1] for a, b in pairs)
    return result, digests


def _synthetic_child(n: int, repeats: int) -> dict[str, Any]:
    from bench.peers.raw_durable import RawSyntheticEngine, SyntheticKB

    kb = SyntheticKB()
    engine = RawSyntheticEngine(kb)
    cases = kb.cases(n)
    for case in cases[:50]:
        engine.run(case)
    clock = time.perf_counter
    runs = []
    for _ in range(max(1, repeats)):
        times, counts = [], []
        started = clock()
        for case in cases:
            t0 = clock()
            counts.append(engine.run(case))
            times.append(clock() - t0)
        runs.append((clock() - started, times, counts))
    seconds, times, counts = min(runs, key=lambda run: run[0])
    firings = sum(counts)
    # Least squares, time of a case = fixed + marginal x firings: the notes' cost model.
    mean_f, mean_t = firings / n, sum(times) / n
    spread = sum((f - mean_f) ** 2 for f in counts)
    marginal = sum((f - mean_f) * (t - mean_t) for f, t in zip(counts, times, strict=True)) / spread if spread else 0.0
    return {
        "cases": n,
        "firings": firings,
        "seconds": round(seconds, 4),
        "runs": [round(r[0], 4) for r in runs],
        "cases_per_second": round(n / seconds, 1),
        "ms_per_case": round(seconds / n * 1e3, 4),
        "firings_per_case": round(firings / n, 2),
        "us_per_firing": round(seconds / firings * 1e6, 3),
        "fixed_us": round((mean_t - marginal * mean_f) * 1e6, 1),
        "marginal_us": round(marginal * 1e6, 2),
    }


def synthetic(n: int, repeats: int) -> dict[str, Any]:
    """durable_rules, used the documented way, on the notes' synthetic KB, in a fresh process."""
    try:
        with mp.get_context("spawn").Pool(1) as pool:
            return pool.apply(_synthetic_child, (n, repeats))  # type: ignore[no-any-return]
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
