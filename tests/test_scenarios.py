"""The scenario suite covers the KB: every rule fires in some scenario and not in another, and
every value of every conclusion comes out of some scenario. (The scenarios themselves are
collected as tests by conftest.py and run on both engines.)"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from kbcheck.engine import assess, load_kb, read_case
from kbcheck.engine.scenarios import run_file

SCENARIOS = Path(__file__).parent / "scenarios"
REAL = Path(__file__).parent / "real"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "cases"
FILES = sorted(SCENARIOS.rglob("*.yaml")) + sorted(REAL.glob("*.yaml"))
# Rules that only a later date can fire are fired by cases read as at that date: OSA 2023 s.179's
# 3-year limit first runs out for conduct of 31 January 2024 on 31 January 2027, and a case file
# cannot be dated after today.
LATER = {Path(__file__).parent / "fixtures" / "later" / "s179-out-of-time.yaml": dt.date(2027, 6, 1)}


@cache
def assessments():
    kb = load_kb()
    found = {path: assess(read_case(path, kb), kb) for path in FILES}
    found.update({path: assess(read_case(path, kb, today=day), kb) for path, day in LATER.items()})
    return found


@pytest.mark.parametrize("path", sorted(LATER), ids=lambda p: p.stem)
def test_a_case_read_as_at_a_later_date_meets_its_expectations(path):
    outcome = run_file(path, load_kb(), today=LATER[path])
    assert outcome.passed, outcome.error or outcome.failures


def test_at_least_sixty_scenarios_each_with_a_one_sentence_title():
    assert len(FILES) >= 60
    for path, a in assessments().items():
        assert a.case.title, path
        assert a.case.title.count(". ") == 0 and not a.case.title.endswith("."), path


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cases is not beside this checkout")
def test_every_shared_case_is_a_scenario_unchanged():
    for case in sorted(SHARED.glob("*.yaml")):
        copy = SCENARIOS / "shared" / case.name
        assert copy.is_file(), case.name
        assert copy.read_text() == case.read_text(), case.name


def every_run() -> list:  # type: ignore[type-arg]
    """Every scenario's assessment and, for a series, each of its communications' in full: the
    rules about one communication fire there."""
    runs = []
    for a in assessments().values():
        runs.append(a)
        if a.series is not None:
            runs.extend(a.series.of(cid) for cid in a.series.ids)
    return runs


def test_every_rule_fires_in_some_scenario_and_not_in_another():
    kb = load_kb()
    fired: dict[str, int] = {}
    runs = every_run()
    for a in runs:
        for rule_id in {f.rule.id for f in a.firings}:
            fired[rule_id] = fired.get(rule_id, 0) + 1
    never = [r.id for r in kb.rules if r.id not in fired]
    always = [r for r, n in fired.items() if n == len(runs)]
    assert not never, f"rules no scenario fires: {never}"
    assert not always, f"rules every scenario fires: {always}"


def test_every_value_of_every_conclusion_comes_out_of_some_scenario():
    kb = load_kb()
    seen: dict[str, set[str]] = {}
    for a in every_run():
        for conclusion, value in a.values.items():
            seen.setdefault(conclusion, set()).add(value)
    missing = []
    for cid, cdef in kb.conclusions.items():
        expected = set(cdef.values)
        gap = expected - seen.get(cid, set())
        if gap:
            missing.append(f"{cid}: {sorted(gap)}")
    assert not missing, "values no scenario produces:\n" + "\n".join(missing)
