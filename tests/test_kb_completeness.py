"""Every conclusion gets exactly one value for every combination of the facts it depends on.

For each conclusion, the facts it can depend on are enumerated: every value of each boolean and
enumeration, `unknown` included, and for numbers and dates the values either side of every
boundary its rules test. Where the combinations are too many they are sampled (seeded). Each
combination runs that conclusion's rules on the reference engine; a gap (no value) or a
conflict (two values) anywhere in its chain fails the test with the facts that caused it.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from kbcheck.engine import EngineError, compiled, load_kb
from kbcheck.engine.analysis import Analysis
from kbcheck.engine.case import Case, check_constraints
from kbcheck.engine.errors import CaseError
from kbcheck.engine.memory import plain_facts
from kbcheck.engine.reference import ReferenceEngine

KB = load_kb()
CKB = compiled(KB)
AN = Analysis(CKB)
TODAY = dt.date(2026, 11, 1)
EXHAUSTIVE_LIMIT = 120_000
SAMPLES = 3_000


def combinations(conclusion: str) -> tuple[list[dict], bool]:
    """Dicts of fact values covering the conclusion's dependencies; True if exhaustive."""
    rules = AN.rules_for([conclusion])
    deps = sorted(AN.dependencies(conclusion))
    dated = [d for d in deps if KB.facts[d].type == "date"]
    plain = [d for d in deps if KB.facts[d].type != "date"]
    pairs = AN.date_pairs(TODAY, rules) if dated else [(dt.date(2025, 1, 1), dt.date(2025, 2, 1))]
    domains = [AN.values_of(d) for d in plain]
    total = math.prod(len(d) for d in domains) * len(pairs)
    if total <= EXHAUSTIVE_LIMIT:
        combos = [
            dict(zip(plain, values, strict=True), **{"@dates": pair})
            for pair in pairs
            for values in AN_product(domains)
        ]
        return combos, True
    rng = random.Random(conclusion)
    combos = [
        dict({d: rng.choice(dom) for d, dom in zip(plain, domains, strict=True)}, **{"@dates": rng.choice(pairs)})
        for _ in range(SAMPLES)
    ]
    return combos, False


def AN_product(domains):
    import itertools

    return itertools.product(*domains)


def to_case(values: dict) -> Case | None:
    offence, assessment = values.pop("@dates")
    jurisdiction = values.pop("jurisdiction", "england_and_wales")
    given = {k: v for k, v in values.items() if v != "unknown"}
    case = Case(id="combo", offence_date=offence, assessment_date=assessment, jurisdiction=jurisdiction, given=given)
    try:
        check_constraints(KB, case, "combo")
    except CaseError:
        return None  # the case reader refuses these facts together
    return case


@pytest.mark.parametrize("conclusion", KB.public_conclusions())
def test_exactly_one_value_for_every_combination(conclusion):
    rules = AN.rules_for([conclusion])
    engine = ReferenceEngine(CKB, rules)
    chain = AN.upstream(conclusion)
    combos, _ = combinations(conclusion)
    checked = 0
    for values in combos:
        shown = {k: v for k, v in values.items()}
        case = to_case(values)
        if case is None:
            continue
        try:
            records = engine.run(plain_facts(KB, case, CKB.offsets))
        except EngineError as exc:
            pytest.fail(f"{conclusion}: {exc} for {shown}")
        concluded = {CKB.rules[i].conclusion for i, _ in records}
        missing = chain - concluded
        assert not missing, f"no value for {sorted(missing)} when {shown}"
        checked += 1
    assert checked > 0


def test_the_biggest_dependency_sets_are_sampled_and_the_small_ones_enumerated():
    exhaustive = {c: combinations(c)[1] for c in KB.public_conclusions()}
    assert exhaustive["element.sending"] and exhaustive["defence.s1_2"] and exhaustive["element.content"]
    assert not exhaustive["outcome.likely"]
