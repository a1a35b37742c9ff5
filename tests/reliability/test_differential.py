"""durable_rules and the reference engine reach identical conclusions by identical firings, on
many generated cases across the whole KB and all the law's dates, with the facts asserted in
random orders. A difference is a bug in one of them; the case is kept in regressions/."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import yaml

from kbcheck.engine import compiled, get_engine, load_kb, read_case
from kbcheck.engine.analysis import Analysis
from kbcheck.engine.memory import plain_facts
from kbcheck.engine.reference import ReferenceEngine

from .conftest import record, scale
from .generate import cases

KB = load_kb()
CKB = compiled(KB)
REGRESSIONS = Path(__file__).parent / "regressions"


def test_engines_agree_on_generated_cases_in_random_fact_orders():
    durable = get_engine(KB, "durable")
    reference = ReferenceEngine(CKB)
    rng = random.Random(2026)
    count = scale(1000, 10000)
    started = time.perf_counter()
    firings = 0
    for case in cases(KB, Analysis(CKB), count, seed=11):
        facts = plain_facts(KB, case, CKB.offsets)
        shuffled = list(facts)
        rng.shuffle(shuffled)
        expected = reference.run(facts)
        got = durable.run(shuffled)
        if got != expected:
            REGRESSIONS.mkdir(exist_ok=True)
            keep = REGRESSIONS / f"{case.id}.yaml"
            keep.write_text(yaml.safe_dump(case.to_data(), sort_keys=False))
            pytest.fail(f"the engines differ on {case.id} (kept as {keep})")
        firings += len(got)
    record(
        "differential cases (durable vs reference, random fact orders)",
        f"{count} cases, {firings} firings, 0 differences, {time.perf_counter() - started:.0f} s",
    )


SCENARIOS = Path(__file__).parents[1] / "scenarios"


@pytest.mark.parametrize(
    "path",
    sorted(REGRESSIONS.glob("*.yaml")) + sorted(SCENARIOS.rglob("*.yaml")),
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_regressions_and_scenarios_facts_reversed(path):
    """The kept regressions, and every hand-written scenario (each date boundary, each rule's
    firing and not firing), with the facts asserted in reverse: durable_rules matches the oracle."""
    case = read_case(path, KB)
    facts = plain_facts(KB, case, CKB.offsets)
    assert get_engine(KB, "durable").run(list(reversed(facts))) == ReferenceEngine(CKB).run(facts)
