"""The charging decision's own guarantees, checked over generated cases as well as scenarios:
an offence made out that fails the evidential stage always has a rule that says why; a point the
facts do not reach is never a weakness; the advice a report gives is exactly what rules fired."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from kbcheck.engine import assess, load_kb
from kbcheck.explain import report

from .strategies import cases

KB = load_kb()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(KB))
def test_made_out_but_failing_the_evidential_stage_is_always_explained(case):
    result = assess(case, KB, "reference")
    values = result.values
    if values["offence.mca_s1"] == "made_out" and values["outcome.evidential_test"] == "failed":
        assert values["evidence.proof_gap"] != "none"
        assert any(f.conclusion == "evidence.proof_gap" for f in result.firings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(KB))
def test_a_weakness_is_never_drawn_from_unknown_facts_alone(case):
    """Every member of evidence.weaknesses rests on a rule whose premises include a fact given in
    the case, or a conclusion drawn from given facts; a member to find out is never listed as weak."""
    result = assess(case, KB, "reference")
    weak = set(result.value("evidence.weaknesses"))
    to_find_out = set(result.value("evidence.to_find_out"))
    assert not weak & to_find_out
    if result.values["evidence.strength"] == "needs_investigation":
        assert to_find_out and not weak - {"proof_of_sending"}


# 50 examples: each gathers a whole report, open points included (about 0.1 s a case).
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(KB))
def test_the_report_next_steps_are_the_titles_of_rules_that_fired(case):
    result = assess(case, KB, "reference")
    steps = report.gather(result).steps
    fired = {
        f.rule.title.rstrip(".")
        for f in result.firings
        if f.value == "yes" and (KB.conclusions[f.conclusion].list_id or "") in report.NEXT_STEPS
    }
    notes = {n.rstrip(".") for step in steps for n in step.notes}
    assert {n[:1].lower() + n[1:] for n in notes} == {t[:1].lower() + t[1:] for t in fired}


def test_the_report_holds_no_advice_of_its_own():
    """The reasons to escalate or rethink are rules in kb/practice/advice.yaml, not Python."""
    source = report.__file__
    text = Path(source).read_text(encoding="utf-8")
    for name in ("_escalation", "_rethink", "victim_vulnerable", "complainant_goal", "mutual_exchange"):
        assert name not in text, name
