"""`make bench` / `python -m bench.run [--quick]`: measure kbcheck, print the table, check the targets.

Everything is measured in this one run on this machine: kbcheck's durable engine (one worker
and two), the reference evaluator, durable_rules used the documented way on the same KB and
on the notes' synthetic KB, and the same KB compiled for clipspy and experta where they are
installed; `kbcheck batch` on YAML and JSON Lines files against `assess()` on the same cases (end
to end); the Dask recipe of docs/distributed.md against `kbcheck batch`, two worker processes
each; cold starts of whole `kbcheck` processes against the floor of importing click and
durable_rules; peak memory over long batches; and time per case as the KB and the cases grow.
The ratios the targets ask for are computed from these figures, never quoted. Where a target
is not met, the profile that shows where the time goes is printed under the table.

Results go to bench/results/<UTC time>-<commit>.json and bench/results/latest.json (a --quick
run: ...-quick.json and latest-quick.json). `--show FILE` prints a saved run's table again.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcheck.engine.durable_adapter import DURABLE_RULES_VERSION

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PEERS = ("clipspy", "experta")
CPUS = os.cpu_count() or 1
BUSY = 10.0  # % of the last minute in which some runnable task waited for a CPU (/proc/pressure/cpu)
SECTIONS = ("throughput", "endtoend", "distributed", "coldstart", "memory", "scaling", "serve", "series")


@dataclass
class Settings:
    cases: int
    seed: int
    repeats: int
    peer_cases: int
    experta_cases: int
    synthetic_cases: int
    cold_rounds: int
    memory_cases: tuple[int, ...]
    scaling_cases: int
    profile_cases: int
    sections: tuple[str, ...]
    series_sizes: tuple[int, ...] = (1, 10, 100, 1000, 10000)


def settings(args: argparse.Namespace) -> Settings:
    quick = args.quick
    sections = tuple(s for s in SECTIONS if s not in args.skip)
    memory = args.memory_cases or ("1000,3000" if quick else "1000,100000")
    return Settings(
        cases=args.cases or (200 if quick else 1500),
        seed=args.seed,
        repeats=args.repeats or (1 if quick else 3),
        peer_cases=200 if quick else 600,
        experta_cases=10 if quick else 60,
        synthetic_cases=500 if quick else 3000,
        cold_rounds=args.cold_rounds or (3 if quick else 10),
        memory_cases=tuple(int(n) for n in memory.split(",")),
        scaling_cases=40 if quick else 150,
        profile_cases=100 if quick else 300,
        sections=sections,
        series_sizes=(1, 10, 100, 1000) if quick else (1, 10, 100, 1000, 10000),
    )


# --- Machine and commit -----------------------------------------------------------------------
def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> dict[str, Any]:
    """How busy the machine is: other programs slow every figure down, so it is recorded."""
    data: dict[str, Any] = {}
    with contextlib.suppress(OSError):
        data["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        data["cpu_pressure_avg60"] = float(some.split("avg60=")[1].split()[0])
    except (OSError, IndexError, ValueError):
        pass
    return data


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "packages": {
            "durable_rules": f"{DURABLE_RULES_VERSION} (kbcheck's build)",
            **{p: _version(p) for p in ("clipspy", "experta", "frozendict", "networkx", "click", "PyYAML")},
        },
    }


def commit() -> dict[str, Any]:
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown", "dirty": bool(git("status", "--porcelain"))}


# --- Sections ----------------------------------------------------------------------------------
def available(engine: str) -> str:
    """Why a peer cannot run here ('' when it can)."""
    module = {"clipspy": "clips", "experta": "experta"}[engine]
    try:
        __import__(module)
    except Exception as exc:  # ImportError, or experta's frozendict 1.2 on Python 3.10+
        return f"{type(exc).__name__}: {exc}"
    return ""


def run_throughput(s: Settings, log: Any) -> dict[str, Any]:
    from bench.cases import generate_cases
    from bench.throughput import measure, synthetic
    from kbcheck.engine import load_kb

    kb = load_kb()
    cases = generate_cases(kb, s.cases, s.seed)
    check = min(len(cases), 300 if s.cases >= 300 else s.cases)
    rows: list[dict[str, Any]] = []

    log(f"reference evaluator, 1 worker, {len(cases)} cases x {s.repeats}")
    reference, expected = measure("reference", cases, 1, s.repeats, check=check)
    rows.append(reference.to_json())
    plan: list[tuple[str, int, list[Any], int]] = [
        ("durable", 1, cases, s.repeats),
        ("durable", 2, cases, s.repeats),
        ("raw-durable", 1, cases[: s.peer_cases], 1),
    ]
    for peer in PEERS:
        count = s.experta_cases if peer == "experta" else s.peer_cases
        problem = available(peer)
        if problem:
            rows.append({"engine": peer, "workers": 1, "error": f"not installed here ({problem})"})
            continue
        plan.append((peer, 1, cases[:count], 1))
    for engine, workers, subset, repeats in plan:
        log(f"{engine}, {workers} worker{'s' if workers > 1 else ''}, {len(subset)} cases x {repeats}")
        result, _ = measure(engine, subset, workers, repeats, check=min(check, len(subset)), expected=expected)
        rows.append(result.to_json())
    log(f"durable_rules on the notes' synthetic 100-rule KB, {s.synthetic_cases} cases x {s.repeats}")
    return {"cases": len(cases), "seed": s.seed, "rows": rows, "synthetic": synthetic(s.synthetic_cases, s.repeats)}


def run_endtoend(s: Settings, log: Any) -> dict[str, Any]:
    from bench import endtoend
    from bench.cases import generate_cases
    from kbcheck.engine import load_kb

    cases = generate_cases(load_kb(), s.cases, s.seed)
    log(f"end to end: kbcheck batch on YAML and JSON Lines files against assess(), {len(cases)} cases x {s.repeats}")
    return endtoend.measure(cases, repeats=s.repeats)


def run_distributed(s: Settings, log: Any) -> dict[str, Any]:
    from bench import distributed
    from bench.cases import generate_cases
    from kbcheck.engine import load_kb

    cases = generate_cases(load_kb(), s.cases, s.seed)
    log(f"the Dask recipe against kbcheck batch, 2 worker processes each, {len(cases)} cases x {s.repeats}")
    return distributed.measure(cases, workers=2, repeats=s.repeats)


def run_serve(s: Settings, log: Any) -> dict[str, Any]:
    from bench import serve
    from bench.cases import generate_cases
    from kbcheck.engine import load_kb

    cases = generate_cases(load_kb(), min(s.cases, 200), s.seed)
    log(f"kbcheck serve: POST /api/assess against the same work in process, {len(cases)} cases x {s.repeats}")
    return serve.measure(cases, repeats=s.repeats)


def run_series(s: Settings, log: Any) -> dict[str, Any]:
    from bench import series

    sizes = list(s.series_sizes)
    log(f"a series of communications: assess() on series of {', '.join(f'{n:,}' for n in sizes)} communications")
    return series.measure(sizes, repeats=s.repeats)


def run_coldstart(s: Settings, log: Any) -> list[dict[str, Any]]:
    from bench import coldstart

    log(f"cold starts, {s.cold_rounds} rounds of {len(coldstart.commands())} commands")
    return [r.to_json() for r in coldstart.measure(s.cold_rounds).values()]


def run_memory(s: Settings, log: Any) -> list[dict[str, Any]]:
    from bench import memory

    out = []
    for n in s.memory_cases:
        log(f"peak RSS over {n:,} cases (one process)")
        out.append(memory.measure(n, s.seed))
    return out


def run_scaling(s: Settings, log: Any) -> dict[str, Any]:
    from bench import scaling
    from bench.cases import generate_cases
    from kbcheck.engine import load_kb

    kb = load_kb()
    log(f"scaling: KB size, {s.scaling_cases} cases a point")
    sizes = scaling.kb_sizes(kb, generate_cases(kb, s.scaling_cases, s.seed))
    log("scaling: facts given and messages")
    cases = scaling.case_sizes(kb, s.scaling_cases, s.seed, (0.0, 0.25, 0.5, 0.75, 1.0), (1, 10, 1_000, 100_000))
    return {"kb_size": sizes, **cases}


# --- Targets -----------------------------------------------------------------------------------
def _row(results: dict[str, Any], engine: str, workers: int = 1) -> dict[str, Any] | None:
    for row in results.get("throughput", {}).get("rows", []):
        if row["engine"] == engine and row["workers"] == workers and not row.get("error"):
            return row
    return None


def _cold(results: dict[str, Any], command: str) -> float | None:
    for row in results.get("coldstart", []):
        if row["command"] == command and not row["error"]:
            return float(row["median_ms"])
    return None


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str, measured: float | None, required: str, met: bool | None, detail: str, kind: str) -> None:
        out.append(
            {
                "target": name,
                "measured": None if measured is None else round(measured, 2),
                "required": required,
                "met": met,
                "detail": detail,
                "profile": kind,
            }
        )

    durable, durable2 = _row(results, "durable"), _row(results, "durable", 2)
    raw, reference = _row(results, "raw-durable"), _row(results, "reference")
    synthetic = results.get("throughput", {}).get("synthetic")
    if durable and raw:
        ratio = durable["cases_per_second"] / raw["cases_per_second"]
        add(
            "batch, 1 worker, full traces: vs raw durable_rules on the same KB and cases (same firings)",
            ratio,
            ">= 1.5x",
            ratio >= 1.5,
            f"{durable['cases_per_second']:.0f} vs {raw['cases_per_second']:.0f} cases/s",
            "engine",
        )
    if durable and synthetic and not synthetic.get("error"):
        ratio = synthetic["us_per_firing"] / durable["us_per_firing"]
        add(
            "batch, 1 worker, full traces: µs a firing vs raw durable_rules on the issue's synthetic KB",
            ratio,
            ">= 1.5x",
            ratio >= 1.5,
            f"{durable['us_per_firing']:.1f} vs {synthetic['us_per_firing']:.1f} µs a firing",
            "engine",
        )
    if durable and reference:
        ratio = reference["cases_per_second"] / durable["cases_per_second"]
        add(
            "batch, 1 worker: within 4x of the reference evaluator",
            ratio,
            "<= 4x",
            ratio <= 4,
            f"reference {reference['cases_per_second']:.0f} vs durable {durable['cases_per_second']:.0f} cases/s",
            "engine",
        )
    if durable and durable2:
        ratio = durable2["cases_per_second"] / durable["cases_per_second"]
        add(
            "batch: two workers vs one",
            ratio,
            ">= 1.7x",
            ratio >= 1.7,
            f"{durable2['cases_per_second']:.0f} vs {durable['cases_per_second']:.0f} cases/s",
            "workers",
        )
    dist = results.get("distributed") or {}
    if dist and not dist.get("error"):
        ratio = dist["dask_cases_per_second"] / dist["batch_cases_per_second"]
        add(
            "the Dask recipe, 2 local worker processes, vs `kbcheck batch --workers 2`, same files, byte-identical output",
            ratio,
            ">= 0.8x",
            ratio >= 0.8 and dist["identical"],
            f"{dist['dask_cases_per_second']:.0f} vs {dist['batch_cases_per_second']:.0f} cases/s"
            + ("" if dist["identical"] else "; the outputs DIFFER"),
            "distributed",
        )
    e2e = results.get("endtoend") or {}
    mixed = e2e.get("interleaved_cases_per_second") if not e2e.get("error") else None
    if mixed:
        for key, what in (("yaml", "YAML files"), ("jsonl", "a JSON Lines file")):
            rates = mixed[key]
            ratio = rates["batch"] / rates["assess"]
            add(
                f"end to end: `kbcheck batch` on {what}, --workers 0, full traces (batch's per-case work, each "
                "line written to a file) vs assess() on the same cases, taking turns in one process",
                ratio,
                ">= 0.85x",
                ratio >= 0.85,
                f"{rates['batch']:.0f} vs {rates['assess']:.0f} cases/s",
                "endtoend",
            )
    floor = _cold(results, 'python -c "import click, durable.lang"')
    plain, one = (
        _cold(results, "kbcheck assess CASE"),
        _cold(results, "kbcheck explain CASE offence.mca_s1 -o FILE.svg"),
    )
    if plain and one:
        add(
            "cold `kbcheck explain CASE offence.mca_s1 -o FILE.svg` vs `kbcheck assess CASE`",
            one / plain,
            "<= 2x",
            one / plain <= 2,
            f"{one:.0f} vs {plain:.0f} ms",
            "cold",
        )
    assess = _cold(results, "kbcheck assess CASE --json")
    explain = _cold(results, "kbcheck explain CASE --format svg")
    if floor and assess:
        add(
            'cold `kbcheck assess CASE --json` vs `python -c "import click, durable.lang"`',
            assess / floor,
            "<= 3x",
            assess / floor <= 3,
            f"{assess:.0f} vs {floor:.0f} ms",
            "cold",
        )
    if assess and explain:
        add(
            "cold `kbcheck explain CASE --format svg` (the whole case's graph) vs `assess CASE --json`",
            explain / assess,
            "<= 2x",
            explain / assess <= 2,
            f"{explain:.0f} vs {assess:.0f} ms",
            "cold",
        )
    served = results.get("serve") or {}
    if served and not served.get("error"):
        add(
            "kbcheck serve: time a POST /api/assess adds to the same work in process (median)",
            served["overhead_ms"],
            f"<= {served['target_ms']:.0f} ms",
            served["overhead_ms"] <= served["target_ms"] and not served["failed"],
            f"{served['served_ms']:.1f} vs {served['in_process_ms']:.1f} ms a case",
            "serve",
        )
    series = results.get("series") or {}
    if series and not series.get("error"):
        rows = series["rows"]
        add(
            f"a series: cost a communication from 1 to {rows[-1]['communications']:,} communications, worst vs one",
            series["ratio"],
            f"<= {series['target']}x",
            series["met"],
            f"{rows[-1]['ms_per_communication']:.2f} vs {rows[0]['ms_per_communication']:.2f} ms a communication",
            "series",
        )
    runs = [m for m in results.get("memory", []) if not m.get("error")]
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        growth = large["peak_rss_kb"] / small["peak_rss_kb"] - 1
        add(
            f"peak RSS flat from {small['cases']:,} to {large['cases']:,} cases",
            growth * 100,
            "within 10%",
            abs(growth) <= 0.10,
            f"{large['peak_rss_kb'] / 1024:.1f} vs {small['peak_rss_kb'] / 1024:.1f} MB (growth in %)",
            "memory",
        )
    return out


# --- The table ---------------------------------------------------------------------------------
def _fmt(value: Any, spec: str = ".0f") -> str:
    return "n/a" if value is None else format(value, spec)


def table(results: dict[str, Any]) -> list[str]:
    m, c = results["machine"], results["commit"]
    lines = [
        f"kbcheck benchmark, {results['started']}, commit {c['commit']}{' (dirty)' if c['dirty'] else ''}",
        f"{m['cpu']}, {m['cpu_count']} CPUs, {m['platform']}, Python {m['python']}, "
        f"durable_rules {m['packages']['durable_rules']}; load at start {results['load_start']}, "
        f"at end {results.get('load_end', {})}",
    ]
    busiest = max(
        results["load_start"].get("cpu_pressure_avg60", 0), results.get("load_end", {}).get("cpu_pressure_avg60", 0)
    )
    for row in results.get("throughput", {}).get("rows", []):
        if row.get("other_cpu_seconds") and row.get("seconds"):
            busiest = max(busiest, 100 * row["other_cpu_seconds"] / (row["seconds"] * CPUS))
    if busiest > BUSY:
        lines.append(
            f"WARNING: other programs were competing for the CPUs (up to {busiest:.0f}% of them): "
            "every figure is slower than on an idle machine, two workers most of all. Run again when it is idle."
        )
    tp = results.get("throughput")
    if tp:
        durable = _row(results, "durable")
        base = durable["cases_per_second"] if durable else None
        lines += [
            "",
            f"### Batch throughput: {tp['cases']} generated valid cases (seed {tp['seed']}), full traces, "
            "fastest of the repeated runs",
            "",
            "| engine | workers | cases | cases/s | ms/case | firings/case | µs/firing | x kbcheck durable | "
            "checked vs reference | CPU taken by other programs |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        labels = {
            "durable": "kbcheck durable (hardened adapter)",
            "reference": "kbcheck reference evaluator",
            "raw-durable": "durable_rules, documented use",
            "clipspy": "CLIPS 6.4 (clipspy), same KB",
            "experta": "experta, same KB",
        }
        for row in tp["rows"]:
            label = labels.get(row["engine"], row["engine"])
            if row.get("error"):
                lines.append(f"| {label} | {row['workers']} | | | | | | | {row['error'][:90]} | |")
                continue
            kind = "traces" if row["engine"] in ("durable", "raw-durable") else "conclusions"
            if row["engine"] == "reference":
                check = "(the oracle)"
            else:
                wrong = row["trace_mismatches"] if kind == "traces" else row["conclusion_mismatches"]
                check = f"{row['checked']} cases, {kind}: {'identical' if not wrong else f'{wrong} differ'}"
                if kind == "conclusions" and row["trace_mismatches"] == 0:
                    check += " (traces too)"
            ratio = row["cases_per_second"] / base if base else None
            other = row.get("other_cpu_seconds")
            share = None if other is None or not row["seconds"] else other / (row["seconds"] * CPUS)
            lines.append(
                f"| {label} | {row['workers']} | {row['cases']} | {row['cases_per_second']:.0f} | "
                f"{row['ms_per_case']:.2f} | {row['firings_per_case']:.1f} | {row['us_per_firing']:.1f} | "
                f"{_fmt(ratio, '.2f')} | {check} | {_fmt(share, '.0%')} |"
            )
        syn = tp.get("synthetic", {})
        if syn and not syn.get("error"):
            lines.append(
                f"| durable_rules, documented use, the notes' synthetic 100-rule KB | 1 | {syn['cases']} | "
                f"{syn['cases_per_second']:.0f} | {syn['ms_per_case']:.2f} | {syn['firings_per_case']:.1f} | "
                f"{syn['us_per_firing']:.1f} | | fit: {syn['fixed_us']:.0f} µs a case + {syn['marginal_us']:.1f} µs "
                "a firing | |"
            )
    lines += endtoend_lines(results)
    lines += distributed_lines(results)
    from bench import serve

    lines += serve.lines(results)
    from bench import series

    lines += series.lines(results)
    cold = results.get("coldstart")
    if cold:
        floor = _cold(results, 'python -c "import click, durable.lang"')
        lines += [
            "",
            "### Cold start: whole processes (median of the rounds; examples/whatsapp-director.yaml)",
            "",
            "| command | median ms | min ms | x floor |",
            "| --- | ---: | ---: | ---: |",
        ]
        for row in cold:
            if row["error"]:
                lines.append(f"| `{row['command']}` | failed: {row['error'][:80]} | | |")
                continue
            ratio = row["median_ms"] / floor if floor else None
            lines.append(
                f"| `{row['command']}` | {row['median_ms']:.0f} | {row['min_ms']:.0f} | {_fmt(ratio, '.2f')} |"
            )
    mem = results.get("memory")
    if mem:
        lines += [
            "",
            "### Memory: one process assessing cases one after another (durable, full traces)",
            "",
            "| cases | peak RSS MB | RSS after loading the KB MB | RSS at the end MB | cases/s |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in mem:
            if row.get("error"):
                lines.append(f"| {row['cases']:,} | failed: {row['error'][-80:]} | | | |")
                continue
            lines.append(
                f"| {row['cases']:,} | {row['peak_rss_kb'] / 1024:.1f} | {row['after_kb_load']['rss_kb'] / 1024:.1f} | "
                f"{row['final_rss_kb'] / 1024:.1f} | {row['cases_per_second']:.0f} |"
            )
    sc = results.get("scaling")
    if sc:
        lines += [
            "",
            "### Scaling: time per case as the KB grows (engine run only, same cases)",
            "",
            "| KB | rules | facts | firings/case | durable ms/case | durable µs/firing | reference ms/case | build ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in sc["kb_size"]:
            if "skipped" in p:
                lines.append(f"| {p['kb']} | {p['rules']} | {p['facts']} | skipped: {p['skipped']} | | | | |")
                continue
            d, r = p["durable"], p["reference"]
            lines.append(
                f"| {p['kb']} | {p['rules']} | {p['facts']} | {d['firings_per_case']:.0f} | {d['ms_per_case']:.2f} | "
                f"{d['us_per_firing']:.1f} | {r['ms_per_case']:.3f} | {p['durable_build_ms']:.0f} |"
            )
        for key, title, head in (
            ("given_fraction", "as cases give more facts (the rest unknown)", "share of facts given"),
            ("messages", "as cases describe more messages (message_count = occasions)", "messages"),
        ):
            lines += [
                "",
                f"### Scaling: time per case {title} (assess, full traces)",
                "",
                f"| {head} | facts given | firings/case | durable ms/case | durable µs/firing | reference ms/case |",
                "| ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for p in sc[key]:
                d, r = p["durable"], p["reference"]
                lines.append(
                    f"| {p[key]:,} | {p['facts_given']:.0f} | {d['firings_per_case']:.0f} | {d['ms_per_case']:.2f} | "
                    f"{d['us_per_firing']:.1f} | {r['ms_per_case']:.3f} |"
                )
    tg = results.get("targets")
    if tg:
        lines += ["", "### Targets (ratios from this run)", "", "| target | measured | required | met |"]
        lines.append("| --- | ---: | --- | --- |")
        for t in tg:
            unit = "%" if "RSS" in t["target"] else "x"
            lines.append(
                f"| {t['target']} ({t['detail']}) | {_fmt(t['measured'], '.2f')}{unit} | {t['required']} | "
                f"{'yes' if t['met'] else 'NO'} |"
            )
    return lines


def endtoend_lines(results: dict[str, Any]) -> list[str]:
    e2e = results.get("endtoend")
    if not e2e:
        return []
    head = [
        "",
        f"### End to end: `kbcheck batch` on files against assess(), {e2e['cases']} generated cases",
        "",
    ]
    if e2e.get("error"):
        return [*head, f"failed: {e2e['error'][-200:]}"]
    mixed, whole = e2e["interleaved_cases_per_second"], e2e["process_cases_per_second"]
    inputs = (
        ("yaml", "YAML files, full traces", "`kbcheck batch FOLDER --workers 0`"),
        ("jsonl", "a JSON Lines file, full traces", "`kbcheck batch FILE.jsonl --workers 0`"),
        ("yaml_compact", "YAML files, `--trace compact`", "`kbcheck batch FOLDER --workers 0 --trace compact`"),
    )
    lines = [
        *head,
        "Batch's per-case work (`batch.assess_here`, each line written to a file) and assess() on the same "
        "cases, 50 at a time in turn in one process"
        + (f", all the cases {e2e['rounds']} times over:" if e2e.get("rounds", 1) > 1 else ":"),
        "",
        "| input | assess() cases/s | batch cases/s | batch / assess() |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label, _ in inputs:
        rates = mixed[key]
        lines.append(
            f"| {label} | {rates['assess']:.0f} | {rates['batch']:.0f} | {rates['batch'] / rates['assess']:.2f} |"
        )
    lines += [
        "",
        "Whole `kbcheck batch ... -o FILE` processes (start-up, KB load and the final fsync included; fastest run):",
        "",
        "| command | cases/s | ms/case |",
        "| --- | ---: | ---: |",
    ]
    commands = [
        *((key, command) for key, _, command in inputs),
        ("yaml_workers_1", "`kbcheck batch FOLDER` (1 worker process)"),
    ]
    for key, command in commands:
        if key in whole:
            lines.append(f"| {command} | {whole[key]:.0f} | {1000 / whole[key]:.2f} |")
    return lines


def distributed_lines(results: dict[str, Any]) -> list[str]:
    """The Dask recipe beside `kbcheck batch`, each with its throughput (bench/distributed.py)."""
    dist = results.get("distributed")
    if not dist:
        return []
    lines = [
        "",
        f"### Beyond one machine: the Dask recipe (docs/distributed.md) against `kbcheck batch`, "
        f"{dist['workers']} worker processes each",
        "",
    ]
    if dist.get("error"):
        return [*lines, f"Not measured: {dist['error']}"]
    runs = len(dist["batch_runs"])
    lines += [
        f"{dist['cases']} generated cases in {dist['files']} JSON Lines files, full traces, results written to disk; "
        f"fastest of {runs} run{'s' if runs > 1 else ''}, the two taking turns.",
        "",
        "| run | cases/s | seconds | x batch |",
        "| --- | ---: | ---: | ---: |",
        f"| `kbcheck batch FILES --workers {dist['workers']} -o FILE` (the whole process, start-up included) | "
        f"{dist['batch_cases_per_second']:.0f} | {dist['batch_seconds']:.2f} | 1.00 |",
        f"| Dask, LocalCluster of {dist['workers']} processes x 1 thread: read_text, "
        f"map_partitions(assess_partition), to_textfiles | {dist['dask_cases_per_second']:.0f} | "
        f"{dist['dask_seconds']:.2f} | {dist['dask_cases_per_second'] / dist['batch_cases_per_second']:.2f} |",
        f"| the same, its first run (each worker builds its engine in it) | "
        f"{dist['dask_first_cases_per_second']:.0f} | {dist['dask_first_seconds']:.2f} | "
        f"{dist['dask_first_cases_per_second'] / dist['batch_cases_per_second']:.2f} |",
        "",
        f"Starting the LocalCluster took {dist['cluster_start_seconds']:.2f} s (not counted). "
        f"Outputs byte for byte the same as batch's: {'yes' if dist['identical'] else 'NO'}.",
    ]
    return lines


def profile_lines(results: dict[str, Any]) -> list[str]:
    from bench import profiles

    lines: list[str] = []
    prof = results.get("profiles", {})
    if "engine" in prof:
        lines += ["", *profiles.format_engine_profile(prof["engine"])]
    if "workers" in prof:
        lines += ["", *profiles.format_workers_profile(prof["workers"])]
    if "endtoend" in prof:
        lines += ["", *format_endtoend_profile(prof["endtoend"])]
    if "cold" in prof:
        lines += ["", *profiles.format_cold_profile(prof["cold"])]
    if "memory" in prof:
        lines += ["", "RSS along the longest batch (kB):", ""]
        for sample in prof["memory"]:
            lines.append(f"- after {sample['cases']:,} cases: RSS {sample['rss_kb']}, peak {sample['hwm_kb']}")
    return lines


def format_endtoend_profile(profile: dict[str, Any]) -> list[str]:
    if profile.get("error"):
        return [f"Where batch's time goes: failed: {profile['error'][-200:]}"]
    lines = [
        f"Where `kbcheck batch`'s time goes, step by step over {profile['cases']} of the cases in one process "
        "(fastest of 3, no profiler):",
        "",
        "| step | ms a case |",
        "| --- | ---: |",
    ]
    lines += [f"| {step} | {ms:.3f} |" for step, ms in profile["ms_per_case"].items()]
    return lines


def run_profiles(results: dict[str, Any], s: Settings, log: Any) -> dict[str, Any]:
    from bench import profiles
    from bench.coldstart import CASE

    unmet = {t["profile"] for t in results["targets"] if not t["met"]}
    out: dict[str, Any] = {}
    if "engine" in unmet:
        log(f"profiling the durable engine over {s.profile_cases} cases")
        out["engine"] = profiles.engine_profile(s.profile_cases, s.seed)
    if "workers" in unmet:
        from bench.cases import generate_cases
        from kbcheck.engine import load_kb

        log("profiling two workers")
        cases = generate_cases(load_kb(), s.cases, s.seed)
        out["workers"] = profiles.workers_profile(results, cases, s.repeats)
    if "endtoend" in unmet:
        from bench import endtoend
        from bench.cases import generate_cases
        from kbcheck.engine import load_kb

        log("profiling batch's steps")
        out["endtoend"] = endtoend.stages(generate_cases(load_kb(), min(s.cases, 300), s.seed))
    if "cold" in unmet:
        log("profiling cold starts")
        out["cold"] = profiles.cold_profile(CASE, s.cold_rounds)
    if "memory" in unmet:
        out["memory"] = results["memory"][-1].get("samples", [])
    return out


def save(results: dict[str, Any], label: str = "") -> Path:
    """The run's file, and latest.json (latest-quick.json for a quick run, so that latest.json
    always holds a full run); a label (`--label py3.13`) goes into both names, so that a run on
    another Python keeps its own latest-py3.13.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    quick = "-quick" if results["settings"]["quick"] else ""
    tag = f"-{label}" if label else ""
    path = RESULTS / f"{stamp}-{results['commit']['commit']}{tag}{quick}.json"
    text = json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    for target in (path, RESULTS / f"latest{tag}{quick}.json"):
        tmp = target.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(target)
    return path


def compare(runs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The headline figures of saved runs side by side, one column a run (`--compare A B`):
    `make bench` prints its run on the virtualenv's Python beside its run on Python 3.13."""

    def throughput(engine: str, workers: int, key: str, spec: str) -> list[str]:
        return [_fmt((_row(r, engine, workers) or {}).get(key), spec) for _, r in runs]

    def synthetic(r: dict[str, Any]) -> str:
        syn = r.get("throughput", {}).get("synthetic") or {}
        return _fmt(None if syn.get("error") else syn.get("us_per_firing"), ".1f")

    def peak(r: dict[str, Any]) -> str:
        ok = [m for m in r.get("memory", []) if not m.get("error")]
        return f"{ok[-1]['peak_rss_kb'] / 1024:.1f} ({ok[-1]['cases']:,} cases)" if ok else "n/a"

    def dist(r: dict[str, Any], key: str) -> str:
        d = r.get("distributed") or {}
        return _fmt(None if d.get("error") else d.get(key))

    def _e2e(r: dict[str, Any], key: str) -> str:
        rates = ((r.get("endtoend") or {}).get("interleaved_cases_per_second") or {}).get(key) or {}
        return _fmt(rates["batch"] / rates["assess"] if rates.get("assess") else None, ".2f")

    def met(r: dict[str, Any]) -> str:
        tg = r.get("targets", [])
        return f"{sum(1 for t in tg if t['met'])} of {len(tg)}"

    rows: list[tuple[str, list[str]]] = [
        ("kbcheck durable, 1 worker: cases/s", throughput("durable", 1, "cases_per_second", ".0f")),
        ("kbcheck durable, 1 worker: µs a firing", throughput("durable", 1, "us_per_firing", ".1f")),
        ("kbcheck durable, 2 workers: cases/s", throughput("durable", 2, "cases_per_second", ".0f")),
        ("kbcheck reference evaluator: cases/s", throughput("reference", 1, "cases_per_second", ".0f")),
        ("`kbcheck batch --workers 2`, whole process: cases/s", [dist(r, "batch_cases_per_second") for _, r in runs]),
        ("the Dask recipe, 2 local workers: cases/s", [dist(r, "dask_cases_per_second") for _, r in runs]),
        ("durable_rules, documented use, same KB: cases/s", throughput("raw-durable", 1, "cases_per_second", ".0f")),
        ("durable_rules, documented use, synthetic KB: µs a firing", [synthetic(r) for _, r in runs]),
        ("end to end, batch on YAML files / assess()", [_e2e(r, "yaml") for _, r in runs]),
        ("end to end, batch on JSON Lines / assess()", [_e2e(r, "jsonl") for _, r in runs]),
        ("cold `kbcheck assess CASE --json`: ms", [_fmt(_cold(r, "kbcheck assess CASE --json")) for _, r in runs]),
        (
            "cold `kbcheck explain CASE offence.mca_s1 -o FILE.svg`: ms",
            [_fmt(_cold(r, "kbcheck explain CASE offence.mca_s1 -o FILE.svg")) for _, r in runs],
        ),
        ("cold `kbcheck assess CASE`: ms", [_fmt(_cold(r, "kbcheck assess CASE")) for _, r in runs]),
        (
            "cold `kbcheck explain CASE --format svg`: ms",
            [_fmt(_cold(r, "kbcheck explain CASE --format svg")) for _, r in runs],
        ),
        (
            'cold `python -c "import click, durable.lang"`: ms',
            [_fmt(_cold(r, 'python -c "import click, durable.lang"')) for _, r in runs],
        ),
        ("peak RSS, durable, one process: MB", [peak(r) for _, r in runs]),
        ("targets met", [met(r) for _, r in runs]),
    ]
    heads = [f"Python {r['machine']['python']}" for _, r in runs]
    lines = [
        "### The same benchmark on each Python ("
        + ", ".join(f"{h}: {n}" for h, (n, _) in zip(heads, runs, strict=True))
        + ")",
        "",
        "| figure | " + " | ".join(heads) + " |",
        "| --- |" + " ---: |" * len(runs),
    ]
    lines += [f"| {name} | " + " | ".join(values) + " |" for name, values in rows]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure kbcheck and print the benchmark table.")
    parser.add_argument("--quick", action="store_true", help="a smoke run (under a minute): fewer cases and rounds")
    parser.add_argument("--cases", type=int, help="cases in the throughput batch (default 1500, quick 200)")
    parser.add_argument("--seed", type=int, default=20250314, help="seed of the generated cases")
    parser.add_argument("--repeats", type=int, help="runs of each throughput batch; the fastest counts (default 3)")
    parser.add_argument("--cold-rounds", type=int, help="rounds of cold starts (default 10, quick 3)")
    parser.add_argument("--memory-cases", help="batch sizes for peak RSS (default 1000,100000; quick 1000,3000)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=SECTIONS,
        help="leave a section out (repeatable)",
    )
    parser.add_argument("--no-save", action="store_true", help="print only; write nothing to bench/results/")
    parser.add_argument("--show", metavar="RESULTS_JSON", help="print the table of a saved run, measuring nothing")
    parser.add_argument("--label", default="", help="put this into the results' file names (make bench: py3.13)")
    parser.add_argument(
        "--compare", nargs="+", metavar="RESULTS_JSON", help="print saved runs' headline figures side by side"
    )
    args = parser.parse_args(argv)
    if args.compare:
        runs = []
        for name in args.compare:
            try:
                runs.append((name, json.loads(Path(name).read_text())))
            except (OSError, ValueError) as exc:
                print(f"bench: cannot read {name}: {exc}", file=sys.stderr)
                return 2
        print("\n".join(compare(runs)))
        return 0
    if args.show:
        saved = json.loads(Path(args.show).read_text())
        print("\n".join(table(saved) + profile_lines(saved)))
        return 0
    s = settings(args)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": commit(),
        "settings": {**s.__dict__, "quick": args.quick},
        "load_start": load(),
    }
    runners = {
        "throughput": run_throughput,
        "endtoend": run_endtoend,
        "distributed": run_distributed,
        "coldstart": run_coldstart,
        "memory": run_memory,
        "scaling": run_scaling,
        "serve": run_serve,
        "series": run_series,
    }
    for section in s.sections:
        results[section] = runners[section](s, log)
    results["load_end"] = load()
    results["targets"] = targets(results)
    results["profiles"] = run_profiles(results, s, log)
    results["duration_seconds"] = round(time.perf_counter() - started, 1)
    print("\n".join(table(results) + profile_lines(results)))
    if not args.no_save:
        path = save(results, args.label)
        print(f"\nResults: {path.relative_to(ROOT)}; the whole run took {results['duration_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
