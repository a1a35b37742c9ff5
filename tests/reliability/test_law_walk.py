"""Walk every offence date from 1 September 1988 to 31 December 2026 for fixed facts: the
conclusions change only on the dates the law changed, as the research names them."""

from __future__ import annotations

import datetime as dt

import pytest

from kbcheck.engine import assess, load_kb
from kbcheck.engine.case import Case

from .conftest import FULL, record

KB = load_kb()
START, END = dt.date(1988, 9, 1), dt.date(2026, 12, 31)
ASSESSED = dt.date(2026, 12, 31)
STRIDE = 16  # days between the dates assessed in make test (every day in make reliability)

# The dates law/reference.md names: the Act in force; CJPA 2001 s.43; LASPO 2012 s.85 (unlimited
# fines); CJCA 2015 s.32 (either way); MCA s.1(5) (2 May 2022); OSA 2023 s.189 (31 Jan 2024).
REFERENCE = {
    dt.date(1988, 9, 29),
    dt.date(2001, 5, 11),
    dt.date(2015, 3, 12),
    dt.date(2015, 4, 13),
    dt.date(2022, 5, 2),
    dt.date(2024, 1, 31),
}
BASE = {
    "audience": "individual",
    "target_identifiable": True,
    "intended_to_reach_target": True,
    "message_count": 1,
    "occasions": 1,
    "content_grossly_offensive": True,
    "content_threat": True,
    "threat_kind": "violence",
    "purpose_distress_anxiety": True,
    "sender_identified": True,
    "account_linked_to_suspect": True,
    "full_thread_preserved": True,
}

FACT_SETS = {
    # A threatening, grossly offensive letter: CA 2003 s.127 never applies to a letter.
    "letter": (dict(BASE, medium="letter"), REFERENCE),
    # The same by email: CA 2003 s.127 also fits, and its 3-year limit (s.127(5)(a)) makes
    # 1 January 2024 the first offence date still in time when assessed on 31 December 2026 (so its
    # coming into force in 2003 cannot show).
    "email": (dict(BASE, medium="email"), REFERENCE | {dt.date(2024, 1, 1)}),
}


@pytest.mark.parametrize("name", sorted(FACT_SETS))
def test_conclusions_change_only_when_the_law_did(name):
    facts, expected = FACT_SETS[name]
    engine = "durable" if FULL else "reference"
    changes: dict[dt.date, list[str]] = {}
    days = 0

    def at(day: dt.date) -> dict:  # type: ignore[type-arg]
        nonlocal days
        days += 1
        case = Case(id="walk", offence_date=day, assessment_date=ASSESSED, given=facts)
        return assess(case, KB, engine).conclusions()

    # Every day at full scale; in make test, every STRIDE-th day, and every day of a stretch
    # whose ends differ (a change that is undone within one stretch is left to the full walk).
    stride = 1 if FULL else STRIDE
    day, previous = START, at(START)
    while day < END:
        ahead = min(day + dt.timedelta(days=stride), END)
        values = at(ahead)
        if values != previous:
            before, step = previous, day + dt.timedelta(days=1)
            while step <= ahead:
                now = values if step == ahead else at(step)
                changed = [k for k, v in now.items() if before[k] != v]
                if changed:
                    changes[step] = changed
                before, step = now, step + dt.timedelta(days=1)
        day, previous = ahead, values
    record(
        f"law walk ({name}, {engine} engine)",
        f"{days:,} days assessed{'' if FULL else f' (every {STRIDE}th, then every day where they differ)'}, changes on {', '.join(d.isoformat() for d in sorted(changes))}",
    )
    unexpected = {d.isoformat(): c for d, c in changes.items() if d not in expected}
    assert not unexpected
    assert set(changes) == expected  # and each named change shows
