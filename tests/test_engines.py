"""The two engines: durable_rules behind the hardened adapter, and the reference oracle.

They must reach the same conclusions by the same firings in the same order, whatever the order
the facts arrive in; every conclusion must be justified by the trace down to the case's facts.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcheck.engine import EngineError, assess, load_kb
from kbcheck.engine.api import compiled, get_engine
from kbcheck.engine.case import Case
from kbcheck.engine.durable_adapter import DurableEngine
from kbcheck.engine.memory import plain_facts
from kbcheck.engine.model import KB as KB_TYPE
from kbcheck.engine.reference import ReferenceEngine
from kbcheck.engine.result import Assessment

from .strategies import cases

SCENARIOS = Path(__file__).parent / "scenarios"
TINY = Path(__file__).parent / "fixtures" / "kb_tiny"
KB = load_kb()


def firings(a: Assessment) -> list[tuple]:
    return [(f.step, f.name, f.premises, f.concludes) for f in a.firings]


def assert_justified(a: Assessment) -> None:
    """Every conclusion is concluded by a firing whose premises are facts of the case or
    conclusions justified earlier: following them back ends at the facts and dates. For a series
    the case's facts are those its own rules read (the series' values), and each communication's
    assessment is justified in turn."""
    justified: set[str] = set()
    case = a.series.view if a.series is not None else a.case
    for firing in a.firings:
        for name, value in firing.premises:
            if name in a.kb.facts:
                assert str(value) == str(plain_value(case, name, a.kb)), (firing.name, name)
            else:
                assert f"{name}={value}" in justified, f"{firing.name} used {name}={value} before it was concluded"
        justified.add(firing.concludes)
    for conclusion, value in a.values.items():
        assert f"{conclusion}={value}" in justified
    if a.series is not None:
        for cid in a.series.ids:
            assert_justified(a.series.of(cid))


def plain_value(case: Case, name: str, kb: KB_TYPE | None = None) -> str:
    fact = next(f for f in plain_facts(kb or KB, case) if f["t"] == name)
    return fact["v"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(KB))
def test_durable_and_reference_agree_firing_for_firing(case):
    durable = assess(case, KB, "durable")
    reference = assess(case, KB, "reference")
    assert durable.engine == "durable" and reference.engine == "reference"
    assert firings(durable) == firings(reference)
    assert durable.conclusions() == reference.conclusions()
    assert_justified(durable)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(KB), seed=st.integers(0, 2**32 - 1))
def test_the_order_facts_arrive_in_changes_nothing(case, seed):
    ckb = compiled(KB)
    facts = plain_facts(KB, case, ckb.offsets)
    shuffled = list(facts)
    random.Random(seed).shuffle(shuffled)
    engine = get_engine(KB, "durable")
    assert engine.run(shuffled) == engine.run(facts)
    assert ReferenceEngine(ckb).run(shuffled) == engine.run(facts)


def test_the_order_of_facts_in_the_case_file_changes_nothing(kb, tmp_path):
    source = (SCENARIOS / "shared" / "seed-whatsapp-director-filth.yaml").read_text().splitlines()
    start = source.index("facts:") + 1
    end = source.index("expect:")
    facts = source[start:end]
    results = []
    for seed in range(5):
        shuffled = list(facts)
        random.Random(seed).shuffle(shuffled)
        path = tmp_path / f"case{seed}.yaml"
        path.write_text("\n".join(source[:start] + shuffled) + "\n")
        from kbcheck.engine import read_case

        results.append(assess(read_case(path, kb), kb).to_json())
    assert all(r == results[0] for r in results)


@pytest.mark.parametrize("path", sorted((SCENARIOS).rglob("*.yaml")), ids=lambda p: p.stem)
def test_every_conclusion_of_every_scenario_is_justified(kb, path):
    from kbcheck.engine import read_case

    assert_justified(assess(read_case(path, kb), kb))


def test_every_contract_conclusion_has_exactly_one_value(kb):
    from kbcheck.engine import read_case

    a = assess(read_case(SCENARIOS / "shared" / "seed-whatsapp-director-filth.yaml", kb), kb)
    assert set(a.values) == set(kb.conclusions)
    concluded = {}
    for f in a.firings:
        concluded.setdefault(f.conclusion, set()).add(f.value)
    assert all(len(values) == 1 for values in concluded.values())


# --- The durable_rules adapter's hardening, pinned -------------------------------------------


def tiny_case(a: str) -> list[dict]:
    tiny = load_kb(TINY)
    case = Case(
        id="t",
        offence_date=__import__("datetime").date(2025, 1, 1),
        assessment_date=__import__("datetime").date(2025, 1, 2),
        given={} if a == "unknown" else {"a": a == "true"},
    )
    return plain_facts(tiny, case)


def test_a_case_where_no_rule_fires_does_not_crash_the_engine():
    engine = DurableEngine(compiled(load_kb(TINY)))
    for _ in range(2000):  # delete_state used to free an uninitialised pointer here
        assert engine.run(tiny_case("unknown")) == []


def test_a_conclusion_reached_by_two_rules_keeps_both_justifications():
    engine = get_engine(load_kb(TINY), "durable")
    names = [compiled(load_kb(TINY)).rules[i].name for i, _ in engine.run(tiny_case("true"))]
    assert names.count("t.twice.one") == 1 and names.count("t.twice.two") == 1


def test_a_failure_while_the_rules_fire_surfaces_as_an_engine_error_and_poisons_it():
    class Failing(DurableEngine):
        def _derived(self, crule):  # type: ignore[no-untyped-def]
            return "{not json"

    engine = Failing(compiled(load_kb(TINY)))
    with pytest.raises(EngineError, match="durable_rules failed on this case"):
        engine.run(tiny_case("true"))
    assert engine.poisoned
    with pytest.raises(EngineError, match="unusable after an earlier failure"):
        engine.run(tiny_case("true"))


def test_a_kb_gap_is_an_error_not_a_silent_answer():
    tiny = load_kb(TINY)
    import datetime as dt

    case = Case(id="t", offence_date=dt.date(2025, 1, 1), assessment_date=dt.date(2025, 1, 2))
    with pytest.raises(EngineError, match="gives no value to: x.a, x.twice"):
        assess(case, tiny, "durable")


def test_one_case_at_a_time():
    engine = get_engine(KB, "durable")
    assert engine._lock.acquire(blocking=False)
    try:
        with pytest.raises(EngineError, match="one case at a time"):
            engine.run([])
    finally:
        engine._lock.release()


def test_where_durable_rules_cannot_be_imported_the_reference_engine_is_used_and_announced(monkeypatch, capsys):
    from kbcheck.engine import api

    monkeypatch.setattr(api, "_durable_problem", "durable_rules cannot be imported on Python 3.13 (ImportError: x)")
    monkeypatch.setattr(api, "_announced", False)
    case = read_case_path(SCENARIOS / "shared" / "seed-fake-profile.yaml")
    result = assess(case, KB, "durable")
    assert result.engine == "reference"
    assert "using the reference engine instead" in capsys.readouterr().err
    with pytest.raises(api.EngineUnavailable):
        api.get_engine(KB, "durable", fallback=False)


def read_case_path(path):  # type: ignore[no-untyped-def]
    from kbcheck.engine import read_case

    return read_case(path, KB)
