"""Scaling: time per case as the KB and the cases grow, so that the growth is visible.

- KB size: the KB's stages added one by one (law, then the offence, ... then advice; each
  prefix is a KB that stands alone), then the whole KB twice over with every name renamed in
  the copy (twice the rules, facts and firings). durable_rules walks every child of an alpha
  node in turn and loops forever past 512 of them (engine notes §2.2); every fact and
  conclusion name is such a child, so a size whose names would pass 480 is skipped, and said
  so. (Copies that share the facts fail differently: a fact then satisfies more than the 64
  sibling tests durable_rules can stack, error 303.)
- Case size: the share of facts a case gives (the rest unknown), from none to all.
- Messages: message_count and occasions of 1 up to the vocabulary's maximum.

Each point runs the same seeded cases through kbcheck's durable engine and the reference
evaluator in this process, three times, and the fastest pass counts; the engines' own run
(working memory in, trace out) is timed, with the Assessment built as `assess` does for the
case-size points.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from kbcheck.engine.case import Case
from kbcheck.engine.compiler import CompiledKB, CompiledRule, Pattern
from kbcheck.engine.model import KB, Offset, Test

MAX_NAMES = 480


def stage_prefix(ckb: CompiledKB, stages: int) -> CompiledKB:
    """The rules of the KB's first `stages` stages (law, then offence, ...): a smaller KB that is
    still whole, since a stage concludes only from facts and earlier stages."""
    kb = ckb.kb
    keep = set(list(kb.stages)[:stages])
    rules = tuple(r for r in ckb.rules if kb.conclusions[r.conclusion].stage in keep)
    return _compiled(ckb, rules, ckb.offsets, f"s{stages}")


def replicate(ckb: CompiledKB, copies: int) -> CompiledKB:
    """The whole KB `copies` times over, copy j with every fact and conclusion renamed name~j, so
    that a case asserts each fact once per copy and fires each rule once per copy."""
    if copies == 1:
        return ckb

    def rename(name: str, j: int) -> str:
        return name if j == 0 else f"{name}~{j}"

    def operand(value: Any, j: int) -> Any:
        return Offset(rename(value.fact, j), value.months, value.days) if isinstance(value, Offset) else value

    rules: list[CompiledRule] = []
    for j in range(copies):
        for crule in ckb.rules:
            patterns = tuple(
                Pattern(rename(p.name, j), tuple(Test(rename(t.name, j), t.op, operand(t.operand, j)) for t in p.tests))
                for p in crule.patterns
            )
            rules.append(
                dataclasses.replace(
                    crule,
                    index=len(rules),
                    name=rename(crule.name, j),
                    patterns=patterns,
                    conclusion=rename(crule.conclusion, j),
                )
            )
    offsets = {
        rename(fact, j): tuple(operand(o, j) for o in values)
        for j in range(copies)
        for fact, values in ckb.offsets.items()
    }
    return _compiled(ckb, tuple(rules), offsets, f"x{copies}")


def replicated_facts(facts: list[dict[str, Any]], copies: int) -> list[dict[str, Any]]:
    """A case's working memory for `replicate(ckb, copies)`: every fact once per copy."""
    out = list(facts)
    for j in range(1, copies):
        out.extend(dict(f, id=f"{f['id']}~{j}", t=f"{f['t']}~{j}") for f in facts)
    return out


def _compiled(ckb: CompiledKB, rules: tuple[CompiledRule, ...], offsets: Any, tag: str) -> CompiledKB:
    by_name: dict[str, list[int]] = {}
    for crule in rules:
        for pattern in crule.patterns:
            by_name.setdefault(pattern.name, []).append(crule.index)
    kb = dataclasses.replace(ckb.kb, fingerprint=f"{ckb.kb.fingerprint}{tag}")
    return CompiledKB(kb, rules, offsets, {k: tuple(v) for k, v in by_name.items()})


def names(ckb: CompiledKB) -> int:
    return len({p.name for r in ckb.rules for p in r.patterns} | {r.conclusion for r in ckb.rules})


ROUNDS = 3  # passes over each point's cases; the fastest counts (other programs only add time)


def _time_runs(engine: Any, facts: list[list[dict[str, Any]]]) -> tuple[float, int]:
    for f in facts[:10]:
        engine.run(f)
    best, firings = float("inf"), 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        firings = sum(len(engine.run(f)) for f in facts)
        best = min(best, time.perf_counter() - started)
    return best, firings


def kb_sizes(kb: KB, cases: list[Case], copies: tuple[int, ...] = (2,)) -> list[dict[str, Any]]:
    """Each stage prefix of the KB, then the whole KB replicated."""
    from kbcheck.engine import compiled
    from kbcheck.engine.durable_adapter import DurableEngine
    from kbcheck.engine.memory import plain_facts
    from kbcheck.engine.reference import ReferenceEngine

    base = compiled(kb)
    facts = [plain_facts(kb, case, base.offsets) for case in cases]
    shapes: list[tuple[str, CompiledKB, int]] = [
        (f"stages 1-{n} ({list(kb.stages)[n - 1]})", stage_prefix(base, n), 1) for n in range(1, len(kb.stages) + 1)
    ]
    shapes += [(f"whole KB x{k}", replicate(base, k), k) for k in copies]
    points = []
    for label, ckb, k in shapes:
        point: dict[str, Any] = {"kb": label, "rules": len(ckb.rules), "names": names(ckb), "facts": len(facts[0]) * k}
        if point["names"] > MAX_NAMES:
            point["skipped"] = f"{point['names']} names: past durable_rules' limit of 512 children per alpha node"
            points.append(point)
            continue
        started = time.perf_counter()
        durable = DurableEngine(ckb)
        point["durable_build_ms"] = round((time.perf_counter() - started) * 1e3, 1)
        memory = [replicated_facts(f, k) for f in facts]
        for engine_name, engine in (("durable", durable), ("reference", ReferenceEngine(ckb))):
            seconds, firings = _time_runs(engine, memory)
            point[engine_name] = {
                "ms_per_case": round(seconds / len(memory) * 1e3, 3),
                "us_per_firing": round(seconds / firings * 1e6, 2) if firings else 0.0,
                "firings_per_case": round(firings / len(memory), 1),
            }
        points.append(point)
    return points


def case_sizes(kb: KB, n: int, seed: int, fractions: tuple[float, ...], messages: tuple[int, ...]) -> dict[str, Any]:
    from bench.cases import generate_cases
    from kbcheck.engine import assess, get_engine

    def point(cases: list[Case]) -> dict[str, Any]:
        result: dict[str, Any] = {"facts_given": round(sum(len(c.given) for c in cases) / len(cases), 1)}
        for engine in ("durable", "reference"):
            get_engine(kb, engine, fallback=False)
            for case in cases[:10]:
                assess(case, kb, engine)
            seconds, firings = float("inf"), 0
            for _ in range(ROUNDS):
                started = time.perf_counter()
                firings = sum(len(assess(case, kb, engine).firings) for case in cases)
                seconds = min(seconds, time.perf_counter() - started)
            result[engine] = {
                "ms_per_case": round(seconds / len(cases) * 1e3, 3),
                "us_per_firing": round(seconds / firings * 1e6, 2),
                "firings_per_case": round(firings / len(cases), 1),
            }
        return result

    by_fraction = [{"given_fraction": f, **point(generate_cases(kb, n, seed, given_fraction=f))} for f in fractions]
    by_messages = [{"messages": m, **point(generate_cases(kb, n, seed, messages=m))} for m in messages]
    return {"given_fraction": by_fraction, "messages": by_messages}
