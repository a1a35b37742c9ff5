"""Valid cases drawn at random (seeded) across the whole vocabulary and all the law's dates."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from kbcheck.engine.analysis import Analysis
from kbcheck.engine.case import Case, cond_holds
from kbcheck.engine.memory import plain_facts
from kbcheck.engine.model import KB, UNKNOWN

FIRST = dt.date(1988, 6, 1).toordinal()
LAST = dt.date(2026, 11, 1).toordinal()


def cases(kb: KB, analysis: Analysis, count: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    boundaries = analysis.date_values("offence_date") + analysis.date_values("assessment_date")
    out = []
    for n in range(count):
        if rng.random() < 0.5 and boundaries:
            offence = rng.choice(boundaries) + dt.timedelta(days=rng.randint(-2, 2))
        else:
            offence = dt.date.fromordinal(rng.randint(FIRST, LAST))
        offence = min(offence, dt.date.fromordinal(LAST))
        assessment = offence + dt.timedelta(days=rng.choice([0, 1, 30, 180, 182, 183, 400, 1100, 4000]))
        given: dict[str, Any] = {}
        for name, fdef in kb.facts.items():
            if fdef.header:
                continue
            value = rng.choice(analysis.values_of(name))
            if value != UNKNOWN and rng.random() < 0.7:
                given[name] = value
        jurisdiction = rng.choice(["england_and_wales"] * 8 + ["scotland", "northern_ireland"])
        case = Case(
            id=f"generated-{seed}-{n}",
            offence_date=offence,
            assessment_date=assessment,
            jurisdiction=jurisdiction,
            given=given,
        )
        facts = {f["t"]: f for f in plain_facts(kb, case)}
        for constraint in kb.constraints:  # leave out a fact the constraint names, as a user would
            if cond_holds(constraint.when, facts):
                names = [t for t in _names(constraint.when)]
                given.pop(names[-1], None)
        out.append(
            Case(
                id=case.id,
                offence_date=offence,
                assessment_date=assessment,
                jurisdiction=jurisdiction,
                given=dict(sorted(given.items())),
            )
        )
    return out


def _names(cond: Any) -> list[str]:
    if hasattr(cond, "items"):
        return [n for item in cond.items for n in _names(item)]
    return [cond.name]
