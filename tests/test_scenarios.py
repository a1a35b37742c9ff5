"""The scenario suite covers the KB: every rule fires in some scenario and not in another, and
every value of every conclusion comes out of some scenario. (The scenarios themselves are
collected as tests by conftest.py and run on both engines.)"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from kbcheck.engine import assess, load_kb, read_case

SCENARIOS = Path(__file__).parent / "scenarios"
REAL = Path(__file__).parent / "real"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "cases"
FILES = sorted(SCENARIOS.rglob("*.yaml")) + sorted(REAL.glob("*.yaml"))


@cache
def assessments():
    kb = load_kb()
    return {path: assess(read_case(path, kb), kb) for path in FILES}


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


def test_every_rule_fires_in_some_scenario_and_not_in_another():
    kb = load_kb()
    fired: dict[str, int] = {}
    for a in assessments().values():
        for rule_id in {f.rule.id for f in a.firings}:
            fired[rule_id] = fired.get(rule_id, 0) + 1
    never = [r.id for r in kb.rules if r.id not in fired]
    always = [r for r, n in fired.items() if n == len(FILES)]
    assert not never, f"rules no scenario fires: {never}"
    assert not always, f"rules every scenario fires: {always}"


def test_every_value_of_every_conclusion_comes_out_of_some_scenario():
    kb = load_kb()
    seen: dict[str, set[str]] = {}
    for a in assessments().values():
        for conclusion, value in a.values.items():
            seen.setdefault(conclusion, set()).add(value)
    missing = []
    for cid, cdef in kb.conclusions.items():
        expected = set(cdef.values)
        gap = expected - seen.get(cid, set())
        if gap:
            missing.append(f"{cid}: {sorted(gap)}")
    assert not missing, "values no scenario produces:\n" + "\n".join(missing)
