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
    previous = None
    day = START
    days = 0
    while day <= END:
        case = Case(id="walk", offence_date=day, assessment_date=ASSESSED, given=facts)
        values = assess(case, KB, engine).conclusions()
        if previous is not None:
            changed = [k for k, v in values.items() if previous[k] != v]
            if changed:
                changes[day] = changed
        previous = values
        day += dt.timedelta(days=1)
        days += 1
    record(
        f"law walk ({name}, {engine} engine)",
        f"{days:,} days, changes on {', '.join(d.isoformat() for d in sorted(changes))}",
    )
    unexpected = {d.isoformat(): c for d, c in changes.items() if d not in expected}
    assert not unexpected
    assert set(changes) == expected  # and each named change shows
