"""A case given as a series of communications (docs/case-format.md §1.5; engine/series.py).

Each communication is judged by every rule on its own date; the fold and the case's run are
ordinary runs on the engine. These tests check that the two engines agree firing for firing on
generated series, that the order of the file changes nothing, that a case of one communication
gives the same conclusions whether flat or listed, and that a list is read as strictly as the
rest of a case.
"""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcheck.engine import assess
from kbcheck.engine.api import compiled, durable_problem, get_engine
from kbcheck.engine.case import case_from_data, read_case
from kbcheck.engine.errors import CaseError
from kbcheck.engine.loader import load_kb
from kbcheck.engine.series import assess_series

from .strategies import cases, series_cases

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("series-*.yaml"))
KB = load_kb()
needs_durable = pytest.mark.skipif(durable_problem() is not None, reason="durable_rules is not built here")


def _firings(assessment):  # type: ignore[no-untyped-def]
    return [(f.name, f.premises) for f in assessment.firings]


def _all_firings(assessment):  # type: ignore[no-untyped-def]
    series = assessment.series
    return (
        [_firings(a) for a in series.full],
        [_firings(a) for a in series.steps],
        _firings(assessment),
        series.lead,
    )


@needs_durable
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(series_cases(KB))
def test_durable_and_reference_agree_firing_for_firing_on_a_series(case):
    durable = assess_series(case, KB, "durable", get_engine, compiled, keep=True)
    reference = assess_series(case, KB, "reference", get_engine, compiled, keep=True)
    assert len(durable.series.steps) == len(case.communications)
    assert _all_firings(durable) == _all_firings(reference)
    assert durable.values == reference.values


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(series_cases(KB), st.randoms(use_true_random=False))
def test_the_order_of_the_communications_in_the_file_changes_nothing(case, rnd):
    data = case.to_data()
    shuffled = dict(data, communications=rnd.sample(data["communications"], len(data["communications"])))
    today = max(case.assessment_date, case.charge_date, case.conviction_date)
    first = assess(case_from_data(KB, data, "a", today), KB)
    second = assess(case_from_data(KB, shuffled, "a", today), KB)
    assert json.dumps(first.to_json(), default=str) == json.dumps(second.to_json(), default=str)


def _one_item(case):  # type: ignore[no-untyped-def]
    """The same case as a list of one communication: its facts of one communication in the item."""
    data = case.to_data()
    own = set(KB.series.facts)
    facts = data["facts"]
    item = {"id": "only", "date": data["offence_date"], **{k: v for k, v in facts.items() if k in own}}
    data["facts"] = {k: v for k, v in facts.items() if k not in own}
    data["communications"] = [item]
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases(KB))
def test_a_case_of_one_communication_is_the_same_flat_or_listed(case):
    # What the list gives for one communication: one message, one occasion, no escalation.
    given_ = {k: v for k, v in case.given.items() if k not in ("message_count", "occasions", "escalation")}
    flat = dataclasses.replace(case, given=dict(given_, message_count=1, occasions=1, escalation=False))
    today = max(case.assessment_date, case.charge_date, case.conviction_date)
    try:
        listed = case_from_data(KB, _one_item(flat), "listed", today)
    except CaseError:  # a flat case the generator repaired differently (constraints): not this test's point
        return
    assert assess(listed, KB).values == assess(flat, KB).values


SCENARIOS = sorted((ROOT / "tests" / "scenarios").rglob("*.yaml")) + sorted((ROOT / "tests" / "real").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_gives_the_same_conclusions_as_a_list_of_one(path):
    case = read_case(path, KB, today=None)
    if case.communications:
        pytest.skip("already a list of communications")
    if case.given.get("message_count", 1) != 1 or case.given.get("occasions", 1) != 1:
        pytest.skip("several messages: not a case of one communication")
    if case.given.get("escalation") is True:
        pytest.skip("one communication cannot escalate")
    flat = dataclasses.replace(case, given=dict(case.given, message_count=1, occasions=1, escalation=False))
    listed = case_from_data(KB, _one_item(flat), str(path))
    assert assess(listed, KB).conclusions() == assess(flat, KB).conclusions()


def test_each_communication_is_judged_under_the_law_on_its_own_date():
    result = assess(read_case(ROOT / "examples" / "series-2024-repeal.yaml", KB), KB)
    b1, b3 = result.series.of("b1"), result.series.of("b3")
    assert b1.value("law.content_limbs_available") == ["false_information", "indecent_or_grossly_offensive", "threat"]
    assert b1.values["limb.threat"] == "met" and b1.values["alternatives[osa2023.s181]"] == "no"
    assert b3.values["limb.threat"] == "not_available" and b3.values["alternatives[osa2023.s181]"] == "yes"
    # The case reads both: the repealed limb's offence (b1) and the new offence (b3).
    assert result.values["offence.mca_s1"] == "made_out"
    assert "osa2023.s181" in result.value("alternatives")


def test_a_communication_out_of_time_beside_one_in_time():
    result = assess(read_case(ROOT / "examples" / "series-2014-partly-out-of-time.yaml", KB), KB)
    barred = {
        cid: a.values["procedure.time_barred"]
        for cid, a in zip(result.series.ids, result.series.communications, strict=True)
    }
    assert barred == {"c1": "true", "c2": "true", "c3": "false", "c4": "false"}
    assert result.series.lead == "c4"
    assert result.values["procedure.time_barred"] == "false"
    assert result.case.derived == {"message_count": 4, "occasions": 4}
    assert result.values["conduct.course_of_conduct"] == "yes"


def test_the_json_lists_each_communication_with_its_own_conclusions():
    result = assess(read_case(ROOT / "examples" / "series-2015-either-way.yaml", KB), KB)
    data = result.to_json()
    assert [c["id"] for c in data["communications"]] == ["a1", "a2", "a3"]
    modes = [c["conclusions"]["procedure.mode_of_trial"] for c in data["communications"]]
    assert modes == ["summary_only", "summary_only", "either_way"]
    assert data["series"]["lead"] == "a3" and data["series"]["occasions"] == 3
    assert [c["lead"] for c in data["communications"]] == [False, False, True]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"communications": []}, "communications: expected a list of communications"),
        ({"communications": [{"id": "x"}]}, "communications[0].date: missing 'date'"),
        ({"communications": [{"id": "x", "date": "2020-01-01", "victim_vulnerable": True}]}, "is about the case"),
        ({"communications": [{"id": "x", "date": "2020-01-01", "medium": "pigeon"}]}, "(x).medium: expected one of"),
        ({"communications": [{"id": "x", "date": "2020-01-01", "time": 750}]}, "YAML read an unquoted time"),
        ({"communications": [{"id": "x", "date": "2020-01-01"}, {"id": "x", "date": "2020-01-02"}]}, "also the id of"),
        ({"communications": [{"id": "x", "date": "2020-01-01", "colour": "red"}]}, "not a key of a communication"),
        (
            {"offence_date": "2020-01-05", "communications": [{"id": "x", "date": "2020-01-01"}]},
            "not the date of the last",
        ),
        (
            {"facts": {"message_count": 3}, "communications": [{"id": "x", "date": "2020-01-01"}]},
            "facts.message_count: the communications listed give 1; this says 3",
        ),
    ],
)
def test_a_bad_list_is_refused_naming_the_item_and_field(change, problem):
    data = {"case": "bad", "assessment_date": "2021-01-01", "facts": {}, **change}
    with pytest.raises(CaseError) as info:
        case_from_data(KB, data, "bad.yaml")
    assert problem in info.value.one_line()
    assert "\n" not in info.value.one_line()


def test_a_case_without_communications_is_read_as_before():
    case = read_case(ROOT / "examples" / "whatsapp-director.yaml", KB)
    assert case.communications == () and assess(case, KB).series is None


def test_a_yaml_line_is_given_for_a_bad_item(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "case: bad\nassessment_date: 2021-01-01\ncommunications:\n  - id: a\n    date: 2020-01-01\n"
        "  - id: b\n    date: 2020-02-01\n    medium: pigeon\n"
    )
    with pytest.raises(CaseError) as info:
        read_case(path, KB)
    assert info.value.one_line().startswith(f"{path}:8: communications[1] (b).medium:")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_series_examples_assess_and_explain(path):
    result = assess(read_case(path, KB), KB)
    assert result.series is not None and len(result.series.ids) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_series_examples_conclude_what_they_expect(path):
    from kbcheck.engine.scenarios import run_file

    outcome = run_file(path, KB)
    assert outcome.error is None and not outcome.failures, outcome.failures


def _cli(*args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from kbcheck.cli.main import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


REPEAL = str(ROOT / "examples" / "series-2024-repeal.yaml")


def test_why_explains_one_communication_on_its_own_date():
    b3 = _cli("why", REPEAL, "limb.threat", "--communication", "b3")
    assert b3.exit_code == 0 and b3.output.startswith("limb.threat = not_available")
    assert "SI 2024/31" in b3.output
    b1 = _cli("why", REPEAL, "limb.threat", "--communication", "b1")
    assert b1.output.startswith("limb.threat = met")
    missing = _cli("why", REPEAL, "limb.threat", "--communication", "zz")
    assert missing.exit_code == 2 and "no communication 'zz' (it has b1, b2, b3, b4)" in missing.output
    flat = _cli("why", str(ROOT / "examples" / "whatsapp-director.yaml"), "offence.mca_s1", "--communication", "x")
    assert flat.exit_code == 2 and "lists no communications" in flat.output


def test_the_case_level_why_names_the_communication_it_rests_on():
    out = _cli("why", REPEAL, "offence.mca_s1").output
    assert "series:offence.mca_s1 = made_out  (the lead communication's, b2)" in out
    out = _cli("why", REPEAL, "alternatives").output
    assert "from b3" in out  # osa2023.s181 is open on b3 alone


def test_the_timeline_marks_each_communication_and_the_law_changing_between_them(tmp_path):
    target = tmp_path / "timeline.svg"
    result = _cli("explain", REPEAL, "--timeline", "-o", str(target))
    assert result.exit_code == 0, result.output
    svg = html.unescape(target.read_text()).replace("\xa0", " ")
    for text in (
        "b1  2023-12-10",
        "b4  2024-03-01",
        "2024-01-31: the law changes",
        "SI 2024/31",
        "charge decision 2024-06-01",
    ):
        assert text in svg
    assert svg.count("why offence.mca_s1") == 4  # each communication's chain
    flat = _cli("explain", str(ROOT / "examples" / "whatsapp-director.yaml"), "--timeline")
    assert flat.exit_code == 2 and "lists no communications" in flat.output


def test_what_if_moves_or_removes_one_communication():
    out = _cli("what-if", REPEAL, "--move", "b3=2024-01-20", "--remove", "b4").output
    assert "What if move b3 to 2024-01-20, remove b4?" in out
    assert "b3: sent 2024-01-20 (was 2024-02-05); s.1 made out, in time" in out
    assert "no longer open: osa2023.s181" in out and "b4: left out" in out
    gone = _cli("what-if", REPEAL, "--remove", "b1", "--remove", "b2", "--remove", "b3", "--remove", "b4")
    assert gone.exit_code == 2 and "that would leave no communication" in gone.output


def test_compare_moves_the_whole_series():
    out = _cli("compare", REPEAL, "--dates", "2023-06-01,2024-06-01").output
    assert "law.content_limbs_available" in out and "osa2023.s181" in out


RISE = KB.series.rises[0]


def _rise_by_rules(engine_name: str, values: list[str]) -> str:
    """Fold a sequence of seriousness values through the generated rules of the rise alone."""
    from kbcheck.engine.memory import fact_dict
    from kbcheck.engine.series import NONE, before, plan, so_far, this

    the_plan = plan(KB)
    ckb = compiled(the_plan.step)
    runner = get_engine(the_plan.step, engine_name)
    names = (RISE.fact, f"{RISE.fact}.lowest", f"{RISE.fact}.gap")
    state = dict.fromkeys(names, NONE)
    for value in values:
        facts = [fact_dict(the_plan.step, this(RISE.by), value)]
        facts += [fact_dict(the_plan.step, before(n), state[n]) for n in names]
        concluded: dict[str, set[str]] = {}
        for index, _premises in runner.run(facts):
            crule = ckb.rules[index]
            concluded.setdefault(crule.conclusion, set()).add(crule.value)
        for n in names:
            assert len(concluded[so_far(n)]) == 1, (values, n, concluded.get(so_far(n)))
            state[n] = next(iter(concluded[so_far(n)]))
    return state[RISE.fact]


def _rise_by_definition(values: list[str]) -> str:
    from kbcheck.engine.series import NONE, rise_step

    rose, lowest, gap = NONE, NONE, NONE
    for value in values:
        rose, lowest, gap = rise_step(RISE.order, rose, lowest, gap, value)
    return rose


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*RISE.order, "unknown"]), min_size=1, max_size=6))
def test_the_rise_rules_fold_as_the_rise_is_defined(values):
    expected = _rise_by_definition(values)
    assert _rise_by_rules("reference", values) == expected
    if durable_problem() is None:
        assert _rise_by_rules("durable", values) == expected


@pytest.mark.parametrize(
    ("values", "rose"),
    [
        (["abuse", "threat"], "true"),  # abuse, then a threat
        (["threat", "serious_threat"], "true"),
        (["serious_threat", "threat", "abuse"], "false"),  # it only falls
        (["abuse", "abuse"], "false"),
        (["lesser"], "false"),
        (["serious_threat", "unknown"], "false"),  # nothing can be above the most serious
        (["abuse", "unknown"], "unknown"),
        (["unknown", "lesser"], "false"),  # nothing can be below the least serious
        (["unknown", "threat"], "unknown"),
        (["abuse", "unknown", "threat"], "true"),
    ],
)
def test_escalation_is_a_communication_more_serious_than_an_earlier_one(values, rose):
    assert _rise_by_definition(values) == rose


def test_a_case_that_gives_escalation_must_agree_with_the_list():
    data = read_case(ROOT / "examples" / "series-2015-either-way.yaml", KB).to_data()
    data["facts"]["escalation"] = False
    with pytest.raises(CaseError) as info:
        assess(case_from_data(KB, data, "esc.yaml"), KB)
    assert "facts.escalation: the communications listed give true; this says false" in info.value.one_line()


def test_the_report_lists_the_communications_with_their_own_facts(tmp_path):
    target = tmp_path / "report.md"
    assert _cli("report", REPEAL, "-o", str(target)).exit_code == 0
    text = target.read_text()
    assert "## The communications" in text and "The case rests on b2" in text
    assert (
        "| **b3**, 5 February 2024 | not yet settled, in time | s.1 limbs in force: indecent\\_or\\_grossly\\_offensive"
        in text
    )
    assert "threat\\_kind: death" in text


def test_the_derived_kbs_are_within_the_engine_s_limits():
    from kbcheck.engine.lint import check_series_limits

    assert check_series_limits(KB) == []
