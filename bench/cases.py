"""Seeded generation of valid cases for the benchmarks.

The benchmark must be repeatable run after run and machine after machine, so cases come from
`random.Random(seed)` rather than hypothesis. They follow tests/strategies.py: dates cluster
around the days the law changes, every fact is given or left unknown, and the vocabulary's
constraints are repaired rather than rejected (the last fact a broken constraint names is left
out), then checked by the same function the case reader uses, so every case is one
`kbcheck assess` would accept.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from kbcheck.engine.case import Case, check_constraints, cond_holds
from kbcheck.engine.memory import plain_facts
from kbcheck.engine.model import KB, Condition, Test

# Every date on which the law changes (as in tests/strategies.py), so that dates cluster around them.
BOUNDARIES = (
    dt.date(1988, 9, 29),
    dt.date(2001, 5, 11),
    dt.date(2015, 3, 12),
    dt.date(2015, 4, 13),
    dt.date(2017, 4, 3),
    dt.date(2022, 5, 2),
    dt.date(2023, 3, 30),
    dt.date(2024, 1, 31),
    dt.date(2024, 11, 18),
)
EARLIEST = dt.date(1985, 1, 1)
# A fixed "today" keeps the cases the same whatever day the benchmark runs; the case reader's
# own check (nothing after today) holds for any run after this date.
TODAY = dt.date(2026, 1, 1)
JURISDICTIONS = ("england_and_wales",) * 6 + ("scotland", "northern_ireland")


def _date(rnd: random.Random) -> dt.date:
    if rnd.random() < 0.5:
        return rnd.choice(BOUNDARIES) + dt.timedelta(days=rnd.randint(-3, 3))
    return EARLIEST + dt.timedelta(days=rnd.randint(0, (TODAY - EARLIEST).days))


def _value(rnd: random.Random, kb: KB, name: str) -> Any:
    """A value the fact can take, never `unknown` (whether it is given is decided by the caller)."""
    fdef = kb.facts[name]
    if fdef.type == "bool":
        return rnd.random() < 0.5
    if fdef.type == "enum":
        return rnd.choice(fdef.values)
    if fdef.type == "int":
        low = fdef.minimum if fdef.minimum is not None else 0
        high = fdef.maximum if fdef.maximum is not None else 1000
        # Small counts are where the law's thresholds are; a few large ones keep the range honest.
        return rnd.randint(low, low + 3) if rnd.random() < 0.7 else rnd.randint(low, high)
    raise ValueError(f"{name}: no generator for facts of type {fdef.type}")


def _names(cond: Condition) -> list[str]:
    if isinstance(cond, Test):
        return [cond.name]
    return [n for item in cond.items for n in _names(item)]


def generate_case(
    kb: KB,
    rnd: random.Random,
    case_id: str,
    given_fraction: float | None = None,
    messages: int | None = None,
) -> Case:
    """One valid case.

    given_fraction: the chance each fact is given; None draws it per fact as the hypothesis
    strategy does (each value of the fact, or unknown, equally likely). messages: when set,
    message_count is that many, sent on that many occasions (capped by the vocabulary), so
    that cases can be made to grow in how much conduct they describe.
    """
    offence = _date(rnd)
    span = rnd.randint(0, 400) if rnd.random() < 0.5 else rnd.randint(0, 4000)
    assessment = min(offence + dt.timedelta(days=span), TODAY)
    given: dict[str, Any] = {}
    for name, fdef in sorted(kb.facts.items()):
        if fdef.header:
            continue
        if given_fraction is None:
            choices = len(fdef.values) + 1 if fdef.type == "enum" else 3
            known = rnd.random() >= 1 / choices
        else:
            known = rnd.random() < given_fraction
        value = _value(rnd, kb, name)  # drawn either way, so that the fraction changes nothing else
        if known:
            given[name] = value
    if messages is not None:
        given["message_count"] = min(messages, kb.facts["message_count"].maximum or messages)
        given["occasions"] = min(messages, kb.facts["occasions"].maximum or messages)
    jurisdiction = rnd.choice(JURISDICTIONS)

    def make() -> Case:
        return Case(
            id=case_id,
            offence_date=offence,
            assessment_date=assessment,
            jurisdiction=jurisdiction,
            given=dict(sorted(given.items())),
        )

    facts = {f["t"]: f for f in plain_facts(kb, make())}
    for constraint in kb.constraints:
        if cond_holds(constraint.when, facts):
            given.pop(_names(constraint.when)[-1], None)
            facts = {f["t"]: f for f in plain_facts(kb, make())}
    case = make()
    check_constraints(kb, case, case_id)
    return case


def generate_cases(
    kb: KB,
    n: int,
    seed: int = 20250314,
    given_fraction: float | None = None,
    messages: int | None = None,
) -> list[Case]:
    """n valid cases, the same for the same KB, n and seed."""
    rnd = random.Random(seed)
    return [generate_case(kb, rnd, f"bench-{seed}-{i}", given_fraction, messages) for i in range(n)]
