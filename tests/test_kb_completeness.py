"""Every conclusion gets exactly one value for every combination of the facts it depends on.

For each conclusion, the facts it can depend on are enumerated: every value of each boolean and
enumeration, `unknown` included, and for numbers and dates the values either side of every
boundary its rules test. Where the combinations are too many they are sampled (seeded). Each
combination runs that conclusion's rules on the reference engine; a gap (no value) or a
conflict (two values) anywhere in its chain fails the test with the facts that caused it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kbcheck.engine import compiled, load_kb
from kbcheck.engine.analysis import EXHAUSTIVE_LIMIT, Analysis, combinations, coverage

KB = load_kb()
AN = Analysis(compiled(KB))
TODAY = dt.date(2026, 11, 1)


@pytest.mark.parametrize("conclusion", KB.public_conclusions())
def test_exactly_one_value_for_every_combination(conclusion):
    checked, _, gaps = coverage(AN, conclusion, TODAY)
    assert not gaps, "\n".join(str(g) for g in gaps)
    assert checked > 0


def test_small_dependency_sets_are_enumerated_and_the_biggest_sampled():
    # element.content joins the limbs with their mental-state facts (1,159,488 combinations: run
    # exhaustively by hand, too slow for the suite); each limb is small enough to enumerate here.
    for limb in ("limb.indecent_or_grossly_offensive", "limb.threat", "limb.false_information"):
        checked, complete, gaps = coverage(AN, limb, TODAY)
        assert complete and checked > 0 and not gaps, limb
    # Each of these is checked in test_exactly_one_value_for_every_combination: here, only that it
    # is small enough to be checked there in full (EXHAUSTIVE_LIMIT), and that outcome.likely is not.
    for conclusion in (
        "element.sending",
        "element.purpose",
        "defence.s1_2",
        "penalty.max_custody_months_summary",
        "procedure.time_barred",
        "sentencing.mitigating",
    ):
        assert combinations(AN, conclusion, TODAY) <= EXHAUSTIVE_LIMIT, conclusion
    assert combinations(AN, "outcome.likely", TODAY) > EXHAUSTIVE_LIMIT
