"""Where the time goes, printed when a target is not met.

- `engine_profile`: cProfile of kbcheck's durable engine assessing cases in a fresh process,
  grouped by layer (durable_rules' C engine, JSON between Python and C, durable_rules' Python
  layer, kbcheck's adapter, kbcheck's working memory and Assessment), plus the C engine's own
  time measured without the profiler (every call into durable_rules_engine timed), which is
  the floor no change on the Python side can go below.
- `cold_profile`: what a cold `kbcheck` process spends its time on, step by step, in whole
  processes without a profiler (a profiler would triple the pure-Python YAML parsing), and
  its imports by package (`-X importtime`).
"""

from __future__ import annotations

import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

LAYERS = (
    (
        "durable_rules C engine",
        lambda f, n: f == "~" and ("kbcheck.engine._durable" in n or "durable_rules_engine" in n),
    ),
    ("JSON encode/decode", lambda f, n: "/json/" in f or "_json" in n),
    ("durable_rules Python layer (engine.py)", lambda f, n: f.endswith("durable/engine.py")),
    ("kbcheck adapter (durable_adapter.py)", lambda f, n: f.endswith("durable_adapter.py")),
    (
        "kbcheck working memory and Assessment",
        lambda f, n: any(f.endswith(m) for m in ("memory.py", "result.py", "api.py", "case.py", "dates.py")),
    ),
)


def _layer(filename: str, name: str) -> str:
    for label, test in LAYERS:
        if test(filename, name):
            return label
    return "other (interpreter, stdlib)"


def _engine_profile_child(cases: int, seed: int) -> dict[str, Any]:
    """Runs in a fresh process: cProfile, then the C engine's own time without the profiler."""
    import cProfile

    from bench.cases import generate_cases
    from kbcheck.engine import _durable as durable_rules_engine  # type: ignore[attr-defined]
    from kbcheck.engine import assess, get_engine, load_kb

    kb = load_kb()
    get_engine(kb, "durable", fallback=False)
    batch = generate_cases(kb, cases, seed)
    for case in batch[:20]:
        assess(case, kb, "durable")
    profiler = cProfile.Profile()
    profiler.enable()
    firings = sum(len(assess(case, kb, "durable").firings) for case in batch)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    layers: dict[str, float] = defaultdict(float)
    functions = []
    for (filename, _line, name), (_cc, ncalls, tottime, _cum, _callers) in raw.items():
        layers[_layer(filename, name)] += tottime
        label = name if filename == "~" else f"{Path(filename).parent.name}/{Path(filename).name}:{name}"
        functions.append((tottime, ncalls, label))
    functions.sort(reverse=True)

    # The C engine's own time, every entry point wrapped in a timer, without cProfile.
    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    originals = {}
    for entry in ("assert_facts", "assert_fact", "start_action_for_state", "complete_and_start_action"):
        originals[entry] = getattr(durable_rules_engine, entry)
    for entry in ("update_state", "get_state", "delete_state"):
        originals[entry] = getattr(durable_rules_engine, entry)

    def timed(entry: str, func: Any) -> Any:
        clock = time.perf_counter

        def wrapper(*args: Any) -> Any:
            started = clock()
            try:
                return func(*args)
            finally:
                spent[entry] += clock() - started
                calls[entry] += 1

        return wrapper

    for entry, func in originals.items():
        setattr(durable_rules_engine, entry, timed(entry, func))
    try:
        started = time.perf_counter()
        for case in batch:
            assess(case, kb, "durable")
        wall = time.perf_counter() - started
    finally:
        for entry, func in originals.items():
            setattr(durable_rules_engine, entry, func)
    c_total = sum(spent.values())
    return {
        "cases": cases,
        "firings": firings,
        "profiled_seconds": round(total, 4),
        "layers": {k: round(v, 4) for k, v in sorted(layers.items(), key=lambda kv: -kv[1])},
        "top_functions": [
            {"function": label, "calls": calls_, "seconds": round(t, 4)} for t, calls_, label in functions[:14]
        ],
        "c_engine": {
            "wall_seconds": round(wall, 4),
            "c_seconds": round(c_total, 4),
            "c_share": round(c_total / wall, 3) if wall else 0.0,
            "c_us_per_firing": round(c_total / firings * 1e6, 2) if firings else 0.0,
            "c_ms_per_case": round(c_total / cases * 1e3, 3),
            "c_ceiling_cases_per_second": round(cases / c_total, 1) if c_total else 0.0,
            "calls": {k: {"calls": calls[k], "us_per_call": round(spent[k] / calls[k] * 1e6, 2)} for k in spent},
        },
    }


def engine_profile(cases: int, seed: int) -> dict[str, Any]:
    """Profile kbcheck's durable engine in a fresh process (so that nothing else is in its heap)."""
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_engine_profile_child, (cases, seed))  # type: ignore[no-any-return]


def format_engine_profile(profile: dict[str, Any]) -> list[str]:
    total = profile["profiled_seconds"] or 1.0
    firings = profile["firings"] or 1
    lines = [
        f"Profile of kbcheck's durable engine, {profile['cases']} cases, {firings} firings "
        f"(cProfile, in a fresh process; the profiler inflates the Python layers):",
        "",
        "| layer | seconds | share | µs per firing |",
        "| --- | ---: | ---: | ---: |",
    ]
    for layer, seconds in profile["layers"].items():
        lines.append(f"| {layer} | {seconds:.3f} | {seconds / total:.0%} | {seconds / firings * 1e6:.1f} |")
    lines += ["", "| function (by own time) | calls | seconds |", "| --- | ---: | ---: |"]
    for fn in profile["top_functions"]:
        lines.append(f"| {fn['function']} | {fn['calls']} | {fn['seconds']:.3f} |")
    c = profile["c_engine"]
    lines += [
        "",
        f"Without the profiler, durable_rules' C engine itself takes {c['c_seconds']:.3f} s of {c['wall_seconds']:.3f} s "
        f"({c['c_share']:.0%}): {c['c_ms_per_case']:.2f} ms a case, {c['c_us_per_firing']:.1f} µs a firing. "
        f"Even with no Python around it, durable_rules could not assess more than "
        f"{c['c_ceiling_cases_per_second']:.0f} cases/s of this KB in one process.",
        "",
        "| C entry point | calls | µs per call |",
        "| --- | ---: | ---: |",
    ]
    for entry, data in c["calls"].items():
        lines.append(f"| durable_rules_engine.{entry} | {data['calls']} | {data['us_per_call']:.1f} |")
    return lines


# --- Cold start -----------------------------------------------------------------------------
IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def import_profile(argv: list[str]) -> dict[str, Any]:
    """`-X importtime` of a command: milliseconds of import by top-level package."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, cwd=ROOT, env=env
    )
    by_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            package = match.group(4).split(".")[0]
            if package.startswith("__editable__"):
                package = "(editable-install finder)"
            by_package[package] += int(match.group(1)) / 1000
    total = sum(by_package.values())
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:10]
    return {"total_ms": round(total, 1), "by_package_ms": {k: round(v, 1) for k, v in top}}


STEPS = (
    ("interpreter", ""),
    ("+ import click, durable.lang", "import click, durable.lang"),
    ("+ import kbcheck.cli.main", "import kbcheck.cli.main"),
    ("+ load_kb()", "from kbcheck.engine import load_kb; kb = load_kb()"),
    ("+ get_engine(kb, 'durable')", "from kbcheck.engine import get_engine; get_engine(kb, 'durable', fallback=False)"),
    ("+ read_case and assess", "from kbcheck.engine import assess, read_case; a = assess(read_case(CASE, kb), kb)"),
    (
        "+ Explanation(a).status()",
        "from kbcheck.explain.explanation import Explanation; status = Explanation(a).status()",
    ),
    ("+ JSON output", "import json; text = json.dumps(dict(a.to_json(), status=status))"),
    ("+ import networkx (explain)", "import networkx"),
    ("+ import graphviz, kbcheck.explain", "from kbcheck.explain import dot, graph"),
    ("+ justification graph (networkx)", "g = graph.build(a)"),
    ("+ DOT text", "d = dot.to_dot(g); source = d.source"),
    ("+ layout and SVG (Graphviz's dot)", "svg = d.pipe(format='svg')"),
)
EXPLAIN_STEPS = 5  # the last steps of STEPS: what `explain` adds to `assess`


def cold_steps(case: Path, rounds: int) -> list[dict[str, Any]]:
    """Whole processes doing the CLI's work one step more each time (median of `rounds`): the
    difference between two steps is what the step costs a cold process, with no profiler."""
    from bench.peers import upstream

    env = {k: v for k, v in upstream.environ().items() if k != "PYTHONDONTWRITEBYTECODE"}
    programs = []
    code = f"CASE = {str(case)!r}"
    for label, step in STEPS:
        code = f"{code}\n{step}" if step else code
        programs.append((label, code))
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, str] = {}
    for warm in range(rounds + 1):
        for label, program in programs:
            if label in errors:
                continue
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, env=env)
            elapsed = time.perf_counter() - started
            if done.returncode:
                errors[label] = (
                    done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
                )
            elif warm:
                times[label].append(elapsed)
    out: list[dict[str, Any]] = []
    previous = 0.0
    for label, _ in programs:
        if label in errors:
            out.append({"step": label, "error": errors[label]})
            continue
        median = statistics.median(times[label])
        out.append(
            {"step": label, "cumulative_ms": round(median * 1e3, 1), "step_ms": round((median - previous) * 1e3, 1)}
        )
        previous = median
    return out


def cold_profile(case: Path, rounds: int) -> dict[str, Any]:
    args = ["assess", str(case), "--json"]
    return {
        "steps": cold_steps(case, rounds),
        "imports_assess": import_profile(["-m", "kbcheck.cli.main", *args]),
        "imports_explain": import_profile(["-m", "kbcheck.cli.main", "explain", str(case), "--format", "svg"]),
    }


def format_cold_profile(profile: dict[str, Any]) -> list[str]:
    lines = [
        "Where a cold `kbcheck assess` / `explain` spends its time: whole processes doing one step more",
        "each time (median; no profiler in them):",
        "",
        "| step | cumulative ms | step ms |",
        "| --- | ---: | ---: |",
    ]
    for row in profile["steps"]:
        if "error" in row:
            lines.append(f"| {row['step']} | failed: {row['error'][:80]} | |")
        else:
            lines.append(f"| {row['step']} | {row['cumulative_ms']:.0f} | {row['step_ms']:+.0f} |")
    steps = {row["step"]: row.get("step_ms") for row in profile["steps"]}
    explain = [row.get("step_ms") for row in profile["steps"][-EXPLAIN_STEPS:]]
    networkx, layout = steps.get("+ import networkx (explain)"), steps.get("+ layout and SVG (Graphviz's dot)")
    if None not in explain and networkx is not None and layout is not None:
        lines += [
            "",
            f"`explain` adds {sum(explain):.0f} ms to `assess`: importing networkx {networkx:.0f} ms and Graphviz's "
            f"dot program {layout:.0f} ms of it. Both are the design card's (networkx for the justification graph, "
            "Graphviz for the diagram); cutting either means leaving it, which "
            "`python -m bench.experiments.without_networkx` measures for networkx; neither is durable_rules.",
        ]
    for key, command in (("imports_assess", "assess"), ("imports_explain", "explain")):
        imports = profile[key]
        lines += [
            "",
            f"Imports of `kbcheck {command}`: {imports['total_ms']:.0f} ms (-X importtime, own time by package): "
            + ", ".join(f"{k} {v:.0f}" for k, v in imports["by_package_ms"].items()),
        ]
    return lines


def _change(percent: float) -> str:
    """A signed percentage read as words, so a fall is never printed as "-3% more"."""
    if abs(percent) < 0.5:
        return "unchanged"
    return f"{abs(percent):.0f}% {'more' if percent > 0 else 'less'}"


def _workers_verdict(cpu: dict[str, float], split: dict[str, list[float]]) -> str:
    """The reading of the figures above, from the figures themselves."""
    growth = {}
    for engine in ("durable", "reference"):
        one, two = cpu.get(f"{engine}/1"), cpu.get(f"{engine}/2")
        growth[engine] = 100 * (two / one - 1) if one and two else None
    durable, reference = growth["durable"], growth["reference"]
    if durable is None or reference is None:
        return "Where two workers lose: not measured."
    text = (
        "Where two workers lose: the workers do not wait for a CPU (their CPU time is close to the wall time), "
        f"but the CPU each takes a case changes while the other runs: durable {_change(durable)}, the reference "
        f"evaluator {_change(reference)}."
    )
    if durable <= reference + 5:
        return text + (
            " Both engines slow alike: the two CPUs of this machine share caches, memory and clock, and do not give "
            "twice the throughput of one; neither kbcheck nor durable_rules can change that."
        )
    alone, together = split.get("alone"), split.get("two at once")
    share = ""
    if alone and together and sum(together) > sum(alone):
        share = f" ({100 * (together[0] - alone[0]) / (sum(together) - sum(alone)):.0f}% of the extra, above)"
    return text + (
        f" The durable engine's extra is in durable_rules' C engine{share}, whose match tables two processes "
        "pull through the caches and memory they share; the reference evaluator, pure Python with a small working "
        "set, barely feels it. kbcheck's only lever would be to keep one session alive across cases, which the "
        "hardening rules out (one session a case, deleted after it, so that nothing of one case can reach the "
        "next); beyond that the cost is durable_rules' own."
    )


# --- Two workers ---------------------------------------------------------------------------------
def _engine_split(n: int) -> tuple[float, float]:
    """CPU ms a case inside durable_rules' C engine (every call into durable_rules_engine timed)
    and outside it (kbcheck's adapter, working memory and Assessment), over n generated cases."""
    from bench.cases import generate_cases
    from kbcheck.engine import assess, durable_adapter, get_engine, load_kb

    real = durable_adapter._load_engine()
    inside = [0.0]

    class Timed:
        def __getattr__(self, name: str) -> Any:
            function = getattr(real, name)

            def timed(*args: Any) -> Any:
                started = time.process_time()
                try:
                    return function(*args)
                finally:
                    inside[0] += time.process_time() - started

            return timed

    durable_adapter._load_engine = Timed  # type: ignore[assignment]
    kb = load_kb()
    get_engine(kb, "durable", fallback=False)
    cases = generate_cases(kb, n)
    for case in cases[:50]:
        assess(case, kb, "durable")
    inside[0], started = 0.0, time.process_time()
    for case in cases:
        assess(case, kb, "durable")
    total = time.process_time() - started
    return 1000 * inside[0] / n, 1000 * (total - inside[0]) / n


def workers_profile(results: dict[str, Any], cases: list[Any], repeats: int, split_cases: int = 600) -> dict[str, Any]:
    """Why two workers fall short of twice one: CPU time a case alone and with two workers, for
    the durable engine and the reference evaluator, and the durable engine's CPU time split
    between durable_rules' C engine and the rest, in one process alone and in two at once. Workers that do not wait (CPU close to wall
    time) yet each take more CPU a case than one alone are slowing each other down in the
    hardware they share, not in kbcheck's pool."""
    import multiprocessing as mp

    from bench.throughput import measure

    rows = {(r["engine"], r["workers"]): r for r in results["throughput"]["rows"] if not r.get("error")}
    reference2, _ = measure("reference", cases, 2, repeats)
    rows[("reference", 2)] = reference2.to_json()
    cpu = {}
    for (engine, workers), row in rows.items():
        if engine in ("durable", "reference") and row.get("worker_cpu_seconds"):
            cpu[f"{engine}/{workers}"] = 1000 * sum(row["worker_cpu_seconds"]) / row["cases"]
    ctx = mp.get_context("spawn")
    # A fresh process for every task: _engine_split patches the adapter of the process it runs in.
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        alone = pool.map(_engine_split, [split_cases], chunksize=1)[0]
    with ctx.Pool(2, maxtasksperchild=1) as pool:
        together = pool.map(_engine_split, [split_cases, split_cases], chunksize=1)
    return {
        "cpu_ms_per_case": {k: round(v, 3) for k, v in cpu.items()},
        "split_ms_per_case": {
            "alone": [round(alone[0], 3), round(alone[1], 3)],
            "two at once": [
                round(statistics.mean(t[0] for t in together), 3),
                round(statistics.mean(t[1] for t in together), 3),
            ],
        },
        "rows": [rows[k] for k in sorted(rows) if k[0] == "durable"],
    }


def format_workers_profile(profile: dict[str, Any]) -> list[str]:
    cpu, split = profile.get("cpu_ms_per_case", {}), profile.get("split_ms_per_case", {})

    def growth(engine: str) -> str:
        one, two = cpu.get(f"{engine}/1"), cpu.get(f"{engine}/2")
        if not one or not two:
            return f"| {engine} | | | |"
        return f"| {engine} | {one:.3f} | {two:.3f} | {100 * (two / one - 1):+.0f}% |"

    def grew(engine: str) -> str:
        one, two = cpu.get(f"{engine}/1"), cpu.get(f"{engine}/2")
        return f"{100 * (two / one - 1):.0f}%" if one and two else "(not measured)"

    lines = [
        "Two workers: wall time of the fastest run, each worker's CPU time in it, and the CPU time other "
        "programs took meanwhile (worker CPU close to the wall time: the workers did not wait):",
        "",
        "| workers | wall s | worker CPU s | cases per worker | other programs' CPU s |",
        "| ---: | ---: | --- | --- | ---: |",
    ]
    for row in profile["rows"]:
        other = row.get("other_cpu_seconds")
        lines.append(
            f"| {row['workers']} | {row['seconds']:.2f} | {row['worker_cpu_seconds']} | {row['worker_cases']} | "
            f"{'' if other is None else f'{other:.2f}'} |"
        )
    lines += [
        "",
        "CPU time a case, one worker and two (ms):",
        "",
        "| engine | one worker | two workers | growth |",
        "| --- | ---: | ---: | ---: |",
        growth("durable"),
        growth("reference"),
        "",
        "The durable engine's CPU time a case (ms), inside durable_rules' C engine and outside it, in one "
        "process alone and in each of two at once (timing every call adds to the rest):",
        "",
        "| processes | C engine | the rest (adapter, working memory, Assessment) |",
        "| --- | ---: | ---: |",
        *[f"| {label} | {c:.3f} | {rest:.3f} |" for label, (c, rest) in split.items()],
        "",
    ]
    return [*lines, _workers_verdict(cpu, split)]
